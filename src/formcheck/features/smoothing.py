"""Cleaning feature signals: outlier rejection, gap filling, and smoothing.

Two smoothers for two uses:
- live: the One Euro filter (Casiez, Roussel & Vogel, CHI 2012), causal and adaptive —
  heavy smoothing while the body is still, little lag when it moves — after a short
  running median (``median_frames``; the engine uses it on the fault rules' features);
- recorded: a zero-phase Butterworth low-pass (forward and backward), no lag at all.

Parameters come from ``signal.toml`` (see :mod:`formcheck.features.settings`).
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SmoothingParams:
    max_gap_s: float  # gaps up to this long are interpolated and marked; longer stay empty
    outlier_window_s: float  # Hampel window for recorded analysis
    outlier_mads: float  # a sample this many scaled MADs from the window median is an outlier
    lowpass_hz: float  # zero-phase Butterworth cut-off for recorded analysis
    lowpass_order: int
    one_euro_min_cutoff_hz: float
    one_euro_beta: float
    one_euro_d_cutoff_hz: float
    max_speed_deg_s: float  # live outlier gate: faster jumps are treated as glitches
    median_frames: int = 1  # the median of the last this many samples goes to the filter


def robust_sd(values: np.ndarray) -> float:
    """Standard deviation estimated from the median absolute deviation (scaled so it
    equals the SD for normal noise); outliers barely move it."""
    return float(1.4826 * np.median(np.abs(values - np.median(values))))


#: Samples whose Hampel windows are filtered at once (bounds memory on long sessions).
HAMPEL_BLOCK = 4096


def reject_outliers(x: np.ndarray, t_s: np.ndarray, window_s: float, n_mads: float) -> np.ndarray:
    """Hampel filter: NaN where a sample is more than ``n_mads`` scaled median absolute
    deviations from the median of the finite samples within ``window_s`` around it
    (windows with fewer than 5 of them keep their sample)."""
    half = window_s / 2
    lo = np.searchsorted(t_s, t_s - half, side="left")
    hi = np.searchsorted(t_s, t_s + half, side="right")
    outlier = np.zeros(len(x), dtype=bool)
    for start in range(0, len(x), HAMPEL_BLOCK):
        rows = slice(start, start + HAMPEL_BLOCK)
        # each sample's window as a row, NaN past its end
        cols = lo[rows, None] + np.arange(int((hi[rows] - lo[rows]).max()))
        windows = np.where(cols < hi[rows, None], x[np.minimum(cols, len(x) - 1)], np.nan)
        med = _row_medians(windows)
        sd = 1.4826 * _row_medians(np.abs(windows - med[:, None]))  # robust_sd per row
        enough = np.isfinite(windows).sum(axis=1) >= 5
        with np.errstate(invalid="ignore"):  # + 1 deg: quantisation floor
            outlier[rows] = enough & (sd > 0) & (np.abs(x[rows] - med) > n_mads * sd + 1.0)
    return np.where(outlier, np.nan, x)


def _row_medians(rows: np.ndarray) -> np.ndarray:
    """Median of each row's finite values (NaN for none), as ``np.median`` computes it: the
    middle value, or the mean of the two middle ones."""
    ordered = np.sort(rows, axis=1)  # NaN sorts last
    n = np.isfinite(rows).sum(axis=1)
    take = np.arange(len(rows))
    lower = ordered[take, np.maximum((n - 1) // 2, 0)]
    upper = ordered[take, n // 2]
    return np.where(n == 0, np.nan, np.where(n % 2 == 1, lower, (lower + upper) / 2))


def fill_gaps(x: np.ndarray, t_s: np.ndarray, max_gap_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Linear interpolation over interior gaps no longer than ``max_gap_s``.
    Returns the filled signal and a mask of the samples that were filled."""
    x = x.copy()
    filled = np.zeros(len(x), dtype=bool)
    ok = np.isfinite(x)
    idx = np.flatnonzero(ok)
    if idx.size < 2:
        return x, filled
    for a, b in zip(idx[:-1], idx[1:], strict=True):
        if b - a > 1 and t_s[b] - t_s[a] <= max_gap_s:
            seg = slice(a + 1, b)
            x[seg] = np.interp(t_s[seg], [t_s[a], t_s[b]], [x[a], x[b]])
            filled[seg] = True
    return x, filled


def zero_phase_lowpass(x: np.ndarray, fs_hz: float, cutoff_hz: float, order: int) -> np.ndarray:
    """Forward-backward Butterworth on each finite run (NaN runs stay NaN)."""
    out = np.full_like(x, np.nan)
    ok = np.isfinite(x)
    if fs_hz <= 2 * cutoff_hz:
        return x.copy()
    from scipy.signal import butter, sosfiltfilt  # here: SciPy takes a second to import

    sos = butter(order, cutoff_hz, fs=fs_hz, output="sos")
    edges = np.flatnonzero(np.diff(np.concatenate(([0], ok.astype(int), [0]))))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        run = x[start:stop]
        padlen = 3 * (2 * len(sos) + 1)
        out[start:stop] = sosfiltfilt(sos, run) if len(run) > padlen else run
    return out


def smooth_recorded(x: np.ndarray, t_s: np.ndarray, p: SmoothingParams
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Outliers out, short gaps filled, zero-phase low-pass.  Returns (signal, filled)."""
    clean = reject_outliers(x, t_s, p.outlier_window_s, p.outlier_mads)
    clean, filled = fill_gaps(clean, t_s, p.max_gap_s)
    fs = 1.0 / np.median(np.diff(t_s)) if len(t_s) > 1 else 30.0
    return zero_phase_lowpass(clean, fs, p.lowpass_hz, p.lowpass_order), filled


class OneEuroFilter:
    """Causal One Euro filter for one signal, fed the running median of the last
    ``median_frames`` samples (a landmark the model puts on the wrong limb for single
    frames, several a second, would pass the adaptive filter almost unsmoothed); NaN input
    holds the last output for up to ``max_gap_s`` (marked as filled), then resets."""

    def __init__(self, p: SmoothingParams) -> None:
        self.p = p
        self._x: float | None = None
        self._dx = 0.0
        self._t: float | None = None
        self._recent: deque[float] = deque(maxlen=p.median_frames)  # validated >= 1

    @staticmethod
    def _alpha(cutoff_hz: float, dt_s: float) -> float:
        tau = 1.0 / (2 * math.pi * cutoff_hz)
        return 1.0 / (1.0 + tau / dt_s)

    def __call__(self, x: float, t_s: float) -> tuple[float, bool]:
        """Filtered value and whether it was filled in for a missing sample."""
        if math.isfinite(x):
            self._recent.append(x)
            x = statistics.median(self._recent)
        if self._x is None or self._t is None:
            if not math.isfinite(x):
                return math.nan, False
            self._x, self._t = x, t_s
            return x, False
        dt = max(t_s - self._t, 1e-6)
        jump = abs(x - self._x) / dt if math.isfinite(x) else math.inf
        if not math.isfinite(x) or jump > self.p.max_speed_deg_s:
            if t_s - self._t > self.p.max_gap_s:
                self._x = None
                self._recent.clear()
                return math.nan, False
            return self._x, True
        dx = (x - self._x) / dt
        self._dx += self._alpha(self.p.one_euro_d_cutoff_hz, dt) * (dx - self._dx)
        cutoff = self.p.one_euro_min_cutoff_hz + self.p.one_euro_beta * abs(self._dx)
        self._x += self._alpha(cutoff, dt) * (x - self._x)
        self._t = t_s
        return self._x, False

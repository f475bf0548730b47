"""Shaking in a held position: power of the working-side hip and knee positions in the
physiological tremor bands, relative to the session's own noise floor at rest.

The positions are the model's landmarks as they come (no smoothing of ours: a low-pass
would remove exactly what is measured here), in pixels divided by the thigh's length in
pixels, so the index does not depend on the camera distance.  Each window is detrended
(a slow sag is drift, not shaking) and its power spectrum (Welch) summed over the band and
the four coordinates (hip x, y and knee x, y).  Settings: ``hold_quality.toml``.
"""

from __future__ import annotations

import tomllib
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, fields
from importlib import resources

import numpy as np

from formcheck.capture import INDEX, PoseFrame


@dataclass(frozen=True)
class HoldSettings:
    """How a hold's quality is measured (defaults in ``hold_quality.toml``; an exercise
    may override any of them in its own ``[hold_quality]`` table)."""

    window_s: float  # spectral window (its length sets the frequency resolution)
    detrend_order: int  # polynomial removed from each window: slow motion is not shaking
    step_s: float  # hop between windows: the time resolution of onsets
    bands_low_hz: tuple[float, ...]  # the bands' lower edges ...
    bands_high_hz: tuple[float, ...]  # ... and upper edges
    shake_factor: float  # shaking: band power this many times the rest floor ...
    rise_factor: float  # ... and this many times the hold's first seconds ...
    shake_min_s: float  # ... in every window for at least this long
    still_max_deg_s: float  # windows where the driving signal moves faster are not judged
    reference_s: float  # the hold's first seconds, its own reference level
    fatigue_factor: float  # fatigue: shaking stays this many times the first seconds
    sag_min_deg: float  # a sag: the hold's signal this far below its reference ...
    sag_noise_factor: float  # ... and this many times the reference's noise ...
    sag_min_s: float  # ... for at least this long
    end_descent_max_s: float  # a shorter fall ending the hold is the way down, not a sag
    min_visibility: float  # hip and knee visibility under which the figures are unreliable
    max_missing_share: float  # share of frames without a pose above which likewise
    max_view_off_deg: float  # camera this far from the exercise's view: likewise
    shaking_cue: str  # said (live) and written when shaking starts in a hold to fatigue

    @property
    def bands(self) -> list[tuple[float, float]]:
        return list(zip(self.bands_low_hz, self.bands_high_hz, strict=True))


def default_hold_settings_table() -> dict:
    text = (resources.files("formcheck.analysis") / "hold_quality.toml").read_text("utf-8")
    return tomllib.loads(text)


def default_hold_settings() -> HoldSettings:
    data = default_hold_settings_table()
    return HoldSettings(**{f.name: tuple(data[f.name]) if isinstance(data[f.name], list)
                           else data[f.name] for f in fields(HoldSettings)})


def band_label(band: tuple[float, float]) -> str:
    return f"{band[0]:g}-{band[1]:g} Hz"


def position_signals(poses: Sequence[PoseFrame], side: str) -> tuple[np.ndarray, np.ndarray]:
    """(T, 4) hip x, y and knee x, y of the working side over the thigh's median length,
    both in pixels (NaN without a pose); and (T,) the lowest of their visibilities."""
    hip, knee = INDEX[f"{side}_hip"], INDEX[f"{side}_knee"]
    xy = np.full((len(poses), 4), np.nan)
    vis = np.zeros(len(poses))
    for i, pose in enumerate(poses):
        if pose.has_pose:
            px = pose.pixels()
            xy[i] = (*px[hip], *px[knee])
            vis[i] = min(pose.visibility[hip], pose.visibility[knee])
    thigh = np.hypot(xy[:, 2] - xy[:, 0], xy[:, 3] - xy[:, 1])
    scale = np.nanmedian(thigh) if np.isfinite(thigh).any() else 1.0
    return xy / scale, vis


def _polynomial_detrend(order: int):
    def detrend(x: np.ndarray) -> np.ndarray:  # welch passes time on the last axis
        basis = np.vander(np.linspace(-1.0, 1.0, x.shape[-1]), order + 1)
        coef, *_ = np.linalg.lstsq(basis, np.moveaxis(x, -1, 0), rcond=None)
        return x - np.moveaxis(basis @ coef, 0, -1)
    return detrend


def band_powers(xy: np.ndarray, fs_hz: float, s: HoldSettings) -> np.ndarray:
    """Power in each band of the coordinates with a polynomial trend removed (summed over
    the band's frequencies and the coordinates): one Hann-windowed periodogram."""
    n = len(xy)
    from scipy.signal import welch  # SciPy on use: start-up stays light

    freqs, psd = welch(xy, fs=fs_hz, nperseg=n, detrend=_polynomial_detrend(s.detrend_order),
                       axis=0)
    df = freqs[1] - freqs[0]
    return np.array([float(psd[(freqs >= lo) & (freqs <= hi)].sum() * df)
                     for lo, hi in s.bands])


@dataclass
class PowerTrack:
    """Band power over time: one window every ``step_s``, its centre in ``t_s``."""

    t_s: np.ndarray  # (W,) window centres
    power: np.ndarray  # (W, B)
    first_frame: np.ndarray  # (W,) the windows' first and last frame indices (into xy)
    last_frame: np.ndarray


def power_track(t_s: np.ndarray, xy: np.ndarray, fs_hz: float, s: HoldSettings,
                usable: np.ndarray | None = None) -> PowerTrack:
    """Band power in sliding windows.  A window is used when every frame in it has a pose
    (and is ``usable``)."""
    n = max(int(round(s.window_s * fs_hz)), 8)
    step = max(int(round(s.step_s * fs_hz)), 1)
    ok = np.isfinite(xy).all(axis=1) & (True if usable is None else usable)
    centres, powers, firsts = [], [], []
    for start in range(0, len(xy) - n + 1, step):
        if ok[start:start + n].all():
            centres.append(0.5 * (t_s[start] + t_s[start + n - 1]))
            powers.append(band_powers(xy[start:start + n], fs_hz, s))
            firsts.append(start)
    firsts = np.array(firsts, dtype=int)
    return PowerTrack(np.array(centres), np.array(powers).reshape(-1, len(s.bands)),
                      firsts, firsts + n - 1)


def above_runs(flags: np.ndarray, t_s: np.ndarray, min_s: float,
               max_step_s: float = np.inf) -> list[tuple[int, int]]:
    """(first, last) indices of the runs of True lasting at least ``min_s``; a step in
    ``t_s`` longer than ``max_step_s`` (samples left out) ends a run."""
    runs, start = [], None
    gap = np.concatenate([[False], np.diff(t_s) > max_step_s, [True]])
    for i, flag in enumerate([*flags, False]):
        if start is not None and (not flag or gap[i]):
            if t_s[i - 1] - t_s[start] >= min_s:
                runs.append((start, i - 1))
            start = None
        if flag and start is None:
            start = i
    return runs


def onset_s(track_t: np.ndarray, power: np.ndarray, run: tuple[int, int]) -> float:
    """When a run of high power began: the centre of the first window, going back from the
    run, whose power reaches half the run's median.  A window centred on the onset holds
    half a steady oscillation, so half its power: this undoes the window's smear."""
    half = 0.5 * float(np.median(power[run[0]:run[1] + 1]))
    i = run[0]
    while i > 0 and power[i - 1] >= half:
        i -= 1
    while i < run[0] and power[i] < half:
        i += 1
    return float(track_t[i])


class ShakeWatch:
    """Live: says once per hold when shaking starts.  Feed :meth:`update` every pose with
    the working side and the engine's state; the rest floor is learned in the start
    position, shaking is judged at the top."""

    def __init__(self, fs_hz: float, s: HoldSettings) -> None:
        self.s = s
        self.fs = fs_hz
        self.n = max(int(round(s.window_s * fs_hz)), 8)
        self.step = max(int(round(s.step_s * fs_hz)), 1)
        self._buf: deque = deque(maxlen=self.n)
        self._rest: deque = deque(maxlen=int(60 / s.step_s))
        self._since_window = 0
        self._run = 0
        self._said = False
        self._top: list[np.ndarray] = []  # the hold's first windows, its own reference
        self._scale: float | None = None

    def _point(self, pose: PoseFrame, side: str) -> np.ndarray | None:
        if not pose.has_pose:
            return None
        px = pose.pixels()
        hip, knee = px[INDEX[f"{side}_hip"]], px[INDEX[f"{side}_knee"]]
        thigh = float(np.hypot(*(knee - hip)))
        if self._scale is None and thigh > 0:
            self._scale = thigh
        return np.array([*hip, *knee]) / (self._scale or 1.0)

    def update(self, pose: PoseFrame, side: str | None, state: str) -> bool:
        """True on the frame shaking is first confirmed in this hold."""
        if state in ("setup", "ready"):
            self._said = False
            self._run = 0
            self._top = []
        point = self._point(pose, side) if side else None
        if point is None:
            self._buf.clear()
            return False
        self._buf.append(point)
        self._since_window += 1
        if len(self._buf) < self.n or self._since_window < self.step:
            return False
        self._since_window = 0
        power = band_powers(np.array(self._buf), self.fs, self.s)
        if state == "ready":
            self._rest.append(power)
            return False
        if state != "top" or len(self._rest) < 3 or self._said:
            return False
        if len(self._top) * self.s.step_s < self.s.reference_s:
            self._top.append(power)
        floor = np.median(np.array(self._rest), axis=0)
        ref = np.median(np.array(self._top), axis=0)
        shaking = bool(np.any((power > self.s.shake_factor * np.maximum(floor, 1e-15))
                              & (power > self.s.rise_factor * ref)))
        self._run = self._run + 1 if shaking else 0
        if self._run > 1 and (self._run - 1) * self.s.step_s >= self.s.shake_min_s - 1e-9:
            self._said = True
            return True
        return False


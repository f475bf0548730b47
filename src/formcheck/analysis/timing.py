"""When a rep starts, reaches the top, leaves it and ends, located on the signal itself.

The rep machine decides *that* a rep happened from threshold crossings with hysteresis;
those crossings lie part-way up and down each movement (and, live, behind the causal
filter), so they are poor instants.  Here each edge of a rep (the lift, the lowering) is
located on the lag-free driving signal around those crossings, in two steps:

1. a smooth ramp (raised cosine) is fitted by least squares to the samples around the
   edge; it finds the edge and the plateaus on either side of it even in noise;
2. the level before the edge is the median of the samples just before the fitted ramp,
   the level after it of those just after; the edge starts at the last sample (before
   its middle) still within the noise of the level it leaves, and ends at the first
   sample (after its middle) within the noise of the level it reaches.  So a slow tail
   (a leg eased down the last few degrees) belongs to the movement, and an abrupt start
   is found where it is, whatever the movement's shape.

The top level includes what happens there (pumps, a sag that recovers): the lift's
window stops half-way through the top and the lowering's starts there, so the leave is
the final departure.  Pure functions of arrays; the engine calls :func:`rep_instants`
once a rep has ended, offline and live alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.features import (
    SmoothingParams,
    fill_gaps,
    reject_outliers,
    robust_sd,
    smooth_recorded,
)

#: Seconds of signal kept on each side of an edge's threshold crossings (plus twice the
#: time between them), so the levels before and after the edge are in the window.
#: Chosen on the rendered-train clips (0.3 / 0.6 / 1.0 s tried), reported on the
#: rendered development clips.
EDGE_MARGIN_S = 1.0
#: An edge settles where the signal is within this many noise SDs of its level, and never
#: closer than this fraction of the edge's height (a floor for noise-free signals).
#: Chosen with EDGE_MARGIN_S on the same clips (1 / 2 / 3 SD, 0.5 / 1 / 2 %); 2 SD (not
#: the 1 SD those clips favour by 0.01-0.02 s) so that one noisy sample does not move an
#: instant (the known-answer tests with noise).
SETTLE_NOISE_SDS = 2.0
SETTLE_MIN_FRACTION = 0.005
#: A final hold begins within this fraction of the lift's height of the hold's own level
#: (:func:`held_from_s`).  Chosen on the training fold (0.005 / 0.01 / 0.02 / 0.03 / 0.05).
HOLD_SETTLE_FRACTION = 0.01
#: Samples of each level used to measure it next to the edge.
LEVEL_SAMPLES = 15
#: The ramp fit's coarse grid: this many onsets and durations over the window; the fine
#: grid (half a frame apart) then covers two coarse steps around the coarse optimum.
COARSE_STEPS = 40
MIN_EDGE_SAMPLES = 6


@dataclass(frozen=True)
class Crossings:
    """A rep's threshold crossings (s): leaving the start zone, entering the top zone, the
    final leaving of the top zone, back in the start zone; and the neighbours' (the end
    of the rep before, the start of the one after, or None)."""

    start_s: float
    top_s: float
    leave_s: float
    end_s: float
    prev_end_s: float | None = None
    next_start_s: float | None = None


@dataclass(frozen=True)
class RepInstants:
    start_s: float
    top_s: float
    leave_s: float
    end_s: float


def raised_cosine(u: np.ndarray) -> np.ndarray:
    """An eased ramp: 0 before, 1 after, a half cosine in between."""
    return (1.0 - np.cos(np.pi * np.clip(u, 0.0, 1.0))) / 2.0


def straight(u: np.ndarray) -> np.ndarray:
    """An abrupt ramp: 0 before, 1 after, a straight line in between."""
    return np.clip(u, 0.0, 1.0)


def fit_ramp(t_s: np.ndarray, x: np.ndarray) -> tuple[float, float, float, float] | None:
    """Least-squares ramp through the finite samples, eased or abrupt, whichever fits
    better: (onset s, arrival s, level before, level after), or None with too few
    samples.  For each shape, onset and duration are searched on a coarse grid, then on a
    fine one (half a frame apart) around the coarse optimum; the two levels are solved
    exactly for each candidate."""
    ok = np.isfinite(x)
    t, x = t_s[ok], x[ok]
    if t.size < MIN_EDGE_SAMPLES or t[-1] <= t[0]:
        return None
    span = t[-1] - t[0]
    frame = float(np.median(np.diff(t)))
    step = span / COARSE_STEPS
    fits = []
    for shape in (raised_cosine, straight):
        coarse = _fit_grid(shape, t, x, np.arange(t[0], t[-1], step),
                           np.arange(2 * frame, span + frame, step), frame)
        if coarse is None:
            continue
        onset, length = coarse[1], coarse[2] - coarse[1]
        fine = _fit_grid(shape, t, x,
                         np.arange(max(t[0], onset - 2 * step), min(t[-1], onset + 2 * step),
                                   frame / 2),
                         np.arange(max(2 * frame, length - 2 * step),
                                   min(span + frame, length + 2 * step), frame / 2), frame)
        fits += [f for f in (coarse, fine) if f is not None]
    if not fits:
        return None
    return min(fits, key=lambda fit: fit[0])[1:]


def _fit_grid(shape, t: np.ndarray, x: np.ndarray, onsets: np.ndarray, lengths: np.ndarray,
              frame: float) -> tuple[float, float, float, float, float] | None:
    """The best ramp of this shape over a grid of onsets and durations, or None."""
    t0, length = (a.ravel() for a in np.meshgrid(onsets, lengths, indexing="ij"))
    keep = t0 + length <= t[-1] + frame
    if not keep.any():
        return None
    fit = _fit_shape(shape, t, x, t0[keep], length[keep])
    return fit if np.isfinite(fit[0]) else None


def _fit_shape(shape, t: np.ndarray, x: np.ndarray, t0: np.ndarray, length: np.ndarray
               ) -> tuple[float, float, float, float, float]:
    """(squared error, onset, arrival, level before, level after) of the best ramp of
    this shape among the candidate onsets and lengths."""
    s = shape((t[None, :] - t0[:, None]) / length[:, None])
    n, s1, s2 = t.size, s.sum(1), (s * s).sum(1)
    sx, xs = (s * x).sum(1), x.sum()
    det = n * s2 - s1 * s1
    with np.errstate(invalid="ignore", divide="ignore"):
        rise = np.where(det > 0, (n * sx - s1 * xs) / det, np.nan)
    before = (xs - rise * s1) / n
    cost = ((before[:, None] + rise[:, None] * s - x[None, :]) ** 2).sum(1)
    if not np.isfinite(cost).any():
        return math.inf, 0.0, 0.0, 0.0, 0.0
    i = int(np.nanargmin(cost))
    return (float(cost[i]), float(t0[i]), float(t0[i] + length[i]), float(before[i]),
            float(before[i] + rise[i]))


def settle_instants(t_s: np.ndarray, x: np.ndarray, onset: float, arrival: float,
                    before: float, after: float, noise_sd: float) -> tuple[float, float]:
    """Where the edge found by :func:`fit_ramp` really leaves the level before it and
    settles at the level after it (levels: the medians of the samples next to the fitted
    ramp; tolerance: the noise, or a small fraction of the edge's height)."""
    ok = np.isfinite(x)
    mid = (onset + arrival) / 2
    pre, post = ok & (t_s < onset), ok & (t_s > arrival)
    if pre.sum() >= MIN_EDGE_SAMPLES:
        before = float(np.median(x[pre][-LEVEL_SAMPLES:]))
    if post.sum() >= MIN_EDGE_SAMPLES:
        after = float(np.median(x[post][:LEVEL_SAMPLES]))
    tol = max(SETTLE_NOISE_SDS * noise_sd, SETTLE_MIN_FRACTION * abs(after - before))
    near_before = ok & (t_s <= mid) & (np.abs(x - before) <= tol)
    near_after = ok & (t_s >= mid) & (np.abs(x - after) <= tol)
    if near_before.any():
        onset = min(onset, float(t_s[near_before].max()))
    if near_after.any():
        arrival = max(arrival, float(t_s[near_after].min()))
    return onset, arrival


def locate_edge(t_s: np.ndarray, smooth: np.ndarray, clean: np.ndarray, noise_sd: float,
                window: tuple[float, float]) -> tuple[float, float] | None:
    """Onset and arrival of the one edge inside ``window`` (s), or None: the ramp fitted
    to the low-passed signal, the settling looked for on the cleaned, unsmoothed one (a
    low-pass would round the corners of an abrupt start or stop)."""
    inside = (t_s >= window[0]) & (t_s <= window[1])
    fit = fit_ramp(t_s[inside], clean[inside])
    if fit is None:
        return None
    return settle_instants(t_s[inside], clean[inside], *fit, noise_sd)


def edge_windows(c: Crossings) -> tuple[tuple[float, float], tuple[float, float]]:
    """The lift's and the lowering's windows: around each edge's crossings, split from
    each other half-way through the top and from the neighbours half-way through the
    rests."""
    rise_pad = EDGE_MARGIN_S + 2 * max(c.top_s - c.start_s, 0.0)
    fall_pad = EDGE_MARGIN_S + 2 * max(c.end_s - c.leave_s, 0.0)
    mid_top = (c.top_s + c.leave_s) / 2
    lo = c.start_s - rise_pad
    if c.prev_end_s is not None:
        lo = max(lo, (c.prev_end_s + c.start_s) / 2)
    hi = c.end_s + fall_pad
    if c.next_start_s is not None:
        hi = min(hi, (c.end_s + c.next_start_s) / 2)
    return (lo, min(mid_top, c.top_s + rise_pad)), (max(mid_top, c.leave_s - fall_pad), hi)


def held_from_s(t_s: np.ndarray, x: np.ndarray, top_s: float, leave_s: float,
                noise_sd: float, within_s: float) -> float:
    """Where a hold begins: the first sample after the lift's arrival (``top_s``), and at
    most ``within_s`` after it (a fault that moves the hold's level cannot push the start
    far into the hold), within
    tolerance of the hold's own level (the median of its middle half), so that a movement
    finishing into the hold (the side-lying sweep back, which the image angle shows as a
    slower rise of a few degrees) belongs to getting there.  Tolerance: twice the noise,
    or a fraction of the lift's height (from the window's first sample, in the start
    position, to the hold's level).  ``top_s`` when the hold is too short to tell."""
    ok = np.isfinite(x)
    quarter = (leave_s - top_s) / 4
    middle = ok & (t_s >= top_s + quarter) & (t_s <= leave_s - quarter)
    if middle.sum() < MIN_EDGE_SAMPLES:
        return top_s
    level = float(np.median(x[middle]))
    start_level = x[ok][0] if ok.any() else level
    tol = max(SETTLE_NOISE_SDS * noise_sd, HOLD_SETTLE_FRACTION * abs(level - start_level))
    near = ok & (t_s >= top_s) & (t_s <= leave_s) & (np.abs(x - level) <= tol)
    settled = float(t_s[near].min()) if near.any() else top_s
    return min(settled, top_s + within_s)


def rep_instants(t_s: np.ndarray, raw: np.ndarray, c: Crossings,
                 params: SmoothingParams, settle_within_s: float = 0.0) -> RepInstants:
    """The rep's four instants from its driving signal ``raw`` (unsmoothed, in the
    movement's sign, NaN where unusable) sampled at ``t_s``.  An edge that cannot be
    located keeps its crossings.  With ``settle_within_s`` (a hold finished by a further
    movement: the side-lying final hold, up and back) the top is where the hold begins,
    at most that long after the lift arrived (:func:`held_from_s`)."""
    t_s, raw = np.asarray(t_s, dtype=float), np.asarray(raw, dtype=float)
    clean, _ = fill_gaps(reject_outliers(raw, t_s, params.outlier_window_s,
                                         params.outlier_mads), t_s, params.max_gap_s)
    smooth, _ = smooth_recorded(raw, t_s, params)
    residual = (clean - smooth)[np.isfinite(clean - smooth)]
    noise_sd = robust_sd(residual) if residual.size else 0.0
    rise_window, fall_window = edge_windows(c)
    start, top = (locate_edge(t_s, smooth, clean, noise_sd, rise_window)
                  or (c.start_s, c.top_s))
    leave, end = (locate_edge(t_s, smooth, clean, noise_sd, fall_window)
                  or (c.leave_s, c.end_s))
    leave = max(leave, top)
    if settle_within_s > 0:
        top = held_from_s(t_s, clean, top, leave, noise_sd, settle_within_s)
    return RepInstants(start, top, leave, max(end, leave))

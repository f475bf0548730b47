"""The quality of each hold (and of each rep's time at the top), from a finished session's
poses: shaking, sag, fatigue onset, the first break, and how far the figures can be trusted.

- shake index: the largest band power held for ``shake_min_s``, over the session's noise
  floor at rest (the start position) (:mod:`.tremor`); shaking when it exceeds
  ``shake_factor`` and the power is also ``rise_factor`` times the hold's first seconds.
- sag: the hold's driving signal falling ``sag_min_deg`` (and ``sag_noise_factor`` times its
  noise) below its level in the first ``reference_s``; it began where a hinge (flat, then a
  straight fall) fits the signal best, and its rate is the Theil-Sen slope from there to
  the deepest point.  Drift: the Theil-Sen slope over the whole hold.
- fatigue onset: from when shaking stays above ``fatigue_factor`` times the hold's first
  seconds until the hold ends, or a sag that does not recover; the earlier of the two.
- first break: time from reaching the top to the first fault that breaks the hold.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from formcheck.analysis.records import Rep, SessionResult
from formcheck.analysis.tremor import (
    HoldSettings,
    PowerTrack,
    above_runs,
    band_label,
    default_hold_settings,
    onset_s,
    position_signals,
    power_track,
)
from formcheck.capture import PoseFrame
from formcheck.features import Features, robust_sd

#: Fewer rest windows than this do not make a floor; the session's quietest quarter does.
MIN_REST_WINDOWS = 3


def noise_floor(track: PowerTrack, rest: np.ndarray) -> tuple[np.ndarray, str]:
    """Per band: the median power of the windows at rest, or (too few of them) the 25th
    percentile of all the session's windows; and which of the two it is."""
    if rest.sum() >= MIN_REST_WINDOWS:
        return np.median(track.power[rest], axis=0), "rest"
    return np.percentile(track.power, 25, axis=0), "session"


def hold_reference(track: PowerTrack, s: HoldSettings) -> np.ndarray:
    """Per band: the median power of the hold's windows in its first ``reference_s``."""
    first = track.t_s <= track.t_s[0] + s.reference_s
    return np.median(track.power[first], axis=0)


def shake_in_hold(track: PowerTrack, floor: np.ndarray, s: HoldSettings) -> dict:
    """Shake index (band power held for ``shake_min_s`` over the rest floor) and, when it
    shakes (also ``rise_factor`` over the hold's first seconds), from when and in which
    band."""
    out = {"shake_index": None, "shake_band": None, "shaking_from_s": None}
    if not len(track.t_s):
        return out
    ratio = track.power / np.maximum(floor, 1e-15)
    k = max(int(round(s.shake_min_s / s.step_s)) + 1, 1)
    sustained = np.array([ratio[i:i + k].min(axis=0) for i in range(max(len(ratio) - k + 1, 1))])
    band = int(np.argmax(sustained.max(axis=0)))
    out["shake_index"] = float(sustained[:, band].max())
    out["shake_band"] = band_label(s.bands[band])
    risen = track.power > s.rise_factor * hold_reference(track, s)
    runs = [(b, run) for b in range(len(s.bands))
            for run in above_runs((ratio[:, b] > s.shake_factor) & risen[:, b], track.t_s,
                                  s.shake_min_s, max_step_s=1.5 * s.step_s)]
    if runs:
        b, run = min(runs, key=lambda br: br[1][0])
        out["shaking_from_s"] = onset_s(track.t_s, track.power[:, b], run)
        out["shake_band"] = band_label(s.bands[b])
    return out


def stays_above_from(t_s: np.ndarray, ratio: np.ndarray, factor: float, min_s: float
                     ) -> float | None:
    """The earliest time from which ``ratio`` stays above ``factor`` to the end, held for
    at least ``min_s``; None if it does not end above."""
    below = np.flatnonzero(ratio <= factor)
    first = below[-1] + 1 if below.size else 0
    if first >= len(ratio) or t_s[-1] - t_s[first] < min_s:
        return None
    return float(t_s[first])


def _hinge_onset(t: np.ndarray, d: np.ndarray) -> float:
    """Least-squares hinge: d = 0 before t0, a straight line from t0 on."""
    best, best_t0 = np.inf, float(t[0])
    for i in range(len(t) - 2):
        u = t[i:] - t[i]
        slope = float(u @ d[i:]) / float(u @ u) if u @ u > 0 else 0.0
        sse = float(d[:i] @ d[:i]) + float(((d[i:] - slope * u) ** 2).sum())
        if sse < best:
            best, best_t0 = sse, float(t[i])
    return best_t0


def sag_in_hold(t: np.ndarray, x: np.ndarray, s: HoldSettings) -> dict:
    """``x``: the hold's driving signal in the movement's direction (larger = higher)."""
    out = {"drift_deg_s": None, "sag_from_s": None, "sag_deg_s": None, "sag_recovered": None}
    ok = np.isfinite(x)
    t, x = t[ok], x[ok]
    if len(t) < 10 or t[-1] - t[0] < s.reference_s:
        return out
    out["drift_deg_s"] = float(_theil_slope(x, t))
    first = t <= t[0] + s.reference_s
    ref = float(np.median(x[first]))
    d = x - ref
    threshold = max(s.sag_min_deg, s.sag_noise_factor * robust_sd(x[first]))
    # hysteresis: a sag ends when the signal comes back within half the threshold
    runs = [(a, b) for a, b in above_runs(d < -threshold / 2, t, s.sag_min_s)
            if a > 0 and d[a:b + 1].min() < -threshold  # from the first frame: the lift
            and (b < len(t) - 1 or t[b] - t[a] >= s.end_descent_max_s)]
    if not runs:
        return out
    start, end = runs[0]
    depth = d[start:end + 1].min()
    deepest = start + int(np.flatnonzero(d[start:end + 1] <= 0.9 * depth)[0])
    t0 = _hinge_onset(t[:deepest + 1], d[:deepest + 1])
    seg = (t >= t0) & (t <= t[deepest])
    rate = float(_theil_slope(x[seg], t[seg])) if seg.sum() >= 3 else None
    out.update(sag_from_s=t0, sag_deg_s=-rate if rate is not None else None,
               sag_recovered=bool(end < len(t) - 1))
    return out


def reliability(vis: np.ndarray, has_pose: np.ndarray, view_off_deg: float | None,
                s: HoldSettings) -> list[str]:
    """Why a hold's figures cannot be trusted (empty: they can).  A top phase too short
    for one spectral window is not unreliable: its shake index is simply absent."""
    why = []
    if not has_pose.size or has_pose.mean() < 1.0 - s.max_missing_share:
        why.append("person not found in too many frames")
    if has_pose.any() and np.median(vis[has_pose]) < s.min_visibility:
        why.append("hip or knee poorly visible")
    if view_off_deg is not None and view_off_deg > s.max_view_off_deg:
        why.append("camera view unsuited to the exercise")
    return why


def first_break_s(result: SessionResult, rep: Rep) -> float | None:
    breaking = {f.id for f in result.exercise.faults if f.breaks_hold}
    starts = [e.start_s for e in result.events if e.fault in breaking
              and rep.top_s <= e.start_s <= (rep.leave_top_s or rep.end_s or e.start_s)]
    return min(starts) - rep.top_s if starts else None


def _still(t: np.ndarray, feats: Features | None, result: SessionResult, s: HoldSettings
           ) -> np.ndarray | None:
    """Frames where the driving signal moves slower than ``still_max_deg_s``: the change
    between the medians of the half second before and the half second after (medians, so
    neither jitter nor an oscillation reads as movement)."""
    if feats is None or len(feats.t_s) != len(t) or len(t) < 4:
        return None
    x = feats.values[result.exercise.movement.signal]
    half = max(int(round(0.5 / float(np.median(np.diff(t))))), 1)
    padded = np.concatenate([np.full(half, np.nan), x, np.full(half, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, half)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN edges stay NaN
        medians = np.nanmedian(windows, axis=1)
    before, after = medians[:len(t)], medians[half:half + len(t)]
    speed = np.abs(after - before) / (half * float(np.median(np.diff(t))))
    return ~(speed > s.still_max_deg_s)


def _view_off_deg(feats: Features | None, window: np.ndarray, camera: str) -> float | None:
    if feats is None or feats.side_view_deg is None or not window.any():
        return None
    view = float(np.nanmedian(feats.side_view_deg[window]))
    return view if camera == "side" else 90.0 - view


def hold_quality(result: SessionResult, poses: Sequence[PoseFrame], feats: Features | None,
                 s: HoldSettings | None = None) -> dict[int, dict]:
    """Per rep with a top phase: its quality figures (see the module's docstring)."""
    s = s or result.exercise.hold_quality or default_hold_settings()
    if result.side is None or len(poses) < 2:
        return {}
    t = np.array([p.t_s for p in poses])
    fs = 1.0 / float(np.median(np.diff(t)))
    xy, vis = position_signals(poses, result.side)
    track = power_track(t, xy, fs, s, _still(t, feats, result, s))
    state = {f.index: f.state for f in result.frames}
    ready = np.array([state.get(p.index) == "ready" for p in poses])
    rest = np.array([ready[a:b + 1].all() for a, b in zip(track.first_frame, track.last_frame,
                                                         strict=True)], dtype=bool)
    floor, floor_from = noise_floor(track, rest) if len(track.t_s) else (np.ones(1), "none")
    session = _Session(t, np.array([p.index for p in poses]), np.array([p.has_pose for p in poses]),
                       vis, track, floor, floor_from, feats)
    return {rep.rep: _one_hold(result, rep, session, s)
            for rep in result.reps if rep.top_s is not None}


@dataclass
class _Session:
    """What every hold of a session is measured against."""

    t: np.ndarray  # per pose: time, source frame index, pose found, hip and knee visibility
    index: np.ndarray
    has_pose: np.ndarray
    vis: np.ndarray
    track: PowerTrack  # band power over the whole session
    floor: np.ndarray
    floor_from: str
    feats: Features | None


def _one_hold(result: SessionResult, rep: Rep, ses: _Session, s: HoldSettings) -> dict:
    t, track, floor, feats = ses.t, ses.track, ses.floor, ses.feats
    end = rep.leave_top_s or rep.end_s or float(t[-1])
    frames = (t >= rep.top_s) & (t <= end)
    inside = (t[track.first_frame] >= rep.top_s) & (t[track.last_frame] <= end) \
        if len(track.t_s) else np.zeros(0, dtype=bool)
    hold = PowerTrack(track.t_s[inside], track.power[inside], track.first_frame[inside],
                      track.last_frame[inside])
    out = {"rep": rep.rep, "kind": rep.kind, "start_s": rep.top_s, "end_s": end,
           "first_frame": int(ses.index[frames][0]) if frames.any() else None,
           "last_frame": int(ses.index[frames][-1]) if frames.any() else None,
           "frames": int((frames & ses.has_pose).sum()), "noise_floor_from": ses.floor_from}
    out.update(shake_in_hold(hold, floor, s))
    out["shake_track"] = {"t_s": hold.t_s.round(2).tolist(), "index": (
        hold.power / np.maximum(floor, 1e-15)).max(axis=1).round(2).tolist()}
    out["shake_threshold"] = s.shake_factor
    if feats is not None:
        window = (feats.t_s >= rep.top_s) & (feats.t_s <= end)
        mv = result.exercise.movement
        out.update(sag_in_hold(feats.t_s[window], mv.direction * feats.values[mv.signal][window],
                               s))
        view_off = _view_off_deg(feats, window, result.exercise.camera)
    else:
        out.update(sag_in_hold(np.zeros(0), np.zeros(0), s))
        view_off = None
    out["fatigue_from_s"] = _fatigue_onset(hold, out, s)
    out["first_break_s"] = first_break_s(result, rep)
    why = reliability(ses.vis[frames], ses.has_pose[frames], view_off, s)
    out["reliable"] = not why
    out["unreliable_because"] = why
    return out


def _fatigue_onset(hold: PowerTrack, figures: dict, s: HoldSettings) -> float | None:
    onsets = []
    if figures["shaking_from_s"] is not None:
        ratio = (hold.power / np.maximum(hold_reference(hold, s), 1e-15)).max(axis=1)
        onset = stays_above_from(hold.t_s, ratio, s.fatigue_factor, s.shake_min_s)
        if onset is not None:
            onsets.append(max(onset, figures["shaking_from_s"]))
    if figures["sag_from_s"] is not None and not figures["sag_recovered"]:
        onsets.append(figures["sag_from_s"])
    return min(onsets) if onsets else None


def _theil_slope(x, t) -> float:
    """Theil-Sen slope of x over t (SciPy imported on use: start-up stays light)."""
    from scipy.stats import theilslopes

    return theilslopes(x, t)[0]

"""How far a counted rep and a reported fault can be trusted (0-1), from what the engine
saw while they happened: the visibility of the landmarks times how well the camera view
suits the feature (the feature's quality), the share of frames without a person or filled
in, and, for a rep, its margin past the top threshold."""

from __future__ import annotations

import numpy as np

from formcheck.analysis.records import FaultEvent, FrameResult, Rep
from formcheck.analysis.spec import Fault

#: A fault whose confidence is under this is reported as "possible", apart from sure ones.
POSSIBLE_BELOW = 0.5
#: A rep whose peak only just reaches the top threshold gets half its confidence from the
#: margin; this far past it (degrees), all of it.
FULL_MARGIN_DEG = 10.0


def _window(frames: list[FrameResult], start_s: float, end_s: float) -> list[FrameResult]:
    return [f for f in frames if start_s <= f.t_s <= end_s]


def seen_share(frames: list[FrameResult], feature: str) -> float:
    """Mean quality of ``feature`` over the frames, a frame without it (no person, filled
    in, too poorly seen) counting 0."""
    if not frames:
        return 0.0
    return float(np.mean([0.0 if f.interpolated or not f.counted
                          else f.quality.get(feature, 0.0) for f in frames]))


def rep_confidence(frames: list[FrameResult], rep: Rep, signal: str, top_level: float,
                   direction: float) -> float:
    """Quality of the driving signal over the rep, times the margin by which its peak
    passed the top threshold (``top_level`` in the signal's own sign)."""
    seen = seen_share(_window(frames, rep.start_s, rep.end_s or rep.start_s), signal)
    excess = direction * rep.peak_value - top_level
    margin = float(np.clip(0.5 + excess / (2 * FULL_MARGIN_DEG), 0.5, 1.0)) \
        if np.isfinite(excess) else 0.5
    return round(float(np.clip(seen * margin, 0.0, 1.0)), 2)


def fault_confidence(frames: list[FrameResult], event: FaultEvent, feature: str) -> float:
    """Quality of the fault's feature over the event (1 for per-rep rules without one)."""
    if not feature:
        return 1.0
    window = _window(frames, event.start_s, event.end_s)
    return round(seen_share(window, feature), 2)


def not_judged(frames: list[FrameResult], faults: tuple[Fault, ...], min_quality: float
               ) -> list[str]:
    """The fault rules whose feature was not seen well enough in this view to judge them:
    its median quality over the frames with a person is under ``min_quality`` (a side-view
    angle filmed from the front, say).  They are reported as not judged, not as clean."""
    seen = [f for f in frames if f.counted]
    out = []
    for fault in faults:
        if fault.feature and seen and float(np.median(
                [f.quality.get(fault.feature, 0.0) for f in seen])) < min_quality:
            out.append(fault.id)
    return out

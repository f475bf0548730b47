"""From poses to clean feature signals, for a whole recorded clip (zero-phase) or frame by
frame (causal, One Euro).  Both choose the working side and the body's facing the same way."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from formcheck.capture import PoseFrame
from formcheck.features import (
    DEFAULT_MIN_QUALITY,
    Features,
    LandmarkSeries,
    SmoothingParams,
    anterior_sign_per_frame,
    choose_working_side,
    compute_features,
    consensus_sign,
    default_smoothing,
    smooth_recorded,
)


def measure_recorded(poses: Sequence[PoseFrame], params: SmoothingParams,
                     side: str | None = None, bilateral: bool = False,
                     min_quality: float = DEFAULT_MIN_QUALITY
                     ) -> tuple[Features, dict[str, np.ndarray]]:
    """Features of a whole clip, low-passed without lag.  Samples whose quality is under
    ``min_quality`` are dropped before gap filling.  Returns the features and, per
    feature, the mask of samples that were interpolated."""
    series = LandmarkSeries.from_poses(poses)
    anterior = consensus_sign(anterior_sign_per_frame(series))
    side = side or choose_working_side(series, bilateral)
    feats = compute_features(series, side, anterior)
    filled = {}
    for name, values in feats.values.items():
        raw = np.where(feats.quality[name] >= min_quality, values, np.nan)
        feats.values[name], filled[name] = smooth_recorded(raw, series.t_s, params)
    return feats, filled


def rep_metrics(feats: Features, reps, names: Sequence[str]) -> dict[int, dict[str, float]]:
    """Per rep, from the lag-free signals: min, max and range of each named feature between
    the rep's start and end (``min_knee_flexion_deg``, ``range_hip_extension_deg``, ...)."""
    out: dict[int, dict[str, float]] = {}
    for rep in reps:
        window = (feats.t_s >= rep.start_s) & (feats.t_s <= (rep.end_s or rep.start_s))
        row = {}
        for name in names:
            values = feats.values[name][window]
            values = values[np.isfinite(values)]
            if values.size:
                row[f"min_{name}"] = float(values.min())
                row[f"max_{name}"] = float(values.max())
                row[f"range_{name}"] = float(values.max() - values.min())
        out[rep.rep] = row
    return out


def measure_session(result, poses: Sequence[PoseFrame]
                    ) -> tuple[Features | None, dict[int, dict[str, float]] | None]:
    """The lag-free features of a finished session (its working side, the exercise's
    smoothing and quality floor) and its per-rep metrics; (None, None) without a side."""
    if result.side is None or len(poses) < 2:
        return None, None
    ex = result.exercise
    feats, _ = measure_recorded(poses, ex.smoothing or default_smoothing(), side=result.side,
                                min_quality=ex.min_quality)
    return feats, rep_metrics(feats, result.reps, ex.tracks)

"""Reading the rendered clips' ground truth and scoring measurements against it.

The rendered clips (a 3D body doing the seed exercises, every joint angle known) come with
a JSON file per clip; see the clips' README.  This module maps formcheck's features to the
matching ground-truth metric and computes error statistics.  Used by the evaluation
scripts in ``benchmarks/`` and by the real-model tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: feature -> (ground-truth metric, camera views where the feature is meant to be used)
FEATURE_TRUTH: dict[str, tuple[str, tuple[str, ...]]] = {
    "hip_extension_deg": ("working_hip_extension_trunk_3d", ("side",)),
    "knee_flexion_deg": ("working_knee_flexion_3d", ("side",)),
    "trunk_to_floor_deg": ("trunk_line_rig3d", ("side",)),
    "pelvis_level_deg": ("pelvic_roll_3d", ("side",)),
    "hip_abduction_deg": ("working_hip_abduction_3d", ("front",)),
    "hip_abduction_image_deg": ("working_hip_abduction_3d", ("front",)),
    "pelvis_roll_from_stacked_deg": ("pelvic_roll_3d", ("front",)),
}


@dataclass(frozen=True)
class ErrorStats:
    n: int
    mae: float
    bias: float
    p95: float

    @classmethod
    def of(cls, predicted: np.ndarray, truth: np.ndarray) -> ErrorStats:
        ok = np.isfinite(predicted) & np.isfinite(truth)
        err = predicted[ok] - truth[ok]
        if err.size == 0:
            return cls(0, np.nan, np.nan, np.nan)
        return cls(int(err.size), float(np.mean(np.abs(err))), float(np.mean(err)),
                   float(np.percentile(np.abs(err), 95)))


def load_truth(video: str | Path) -> dict:
    return json.loads(Path(video).with_suffix(".json").read_text())


def truth_series(truth: dict, metric: str) -> np.ndarray:
    return np.array([f["metrics"][metric] for f in truth["frames"]], dtype=float)


def expected_side(truth: dict) -> str:
    """The side formcheck should measure: the working leg, or for bilateral exercises the
    leg nearer the camera (the ground truth's ``working_*`` metrics follow that leg too)."""
    return truth["near_side"] if truth["working_side"] == "both" else truth["working_side"]


def feature_errors(values: dict[str, np.ndarray], truth: dict,
                   offsets: dict[str, float] | None = None) -> dict[str, ErrorStats]:
    """Error statistics of each feature meant for the clip's camera view.  ``offsets``
    (a calibration per feature) is subtracted from the prediction first."""
    offsets = offsets or {}
    view = truth["camera_view"]
    out = {}
    for feature, (metric, views) in FEATURE_TRUTH.items():
        if view in views and feature in values:
            predicted = values[feature] - offsets.get(feature, 0.0)
            out[feature] = ErrorStats.of(predicted, truth_series(truth, metric))
    return out

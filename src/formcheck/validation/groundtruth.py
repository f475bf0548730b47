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

from formcheck.analysis import measure_recorded
from formcheck.capture import INDEX, N_LANDMARKS, PoseFrame
from formcheck.features import Features, default_smoothing
from formcheck.validation.scoring import ClipScore, score_document

#: feature -> (ground-truth metric, camera views where the feature is meant to be used)
FEATURE_TRUTH: dict[str, tuple[str, tuple[str, ...]]] = {
    "hip_extension_deg": ("working_hip_extension_trunk_3d", ("side",)),
    "knee_flexion_deg": ("working_knee_flexion_3d", ("side",)),
    "trunk_to_floor_deg": ("trunk_line_rig3d", ("side", "front")),
    "pelvis_level_deg": ("pelvic_roll_3d", ("side",)),
    "pelvis_level_image_deg": ("pelvic_roll_3d", ("side",)),
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


#: ground-truth point name (after the ``rig_``/``coco_`` prefix) -> landmark name
_TRUTH_LANDMARKS = {name: name for name in INDEX} | {"left_big_toe": "left_foot_index",
                                                     "right_big_toe": "right_foot_index"}


def _camera_frame(truth: dict) -> np.ndarray:
    """Rotation from the clip's world frame (Z up) to MediaPipe's camera-aligned world
    frame (x right, y down, z away from the camera)."""
    cam_to_world = np.array(truth["camera"]["cam_to_world_gl"], dtype=float)[:3, :3]
    return np.diag([1.0, -1.0, -1.0]) @ cam_to_world.T  # OpenGL camera: y up, looks along -z


def poses_from_truth(truth: dict, points: str = "rig") -> list[PoseFrame]:
    """The clip's exact ``rig`` joint centres (or its ``coco`` surface keypoints) as pose
    frames, as if a perfect landmark model with that convention had seen the video:
    pixels from ``points2d``, world metres from ``points3d`` turned into the camera's
    frame and centred between the hips, visibility 1 where the point exists, 0 elsewhere.
    Scoring features on these separates formcheck's geometry from the model's error."""
    rotation = _camera_frame(truth)
    prefix = f"{points}_"
    out = []
    for f in truth["frames"]:
        image = np.full((N_LANDMARKS, 3), np.nan)
        world = np.full((N_LANDMARKS, 3), np.nan)
        visibility = np.zeros(N_LANDMARKS)
        for key, xy in f["points2d"].items():
            name = _TRUTH_LANDMARKS.get(key.removeprefix(prefix))
            if not key.startswith(prefix) or name is None:
                continue
            i = INDEX[name]
            image[i] = (xy[0] / truth["width"], xy[1] / truth["height"], 0.0)
            world[i] = rotation @ np.asarray(f["points3d"][key], dtype=float)
            visibility[i] = 1.0
        world -= (world[INDEX["left_hip"]] + world[INDEX["right_hip"]]) / 2
        out.append(PoseFrame(f["frame"], 1000.0 * f["time_s"], truth["width"],
                             truth["height"], image, world, visibility, visibility.copy()))
    return out


def truth_view(truth: dict) -> str:
    """The clip's camera view, ``side`` or ``front`` (the training clips' ``camera_view``
    goes on to describe the placement: "side, oblique +9 deg, low")."""
    return truth["camera_view"].split(",")[0].strip()


def expected_side(truth: dict) -> str:
    """The side formcheck should measure: the working leg, or for bilateral exercises the
    leg nearer the camera (the ground truth's ``working_*`` metrics follow that leg too)."""
    return truth["near_side"] if truth["working_side"] == "both" else truth["working_side"]


def measure_clip(poses: list[PoseFrame], truth: dict, side: str | None = None) -> Features:
    """The lag-free features formcheck measures on a clip's poses, bilateral when the
    clip's exercise is; on ``side`` if given (else the side formcheck chooses)."""
    feats, _ = measure_recorded(poses, default_smoothing(), side=side,
                                bilateral=truth["working_side"] == "both")
    return feats


def feature_errors(values: dict[str, np.ndarray], truth: dict,
                   offsets: dict[str, float] | None = None) -> dict[str, ErrorStats]:
    """Error statistics of each feature meant for the clip's camera view.  ``offsets``
    (a calibration per feature) is subtracted from the prediction first."""
    offsets = offsets or {}
    view = truth_view(truth)
    out = {}
    for feature, (metric, views) in FEATURE_TRUTH.items():
        if view in views and feature in values:
            predicted = values[feature] - offsets.get(feature, 0.0)
            out[feature] = ErrorStats.of(predicted, truth_series(truth, metric))
    return out


def score_clip(name: str, truth: dict, doc: dict) -> ClipScore:
    """Compare a results document with the clip's ground truth (evaluation rules)."""
    return score_document(name, truth, doc, expected_side(truth))

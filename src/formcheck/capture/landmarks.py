"""The 33 BlazePose landmarks and the per-frame pose record every later stage consumes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist",
    "right_wrist", "left_pinky", "right_pinky", "left_index", "right_index", "left_thumb",
    "right_thumb", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
    "right_ankle", "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)
INDEX: dict[str, int] = {name: i for i, name in enumerate(NAMES)}
N_LANDMARKS = len(NAMES)

#: A person spanning fewer pixels than this (the longer side of the landmarks' box) is too
#: small for the landmark model to place joints reliably: its input is 256 px square, so a
#: body under ~100 px is upsampled from a few pixels per limb.
MIN_PERSON_PX = 100

#: Skeleton edges drawn by the overlays (pairs of landmark names).
SKELETON: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"),
    ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
    ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"),
    ("left_hip", "left_knee"), ("left_knee", "left_ankle"), ("left_ankle", "left_heel"),
    ("left_heel", "left_foot_index"), ("left_ankle", "left_foot_index"),
    ("right_hip", "right_knee"), ("right_knee", "right_ankle"), ("right_ankle", "right_heel"),
    ("right_heel", "right_foot_index"), ("right_ankle", "right_foot_index"),
    ("nose", "left_shoulder"), ("nose", "right_shoulder"),
)


@dataclass(frozen=True)
class PoseFrame:
    """One frame of a source and the pose found in it (if any).

    Attributes
    ----------
    index : frame number in the source, from 0.
    t_ms : the frame's timestamp from the source, milliseconds.
    width_px, height_px : frame size after any rotation.
    image : (33, 3) MediaPipe image landmarks as the model gives them: x and y
        normalised by width and height (so NOT isotropic), z relative depth; None when no
        person was found.
    world : (33, 3) world landmarks in metres, origin between the hips; None likewise.
    visibility, presence : (33,) the model's scores in [0, 1]; None likewise.
    """

    index: int
    t_ms: float
    width_px: int
    height_px: int
    image: np.ndarray | None = None
    world: np.ndarray | None = None
    visibility: np.ndarray | None = None
    presence: np.ndarray | None = None

    @property
    def has_pose(self) -> bool:
        return self.image is not None

    @property
    def t_s(self) -> float:
        return self.t_ms / 1000.0

    def pixels(self) -> np.ndarray:
        """(33, 2) landmark positions in pixels (x right, y down); NaN without a pose."""
        if self.image is None:
            return np.full((N_LANDMARKS, 2), np.nan)
        return self.image[:, :2] * np.array([self.width_px, self.height_px], dtype=float)


def person_size_px(poses: list[PoseFrame]) -> float | None:
    """Median over the frames with a person of the longer side of the landmarks' bounding
    box, in pixels; None without any person."""
    sizes = [float(np.max(np.ptp(p.pixels(), axis=0))) for p in poses if p.has_pose]
    return float(np.median(sizes)) if sizes else None

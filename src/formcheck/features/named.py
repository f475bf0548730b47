"""Named body-position features, per frame, from landmarks.

Sagittal angles that move in the image plane of a side view are measured on pixel
coordinates; rolls and out-of-plane angles on MediaPipe's metric world landmarks.  Each
feature also gets a per-frame quality in [0, 1]: the lowest visibility of the landmarks it
uses, times how well the camera view suits it.  See the README's conventions table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from formcheck.capture import INDEX, N_LANDMARKS, PoseFrame
from formcheck.features import geometry as g

SIDES = ("left", "right")
#: Below this quality a feature's value is not used.  MediaPipe scores the far-side
#: landmarks of a side view 0.35-0.5 while placing them usably (rendered and real clips).
DEFAULT_MIN_QUALITY = 0.35


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    unit: str
    view: str  # "side", "front" or "any": the camera view the feature is valid in
    landmarks: tuple[str, ...]  # "{w}" = working side, "{o}" = other side
    definition: str


SPECS: tuple[FeatureSpec, ...] = (
    FeatureSpec("hip_extension_deg", "deg", "side", ("{w}_shoulder", "{w}_hip", "{w}_knee"),
                "working thigh (hip->knee) against the working side's trunk line "
                "(shoulder->hip continued): 0 in line, + behind it (extension), - in front "
                "(flexion)"),
    FeatureSpec("knee_flexion_deg", "deg", "side", ("{w}_hip", "{w}_knee", "{w}_ankle"),
                "180 - hip-knee-ankle angle of the working leg: 0 straight, 90 right angle"),
    FeatureSpec("trunk_to_floor_deg", "deg", "any", ("{w}_shoulder", "{o}_shoulder",
                "{w}_hip", "{o}_hip"),
                "elevation of the mid-hip->mid-shoulder line above the horizontal (world "
                "landmarks, level camera): + shoulders higher than hips"),
    FeatureSpec("hip_abduction_deg", "deg", "any", ("{w}_hip", "{o}_hip", "{w}_knee"),
                "working thigh out of the pelvis' mid-sagittal plane (world landmarks): "
                "+ away from the midline"),
    FeatureSpec("hip_abduction_image_deg", "deg", "front", ("{w}_shoulder", "{o}_shoulder",
                "{w}_hip", "{o}_hip", "{w}_knee"),
                "working thigh against the trunk line in the image when the body's frontal "
                "plane faces the camera (side-lying seen from the front): + away from the "
                "body's midline"),
    FeatureSpec("pelvis_roll_from_stacked_deg", "deg", "any", ("{w}_hip", "{o}_hip",
                "{w}_shoulder", "{o}_shoulder"),
                "side-lying: hip line (bottom->top hip) about the body's long axis against "
                "the vertical: 0 hips stacked, + top hip rolled forward"),
    FeatureSpec("pelvis_level_deg", "deg", "any", ("{w}_hip", "{o}_hip"),
                "elevation of the other->working hip line above the horizontal (world): "
                "0 level, + working-side hip higher (pelvic rotation or drop)"),
    FeatureSpec("pelvis_level_image_deg", "deg", "side", ("{w}_hip", "{o}_hip", "{w}_shoulder"),
                "side view: how far the working-side hip stands above the other in the "
                "image, as an angle of the hip line (its length from the world landmarks, "
                "scaled by the trunk): 0 hips level, + working-side hip higher"),
    FeatureSpec("thorax_level_deg", "deg", "any", ("{w}_shoulder", "{o}_shoulder"),
                "the same for the shoulder line: + working-side shoulder higher"),
    FeatureSpec("thorax_roll_from_stacked_deg", "deg", "any", ("{w}_hip", "{o}_hip",
                "{w}_shoulder", "{o}_shoulder"),
                "side-lying: shoulder line against the vertical about the long axis: 0 "
                "stacked, + top shoulder rolled forward"),
    FeatureSpec("thigh_to_floor_deg", "deg", "any", ("{w}_hip", "{w}_knee"),
                "posture: elevation of the working thigh (hip->knee, world) above the "
                "horizontal: + knee higher than the hip, -90 thigh hanging straight down"),
    FeatureSpec("shin_to_floor_deg", "deg", "any", ("{w}_knee", "{w}_ankle"),
                "posture: elevation of the working shin (knee->ankle, world): 0 shin along "
                "the floor, -90 ankle straight below the knee"),
    FeatureSpec("knee_flexion_3d_deg", "deg", "any", ("{w}_hip", "{w}_knee", "{w}_ankle"),
                "posture: 180 - hip-knee-ankle angle of the working leg in the world "
                "landmarks (any view)"),
    FeatureSpec("front_to_up_deg", "deg", "any", ("{w}_hip", "{o}_hip", "{w}_shoulder",
                "{o}_shoulder"),
                "posture: elevation of the direction the body's front faces (world): +90 "
                "face up (supine), -90 face down (prone, hands and knees), 0 on the side"),
    FeatureSpec("knee_to_hip_width_ratio", "ratio", "any", ("{w}_hip", "{o}_hip", "{w}_knee",
                "{o}_knee"),
                "distance between the knees over distance between the hips (world)"),
)
SPEC_BY_NAME = {spec.name: spec for spec in SPECS}


@dataclass
class LandmarkSeries:
    """Landmarks of a run of frames as arrays (NaN where no pose)."""

    t_s: np.ndarray  # (T,)
    pixels: np.ndarray  # (T, 33, 2)
    world: np.ndarray  # (T, 33, 3)
    visibility: np.ndarray  # (T, 33)

    @classmethod
    def from_poses(cls, poses: Sequence[PoseFrame]) -> LandmarkSeries:
        n = len(poses)
        world = np.full((n, N_LANDMARKS, 3), np.nan)
        vis = np.zeros((n, N_LANDMARKS))
        for i, pose in enumerate(poses):
            if pose.has_pose:
                world[i] = pose.world
                vis[i] = pose.visibility
        return cls(np.array([p.t_s for p in poses], dtype=float),
                   np.stack([p.pixels() for p in poses]) if n else np.zeros((0, 33, 2)),
                   world, vis)

    def px(self, name: str) -> np.ndarray:
        return self.pixels[:, INDEX[name]]

    def w(self, name: str) -> np.ndarray:
        return self.world[:, INDEX[name]]

    def vis(self, name: str) -> np.ndarray:
        return self.visibility[:, INDEX[name]]


@dataclass
class Features:
    """Per-frame features for one working side."""

    t_s: np.ndarray
    side: str
    anterior_sign: float  # +1/-1: which way the body's front faces in the image
    values: dict[str, np.ndarray] = field(default_factory=dict)
    quality: dict[str, np.ndarray] = field(default_factory=dict)
    side_view_deg: np.ndarray | None = None  # 0 = pure side view, 90 = front/back/top view

    def __len__(self) -> int:
        return len(self.t_s)


def other(side: str) -> str:
    return "right" if side == "left" else "left"


def side_view_deg(s: LandmarkSeries) -> np.ndarray:
    """Angle between the body's left-right axis (hips and shoulders, world) and the
    camera's depth axis: 0 for a pure side view, 90 when the camera faces the body's
    front, back or top."""
    lr = (s.w("left_hip") - s.w("right_hip")) + (s.w("left_shoulder") - s.w("right_shoulder"))
    ang = g.angle_between_deg(lr, np.array([0.0, 0.0, 1.0]))
    return np.minimum(ang, 180.0 - ang)


def anterior_sign_per_frame(s: LandmarkSeries) -> np.ndarray:
    """+1 when the body's front is counter-clockwise (on screen) from the hip->shoulder
    direction, -1 when clockwise.  Two cues: the nose sits in front of the trunk line, and
    the world landmarks' own front direction projected into the image."""
    mid_hip = (s.px("left_hip") + s.px("right_hip")) / 2
    mid_sh = (s.px("left_shoulder") + s.px("right_shoulder")) / 2
    up_trunk = mid_sh - mid_hip
    nose_cue = np.sin(np.radians(g.signed_angle_2d_deg(up_trunk, s.px("nose") - mid_sh)))
    front = g.anterior_3d(s.w("left_hip"), s.w("right_hip"),
                          (s.w("left_hip") + s.w("right_hip")) / 2,
                          (s.w("left_shoulder") + s.w("right_shoulder")) / 2)
    front_cue = np.sin(np.radians(g.signed_angle_2d_deg(up_trunk, front[:, :2])))
    return np.sign(np.nan_to_num(nose_cue) + np.nan_to_num(front_cue))


def consensus_sign(signs: np.ndarray) -> float:
    total = np.nansum(signs)
    return 1.0 if total >= 0 else -1.0


def compute_features(s: LandmarkSeries, side: str, anterior_sign: float) -> Features:
    """All features for working side ``side``; ``anterior_sign`` from
    :func:`anterior_sign_per_frame` (a consensus over frames, so it cannot flip)."""
    o = other(side)
    hip_w, hip_o = s.px(f"{side}_hip"), s.px(f"{o}_hip")
    mid_hip = (hip_w + hip_o) / 2
    mid_sh = (s.px(f"{side}_shoulder") + s.px(f"{o}_shoulder")) / 2
    knee = s.px(f"{side}_knee")
    # One side's shoulder, hip and knee: in a side view the two sides project with
    # different perspective, so mixing them bends the line (measured: 2-6 deg worse).
    thigh_vs_trunk = g.signed_angle_2d_deg(hip_w - s.px(f"{side}_shoulder"), knee - hip_w)

    wh, woh = s.w(f"{side}_hip"), s.w(f"{o}_hip")
    ws, wos = s.w(f"{side}_shoulder"), s.w(f"{o}_shoulder")
    w_mid_hip, w_mid_sh = (wh + woh) / 2, (ws + wos) / 2
    long_axis = w_mid_sh - w_mid_hip
    # side-lying: the working leg is the top one; the body's front from the world frame
    front = g.anterior_3d(s.w("left_hip"), s.w("right_hip"), w_mid_hip, w_mid_sh)
    values = {
        "hip_extension_deg": anterior_sign * thigh_vs_trunk,
        "knee_flexion_deg": g.joint_flexion_deg(hip_w, knee, s.px(f"{side}_ankle")),
        # world, not image: a camera near floor height sees the line in perspective
        # (measured on the rendered clips: 1.0 deg MAE on hands and knees vs 3.7 in 2D)
        "trunk_to_floor_deg": g.elevation_3d_deg(w_mid_hip, w_mid_sh),
        "hip_abduction_deg": g.abduction_3d_deg(wh, s.w(f"{side}_knee"), wh - woh),
        "hip_abduction_image_deg": np.abs(g.signed_angle_2d_deg(mid_hip - mid_sh, knee - hip_w))
        * _outward_sign(hip_w, hip_o, knee),
        "pelvis_roll_from_stacked_deg": g.roll_about_axis_deg(wh - woh, long_axis, g.WORLD_UP,
                                                              front),
        "pelvis_level_deg": g.elevation_3d_deg(woh, wh),
        "pelvis_level_image_deg": _level_in_image_deg(hip_w, hip_o, s.px(f"{side}_shoulder"),
                                                      wh, woh, ws),
        "thorax_level_deg": g.elevation_3d_deg(wos, ws),
        "thorax_roll_from_stacked_deg": g.roll_about_axis_deg(ws - wos, long_axis, g.WORLD_UP,
                                                              front),
        "thigh_to_floor_deg": g.elevation_3d_deg(wh, s.w(f"{side}_knee")),
        "shin_to_floor_deg": g.elevation_3d_deg(s.w(f"{side}_knee"), s.w(f"{side}_ankle")),
        "knee_flexion_3d_deg": g.joint_flexion_deg(wh, s.w(f"{side}_knee"),
                                                   s.w(f"{side}_ankle")),
        "front_to_up_deg": np.degrees(np.arcsin(np.clip(front @ g.WORLD_UP, -1, 1))),
        "knee_to_hip_width_ratio": _ratio(s.w("left_knee") - s.w("right_knee"),
                                          s.w("left_hip") - s.w("right_hip")),
    }
    view = side_view_deg(s)
    quality = {spec.name: _quality(s, spec, side, view) for spec in SPECS}
    return Features(s.t_s, side, anterior_sign, values, quality, view)


def _level_in_image_deg(hip_w, hip_o, sh_w, w_hip_w, w_hip_o, w_sh_w) -> np.ndarray:
    """In a side view the hips overlap; their vertical separation on screen, over the hip
    line's length projected to pixels (world length times the trunk's pixels per metre),
    is the sine of the pelvis' tilt about the long axis."""
    px_per_m = np.linalg.norm(sh_w - hip_w, axis=-1) / np.linalg.norm(w_sh_w - w_hip_w, axis=-1)
    hip_line_px = np.linalg.norm(w_hip_w - w_hip_o, axis=-1) * px_per_m
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.degrees(np.arcsin(np.clip((hip_o[..., 1] - hip_w[..., 1]) / hip_line_px,
                                            -1, 1)))


def _outward_sign(hip_w: np.ndarray, hip_o: np.ndarray, knee: np.ndarray) -> np.ndarray:
    """+1 when the knee lies on the working hip's side of the other hip (abducted)."""
    lateral = hip_w - hip_o
    return np.where(np.sum((knee - hip_w) * lateral, axis=-1) >= 0, 1.0, -1.0)


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)


def landmarks_for(features, side: str) -> list[str]:
    """The landmarks the named features use, for working side ``side``."""
    names = (n.format(w=side, o=other(side)) for f in features
             for n in SPEC_BY_NAME[f].landmarks)
    return list(dict.fromkeys(names))


def _quality(s: LandmarkSeries, spec: FeatureSpec, side: str, view: np.ndarray) -> np.ndarray:
    names = landmarks_for([spec.name], side)
    vis = np.min(np.stack([s.vis(n) for n in names]), axis=0)
    rad = np.radians(np.nan_to_num(view, nan=90.0))
    if spec.view == "side":
        fit = np.cos(rad)
    elif spec.view == "front":
        fit = np.sin(rad)
    else:
        fit = np.ones_like(rad)
    return np.clip(vis * fit, 0.0, 1.0)


#: A leg "moves" once its thigh angle has swung this far (5th-95th percentile) and
#: this many times further than the other leg.
SIDE_MOVE_DEG = 20.0
SIDE_RATIO = 1.5


def thigh_angle_deg(s: LandmarkSeries, side: str) -> np.ndarray:
    """The side's thigh direction against the trunk in the image, unsigned for facing:
    only its swing is used, to tell which leg moves."""
    o = other(side)
    trunk_down = ((s.px(f"{side}_hip") + s.px(f"{o}_hip"))
                  - (s.px(f"{side}_shoulder") + s.px(f"{o}_shoulder")))
    return g.signed_angle_2d_deg(trunk_down, s.px(f"{side}_knee") - s.px(f"{side}_hip"))


def moving_side(angles: dict[str, np.ndarray]) -> str | None:
    """The leg whose thigh swings clearly more than the other's, or None yet."""
    swing = {}
    for side, values in angles.items():
        values = np.asarray(values)
        values = values[np.isfinite(values)]
        swing[side] = float(np.ptp(np.percentile(values, [5, 95]))) if values.size > 5 else 0.0
    best = max(SIDES, key=swing.get)
    if swing[best] >= SIDE_MOVE_DEG and swing[best] >= SIDE_RATIO * swing[other(best)]:
        return best
    return None


def nearer_side(s: LandmarkSeries) -> str:
    """The side nearer the camera: the one whose hip and knee are more visible."""
    return max(SIDES, key=lambda side: float(np.nanmean(s.vis(f"{side}_hip")
                                                       + s.vis(f"{side}_knee"))))


def choose_working_side(s: LandmarkSeries, bilateral: bool) -> str:
    """The leg that moves; for bilateral exercises, or when neither leg clearly moves more,
    the side nearer the camera."""
    moving = None if bilateral else moving_side({side: thigh_angle_deg(s, side)
                                                  for side in SIDES})
    return moving or nearer_side(s)

"""Pure, vectorised geometry.  Arrays of points have shape (..., 2) or (..., 3); NaN in,
NaN out.  Angles are in degrees.

Image points are in pixels (x right, y down) — never MediaPipe's normalised x/y, whose
axes have different scales on a non-square frame.  World points are MediaPipe world
landmarks: metres, x right, y down, z away from the camera (a right-handed frame).
"""

from __future__ import annotations

import numpy as np

#: "Up" in MediaPipe's camera-aligned world frame (y points down), assuming a level camera.
WORLD_UP = np.array([0.0, -1.0, 0.0])


def _unit(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norm > 0, v / norm, np.nan)


def angle_between_deg(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Unsigned angle between vectors, 0..180."""
    cos = np.sum(_unit(u) * _unit(v), axis=-1)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def signed_angle_2d_deg(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Angle from u to v in the image, -180..180, positive counter-clockwise *on screen*
    (image y points down, so this is clockwise in the array's own axes)."""
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = np.sum(u[..., :2] * v[..., :2], axis=-1)
    return -np.degrees(np.arctan2(cross, dot))


def joint_flexion_deg(proximal: np.ndarray, joint: np.ndarray, distal: np.ndarray) -> np.ndarray:
    """180 minus the three-point angle at ``joint``: 0 for a straight limb."""
    return 180.0 - angle_between_deg(proximal - joint, distal - joint)


def segment_deviation_deg(reference: np.ndarray, segment: np.ndarray,
                          positive_side: np.ndarray) -> np.ndarray:
    """Signed angle of ``segment`` away from the continuation of ``reference`` (2D).

    0 when the segment continues the reference line; positive when it turns towards
    ``positive_side`` (a direction vector), negative away from it.  Continuous through
    0, so a segment passing the line keeps counting instead of folding back at 180.
    """
    angle = signed_angle_2d_deg(reference, segment)
    side = np.sign(signed_angle_2d_deg(reference, positive_side))
    return angle * np.where(side == 0, 1.0, side)


def line_elevation_2d_deg(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Elevation of start->end against the image horizontal, -90..90, + when ``end`` is
    higher on screen, whichever way the line points left or right."""
    d = end - start
    return np.degrees(np.arctan2(-d[..., 1], np.abs(d[..., 0])))


def project_on_plane(v: np.ndarray, normal: np.ndarray) -> np.ndarray:
    n = _unit(normal)
    return v - np.sum(v * n, axis=-1, keepdims=True) * n


def anterior_3d(left_hip: np.ndarray, right_hip: np.ndarray, mid_hip: np.ndarray,
                mid_shoulder: np.ndarray) -> np.ndarray:
    """Unit vector pointing out of the body's front, from the pelvis' left-right axis and
    the trunk's long axis (world frame, right-handed)."""
    return _unit(np.cross(left_hip - right_hip, mid_shoulder - mid_hip))


def roll_about_axis_deg(line: np.ndarray, axis: np.ndarray, reference: np.ndarray,
                        positive: np.ndarray) -> np.ndarray:
    """Angle of ``line`` from ``reference`` after both are projected on the plane normal to
    ``axis``; signed + when ``line`` leans towards ``positive``.  0..±180."""
    lp = _unit(project_on_plane(line, axis))
    rp = _unit(project_on_plane(np.broadcast_to(reference, line.shape), axis))
    angle = np.degrees(np.arccos(np.clip(np.sum(lp * rp, axis=-1), -1.0, 1.0)))
    side = np.sign(np.sum((lp - rp) * positive, axis=-1))
    return angle * np.where(side == 0, 1.0, side)


def elevation_3d_deg(start: np.ndarray, end: np.ndarray, up: np.ndarray = WORLD_UP) -> np.ndarray:
    """Elevation of start->end above the horizontal plane, -90..90, + when end is higher."""
    return np.degrees(np.arcsin(np.clip(np.sum(_unit(end - start) * up, axis=-1), -1, 1)))


def abduction_3d_deg(hip: np.ndarray, knee: np.ndarray, outward: np.ndarray) -> np.ndarray:
    """Thigh angle out of the pelvis' mid-sagittal plane, + away from the midline.
    ``outward`` points from the other hip to this one."""
    return np.degrees(np.arcsin(np.clip(np.sum(_unit(knee - hip) * _unit(outward), axis=-1),
                                        -1, 1)))

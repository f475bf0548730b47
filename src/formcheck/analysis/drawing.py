"""The start posture as a stick figure, from the exercise file's ``[posture.drawing]``: the
figure's points (body heights, y up) and the posture angles the figure shows, measured on
those points the way the posture checks measure a person, so a drawing that contradicts its
own posture checks is refused when the file is read."""

from __future__ import annotations

import math

import numpy as np

from formcheck.analysis.spec import FACINGS, Drawing, Posture
from formcheck.features import joint_flexion_deg

#: Segment lengths in body heights (adult proportions), the head's radius and the neck.
LENGTHS = {"trunk": 0.30, "thigh": 0.245, "shin": 0.245, "upper_arm": 0.17, "forearm": 0.15}
HEAD_RADIUS = 0.06
FIGURE_HEAD_RADIUS = HEAD_RADIUS  # as the package exports it
NECK = 0.03
NOSE = 0.035
#: The direction the body's front faces, as an elevation (front_to_up_deg).
FRONT_UP_DEG = {"up": 90.0, "down": -90.0, "side": 0.0, "forward": 0.0}


def _step(p: tuple[float, float], deg: float, length: float) -> tuple[float, float]:
    return (p[0] + length * math.cos(math.radians(deg)),
            p[1] + length * math.sin(math.radians(deg)))


def figure_points(d: Drawing) -> dict[str, tuple[float, float]]:
    """Hip at the origin; shoulder, knee, ankle, elbow, wrist, the head's centre and the
    tip of the nose (on the head's front side; none when on the side)."""
    pts = {"hip": (0.0, 0.0)}
    pts["shoulder"] = _step(pts["hip"], d.trunk_deg, LENGTHS["trunk"])
    pts["head"] = _step(pts["shoulder"], d.trunk_deg, NECK + HEAD_RADIUS)
    pts["knee"] = _step(pts["hip"], d.thigh_deg, LENGTHS["thigh"])
    pts["ankle"] = _step(pts["knee"], d.shin_deg, LENGTHS["shin"])
    pts["elbow"] = _step(pts["shoulder"], d.upper_arm_deg, LENGTHS["upper_arm"])
    pts["wrist"] = _step(pts["elbow"], d.forearm_deg, LENGTHS["forearm"])
    turn = {"up": -90.0, "forward": -90.0, "down": 90.0}.get(d.facing)
    if turn is not None:  # the front: the trunk's direction turned toward it
        pts["nose"] = _step(pts["head"], d.trunk_deg + turn, HEAD_RADIUS + NOSE)
    return pts


def _elevation_deg(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.degrees(math.atan2(b[1] - a[1], abs(b[0] - a[0])))


def figure_angles(d: Drawing) -> dict[str, float]:
    """The posture features the figure shows, measured on its points."""
    p = figure_points(d)
    return {"trunk_to_floor_deg": _elevation_deg(p["hip"], p["shoulder"]),
            "thigh_to_floor_deg": _elevation_deg(p["hip"], p["knee"]),
            "shin_to_floor_deg": _elevation_deg(p["knee"], p["ankle"]),
            "knee_flexion_3d_deg": float(joint_flexion_deg(
                *(np.array(p[k]) for k in ("hip", "knee", "ankle")))),
            "front_to_up_deg": FRONT_UP_DEG.get(d.facing, math.nan)}


def drawing_problems(d: Drawing, posture: Posture) -> list[tuple[str, str]]:
    """(key path, problem) for a drawing that is malformed or breaks a posture check."""
    out = []
    if d.facing not in FACINGS:
        out.append(("posture.drawing.facing",
                    f"expected one of {', '.join(FACINGS)}, got {d.facing!r}"))
    for name in ("trunk_deg", "thigh_deg", "shin_deg", "upper_arm_deg", "forearm_deg"):
        if not -180.0 <= getattr(d, name) <= 180.0:
            out.append((f"posture.drawing.{name}", "expected degrees from -180 to 180"))
    if out:
        return out
    angles = figure_angles(d)
    for check in posture.checks:
        value = angles.get(check.feature)
        if value is not None and not check.holds(value):
            out.append(("posture.drawing", f"the figure shows {check.feature} {value:.0f}, "
                        f"which breaks the posture check ({check.why})"))
    return out

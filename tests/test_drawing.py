"""The setup screen's picture of the start position: drawn from each exercise file's
``[posture.drawing]``, its angles measured on the drawn points pass the file's own posture
checks, a drawing that contradicts them is refused, and it is drawn where it should be."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from formcheck.analysis import catalog, figure_angles, figure_points, load_exercise_file
from formcheck.errors import ExerciseError

#: The start positions as a clinician describes them (degrees): on the back with the knees
#: bent, face down, on hands (or elbows) and knees, on the side, standing.
KNOWN = {
    "glute_bridge": {"trunk_to_floor_deg": 0, "thigh_to_floor_deg": 50, "knee_flexion_3d_deg": 110,
                     "front_to_up_deg": 90},
    "gluteal_pumps_l1": {"trunk_to_floor_deg": 0, "thigh_to_floor_deg": 0,
                         "knee_flexion_3d_deg": 90, "front_to_up_deg": -90},
    "gluteal_pumps_l2": {"thigh_to_floor_deg": -90, "shin_to_floor_deg": 0,
                         "knee_flexion_3d_deg": 90, "front_to_up_deg": -90},
    "quadruped_hip_extension": {"thigh_to_floor_deg": -90, "shin_to_floor_deg": 0,
                                "knee_flexion_3d_deg": 90, "front_to_up_deg": -90},
    "prone_leg_extension": {"trunk_to_floor_deg": 0, "knee_flexion_3d_deg": 0,
                            "front_to_up_deg": -90},
    "side_lying_glute_med": {"trunk_to_floor_deg": 0, "front_to_up_deg": 0},
    "single_leg_rdl": {"trunk_to_floor_deg": 90, "shin_to_floor_deg": -90},
}


@pytest.mark.parametrize("name", sorted(catalog()))
def test_each_exercise_draws_its_declared_start_posture(name):
    ex = catalog()[name]
    assert ex.posture is not None and ex.posture.drawing is not None
    angles = figure_angles(ex.posture.drawing)
    for check in ex.posture.checks:
        assert check.feature in angles, f"{check.feature} is not drawn"
        assert check.holds(angles[check.feature]), (check.feature, angles[check.feature])
    for feature, value in KNOWN.get(name, {}).items():
        assert angles[feature] == pytest.approx(value, abs=0.5), feature


def test_the_figure_is_to_scale():
    """Points in body heights: the bridge's knee is up, its ankle back on the floor."""
    p = figure_points(catalog()["glute_bridge"].posture.drawing)
    assert p["hip"] == (0.0, 0.0)
    assert p["shoulder"] == pytest.approx((-0.30, 0.0))
    assert p["knee"][1] == pytest.approx(0.245 * np.sin(np.radians(50)))
    assert p["ankle"][1] == pytest.approx(p["knee"][1] - 0.245 * np.sin(np.radians(60)))
    assert p["nose"][1] > p["head"][1]  # facing the ceiling


def _bridge_with(tmp_path, old: str, new: str):
    text = (resources.files("formcheck.analysis") / "exercises" / "glute_bridge.toml"
            ).read_text()
    assert old in text
    path = tmp_path / "bridge.toml"
    path.write_text(text.replace(old, new))
    return path


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("thigh_deg = 50.0", "thigh_deg = 0.0",
     "posture.drawing: the figure shows thigh_to_floor_deg 0"),
    ('facing = "up"', 'facing = "down"', "front_to_up_deg -90"),
    ('facing = "up"', 'facing = "sideways"', "posture.drawing.facing: expected one of"),
    ("shin_deg = -60.0", "shin_deg = -260.0", "posture.drawing.shin_deg"),
    ("shin_deg = -60.0", "shin_dg = -60.0", "posture.drawing.shin_dg: unknown key"),
])
def test_a_drawing_that_contradicts_the_posture_is_refused(tmp_path, old, new, expected):
    with pytest.raises(ExerciseError, match="glute_bridge|bridge.toml") as err:
        load_exercise_file(_bridge_with(tmp_path, old, new))
    assert expected in str(err.value)


def test_drawn_in_the_box_at_the_top_right():
    from formcheck.outputs.figure import BOX_BGR, FIGURE_BGR, draw_figure, figure_box

    img = np.full((720, 1280, 3), 24, np.uint8)
    out = draw_figure(img, catalog()["glute_bridge"].posture.drawing)
    x, y, w, h = figure_box(1280, 720)
    assert x + w < 1280 and y + h < 720 // 2 and w >= 0.3 * 1280
    box = out[y:y + h, x:x + w]
    assert (box == BOX_BGR).all(axis=2).mean() > 0.5
    lines = (box == FIGURE_BGR).all(axis=2)
    assert lines.sum() > 300
    # the raised knee: the figure's highest line pixels are right of its middle
    ys, xs = np.nonzero(lines)
    assert xs[ys <= ys.min() + 2].mean() > w / 2
    assert (out[:, :x] == 24).all()  # nothing drawn outside the box

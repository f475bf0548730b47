"""Known-answer tests of the geometry and the features, on exact synthetic landmarks."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.capture import PoseFrame
from formcheck.features import (
    LandmarkSeries,
    anterior_sign_per_frame,
    compute_features,
    consensus_sign,
)
from formcheck.features import geometry as g
from synth import Pose, body_points, to_pose_frame


def features_of(posture: str, pose: Pose, working: str = "left") -> dict[str, float]:
    frame = to_pose_frame(body_points(posture, pose, working), 0, 0.0)
    series = LandmarkSeries.from_poses([frame])
    feats = compute_features(series, working, consensus_sign(anterior_sign_per_frame(series)))
    return {k: float(v[0]) for k, v in feats.values.items()}


@pytest.mark.parametrize("posture", ["quadruped_side", "prone_side", "supine_side"])
@pytest.mark.parametrize("hip_ext", [-100.0, -60.0, -10.0, 0.0, 10.0, 25.0, 40.0])
def test_hip_extension_is_signed_and_continuous_through_neutral(posture, hip_ext):
    values = features_of(posture, Pose(hip_ext=hip_ext, knee_flex=90.0))
    assert values["hip_extension_deg"] == pytest.approx(hip_ext, abs=1e-6)
    assert values["knee_flexion_deg"] == pytest.approx(90.0, abs=1e-6)


def test_upside_down_and_mirrored_bodies_read_the_same():
    upright = features_of("quadruped_side", Pose(hip_ext=20.0, knee_flex=70.0))
    flipped = features_of("supine_side", Pose(hip_ext=20.0, knee_flex=70.0))
    right_leg = features_of("quadruped_side", Pose(hip_ext=20.0, knee_flex=70.0), "right")
    for values in (upright, flipped, right_leg):
        assert values["hip_extension_deg"] == pytest.approx(20.0, abs=1e-6)
        assert values["knee_flexion_deg"] == pytest.approx(70.0, abs=1e-6)


@pytest.mark.parametrize("pitch", [-30.0, 0.0, 25.0])
def test_trunk_to_floor(pitch):
    values = features_of("quadruped_side", Pose(hip_ext=-60.0, trunk_pitch=pitch))
    assert values["trunk_to_floor_deg"] == pytest.approx(-pitch, abs=1e-6)
    # the hip angle is measured against the trunk, so tilting the trunk leaves it alone
    assert values["hip_extension_deg"] == pytest.approx(-60.0, abs=1e-6)


@pytest.mark.parametrize("abduction", [-10.0, 0.0, 20.0, 35.0])
def test_abduction_in_image_and_world(abduction):
    values = features_of("side_lying_front", Pose(hip_ext=0.0, knee_flex=0.0,
                                                  abduction=abduction))
    assert values["hip_abduction_image_deg"] == pytest.approx(abduction, abs=1e-6)
    assert values["hip_abduction_deg"] == pytest.approx(abduction, abs=1e-6)
    assert values["pelvis_roll_from_stacked_deg"] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("roll", [-15.0, 0.0, 10.0])
def test_pelvis_level_from_world_and_image(roll):
    # on hands and knees the front faces the floor: rolling the working hip forward lowers it
    values = features_of("quadruped_side", Pose(hip_ext=-60.0, pelvis_roll=roll))
    assert values["pelvis_level_deg"] == pytest.approx(-roll, abs=1e-6)
    # the image estimate scales by the trunk, whose length the roll changes slightly
    assert values["pelvis_level_image_deg"] == pytest.approx(-roll, abs=0.2)


def test_side_lying_roll_forward_is_positive():
    values = features_of("side_lying_front", Pose(hip_ext=0.0, knee_flex=0.0,
                                                  pelvis_roll=12.0))
    assert values["pelvis_roll_from_stacked_deg"] == pytest.approx(12.0, abs=1e-6)


def test_pixels_respect_a_non_square_frame():
    # a 45-degree line in pixels is NOT 45 degrees in normalised coordinates of a 16:9 frame
    image = np.zeros((33, 3))
    image[23, :2] = (0.25, 0.5)
    image[25, :2] = (0.25 + 100 / 1280, 0.5 + 100 / 720)
    frame = PoseFrame(0, 0.0, 1280, 720, image=image, world=np.zeros((33, 3)),
                      visibility=np.ones(33), presence=np.ones(33))
    px = frame.pixels()
    d = px[25] - px[23]
    assert d == pytest.approx([100.0, 100.0])
    assert g.line_elevation_2d_deg(px[23], px[25]) == pytest.approx(-45.0)


def test_angles_propagate_nan():
    nan = np.array([np.nan, np.nan])
    assert np.isnan(g.joint_flexion_deg(nan, np.zeros(2), np.ones(2)))
    assert np.isnan(g.signed_angle_2d_deg(nan, np.ones(2)))


def test_view_angle_and_quality():
    frame = to_pose_frame(body_points("side_lying_front", Pose(knee_flex=0.0)), 0, 0.0)
    series = LandmarkSeries.from_poses([frame])
    feats = compute_features(series, "left", 1.0)
    assert feats.side_view_deg[0] == pytest.approx(90.0)
    # sagittal 2D features are not valid in a front view: quality ~0
    assert feats.quality["hip_extension_deg"][0] < 0.05
    assert feats.quality["hip_abduction_image_deg"][0] > 0.95

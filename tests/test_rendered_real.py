"""The real model on rendered clips with exact ground truth: counts, faults, live = offline,
and feature accuracy."""

from __future__ import annotations

import pytest

from conftest import rendered_clip
from formcheck.analysis import load_exercise
from formcheck.capture import RecordingReader
from formcheck.commands import analyze_input
from formcheck.validation import expected_side, feature_errors, measure_clip, score_clip

CLIPS = ["quadruped_ext_knee_drift", "quadruped_pumps_l2", "side_lying_gmed_roll"]


@pytest.mark.parametrize("name", CLIPS)
def test_counts_exact_and_every_injected_fault_found(name, extracted, tmp_path):
    video, truth = rendered_clip(name)
    doc = analyze_input(extracted(video), load_exercise(truth["exercise"]), tmp_path).document
    score = score_clip(name, truth, doc)
    assert score.reps[0] == score.reps[1]
    assert score.holds[0] == score.holds[1]
    assert score.pumps[0] == score.pumps[1]
    assert score.faults_found == len(score.true_faults)
    assert score.false_faults == []
    assert score.side_ok


#: Clips of the training folder from other views, bodies and sides: a quadruped seen 25 deg
#: oblique from above (lumbar arch twice), one seen from the person's right (clean), a
#: side-lying clip seen 13 deg oblique (pelvic roll during the final hold), and a prone
#: lift seen from the person's right and above (an arch; the model puts the lifted leg's
#: ankle on the other shin for single frames while the knee stays at 90: no knee fault).
TRAIN_CLIPS = ["t07_quad", "t10_quad", "t22_gmed", "t18_prone_l1"]


@pytest.mark.parametrize("name", TRAIN_CLIPS)
def test_other_views_and_bodies_counts_and_faults(name, extracted, tmp_path):
    video, truth = rendered_clip(name, "rendered-train")
    doc = analyze_input(extracted(video), load_exercise(truth["exercise"]), tmp_path).document
    score = score_clip(name, truth, doc)
    assert score.reps_exact
    assert score.setup_reps == 0
    assert score.faults_found == len(score.true_faults)
    assert score.false_faults == []
    assert score.side_ok
    assert all(0.0 <= r["confidence"] <= 1.0 for r in doc["reps"])


def test_level_2_pumps_of_the_far_leg_seen_from_the_right(recorded, tmp_path):
    # hands and knees, the working (left) leg on the far side, the camera on the person's
    # right, 19 deg oblique and 0.8 m high: the folded far leg is hardly seen at the start,
    # and the back arches for four of the eleven pumps, hiding one pump's dip
    name = "t16_pumps_l2"
    video, truth = rendered_clip(name, "rendered-train")
    doc = analyze_input(recorded(f"rendered-train/{name}.mp4"),
                        load_exercise(truth["exercise"]), tmp_path).document
    score = score_clip(name, truth, doc)
    assert score.reps == (1, 1) and score.side_ok
    assert truth["pumps"]["count"] == 11
    assert abs(score.pumps[0] - 11) <= 1  # within one per bout (four of eleven before)
    assert score.false_faults == []


# Targets of the measurement issue, and what the bundled BlazePose model gives today on
# these clips (benchmarks/eval_features.py prints all clips). Knee flexion (target 4 deg) and
# the trunk line (3) meet their targets here; hip extension (4) and side-lying pelvic roll (5)
# do not: the geometry is within 2.5 deg on the exact joint centres (test_geometry_truth.py),
# the rest is where the model places its landmarks. They are asserted at the level measured,
# so a regression fails.
BOUNDS = {
    "quadruped_ext_knee_drift": {"knee_flexion_deg": 4.0, "hip_extension_deg": 7.0,
                                 "trunk_to_floor_deg": 3.0},
    "side_lying_gmed_roll": {"hip_abduction_image_deg": 6.0,
                             "pelvis_roll_from_stacked_deg": 7.5},
}


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_feature_errors_against_ground_truth(name, extracted):
    video, truth = rendered_clip(name)
    poses = list(RecordingReader(extracted(video)))
    feats = measure_clip(poses, truth)
    assert feats.side == expected_side(truth)
    errors = feature_errors(feats.values, truth)
    for feature, bound in BOUNDS[name].items():
        assert errors[feature].n > 0.9 * len(poses)
        assert errors[feature].mae <= bound, (feature, errors[feature])

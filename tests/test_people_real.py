"""More than one person in view: the real model on a video made of two real clips side by
side warns which person was tracked, in the terminal, results.json and the report, and so
does analysing its landmark recording; the same picture with one person does not."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import shared_clip
from formcheck.capture import INDEX, CrowdTally, RecordingReader
from formcheck.capture.crowd import tile_columns
from formcheck.cli import main

EXERCISE = "single_leg_rdl"
SECONDS = 3.0
FPS = 25.0
HEIGHT_PX = 360
#: Each clip scaled to 360 px high (and cropped to these columns), side by side: a wide
#: 1280x360 picture, where the detector finds the two people only when searching in tiles.
LEFT = ("squat_fitjung_1.mp4", 0, 640)
RIGHT = ("lunge_fitjung_1.mp4", 0, 640)
WARNING = "more than one person was in view"


def _frames(name: str, x0: int, x1: int):
    cap = cv2.VideoCapture(str(shared_clip(name)))
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                return
            width = round(frame.shape[1] * HEIGHT_PX / frame.shape[0])
            yield cv2.resize(frame, (width, HEIGHT_PX))[:, x0:x1]
    finally:
        cap.release()


def _compose(path: Path, second_person: bool) -> Path:
    """The left clip beside the right one (or beside black of the same size)."""
    writer = None
    for i, (left, right) in enumerate(zip(_frames(*LEFT), _frames(*RIGHT), strict=False)):
        if i >= SECONDS * FPS:
            break
        frame = np.hstack([left, right if second_person else np.zeros_like(right)])
        if writer is None:
            writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS,
                                     (frame.shape[1], frame.shape[0]))
        writer.write(frame)
    writer.release()
    return path


def _analyze(source: Path, out: Path, capsys) -> tuple[dict, str, str]:
    code = main(["analyze", str(source), "-e", EXERCISE, "-o", str(out), "--no-history"])
    _, err = capsys.readouterr()
    assert code == 0, err
    doc = json.loads((out / "results.json").read_text())
    return doc, err, (out / "report.html").read_text()


def _crowd_warnings(doc: dict) -> list[str]:
    return [w for w in doc["input_warnings"] if WARNING in w]


def test_two_people_warn_which_one_is_tracked_and_the_recording_keeps_it(tmp_path, capsys):
    video = _compose(tmp_path / "two_people.mp4", second_person=True)
    doc, err, report = _analyze(video, tmp_path / "video", capsys)
    [warning] = _crowd_warnings(doc)
    assert warning.startswith(f"{WARNING} in two_people.mp4")
    assert f"formcheck: warning: {warning}" in err.splitlines()
    assert warning in report
    # which half of the picture the tracked landmarks are in names the tracked person
    recording = tmp_path / "video" / "two_people.landmarks.jsonl"
    torso = [INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]
    halves = Counter("left" if p.image[torso, 0].mean() < 0.5 else "right"
                     for p in RecordingReader(recording) if p.has_pose)
    assert len(halves) == 1, halves  # the tracker stayed on one person
    assert f"the person on the {next(iter(halves))} was tracked" in warning
    # the recording's end line keeps the check; analysing it warns the same way
    end = json.loads(recording.read_text().splitlines()[-1])["end"]
    assert end["people"]["checked"] == 3 == end["people"]["with_another_person"]
    again, err, report = _analyze(recording, tmp_path / "recording", capsys)
    assert _crowd_warnings(again) == [warning]
    assert f"formcheck: warning: {warning}" in err.splitlines() and warning in report


def test_the_same_picture_with_one_person_does_not_warn(tmp_path, capsys):
    video = _compose(tmp_path / "one_person.mp4", second_person=False)
    doc, err, report = _analyze(video, tmp_path / "video", capsys)
    assert _crowd_warnings(doc) == [] and WARNING not in err and WARNING not in report
    end = json.loads((tmp_path / "video" / "one_person.landmarks.jsonl").read_text()
                     .splitlines()[-1])["end"]
    assert end["people"] == {"checked": 3, "with_another_person": 0, "tracked": {},
                             "every_s": 1.0}


@pytest.mark.parametrize(("checked", "crowded", "warns"), [
    (10, 1, False),  # one passer-by
    (10, 2, False),  # under the share
    (10, 3, True),
    (3, 2, True),
    (1, 1, False),  # a single check is not enough
])
def test_a_warning_needs_a_second_person_in_a_fair_share_of_checks(checked, crowded, warns):
    tally = CrowdTally()
    for i in range(checked):
        tally.add("left" if i < crowded else None)
    assert (tally.warning("clip.mp4") is not None) == warns


@pytest.mark.parametrize("stored", [None, "many", {"checked": "3"}, {"checked": 3},
                                    {"checked": 3, "with_another_person": 3, "tracked": []}])
def test_a_recording_without_a_usable_check_gives_no_warning(stored):
    assert CrowdTally.from_record(stored) is None


def test_a_switch_between_people_is_said():
    tally = CrowdTally()
    for where in ("left", "left", "right", "left"):
        tally.add(where)
    text = tally.warning("clip.mp4")
    assert "the person on the left was tracked" in text and "may have switched" in text
    assert "in 4 of 4 checked frames" in text


@pytest.mark.parametrize(("size", "columns"), [
    ((1280, 360), [(0, 432), (424, 856), (848, 1280)]),
    ((1280, 720), [(0, 864), (416, 1280)]),
    ((640, 480), [(0, 640)]),  # 4:3: the whole picture
    ((720, 480), [(0, 720)]),  # 3:2
    ((1080, 1920), [(0, 1080)]),  # portrait: the whole picture
])
def test_a_wide_picture_is_searched_in_overlapping_tiles(size, columns):
    assert tile_columns(*size) == columns


def test_live_notes_someone_else_while_they_stay_in_view():
    tally = CrowdTally()
    notes = []
    for where in ("right", "right", "right", None, "larger"):
        tally.add(where)
        notes.append(tally.live_note())
    assert notes == [None, "Someone else is in view: following the person on the right",
                     "Someone else is in view: following the person on the right", None, None]

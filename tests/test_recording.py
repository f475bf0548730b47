"""Recording format: exact round trip, frames without a person, crash tolerance."""

from __future__ import annotations

import json

import numpy as np
import pytest

from formcheck.capture import PoseFrame, RecordingReader, RecordingWriter, SourceInfo, is_recording
from formcheck.errors import RecordingError

INFO = SourceInfo(name="clip.mp4", kind="video", width_px=640, height_px=480, fps=29.97,
                  frame_count=3)


def random_pose(index: int, rng: np.random.Generator) -> PoseFrame:
    # float32 values, as MediaPipe produces, widened to float64
    f32 = lambda *shape: rng.random(shape, dtype=np.float32).astype(float)  # noqa: E731
    return PoseFrame(index, index * 1001 / 30, 640, 480, image=f32(33, 3), world=f32(33, 3),
                     visibility=f32(33), presence=f32(33))


def test_round_trip_is_exact(tmp_path):
    rng = np.random.default_rng(1)
    frames = [random_pose(0, rng), PoseFrame(1, 1001 / 30, 640, 480), random_pose(2, rng)]
    path = tmp_path / "r.landmarks.jsonl"
    with RecordingWriter(path, INFO, {"file": "m.task", "sha256": "0" * 64}) as writer:
        for frame in frames:
            writer.write(frame)
    assert is_recording(path)
    reader = RecordingReader(path)
    back = list(reader)
    assert reader.info == INFO and reader.end["status"] == "complete"
    assert not back[1].has_pose
    for a, b in zip(frames, back, strict=True):
        assert a.t_ms == b.t_ms
        for field in ("image", "world", "visibility", "presence"):
            x, y = getattr(a, field), getattr(b, field)
            assert (x is None and y is None) or np.array_equal(x, y)


def test_cut_off_last_line_is_tolerated(tmp_path):
    rng = np.random.default_rng(2)
    path = tmp_path / "r.landmarks.jsonl"
    writer = RecordingWriter(path, INFO, None)
    for i in range(3):
        writer.write(random_pose(i, rng))
    # simulate a kill mid-write: no end line, last line half written
    text = path.read_text()
    path.write_text(text[: len(text) - 200])
    reader = RecordingReader(path)
    assert [p.index for p in reader] == [0, 1]
    assert reader.cut_off and reader.end is None


def test_corrupt_middle_line_is_an_error(tmp_path):
    path = tmp_path / "r.landmarks.jsonl"
    header = {"format": "formcheck-landmarks", "version": 1, "source": INFO.__dict__}
    path.write_text(json.dumps(header) + "\n{oops\n" + '{"i": 1, "t_ms": 5, "pose": null}\n')
    with pytest.raises(RecordingError, match="line 2: not valid JSON"):
        list(RecordingReader(path))


def test_wrong_shape_names_the_line_and_field(tmp_path):
    path = tmp_path / "r.landmarks.jsonl"
    header = {"format": "formcheck-landmarks", "version": 1, "source": INFO.__dict__}
    bad = {"i": 0, "t_ms": 0, "image": [[0, 0, 0]], "world": [], "visibility": [],
           "presence": []}
    path.write_text(json.dumps(header) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(RecordingError, match=r"line 2: field 'image' has shape \(1, 3\)"):
        list(RecordingReader(path))

"""Every bad input ends in one clear line on stderr, exit code 2, and no traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import REPO, shared_clip


def run_cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "formcheck", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def assert_clean_error(proc: subprocess.CompletedProcess, *phrases: str) -> str:
    """Exit 2, no traceback, and the first line on stderr says what is wrong."""
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines, "nothing said on stderr"
    for phrase in phrases:
        assert phrase in lines[0], proc.stderr
    return lines[0]


def test_missing_file(tmp_path):
    proc = run_cli("extract", str(tmp_path / "nope.mp4"), "-o", str(tmp_path / "r.jsonl"))
    assert_clean_error(proc, "video file not found", "nope.mp4", "check the path")


def test_empty_file(tmp_path):
    video = tmp_path / "empty.mp4"
    video.write_bytes(b"")
    proc = run_cli("extract", str(video), "-o", str(tmp_path / "r.jsonl"))
    assert_clean_error(proc, "empty (0 bytes)", "empty.mp4")


def test_text_file_named_mp4(tmp_path):
    video = tmp_path / "notes.mp4"
    video.write_text("this is not a video\n" * 20)
    proc = run_cli("extract", str(video), "-o", str(tmp_path / "r.jsonl"))
    assert_clean_error(proc, "cannot decode", "notes.mp4", "convert it to MP4")


def test_missing_camera(tmp_path):
    proc = run_cli("extract", "57", "-o", str(tmp_path / "r.jsonl"))
    assert_clean_error(proc, "camera 57 could not be opened")


def test_truncated_video_keeps_partial_recording(tmp_path):
    source = shared_clip("donkey_kick_fitjung_1.mp4")
    video = tmp_path / "cut.mp4"
    video.write_bytes(source.read_bytes()[:300_000])
    out = tmp_path / "cut.landmarks.jsonl"
    proc = run_cli("extract", str(video), "-o", str(out))
    line = assert_clean_error(proc, "looks truncated", "of 360 frames", str(out))
    lines = out.read_text().splitlines()
    end = json.loads(lines[-1])["end"]
    assert end["status"] == "ended_early"
    n_frames = len(lines) - 2
    assert 0 < n_frames < 360 and end["frames"] == n_frames
    assert f"after {n_frames} of 360" in line


def test_video_with_no_person(tmp_path):
    cv2 = pytest.importorskip("cv2")
    import numpy as np

    video = tmp_path / "wall.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), 10, (320, 240))
    rng = np.random.default_rng(0)
    for _ in range(15):
        writer.write(rng.integers(90, 110, (240, 320, 3), dtype=np.uint8))
    writer.release()
    out = tmp_path / "wall.landmarks.jsonl"
    proc = run_cli("extract", str(video), "-o", str(out))
    assert_clean_error(proc, "no person found in any of the 15 frames", "whole body")
    lines = out.read_text().splitlines()
    assert len(lines) == 17  # header, 15 frames kept as "no person", end
    assert all(json.loads(line)["pose"] is None for line in lines[1:-1])


def test_missing_model(tmp_path):
    video = shared_clip("glute_bridge_physioplus_1.mp4")
    proc = run_cli("extract", str(video), "-o", str(tmp_path / "r.jsonl"),
                   "--model", str(tmp_path / "pose_landmarker_heavy.task"))
    assert_clean_error(proc, "pose model not found", "--model")


def test_model_that_is_not_a_bundle(tmp_path):
    video = shared_clip("glute_bridge_physioplus_1.mp4")
    fake = tmp_path / "fake.task"
    shutil.copy(video, fake)
    proc = run_cli("extract", str(video), "-o", str(tmp_path / "r.jsonl"),
                   "--model", str(fake))
    assert_clean_error(proc, "not a MediaPipe pose landmarker .task bundle")


def test_malformed_recording(tmp_path):
    rec = tmp_path / "bad.landmarks.jsonl"
    rec.write_text('{"format": "formcheck-landmarks", "version": 99}\n')
    proc = run_cli("extract", str(rec), "-o", str(tmp_path / "r.jsonl"))
    assert_clean_error(proc, "format version 99", "upgrade formcheck")


def test_analyze_of_a_truncated_video_keeps_partial_results(tmp_path):
    source = shared_clip("donkey_kick_fitjung_1.mp4")
    video = tmp_path / "cut.mp4"
    video.write_bytes(source.read_bytes()[:1_500_000])
    out = tmp_path / "out"
    proc = run_cli("analyze", str(video), "-e", "quadruped_hip_extension", "-o", str(out),
                   "--no-history")
    assert_clean_error(proc, "looks truncated")
    doc = json.loads((out / "results.json").read_text())
    frames = len((out / "frames.csv").read_text().splitlines()) - 1
    assert 50 < doc["provenance"]["frames"] == frames < 360
    rec = (out / "cut.landmarks.jsonl").read_text().splitlines()
    assert json.loads(rec[-1])["end"]["status"] == "ended_early"


def test_output_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    proc = run_cli("analyze", str(REPO / "samples" / "quadruped_ext_clean.mp4"), "-e",
                   "quadruped_hip_extension", "-o", str(blocker / "out"), "--no-history")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "a_file" in lines[0] and "choose another output with -o" in lines[0]

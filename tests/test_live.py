"""Live coaching under a virtual display: the window and its overlay, spoken cues, and a
source that stops mid-session."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import wave
from itertools import pairwise

import numpy as np
import pytest

from conftest import rendered_clip, shared_clip
from formcheck.analysis import load_exercise
from formcheck.capture import INDEX, LatestFrameGrabber, PacedFileSource
from formcheck.commands import analyze_input
from formcheck.errors import SourceEndedEarly

pytestmark = pytest.mark.skipif(shutil.which("Xvfb") is None,
                                reason="Xvfb is not installed (.ci/run installs it)")


def live(display: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "DISPLAY": display}
    return subprocess.Popen([sys.executable, "-m", "formcheck", "live", *args, "--no-history"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def last_pose_line(recording) -> dict | None:
    lines = recording.read_text().splitlines() if recording.is_file() else []
    for line in reversed(lines[1:]):
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        if rec.get("image"):
            return rec
    return None


def test_window_shows_skeleton_and_counters_then_files_are_complete(display, tmp_path):
    import cv2
    from PIL import ImageGrab

    video, truth = rendered_clip("quadruped_ext_clean")
    out = tmp_path / "session"
    proc = live(display, "-e", "quadruped_hip_extension", "--source", str(video), "-o",
                str(out), "--no-voice", "--summary-s", "0.5")
    time.sleep(9.0)  # mid-session: the clip is 18.5 s long
    shot = np.array(ImageGrab.grab(xdisplay=display))[:, :, ::-1]  # to BGR
    rec = last_pose_line(out / "quadruped_ext_clean.landmarks.jsonl")
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    # find the window: a patch of the clip's static, textured floor, matched on the screen
    cap = cv2.VideoCapture(str(video))
    ok, first = cap.read()
    cap.release()
    # the window shows the video enlarged to fill most of the screen: search the scales for
    # a patch of the wall's edge and the floor clear of the panel, the banner and the leg
    px, py = 700, 262
    patch = first[py:py + 80, px:px + 250]
    score, scale, (mx, my) = max(_best_match(shot, patch, k / 20) for k in range(16, 33))
    assert score > 0.8, "window with the video not found on the screen"
    assert scale * truth["height"] > 0.7 * shot.shape[0]  # fills most of the screen's height
    x0, y0 = int(mx - px * scale), int(my - py * scale)
    # the skeleton's colour near the hip where the model put it
    assert rec is not None
    hip = np.array(rec["image"][INDEX["left_hip"]][:2]) * [truth["width"], truth["height"]]
    hx, hy = int(hip[0] * scale + x0), int(hip[1] * scale + y0)
    near = shot[hy - 25:hy + 25, hx - 25:hx + 25].astype(int)
    green = (near[:, :, 1] > 200) & (near[:, :, 0] < 140) & (near[:, :, 2] < 140)
    amber = (near[:, :, 2] > 200) & (near[:, :, 1] > 150) & (near[:, :, 0] < 80)
    assert (green | amber).sum() > 20
    # the counter panel (top left of the window) carries white text
    panel = shot[max(y0, 0):max(y0, 0) + 150, max(x0, 0):max(x0, 0) + 300]
    assert ((panel > 230).all(axis=2)).sum() > 300
    # the session files are complete after the end
    doc = json.loads((out / "results.json").read_text())
    assert doc["summary"]["reps_done"] == truth["reps"]["count"]
    lines = (out / "quadruped_ext_clean.landmarks.jsonl").read_text().splitlines()
    assert json.loads(lines[-1])["end"]["status"] == "complete"
    assert "5 reps" in stdout


def _best_match(shot, patch, scale: float):
    import cv2

    resized = cv2.resize(patch, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    _, score, _, loc = cv2.minMaxLoc(cv2.matchTemplate(shot, resized, cv2.TM_CCOEFF_NORMED))
    return score, scale, loc


def wav_seconds_and_rms(path) -> tuple[float, float]:
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        return w.getnframes() / w.getframerate(), float(np.sqrt(np.mean(data.astype(float) ** 2)))


def test_spoken_cues_in_order_and_a_recurring_fault_cued_on_each_rep(display, extracted, tmp_path):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (.ci/run installs it)")
    video, truth = rendered_clip("quadruped_ext_arch")
    out = tmp_path / "session"
    proc = live(display, "-e", "quadruped_hip_extension", "--source", str(extracted(video)),
                "-o", str(out), "--voice-wav", str(out / "voice"), "--summary-s", "0")
    _, stderr = proc.communicate(timeout=180)
    assert proc.returncode == 0, stderr
    log = [line.split("\t") for line in (out / "cues.log").read_text().splitlines()]
    phrases = [p for _, _, p in log]
    counts = [p for p in phrases if p in ("one", "two", "three", "four", "five", "six")]
    assert counts == ["one", "two", "three", "four", "five", "six"]
    assert phrases[0].startswith("Ready")
    arch = [float(t) for t, key, _ in log if key == "fault:back_arching"]
    # the arch comes back on each of reps 4-6: said again each time, soon after it starts
    true = [f for f in truth["faults"] if f["type"] == "lumbar_arch"]
    assert len(arch) == len(true) == 3
    for said, fault in zip(arch, true, strict=True):
        assert fault["start_s"] <= said <= fault["start_s"] + 1.5
    assert phrases.index("Don't arch your back") < phrases.index("four")
    wavs = sorted((out / "voice").glob("*.wav"))
    assert len(wavs) == len(phrases)
    for path in wavs:
        seconds, rms = wav_seconds_and_rms(path)
        assert seconds > 0.2 and rms > 100
    # the live session, paced and windowed, found what the offline analysis finds
    live_doc = json.loads((out / "results.json").read_text())
    offline = analyze_input(extracted(video), load_exercise("quadruped_hip_extension"),
                            tmp_path / "offline").document
    assert live_doc["reps"] == offline["reps"]
    assert live_doc["faults"] == offline["faults"]
    assert [f["fault"] for f in live_doc["faults"]] == ["back_arching"] * 3


def test_source_stopping_mid_session_keeps_the_recording(display, tmp_path):
    source = shared_clip("donkey_kick_fitjung_1.mp4")
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(source.read_bytes()[:1_500_000])
    out = tmp_path / "session"
    proc = live(display, "-e", "quadruped_hip_extension", "--source", str(cut), "-o", str(out),
                "--no-voice", "--summary-s", "0")
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert "looks truncated" in stderr and "Traceback" not in stderr
    lines = (out / "cut.landmarks.jsonl").read_text().splitlines()
    end = json.loads(lines[-1])["end"]
    assert end["status"] == "complete"  # the recording itself was closed cleanly
    assert len(lines) - 2 == end["frames"] > 0  # every frame it analysed, between header and end
    doc = json.loads((out / "results.json").read_text())
    assert doc["provenance"]["frames"] == end["frames"]
    # read up to the cut (134 frames decode), not past it: analysed, or dropped when the
    # computer could not keep up with the video's pace
    assert 50 < end["frames"] + doc["live"]["dropped_frames"] < 360
    assert "session files:" in stdout


def test_a_camera_that_stops_delivering_ends_the_stream_with_a_clear_error():
    """A camera read that starts failing (unplugged) ends the grabber's stream after the
    frames it delivered, with SourceEndedEarly: there is no camera on CI to unplug, so the
    read function stands in for the device."""
    frames = iter(range(12))

    def read():
        n = next(frames, None)
        time.sleep(0.005)
        return (n is not None), (np.zeros((4, 4, 3), np.uint8) if n is not None else None)

    grabber = LatestFrameGrabber(read, endless=True, what="camera 0")
    got = []
    with pytest.raises(SourceEndedEarly, match="camera 0 stopped delivering frames"):
        for frame in grabber:
            got.append(frame)
    assert 1 <= len(got) <= 12
    assert all(b.t_ms > a.t_ms for a, b in pairwise(got))


def test_a_file_played_as_a_camera_starts_when_the_first_frame_is_asked_for():
    # the model loads between opening the source and reading it; the clip's opening
    # seconds (the first rep) must not play out, unseen, in the meantime
    video, _ = rendered_clip("quadruped_ext_clean")
    with PacedFileSource(video) as source:
        time.sleep(1.5)  # 45 frames of the 30 fps clip
        start = time.monotonic()
        frames = []
        for frame in source:
            frames.append(frame)
            if time.monotonic() - start > 1.0:
                break
    assert frames[0].index == 0
    # then it plays in real time: about a second of the clip in a second
    assert 0.8 < frames[-1].t_ms / 1000.0 < 1.5


def test_no_screen_is_a_clear_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    rec = tmp_path / "r.landmarks.jsonl"
    rec.write_text("")
    proc = subprocess.run([sys.executable, "-m", "formcheck", "live", "-e", "glute_bridge",
                           "--source", str(rec), "-o", str(tmp_path / "s"), "--no-history"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "formcheck: error: no screen for the live window (DISPLAY is not set): run "
        "'formcheck live' in a desktop session; for a recorded video without a window use "
        "'formcheck analyze'"]


def test_missing_speech_engine_degrades_to_screen_with_one_warning(tmp_path, caplog):
    from formcheck.outputs import Speaker

    with caplog.at_level("WARNING"):
        speaker = Speaker(engine="no-such-speech-engine", log_path=tmp_path / "cues.log")
    assert not speaker.available
    assert speaker.say("five", now=1.0) and not speaker.say("five", now=2.0)  # debounced
    speaker.close()
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "shown on screen only" in warnings[0].getMessage()
    assert len((tmp_path / "cues.log").read_text().splitlines()) == 1

"""Live coaching a person on the floor can follow, under a virtual display: a sag cued while
it happens, one history row per session, the final hold's timer, the session ending at the
dose with the hold coached by voice, text sized to the screen, a portrait source fitted."""

from __future__ import annotations

import ctypes
import json
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from test_engine_synthetic import Script
from test_live import live, wav_seconds_and_rms

from conftest import REPO, rendered_clip
from formcheck.capture import PoseFrame, RecordingWriter, SourceInfo

pytestmark = pytest.mark.skipif(
    subprocess.run(["which", "Xvfb"], capture_output=True).returncode != 0,
    reason="Xvfb is not installed (.ci/run installs it)")

CACHE = REPO / "benchmarks" / ".cache"
BANNER_RGB = (190, 0, 0)  # the fault banner's red (BGR 0, 0, 190 in the overlay)
PANEL_RGB = (16, 16, 16)  # the counters' panel


@contextmanager
def xvfb(width: int, height: int):
    """A virtual screen of the given size; its DISPLAY name."""
    proc = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0",
                             f"{width}x{height}x24", "-nolisten", "tcp"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    number = proc.stdout.readline().strip()
    assert number.isdigit(), "Xvfb did not start"
    try:
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def recording_of(stem: str, extracted) -> Path:
    """The clip's landmark recording: the benchmarks' cache when present (made with the same
    bundled model), else extracted now."""
    cached = CACHE / f"{stem}.landmarks.jsonl"
    return cached if cached.is_file() else extracted(rendered_clip(stem)[0])


def grab(display: str) -> np.ndarray:
    from PIL import ImageGrab

    return np.array(ImageGrab.grab(xdisplay=display))  # RGB


def grab_until(display: str, painted, timeout_s: float = 15.0) -> np.ndarray:
    """The first screenshot for which ``painted(shot)`` holds, or the last one taken when
    ``timeout_s`` runs out: on a busy machine the window repaints a moment after the session
    has written the frame a test waits for."""
    deadline = time.monotonic() + timeout_s
    while True:
        shot = grab(display)
        if painted(shot) or time.monotonic() > deadline:
            return shot
        time.sleep(0.2)


def session_time_s(recording: Path) -> float | None:
    """Time of the last frame the live session has recorded (its clock)."""
    lines = recording.read_text().splitlines() if recording.is_file() else []
    for line in reversed(lines[1:]):
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        if "t_ms" in rec:
            return rec["t_ms"] / 1000.0
    return None


def wait_for_session_time(recording: Path, t_s: float, proc, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        now = session_time_s(recording)
        if now is not None and now >= t_s:
            return
        time.sleep(0.05)
    raise AssertionError(f"the session did not reach {t_s} s")


def press_keys(display: str, *keys: str) -> None:
    """Key presses as if typed, through the X server's XTEST extension (libXtst), to the
    window under the pointer (moved into the window first)."""
    x11, xtst = ctypes.CDLL("libX11.so.6"), ctypes.CDLL("libXtst.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XStringToKeysym.restype = ctypes.c_ulong
    x11.XStringToKeysym.argtypes = [ctypes.c_char_p]
    x11.XKeysymToKeycode.restype = ctypes.c_ubyte
    x11.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    x11.XFlush.argtypes = x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    xtst.XTestFakeKeyEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int,
                                       ctypes.c_ulong]
    xtst.XTestFakeMotionEvent.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                                          ctypes.c_int, ctypes.c_ulong]
    dpy = x11.XOpenDisplay(display.encode())
    assert dpy, f"cannot open display {display}"
    try:
        xtst.XTestFakeMotionEvent(dpy, -1, 200, 200, 0)
        for key in keys:
            code = x11.XKeysymToKeycode(dpy, x11.XStringToKeysym(key.encode()))
            xtst.XTestFakeKeyEvent(dpy, code, 1, 0)
            xtst.XTestFakeKeyEvent(dpy, code, 0, 0)
            x11.XFlush(dpy)
            time.sleep(0.15)
    finally:
        x11.XCloseDisplay(dpy)


def wait_for_cue(path: Path, key: str, proc, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while f"\t{key}\t" not in _read(path):
        assert proc.poll() is None and time.monotonic() < deadline, f"{key} never said"
        time.sleep(0.1)
    # the window shows the question (on a loaded machine mapping it can take a moment, and
    # a key typed before that goes to no window)
    time.sleep(1.5)


def cue_log(path: Path) -> list[tuple[float, str, str]]:
    return [(float(t), key, phrase) for t, key, phrase in
            (line.split("\t") for line in path.read_text().splitlines())]


def text_bands(mask: np.ndarray) -> list[tuple[int, int]]:
    """Runs of consecutive image rows holding any True pixel: (first row, height)."""
    rows = mask.any(axis=1)
    bands, start = [], None
    for y, on in enumerate([*rows, False]):
        if on and start is None:
            start = y
        elif not on and start is not None:
            bands.append((start, y - start))
            start = None
    return bands


def white(img: np.ndarray) -> np.ndarray:
    return (img > 235).all(axis=2)


def colour(img: np.ndarray, rgb: tuple[int, int, int], tol: int = 4) -> np.ndarray:
    return (np.abs(img.astype(int) - rgb) <= tol).all(axis=2)


def panel_of(shot: np.ndarray) -> np.ndarray:
    """The counters' panel: the bounding box of its colour at the top left."""
    h, w = shot.shape[:2]
    ys, xs = np.nonzero(colour(shot[: h // 2, : w // 2], PANEL_RGB, 1))
    assert len(ys), "no counter panel on screen"
    return shot[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def write_recording(path: Path, script: Script, width_px: int = 1280,
                    height_px: int = 720, absent_until_s: float = 0.0) -> Path:
    """The script's poses as a recording (no person in view before ``absent_until_s``)."""
    frames = script.frames()
    info = SourceInfo(name=path.name, kind="video", width_px=width_px, height_px=height_px,
                      fps=30.0, frame_count=len(frames))
    with RecordingWriter(path, info, None) as writer:
        for f in frames:
            if f.t_ms < absent_until_s * 1000:
                writer.write(PoseFrame(f.index, f.t_ms, width_px, height_px))
                continue
            writer.write(PoseFrame(f.index, f.t_ms, width_px, height_px, image=f.image,
                                   world=f.world, visibility=f.visibility,
                                   presence=f.presence))
    return path


def test_sag_banner_and_cue_while_the_hips_sag_and_one_history_row(display, extracted,
                                                                   tmp_path):
    """bridge_hold_sag: the hips sag by 20 deg for 2 s in the middle of the 2nd hold."""
    from formcheck.analysis import load_exercise

    _, truth = rendered_clip("bridge_hold_sag")
    sag = next(f for f in truth["faults"] if f["type"] == "hip_sag")
    out = tmp_path / "session"
    history = tmp_path / "history.sqlite"
    env = {**os.environ, "DISPLAY": display}
    proc = subprocess.Popen(
        [sys.executable, "-m", "formcheck", "live", "-e", "glute_bridge", "--source",
         str(recording_of("bridge_hold_sag", extracted)), "-o", str(out), "--voice-wav",
         str(out / "voice"), "--summary-s", "0", "--history", str(history)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    rec = out / "bridge_hold_sag.landmarks.jsonl"
    wait_for_session_time(rec, sag["start_s"] + 0.9, proc)
    before = session_time_s(rec)
    shot = grab_until(display, lambda shot: colour(shot, BANNER_RGB).any(), timeout_s=1.0)
    after = session_time_s(rec)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    # the screenshot was taken while the hips were sagging, and the red banner is up
    assert sag["start_s"] <= before <= after <= sag["end_s"]
    red = colour(shot, BANNER_RGB)
    assert red.sum() > 0.02 * shot.shape[0] * shot.shape[1], "no fault banner on screen"
    banner_rows = np.nonzero(red.sum(axis=1) > 0.3 * red.sum(axis=1).max())[0]
    assert white(shot[banner_rows.min():banner_rows.max() + 1]).sum() > 500  # its words
    # the cue was spoken (started) within a second of the sag's onset, and only then
    log = cue_log(out / "cues.log")
    sags = [t for t, key, _ in log if key == "fault:hips_sagging"]
    assert len(sags) == 1
    assert sag["start_s"] <= sags[0] <= sag["start_s"] + 1.0
    wavs = sorted((out / "voice").glob("*.wav"))
    assert len(wavs) == len(log)
    assert all(wav_seconds_and_rms(w)[1] > 100 for w in wavs)
    # offline, the event is placed on the sag (as before: back-dated to where it began)
    doc = json.loads((out / "results.json").read_text())
    # the pose model that made the landmarks is named (the bundled full model)
    assert doc["live"]["model"] == doc["provenance"]["model"]["file"] == \
        "pose_landmarker_full_blazepose.task"
    [event] = [f for f in doc["faults"] if f["fault"] == "hips_sagging"]
    assert abs(event["start_s"] - sag["start_s"]) < 0.4
    assert abs(event["end_s"] - sag["end_s"]) < 0.4
    # the session is stored once in the history
    with sqlite3.connect(history) as db:
        rows = db.execute("SELECT exercise, reps, mode FROM sessions").fetchall()
    assert rows == [("glute_bridge", truth["reps"]["count"], "live")]
    assert load_exercise("glute_bridge").bilateral  # one part: no side switch


def test_side_lying_final_hold_shows_a_running_timer(display, tmp_path):
    """Three lifts, then the final hold at the top for 10 s."""
    from formcheck.analysis import catalog

    s = Script(catalog()["side_lying_glute_med"])
    s.hold(1.5, s.low)
    for _ in range(3):
        s.rep()
    s.move(1.0, s.low, s.high)
    final = (s.t, s.t + 10.0)  # at the top
    s.hold(10.0, s.high)
    s.move(1.0, s.high, s.low)
    s.hold(1.0, s.low)
    source = write_recording(tmp_path / "side.landmarks.jsonl", s)
    out = tmp_path / "session"
    proc = live(display, "-e", "side_lying_glute_med", "--source", str(source), "-o", str(out),
                "--no-voice", "--summary-s", "0", "--fullscreen")
    rec = out / "side.landmarks.jsonl"
    shots = []
    for at in (final[0] + 4.0, final[0] + 7.0):
        wait_for_session_time(rec, at, proc)
        shots.append((session_time_s(rec), grab(display)))
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    panels = []
    for t, shot in shots:
        assert final[0] < t < final[1]
        h = shot.shape[0]
        panel = panel_of(shot)
        big = [b for b in text_bands(white(panel)) if b[1] >= 0.06 * h]
        assert len(big) == 3, "rep, set and the hold timer, each in large letters"
        panels.append((panel, big))
    # the third line (the timer) changed between the two shots; the set line did not
    (p1, b1), (p2, b2) = panels
    y, hh = b1[2]
    assert (white(p1[y:y + hh]) != white(p2[y:y + hh])).sum() > 50
    y, hh = b1[1]
    assert (white(p1[y:y + hh]) != white(p2[y:y + hh])).sum() == 0


def bridge_hold_script(hold_s: float, rest_after_s: float) -> tuple[Script, float]:
    """Lying 3 s, one bridge held ``hold_s``, then lying; returns the script and when the
    hips pass the top threshold (the hold's start)."""
    from formcheck.analysis import catalog

    ex = catalog()["glute_bridge"]
    s = Script(ex)
    s.hold(3.0, s.low)
    lift_s = s.t
    s.move(1.0, s.low, s.high)
    s.hold(hold_s, s.high)
    s.move(1.0, s.high, s.low)
    s.hold(rest_after_s, s.low)
    top = lift_s + (ex.movement.top - s.low) / (s.high - s.low)
    return s, top


def test_a_60_s_hold_is_coached_by_voice_and_the_session_ends_at_the_dose(display,
                                                                          tmp_path):
    script, top_s = bridge_hold_script(62.0, 30.0)
    source = write_recording(tmp_path / "hold.landmarks.jsonl", script)
    out = tmp_path / "session"
    proc = live(display, "-e", "glute_bridge", "--source", str(source), "-o", str(out),
                "--voice-wav", str(out / "voice"), "--summary-s", "0", "--reps", "1")
    stdout, stderr = proc.communicate(timeout=200)
    assert proc.returncode == 0, stderr
    lowered_s = top_s + 62.0 + 0.7  # the hips back past the start threshold
    expected = [("Ready. Start when you like.", None), ("Hold", top_s),
                ("30 seconds", top_s + 30), ("ten seconds left", top_s + 50),
                ("five", top_s + 55), ("four", top_s + 56), ("three", top_s + 57),
                ("two", top_s + 58), ("one", top_s + 59), ("and lower", top_s + 60),
                ("one. Rest", lowered_s),
                ("That's the whole exercise done. Well done! Both sides: 1 hold; longest hold "
                 "62 s. Good form.", lowered_s)]
    log = cue_log(out / "cues.log")
    # in order; a countdown number may give way to the next one when the computer is too
    # busy to say it in time (the speech never falls more than one phrase behind), no
    # other phrase
    phrases = [p for _, _, p in log]
    due = dict(expected)
    assert phrases == [p for p, _ in expected if p in phrases]
    countdown = {"five", "four", "three", "two", "one"}
    assert {p for p, _ in expected} - set(phrases) <= countdown
    assert len(countdown - set(phrases)) <= 1
    # none more than one phrase late: each starts before the one before it would have
    # ended had it started on time (+0.5 s for the smoothing lag and the display)
    wavs = sorted((out / "voice").glob("*.wav"))
    durations = [wav_seconds_and_rms(w)[0] for w in wavs]
    assert len(durations) == len(log)
    for i, (spoken, _, phrase) in enumerate(log):
        if due[phrase] is None:
            continue
        allowed = (durations[i - 1] if i else 0.0) + 0.5
        assert due[phrase] - 0.3 <= spoken <= due[phrase] + allowed, (phrase, spoken)
    # it ended by itself at the dose, long before the recording's end
    recorded = (out / "hold.landmarks.jsonl").read_text().splitlines()
    assert len(recorded) - 2 < 0.8 * len(script.frames())
    doc = json.loads((out / "results.json").read_text())
    assert doc["summary"]["reps_done"] == 1 and doc["summary"]["reps_target"] == 1
    assert "Both sides: 1 hold; longest hold 62 s. Good form." in stdout


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)])
def test_text_sized_to_the_screen_when_full_screen(size, tmp_path):
    """Counters at least 6 % of the screen's height, the fault banner's letters at least 4 %,
    measured on the screen."""
    from formcheck.analysis import catalog

    ex = catalog()["glute_bridge"]
    s = Script(ex)
    s.hold(2.0, s.low)
    s.move(1.0, s.low, s.high)
    s.hold(3.0, s.high)
    s.move(0.3, s.high, s.high - 25.0)  # a sag that lasts
    s.hold(20.0, s.high - 25.0)
    source = write_recording(tmp_path / "sag.landmarks.jsonl", s)
    out = tmp_path / "session"
    with xvfb(*size) as display:
        proc = live(display, "-e", "glute_bridge", "--source", str(source), "-o", str(out),
                    "--no-voice", "--summary-s", "0", "--fullscreen")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "fault:" not in _read(out / "cues.log"):
            time.sleep(0.1)
        # the sag lasts 20 s: the banner is up well before it ends
        shot = grab_until(display, lambda shot: full_width_banner_rows(shot).size > 0)
        proc.kill()
        proc.communicate(timeout=30)
    from PIL import Image

    Image.fromarray(shot).save(tmp_path / "screen.png")  # to look at when it fails
    h, w = shot.shape[:2]
    assert (w, h) == size
    rows = full_width_banner_rows(shot)
    assert len(rows), "no fault banner on screen"
    counters = text_bands(white(panel_of(shot)))
    assert len(counters) == 3  # rep, set and hold (what to do is in another colour)
    # "Set 1 of 1" (second line) has no descender: its height is the letters' height
    assert counters[1][1] / h >= 0.06, counters
    banner_text = text_bands(white(shot[rows.min():, :]))
    assert banner_text and banner_text[0][1] / h >= 0.04, banner_text


def full_width_banner_rows(shot: np.ndarray) -> np.ndarray:
    """Rows that are more than half banner red."""
    return np.nonzero(colour(shot, BANNER_RGB).sum(axis=1) > 0.5 * shot.shape[1])[0]


def _read(path: Path) -> str:
    return path.read_text() if path.is_file() else ""


def test_a_portrait_source_fits_the_screen_and_the_setup_shows_the_start_position(display,
                                                                                   tmp_path):
    """Nobody in view for the first 4 s: the setup step shows the picture of the start
    position (lying on the back, knees bent); once the person lies still in it, counting
    starts and the picture goes."""
    from formcheck.analysis import catalog
    from formcheck.outputs.figure import FIGURE_BGR

    figure_rgb = tuple(reversed(FIGURE_BGR))
    s = Script(catalog()["glute_bridge"])
    s.hold(8.0, s.low)
    source = write_recording(tmp_path / "portrait.landmarks.jsonl", s, 720, 1280,
                             absent_until_s=4.0)
    out = tmp_path / "session"
    proc = live(display, "-e", "glute_bridge", "--source", str(source), "-o", str(out),
                "--no-voice", "--summary-s", "0")
    recording = out / "portrait.landmarks.jsonl"
    wait_for_session_time(recording, 2.0, proc)
    shots = [grab_until(display, lambda shot: colour(shot, figure_rgb, 2).any())]
    wait_for_session_time(recording, 6.5, proc)
    shots.append(grab(display))
    proc.kill()
    proc.communicate(timeout=30)
    shot = shots[0]
    window = (shot != shot[-1, -1]).any(axis=2)  # not the screen's background
    ys, xs = np.nonzero(window)
    height = ys.max() - ys.min() + 1
    assert height <= shot.shape[0]
    assert height >= 0.8 * shot.shape[0]  # as large as the screen allows
    assert 0.5 < (xs.max() - xs.min() + 1) / height < 0.6  # at the source's aspect
    # the picture: at the window's top (below the counters), right, then gone
    from PIL import Image

    Image.fromarray(shot).save(tmp_path / "setup.png")  # to look at when it fails
    fy, fx = np.nonzero(colour(shot, figure_rgb, 2))
    assert len(fy) > 200, "no picture of the start position during the setup"
    width = xs.max() - xs.min() + 1
    assert fy.max() < ys.min() + height / 2
    assert fx.min() > xs.min() + 0.25 * width and fx.max() > xs.max() - 0.2 * width
    gone = colour(shots[1], figure_rgb, 2)
    assert gone.sum() == 0, "the picture stayed after the setup"


def test_a_two_exercise_programme_runs_end_to_end_from_source_files(display, tmp_path):
    """With the patient's prescription for the second exercise (the programme gives no
    dose for it), the rest said between, and the patient's ratings asked at each end:
    10 (1 then 0) and skipped for the first, all skipped (q) for the second."""
    from formcheck.analysis import Prescribed, catalog
    from formcheck.commands import prescribe

    bridge = Script(catalog()["glute_bridge"])
    bridge.hold(1.5, bridge.low)
    bridge.rep(top_s=4.0)
    bridge.hold(20.0, bridge.low)  # never reached: the dose is done before
    kick = Script(catalog()["quadruped_hip_extension"])
    kick.hold(1.5, kick.low)
    kick.rep()
    kick.rep()
    kick.hold(20.0, kick.low)
    sources = [write_recording(tmp_path / "a.landmarks.jsonl", bridge),
               write_recording(tmp_path / "b.landmarks.jsonl", kick)]
    history = tmp_path / "history.sqlite"
    prescribe(history, "p07", Prescribed("quadruped_hip_extension", reps=2, sides="left"))
    program = tmp_path / "monday.toml"
    program.write_text('title = "Monday"\nrest_between_s = 1\n\n'
                       '[[exercise]]\nname = "bridge"\nreps = 1\nhold_s = 3\n\n'
                       '[[exercise]]\nname = "donkey-kick"\n')
    out = tmp_path / "day"
    proc = subprocess.Popen(
        [sys.executable, "-m", "formcheck", "live", "--program", str(program), "--source",
         *map(str, sources), "-o", str(out), "--no-voice", "--summary-s", "0", "--rating-s",
         "30", "--history", str(history), "--patient", "p07"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "DISPLAY": display})
    first_dir, second_dir = out / "01-glute_bridge", out / "02-quadruped_hip_extension"
    wait_for_cue(first_dir / "cues.log", "rating:effort_0_10", proc)
    press_keys(display, "1", "0")
    wait_for_cue(first_dir / "cues.log", "rating:pain_0_10", proc)
    press_keys(display, "s")
    wait_for_cue(second_dir / "cues.log", "rating:effort_0_10", proc)
    press_keys(display, "q")
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    first = json.loads((first_dir / "results.json").read_text())
    second = json.loads((second_dir / "results.json").read_text())
    assert (first["summary"]["reps_done"], first["summary"]["hold_target_s"]) == (1, 3.0)
    assert (second["summary"]["reps_done"], second["side"]) == (2, "left")
    assert (second["summary"]["reps_target"], second["summary"]["dose_from"]) == \
        (2, "prescription")
    assert stdout.startswith("Monday: 2 of 2 exercises")
    assert "Glute bridge activation hold:" in stdout and "Left side: 2 reps" in stdout
    # each ended by itself at its dose, well before its recording did
    for folder, script in ((first_dir, bridge), (second_dir, kick)):
        recorded = next(folder.glob("*.landmarks.jsonl")).read_text().splitlines()
        assert len(recorded) < 0.8 * len(script.frames())
    # the dose said at the start (and shown), the rest between said
    said = {key: phrase for _, key, phrase in cue_log(first_dir / "cues.log")}
    assert said["intro"] == ("Exercise 1 of 2: Glute bridge activation hold. Today's "
                             "programme: 1 hold of 3 seconds.")
    said = {key: phrase for _, key, phrase in cue_log(second_dir / "cues.log")}
    assert said["intro"] == ("Exercise 2 of 2: Quadruped hip extension (heel to the "
                             "ceiling). Your prescription: 2 reps, left side only.")
    assert [phrase for _, _, phrase in cue_log(out / "cues.log")] == [
        "Rest 1 second. Next: Quadruped hip extension (heel to the ceiling).",
        "Rest over. Next: Quadruped hip extension (heel to the ceiling)."]
    # the ratings: in results.json, the history and the clinician's report
    assert first["rating"] == {"effort_0_10": 10, "pain_0_10": None}
    assert second["rating"] == {"effort_0_10": None, "pain_0_10": None}
    with sqlite3.connect(history) as db:
        rows = db.execute("SELECT exercise, patient, effort_0_10, pain_0_10 FROM sessions "
                          "ORDER BY id").fetchall()
    assert rows == [("glute_bridge", "p07", 10, None),
                    ("quadruped_hip_extension", "p07", None, None)]
    report = (first_dir / "report.html").read_text()
    assert '<b id="effort">10</b>' in report and '<b id="pain">skipped</b>' in report
    assert "the patient rated effort 10/10." in report  # the summary sentence

"""A corpus of bad inputs across extract, analyze, live, history and exercises.

Each case builds a small bad input (most are mutations of a real recording of the bundled
sample), runs the command line, and asserts the exit code, that the first line on stderr
names the problem, and that there is no traceback.  Most run ``formcheck.cli.main``
in-process (an exception other than formcheck's own would escape it and fail the case);
those where a hang or the process's own exit code is the point run as subprocesses, in
test_bad_input.py and below.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import SAMPLES
from formcheck.cli import main

EXERCISE = "quadruped_hip_extension"
SAMPLE = SAMPLES / "quadruped_ext_clean.mp4"
SAMPLE_FRAMES = 555  # frames of the sample video (its container's count)


@dataclass
class Env:
    """What a case builds its input from: a real recording's lines and a scratch folder."""

    tmp: Path
    lines: list[str]  # the real recording, one JSON text per line (header first)
    display: str | None = None

    @property
    def header(self) -> dict:
        return json.loads(self.lines[0])

    def recording(self, lines: list[str] | bytes, name: str = "bad.landmarks.jsonl") -> Path:
        path = self.tmp / name
        if isinstance(lines, bytes):
            path.write_bytes(lines)
        else:
            path.write_text("".join(line + "\n" for line in lines))
        return path

    def with_header(self, **source) -> Path:
        header = self.header
        header["source"].update(source)
        return self.recording([json.dumps(header), *self.lines[1:]])

    def with_frames(self, change: Callable[[int, dict], dict | None]) -> Path:
        """Each frame line (index from 0) through ``change``; None drops it."""
        out = [self.lines[0]]
        for i, line in enumerate(self.lines[1:-1]):
            rec = change(i, json.loads(line))
            if rec is not None:
                out.append(json.dumps(rec))
        return self.recording([*out, self.lines[-1]])

    def exercise(self, replace: dict[str, str] | None = None, append: str = "") -> Path:
        text = (SRC_EXERCISES / f"{EXERCISE}.toml").read_text()
        for old, new in (replace or {}).items():
            assert old in text, old
            text = text.replace(old, new, 1)
        path = self.tmp / "my_exercise.toml"
        path.write_text(text + append)
        return path

    def analyze(self, source: Path | str, *extra: str) -> list[str]:
        return ["analyze", str(source), "-e", EXERCISE, "-o", str(self.tmp / "out"),
                "--no-history", *extra]


SRC_EXERCISES = Path(__file__).resolve().parents[1] / "src" / "formcheck" / "analysis" / \
    "exercises"


@dataclass
class Case:
    id: str
    build: Callable[[Env], list[str]]  # the command line
    phrases: tuple[str, ...]  # each must be in the first line on stderr
    code: int = 2
    absent: tuple[str, ...] = ()  # must not be in the first line
    after: Callable[[Env], None] | None = None  # checks on what is on disk afterwards
    needs: set[str] = field(default_factory=set)  # "display"


def _set(rec: dict, **values) -> dict:
    rec.update(values)
    return rec


def _nan_image(i: int, rec: dict) -> dict:
    if i in (10, 11, 12, 13, 14) and rec.get("image"):
        rec["image"][0][0] = float("nan") if i % 2 else float("inf")
    return rec


def _results(env: Env) -> dict:
    return json.loads((env.tmp / "out" / "results.json").read_text())


def _incomplete_marked(env: Env) -> None:
    doc = _results(env)
    assert doc["input_complete"] is False
    assert any("incomplete" in w for w in doc["input_warnings"])
    assert "incomplete" in (env.tmp / "out" / "report.html").read_text()


def _warned(env: Env, phrase: str) -> None:
    assert any(phrase in w for w in _results(env)["input_warnings"])
    assert phrase in (env.tmp / "out" / "report.html").read_text()


def _fifo(env: Env, name: str) -> Path:
    path = env.tmp / name
    os.mkfifo(path)
    return path


def _foreign_db(env: Env) -> Path:
    path = env.tmp / "other_app.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE sessions (token TEXT, user TEXT, expires INTEGER)")
        db.execute("INSERT INTO sessions VALUES ('abc', 'ann', 0)")
    return path


#: Another application's database with no 'sessions' table (a browser's cookie store).
_COOKIES_SCHEMA = (
    "CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, host TEXT, name TEXT, value TEXT)",
    "CREATE INDEX moz_cookies_host ON moz_cookies (host)",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
)


def _cookies_db(env: Env) -> Path:
    path = env.tmp / "cookies.sqlite"
    with sqlite3.connect(path) as db:
        for statement in _COOKIES_SCHEMA:
            db.execute(statement)
        db.execute("INSERT INTO moz_cookies VALUES (1, 'example.org', 'sid', 'xyz')")
    return path


def _cookies_db_untouched(env: Env) -> None:
    path = env.tmp / "cookies.sqlite"
    with sqlite3.connect(path) as db:
        schema = [r[0] for r in db.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")]
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
        assert db.execute("SELECT * FROM moz_cookies").fetchall() == [
            (1, "example.org", "sid", "xyz")]
        assert db.execute("PRAGMA user_version").fetchone()[0] == 0
    assert schema == list(_COOKIES_SCHEMA)
    assert names == {"moz_cookies", "moz_cookies_host", "meta", "sqlite_autoindex_meta_1"}


def _session_files_kept(env: Env) -> None:
    doc = _results(env)
    assert doc["summary"]["reps_done"] >= 1
    assert "<html" in (env.tmp / "out" / "report.html").read_text()


def _foreign_db_untouched(env: Env) -> None:
    with sqlite3.connect(env.tmp / "other_app.sqlite") as db:
        assert db.execute("SELECT * FROM sessions").fetchall() == [("abc", "ann", 0)]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert tables == {"sessions"}


def _input_intact(env: Env) -> None:
    text = (env.tmp / "bad.landmarks.jsonl").read_text()
    assert text.splitlines() == env.lines


def _live_recording_kept(env: Env) -> None:
    from formcheck.capture import RecordingReader

    reader = RecordingReader(env.tmp / "live" / "bad.landmarks.jsonl")
    assert 0 < len(list(reader)) <= 29
    assert reader.end["status"] == "ended_early"


def _video(env: Env, name: str, frames: int, size=(320, 240)) -> Path:
    import cv2
    import numpy as np

    path = env.tmp / name
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, size)
    for _ in range(frames):
        writer.write(np.full((size[1], size[0], 3), 100, np.uint8))
    writer.release()
    return path


def _image(env: Env) -> Path:
    import cv2
    import numpy as np

    path = env.tmp / "photo.png"
    cv2.imwrite(str(path), np.full((240, 320, 3), 100, np.uint8))
    return path


def _truncated_sample(env: Env) -> Path:
    path = env.tmp / "unfinished.mp4"
    path.write_bytes(SAMPLE.read_bytes()[:300_000])
    return path


def _tiny_sample(env: Env) -> Path:
    """The sample's first second shrunk to 64 x 48 pixels."""
    import cv2

    path = env.tmp / "tiny.mp4"
    cap = cv2.VideoCapture(str(SAMPLE))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (64, 48))
    for _ in range(30):
        ok, frame = cap.read()
        writer.write(cv2.resize(frame, (64, 48), interpolation=cv2.INTER_AREA))
    writer.release()
    cap.release()
    return path


def _text(env: Env, name: str, content: str | bytes) -> Path:
    path = env.tmp / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def _live(env: Env, *args: str) -> list[str]:
    return ["live", "-e", EXERCISE, "--no-voice", "--no-history", "--summary-s", "0",
            "-o", str(env.tmp / "live"), *args]


CASES = [
    # --- recordings (analyze) ---------------------------------------------------------
    Case("rec_invalid_utf8", lambda e: e.analyze(e.recording(
        "\n".join(e.lines[:4]).encode() + b"\n" + e.lines[4].encode()[:50] + b"\xff"
        + e.lines[4].encode()[50:] + b"\n" + "\n".join(e.lines[5:]).encode() + b"\n")),
        ("bad.landmarks.jsonl line 5", "not UTF-8", "extract the recording again")),
    Case("rec_bare_number_line", lambda e: e.analyze(e.recording(
        [*e.lines[:2], "42", *e.lines[2:]])), ("line 3", "expected a frame")),
    Case("rec_width_not_number", lambda e: e.analyze(e.with_header(width_px="wide")),
         ("line 1", "source.width_px is 'wide'", "extract the recording again")),
    Case("rec_zero_frame_size", lambda e: e.analyze(e.with_header(height_px=0)),
         ("source.height_px is 0", "not a positive number")),
    Case("rec_fps_not_number", lambda e: e.analyze(e.with_header(fps="thirty")),
         ("source.fps is 'thirty'",)),
    Case("rec_fps_nan", lambda e: e.analyze(e.with_header(fps=float("nan"))),
         ("source.fps is nan",)),
    Case("rec_frame_count_text", lambda e: e.analyze(e.with_header(frame_count="many")),
         ("source.frame_count is 'many'",)),
    Case("rec_header_source_missing", lambda e: e.analyze(e.recording(
        [json.dumps({k: v for k, v in e.header.items() if k != "source"}), *e.lines[1:]])),
        ("header 'source' is missing",)),
    Case("rec_all_timestamps_equal", lambda e: e.analyze(e.with_frames(
        lambda i, r: _set(r, t_ms=0.0))), ("timestamps do not advance",)),
    Case("rec_version_text", lambda e: e.analyze(e.recording(
        [json.dumps({**e.header, "version": "1"}), *e.lines[1:]])),
        ("header version is '1'", "extract the recording again"), absent=("upgrade",)),
    Case("rec_version_newer", lambda e: e.analyze(e.recording(
        [json.dumps({**e.header, "version": 99}), *e.lines[1:]])),
        ("format version 99", "upgrade formcheck")),
    Case("rec_header_only", lambda e: e.analyze(e.recording(e.lines[:1])),
         ("bad.landmarks.jsonl holds no usable frames",), absent=("quadruped_ext_clean",)),
    Case("rec_not_a_recording", lambda e: e.analyze(_text(e, "notes.landmarks.jsonl",
                                                          "shopping list\n")),
         ("notes.landmarks.jsonl is not a formcheck landmark recording",)),
    Case("rec_corrupt_middle_line", lambda e: e.analyze(e.recording(
        [*e.lines[:9], e.lines[9][:40], *e.lines[10:]])), ("line 10", "not valid JSON")),
    Case("rec_frame_without_time", lambda e: e.analyze(e.with_frames(
        lambda i, r: {k: v for k, v in r.items() if k != "t_ms"} if i == 2 else r)),
        ("line 4", "'i' and 't_ms'")),
    Case("rec_index_infinite", lambda e: e.analyze(e.with_frames(
        lambda i, r: _set(r, i=float("inf")) if i == 2 else r)), ("line 4", "'i' and 't_ms'")),
    Case("rec_image_wrong_shape", lambda e: e.analyze(e.with_frames(
        lambda i, r: _set(r, image=r["image"][:5]) if i == 3 else r)),
        ("line 5", "field 'image' has shape")),
    Case("rec_line_is_a_list", lambda e: e.analyze(e.recording(
        [*e.lines[:3], "[1, 2, 3]", *e.lines[3:]])), ("line 4", "expected a frame")),
    Case("rec_missing", lambda e: e.analyze(e.tmp / "gone.landmarks.jsonl"),
         ("recording not found", "gone.landmarks.jsonl")),
    Case("rec_fifo", lambda e: e.analyze(_fifo(e, "pipe.landmarks.jsonl")),
         ("pipe.landmarks.jsonl is not a regular file",)),
    Case("rec_single_frame", lambda e: e.analyze(e.recording(
        [e.lines[0], e.lines[1], e.lines[-1]])), ("holds a single frame", "needs a video")),
    # warnings: the analysis runs (exit 0) and the first line on stderr says what was wrong
    Case("rec_nan_coordinates", lambda e: e.analyze(e.with_frames(_nan_image)),
         ("warning", "5 frames had landmark coordinates that are not finite"), code=0,
         after=lambda e: _warned(e, "5 frames had landmark coordinates")),
    Case("rec_timestamps_backwards", lambda e: e.analyze(e.with_frames(
        lambda i, r: _set(r, t_ms=r["t_ms"] - 500.0) if i in (50, 51, 52) else r)),
        ("warning", "3 frames had a timestamp not after the previous"), code=0,
        after=lambda e: _warned(e, "3 frames had a timestamp")),
    Case("rec_partial_no_end_line", lambda e: e.analyze(e.recording(e.lines[:301])),
         ("warning", "is incomplete", f"300 frames found of the {SAMPLE_FRAMES} frames"),
         code=0, after=_incomplete_marked),
    Case("rec_cut_off_mid_line", lambda e: e.analyze(e.recording(
        ("\n".join(e.lines[:401]) + "\n" + e.lines[401][:100]).encode())),
        ("warning", "is incomplete", "400 frames found"), code=0, after=_incomplete_marked),
    # --- videos and cameras (extract) -----------------------------------------------
    Case("video_missing", lambda e: ["extract", str(e.tmp / "nope.mp4"), "-o",
                                     str(e.tmp / "r.jsonl")], ("video file not found",)),
    Case("video_empty", lambda e: ["extract", str(_text(e, "empty.mp4", b"")), "-o",
                                   str(e.tmp / "r.jsonl")], ("empty (0 bytes)",)),
    Case("video_is_text", lambda e: ["extract", str(_text(e, "notes.mp4", "not video\n" * 9)),
                                     "-o", str(e.tmp / "r.jsonl")],
         ("cannot decode", "convert it to MP4")),
    Case("video_moov_missing", lambda e: ["extract", str(_truncated_sample(e)), "-o",
                                          str(e.tmp / "r.jsonl")],
         ("unfinished.mp4 has no index", "'moov' atom is missing", "copy or export it again"),
         absent=("convert it",)),
    Case("video_dev_urandom", lambda e: ["extract", "/dev/urandom", "-o", str(e.tmp / "r.jsonl")],
         ("/dev/urandom is not a regular file",), absent=("empty",)),
    Case("video_folder", lambda e: ["extract", str(e.tmp), "-o", str(e.tmp / "r.jsonl")],
         ("is a folder",)),
    Case("video_still_image", lambda e: ["extract", str(_image(e)), "-o", str(e.tmp / "r.jsonl")],
         ("photo.png holds a single picture, not a video",)),
    Case("video_one_frame", lambda e: ["extract", str(_video(e, "one.mp4", 1)), "-o",
                                       str(e.tmp / "r.jsonl")], ("single picture, not a video",)),
    Case("video_person_too_small", lambda e: e.analyze(_tiny_sample(e)),
         ("warning", "64x48 picture of tiny.mp4", "too small to measure reliably"), code=0,
         after=lambda e: _warned(e, "too small")),
    Case("camera_missing", lambda e: ["extract", "57", "-o", str(e.tmp / "r.jsonl")],
         ("camera 57 could not be opened",)),
    Case("extract_output_is_input", lambda e: ["extract", str(e.recording(e.lines)), "-o",
                                               str(e.tmp / "bad.landmarks.jsonl")],
         ("is the input", "choose another output"), after=_input_intact),
    Case("extract_output_is_input_spelt_otherwise", lambda e: [
        "extract", str(e.recording(e.lines)), "-o",
        str(e.tmp / "out" / ".." / "bad.landmarks.jsonl")], ("is the input",),
        after=_input_intact),
    Case("extract_disk_full", lambda e: ["extract", str(e.recording(e.lines)), "-o", "/dev/full"],
         ("disk is full", "/dev/full"), code=1),
    Case("extract_output_under_a_file", lambda e: [
        "extract", str(e.recording(e.lines)), "-o", str(_text(e, "f", "x") / "r.jsonl")],
        ("choose another output with -o",), code=1),
    Case("model_missing", lambda e: ["extract", str(SAMPLE), "-o", str(e.tmp / "r.jsonl"),
                                     "--model", str(e.tmp / "pose_landmarker_heavy.task")],
         ("pose model not found",)),
    # --- analyze options ------------------------------------------------------------
    Case("analyze_camera_index", lambda e: ["analyze", "0", "-e", EXERCISE],
         ("analyze takes files",)),
    Case("analyze_glob_without_match", lambda e: e.analyze(e.tmp / "*.nothing"),
         ("no file matches",)),
    Case("analyze_workers_zero", lambda e: e.analyze(SAMPLE, "--workers", "0"),
         ("--workers", "whole number (1 or more)")),
    Case("analyze_unknown_option", lambda e: e.analyze(SAMPLE, "--speed", "2"),
         ("unrecognized arguments: --speed",)),
    # --- exercise files ---------------------------------------------------------------
    Case("ex_lowpass_zero", lambda e: ["exercises", "show", str(e.exercise(
        append="\n[smoothing]\nlowpass_hz = 0\n"))],
        ("my_exercise.toml", "smoothing.lowpass_hz: must be above 0")),
    Case("ex_median_zero", lambda e: ["exercises", "show", str(e.exercise(
        append="\n[smoothing]\nmedian_frames = 0\n"))],
        ("my_exercise.toml", "smoothing.median_frames: must be above 0")),
    Case("ex_median_fraction", lambda e: ["exercises", "show", str(e.exercise(
        append="\n[smoothing]\nmedian_frames = 2.5\n"))],
        ("smoothing.median_frames: expected a whole number, got 2.5",)),
    Case("ex_lowpass_tiny", lambda e: ["exercises", "show", str(e.exercise(
        append="\n[smoothing]\nlowpass_hz = 1e-9\n"))],
        ("smoothing.lowpass_hz: must be at least 0.1 Hz",)),
    Case("ex_lowpass_above_nyquist", lambda e: ["analyze", str(e.recording(e.lines)), "-e",
                                                str(e.exercise(append="\n[smoothing]\n"
                                                               "lowpass_hz = 20.0\n")),
                                                "--no-history", "-o", str(e.tmp / "out")],
         ("smoothing.lowpass_hz = 20", "Nyquist frequency (15 Hz)", "30 fps")),
    Case("ex_track_empty_name", lambda e: ["exercises", "show", str(e.exercise(
        {'tracks = ["': 'tracks = ["", "'}))], ("tracks[0]: unknown feature ''",)),
    Case("ex_nan_threshold", lambda e: ["exercises", "show", str(e.exercise(
        {"start = ": "start = nan # "}))], ("movement.start: expected a finite number",)),
    Case("ex_inf_fault_threshold", lambda e: ["exercises", "show", str(e.exercise(
        {"above = ": "above = inf # "}))], ("faults[", "expected a finite number, got inf")),
    Case("ex_negative_min_rep_s", lambda e: ["exercises", "show", str(e.exercise(
        {"min_rep_s = ": "min_rep_s = -1.0 # "}))],
        ("movement.min_rep_s: must not be negative",)),
    Case("ex_negative_dose", lambda e: ["exercises", "show", str(e.exercise(
        {"[dose]\n": "[dose]\nrest_min_s = -5.0\n"}))], ("dose.rest_min_s: must not be negative",)),
    Case("ex_min_quality_above_one", lambda e: ["exercises", "show", str(e.exercise(
        {"\n[movement]": "min_quality = 1.5\n\n[movement]"}))],
        ("min_quality: must be between 0 and 1",)),
    Case("ex_every_problem_at_once", lambda e: ["exercises", "show", str(e.exercise(
        {"\n[movement]": "min_quality = -0.5\n\n[movement]", "start = ": "start = nan # ",
         "[dose]\n": "[dose]\nhold_s = -1.0\n"}))],
        ("3 problem(s)", "min_quality", "movement.start", "dose.hold_s")),
    Case("ex_wrong_type", lambda e: ["exercises", "show", str(e.exercise(
        {"start = ": "start = 'ninety' # "}))], ("movement.start: expected a number",)),
    Case("ex_unknown_key", lambda e: ["exercises", "show", str(e.exercise(
        {"[movement]\n": "[movement]\nspeed = 2\n"}))], ("movement.speed: unknown key",)),
    Case("ex_not_toml", lambda e: ["exercises", "show", str(_text(e, "x.toml", "a = = b"))],
         ("x.toml is not valid TOML",)),
    Case("ex_not_utf8", lambda e: ["exercises", "show", str(_text(e, "x.toml", b"a = '\xff'"))],
         ("x.toml is not valid TOML",)),
    Case("ex_unknown_name", lambda e: ["exercises", "show", "squats"], ("unknown exercise",)),
    Case("ex_file_missing", lambda e: ["exercises", "show", str(e.tmp / "gone.toml")],
         ("exercise file not found",)),
    # --- history ----------------------------------------------------------------------
    Case("hist_other_apps_sqlite", lambda e: [
        "analyze", str(e.recording(e.lines)), "-e", EXERCISE, "-o", str(e.tmp / "out"),
        "--history", str(_foreign_db(e))], ("other_app.sqlite belongs to another application",
                                            "--no-history"),
        after=lambda e: (_session_files_kept(e), _foreign_db_untouched(e))),
    Case("hist_other_apps_sqlite_listed", lambda e: ["history", "--history", str(_foreign_db(e))],
         ("belongs to another application",), after=_foreign_db_untouched),
    Case("hist_foreign_sqlite_no_sessions_table", lambda e: [
        "analyze", str(e.recording(e.lines)), "-e", EXERCISE, "-o", str(e.tmp / "out"),
        "--history", str(_cookies_db(e))],
        ("cookies.sqlite belongs to another application", "moz_cookies", "--no-history"),
        after=lambda e: (_session_files_kept(e), _cookies_db_untouched(e))),
    Case("hist_foreign_sqlite_no_sessions_table_listed", lambda e: [
        "history", "--history", str(_cookies_db(e))],
        ("cookies.sqlite belongs to another application", "--history"),
        after=_cookies_db_untouched),
    Case("hist_not_a_database", lambda e: [
        "analyze", str(e.recording(e.lines)), "-e", EXERCISE, "-o", str(e.tmp / "out"),
        "--history", str(_text(e, "h.sqlite", "notes\n" * 200))],
        ("h.sqlite is not a formcheck history database", "files were written to"),
        after=_session_files_kept),
    Case("hist_is_a_folder", lambda e: [
        "analyze", str(e.recording(e.lines)), "-e", EXERCISE, "-o", str(e.tmp / "out"),
        "--history", str(e.tmp)], ("is a folder", "pass a history file"),
        after=_session_files_kept),
    # --- live ---------------------------------------------------------------------------
    Case("live_summary_nan", lambda e: _live(e, "--summary-s", "nan"),
         ("--summary-s", "number of seconds (0 or more)", "'nan'")),
    Case("live_summary_negative", lambda e: _live(e, "--summary-s", "-3"),
         ("--summary-s", "'-3'")),
    Case("live_unknown_exercise", lambda e: ["live", "-e", "squats", "--source", str(SAMPLE)],
         ("unknown exercise",)),
    Case("live_source_missing", lambda e: _live(e, "--source", str(e.tmp / "gone.mp4")),
         ("video file not found",), needs={"display"}),
    Case("live_source_fifo", lambda e: _live(e, "--source", str(_fifo(e, "cam.mp4"))),
         ("cam.mp4 is not a regular file",), needs={"display"}),
    Case("live_source_corrupt_recording", lambda e: _live(e, "--source", str(e.recording(
        [*e.lines[:30], "7", *e.lines[30:]]))), ("line 31", "expected a frame"),
        needs={"display"}, after=_live_recording_kept),
    Case("live_no_display", lambda e: _live(e, "--source", str(e.recording(e.lines))),
         ("no screen for the live window",)),
]


@pytest.fixture(scope="module")
def sample_lines(extracted) -> list[str]:
    """The real recording of the bundled sample, made once with the bundled model."""
    return extracted(SAMPLE).read_text().splitlines()


def run_main(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, sample_lines, tmp_path, capsys, monkeypatch, request):
    env = Env(tmp_path, sample_lines)
    if "display" in case.needs:
        monkeypatch.setenv("DISPLAY", request.getfixturevalue("display"))
    else:
        monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("FORMCHECK_HISTORY", str(tmp_path / "default-history.sqlite"))
    code, _, err = run_main(case.build(env), capsys)
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "nothing said on stderr"
    assert "Traceback" not in err
    assert code == case.code, err
    for phrase in case.phrases:
        assert phrase in lines[0], err
    for phrase in case.absent:
        assert phrase not in lines[0], err
    if case.after:
        case.after(env)


def test_the_corpus_is_wide():
    assert len(CASES) >= 40
    kinds = {c.id.split("_")[0] for c in CASES}
    assert {"rec", "video", "extract", "analyze", "ex", "hist", "live"} <= kinds


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "formcheck", *args], capture_output=True,
                          text=True, timeout=timeout)


def test_extract_of_a_fifo_is_refused_not_a_hang(tmp_path):
    fifo = tmp_path / "stream.mp4"
    os.mkfifo(fifo)
    proc = cli("extract", str(fifo), "-o", str(tmp_path / "r.jsonl"), timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "is not a regular file" in proc.stderr.splitlines()[0]


def test_a_file_named_like_a_camera_is_read_as_a_file(sample_lines, tmp_path, monkeypatch,
                                                       capsys):
    monkeypatch.chdir(tmp_path)
    Path("1").write_text("".join(line + "\n" for line in sample_lines))
    code, out, err = run_main(["extract", "1", "-o", "copy.landmarks.jsonl"], capsys)
    assert code == 0, err
    assert Path("copy.landmarks.jsonl").read_text().count("\n") == len(sample_lines)


def test_one_corrupt_recording_does_not_stop_a_batch(sample_lines, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    good = "".join(line + "\n" for line in sample_lines)
    (folder / "good.landmarks.jsonl").write_text(good)
    (folder / "number.landmarks.jsonl").write_text(good.replace("\n", "\n42\n", 2))
    (folder / "bytes.landmarks.jsonl").write_bytes(good.encode()[:5000] + b"\xff\xfe"
                                                    + good.encode()[5000:])
    proc = cli("analyze", str(folder), "-e", EXERCISE, "-o", str(tmp_path / "out"),
               "--no-history", "--workers", "2")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "1 analysed, 2 failed" in proc.stdout
    table = {line.split()[0]: line for line in proc.stdout.splitlines() if line.strip()}
    assert "ok" in table["good.landmarks.jsonl"]
    assert "not UTF-8" in table["bytes.landmarks.jsonl"]
    assert "expected a frame" in table["number.landmarks.jsonl"]
    doc = json.loads((tmp_path / "out" / "good" / "results.json").read_text())
    assert doc["summary"]["reps_done"] >= 1


def test_a_busy_history_is_waited_for_then_called_busy(sample_lines, tmp_path, capsys,
                                                        monkeypatch):
    from formcheck.outputs import history as history_module

    monkeypatch.setattr(history_module, "BUSY_TIMEOUT_S", 0.5)
    db_path = tmp_path / "history.sqlite"
    with history_module.History(db_path):
        pass
    rec = tmp_path / "s.landmarks.jsonl"
    rec.write_text("".join(line + "\n" for line in sample_lines))
    holder = sqlite3.connect(db_path)
    holder.execute("BEGIN EXCLUSIVE")  # another process in the middle of a write
    try:
        code, _, err = run_main(["analyze", str(rec), "-e", EXERCISE, "-o",
                                 str(tmp_path / "out"), "--history", str(db_path)], capsys)
    finally:
        holder.rollback()
        holder.close()
    assert code == 2, err
    first = err.splitlines()[0]
    assert "history.sqlite is busy" in first and "not a formcheck history" not in first
    assert (tmp_path / "out" / "report.html").is_file()

"""Kill -9 in the middle of a run, then look at what is on disk: a partial recording that
analyses into valid results marked incomplete, and a history that passes SQLite's own
integrity check.  Also: the progress line shows on a terminal only."""

from __future__ import annotations

import json
import os
import pty
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest import SAMPLES
from formcheck.cli import main

SAMPLE = SAMPLES / "quadruped_ext_clean.mp4"
SAMPLE_FRAMES = 555
EXERCISE = "quadruped_hip_extension"


def start(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "formcheck", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)


def kill_when(proc: subprocess.Popen, path: Path, lines: int, timeout_s: float = 120) -> None:
    """SIGKILL ``proc`` as soon as ``path`` has at least ``lines`` lines."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        if path.is_file() and path.read_bytes().count(b"\n") >= lines:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return
        time.sleep(0.05)
    raise AssertionError(f"{path} never reached {lines} lines (exit {proc.poll()})")


def assert_valid_incomplete(recording: Path, out: Path, capsys) -> dict:
    code = main(["analyze", str(recording), "-e", EXERCISE, "-o", str(out), "--no-history"])
    err = capsys.readouterr().err
    assert code == 0, err
    doc = json.loads((out / "results.json").read_text())
    frames = doc["provenance"]["frames"]
    assert 100 <= frames < SAMPLE_FRAMES
    assert doc["input_complete"] is False
    first = err.splitlines()[0]
    assert "is incomplete" in first and f"{frames} frames found of the {SAMPLE_FRAMES}" in first
    assert doc["input_warnings"][0] in first
    assert "is incomplete" in (out / "report.html").read_text()
    assert len((out / "frames.csv").read_text().splitlines()) == frames + 1
    return doc


def test_kill_of_extract_leaves_an_analysable_partial_recording(tmp_path, capsys):
    rec = tmp_path / "killed.landmarks.jsonl"
    kill_when(start("extract", str(SAMPLE), "-o", str(rec)), rec, 150)
    assert b'"end"' not in rec.read_bytes()
    assert_valid_incomplete(rec, tmp_path / "out", capsys)


def test_kill_of_analyze_leaves_an_analysable_partial_recording(tmp_path, capsys):
    out = tmp_path / "first"
    rec = out / "quadruped_ext_clean.landmarks.jsonl"
    kill_when(start("analyze", str(SAMPLE), "-e", EXERCISE, "-o", str(out), "--no-history"),
              rec, 150)
    assert not (out / "results.json").exists()  # killed before the end: only the recording
    assert_valid_incomplete(rec, tmp_path / "again", capsys)


WRITER = """
import json, sys
from formcheck.outputs import History
doc = json.load(open(sys.argv[1]))
with History(sys.argv[2]) as history:
    print("open", flush=True)
    n = 0
    while True:  # a new source each time (the same source would replace its row)
        n += 1
        doc["provenance"]["source"]["sha256"] = f"source-{n}"
        history.add(doc, "analyze", sys.argv[1])
"""


def test_history_survives_a_kill_during_its_writes(extracted, tmp_path, capsys):
    rec = extracted(SAMPLE)
    assert main(["analyze", str(rec), "-e", EXERCISE, "-o", str(tmp_path / "out"),
                 "--no-history"]) == 0
    db = tmp_path / "history.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path / "out" /
                                                               "results.json"), str(db)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "open"
    time.sleep(1.0)  # hundreds of committed rows, and one in flight
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        n = conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
    assert n > 10
    capsys.readouterr()
    assert main(["history", "--history", str(db)]) == 0
    assert capsys.readouterr().out.count(EXERCISE) == n


def run_on_terminal(*args: str) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal; (exit code, stdout, terminal text)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "formcheck", *args],
                            stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    out = proc.stdout.read().decode()
    proc.wait()
    os.close(master)
    return proc.returncode, out, b"".join(chunks).decode(errors="replace")


def test_progress_on_a_terminal_only(extracted, tmp_path):
    video = extracted(SAMPLE)  # a recording: its header holds the video's frame count
    args = ("analyze", str(video), "-e", EXERCISE, "--no-history", "-o")
    code, out, term = run_on_terminal(*args, str(tmp_path / "a"))
    assert code == 0
    assert f"of {SAMPLE_FRAMES} frames (" in term and " %, " in term and " s left)" in term
    assert "reps" in out and "frames" not in out.splitlines()[0]
    code, _, term = run_on_terminal(*args, str(tmp_path / "b"), "--quiet")
    assert code == 0 and term.strip() == ""
    proc = subprocess.run([sys.executable, "-m", "formcheck", *args, str(tmp_path / "c")],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stderr == ""

"""A batch run again does only what is not done: the manifest in its output folder keys each
input by its content, the exercise file and the model; failures are kept until
--retry-failed; a changed input or exercise is analysed again.  The local process pool
imports nothing of Dask."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from formcheck.analysis import load_exercise
from formcheck.cli import main

CLIPS = ["glute_bridge_physioplus_1.mp4", "glute_bridge_tobefrank_1.mp4"]
NAMES = ["glute_bridge_physioplus_1", "glute_bridge_tobefrank_1"]


def items(out, exercise_sha256: str) -> dict[str, tuple]:
    """The manifest's rows for one exercise file: output folder -> (status, error)."""
    with sqlite3.connect(out / "formcheck-batch.sqlite") as db:
        return {r[0]: r[1:] for r in db.execute(
            "SELECT output_dir, status, error FROM items WHERE exercise_sha256 = ?",
            (exercise_sha256,))}


def test_a_batch_resumes_where_it_stopped(tmp_path, recorded, capsys):
    inputs = [shutil.copy(recorded(c), tmp_path) for c in CLIPS]
    broken = tmp_path / "broken.landmarks.jsonl"
    broken.write_text("this is not a recording\n")
    out = tmp_path / "out"

    def batch(exercise: str = "glute_bridge", *extra: str) -> int:
        return main(["analyze", *map(str, inputs), str(broken), "-e", exercise, "-o", str(out),
                     "--no-history", "--workers", "2", *extra])

    bridge = load_exercise("glute_bridge")
    assert batch() == 2
    first = items(out, bridge.sha256)
    assert {k: v[0] for k, v in first.items()} == {NAMES[0]: "done", NAMES[1]: "done",
                                                   "broken": "failed"}
    assert "broken.landmarks.jsonl is not a formcheck landmark recording" in first["broken"][1]
    capsys.readouterr()

    # again: nothing analysed, the failure reported again with its reason, exit 2
    mtimes = [(out / n / "results.json").stat().st_mtime_ns for n in NAMES]
    assert batch() == 2
    printed = capsys.readouterr().out
    assert printed.count("(earlier)") == 3 and "1 failed" in printed
    assert "not a formcheck landmark recording" in printed and "--retry-failed" in printed
    assert [(out / n / "results.json").stat().st_mtime_ns for n in NAMES] == mtimes

    # --retry-failed tries the failure, and only it, again
    assert batch("glute_bridge", "--retry-failed") == 2
    printed = capsys.readouterr().out
    assert printed.count("(earlier)") == 2 and "broken.landmarks.jsonl  FAILED  " not in printed

    # the input repaired (new content): analysed without being asked
    shutil.copy(inputs[0], broken)
    assert batch() == 0
    assert items(out, bridge.sha256)["broken"][0] == "done"
    capsys.readouterr()

    # a clinician's copy of the exercise file (changed): everything re-scored
    custom = tmp_path / "my_bridge.toml"
    text = Path(bridge.source_path).read_text()
    custom.write_text(text.replace("\n", "\n# copied for the clinic\n", 1))
    assert batch(str(custom)) == 0
    assert "(earlier)" not in capsys.readouterr().out
    assert len(items(out, load_exercise(str(custom)).sha256)) == 3
    assert len(items(out, bridge.sha256)) == 3  # the first exercise's rows are kept


def test_the_local_pool_imports_nothing_of_dask(tmp_path, recorded):
    recordings = [str(recorded(c)) for c in CLIPS]
    code = ("import sys\nfrom formcheck.cli import main\n"
            f"rc = main(['analyze', *{recordings!r}, '-e', 'glute_bridge', '-o', "
            f"{str(tmp_path)!r}, '--no-history'])\n"
            "print(rc, sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed'}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert proc.stdout.splitlines()[-1] == "0 []", proc.stderr

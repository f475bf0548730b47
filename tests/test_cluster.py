"""A batch on a real Dask cluster on 127.0.0.1: a scheduler and two worker processes started
with the extra's ``dask scheduler`` / ``dask worker`` commands.  The cluster's results are
the local process pool's; a worker killed mid-file loses nothing and duplicates nothing; a
second run recomputes nothing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from distributed import Client

from conftest import cut_video, shared_clip

EXERCISE = "glute_bridge"
#: Shared clips whose recordings make up the batch (clips other tests extract too: the
#: session extracts each once).
RECORDED = ["rendered/bridge_hold_sag.mp4", "glute_bridge_physioplus_1.mp4",
            "glute_bridge_tobefrank_1.mp4", "glute_bridge_skatefit_1.mp4"]
RESULT_FILES = ("results.json", "frames.csv", "reps.csv")


def dask_command() -> str:
    beside = Path(sys.executable).with_name("dask")
    return str(beside) if beside.is_file() else shutil.which("dask") or "dask"


@pytest.fixture(scope="module")
def batch_inputs(tmp_path_factory, recorded):
    """Two short videos (cut from a rendered clip) first, then the recordings."""
    folder = tmp_path_factory.mktemp("inputs")
    bridge = shared_clip("rendered/bridge_hold_clean.mp4")
    videos = [cut_video(bridge, folder / "short_a.mp4", 0, 75),
              cut_video(bridge, folder / "short_b.mp4", 300, 75)]
    return videos + [Path(shutil.copy(recorded(clip), folder)) for clip in RECORDED]


def analyze(inputs, out: Path, history: Path, *extra: str, wait: bool = True):
    cmd = [sys.executable, "-m", "formcheck", "analyze", *map(str, inputs), "-e", EXERCISE,
           "-o", str(out), "--history", str(history), *extra]
    if not wait:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two workers ("a", "b") on 127.0.0.1, no dashboard; stopped at the
    end.  Yields (scheduler address, {name: worker process})."""
    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    loopback = ["--host", "127.0.0.1", "--no-dashboard", "--dashboard-address", "127.0.0.1:0"]
    procs = [subprocess.Popen([dask_command(), "scheduler", "--port", "0", "--scheduler-file",
                               str(scheduler_file), *loopback], stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        workers = {}
        for name in ("a", "b"):
            workers[name] = subprocess.Popen(
                [dask_command(), "worker", address, "--name", name, "--nthreads", "1",
                 "--no-nanny", *loopback], stderr=subprocess.DEVNULL)
            procs.append(workers[name])
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address, workers
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def kill_a_worker_mid_file(address: str, workers: dict, out: Path, videos: list[Path]) -> str:
    """Wait until a worker has started analysing one of the videos (its task is on the
    worker and its output folder exists), SIGKILL that worker; return the video's name."""
    stems = {v.stem for v in videos}
    with Client(address, timeout=60) as client:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            info = client.scheduler_info()["workers"]
            for addr, keys in client.processing().items():
                for key in map(str, keys):
                    stem = key.removeprefix("formcheck-").rsplit("-", 1)[0]
                    if stem in stems and (out / stem).is_dir():
                        time.sleep(0.5)  # well inside the file: the model is running
                        os.kill(workers[info[addr]["name"]].pid, signal.SIGKILL)
                        return stem
            time.sleep(0.1)
    raise AssertionError("no worker started on a video")


def manifest_rows(out: Path) -> list[tuple]:
    with sqlite3.connect(out / "formcheck-batch.sqlite") as db:
        return db.execute("SELECT output_dir, status, worker, finished_utc FROM items "
                          "ORDER BY output_dir").fetchall()


def history_sources(history: Path) -> list[str]:
    with sqlite3.connect(history) as db:
        return sorted(r[0] for r in db.execute("SELECT results_path FROM sessions"))


def test_a_batch_on_a_dask_cluster(tmp_path, batch_inputs, cluster):
    address, workers = cluster
    names = [p.name.split(".")[0] for p in batch_inputs]
    local = analyze(batch_inputs, tmp_path / "local", tmp_path / "local.sqlite")
    assert local.returncode == 0, local.stderr

    out, history = tmp_path / "cluster", tmp_path / "cluster.sqlite"
    run = analyze(batch_inputs, out, history, "--cluster", address, wait=False)
    killed = kill_a_worker_mid_file(address, workers, out, batch_inputs[:2])
    stdout, stderr = run.communicate(timeout=600)
    assert run.returncode == 0, stderr
    assert workers["a"].poll() is not None or workers["b"].poll() is not None

    # every input finished exactly once: once in the summary, the manifest and the history
    assert stderr.count(f"/{len(names)} ") == len(names)
    assert sorted(line.split()[0].split(".")[0] for line in stdout.splitlines()
                  if line.split() and line.split()[0].split(".")[0] in names) == sorted(names)
    rows = manifest_rows(out)
    assert [r[0] for r in rows] == sorted(names) and {r[1] for r in rows} == {"done"}
    assert history_sources(history) == sorted(str((out / n).resolve() / "results.json")
                                              for n in names)
    killed_pid = str(next(p.pid for p in workers.values() if p.poll() is not None))
    assert not dict((r[0], r[2]) for r in rows)[killed].endswith(":" + killed_pid)
    # the cluster's results are the local pool's, byte for byte
    for name in names:
        for file in RESULT_FILES:
            assert (out / name / file).read_bytes() == \
                (tmp_path / "local" / name / file).read_bytes(), (name, file)

    # the same batch again: nothing recomputed, nothing added to the history
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("results.json")}
    again = analyze(batch_inputs, out, history, "--cluster", address)
    assert again.returncode == 0, again.stderr
    assert f"{len(names)} analysed, 0 failed" in again.stdout
    assert f"{len(names)} of them as in an earlier run of this batch" in again.stdout
    assert manifest_rows(out) == rows
    assert history_sources(history) == sorted(str((out / n).resolve() / "results.json")
                                              for n in names)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("results.json")} == mtimes

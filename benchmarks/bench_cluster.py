"""Clinic scale: batch throughput on the local process pool and on a local Dask cluster of 1
and 2 workers; re-scoring speed of landmark recordings (x real time per core); start-up
time of `formcheck --help` and `formcheck exercises`.

    python benchmarks/bench_cluster.py [--parts batch,rescore,startup] [--max-inputs N]

Batch throughput is measured with warm workers (the analysis modules and MediaPipe already
imported); the cluster's start-up is printed apart.  Re-scoring runs in one warm process
(a batch worker's situation): seconds of clip per CPU second.
"""

from __future__ import annotations

import importlib
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import base_parser, recording_for
from formcheck.analysis import load_exercise
from formcheck.commands import analyze_input

#: The 40 s clip the re-scoring target is stated for (1287 frames at 30 fps).
LONG_CLIP = "rendered/bridge_hold_clean.mp4"


#: Imported before timing, in the pool's parent (its forked workers inherit them) and in
#: every cluster worker: throughput is measured warm, start-up apart.
WARM_MODULES = ("formcheck.commands.analyze", "formcheck.capture.pose")


def bench_batch(videos: list[Path], exercise: str, cache: Path) -> None:
    from distributed import Client, LocalCluster

    batches = {"videos": videos, "recordings": [recording_for(v, cache) for v in videos]}
    for module in WARM_MODULES:
        importlib.import_module(module)
    rates = {(label, "local pool of 2"): _batch_rate(inputs, exercise, workers=2)
             for label, inputs in batches.items()}
    for n in (1, 2):
        t0 = time.perf_counter()
        with LocalCluster(n_workers=n, threads_per_worker=1, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            for module in WARM_MODULES:
                client.run(importlib.import_module, module)
            print(f"cluster local:{n}: started and warm in {time.perf_counter() - t0:.1f} s")
            for label, inputs in batches.items():
                rates[label, f"cluster of {n}"] = _batch_rate(
                    inputs, exercise, cluster=cluster.scheduler_address)
    for (label, how), (_, line) in rates.items():
        print(f"{label:10} {how:16} {line}")
    for label in batches:
        one, two = rates[label, "cluster of 1"][0], rates[label, "cluster of 2"][0]
        print(f"{label:10} cluster of 2 vs 1 worker: {two / one:.2f}x; cluster of 2 vs local "
              f"pool of 2: {two / rates[label, 'local pool of 2'][0]:.2f}x")


def _batch_rate(inputs: list[Path], exercise: str, **how) -> tuple[float, str]:
    from formcheck.commands import run_batch

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        items = list(run_batch(inputs, exercise, Path(tmp), None, None, None, None, **how))
        seconds = time.perf_counter() - t0
    frames = sum(i.frames for i in items)
    return frames / seconds, (f"{len(items)} inputs, {frames} frames in {seconds:6.1f} s = "
                              f"{frames / seconds:7.1f} frames/s "
                              f"({sum(not i.ok for i in items)} failed)")


def bench_rescore(clips: Path, cache: Path) -> None:
    """Every cached recording of the rendered clips with its own exercise, then the 40 s
    clip alone, in one process after a warm-up run."""
    import json

    videos = sorted((clips / "rendered").glob("*.mp4"))
    jobs = [(recording_for(v, cache), json.loads(v.with_suffix(".json").read_text())
             ["exercise"]) for v in videos]
    long_rec = recording_for(clips / LONG_CLIP, cache)
    with tempfile.TemporaryDirectory() as tmp:
        analyze_input(long_rec, load_exercise("glute_bridge"), Path(tmp) / "warm-up")
        cpu = wall = clip_s = 0.0
        for rec, exercise in jobs:
            c0, w0 = time.process_time(), time.perf_counter()
            analysis = analyze_input(rec, load_exercise(exercise), Path(tmp) / rec.stem)
            cpu += time.process_time() - c0
            wall += time.perf_counter() - w0
            clip_s += _clip_s(analysis.document)
        print(f"re-scoring {len(jobs)} rendered clips' recordings ({clip_s:.0f} s of clips): "
              f"{clip_s / cpu:.0f}x real time per core (CPU), {clip_s / wall:.0f}x (wall)")
        cpus, walls = [], []
        for _ in range(5):
            c0, w0 = time.process_time(), time.perf_counter()
            analysis = analyze_input(long_rec, load_exercise("glute_bridge"), Path(tmp) / "l")
            cpus.append(time.process_time() - c0)
            walls.append(time.perf_counter() - w0)
        secs = _clip_s(analysis.document)
        print(f"re-scoring the {secs:.1f} s clip {Path(LONG_CLIP).stem} (median of 5): "
              f"{secs / statistics.median(cpus):.0f}x real time per core (CPU "
              f"{statistics.median(cpus):.3f} s), {secs / statistics.median(walls):.0f}x wall")
        cold = _seconds([sys.executable, "-m", "formcheck", "analyze", str(long_rec), "-e",
                         "glute_bridge", "-o", str(Path(tmp) / "cold"), "--no-history"])
        print(f"  one command, start-up included: {cold:.2f} s = {secs / cold:.0f}x real time")


def _clip_s(doc: dict) -> float:
    return doc["provenance"]["frames"] / doc["provenance"]["source"]["fps"]


def _seconds(cmd: list[str]) -> float:
    return _wall_and_cpu(cmd)[0]


def _wall_and_cpu(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds of a command and the CPU seconds it used (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def bench_startup() -> None:
    for args in (["--help"], ["exercises"]):
        runs = [_wall_and_cpu([sys.executable, "-m", "formcheck", *args]) for _ in range(7)]
        walls, cpus = zip(*runs, strict=True)
        print(f"formcheck {' '.join(args):10} start-up: wall median "
              f"{statistics.median(walls):.2f} s, best {min(walls):.2f} s; CPU median "
              f"{statistics.median(cpus):.2f} s (7 runs)")


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--parts", default="batch,rescore,startup")
    parser.add_argument("--exercise", default="glute_bridge",
                        help="exercise for the batch runs (speed does not depend on it)")
    parser.add_argument("--max-inputs", type=int, default=8,
                        help="the shortest N real clips make the batch (default 8)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if "batch" in parts:
        videos = sorted(args.clips.glob("*.mp4"), key=lambda p: p.stat().st_size)
        bench_batch(sorted(videos[:args.max_inputs]), args.exercise, args.cache)
    if "rescore" in parts:
        bench_rescore(args.clips, args.cache)
    if "startup" in parts:
        bench_startup()


if __name__ == "__main__":
    main()

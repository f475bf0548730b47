"""Batch throughput: the shared real clips analysed as one batch, with 1 worker and with
every core; prints frames per second of each and the ratio.

    python benchmarks/bench_batch.py [--exercise NAME]
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from _common import base_parser
from formcheck.commands import run_batch


def main() -> None:
    parser = base_parser(__doc__.splitlines()[1])
    parser.add_argument("--exercise", default="quadruped_hip_extension",
                        help="exercise to analyse every clip as (speed does not depend on it)")
    args = parser.parse_args()
    videos = sorted(args.clips.glob("*.mp4"))
    cores = os.cpu_count() or 1
    rates = {}
    for workers in sorted({1, cores}):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            items = list(run_batch(videos, args.exercise, Path(tmp), None, None, None, None,
                                   workers))
            seconds = time.perf_counter() - t0
        frames = sum(i.frames for i in items)
        rates[workers] = frames / seconds
        print(f"{workers} worker(s): {len(items)} clips, {frames} frames in {seconds:.1f} s = "
              f"{rates[workers]:.1f} frames/s ({sum(not i.ok for i in items)} failed)")
    if len(rates) > 1:
        print(f"speed-up with {cores} workers: {rates[cores] / rates[1]:.2f}x")


if __name__ == "__main__":
    main()

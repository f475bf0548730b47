"""Live loop speed: a 30 fps clip fed as a camera (frames arrive at the clip's own rate and
stale ones are dropped), through inference, the engine and the overlay window.  Prints the
achieved display rate, frames dropped, and capture -> overlay latency p50 / p95.

Needs a display: run under Xvfb (``xvfb-run python benchmarks/bench_live.py``) or a desktop.

    python benchmarks/bench_live.py [--video CLIP]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from _common import SHARED_CLIPS
from formcheck.analysis import load_exercise
from formcheck.commands import LiveOptions, run_live


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path,
                        default=SHARED_CLIPS / "rendered" / "quadruped_ext_clean.mp4")
    parser.add_argument("--exercise", default="quadruped_hip_extension")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = run_live(LiveOptions(load_exercise(args.exercise), str(args.video), Path(tmp),
                                   voice=False, summary_s=0))
    lat = np.array(out.latencies_ms)
    fps = (out.displayed - 1) / out.display_s if out.display_s else float("nan")
    total = out.frames + out.dropped
    print(f"clip: {args.video.name} ({total} frames offered at the clip's frame rate)")
    print(f"displayed {out.displayed} frames at {fps:.1f} fps; dropped as stale {out.dropped} "
          f"({100.0 * out.dropped / max(total, 1):.1f} %)")
    print(f"capture -> overlay latency: p50 {np.percentile(lat, 50):.1f} ms, "
          f"p95 {np.percentile(lat, 95):.1f} ms")


if __name__ == "__main__":
    main()

"""Speed of pose extraction: the bare MediaPipe loop vs ``formcheck extract``, same clip,
and the cost of the check for a second person in view.

Each runs in its own process (so peak memory is its own): frames per second end to end
(model load, decode, inference, and for formcheck the streamed recording) and peak
resident memory.  The bare loop runs with one pose and with two (what tracking two people
on every frame would cost); formcheck's pose stream runs with and without its occasional
check for a second person (``--repeats`` times each, alternating; the best of each is
compared, as the machine's other work only ever slows a run down).

    python benchmarks/bench_extract.py [--video CLIP] [--repeats N]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import SHARED_CLIPS

BARE = r"""
import json, resource, sys, time
import cv2, mediapipe as mp
from mediapipe.tasks.python import BaseOptions, vision
from formcheck.capture import resolve_model
t0 = time.perf_counter()
opts = vision.PoseLandmarkerOptions(
    base_options=BaseOptions(model_asset_path=str(resolve_model().path)),
    running_mode=vision.RunningMode.VIDEO, num_poses=int(sys.argv[2]))
with vision.PoseLandmarker.create_from_options(opts) as lm:
    cap = cv2.VideoCapture(sys.argv[1]); n = 0; last = -1
    while True:
        ok, frame = cap.read()
        if not ok: break
        ts = max(int(cap.get(cv2.CAP_PROP_POS_MSEC)), last + 1); last = ts
        lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB,
                                     data=cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)), ts)
        n += 1
    dt = time.perf_counter() - t0
print(json.dumps({"frames": n, "seconds": dt,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

FORMCHECK = r"""
import json, resource, sys, time
from formcheck.cli import main
t0 = time.perf_counter()
assert main(["extract", sys.argv[1], "-o", sys.argv[2]]) == 0
dt = time.perf_counter() - t0
n = sum(1 for _ in open(sys.argv[2])) - 2
print(json.dumps({"frames": n, "seconds": dt,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

#: The pose stream alone (decode and model, no recording), with or without the check.
STREAM = r"""
import json, os, sys, time
from formcheck.capture import open_poses
t0, c0 = time.perf_counter(), sum(os.times()[:2])
with open_poses(sys.argv[1], check_people=sys.argv[2] == "1") as stream:
    n = sum(1 for _ in stream)
dt, cpu = time.perf_counter() - t0, sum(os.times()[:2]) - c0
print(json.dumps({"frames": n, "seconds": dt, "cpu_seconds": cpu,
                  "checked": stream.crowd.checked if stream.crowd else 0}))
"""


def run(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=SHARED_CLIPS / "donkey_kick_fitjung_1.mp4")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of the pose stream with and without the check (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bare = run(BARE, str(args.video), "1")
        bare2 = run(BARE, str(args.video), "2")
        t0 = time.perf_counter()
        ours = run(FORMCHECK, str(args.video), str(Path(tmp) / "r.landmarks.jsonl"))
        ours["process_seconds"] = time.perf_counter() - t0
    print(f"clip: {args.video.name}")
    print(f"{'':22} {'frames':>7} {'fps':>7} {'peak MB':>8}")
    for label, r in (("bare MediaPipe loop", bare), ("bare, two poses", bare2),
                     ("formcheck extract", ours)):
        print(f"{label:22} {r['frames']:>7} {r['frames'] / r['seconds']:7.1f} "
              f"{r['peak_mb']:8.0f}")
    print(f"formcheck / bare speed: {bare['seconds'] / ours['seconds']:.2f}")
    print(f"bare two poses / one pose speed: {bare['seconds'] / bare2['seconds']:.2f}")
    people_check(args.video, args.repeats)


def people_check(video: Path, repeats: int) -> None:
    """Frames per second of the pose stream with and without the check for a second
    person, and their ratio."""
    runs: dict[str, list[dict]] = {"without": [], "with": []}
    for _ in range(repeats):
        runs["without"].append(run(STREAM, str(video), "0"))
        runs["with"].append(run(STREAM, str(video), "1"))
    best = {k: max(r["frames"] / r["seconds"] for r in v) for k, v in runs.items()}
    cpu = {k: min(r["cpu_seconds"] / r["frames"] for r in v) for k, v in runs.items()}
    checked = runs["with"][0]["checked"]
    print(f"\npose stream, best of {repeats}: without the people check "
          f"{best['without']:.1f} fps ({1000 * cpu['without']:.1f} ms CPU a frame), with it "
          f"{best['with']:.1f} fps ({1000 * cpu['with']:.1f} ms CPU a frame); "
          f"{checked} of {runs['with'][0]['frames']} frames checked")
    print(f"people check: with / without speed = {best['with'] / best['without']:.3f}, "
          f"CPU time = {cpu['with'] / cpu['without']:.3f}")


if __name__ == "__main__":
    main()

"""Reps, holds, pumps and faults on the rendered clips, against their exact ground truth.

Runs the real model on each rendered clip (recordings cached), analyses it with the
exercise the clip shows, and prints per clip: reps, holds and pumps found vs true, true
faults found, reported faults that match none, and whether the working side was right.

    python benchmarks/eval_rendered.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _common import base_parser, recording_for
from formcheck.analysis import load_exercise
from formcheck.commands import analyze_input
from formcheck.validation import (
    load_truth,
    pooled,
    score_clip,
    timing_errors,
    timing_header,
    timing_line,
)

FOLDERS = ("rendered", "rendered-train")


def main() -> None:
    args = base_parser(__doc__.splitlines()[1]).parse_args()
    videos = [v for folder in FOLDERS for v in sorted((args.clips / folder).glob("*.mp4"))]
    timing = []
    print(f"{'clip':28} {'reps':>7} {'holds':>7} {'pumps':>7} {'faults':>7} {'false':>5} side")
    exact = clean = 0
    for video in videos:
        truth = load_truth(video)
        with tempfile.TemporaryDirectory() as tmp:
            analysis = analyze_input(recording_for(video, args.cache),
                                     load_exercise(truth["exercise"]), Path(tmp))
        s = score_clip(video.stem, truth, analysis.document)
        timing.append(timing_errors(video.stem, truth, analysis.document))
        exact += s.counts_exact
        clean += s.faults_ok
        print(f"{s.clip:28} {s.reps[0]:>3}/{s.reps[1]:<3} {s.holds[0]:>3}/{s.holds[1]:<3} "
              f"{s.pumps[0]:>3}/{s.pumps[1]:<3} {s.faults_found:>3}/{s.faults_true:<3} "
              f"{s.false_faults:>5} {'ok' if s.side_ok else 'WRONG'}")
        for f in analysis.document["faults"]:
            print(f"{'':30}{f['fault']} {f['start_s']:.2f}-{f['end_s']:.2f} s")
    print(f"\ncounts exact on {exact}/{len(videos)} clips; faults right (all found, none "
          f"false) on {clean}/{len(videos)}")
    print(f"\nrep timing, mean absolute error (s)\n{timing_header()}")
    totals = [pooled([s for s, v in zip(timing, videos, strict=True) if v.parent.name == f], f)
              for f in FOLDERS]
    for line in map(timing_line, [*timing, *totals, pooled(timing)]):
        print(line)


if __name__ == "__main__":
    main()

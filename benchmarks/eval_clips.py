"""Predicted vs labelled reps on the real clips of ../shared/clips/MANIFEST.tsv.

Every clip whose exercise formcheck has in its catalog is analysed with the real model
(recordings cached); prints predicted and labelled reps per clip with the label's
confidence and whether the clip ends at the top of a rep (counted, its lowering not
filmed), then the totals: exact, off by one, and exact
among the labels marked "sure".

    python benchmarks/eval_clips.py
"""

from __future__ import annotations

import csv
import re
import tempfile
from pathlib import Path

from _common import base_parser, recording_for
from formcheck.analysis import catalog
from formcheck.commands import analyze_input

#: the manifest's exercise names -> formcheck's
MANIFEST_TO_CATALOG = {"glute_bridge": "glute_bridge",
                       "quadruped_hip_extension": "quadruped_hip_extension",
                       "bird_dog": "bird_dog", "clamshell": "clamshell",
                       "side_lying_hip_abduction": "sidelying_abduction",
                       "single_leg_bridge": "single_leg_bridge"}


def labelled_reps(text: str) -> int:
    return int(re.search(r"\d+", text).group())


def main() -> None:
    args = base_parser(__doc__.splitlines()[1]).parse_args()
    names = catalog()
    rows = list(csv.DictReader((args.clips / "MANIFEST.tsv").open(), delimiter="\t"))
    total = exact = off_by_one = sure = sure_exact = 0
    print(f"{'clip':40} {'exercise':26} {'pred':>4} {'label':>6} {'cut at top':>10}  confidence")
    for row in rows:
        exercise = MANIFEST_TO_CATALOG.get(row["exercise"])
        if exercise not in names:
            continue
        video = args.clips / row["file"]
        with tempfile.TemporaryDirectory() as tmp:
            doc = analyze_input(recording_for(video, args.cache), names[exercise],
                                Path(tmp)).document
        pred, label = doc["summary"]["reps_done"], labelled_reps(row["reps"])
        cut = any(n["fault"] == "cut_at_top" for n in doc["dose_notes"])
        total += 1
        exact += pred == label
        off_by_one += abs(pred - label) == 1
        if row["reps_confidence"] == "sure":
            sure += 1
            sure_exact += pred == label
        print(f"{row['file']:40} {exercise:26} {pred:>4} {row['reps']:>6} "
              f"{'yes' if cut else '':>10}  {row['reps_confidence']}")
    print(f"\n{total} clips: {exact} exact, {off_by_one} off by one; labels marked sure: "
          f"{sure_exact}/{sure} exact")


if __name__ == "__main__":
    main()

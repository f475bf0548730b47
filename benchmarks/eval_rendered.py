"""Reps, holds, pumps and faults on all rendered clips, scored by the evaluation rules.

Analyses the cached landmark recording of every clip in ``rendered/`` (development) and
``rendered-train/`` with the exercise the clip shows, and prints per clip: reps, holds and
pumps found vs true, the mean hold-time error, true faults found, false faults (sure ones;
possible ones apart), reps counted during a setup, and whether the working side was right.
Then the totals over all clips and per fold (the two folders, and the bodies of the
training folder apart from the development body).  A tuned number must be tuned on one
fold and reported on the other; the README's benchmarks section lists which numbers were
and on which fold (most on the training fold, reported on the development one).

    python benchmarks/eval_rendered.py [--only NAME...]
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
    totals,
)

FOLDERS = ("rendered", "rendered-train")


def _fmt(pair: tuple[int, int]) -> str:
    return f"{pair[0]:>3}/{pair[1]:<3}"


def print_clip(s, doc: dict) -> None:
    hold = (f"{sum(map(abs, s.hold_errors_s)) / len(s.hold_errors_s):5.2f}"
            if s.hold_errors_s else "    -")
    print(f"{s.clip:26} {_fmt(s.reps)} {_fmt(s.holds)} {hold} {_fmt(s.pumps)} "
          f"{s.faults_found:>3}/{len(s.true_faults):<3} {len(s.false_faults):>5} "
          f"{s.possible_hits:>2}/{s.possible_false:<2} {s.setup_reps:>5} "
          f"{'ok' if s.side_ok else 'WRONG'}")
    missed = [k for k, ok in s.true_faults if not ok]
    if missed or s.false_faults:
        print(f"{'':28}missed {missed} false {s.false_faults}")
    refusal = doc.get("not_this_exercise")
    if refusal:
        print(f"{'':28}{refusal}")


def print_totals(label: str, scores: list) -> None:
    t = totals(scores)
    print(f"\n== {label}: {t.clips} clips")
    print(f"reps exact {t.reps_exact}/{t.clips}; reps during setup {t.setup_reps}; pumps "
          f"within 1 per bout {t.pumps_ok}/{t.pump_clips} (sum |error| {t.pump_abs_error}); "
          f"hold |error| mean {t.hold_mean_abs_s:.2f} s")
    print(f"faults: precision {t.precision:.2f} recall {t.recall:.2f} F1 {t.f1:.2f} "
          f"({t.false_faults} false)")
    for kind, (hit, n) in t.recall_by_kind.items():
        false = t.false_by_kind.get(kind, 0)
        prec = hit / (hit + false) if hit + false else float("nan")
        print(f"  {kind:15} recall {hit}/{n} = {hit / n:.2f}  precision {prec:.2f} "
              f"({false} false)")
    for kind, false in t.false_by_kind.items():
        if kind not in t.recall_by_kind:
            print(f"  {kind:15} {false} false")


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="clip stems to run")
    args = parser.parse_args()
    print(f"{'clip':26} {'reps':>7} {'holds':>7} {'h.err':>5} {'pumps':>7} {'faults':>7} "
          f"{'false':>5} {'poss':>5} {'setup':>5} side")
    scores: dict[str, list] = {folder: [] for folder in FOLDERS}
    timing: dict[str, list] = {folder: [] for folder in FOLDERS}
    for folder in FOLDERS:
        for video in sorted((args.clips / folder).glob("*.mp4")):
            if args.only and video.stem not in args.only:
                continue
            truth = load_truth(video)
            with tempfile.TemporaryDirectory() as tmp:
                doc = analyze_input(recording_for(video, args.cache),
                                    load_exercise(truth["exercise"]), Path(tmp)).document
            s = score_clip(video.stem, truth, doc)
            scores[folder].append(s)
            timing[folder].append(timing_errors(video.stem, truth, doc))
            print_clip(s, doc)
    print_totals("all clips", [s for f in FOLDERS for s in scores[f]])
    for folder in FOLDERS:
        print_totals(f"fold {folder}", scores[folder])
    print_timing(timing)


def print_timing(timing: dict[str, list]) -> None:
    """Rep instants and durations against the truth: per clip, per folder, in total."""
    every = [t for folder in FOLDERS for t in timing[folder]]
    print(f"\nrep timing, mean absolute error (s)\n{timing_header()}")
    folds = [pooled(timing[folder], folder) for folder in FOLDERS]
    for line in map(timing_line, [*every, *folds, pooled(every)]):
        print(line)


if __name__ == "__main__":
    main()

"""Accuracy of formcheck's features against the rendered clips' exact joint angles.

Runs the real pose model on every rendered clip (recordings cached), measures the
features on the working side, and prints per clip and feature the mean absolute error,
bias and 95th-percentile absolute error against the ground truth, raw and after the
documented per-view calibration offsets (formcheck.calibration), plus the pooled figures.

    python benchmarks/eval_features.py
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from _common import base_parser, recording_for
from formcheck.groundtruth import (
    FEATURE_TRUTH,
    ErrorStats,
    expected_side,
    feature_errors,
    load_truth,
    truth_series,
)
from formcheck.measure import measure_recorded
from formcheck.recording import RecordingReader
from formcheck.settings import default_smoothing


def main() -> None:
    args = base_parser(__doc__.splitlines()[1]).parse_args()
    rendered = args.clips / "rendered"
    videos = sorted(rendered.glob("*.mp4"))
    if not videos:
        raise SystemExit(f"no rendered clips in {rendered}")
    pooled: dict[str, list] = defaultdict(lambda: [[], []])
    print(f"{'clip':28} {'feature':30} {'n':>5} {'MAE':>6} {'bias':>7} {'P95':>6}  side")
    for video in videos:
        truth = load_truth(video)
        poses = list(RecordingReader(recording_for(video, args.cache)))
        feats, _ = measure_recorded(poses, default_smoothing(),
                                    bilateral=truth["working_side"] == "both")
        side_note = "ok" if feats.side == expected_side(truth) else f"WRONG ({feats.side})"
        for name, st in feature_errors(feats.values, truth).items():
            print(f"{video.stem:28} {name:30} {st.n:5d} {st.mae:6.2f} {st.bias:+7.2f} "
                  f"{st.p95:6.2f}  {side_note}")
            key = f"{truth['camera_view']}:{name}"
            pooled[key][0].append(feats.values[name])
            pooled[key][1].append(truth_series(truth, FEATURE_TRUTH[name][0]))
    print("\npooled per view and feature")
    for key, (pred, true) in sorted(pooled.items()):
        st = ErrorStats.of(np.concatenate(pred), np.concatenate(true))
        print(f"{key:40} n={st.n:6d} MAE={st.mae:6.2f} bias={st.bias:+7.2f} P95={st.p95:6.2f}")


if __name__ == "__main__":
    main()

"""Accuracy of formcheck's features against the rendered clips' exact joint angles.

Runs the real pose model on every rendered clip (recordings cached), measures the
features on the working side, and prints per clip and feature the mean absolute error,
bias and 95th-percentile absolute error against the ground truth, raw and after the
a per-view calibration offset (the mean bias of the *other* clips of the same view, so no
clip is corrected with its own error), plus the pooled figures.

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
    rows = []  # (clip, view, feature, predicted, truth, side_ok)
    for video in videos:
        truth = load_truth(video)
        poses = list(RecordingReader(recording_for(video, args.cache)))
        feats, _ = measure_recorded(poses, default_smoothing(),
                                    bilateral=truth["working_side"] == "both")
        for name in feature_errors(feats.values, truth):
            rows.append((video.stem, truth["camera_view"], name, feats.values[name],
                         truth_series(truth, FEATURE_TRUTH[name][0]),
                         feats.side == expected_side(truth)))
    print(f"{'clip':26} {'feature':29} {'n':>5} {'MAE':>6} {'bias':>7} {'P95':>6} "
          f"{'offset':>7} {'MAE cal':>7}  side")
    pooled: dict[str, list] = defaultdict(lambda: [[], []])
    for clip, view, name, pred, true, side_ok in rows:
        raw = ErrorStats.of(pred, true)
        others = [ErrorStats.of(p, t) for c, v, n, p, t, _ in rows
                  if v == view and n == name and c != clip]
        offset = float(np.mean([o.bias for o in others])) if others else 0.0
        cal = ErrorStats.of(pred - offset, true)
        print(f"{clip:26} {name:29} {raw.n:5d} {raw.mae:6.2f} {raw.bias:+7.2f} {raw.p95:6.2f} "
              f"{offset:+7.2f} {cal.mae:7.2f}  {'ok' if side_ok else 'WRONG'}")
        pooled[f"{view}:{name}"][0].append(pred)
        pooled[f"{view}:{name}"][1].append(true)
    print("\npooled per view and feature (raw)")
    for key, (pred, true) in sorted(pooled.items()):
        st = ErrorStats.of(np.concatenate(pred), np.concatenate(true))
        print(f"{key:40} n={st.n:6d} MAE={st.mae:6.2f} bias={st.bias:+7.2f} P95={st.p95:6.2f}")


if __name__ == "__main__":
    main()

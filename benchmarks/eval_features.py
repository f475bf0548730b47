"""Accuracy of formcheck's features against the rendered clips' exact joint angles.

Runs the real pose model on every rendered clip (recordings cached), measures the
features on the working side, and prints per clip and feature the mean absolute error,
bias and 95th-percentile absolute error against the ground truth; then the same after a
per-view calibration offset (the mean bias of the *other* clips of the same camera view,
so no clip is corrected with its own error); then where the error comes from:

- ``joint ctr``: formcheck's geometry on the clip's exact joint centres (what a perfect
  model with the rig's convention would give: the error of the feature definitions);
- ``COCO``: the same on the rig's COCO surface keypoints (the convention most 2D keypoint
  datasets are labelled in): the bias is the gap between the two conventions.

    python benchmarks/eval_features.py [--model PATH]
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from _common import base_parser, recording_for
from formcheck.capture import RecordingReader
from formcheck.validation import (
    FEATURE_TRUTH,
    ErrorStats,
    expected_side,
    load_truth,
    measure_clip,
    poses_from_truth,
    truth_series,
)

SOURCES = ("model", "joint ctr", "COCO")


def main() -> None:
    parser = base_parser(__doc__.splitlines()[1])
    parser.add_argument("--model", type=Path, help="another pose_landmarker .task to evaluate")
    args = parser.parse_args()
    rendered = args.clips / "rendered"
    videos = sorted(rendered.glob("*.mp4"))
    if not videos:
        raise SystemExit(f"no rendered clips in {rendered}")
    rows = []  # (clip, view, feature, {source: predicted}, truth, side_ok)
    for video in videos:
        truth = load_truth(video)
        feats = {
            "model": measure_clip(list(RecordingReader(recording_for(video, args.cache,
                                                                 args.model))), truth),
            "joint ctr": measure_clip(poses_from_truth(truth, "rig"), truth),
            "COCO": measure_clip(poses_from_truth(truth, "coco"), truth),
        }
        view = truth["camera_view"]
        for name, (metric, views) in FEATURE_TRUTH.items():
            if view in views:
                rows.append((video.stem, view, name,
                             {src: f.values[name] for src, f in feats.items()},
                             truth_series(truth, metric),
                             feats["model"].side == expected_side(truth)))
    print(f"{'':58}{'---------- model ----------':>27} {'view offset':>17} "
          f"{'joint ctr':>10} {'COCO':>7}")
    print(f"{'clip':26} {'feature':29} {'n':>5} {'MAE':>6} {'bias':>7} {'P95':>6} "
          f"{'offset':>7} {'MAE':>6} {'MAE':>7} {'bias':>8}  side")
    pooled: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for clip, view, name, pred, true, side_ok in rows:
        raw = ErrorStats.of(pred["model"], true)
        others = [ErrorStats.of(p["model"], t) for c, v, n, p, t, _ in rows
                  if v == view and n == name and c != clip]
        offset = float(np.mean([o.bias for o in others])) if others else 0.0
        cal = ErrorStats.of(pred["model"] - offset, true)
        joint = ErrorStats.of(pred["joint ctr"], true)
        coco = ErrorStats.of(pred["COCO"], true)
        print(f"{clip:26} {name:29} {raw.n:5d} {raw.mae:6.2f} {raw.bias:+7.2f} {raw.p95:6.2f} "
              f"{offset:+7.2f} {cal.mae:6.2f} {joint.mae:7.2f} {coco.bias:+8.2f}  "
              f"{'ok' if side_ok else 'WRONG'}")
        for src in SOURCES:
            pooled[f"{view}:{name}"][src].append(pred[src] - true)
    print("\npooled per view and feature: MAE / bias")
    print(f"{'':40} " + " ".join(f"{src:>15}" for src in SOURCES))
    for key, by_source in sorted(pooled.items()):
        cells = []
        for src in SOURCES:
            err = np.concatenate(by_source[src])
            st = ErrorStats.of(err, np.zeros_like(err))
            cells.append(f"{st.mae:6.2f} / {st.bias:+6.2f}")
        print(f"{key:40} " + " ".join(f"{c:>15}" for c in cells))


if __name__ == "__main__":
    main()

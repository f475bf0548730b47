"""Accuracy of formcheck's features against the rendered clips' exact joint angles.

Runs the real pose model on every rendered clip of both folders (``rendered/``, one body,
camera at azimuth 0 and 0.5 m; ``rendered-train/``, 25 bodies and camera placements;
recordings cached), measures the features on the working side, and prints:

1. per clip and feature: mean absolute error, bias and 95th-percentile absolute error
   against the ground truth, beside the same geometry on the clip's exact joint centres
   (``joint ctr``: the error of the feature definitions) and the bias on the rig's COCO
   surface keypoints (the convention most 2D keypoint datasets are labelled in); always on
   the clip's working leg (``side``: whether a whole-clip measurement would choose it);
2. per posture and feature: MAE (range over the clips), bias, the spread of the error
   within clips (SD over frames) and between clips (SD of the clips' biases);
3. per camera placement: bias +- between-clip SD per posture in bins of obliqueness (the
   camera's angle off a pure side or front view), camera height, the camera on the
   person's right, and the measured leg on the far side;
4. whether a correction toward joint centres would carry over: one offset per posture and
   feature (the mean bias), fitted on other bodies (leave one body out; and fitted on one
   folder, applied to the other), its MAE against the raw MAE; and, since the model may
   read real people differently, the real bridge clips' top readings (95th percentile of
   hip extension, where a straight shoulder-hip-knee line reads about 0) raw and
   corrected.

    python benchmarks/eval_features.py [--model PATH]
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from _common import base_parser, recording_for
from formcheck.analysis import measure_recorded
from formcheck.capture import RecordingReader
from formcheck.features import default_smoothing
from formcheck.validation import (
    FEATURE_TRUTH,
    ErrorStats,
    expected_side,
    load_truth,
    measure_clip,
    poses_from_truth,
    truth_series,
    truth_view,
)

FOLDERS = ("rendered", "rendered-train")


@dataclass
class Row:
    clip: str
    folder: str
    body: str
    posture: str
    bins: dict[str, str]
    feature: str
    err: np.ndarray  # model - truth, per frame
    joint: ErrorStats
    coco: ErrorStats
    side_ok: bool

    @property
    def stats(self) -> ErrorStats:
        return ErrorStats.of(self.err, np.zeros_like(self.err))


def view_bins(truth: dict) -> dict[str, str]:
    """The camera placement in bins: obliqueness, height, which side, near or far leg."""
    cam = truth["camera"]
    az = float(cam["azimuth_deg"])
    off = abs((az + 90.0) % 180.0 - 90.0)  # 0 = pure side (or front) view
    height = float(cam["height_m"])
    return {
        "oblique": "0-10" if off <= 10 else "10-20" if off <= 20 else "20-35",
        "height": "low<.45" if height < 0.45 else "mid" if height <= 0.75 else "high>.75",
        "camera on": "right" if 90 < abs(az) < 270 else "left",
        "leg": "near" if expected_side(truth) == truth["near_side"] else "far",
    }


def measure_rows(args, videos) -> list[Row]:
    rows = []
    for folder, video in videos:
        truth = load_truth(video)
        poses = list(RecordingReader(recording_for(video, args.cache, args.model)))
        side = expected_side(truth)  # the angles of the right leg, whichever is chosen
        model = measure_clip(poses, truth, side)
        joint = measure_clip(poses_from_truth(truth, "rig"), truth, side)
        coco = measure_clip(poses_from_truth(truth, "coco"), truth, side)
        side_ok = measure_clip(poses, truth).side == side
        view = truth_view(truth)
        for name, (metric, views) in FEATURE_TRUTH.items():
            if view not in views:
                continue
            true = truth_series(truth, metric)
            err = model.values[name] - true
            rows.append(Row(video.stem, folder, truth["body"]["description"], truth["posture"],
                            view_bins(truth), name, err[np.isfinite(err)],
                            ErrorStats.of(joint.values[name], true),
                            ErrorStats.of(coco.values[name], true),
                            side_ok))
    return rows


def print_clips(rows: list[Row]) -> None:
    print(f"{'clip':26} {'posture':10} {'oblique':>7} {'height':>8} {'leg':>4} {'feature':29} "
          f"{'n':>5} {'MAE':>6} {'bias':>7} {'P95':>6} {'jointMAE':>8} {'COCObias':>8}  side")
    for r in rows:
        s = r.stats
        print(f"{r.clip:26} {r.posture:10} {r.bins['oblique']:>7} {r.bins['height']:>8} "
              f"{r.bins['leg']:>4} {r.feature:29} {s.n:5d} {s.mae:6.2f} {s.bias:+7.2f} "
              f"{s.p95:6.2f} {r.joint.mae:8.2f} {r.coco.bias:+8.2f}  "
              f"{'ok' if r.side_ok else 'other'}")


def groups(rows: list[Row], key) -> dict:
    out: dict = defaultdict(list)
    for r in rows:
        out[key(r)].append(r)
    return out


def print_postures(rows: list[Row]) -> None:
    print("\nper posture and feature (model): clips, MAE range over clips, bias, SD within "
          "clips (frames), SD between clips (biases); joint centres' MAE; COCO bias")
    for (feature, posture), rs in sorted(groups(rows, lambda r: (r.feature, r.posture)).items()):
        maes = [r.stats.mae for r in rs]
        err = np.concatenate([r.err for r in rs])
        within = float(np.mean([np.std(r.err) for r in rs]))
        between = float(np.std([r.stats.bias for r in rs]))
        print(f"  {feature:29} {posture:10} {len(rs):3d} clips  MAE {min(maes):5.2f}-"
              f"{max(maes):5.2f}  bias {np.mean(err):+6.2f}  SD within {within:5.2f}  "
              f"between {between:5.2f}  | joint {np.mean([r.joint.mae for r in rs]):5.2f}  "
              f"COCO {np.mean([r.coco.bias for r in rs]):+6.2f}")


def print_views(rows: list[Row]) -> None:
    print("\nbias +- SD between clips (number of clips) per camera placement")
    for dim in ("oblique", "height", "camera on", "leg"):
        print(f" {dim}")
        for (feature, posture), rs in sorted(groups(rows, lambda r: (r.feature,
                                                                     r.posture)).items()):
            cells = []
            for b, brs in sorted(groups(rs, lambda r, d=dim: r.bins[d]).items()):
                biases = [r.stats.bias for r in brs]
                cells.append(f"{b}: {np.mean(biases):+5.1f} +-{np.std(biases):4.1f} "
                             f"({len(brs)})")
            print(f"  {feature:29} {posture:10} " + "   ".join(cells))


def offsets_from(rows: list[Row]) -> dict[tuple[str, str], float]:
    """One offset per (feature, posture): the mean of the clips' biases."""
    return {k: float(np.mean([r.stats.bias for r in rs]))
            for k, rs in groups(rows, lambda r: (r.feature, r.posture)).items()}


def corrected_mae(rs: list[Row], fit: list[Row], key) -> tuple[float, float]:
    """Pooled raw and corrected MAE of ``rs`` with offsets fitted on ``fit`` (a row whose
    (feature, posture) ``fit`` lacks keeps its raw value)."""
    off = offsets_from(fit)
    raw = np.concatenate([np.abs(r.err) for r in rs])
    cor = np.concatenate([np.abs(r.err - off.get(key(r), 0.0)) for r in rs])
    return float(np.mean(raw)), float(np.mean(cor))


def print_correction(rows: list[Row], args) -> None:
    key = lambda r: (r.feature, r.posture)  # noqa: E731
    print("\nper-posture offset toward joint centres: pooled MAE raw -> corrected")
    print(f"  {'feature':29} {'posture':10} {'leave one body out':>20} "
          f"{'train -> dev':>15} {'dev -> train':>15}")
    for (feature, posture), rs in sorted(groups(rows, key).items()):
        raw, lobo = [], []
        for r in rs:
            others = [o for o in rows if o.body != r.body and key(o) == key(r)]
            if others:
                shift = float(np.mean([o.stats.bias for o in others]))
                raw.append(np.abs(r.err))
                lobo.append(np.abs(r.err - shift))
        cells = [f"{np.mean(np.concatenate(raw)):5.2f} -> {np.mean(np.concatenate(lobo)):5.2f}"
                 if raw else "-"]
        for src, dst in (("rendered-train", "rendered"), ("rendered", "rendered-train")):
            fit = [r for r in rows if r.folder == src]
            test = [r for r in rs if r.folder == dst]
            if test and any(key(f) == (feature, posture) for f in fit):
                a, b = corrected_mae(test, fit, key)
                cells.append(f"{a:5.2f} -> {b:5.2f}")
            else:
                cells.append("-")
        print(f"  {feature:29} {posture:10} {cells[0]:>20} {cells[1]:>15} {cells[2]:>15}")
    supine = offsets_from(rows).get(("hip_extension_deg", "supine"))
    if supine is None:
        return
    print(f"\nreal bridge clips: hip extension at the top (P95), raw and with the rendered "
          f"supine offset ({supine:+.1f}) removed; a straight shoulder-hip-knee line reads ~0")
    for row in csv.DictReader((args.clips / "MANIFEST.tsv").open(), delimiter="\t"):
        if row["exercise"] != "glute_bridge":
            continue
        rec = recording_for(args.clips / row["file"], args.cache, args.model)
        feats, _ = measure_recorded(list(RecordingReader(rec)), default_smoothing(),
                                    bilateral=True)
        top = float(np.nanpercentile(feats.values["hip_extension_deg"], 95))
        print(f"  {row['file']:36} raw {top:+6.1f}   corrected {top - supine:+6.1f}")


def main() -> None:
    parser = base_parser(__doc__.splitlines()[1])
    parser.add_argument("--model", type=Path, help="another pose_landmarker .task to evaluate")
    args = parser.parse_args()
    videos = [(folder, v) for folder in FOLDERS
              for v in sorted((args.clips / folder).glob("*.mp4"))]
    if not videos:
        raise SystemExit(f"no rendered clips in {args.clips}/rendered*")
    rows = measure_rows(args, videos)
    print_clips(rows)
    print_postures(rows)
    print_views(rows)
    print_correction(rows, args)


if __name__ == "__main__":
    main()

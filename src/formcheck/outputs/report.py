"""The self-contained HTML report: summary against the dose, plots, per-rep table, fault
timeline with thumbnails, camera warnings, and progress across sessions.  Opens offline:
no scripts, fonts or images are fetched; figures are inline SVG, thumbnails data URIs."""

from __future__ import annotations

import base64
import functools
import math
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from jinja2 import Environment, PackageLoader, Template, select_autoescape

from formcheck.analysis import SessionResult
from formcheck.capture import PoseFrame
from formcheck.features import Features
from formcheck.outputs.draw import annotate, blank_like, draw_skeleton
from formcheck.outputs.history import SessionRow, trend
from formcheck.outputs.plots import angles_over_time_svg, trend_svg

THUMB_WIDTH_PX = 320
REP_COLUMNS_FIRST = ["rep", "kind", "set", "start_s", "end_s", "up_s", "down_s", "hold_s",
                     "hold_in_form_s"]


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return "–" if not math.isfinite(value) else f"{value:.1f}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "–"
    return str(value)


def _png_data_uri(img: np.ndarray) -> str:
    ok, buf = cv2.imencode(".png", img)
    return "data:image/png;base64," + base64.b64encode(buf.tobytes()).decode()


def _crop_to_body(img: np.ndarray, pose: PoseFrame) -> np.ndarray:
    if not pose.has_pose:
        return img
    px = pose.pixels()
    lo = np.clip(np.nanmin(px, axis=0) - 40, 0, None).astype(int)
    hi = np.minimum(np.nanmax(px, axis=0) + 40, [img.shape[1], img.shape[0]]).astype(int)
    crop = img[lo[1]:hi[1], lo[0]:hi[0]]
    return crop if crop.size else img


def thumbnail(pose: PoseFrame, side: str | None, frame_bgr: np.ndarray | None = None,
              result=None, exercise=None) -> str:
    """The frame with its skeleton, or the skeleton alone on a dark canvas when no video is
    kept; cropped to the body and scaled to THUMB_WIDTH_PX."""
    if frame_bgr is not None and exercise is not None:
        img = annotate(frame_bgr, pose, result, exercise)
    else:
        img = draw_skeleton(blank_like(pose.width_px, pose.height_px), pose, side)
    img = _crop_to_body(img, pose)
    scale = THUMB_WIDTH_PX / img.shape[1]
    img = cv2.resize(img, (THUMB_WIDTH_PX, max(1, int(img.shape[0] * scale))))
    return _png_data_uri(img)


def worst_frame_index(result: SessionResult, fault: dict, feature: str | None) -> int:
    """The frame inside the fault's interval whose feature value is nearest the fault's
    recorded peak (its worst moment), or the middle frame."""
    idx = [i for i, f in enumerate(result.frames)
           if fault["start_s"] <= f.t_s <= fault["end_s"]]
    if not idx:
        return 0
    peak = fault.get("peak_value")
    if feature and peak is not None:
        values = np.array([result.frames[i].values.get(feature, np.nan) for i in idx])
        if np.isfinite(values).any():
            return idx[int(np.nanargmin(np.abs(values - peak)))]
    return idx[len(idx) // 2]


def progression_text(doc: dict, result: SessionResult, history: Sequence[SessionRow]) -> str:
    ex = result.exercise
    if not ex.progress_clean_reps:
        return ex.progression
    faulty = {f["rep"] for f in doc["faults"]}
    clean = sum(1 for r in result.counted_reps if r.rep not in faulty)
    if clean >= ex.progress_clean_reps:
        return (f"Ready for {ex.progress_to}: {clean} reps without compensation this "
                f"session. ({ex.progression})")
    return (f"{clean} of {ex.progress_clean_reps} reps without compensation this session; "
            f"{ex.progress_to} once all {ex.progress_clean_reps} are clean. ({ex.progression})")


def history_view(history: Sequence[SessionRow]) -> tuple[str, str]:
    """A sentence and a plot of the most telling trend across sessions."""
    if len(history) < 2:
        return "", ""
    labels = [f"#{h.id}" for h in history]
    for field, label, unit in (("best_hold_s", "best hold", "s"), ("reps", "reps", ""),
                               ("mean_range_deg", "mean range", "deg")):
        pair = trend(list(history), field)
        if pair:
            first, last = pair
            text = (f"{label.capitalize()}: {first:.1f} {unit} in the first session, "
                    f"{last:.1f} {unit} now ({last - first:+.1f}).")
            return text, trend_svg(labels, [getattr(h, field) for h in history],
                                   f"{label} ({unit})" if unit else label)
    return "", ""


@functools.cache
def _template() -> Template:
    """The report template, compiled once per process (a batch renders many reports)."""
    env = Environment(loader=PackageLoader("formcheck.outputs", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    return env.get_template("report.html.j2")


def render_report(doc: dict, result: SessionResult, feats: Features | None,
                  poses: Sequence[PoseFrame], history: Sequence[SessionRow] = (),
                  frames_bgr: dict[int, np.ndarray] | None = None) -> str:
    ex = result.exercise
    t = np.array([f.t_s for f in result.frames])
    names = list(ex.tracks)
    if feats is not None:
        series = {n: np.interp(t, feats.t_s, feats.values[n]) if len(feats.t_s) else t * np.nan
                  for n in names}
    else:
        series = {n: np.array([f.values.get(n, np.nan) for f in result.frames]) for n in names}
    angles_svg = angles_over_time_svg(t, series, doc["reps"], doc["faults"])
    by_index = {p.index: p for p in poses}
    faults = []
    specs = {f.id: f for f in ex.faults}
    for fault in doc["faults"]:
        spec = specs.get(fault["fault"])
        i = worst_frame_index(result, fault, spec.feature if spec else None)
        frame = result.frames[i]
        pose = by_index.get(frame.index)
        image = (frames_bgr or {}).get(frame.index)
        thumb = thumbnail(pose, result.side, image, frame, ex) if pose else ""
        faults.append({**fault, "thumbnail": thumb,
                       "seed_quote": spec.seed_quote if spec else ""})
    warnings = [doc["not_this_exercise"]] if doc.get("not_this_exercise") else []
    warnings += [*doc.get("input_warnings", []), *doc["setup_guidance"]]
    if doc["frames_not_counted"]:
        share = 100.0 * doc["frames_not_counted"] / max(len(result.frames), 1)
        warnings.append(f"{doc['frames_not_counted']} frames ({share:.0f} %) were not counted: "
                        "the landmarks the exercise needs were not visible enough.")
    rep_columns = list(dict.fromkeys(REP_COLUMNS_FIRST + [k for r in doc["reps"] for k in r]))
    trend_text, trend_plot = history_view(history)
    return _template().render(
        doc=doc, s=doc["summary"], angles_svg=angles_svg, rep_columns=rep_columns,
        faults=faults, warnings=warnings, fmt=_fmt,
        progression=progression_text(doc, result, history), history=list(history),
        trend_text=trend_text, trend_svg=trend_plot)


def write_report(html: str, path: Path) -> None:
    path.write_text(html, encoding="utf-8")

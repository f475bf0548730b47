"""The self-contained HTML report a clinician reads in 30 seconds: the summary sentence,
the dose against the prescription, faults grouped by kind with their severity, plots,
a per-rep table, thumbnails that open full size, left against right, and this patient's
trends.  Opens offline: no scripts, fonts or remote images; figures are inline SVG,
thumbnails data URIs (full-size frames are PNG files beside the report)."""

from __future__ import annotations

import base64
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from jinja2 import Environment, PackageLoader, Template, select_autoescape

from formcheck.analysis import SessionResult
from formcheck.capture import PoseFrame
from formcheck.features import Features
from formcheck.outputs.clinical import (
    NOT_GRADED,
    convention,
    fault_groups,
    label,
    reference_words,
    setup_problem,
    source_titles,
    summary_sentence,
    wording,
    worst_text,
)
from formcheck.outputs.draw import blank_like, draw_angles, draw_banner, draw_skeleton
from formcheck.outputs.history import SessionRow
from formcheck.outputs.plots import Panel, angles_over_time_svg, hold_power_svg, trend_svg
from formcheck.outputs.progress import progress_text

THUMB_WIDTH_PX = 360


def _png_data_uri(img: np.ndarray) -> str:
    ok, buf = cv2.imencode(".png", img)
    return "data:image/png;base64," + base64.b64encode(buf.tobytes()).decode()


def _crop_to_body(img: np.ndarray, pose: PoseFrame) -> np.ndarray:
    if not pose.has_pose:
        return img
    px = pose.pixels()
    lo = np.clip(np.nanmin(px, axis=0) - 60, 0, None).astype(int)
    hi = np.minimum(np.nanmax(px, axis=0) + 60, [img.shape[1], img.shape[0]]).astype(int)
    crop = img[lo[1]:hi[1], lo[0]:hi[0]]
    return crop if crop.size else img


def fault_image(pose: PoseFrame, frame, frame_bgr: np.ndarray | None,
                fault_name: str) -> np.ndarray:
    """The worst frame of a fault, cropped to the body, with the skeleton, the angles and
    the fault's name (the camera image when video was kept, else a dark canvas)."""
    base = frame_bgr if frame_bgr is not None else blank_like(pose.width_px, pose.height_px)
    img = draw_angles(draw_skeleton(base, pose, frame.side), pose, frame)
    return draw_banner(_crop_to_body(img, pose), fault_name)


def _thumb(img: np.ndarray) -> str:
    scale = THUMB_WIDTH_PX / img.shape[1]
    return _png_data_uri(cv2.resize(img, (THUMB_WIDTH_PX, max(1, int(img.shape[0] * scale)))))


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


def hold_sentences(doc: dict) -> list[str]:
    """Per hold that shook, sagged or broke: one sentence ("Hold 2: shaking from 42 s
    (3-7 Hz); hip extension sagging 0.3°/s from 50 s.")."""
    signal = doc["exercise"]["signal"].removesuffix("_deg").replace("_", " ")
    out = []
    for q in doc.get("hold_quality", []):
        parts = []
        if q["shaking_from_s"] is not None:
            parts.append(f"shaking from {q['shaking_from_s']:.0f} s ({q['shake_band']})")
        if q["sag_from_s"] is not None:
            parts.append(f"{signal} sagging {q['sag_deg_s']:.1f}°/s from {q['sag_from_s']:.0f} s"
                         + ("" if q["sag_recovered"] else ", not recovered"))
        if q["fatigue_from_s"] is not None:
            parts.append(f"fatigue from {q['fatigue_from_s']:.0f} s")
        if q["first_break_s"] is not None:
            parts.append(f"first break {q['first_break_s']:.1f} s after reaching the top")
        if parts:
            caveat = "" if q["reliable"] else f" (unreliable: {', '.join(q['unreliable_because'])})"
            out.append(f"Hold {q['rep']}: " + "; ".join(parts) + caveat + ".")
    return out


def _panels(ex) -> list[Panel]:
    panels = []
    what = "hold" if ex.movement.kind == "hold" else "rep"
    for name in ex.tracks:
        lines = []
        if name == ex.movement.signal:
            lines.append((ex.movement.top, "target", f"top of a {what} ({ex.movement.top:g}°)"))
        for f in ex.faults:
            if f.feature == name and f.rule in ("above", "below", "outside"):
                for value in (f.above, f.below):
                    if value is not None:
                        lines.append((value, "limit", f"{f.id.replace('_', ' ')} ({value:g}°)"))
        panels.append(Panel(name, label(name), tuple(lines)))
    return panels


def _series(result: SessionResult, feats: Features | None, names) -> tuple[np.ndarray, dict]:
    t = np.array([f.t_s for f in result.frames])
    if feats is not None:
        return t, {n: np.interp(t, feats.t_s, feats.values[n]) if len(feats.t_s) else t * np.nan
                   for n in names}
    return t, {n: np.array([f.values.get(n, np.nan) for f in result.frames]) for n in names}


@dataclass
class RepColumn:
    key: str
    title: str
    digits: int = 1


def rep_columns(doc: dict, kind: str) -> list[RepColumn]:
    """The columns a clinician reads; the rest stays in reps.csv."""
    signal = doc["exercise"]["signal"]
    top = "hold" if kind == "hold" else "rep"
    cols = [RepColumn("rep", top.capitalize(), 0), RepColumn("set", "Set", 0),
            RepColumn("start_s", "Starts at (s)")]
    cols += [RepColumn("hold_s", "Held at the top (s)"),
             RepColumn("hold_in_form_s", "Held in form (s)")] if kind == "hold" \
        else [RepColumn("duration_s", "Duration (s)")]
    cols += [RepColumn("peak_" + signal, f"Peak {label(signal).lower()}"),
             RepColumn("range_" + signal, f"Range {label(signal).lower()}")]
    if kind == "pumps":
        cols += [RepColumn("pumps", "Pumps", 0), RepColumn("pump_amp_mean_deg", "Pump size (°)")]
    return cols + [RepColumn("faults", "Faults")]


def cell(row: dict, col: RepColumn) -> str:
    value = row.get(col.key)
    if col.key == "faults":  # each with its grade, when graded
        grades = dict(g.split(": ", 1) for g in row.get("fault_grades") or [])
        return ", ".join(v.replace("_", " ") + (f" ({grades[v]})" if grades.get(v, NOT_GRADED)
                                                != NOT_GRADED else "")
                         for v in value or []) or "none"
    if value is None:
        return "–"
    return f"{value:.{col.digits}f}" if isinstance(value, float) else str(value)


def _trend_points(history: Sequence[SessionRow], field: str) -> dict:
    points: dict = {}
    for h in history:
        if getattr(h, field) is not None:
            points.setdefault(h.side, []).append((h.recorded_utc, getattr(h, field)))
    return points


def trends(history: Sequence[SessionRow], kind: str, hold_target: float | None,
           reps_target: int | None = None) -> list[dict]:
    """This patient's trend plots over recording time, one line per side, with the
    targets dashed."""
    if len(history) < 2:
        return []
    fields = [("best_hold_s", "Longest hold (s)", hold_target)] if kind == "hold" else []
    fields += [("pumps", "Pumps", None)] if kind == "pumps" else []
    fields += [("reps", "Holds" if kind == "hold" else "Reps", reps_target),
               ("mean_range_deg", "Mean range (°)", None),
               ("faults_per_rep", f"Faults per {'hold' if kind == 'hold' else 'rep'}", None)]
    out = []
    for field, title, target in fields:
        points = _trend_points(history, field)
        if sum(len(p) for p in points.values()) >= 2:
            out.append({"title": title, "svg": trend_svg(points, title, target)})
    return out


def symmetry(history: Sequence[SessionRow]) -> list[SessionRow]:
    """The latest session of each side, when both sides have one."""
    latest = {h.side: h for h in history if h.side}
    return [latest[s] for s in ("left", "right")] if len(latest) == 2 else []


def other_side_text(doc: dict, exercise, history: Sequence[SessionRow]) -> str:
    """For a one-sided exercise: when the other side was last done (from the history)."""
    if exercise.bilateral or doc["side"] not in ("left", "right"):
        return ""
    other = "right" if doc["side"] == "left" else "left"
    done = [h.day for h in history if h.side == other]
    return f"{other} side: last recorded {done[-1]}" if done else f"{other} side: none recorded"


def _fault_views(doc, result, poses, frames_bgr, groups, out_dir: Path | None) -> list[dict]:
    """Each fault kind with a thumbnail of its worst moment; the full-size frame is
    written beside the report when there is a folder to write it to."""
    ex = result.exercise
    specs = {f.id: f for f in ex.faults}
    by_index = {p.index: p for p in poses}
    views = []
    for g in groups:
        spec = specs.get(g.fault)
        frame = result.frames[worst_frame_index(result, g.worst, spec.feature if spec else None)]
        pose = by_index.get(frame.index)
        thumb = full = ""
        if pose is not None:
            img = fault_image(pose, frame, (frames_bgr or {}).get(frame.index), g.name)
            thumb = _thumb(img)
            if out_dir is not None:
                (out_dir / "faults").mkdir(exist_ok=True)
                cv2.imwrite(str(out_dir / "faults" / f"{g.fault}.png"), img)
                full = f"faults/{g.fault}.png"
        unit = label(spec.feature).removesuffix(" (°)") if spec and spec.feature else ""
        views.append({"g": g, "thumb": thumb, "full": full,
                      "worst": worst_text(g, unit, reference_words(spec, g.unit))})
    return views


@functools.cache
def _template() -> Template:
    """The report template, compiled once per process (a batch renders many reports)."""
    env = Environment(loader=PackageLoader("formcheck.outputs", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    return env.get_template("report.html.j2")


def render_report(doc: dict, result: SessionResult, feats: Features | None,
                  poses: Sequence[PoseFrame], history: Sequence[SessionRow] = (),
                  frames_bgr: dict[int, np.ndarray] | None = None, video_name: str | None = None,
                  out_dir: Path | None = None, adherence: Sequence[dict] = ()) -> str:
    ex = result.exercise
    kind = ex.movement.kind
    specs = {f.id: f for f in ex.faults}
    groups = fault_groups(doc, specs, kind)
    t, series = _series(result, feats, ex.tracks)
    angles_svg = angles_over_time_svg(t, series, _panels(ex), doc["reps"], doc["faults"],
                                      wording()["plots"]["min_span_deg"],
                                      "hold" if kind == "hold" else "rep")
    warnings = [doc["not_this_exercise"]] if doc.get("not_this_exercise") else []
    warnings += [*doc.get("input_warnings", []),
                *dict.fromkeys(setup_problem(g) for g in doc["setup_guidance"])]
    if doc["frames_not_counted"]:
        share = 100.0 * doc["frames_not_counted"] / max(len(result.frames), 1)
        warnings.append(f"{doc['frames_not_counted']} frames ({share:.0f} %) were not counted: "
                        "the landmarks the exercise needs were not visible enough.")
    return _template().render(
        doc=doc, s=doc["summary"], kind=kind, summary=summary_sentence(doc, groups, kind),
        sources=source_titles(ex.seed), angles_svg=angles_svg, faults=_fault_views(
            doc, result, poses, frames_bgr, groups, out_dir),
        columns=rep_columns(doc, kind), cell=cell, warnings=warnings,
        signal_label=label(ex.movement.signal), convention=convention(ex.movement.signal),
        top_target=ex.movement.top, progression=progress_text(ex, history, doc),
        hold_sentences=hold_sentences(doc), hold_svg=hold_power_svg(doc.get("hold_quality", [])),
        history=list(history), trends=trends(history, kind, doc["summary"].get("hold_target_s"),
                                          doc["summary"].get("reps_target")),
        symmetry=symmetry(history), other_side=other_side_text(doc, ex, history),
        video=video_name, adherence=list(adherence),
        dose_notes=[n for n in doc["dose_notes"] if n.get("fault") != "hold_too_short"])


def write_report(html: str, path: Path) -> None:
    path.write_text(html, encoding="utf-8")

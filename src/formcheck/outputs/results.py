"""Session results as plain data: the JSON document and CSV tables clinicians get.

Schema ``formcheck-results`` version 1 (documented in the README)."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

from formcheck import __version__
from formcheck.analysis import SessionResult
from formcheck.capture import SourceInfo
from formcheck.features import SPEC_BY_NAME
from formcheck.outputs.clinical import GRADES, NOT_GRADED, feature_units, grade_fault

FORMAT = "formcheck-results"
VERSION = 1


def _num(x: Any) -> Any:
    if isinstance(x, float):
        return None if not math.isfinite(x) else round(x, 3)
    return x


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return _num(obj)


def dose_summary(res: SessionResult) -> dict[str, Any]:
    dose = res.exercise.dose
    reps = res.counted_reps
    holds = [r.hold_s for r in res.holds]
    out: dict[str, Any] = {"reps_done": len(reps), "reps_target": dose.reps,
                           "reps_target_max": dose.reps_max, "sets_done": res.sets if reps else 0,
                           "sets_target": dose.sets, "text": dose.text,
                           "dose_from": "prescription" if dose.prescribed else "exercise"}
    if dose.hold_s or dose.final_hold_s or holds:
        out["holds_s"] = holds
        out["hold_target_s"] = dose.final_hold_s if dose.final_hold_s else dose.hold_s
    if dose.rest_min_s or dose.rest_max_s:
        out["rests_s"] = res.rests_s
        out["rest_target_s"] = [dose.rest_min_s, dose.rest_max_s]
    pumps = [a for r in reps for a in r.pumps]
    if res.exercise.movement.kind == "pumps":
        out["pumps_done"] = len(pumps)
        out["pumps_target"] = dose.pumps
        out["pumps_target_max"] = dose.pumps_max
    out["progression"] = res.exercise.progression
    return out


def dose_notes(res: SessionResult) -> list[dict[str, Any]]:
    """Dose adherence, apart from form faults: holds and rests against the prescription."""
    notes = [asdict(e) for e in res.events if e.kind == "dose"]
    dose = res.exercise.dose
    for i, rest in enumerate(res.rests_s, start=1):
        if dose.rest_min_s and rest < dose.rest_min_s:
            notes.append({"fault": "rest_too_short", "cue": f"Rest {rest:.0f} s; rest at least "
                          f"{dose.rest_min_s:.0f} s between holds", "after_rep": i})
        elif dose.rest_max_s and rest > dose.rest_max_s:
            notes.append({"fault": "rest_too_long", "cue": f"Rest {rest:.0f} s; rest at most "
                          f"{dose.rest_max_s:.0f} s between holds", "after_rep": i})
    return notes


#: Per-rep columns of a hold's quality, from its figures (all of them are in results.json's
#: ``hold_quality``).
HOLD_COLUMNS = {name: name for name in ("shake_index", "shake_band", "shaking_from_s",
                                        "drift_deg_s", "sag_from_s", "sag_deg_s",
                                        "fatigue_from_s")} | {
    f"hold_{name}": name for name in ("first_break_s", "first_frame", "last_frame", "reliable")}
SHAKING = "shaking"


#: Units of the faults that are not an angle rule on a feature.
TIMING_UNITS = "s"
SHAKE_UNITS = "x rest"


def fault_units(res: SessionResult, fault_id: str) -> str:
    """The unit a fault's peak and threshold are in."""
    spec = next((f for f in res.exercise.faults if f.id == fault_id), None)
    if spec is None:
        return SHAKE_UNITS if fault_id == SHAKING else ""
    return TIMING_UNITS if spec.rule == "lowering_fast" else feature_units(spec)


def form_faults(res: SessionResult, holds: dict[int, dict] | None = None) -> list[dict]:
    """The form faults and shaking, in time order, each with its grade (peak against
    threshold, see ``clinical.grade_fault``)."""
    events = [asdict(e) for e in res.events if e.kind == "form"] + shaking_events(res,
                                                                              holds or {})
    return sorted([e | grade_fault(e.get("peak_value"), e.get("threshold"),
                                   fault_units(res, e["fault"])) for e in events],
                  key=lambda f: f["start_s"])


def _rep_grades(faults: list[dict], rep: int) -> list[str]:
    """"fault: grade" for each fault kind in a rep, at its worst event."""
    order = (*GRADES, NOT_GRADED)
    worst: dict[str, str] = {}
    for f in faults:
        if f["rep"] == rep and (f["fault"] not in worst or order.index(f["grade"])
                                < order.index(worst[f["fault"]])):
            worst[f["fault"]] = f["grade"]
    return [f"{k}: {v}" for k, v in worst.items()]


def shaking_events(res: SessionResult, holds: dict[int, dict]) -> list[dict[str, Any]]:
    """Shaking in a hold, as an entry of ``faults`` (kind ``fatigue``: a sign of fatigue,
    not of compensation), from its onset to the end of the hold."""
    cue = res.exercise.hold_quality.shaking_cue if res.exercise.hold_quality else ""
    return [{"fault": SHAKING, "severity": "info", "cue": cue,
             "start_s": q["shaking_from_s"], "end_s": q["end_s"], "rep": rep,
             "set": next((r.set for r in res.reps if r.rep == rep), 1),
             "peak_value": q["shake_index"], "threshold": q.get("shake_threshold"),
             "kind": "fatigue", "band": q["shake_band"],
             "reliable": q["reliable"]}
            for rep, q in sorted(holds.items()) if q.get("shaking_from_s") is not None]


def rep_rows(res: SessionResult, rep_metrics: dict[int, dict[str, float]] | None = None,
             holds: dict[int, dict] | None = None) -> list[dict[str, Any]]:
    rows = []
    faults = form_faults(res, holds)
    for r in res.reps:
        row = {"rep": r.rep, "kind": r.kind, "set": r.set, "start_s": r.start_s,
               "top_s": r.top_s, "leave_top_s": r.leave_top_s, "end_s": r.end_s,
               "duration_s": r.duration_s,
               "up_s": (r.top_s - r.start_s) if r.top_s else None,
               "down_s": (r.end_s - r.leave_top_s) if r.leave_top_s and r.end_s else None,
               "hold_s": r.hold_s,
               "hold_in_form_s": r.hold_in_form_s,
               "hold_target_s": (res.exercise.dose.final_hold_s if r.kind == "final_hold"
                                 else res.exercise.dose.hold_s) or None,
               "peak_" + res.exercise.movement.signal: r.peak_value,
               "pumps": len(r.pumps),
               "pump_amp_mean_deg": (sum(r.pumps) / len(r.pumps)) if r.pumps else None,
               "faults": list(dict.fromkeys(r.faults)),
               "fault_grades": _rep_grades(faults, r.rep), "confidence": r.confidence}
        row.update((rep_metrics or {}).get(r.rep, {}))
        quality = (holds or {}).get(r.rep)
        if quality:
            row.update({column: quality[key] for column, key in HOLD_COLUMNS.items()})
        rows.append(row)
    return rows


def results_document(res: SessionResult, source: SourceInfo, model: dict | None,
                     rep_metrics: dict[int, dict[str, float]] | None = None,
                     holds: dict[int, dict] | None = None,
                     patient: str | None = None) -> dict[str, Any]:
    ex = res.exercise
    doc = {
        "format": FORMAT, "version": VERSION, "patient": patient,
        "provenance": {"formcheck_version": __version__, "exercise": ex.name,
                       "exercise_file": Path(ex.source_path).name, "exercise_sha256": ex.sha256,
                       "model": model, "source": asdict(source),
                       "frames": len(res.frames)},
        "exercise": {"name": ex.name, "title": ex.title, "seed": ex.seed, "camera": ex.camera,
                     "signal": ex.movement.signal, "tracks": list(ex.tracks),
                     "progression": ex.progression},
        "side": res.side,
        "summary": dose_summary(res),
        "not_this_exercise": res.refusal,
        "not_judged": [{"fault": f, "why": "not judged from this view"} for f in res.not_judged],
        "reps": rep_rows(res, rep_metrics, holds),
        "faults": form_faults(res, holds),
        "hold_quality": [q for _, q in sorted((holds or {}).items())],
        "dose_notes": dose_notes(res),
        "setup_guidance": res.guidance,
        "frames_not_counted": sum(1 for f in res.frames if not f.counted),
        "units": {name: spec.unit for name, spec in SPEC_BY_NAME.items()},
    }
    return _clean(doc)


def write_json(doc: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def faults_at(res: SessionResult, t_s: float) -> list[str]:
    """Form faults whose event interval covers ``t_s`` (including those, like a sag, that
    are only known once they have ended)."""
    return [e.fault for e in res.events if e.kind == "form" and e.start_s <= t_s <= e.end_s]


def _grades_at(faults: list[dict], t_s: float) -> str:
    return ";".join(f"{f['fault']}: {f['grade']}" for f in faults
                    if f["kind"] == "form" and f["start_s"] <= t_s <= f["end_s"])


def write_frames_csv(res: SessionResult, path: Path) -> None:
    names = list(res.exercise.needed_features)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["frame", "t_s", "state", "counted", "interpolated", "visibility", "reps",
                    "set", "hold_s", "pumps", *names, *(f"{n}_quality" for n in names),
                    "active_faults", "active_fault_grades"])
        graded = form_faults(res)
        for f in res.frames:
            w.writerow([f.index, f"{f.t_s:.4f}", f.state, int(f.counted), int(f.interpolated),
                        f"{f.visibility:.2f}", f.reps, f.set, f"{f.hold_s:.2f}", f.pumps,
                        *("" if not math.isfinite(f.values[n]) else f"{f.values[n]:.2f}"
                          for n in names),
                        *(f"{f.quality.get(n, 0.0):.2f}" for n in names),
                        ";".join(faults_at(res, f.t_s)), _grades_at(graded, f.t_s)])


def write_reps_csv(rows: list[dict[str, Any]], path: Path) -> None:
    keys = list(dict.fromkeys(k for row in rows for k in row)) or ["rep"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=keys)
        w.writeheader()
        for row in rows:
            w.writerow({k: ";".join(v) if isinstance(v, list) else _num(v)
                        for k, v in row.items()})

"""What a clinician reads first, computed from the results document alone (so the report
and results.json cannot disagree): the summary sentence, faults grouped by kind with a
severity from the measured worst moment against the threshold, and plain names."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from formcheck.features import SPEC_BY_NAME


@cache
def wording() -> dict[str, Any]:
    return tomllib.loads((resources.files("formcheck.outputs") / "report.toml").read_text())


def label(feature: str) -> str:
    return wording()["labels"].get(feature, feature.replace("_", " "))


def convention(feature: str) -> str:
    return wording()["conventions"].get(feature, "")


def source_titles(seed: str) -> list[str]:
    """The titles of the source documents an exercise file cites ("004 (...); 002 ...")."""
    titles = wording()["sources"]
    numbers = dict.fromkeys(re.findall(r"\b(\d{3})\b", seed))
    return [titles.get(n, f"source {n}") for n in numbers]


def setup_problem(message: str) -> str:
    """An engine's setup message to the patient, as the clinician reads it."""
    return wording()["setup"].get(message, message)


def fault_name(fault_id: str) -> str:
    return fault_id.replace("_", " ")


LIMIT_WORDS = {"above": "above {above}", "below": "below {below}",
               "outside": "outside {below} to {above}",
               "dip": "a dip of more than {amount} from {ref}",
               "rise": "a rise of more than {amount} from {ref}",
               "drop": "a drop of more than {amount} from {ref}",
               "deviate": "more than {amount} away from {ref}",
               "lowering_fast": "lowering in less than {amount} × the time the lift took"}
REFERENCES = {"set_start": "the start of the set", "rep_start": "the start of the {unit}",
              "rep_top": "the top of the {unit}", "earlier_tops": "the earlier {unit}s' tops"}
LIMIT_FORMATS = {"deg": "{:g}°", "ratio": "{:g}"}


def feature_units(spec) -> str:
    feature = SPEC_BY_NAME.get(getattr(spec, "feature", None) or "")
    return feature.unit if feature is not None else ""


def reference_words(spec, unit: str = "rep") -> str:
    """What a relative rule measures from ("the start of the set", "the top of the hold")."""
    if spec is None:
        return ""
    key = "rep_top" if spec.rule == "dip" else spec.baseline
    return REFERENCES.get(key, "the start").format(unit=unit)


def limit_text(spec, unit: str = "rep") -> str:
    """The fault's threshold in words, in the measured unit and convention."""
    if spec is None or spec.rule not in LIMIT_WORDS:
        return ""
    fmt = LIMIT_FORMATS.get(feature_units(spec), "{:g}").format
    return LIMIT_WORDS[spec.rule].format(
        above=fmt(spec.above or 0.0), below=fmt(spec.below or 0.0),
        amount=f"{spec.amount or 0.0:g}" if spec.rule == "lowering_fast"
        else fmt(spec.amount or 0.0), ref=reference_words(spec, unit))


GRADES = ("marked", "moderate", "mild")
NOT_GRADED = "not graded"


def grade_fault(peak: float | None, threshold: float | None, units: str) -> dict[str, Any]:
    """The one severity rule, for results.json, the CSVs and the report alike: how far the
    measured worst moment (``peak``) went past the fault's ``threshold``, against the bands
    for its unit (report.toml ``[severity]``).  A fault that cannot be graded says why."""
    out = {"grade": NOT_GRADED, "threshold": threshold, "units": units,
           "past_threshold": None, "not_graded_because": None}
    bands = wording()["severity"].get(units)
    if peak is None:
        out["not_graded_because"] = "no valid measurement during the fault"
    elif threshold is None:
        out["not_graded_because"] = "no threshold was recorded with the fault"
    else:
        out["past_threshold"] = abs(peak - threshold)
        if bands is None:
            out["not_graded_because"] = wording()["not_graded"].get(
                units, f"there are no severity bands for values in {units}")
    if out["not_graded_because"] is None:
        past = out["past_threshold"]
        out["grade"] = "marked" if past >= bands["marked_from"] else (
            "moderate" if past >= bands["moderate_from"] else "mild")
    return out


def _graded(event: dict) -> dict:
    """An event's grade: the one recorded with it, else (a document written before grades
    were recorded) ungraded."""
    if "grade" in event:
        return event
    return event | grade_fault(event.get("peak_value"), None, "")


@dataclass
class FaultGroup:
    fault: str
    name: str
    cue: str
    quote: str
    events: list[dict]
    reps: list[int]
    of_reps: int
    total_s: float
    worst: dict
    depth: float | None  # for a dip: how far below the rep's top level
    excess: float | None
    limit: str
    severity: str
    unit: str = "rep"  # "hold" for hold exercises
    not_graded_because: str = ""

    @property
    def where(self) -> str:
        if self.reps:
            return f"in {len(self.reps)} of {self.of_reps} {self.unit}s"
        return f"{len(self.events)} time(s)"


def fault_groups(doc: dict, specs: dict, kind: str = "reps") -> list[FaultGroup]:
    """Faults by kind, worst first: how many reps, for how long, how far past the
    threshold at the worst moment (each event's recorded grade)."""
    of_reps = sum(1 for r in doc["reps"] if r["kind"] == "rep") or len(doc["reps"])
    groups = []
    for fid in dict.fromkeys(f["fault"] for f in doc["faults"]):
        events = [_graded(f) for f in doc["faults"] if f["fault"] == fid]
        spec = specs.get(fid)
        unit = "hold" if kind == "hold" else "rep"
        worst = max(events, key=lambda e: -1.0 if e["past_threshold"] is None
                    else e["past_threshold"])
        depth = abs(worst["baseline_value"] - worst["peak_value"]) \
            if spec is not None and spec.rule == "dip" and worst.get("baseline_value") \
            is not None and worst.get("peak_value") is not None else None
        quote = spec.seed_quote if spec is not None and _is_instruction(spec) else ""
        groups.append(FaultGroup(
            fid, fault_name(fid), events[0]["cue"], quote, events,
            sorted({e["rep"] for e in events if e["rep"] is not None}), of_reps,
            sum(e["end_s"] - e["start_s"] for e in events), worst, depth,
            worst["past_threshold"], limit_text(spec, unit), worst["grade"], unit,
            worst["not_graded_because"] or ""))
    order = {g: i for i, g in enumerate((*GRADES, NOT_GRADED))}
    return sorted(groups, key=lambda g: (order[g.severity], -len(g.events)))


COMMON_WORDS = {"the", "not", "too", "and", "your", "with", "don", "keep", "from"}


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{3,}", text.lower())) - COMMON_WORDS


def _is_instruction(spec) -> bool:
    """A source quote is shown only when it speaks of what the fault is about: a word of
    the fault's name begins a word of the quote, or the other way round."""
    return any(a.startswith(b) or b.startswith(a) or (len(a) >= 5 and a[:5] == b[:5])
               for a in _words(spec.id.replace("_", " ")) for b in _words(spec.seed_quote))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _range(lo: int | None, hi: int | None) -> str:
    return f"{lo}-{hi}" if lo and hi and hi > lo else str(lo or "")


def _dose_part(s: dict, kind: str) -> str:
    done, target = s["reps_done"], _range(s.get("reps_target"), s.get("reps_target_max"))
    if kind == "pumps":
        goal = _range(s.get("pumps_target"), s.get("pumps_target_max"))
        return (f"{_plural(s['pumps_done'], 'pump')}{f' of {goal}' if goal else ''} in "
                f"{_plural(done, 'lift')}")
    what = "hold" if kind == "hold" else "rep"
    text = f"{done} of {target} {what}s done" if target else f"{_plural(done, what)} done"
    if kind == "hold" and s.get("holds_s"):
        text += f", longest {max(s['holds_s']):.1f} s"
        if s.get("hold_target_s"):
            text += f" of {s['hold_target_s']:.0f} s"
    return text


VALUE_FORMATS = {"deg": "{:.0f}°", "ratio": "{:.2f}", "s": "{:.1f} s", "x rest": "{:.1f}× rest"}


def value_text(value: float, units: str) -> str:
    """A measured value with its unit, as the report prints it ("24°", "0.62", "0.4 s");
    a value that rounds to zero has no minus sign."""
    return re.sub(r"^-(?=0(\.0+)?(?![\d.]))", "", VALUE_FORMATS.get(units, "{:.3g}").format(value))


def worst_text(g: FaultGroup, feature_label: str, reference: str = "") -> str:
    """The worst moment of a fault kind against its threshold, in one sentence ("Worst:
    -12° hip extension, 22° below the top of the hold (10°); threshold 0°, 12° past it.")."""
    w, units = g.worst, g.worst.get("units", "")
    if w.get("peak_value") is None:
        return ""
    what = {"s": " to lower", "x rest": " (shake index)"}.get(
        units, f" {feature_label.lower()}" if feature_label else "")
    text = f"Worst: {value_text(w['peak_value'], units)}{what}"
    base = w.get("baseline_value")
    if base is not None and reference:
        change = w["peak_value"] - base
        way = "above" if change > 0 else "below"
        text += (f", {value_text(abs(change), units)} {way} {reference} "
                 f"({value_text(base, units)})")
    if w.get("threshold") is not None:
        text += f"; threshold {value_text(w['threshold'], units)}"
        if g.excess is not None:
            text += f", {value_text(g.excess, units)} past it"
    return text + "."


def _fault_part(g: FaultGroup, kind: str) -> str:
    unit = "hold" if kind == "hold" else "rep"
    if len(g.reps) == 1 and len(g.events) == 1:
        text = f"{g.name} in {unit} {g.reps[0]} for {g.total_s:.1f} s"
    else:
        text = f"{g.name} {g.where}"
    units = g.worst.get("units", "deg")
    if g.depth is not None:
        text += f", by {value_text(g.depth, units)}"
    elif g.excess is not None and g.severity != NOT_GRADED:
        text += f", up to {value_text(g.excess, units)} past the limit"
    return text


def summary_sentence(doc: dict, groups: list[FaultGroup], kind: str) -> str:
    """"3 of 5 holds done, longest 8.7 s of 60 s; hips sagging in hold 2 for 2.0 s, by 24°"."""
    parts = [_dose_part(doc["summary"], kind)]
    parts += [_fault_part(g, kind) for g in groups] or ["no form faults"]
    rated = [f"{name} {value}/10" for name, value in
             (("effort", (doc.get("rating") or {}).get("effort_0_10")),
              ("pain", (doc.get("rating") or {}).get("pain_0_10"))) if value is not None]
    if rated:  # the patient's own ratings at the end of a live session
        parts.append("the patient rated " + " and ".join(rated))
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."

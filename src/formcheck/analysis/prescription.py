"""A patient's prescription: per exercise, the dose this patient was given (reps, sets,
hold, rest, pumps, sides, how often a day and how many days a week).

A TOML file, validated like the exercise files (every problem listed, unknown keys are
errors)::

    patient = "p01"
    [[exercises]]
    exercise = "glute_bridge"
    reps = 5
    hold_s = 60
    rest_min_s = 30
    rest_max_s = 60
    sides = "both"
    per_day = 2
    days_per_week = 7

The exercise file's dose stays the default; ``prescribed_exercise`` returns the exercise
with this patient's dose in its place, for analysis, the report and live coaching alike.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from formcheck.analysis.exercise import Exercise
from formcheck.analysis.tables import Problems, build, choice
from formcheck.errors import ExerciseError

SIDES = ("left", "right", "both")


@dataclass(frozen=True)
class Prescribed:
    exercise: str
    reps: int = 0
    reps_max: int = 0
    sets: int = 1
    hold_s: float = 0.0
    rest_min_s: float = 0.0
    rest_max_s: float = 0.0
    pumps: int = 0
    pumps_max: int = 0
    sides: str = "both"
    per_day: int = 1
    days_per_week: int = 7
    note: str = ""

    @property
    def side_list(self) -> tuple[str, ...]:
        return ("left", "right") if self.sides == "both" else (self.sides,)

    @property
    def sessions_per_week(self) -> int:
        """Sessions a week on each prescribed side."""
        return self.per_day * self.days_per_week


@dataclass(frozen=True)
class Prescription:
    patient: str
    exercises: tuple[Prescribed, ...] = ()
    source_path: str = ""
    sha256: str = ""

    def for_exercise(self, name: str) -> Prescribed | None:
        return next((p for p in self.exercises if p.exercise == name), None)


def _check(p: Prescribed, path: str, problems: Problems) -> None:
    choice(p.sides, SIDES, f"{path}.sides", problems)
    if not 1 <= p.days_per_week <= 7:
        problems.add(f"{path}.days_per_week", "must be 1 to 7")
    if p.per_day < 1:
        problems.add(f"{path}.per_day", "must be at least 1")
    for lo, hi in (("reps", "reps_max"), ("pumps", "pumps_max"), ("rest_min_s", "rest_max_s")):
        if getattr(p, hi) and getattr(p, hi) < getattr(p, lo):
            problems.add(f"{path}.{hi}", f"must not be below {lo}")


def parse_prescription(data: dict[str, Any], source: str = "") -> Prescription:
    problems = Problems()
    raw = data.get("exercises", [])
    if not isinstance(raw, list):
        problems.add("exercises", "expected a list of [[exercises]] tables")
        raw = []
    items = []
    for i, table in enumerate(raw):
        item = build(Prescribed, table, f"exercises[{i}]", problems)
        if item is not None:
            _check(item, f"exercises[{i}]", problems)
            items.append(item)
    names = [p.exercise for p in items]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.add("exercises", f"exercise {dup!r} is prescribed more than once")
    top = {k: v for k, v in data.items() if k != "exercises"}
    result = build(Prescription, top, "", problems, nested={"exercises": tuple(items)})
    problems.raise_if_any(source, "prescription")
    return result


def load_prescription(path: str | Path) -> Prescription:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ExerciseError(f"prescription not found: {path}; write one with "
                            "'formcheck prescribe'") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ExerciseError(f"{path.name} is not valid TOML: {exc}") from exc
    return replace(parse_prescription(data, path.name), source_path=str(path))


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def prescription_toml(p: Prescription) -> str:
    """The prescription as TOML (only the values that differ from the defaults)."""
    lines = [f"patient = {_toml_value(p.patient)}"]
    for item in p.exercises:
        lines += ["", "[[exercises]]"]
        for f in fields(Prescribed):
            value = getattr(item, f.name)
            if f.name == "exercise" or value != f.default:
                lines.append(f"{f.name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def dose_text(p: Prescribed) -> str:
    """The prescribed dose in words."""
    parts = []
    if p.pumps:
        parts.append(f"{p.pumps}{f'-{p.pumps_max}' if p.pumps_max > p.pumps else ''} pumps")
    if p.reps:
        what = "holds" if p.hold_s else "reps"
        parts.append(f"{p.reps}{f'-{p.reps_max}' if p.reps_max > p.reps else ''} {what}")
    if p.hold_s:
        parts.append(f"of {p.hold_s:g} s")
    text = " ".join(parts) or "as many as comfortable"
    if p.sets > 1:
        text += f", {p.sets} sets"
    if p.rest_min_s or p.rest_max_s:
        rest = f"{p.rest_min_s:g}-{p.rest_max_s:g}" if p.rest_max_s > p.rest_min_s \
            else f"{max(p.rest_min_s, p.rest_max_s):g}"
        text += f", {rest} s rest between"
    sides = "each side" if p.sides == "both" else f"{p.sides} side"
    return (f"{text}; {sides}; {p.per_day} time(s) a day, {p.days_per_week} day(s) a week"
            + (f". {p.note}" if p.note else ""))


def prescribed_exercise(exercise: Exercise, p: Prescribed | None) -> Exercise:
    """The exercise with the patient's dose in place of its default dose."""
    if p is None:
        return exercise
    dose = replace(exercise.dose, reps=p.reps, reps_max=p.reps_max, sets=p.sets,
                   hold_s=p.hold_s, rest_min_s=p.rest_min_s, rest_max_s=p.rest_max_s,
                   pumps=p.pumps, pumps_max=p.pumps_max, text=dose_text(p),
                   prescribed=True)
    return replace(exercise, dose=dose)

"""Exercise definitions: TOML files parsed into frozen, typed structures.

Validation collects every problem with its key path before raising one ExerciseError, so a
clinician editing a copy sees everything to fix at once.  Unknown keys are errors."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from formcheck.analysis.drawing import drawing_problems
from formcheck.analysis.limits import check_ranges
from formcheck.analysis.spec import (  # noqa: F401  (re-exported: the file's types)
    BASELINES,
    FRAME_RULES,
    MOVEMENT_KINDS,
    PROGRESS_RULES,
    REP_RULES,
    SEVERITIES,
    VIEWS,
    WHEN,
    Dose,
    Drawing,
    Exercise,
    Fault,
    Movement,
    Posture,
    PostureCheck,
    Progress,
)
from formcheck.analysis.tables import Problems, build, choice
from formcheck.analysis.tremor import HoldSettings, default_hold_settings_table
from formcheck.errors import ExerciseError
from formcheck.features import SPEC_BY_NAME, SmoothingParams


def _feature_ok(name: str, path: str, problems: Problems, optional: bool = True) -> None:
    if (name or not optional) and name not in SPEC_BY_NAME:
        problems.add(path, f"unknown feature {name!r}; known: {', '.join(SPEC_BY_NAME)}")


def _check_fault(f: Fault, path: str, problems: Problems) -> None:
    choice(f.rule, FRAME_RULES + REP_RULES, f"{path}.rule", problems)
    choice(f.when, WHEN, f"{path}.when", problems)
    choice(f.baseline, BASELINES, f"{path}.baseline", problems)
    choice(f.severity, SEVERITIES, f"{path}.severity", problems)
    if f.rule in FRAME_RULES:
        _feature_ok(f.feature, f"{path}.feature", problems)
        if not f.feature:
            problems.add(f"{path}.feature", "missing (the rule needs a feature)")
    need = {"above": ("above",), "below": ("below",), "outside": ("above", "below"),
            "rise": ("amount",), "drop": ("amount",), "deviate": ("amount",),
            "dip": ("amount",), "lowering_fast": ("amount",)}.get(f.rule, ())
    for key in need:
        if getattr(f, key) is None:
            problems.add(f"{path}.{key}", f"missing (rule {f.rule!r} needs it)")
    if not f.cue:
        problems.add(f"{path}.cue", "missing: every fault needs a cue for the patient")
    if f.min_duration_s < 0:
        problems.add(f"{path}.min_duration_s", "must not be negative")


def _check_whole(exercise: Exercise | None, movement: Movement | None, faults: list[Fault],
                 problems: Problems) -> None:
    """Checks across fields: choices, feature names, thresholds, unique fault ids."""
    if movement is not None:
        choice(movement.kind, MOVEMENT_KINDS, "movement.kind", problems)
        _feature_ok(movement.signal, "movement.signal", problems)
        if movement.start == movement.top:
            problems.add("movement.top", "must differ from movement.start")
    if exercise is not None:
        choice(exercise.camera, VIEWS, "camera", problems)
        for i, name in enumerate(exercise.tracks):
            _feature_ok(name, f"tracks[{i}]", problems, optional=False)
    ids = [f.id for f in faults]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.add("faults", f"fault id {dup!r} is used more than once")
    for i, f in enumerate(faults):
        if f.unless and f.unless not in ids[:i]:
            problems.add(f"faults[{i}].unless", f"{f.unless!r} is not a fault listed before "
                         "this one")


def _parse_smoothing(data: dict[str, Any], problems: Problems) -> SmoothingParams | None:
    if "smoothing" not in data:
        return None
    from formcheck.features import default_smoothing

    base = {f.name: getattr(default_smoothing(), f.name) for f in fields(SmoothingParams)}
    if isinstance(data["smoothing"], dict):
        base.update(data["smoothing"])
    return build(SmoothingParams, base, "smoothing", problems)


def _parse_posture(data: dict[str, Any], problems: Problems) -> Posture | None:
    raw = data.get("posture")
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("checks", []), list):
        problems.add("posture", "expected a table with a list of [[posture.checks]]")
        return None
    checks = []
    for i, item in enumerate(raw.get("checks", [])):
        check = build(PostureCheck, item, f"posture.checks[{i}]", problems)
        if check is not None:
            _feature_ok(check.feature, f"posture.checks[{i}].feature", problems)
            if check.min is None and check.max is None:
                problems.add(f"posture.checks[{i}]", "needs min or max")
            checks.append(check)
    drawing = None
    if "drawing" in raw:
        drawing = build(Drawing, raw["drawing"], "posture.drawing", problems)
    rest = {k: v for k, v in raw.items() if k not in ("checks", "drawing")}
    posture = build(Posture, rest, "posture", problems,
                    nested={"checks": tuple(checks), "drawing": drawing})
    if posture is not None and drawing is not None:
        for path, text in drawing_problems(drawing, posture):
            problems.add(path, text)
    return posture


def _parse_hold_quality(data: dict[str, Any], problems: Problems) -> HoldSettings | None:
    base = default_hold_settings_table()
    if isinstance(data.get("hold_quality"), dict):
        base.update(data["hold_quality"])
    elif "hold_quality" in data:
        problems.add("hold_quality", f"expected a table, got {data['hold_quality']!r}")
    settings = build(HoldSettings, base, "hold_quality", problems)
    if settings is not None and len(settings.bands_low_hz) != len(settings.bands_high_hz):
        problems.add("hold_quality.bands_high_hz", "needs one upper edge per lower edge")
    return settings


def _parse_progress(data: dict[str, Any], problems: Problems) -> Progress | None:
    if "progress" not in data:
        return None
    p = build(Progress, data["progress"], "progress", problems)
    if p is None:
        return None
    choice(p.rule, PROGRESS_RULES, "progress.rule", problems)
    need = {"clean_reps": p.clean_reps > 0 and p.to, "hold_time": p.target_hold_s > 0,
            "rep_steps": p.rep_steps and list(p.rep_steps) == sorted(set(p.rep_steps))}
    if p.rule in need and not need[p.rule]:
        problems.add("progress", {"clean_reps": "rule 'clean_reps' needs clean_reps > 0 and to",
                                  "hold_time": "rule 'hold_time' needs target_hold_s > 0",
                                  "rep_steps": "rule 'rep_steps' needs rep_steps, increasing"
                                  }[p.rule])
    return p


def parse_exercise(data: dict[str, Any], source: str = "") -> Exercise:
    """Validate parsed TOML and build the Exercise; raises ExerciseError listing every
    problem."""
    problems = Problems()
    movement = build(Movement, data.get("movement"), "movement", problems)
    dose = build(Dose, data.get("dose", {}), "dose", problems)
    faults = []
    raw_faults = data.get("faults", [])
    if not isinstance(raw_faults, list):
        problems.add("faults", "expected a list of [[faults]] tables")
        raw_faults = []
    for i, raw in enumerate(raw_faults):
        fault = build(Fault, raw, f"faults[{i}]", problems)
        if fault is not None:
            _check_fault(fault, f"faults[{i}]", problems)
            faults.append(fault)
    nested = {"movement": movement, "dose": dose, "faults": tuple(faults),
              "smoothing": _parse_smoothing(data, problems),
              "posture": _parse_posture(data, problems),
              "hold_quality": _parse_hold_quality(data, problems),
              "progress": _parse_progress(data, problems)}
    top = {k: v for k, v in data.items() if k not in nested}
    exercise = build(Exercise, top, "", problems, nested=nested)
    _check_whole(exercise, movement, faults, problems)
    check_ranges(data, problems)
    problems.raise_if_any(source, "exercise file")
    return exercise


def load_exercise_file(path: str | Path) -> Exercise:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ExerciseError(f"exercise file not found: {path}; run 'formcheck exercises' "
                            "for the built-in names") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ExerciseError(f"{path.name} is not valid TOML: {exc}") from exc
    exercise = parse_exercise(data, path.name)
    return _with_source(exercise, str(path), hashlib.sha256(raw).hexdigest())


def _with_source(ex: Exercise, path: str, digest: str) -> Exercise:
    return replace(ex, source_path=path, sha256=digest)


def _catalog_dir():
    return resources.files("formcheck.analysis") / "exercises"


def catalog() -> dict[str, Exercise]:
    """The built-in exercises by name."""
    out = {}
    for entry in sorted(_catalog_dir().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            ex = load_exercise_file(Path(str(entry)))
            out[ex.name] = ex
    return out


def load_exercise(name_or_path: str) -> Exercise:
    """A built-in exercise by name, or an exercise file by path."""
    if name_or_path.endswith(".toml") or Path(name_or_path).is_file():
        return load_exercise_file(name_or_path)
    entry = _catalog_dir() / f"{name_or_path}.toml"
    if not entry.is_file():
        from formcheck.analysis.names import resolve_name  # aliases, "did you mean"

        entry = _catalog_dir() / f"{resolve_name(name_or_path, catalog())}.toml"
    return load_exercise_file(Path(str(entry)))

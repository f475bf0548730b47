"""Exercise definitions: TOML files parsed into frozen, typed structures.

Validation collects every problem with its key path before raising one ExerciseError, so a
clinician editing a copy sees everything to fix at once.  Unknown keys are errors."""

from __future__ import annotations

import hashlib
import math
import tomllib
from dataclasses import MISSING, dataclass, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from formcheck.analysis.limits import check_ranges
from formcheck.errors import ExerciseError
from formcheck.features import DEFAULT_MIN_QUALITY, SPEC_BY_NAME, SmoothingParams

VIEWS = ("side", "front")
MOVEMENT_KINDS = ("reps", "hold", "pumps")
FRAME_RULES = ("above", "below", "outside", "rise", "drop", "deviate", "dip")
REP_RULES = ("lowering_fast",)
WHEN = ("always", "rep", "top")
BASELINES = ("set_start", "rep_start", "rep_top")
SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class Movement:
    """What a repetition is, on the exercise's driving ``signal``.

    A rep leaves the start zone (past ``start``), reaches the top zone (past ``top``) and
    comes back to the start zone.  ``top`` may be above or below ``start``: the direction
    follows.  ``kind``: ``reps`` (plain reps), ``hold`` (each rep is a timed hold at the
    top), ``pumps`` (small pulses at the top are counted within each lift).
    """

    kind: str
    signal: str
    start: float
    top: float
    min_rep_s: float = 0.6
    settle_s: float = 0.3  # time in the start position before counting starts
    set_break_s: float = 20.0  # a pause this long in the start position begins a new set
    final_hold_after_s: float = 0.0  # a top phase this long is the final hold, not a rep
    pump_min_deg: float = 1.0  # smallest pump (peak-to-trough) ...
    pump_noise_factor: float = 4.0  # ... and at least this many times the signal's noise
    top_reference_s: float = 0.5  # the first part of the top phase, the rep's top level

    @property
    def direction(self) -> float:
        return 1.0 if self.top > self.start else -1.0


@dataclass(frozen=True)
class Dose:
    reps: int = 0
    reps_max: int = 0
    sets: int = 1
    hold_s: float = 0.0
    final_hold_s: float = 0.0
    rest_min_s: float = 0.0
    rest_max_s: float = 0.0
    pumps: int = 0  # pumps per lift (kind "pumps"), at least ...
    pumps_max: int = 0  # ... and at most
    text: str = ""
    prescribed: bool = False  # this patient's prescription, not the exercise's default


@dataclass(frozen=True)
class Fault:
    """A form fault: a rule on a feature, held for ``min_duration_s``."""

    id: str
    rule: str
    feature: str = ""
    above: float | None = None
    below: float | None = None
    amount: float | None = None  # for rise / drop / deviate / dip and lowering_fast ratio
    baseline: str = "set_start"
    when: str = "rep"
    min_duration_s: float = 0.3
    severity: str = "warning"
    breaks_hold: bool = False
    cue: str = ""
    spoken: str = ""
    seed_quote: str = ""


@dataclass(frozen=True)
class Exercise:
    name: str
    title: str
    seed: str
    seed_quote: str
    setup: str
    camera: str
    camera_text: str
    tracks: tuple[str, ...]
    movement: Movement
    dose: Dose
    faults: tuple[Fault, ...] = ()
    bilateral: bool = False
    min_quality: float = DEFAULT_MIN_QUALITY
    progression: str = ""
    progress_clean_reps: int = 0  # reps without form faults that earn the next level
    progress_to: str = ""  # the exercise to progress to
    aliases: tuple[str, ...] = ()  # short names it can be called by (bridge, donkey-kick)
    smoothing: SmoothingParams | None = None
    source_path: str = ""
    sha256: str = ""

    @property
    def needed_features(self) -> tuple[str, ...]:
        names = [self.movement.signal, *self.tracks, *(f.feature for f in self.faults)]
        return tuple(dict.fromkeys(n for n in names if n))


class _Problems(list):
    def add(self, path: str, message: str) -> None:
        self.append(f"{path}: {message}")


_TYPE_NAMES = {float: "a number", "finite": "a finite number", int: "a whole number",
               str: "text", bool: "true or false"}


def _check_value(value: Any, hint: Any, path: str, problems: _Problems) -> Any:
    if get_origin(hint) is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.add(path, f"expected a list of names, got {value!r}")
            return ()
        return tuple(value)
    args = [a for a in get_args(hint) if a is not type(None)]
    base = args[0] if args else hint
    ok = (isinstance(value, (int, float)) and not isinstance(value, bool)) if base is float \
        else isinstance(value, base) and not (base is int and isinstance(value, bool))
    if ok and base is float and not math.isfinite(value):
        ok, base = False, "finite"
    if not ok:
        problems.add(path, f"expected {_TYPE_NAMES.get(base, base)}, got {value!r}")
        return None
    return float(value) if base is float else value


def _build(cls: type, data: Any, path: str, problems: _Problems,
           nested: dict[str, Any] | None = None) -> Any:
    """Build dataclass ``cls`` from a TOML table, recording problems; None if any."""
    if data is None:
        problems.add(path, "missing")
        return None
    if not isinstance(data, dict):
        problems.add(path or "(top level)", f"expected a table, got {data!r}")
        return None
    before = len(problems)
    nested = nested or {}
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls)} - set(nested) - {"source_path", "sha256"}
    prefix = f"{path}." if path else ""
    for key in data:
        if key not in known and key not in nested:
            problems.add(f"{prefix}{key}", "unknown key")
    kwargs = dict(nested)
    for f in fields(cls):
        if f.name not in known:
            continue
        if f.name in data:
            kwargs[f.name] = _check_value(data[f.name], hints[f.name], f"{prefix}{f.name}",
                                          problems)
        elif f.default is MISSING and f.default_factory is MISSING:
            problems.add(f"{prefix}{f.name}", "missing")
    if len(problems) > before or any(v is None for k, v in nested.items()
                                     if k in ("movement", "dose")):
        return None
    return cls(**kwargs)


def _feature_ok(name: str, path: str, problems: _Problems, optional: bool = True) -> None:
    if (name or not optional) and name not in SPEC_BY_NAME:
        problems.add(path, f"unknown feature {name!r}; known: {', '.join(SPEC_BY_NAME)}")


def _choice(value: str, options: tuple[str, ...], path: str, problems: _Problems) -> None:
    if value not in options:
        problems.add(path, f"expected one of {', '.join(options)}, got {value!r}")


def _check_fault(f: Fault, path: str, problems: _Problems) -> None:
    _choice(f.rule, FRAME_RULES + REP_RULES, f"{path}.rule", problems)
    _choice(f.when, WHEN, f"{path}.when", problems)
    _choice(f.baseline, BASELINES, f"{path}.baseline", problems)
    _choice(f.severity, SEVERITIES, f"{path}.severity", problems)
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
                 problems: _Problems) -> None:
    """Checks across fields: choices, feature names, thresholds, unique fault ids."""
    if movement is not None:
        _choice(movement.kind, MOVEMENT_KINDS, "movement.kind", problems)
        _feature_ok(movement.signal, "movement.signal", problems)
        if movement.start == movement.top:
            problems.add("movement.top", "must differ from movement.start")
    if exercise is not None:
        _choice(exercise.camera, VIEWS, "camera", problems)
        for i, name in enumerate(exercise.tracks):
            _feature_ok(name, f"tracks[{i}]", problems, optional=False)
    ids = [f.id for f in faults]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.add("faults", f"fault id {dup!r} is used more than once")


def _parse_smoothing(data: dict[str, Any], problems: _Problems) -> SmoothingParams | None:
    if "smoothing" not in data:
        return None
    from formcheck.features import default_smoothing

    base = {f.name: getattr(default_smoothing(), f.name) for f in fields(SmoothingParams)}
    if isinstance(data["smoothing"], dict):
        base.update(data["smoothing"])
    return _build(SmoothingParams, base, "smoothing", problems)


def parse_exercise(data: dict[str, Any], source: str = "") -> Exercise:
    """Validate parsed TOML and build the Exercise; raises ExerciseError listing every
    problem."""
    problems = _Problems()
    movement = _build(Movement, data.get("movement"), "movement", problems)
    dose = _build(Dose, data.get("dose", {}), "dose", problems)
    faults = []
    raw_faults = data.get("faults", [])
    if not isinstance(raw_faults, list):
        problems.add("faults", "expected a list of [[faults]] tables")
        raw_faults = []
    for i, raw in enumerate(raw_faults):
        fault = _build(Fault, raw, f"faults[{i}]", problems)
        if fault is not None:
            _check_fault(fault, f"faults[{i}]", problems)
            faults.append(fault)
    smoothing = _parse_smoothing(data, problems)
    top = {k: v for k, v in data.items() if k not in ("movement", "dose", "faults", "smoothing")}
    exercise = _build(Exercise, top, "", problems,
                      nested={"movement": movement, "dose": dose, "faults": tuple(faults),
                              "smoothing": smoothing})
    _check_whole(exercise, movement, faults, problems)
    check_ranges(data, problems)
    if problems:
        where = f"{source}: " if source else ""
        raise ExerciseError(f"{where}{len(problems)} problem(s) in the exercise file: "
                            + "; ".join(problems))
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

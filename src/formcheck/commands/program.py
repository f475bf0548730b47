"""A day's programme: several exercises with this patient's dose, run live one after the
other with a rest between them, each into its own folder, and one summary at the end.

A programme is a TOML file, validated like an exercise file (every problem at once, with
its key path; unknown keys are errors)::

    title = "Monday"
    rest_between_s = 60

    [[exercise]]
    name = "bridge"        # a built-in name, an alias or an exercise .toml file
    reps = 5
    hold_s = 30
    side = "left"          # optional: one side only
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from formcheck.analysis import load_exercise, with_dose
from formcheck.commands.live import LiveOptions, LiveOutcome, run_live
from formcheck.errors import ExerciseError, InputError
from formcheck.outputs import window as screen


class ProgramError(InputError):
    """A programme file that cannot be used."""


@dataclass(frozen=True)
class ProgramItem:
    name: str
    reps: int | None = None
    sets: int | None = None
    hold_s: float | None = None
    side: str | None = None


@dataclass(frozen=True)
class Program:
    title: str
    items: tuple[ProgramItem, ...]
    rest_between_s: float = 60.0


_TYPES = {"name": str, "reps": int, "sets": int, "hold_s": (int, float), "side": str}


def _item(raw, path: str, problems: list[str]) -> ProgramItem | None:
    if not isinstance(raw, dict):
        problems.append(f"{path}: expected a table")
        return None
    for key, value in raw.items():
        kind = _TYPES.get(key)
        if kind is None:
            problems.append(f"{path}.{key}: unknown key (known: {', '.join(_TYPES)})")
        elif not isinstance(value, kind) or isinstance(value, bool):
            problems.append(f"{path}.{key}: expected {'text' if kind is str else 'a number'}"
                            f", got {value!r}")
    if "name" not in raw:
        problems.append(f"{path}.name: missing (the exercise's name)")
    if raw.get("side") not in (None, "left", "right"):
        problems.append(f"{path}.side: expected left or right")
    known = {k: raw[k] for k in _TYPES if k in raw}
    typed = all(isinstance(v, _TYPES[k]) and not isinstance(v, bool) for k, v in known.items())
    if not isinstance(known.get("name"), str):
        return None
    try:
        ex = load_exercise(known["name"])
        if typed:
            with_dose(ex, known.get("reps"), known.get("sets"), known.get("hold_s"))
    except ExerciseError as exc:
        problems.append(f"{path}: {exc}")
    return ProgramItem(**known) if typed else None


def parse_program(data: dict, source: str = "") -> Program:
    """Validate a parsed programme; raises ProgramError listing every problem."""
    problems: list[str] = []
    unknown = set(data) - {"title", "rest_between_s", "exercise"}
    problems += [f"{k}: unknown key (known: title, rest_between_s, exercise)"
                 for k in sorted(unknown)]
    raw_items = data.get("exercise", [])
    if not isinstance(raw_items, list) or not raw_items:
        problems.append("exercise: expected one or more [[exercise]] tables")
        raw_items = []
    items = [_item(raw, f"exercise[{i}]", problems) for i, raw in enumerate(raw_items)]
    rest = data.get("rest_between_s", 60.0)
    if not isinstance(rest, (int, float)) or isinstance(rest, bool) or rest < 0:
        problems.append(f"rest_between_s: expected seconds (0 or more), got {rest!r}")
    if problems:
        raise ProgramError(f"{source + ': ' if source else ''}{len(problems)} problem(s) in "
                           "the programme file: " + "; ".join(problems))
    return Program(str(data.get("title", "Programme")), tuple(items), float(rest))


def load_program(path: str | Path) -> Program:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ProgramError(f"programme file not found: {path}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProgramError(f"{path.name} is not valid TOML: {exc}") from exc
    return parse_program(data, path.name)


def run_program(program: Program, base: LiveOptions, sources: list[str | int]
                ) -> list[LiveOutcome]:
    """Each exercise live in turn, into ``base.out_dir/NN-name``, with the rest between
    them on screen; ``sources``: one per exercise (files played as the camera), or one for
    all (the camera)."""
    if len(sources) not in (0, 1, len(program.items)):
        raise ProgramError(f"{len(sources)} sources for {len(program.items)} exercises: give "
                           "one per exercise, or the camera")
    outcomes = []
    for i, item in enumerate(program.items):
        ex = with_dose(load_exercise(item.name), item.reps, item.sets, item.hold_s)
        if i and base.window:
            screen.show_lines([f"Rest {program.rest_between_s:.0f} s", f"Next: {ex.title}"],
                              program.rest_between_s)
        source = sources[i] if len(sources) > 1 else (sources[0] if sources else base.source)
        opts = replace(base, exercise=ex, source=source, side=item.side or base.side,
                       out_dir=base.out_dir / f"{i + 1:02d}-{ex.name}")
        outcome = run_live(opts)
        outcomes.append(outcome)
        if outcome.ended_by in ("user", "window", "interrupt", "source_lost"):
            break  # stopped by the patient (or the camera): not the rest of the day
    return outcomes


def program_summary(program: Program, outcomes: list[LiveOutcome]) -> list[str]:
    lines = [f"{program.title}: {len(outcomes)} of {len(program.items)} exercises"]
    for outcome in outcomes:
        title = outcome.parts[0].exercise.title if outcome.parts else "?"
        lines += [f"{title}:", *(f"  {line}" for line in outcome.summary)]
    return lines



def run_exercise_or_program(opts: LiveOptions, exercise: str | None, program: str | None,
                            dose: tuple, sources: list[str]) -> tuple[list[LiveOutcome],
                                                                      list[str]]:
    """``formcheck live``: one exercise (with ``dose`` = reps, sets, hold_s overriding the
    file's) or a day's programme; the outcomes and the summary lines."""
    if program:
        if exercise or any(v is not None for v in dose):
            raise InputError("with --program the exercises and doses come from the file")
        day = load_program(program)
        outcomes = run_program(day, opts, list(sources))
        return outcomes, program_summary(day, outcomes)
    if not exercise:
        raise InputError("say which exercise (-e NAME) or give a day's --program FILE")
    outcome = run_live(replace(opts, exercise=with_dose(load_exercise(exercise), *dose)))
    return [outcome], [*outcome.summary, *filter(None, [outcome.progress])]

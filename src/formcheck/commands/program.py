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
from formcheck.commands.clinic import apply_prescription, patient_prescription
from formcheck.commands.coaching import dose_line
from formcheck.commands.live import LiveOptions, LiveOutcome, run_live
from formcheck.errors import ExerciseError, InputError
from formcheck.outputs import Speaker, default_history_path
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
    them on screen and said; ``sources``: one per exercise (files played as the camera),
    or one for all (the camera).  The dose: the exercise file's, replaced by the patient's
    prescription, replaced by what the programme gives."""
    if len(sources) not in (0, 1, len(program.items)):
        raise ProgramError(f"{len(sources)} sources for {len(program.items)} exercises: give "
                           "one per exercise, or the camera")
    prescription = _prescription(base)
    base.out_dir.mkdir(parents=True, exist_ok=True)
    speaker = Speaker(enabled=base.voice, log_path=base.out_dir / "cues.log",
                      wav_dir=base.voice_wav_dir / "programme" if base.voice_wav_dir else None)
    outcomes = []
    for i, item in enumerate(program.items):
        ex, side, line = _dosed(load_exercise(item.name), prescription,
                                (item.reps, item.sets, item.hold_s), item.side or base.side,
                                "Today's programme")
        if i and base.window:
            rest = f"Rest {program.rest_between_s:.0f} second" + \
                "s" * (round(program.rest_between_s) != 1)
            speaker.say(f"{rest}. Next: {ex.title}.", key="rest", debounce_s=0)
            screen.show_lines([rest, f"Next: {ex.title}"], program.rest_between_s)
            speaker.say(f"Rest over. Next: {ex.title}.", key="rest over", debounce_s=0)
        source = sources[i] if len(sources) > 1 else (sources[0] if sources else base.source)
        opts = replace(base, exercise=ex, source=source, side=side,
                       out_dir=base.out_dir / f"{i + 1:02d}-{ex.name}",
                       intro=(f"Exercise {i + 1} of {len(program.items)}: {ex.title}.", line))
        outcome = run_live(opts)
        outcomes.append(outcome)
        if outcome.ended_by in ("user", "window", "interrupt", "source_lost"):
            break  # stopped by the patient (or the camera): not the rest of the day
    speaker.close(wait=True)
    return outcomes


def _prescription(opts: LiveOptions):
    """The patient's prescription (a file given, else the one stored beside the history,
    also when this session is not stored)."""
    return patient_prescription(opts.history_path or default_history_path(), opts.patient,
                                opts.prescription)


def _dosed(ex, prescription, dose: tuple, side: str | None, label: str):
    """The exercise with the prescribed dose, then ``dose`` (reps, sets, hold_s: those
    given win); the working side (given, else prescribed for a one-sided exercise); and
    the dose in words, as "Your prescription: ..." or "``label``: ..."."""
    ex, item = apply_prescription(ex, prescription)
    if side is None and item is not None and item.sides != "both" and not ex.bilateral:
        side = item.sides
    changed = any(v is not None for v in dose)
    ex = with_dose(ex, *dose)
    words = "Your prescription" if item is not None and not changed else \
        (label if changed else "Today")
    return ex, side, dose_line(ex, words, side) + "."


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
    ex, side, line = _dosed(load_exercise(exercise), _prescription(opts), dose, opts.side,
                            "Your dose today")
    intro = (line,) if ex.dose.prescribed else ()  # the patient's: said and shown
    outcome = run_live(replace(opts, exercise=ex, side=side, intro=intro))
    return [outcome], [*outcome.summary, *filter(None, [outcome.progress])]

"""The clinician's commands as text: the session history (table or CSV, one session's
files), prescriptions, and an exercise's description.  The CLI prints what these return."""

from __future__ import annotations

import argparse
import csv
import difflib
import io
import tomllib
from dataclasses import replace
from pathlib import Path

from formcheck.analysis import (
    Prescribed,
    Prescription,
    catalog,
    dose_text,
    load_exercise,
    load_prescription,
    parse_prescription,
    prescribed_exercise,
    prescription_toml,
)
from formcheck.errors import ExerciseError, HistoryError, InputError
from formcheck.outputs import History, SessionRow, progress_text, trend

HISTORY_COLUMNS = ("id", "patient", "number", "recorded_utc", "analysed_utc", "exercise",
                   "side", "reps", "sets", "best_hold_s", "holds_s", "pumps", "form_faults",
                   "faults_per_rep", "mean_range_deg", "effort_0_10", "pain_0_10", "source",
                   "report_path")


def check_exercise_name(name: str, known: list[str]) -> None:
    """An unknown exercise name is an error that suggests the nearest known ones."""
    if name in known:
        return
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    raise ExerciseError(f"unknown exercise {name!r}; {hint}known: {', '.join(sorted(known))}")


def seconds_range(text: str) -> list[float]:
    """A command-line "30" or "30-60" (seconds)."""
    try:
        values = [float(x) for x in text.split("-")]
    except ValueError:
        values = []
    if not 1 <= len(values) <= 2:
        raise argparse.ArgumentTypeError(f"expected seconds like 30 or 30-60, got {text!r}")
    return values


def _opt(value, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def history_rows(path: Path, exercise: str | None, patient: str | None) -> list[SessionRow]:
    stored = _stored_exercises(path) if path.is_file() else []
    if exercise:
        check_exercise_name(exercise, sorted(set(catalog()) | set(stored)))
    if not path.is_file():
        return []
    with History(path) as history:
        return history.sessions(exercise, patient)


def _stored_exercises(path: Path) -> list[str]:
    with History(path) as history:
        return history.exercises()


def _csv_value(value) -> str:
    if value is None:
        return ""
    return str(round(value, 3)) if isinstance(value, float) else str(value)


def history_csv(rows: list[SessionRow]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HISTORY_COLUMNS)
    for r in rows:
        w.writerow([";".join(f"{h:.2f}" for h in r.holds_s) if c == "holds_s"
                    else _csv_value(getattr(r, c)) for c in HISTORY_COLUMNS])
    return buf.getvalue().rstrip("\n")


def history_table(rows: list[SessionRow], exercise: str | None) -> str:
    lines = [f"{'id':>4} {'patient':10} {'#':>2} {'recorded (UTC)':16} {'exercise':24} "
             f"{'side':5} {'reps':>4} {'best hold s':>11} {'holds':>5} {'pumps':>5} "
             f"{'faults/rep':>10} {'range deg':>9} {'effort':>6} {'pain':>4}  source"]
    for r in rows:
        lines.append(f"{r.id:>4} {r.patient or '-':10} {r.number:>2} "
                     f"{r.recorded_utc[:16].replace('T', ' '):16} {r.exercise:24} "
                     f"{r.side or '-':5} {r.reps:>4} {_opt(r.best_hold_s):>11} "
                     f"{len(r.holds_s):>5} {r.pumps:>5} {_opt(r.faults_per_rep):>10} "
                     f"{_opt(r.mean_range_deg):>9} {_opt(r.effort_0_10, 0):>6} "
                     f"{_opt(r.pain_0_10, 0):>4}  {r.source}")
    if not rows:
        lines.append("(no sessions)")
    groups: dict[tuple, list[SessionRow]] = {}
    for r in rows:
        groups.setdefault((r.patient, r.exercise, r.side), []).append(r)
    for (patient, name, side), group in groups.items():
        for field, label in (("best_hold_s", "best hold (s)"), ("reps", "reps"),
                             ("faults_per_rep", "faults per rep")):
            pair = trend(group, field)
            if pair and exercise:
                lines.append(f"trend {patient or '-'} {name} {side or '-'} side, {label}: "
                             f"{pair[0]:.1f} -> {pair[1]:.1f} ({pair[1] - pair[0]:+.1f})")
        if exercise:
            lines.append(f"progression {patient or '-'} {name} {side or '-'} side: "
                         f"{progress_text(load_exercise(name), group)}")
    return "\n".join(lines)


def show_session(path: Path, row_id: int) -> str:
    if not path.is_file():
        raise HistoryError(f"no history yet at {path}; pass --history FILE")
    with History(path) as history:
        row = history.session(row_id)
    if row is None:
        raise HistoryError(f"no session {row_id} in {path}; 'formcheck history' lists them")
    return "\n".join([
        f"session {row.id}: patient {row.patient or '-'}, {row.exercise}, {row.side or '-'} "
        f"side, number {row.number} on that side",
        f"recorded {row.recorded_utc}, analysed {row.analysed_utc or '-'}",
        f"source: {row.source}",
        f"patient's rating: effort {_opt(row.effort_0_10, 0)}/10, pain "
        f"{_opt(row.pain_0_10, 0)}/10 (- not given)",
        f"report: {row.report_path or '(none written)'}",
        f"results: {row.results_path}"])


def prescription_path(history_path: Path, patient: str) -> Path:
    """Where a patient's prescription lives: beside the history, one file per patient."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in patient)
    return history_path.parent / "prescriptions" / f"{safe}.toml"


def patient_prescription(history_path: Path | None, patient: str | None,
                         file: str | None = None) -> Prescription | None:
    """The prescription given with --prescription, else the patient's stored one."""
    if file:
        return load_prescription(file)
    if history_path is None or not patient:
        return None
    path = prescription_path(history_path, patient)
    return load_prescription(path) if path.is_file() else None


def apply_prescription(exercise, prescription: Prescription | None):
    """The exercise with this patient's dose, and the prescribed item (or None): the one
    call analyze and live make before coaching or judging a session."""
    item = prescription.for_exercise(exercise.name) if prescription else None
    return prescribed_exercise(exercise, item), item


def prescribe(history_path: Path, patient: str, item: Prescribed | None) -> tuple[Path, str]:
    """Add or replace one exercise in the patient's prescription (or, without ``item``,
    show it); returns the file and its text."""
    path = prescription_path(history_path, patient)
    current = load_prescription(path) if path.is_file() else Prescription(patient)
    if item is not None:
        check_exercise_name(item.exercise, list(catalog()))
        others = tuple(p for p in current.exercises if p.exercise != item.exercise)
        current = replace(current, exercises=(*others, item))
        text = prescription_toml(current)
        parse_prescription(tomllib.loads(text), path.name)  # validated before it is written
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    lines = [f"prescription for {patient} ({path}):"]
    lines += [f"  {p.exercise}: {dose_text(p)}" for p in current.exercises] or ["  (none)"]
    return path, "\n".join(lines)


def add_clinic_parsers(sub, func) -> None:
    """The command-line parsers of ``history`` and ``prescribe``; ``func`` prints the
    text of ``args.text``."""
    p = sub.add_parser("history", help="list past sessions and trends, or show one session")
    p.add_argument("action", nargs="?", choices=("list", "show"), default="list")
    p.add_argument("session", nargs="?", type=int, help="session id (for show)")
    p.add_argument("-e", "--exercise", help="only this exercise")
    p.add_argument("--patient", help="only this patient (pseudonymous id)")
    p.add_argument("--csv", action="store_true", help="comma-separated, every column")
    p.add_argument("--history", metavar="DB", help="history database (default: "
                   "$FORMCHECK_HISTORY or ~/.local/share/formcheck/history.sqlite)")
    p.set_defaults(func=func, text=history_text)

    p = sub.add_parser("prescribe", help="set or show a patient's prescription (stored "
                       "beside the history)")
    p.add_argument("--patient", required=True, help="pseudonymous patient id")
    p.add_argument("-e", "--exercise", help="exercise to prescribe (without: show)")
    for name, kind, default, text in (
            ("reps", int, 0, "reps (holds for a hold exercise)"), ("reps-max", int, 0, "up to"),
            ("sets", int, 1, "sets"), ("hold", float, 0.0, "seconds each hold"),
            ("pumps", int, 0, "pumps per lift"), ("pumps-max", int, 0, "up to"),
            ("per-day", int, 1, "sessions a day"), ("days-per-week", int, 7, "days a week")):
        p.add_argument(f"--{name}", type=kind, default=default, help=text)
    p.add_argument("--rest", metavar="S[-S]", type=seconds_range,
                   help="rest between, seconds (e.g. 30-60)")
    p.add_argument("--sides", choices=("left", "right", "both"), default="both")
    p.add_argument("--history", metavar="DB", help="history database the prescriptions "
                   "live beside")
    p.set_defaults(func=func, text=prescribe_text)


def history_text(path: Path, args: argparse.Namespace) -> str:
    """``formcheck history``: one session's files (show), or the table or CSV."""
    if args.action == "show":
        if args.session is None:
            raise InputError("say which session: formcheck history show ID")
        return show_session(path, args.session)
    rows = history_rows(path, args.exercise, args.patient)
    return history_csv(rows) if args.csv else history_table(rows, args.exercise)


def add_patient_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--patient", help="pseudonymous patient id: the session is stored and "
                   "trended under it, and judged against its prescription")
    p.add_argument("--prescription", metavar="TOML", help="prescription file to use instead "
                   "of the patient's stored one")


def prescribe_text(history_path: Path, args: argparse.Namespace) -> str:
    """``formcheck prescribe``: set one exercise (with -e) and show the prescription."""
    return prescribe(history_path, args.patient, prescribed_from_args(args))[1]


def prescribed_from_args(args: argparse.Namespace) -> Prescribed | None:
    """The prescribed item given by ``formcheck prescribe``'s options."""
    if not args.exercise:
        return None
    rest = args.rest or [0.0]
    return Prescribed(args.exercise, reps=args.reps, reps_max=args.reps_max, sets=args.sets,
                      hold_s=args.hold, rest_min_s=rest[0], rest_max_s=rest[-1],
                      pumps=args.pumps, pumps_max=args.pumps_max, sides=args.sides,
                      per_day=args.per_day, days_per_week=args.days_per_week)


def exercise_for_patient(args: argparse.Namespace, history_path: Path):
    """The exercise named on the command line (checked once, before any work) with the
    patient's prescribed dose, and the prescribed item (or None)."""

    return apply_prescription(load_exercise(args.exercise), patient_prescription(
        history_path, args.patient, args.prescription))

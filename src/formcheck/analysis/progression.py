"""The next step from the history: an exercise's progression rule (``[progress]`` in its
file) applied to its past sessions, oldest first, the latest being the one just done."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from formcheck.analysis.exercise import Exercise

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten")


@dataclass(frozen=True)
class SessionSummary:
    """What a progression rule needs of one session."""

    recorded_utc: str  # ISO 8601
    reps: int
    sets: int
    best_hold_s: float | None = None
    clean_reps: int | None = None  # reps without a form fault (None: not known)
    reps_per_set: tuple[int, ...] = ()  # empty: not known (reps / sets is used)


def summary_from_results(doc: dict, recorded_utc: str) -> SessionSummary:
    """From a results document (``formcheck-results``)."""
    reps = [r for r in doc["reps"] if r["kind"] == "rep"]
    faulty = {f["rep"] for f in doc["faults"] if f.get("kind", "form") == "form"}
    per_set: dict[int, int] = {}
    for r in reps:
        per_set[r["set"]] = per_set.get(r["set"], 0) + 1
    holds = [h for h in doc["summary"].get("holds_s", []) if h is not None]
    return SessionSummary(recorded_utc, len(reps), doc["summary"]["sets_done"],
                          max(holds) if holds else None,
                          sum(1 for r in reps if r["rep"] not in faulty),
                          tuple(per_set[k] for k in sorted(per_set)))


def _days(a: str, b: str) -> float:
    return (dt.datetime.fromisoformat(b) - dt.datetime.fromisoformat(a)).total_seconds() / 86400


def _span_words(days: float) -> str:
    d = max(int(round(days)), 0)
    if d >= 7 and d % 7 == 0:
        w = d // 7
        return f"in {NUMBER_WORDS[w] if w < len(NUMBER_WORDS) else w} week{'s' * (w > 1)}"
    return "today" if d == 0 else f"in {d} day{'s' * (d > 1)}"


def _clean_reps(ex: Exercise, latest: SessionSummary) -> str:
    p = ex.progress
    clean = latest.clean_reps if latest.clean_reps is not None else 0
    if clean >= p.clean_reps:
        return f"Ready for {p.to}: {clean} reps without compensation."
    return (f"{clean} of {p.clean_reps} reps without compensation; {p.to} once "
            f"{p.clean_reps} are clean in one session.")


def next_aim_s(best_s: float, step_s: float, target_s: float) -> float:
    """The best hold rounded up to the next ``step_s`` (at least one step up), capped."""
    return min(target_s, step_s * (math.floor(best_s / step_s) + 1))


def _hold_time(ex: Exercise, sessions: Sequence[SessionSummary]) -> str:
    p = ex.progress
    held = [s for s in sessions if s.best_hold_s is not None]
    if not held:
        return f"No hold measured yet; the aim is {p.target_hold_s:.0f} s."
    latest = held[-1]
    if latest.best_hold_s >= p.target_hold_s:
        return f"Held {latest.best_hold_s:.0f} s: the full {p.target_hold_s:.0f} s hold."
    aim = f"aim for {next_aim_s(latest.best_hold_s, p.aim_step_s, p.target_hold_s):.0f} s"
    window = [s for s in held if _days(s.recorded_utc, latest.recorded_utc) <= p.trend_days]
    first = window[0]
    if first is latest:
        return f"Hold {latest.best_hold_s:.0f} s; {aim}."
    change = latest.best_hold_s - first.best_hold_s
    how = "up" if change >= 0.5 else "down" if change <= -0.5 else "steady"
    span = _span_words(_days(first.recorded_utc, latest.recorded_utc))
    if how == "steady":
        return f"Hold steady at {latest.best_hold_s:.0f} s {span}; {aim}."
    return (f"Hold {how} from {first.best_hold_s:.0f} s to {latest.best_hold_s:.0f} s "
            f"{span}; {aim}.")


def _rep_steps(ex: Exercise, latest: SessionSummary) -> str:
    steps = ex.progress.rep_steps
    sets = max(ex.dose.sets, 1)
    per_set = list(latest.reps_per_set) or [latest.reps // max(latest.sets, 1)] * latest.sets
    all_sets = per_set if len(per_set) >= sets else [*per_set, *[0] * (sets - len(per_set))]
    least = min(all_sets) if all_sets else 0
    done = [s for s in steps if least >= s]
    if not done:
        return (f"{least} reps in the weakest of {sets} set(s): start with {steps[0]} per set "
                "and build up.")
    if done[-1] == steps[-1]:
        return f"{steps[-1]} reps in each of {sets} set(s): the full dose."
    nxt = steps[steps.index(done[-1]) + 1]
    return f"{done[-1]} reps in each of {sets} set(s): ready to build up to {nxt}."


def progression_advice(ex: Exercise, sessions: Sequence[SessionSummary]) -> str:
    """One sentence: the exercise's rule applied to its sessions (oldest first; the last
    is the latest).  Without a rule, the seed's words."""
    if ex.progress is None or not sessions:
        return ex.progression
    rule = ex.progress.rule
    if rule == "clean_reps":
        return _clean_reps(ex, sessions[-1])
    if rule == "hold_time":
        return _hold_time(ex, sessions)
    return _rep_steps(ex, sessions[-1])

"""A patient's own dose: the exercise file's reps, sets or hold replaced for one session."""

from __future__ import annotations

from dataclasses import replace

from formcheck.analysis.exercise import Exercise
from formcheck.errors import ExerciseError


def with_dose(ex: Exercise, reps: int | None = None, sets: int | None = None,
              hold_s: float | None = None) -> Exercise:
    """The exercise with this patient's dose (the values given replace the file's)."""
    changes = {k: v for k, v in (("reps", reps), ("sets", sets), ("hold_s", hold_s))
               if v is not None}
    bad = [k for k, v in changes.items() if v <= 0]
    if bad:
        raise ExerciseError(f"{', '.join(bad)} must be above zero (the dose for {ex.name})")
    return replace(ex, dose=replace(ex.dose, **changes)) if changes else ex

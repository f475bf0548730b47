"""Ranges of exercise values that make sense, checked after the types are: a number that
parses but cannot be meant (a negative duration, a quality above 1, a low-pass filter the
video's frame rate cannot carry) is a validation problem with its key path."""

from __future__ import annotations

from typing import Any

from formcheck.errors import ExerciseError

#: A low-pass cut-off below this would flatten every exercise movement (the slowest, a
#: 10 s hold, is ~0.1 Hz); far below it the filter design itself breaks down.
MIN_LOWPASS_HZ = 0.1
MAX_FILTER_ORDER = 8

_NON_NEGATIVE = {
    "movement": ("min_rep_s", "settle_s", "set_break_s", "final_hold_after_s",
                 "final_hold_settle_s", "pump_min_deg", "pump_noise_factor", "top_reference_s",
                 "top_reference_after_s"),
    "dose": ("reps", "reps_max", "sets", "hold_s", "final_hold_s", "rest_min_s", "rest_max_s"),
    "posture": ("still_s", "still_deg"),
    "progress": ("clean_reps", "target_hold_s", "aim_step_s", "trend_days"),
}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_ranges(data: dict[str, Any], problems: Any) -> None:
    """Add a problem (``problems.add(path, message)``) for every value of the parsed TOML
    out of its range.  Works on the raw tables, so a value of the wrong type elsewhere in
    the same table does not hide these."""
    for name, keys in _NON_NEGATIVE.items():
        table = data.get(name)
        for key in keys if isinstance(table, dict) else ():
            if _number(table.get(key)) and table[key] < 0:
                problems.add(f"{name}.{key}", f"must not be negative, got {table[key]}")
    dose = data.get("dose")
    if isinstance(dose, dict) and _number(dose.get("rest_min_s")) \
            and _number(dose.get("rest_max_s")) and 0 < dose["rest_max_s"] < dose["rest_min_s"]:
        problems.add("dose.rest_max_s", "must not be below dose.rest_min_s")
    quality = data.get("min_quality")
    if _number(quality) and not 0.0 <= quality <= 1.0:
        problems.add("min_quality", f"must be between 0 and 1, got {quality}")
    if isinstance(data.get("smoothing"), dict):
        _check_smoothing(data["smoothing"], problems)
    for key, value in (data.get("hold_quality") or {}).items() \
            if isinstance(data.get("hold_quality"), dict) else ():
        if _number(value) and value <= 0:
            problems.add(f"hold_quality.{key}", f"must be above 0, got {value}")


def _check_smoothing(table: dict[str, Any], problems: Any) -> None:
    for key, value in table.items():
        if _number(value) and value <= 0:
            problems.add(f"smoothing.{key}", f"must be above 0, got {value}")
    hz, order = table.get("lowpass_hz"), table.get("lowpass_order")
    if _number(hz) and 0 < hz < MIN_LOWPASS_HZ:
        problems.add("smoothing.lowpass_hz", f"must be at least {MIN_LOWPASS_HZ} Hz (lower "
                     f"would flatten every movement), got {hz}")
    if _number(order) and order > MAX_FILTER_ORDER:
        problems.add("smoothing.lowpass_order", f"must be at most {MAX_FILTER_ORDER}, got "
                     f"{order}")


def check_frame_rate(exercise: Any, fps: float, source_name: str) -> None:
    """An exercise's own low-pass cut-off must be below the Nyquist frequency of the
    source (half its frame rate), or the filter would not filter."""
    p = exercise.smoothing
    if p is not None and p.lowpass_hz >= fps / 2:
        where = exercise.source_path or exercise.name
        raise ExerciseError(f"{where}: smoothing.lowpass_hz = {p.lowpass_hz:g} is not below "
                            f"the Nyquist frequency ({fps / 2:g} Hz) of {source_name} at "
                            f"{fps:g} fps; set it below {fps / 2:g}")

"""The start posture: counting starts only once the exercise's posture holds and the person
has been still; an input that never shows it counts nothing and says why."""

from __future__ import annotations

import math
from collections import Counter, deque

import numpy as np

from formcheck.analysis.spec import Exercise, Posture, PostureCheck

#: The trunk's elevation is watched for stillness besides the driving signal.
TRUNK = "trunk_to_floor_deg"


def first_failing(posture: Posture, values: dict[str, float]) -> PostureCheck | None:
    """The first check of the posture that these values break (None: it holds)."""
    for check in posture.checks:
        v = values.get(check.feature, math.nan)
        if not (math.isfinite(v) and check.holds(v)):
            return check
    return None


def check_text(check: PostureCheck, value: float) -> str:
    """``why`` with the measured value and the expected range."""
    bounds = (f"{check.min:.0f} to {check.max:.0f}" if check.min is not None
              and check.max is not None else f"at least {check.min:.0f}"
              if check.min is not None else f"at most {check.max:.0f}")
    measured = f"{value:.0f}" if math.isfinite(value) else "not visible"
    return f"{check.why} ({check.feature} {measured}, expected {bounds})"


class PostureGate:
    """Feed :meth:`update` every frame until the posture is held; it then returns the
    still window's samples per feature (the start-position baseline)."""

    def __init__(self, exercise: Exercise) -> None:
        self.posture = exercise.posture
        self.title = exercise.title
        self.signal = exercise.movement.signal
        self.held = self.posture is None
        self._window: deque[tuple[float, dict[str, float]]] = deque()
        self._failed: Counter[int] = Counter()
        self._failed_values: dict[int, list[float]] = {}
        self.frames = 0
        self._first_t: float | None = None

    def update(self, t: float, values: dict[str, float], in_start: bool = True
               ) -> dict[str, list[float]] | None:
        """One frame (``in_start``: the driving signal is in the start zone, where the
        movement's zones are absolute).  Once the posture has held still for ``still_s``:
        the samples of the still window per feature (and :attr:`held` is set); None until
        then."""
        if self.held:
            return None
        self.frames += 1
        if self._first_t is None:
            self._first_t = t
        check = first_failing(self.posture, values)
        if check is None and not in_start:
            self._window.clear()
            return None
        if check is not None:
            i = self.posture.checks.index(check)
            self._failed[i] += 1
            self._failed_values.setdefault(i, []).append(values.get(check.feature, math.nan))
            self._window.clear()
            return None
        self._window.append((t, dict(values)))
        if not self._still():
            self._window.clear()
            self._window.append((t, dict(values)))
            return None
        # An input that starts in the posture (no setup seen) starts counting at once.
        if t - self._window[0][0] < self.posture.still_s and self._window[0][0] > self._first_t:
            return None
        self.held = True
        names = self._window[0][1]
        return {n: [v[n] for _, v in self._window if math.isfinite(v[n])] for n in names}

    def _still(self) -> bool:
        for name in (self.signal, TRUNK):
            series = [v.get(name, math.nan) for _, v in self._window]
            series = [x for x in series if math.isfinite(x)]
            if series and max(series) - min(series) > self.posture.still_deg:
                return False
        return True

    def refusal(self) -> str | None:
        """"this does not look like <exercise>: <why>" when the posture never held (on
        frames with a person); None when it held or nothing was seen."""
        if self.held or not self.frames:
            return None
        if not self._failed:
            return (f"this does not look like {self.title}: the start position "
                    f"({self.posture.name}) was never held still")
        i, _ = self._failed.most_common(1)[0]
        values = np.asarray(self._failed_values[i], dtype=float)
        value = float(np.nanmedian(values)) if np.isfinite(values).any() else math.nan
        return (f"this does not look like {self.title}: {self.posture.name} expected, but "
                f"{check_text(self.posture.checks[i], value)}")

"""Pumps: small repeated dips and returns at the top of a rep, with hysteresis, and the
pumps another movement hid, found from the bout's rhythm."""

from __future__ import annotations

import numpy as np

from formcheck.analysis.exercise import Movement

#: A gap between two pumps this many times the bout's usual interval (or more) may hold
#: pumps that another movement hid (see :meth:`PumpCounter.hidden`).
HIDDEN_GAP_PERIODS = 1.5
#: Intervals between pumps measured before the rhythm is trusted to find hidden ones.
MIN_INTERVALS = 2


class PumpCounter:
    """A fall of at least the pump amplitude from a local peak, then a rise of at least as
    much from the trough, back in the top zone, is one pump (hysteresis on both turns).
    The amplitude is the exercise's minimum or a multiple of the signal's noise, whichever
    is larger.

    Pumps come in a steady rhythm.  A movement made at the same time (the back arching
    or letting go mid-bout lifts or drops the thigh against the trunk by several degrees
    within one pump) can hide a pump's dip: the next pump found then comes about two
    intervals after the last one.  Such a gap counts the pumps that fit in it, provided the
    leg kept moving through it (a pause at the top hides nothing) and the pump that ends it
    took no longer than one interval itself (one slow, deep dip is one pump; a dip of
    three intervals or more can still add one: its slow return delays the next pump)."""

    def __init__(self, movement: Movement) -> None:
        self.mv = movement
        self._ext: float | None = None  # running peak or trough of the current pump
        self._peak = 0.0
        self._peak_t = 0.0  # when the current pump's fall began
        self._falling = False
        self._last_t: float | None = None  # when the last pump ended
        self._intervals: list[float] = []
        self._since: list[tuple[float, float]] = []  # (t, x) since the last pump ended

    def start(self, x: float, t: float = 0.0) -> None:
        """The rep reached the top at ``x``: start looking for pumps from there."""
        self._ext, self._falling, self._peak_t = x, False, t
        self._last_t, self._intervals, self._since = None, [], []

    def step(self, x: float, in_top: bool, noise_deg: float, t: float = 0.0) -> list[float]:
        """Feed one sample (in the signal's own sign); the amplitudes of the pumps that
        ended now (usually none; more than one when hidden pumps came before it)."""
        if self.mv.kind != "pumps" or self._ext is None:
            return []
        self._since.append((t, x))
        amp = max(self.mv.pump_min_deg, self.mv.pump_noise_factor * noise_deg)
        if not self._falling:
            if x > self._ext:
                self._ext, self._peak_t = x, t
            elif self._ext - x >= amp:
                self._peak, self._falling, self._ext = self._ext, True, x
            return []
        if x < self._ext:
            self._ext = x
        elif x - self._ext >= amp and in_top:
            self._falling, amplitude, self._ext = False, self._peak - self._ext, x
            return [amplitude] * (1 + self._ended(t, amp))
        return []

    def _ended(self, t: float, amp: float) -> int:
        """A pump ended at ``t``: the number of hidden pumps before it."""
        hidden = 0
        if self._last_t is not None:
            gap = t - self._last_t
            hidden = self.hidden(gap, amp, t - self._peak_t)
            self._intervals.append(gap / (1 + hidden))
        self._last_t, self._since = t, []
        return hidden

    def hidden(self, gap_s: float, amp: float, own_s: float) -> int:
        """Pumps hidden in a gap of ``gap_s`` before the pump that just ended (``own_s``
        from its peak): the whole intervals of the bout's rhythm that fit in the gap beyond
        one, if the gap is at least :data:`HIDDEN_GAP_PERIODS` intervals long, the pump
        itself took at most one, and the signal moved by at least the pump amplitude in
        every interval-long stretch of the gap."""
        if len(self._intervals) < MIN_INTERVALS:
            return 0
        period = float(np.median(self._intervals))
        if period <= 0 or gap_s < HIDDEN_GAP_PERIODS * period or own_s > period:
            return 0
        t0 = self._since[0][0]
        n_chunks = max(1, int(gap_s // period))
        for k in range(n_chunks):
            chunk = [x for t, x in self._since if t0 + k * period <= t < t0 + (k + 1) * period]
            if not chunk or max(chunk) - min(chunk) < amp:
                return 0  # still for a whole interval: a pause, not hidden pumps
        return int(round(gap_s / period)) - 1

"""Pumps: small repeated dips and returns at the top of a rep, with hysteresis."""

from __future__ import annotations

from formcheck.analysis.exercise import Movement


class PumpCounter:
    """A fall of at least the pump amplitude from a local peak, then a rise of at least as
    much from the trough, back in the top zone, is one pump (hysteresis on both turns).
    The amplitude is the exercise's minimum or a multiple of the signal's noise, whichever
    is larger."""

    def __init__(self, movement: Movement) -> None:
        self.mv = movement
        self._ext: float | None = None  # running peak or trough of the current pump
        self._peak = 0.0
        self._falling = False

    def start(self, x: float) -> None:
        """The rep reached the top at ``x``: start looking for pumps from there."""
        self._ext, self._falling = x, False

    def step(self, x: float, in_top: bool, noise_deg: float) -> float | None:
        """Feed one sample (in the signal's own sign); a finished pump's amplitude."""
        if self.mv.kind != "pumps" or self._ext is None:
            return None
        amp = max(self.mv.pump_min_deg, self.mv.pump_noise_factor * noise_deg)
        if not self._falling:
            if x > self._ext:
                self._ext = x
            elif self._ext - x >= amp:
                self._peak, self._falling, self._ext = self._ext, True, x
            return None
        if x < self._ext:
            self._ext = x
        elif x - self._ext >= amp and in_top:
            self._falling, amplitude, self._ext = False, self._peak - self._ext, x
            return amplitude
        return None

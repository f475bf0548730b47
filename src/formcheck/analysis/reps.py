"""The rep state machine on the exercise's driving signal: setup -> ready -> up -> top ->
down -> ready, with the start-position baseline, the top reference, sets and rests."""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from formcheck.analysis.exercise import Exercise
from formcheck.analysis.pumps import PumpCounter
from formcheck.analysis.records import DOWN, READY, SETUP, TOP, UP, Rep
from formcheck.features import robust_sd

#: Frames kept for the start-position baseline (and its noise); fewer than MIN_SAMPLES of
#: them are not enough to judge it.
BASELINE_FRAMES = 60
MIN_SAMPLES = 10
#: Before the first rep, the start-position samples this close to their median are the
#: still ones the pump noise is measured on (the start of the lift is left out).
STILL_NOISE_BAND_DEG = 1.5
#: A driving signal seen with less quality than this in the start position comes from a
#: leg the model can hardly see there (MediaPipe scores far-side landmarks 0.35-0.5, the
#: far leg folded under the body lowest): its wobble there is the model guessing a hidden
#: point, not the noise of the leg once lifted into view, so pumps are not held to it.
HIDDEN_START_QUALITY = 0.5


class RepMachine:
    """Feed :meth:`step` with the driving signal ``x`` (in the movement's own sign: larger
    is further into the movement) and every feature's value.  It returns a rep that ended
    this frame (counted or abandoned: see :attr:`Rep.end_s` and :meth:`counted`)."""

    def __init__(self, exercise: Exercise) -> None:
        self.ex = exercise
        self.mv = exercise.movement
        self.state = SETUP
        self.set = 1
        self.reps: list[Rep] = []
        self.rests_s: list[float] = []
        self.current: Rep | None = None
        self.last_rep_end: float | None = None
        self.set_baseline: dict[str, float] = {}
        self.rep_start_values: dict[str, float] = {}
        self.top_ref: dict[str, float] = {}
        self.earlier_tops: dict[str, list[float]] = {}  # each counted rep's top level
        self._ready_since: float | None = None
        self._baseline_samples: dict[str, deque] = {n: deque(maxlen=BASELINE_FRAMES)
                                                    for n in exercise.needed_features}
        self._top_samples: dict[str, list[float]] = {}
        self._pumps = PumpCounter(self.mv)
        # zone edges in the signal's own sign; person-relative once the posture is held
        self._still_noise: float | None = None  # from the posture's still window
        self._start_quality: deque = deque(maxlen=BASELINE_FRAMES)  # the signal's, waiting
        self.start_level = self.mv.direction * self.mv.start
        self.top_level = self.mv.direction * self.mv.top

    @property
    def rep_count(self) -> int:
        return sum(1 for r in self.reps if r.kind == "rep")

    def in_start(self, x: float) -> bool:
        return x <= self.start_level

    def in_top(self, x: float) -> bool:
        return x >= self.top_level

    def may_start(self, signal: float) -> bool:
        """Whether counting may start at this value of the driving signal: in the start
        zone, unless the zones are relative to the person's own start level."""
        if self.mv.start_from_baseline is not None:
            return True
        return math.isfinite(signal) and self.in_start(self.mv.direction * signal)

    def posture_held(self, samples: dict[str, list[float]]) -> None:
        """The start posture has been held still (:class:`.posture.PostureGate`): its
        samples are the start-position baseline; counting starts, with the start and top
        zones relative to the person's own start level where the movement says so."""
        for name, values in samples.items():
            if name in self._baseline_samples:
                self._baseline_samples[name].extend(values)
        self.set_baseline = self._median_baseline()
        self.state = READY
        self._still_noise = _detrended_noise(samples.get(self.mv.signal, []))
        self._relative_zones()

    def _relative_zones(self) -> None:
        """Start and top zones from the person's own start level, where the movement says
        so (the top never above the exercise's own ``top``)."""
        level = self.set_baseline.get(self.mv.signal)
        if level is None or self.ex.posture is None:
            return
        own = self.mv.direction * level
        if self.mv.top_from_baseline is not None:
            self.top_level = min(self.mv.direction * self.mv.top,
                                 own + self.mv.top_from_baseline)
        if self.mv.start_from_baseline is not None:
            self.start_level = min(own + self.mv.start_from_baseline, self.top_level)

    def step(self, t: float, x: float, values: dict[str, float]) -> tuple[Rep | None, Rep | None]:
        """One frame.  Returns (a rep counted now, a rep abandoned now); mostly (None, None)."""
        if self.state in (SETUP, READY):
            self._step_waiting(t, x, values)
        elif self.state == UP:
            self.current.peak_value = max(self.current.peak_value, x)
            if self.in_top(x):
                self.state = TOP
                self.current.top_s = t
                self._top_samples = {n: [] for n in values}
                self.top_ref = {}
                self._pumps.start(x, t)
            elif self.in_start(x):
                return None, self._abandon(t)
        elif self.state == TOP:
            self.current.peak_value = max(self.current.peak_value, x)
            self._track_top(t, x, values)
            if not self.in_top(x):
                self.state = DOWN
                self.current.leave_top_s = t
        elif self.state == DOWN:
            self._track_pumps(t, x)
            if self.in_top(x):
                self.state = TOP
            elif self.in_start(x):
                return self._end(t), None
        return None, None

    def finish(self, t: float, recorded: bool = False) -> tuple[Rep | None, Rep | None]:
        """End of input with a rep that reached its top and never came back down: returns
        (counted, incomplete).  A recording cut there (``recorded``) counts it: the lift
        went through its range and the lowering was not filmed.  A session the person
        ended (live) does not: the rep is returned, closed where the input stopped, for an
        "incomplete rep" note."""
        if self.current is None or self.state not in (TOP, DOWN):
            return None, None
        if recorded and t - self.current.start_s >= self.mv.min_rep_s:
            self.current.leave_top_s = self.current.leave_top_s or t
            return self._end(t), None
        return None, self._close(t)

    def note_quality(self, quality: float) -> None:
        """The driving signal's quality this frame (kept while waiting to start)."""
        if self.state in (SETUP, READY) and not self.reps and self.current is None:
            self._start_quality.append(quality)

    def noise_deg(self) -> float:
        """The driving signal's noise, from its spread while still in the start position
        (scaled median absolute deviation); pumps must stand clear of it.  Unknown (0) when
        the start position was too poorly seen to tell (:data:`HIDDEN_START_QUALITY`)."""
        if self._start_quality and np.median(self._start_quality) < HIDDEN_START_QUALITY:
            return 0.0
        if self._still_noise is not None:
            return self._still_noise
        still = self._baseline_samples.get(self.mv.signal)
        if not still or len(still) < MIN_SAMPLES:
            return 0.0
        return robust_sd(np.asarray(still))

    def _step_waiting(self, t: float, x: float, values: dict[str, float]) -> None:
        if self.state == SETUP and self.ex.posture is not None:
            self.rep_start_values = dict(values)  # counting waits for the posture
            return
        if self.in_start(x):
            if self._ready_since is None:
                self._ready_since = t
            for n, v in values.items():
                if math.isfinite(v):
                    self._baseline_samples[n].append(v)
            if t - self._ready_since >= self.mv.settle_s:
                if self.state == SETUP:
                    self.state = READY
                    self.set_baseline = self._median_baseline()
                elif (self.last_rep_end is not None
                      and t - self.last_rep_end >= self.mv.set_break_s
                      and self.rep_count and self._set_of_last_rep() == self.set):
                    self.set += 1
                    self.set_baseline = self._median_baseline()
            self.rep_start_values = dict(values)
            return
        self._ready_since = None
        if self.state == READY:
            self._start_rep(t)

    def _start_rep(self, t: float) -> None:
        """Left the start zone while ready: a rep begins."""
        if self.last_rep_end is not None:
            self.rests_s.append(t - self.last_rep_end)
        if not any(r.set == self.set for r in self.reps):
            # the set's baseline: the whole still start before its first rep
            self.set_baseline = self._median_baseline() or self.set_baseline
            if not self.reps and self.ex.posture is not None:
                # the whole still start before the first rep (no lowering in it yet)
                level = np.asarray(self._baseline_samples[self.mv.signal], dtype=float)
                near = level[np.abs(level - np.median(level)) <= STILL_NOISE_BAND_DEG] \
                    if level.size else level
                self._still_noise = _detrended_noise(near)
                self._relative_zones()
        self.state = UP
        self.top_ref = {}
        self.current = Rep(len(self.reps) + 1, self.set, t)

    def _set_of_last_rep(self) -> int:
        return self.reps[-1].set if self.reps else self.set

    def _median_baseline(self) -> dict[str, float]:
        return {n: float(np.median(v)) for n, v in self._baseline_samples.items() if len(v)}

    def _track_top(self, t: float, x: float, values: dict[str, float]) -> None:
        into_top_s = t - self.current.top_s - self.mv.top_reference_after_s
        if 0 <= into_top_s <= self.mv.top_reference_s:  # the lift has arrived
            for n, v in values.items():
                if math.isfinite(v):
                    self._top_samples[n].append(v)
        elif into_top_s > self.mv.top_reference_s and not self.top_ref:
            self.top_ref = self._measured_top()
        self._track_pumps(t, x)

    def _measured_top(self) -> dict[str, float]:
        return {n: float(np.median(v)) for n, v in self._top_samples.items() if v}

    def _track_pumps(self, t: float, x: float) -> None:
        if self.mv.kind != "pumps":  # no pumps to count (and no noise to measure)
            return
        self.current.pumps += self._pumps.step(x, self.in_top(x), self.noise_deg(), t)

    def _back_to_ready(self, t: float) -> Rep:
        rep, self.current = self.current, None
        self.state = READY
        self._ready_since = t
        return rep

    def _abandon(self, t: float) -> Rep | None:
        """Left the start position but came back without reaching the top: not a rep.
        Returned (for a "range not reached" note) when it lasted as long as a rep."""
        rep = self._back_to_ready(t)
        rep.end_s = t
        return rep if rep.duration_s >= self.mv.min_rep_s else None

    def _close(self, t: float) -> Rep:
        """The current rep, ended at ``t``, its peak back in the signal's own sign."""
        rep = self._back_to_ready(t)
        rep.end_s = t
        rep.peak_value *= self.mv.direction
        return rep

    def _end(self, t: float) -> Rep | None:
        rep = self._close(t)
        if rep.duration_s < self.mv.min_rep_s:
            return None
        top_len = (rep.leave_top_s or t) - (rep.top_s or t)
        if self.mv.final_hold_after_s and top_len >= self.mv.final_hold_after_s:
            rep.kind = "final_hold"
        self.reps.append(rep)
        # a top left before its reference window ended: what was measured of it
        for n, v in (self.top_ref or self._measured_top()).items():
            self.earlier_tops.setdefault(n, []).append(v)
        self.last_rep_end = t
        return rep


def _detrended_noise(samples) -> float:
    """The signal's noise while still: robust SD around its own linear trend (the start
    level may drift slowly); 0 with too few samples to tell."""
    still = np.asarray(list(samples), dtype=float)
    if still.size < MIN_SAMPLES:
        return 0.0
    x = np.arange(still.size)
    return robust_sd(still - np.polyval(np.polyfit(x, still, 1), x))

"""Fault rules, judged frame by frame against the exercise's thresholds, and the per-rep
rules decided once a rep has ended and been timed (hold too short, lowering too fast)."""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from formcheck.analysis.exercise import Exercise, Fault
from formcheck.analysis.records import DOWN, TOP, UP, FaultEvent, Rep
from formcheck.analysis.reps import RepMachine

#: Gaps shorter than this between active frames of a fault do not split the event.
FAULT_MERGE_GAP_S = 0.25
#: A dip has stopped deepening when, over its last ``min_duration_s``, it deepened by less
#: than this fraction of its ``amount`` (a lowering falls through the whole range).
DIP_SETTLED_FRACTION = 0.25


class Dip:
    """A drop below the top level in progress: when it began, how deep it is (in the
    movement's own sign: larger is deeper) and, once confirmed, its event."""

    def __init__(self, start_s: float) -> None:
        self.start_s = start_s
        self.worst = -math.inf
        self.event: FaultEvent | None = None
        self._depths: deque[tuple[float, float]] = deque()

    def add(self, t_s: float, depth: float) -> None:
        self.worst = max(self.worst, depth)
        self._depths.append((t_s, depth))

    def settled(self, window_s: float, max_deepening: float) -> bool:
        """Whether the depth grew by less than ``max_deepening`` over the last ``window_s``."""
        t_now, depth_now = self._depths[-1]
        while len(self._depths) > 1 and t_now - self._depths[1][0] >= window_s:
            self._depths.popleft()
        return depth_now - self._depths[0][1] < max_deepening


class FaultTracker:
    """One fault rule's per-frame state: active run, min duration, merged events."""

    def __init__(self, fault: Fault) -> None:
        self.fault = fault
        self.run_start: float | None = None
        self.last_active: float | None = None
        self.peak: float | None = None
        self.peak_past = -math.inf
        self.peak_baseline = math.nan
        self.open_event: FaultEvent | None = None
        self.pending_dip: Dip | None = None
        self.muted_run: float | None = None  # a run whose event another rule reports

    def update(self, active: bool, t_s: float, value: float, rep: int | None, set_: int,
               events: list[FaultEvent], baseline: float = math.nan) -> bool:
        """Feed one frame; returns whether the fault is active (confirmed) now.  The event's
        peak is the value furthest past the threshold, kept with that threshold."""
        if active:
            if self.run_start is None:
                self.run_start = t_s
            self.last_active = t_s
            if math.isfinite(value):
                past = past_threshold(self.fault, value, baseline)
                if self.peak is None or past > self.peak_past:
                    self.peak, self.peak_past, self.peak_baseline = value, past, baseline
            if self.open_event is None and t_s - self.run_start >= self.fault.min_duration_s \
                    and self.muted_run != self.run_start:
                self.open_event = FaultEvent(self.fault.id, self.fault.severity, self.fault.cue,
                                             self.run_start, t_s, rep, set_)
                events.append(self.open_event)
            if self.open_event is not None:
                self.open_event.end_s = t_s
                self._set_peak(self.open_event)
            return self.open_event is not None
        if self.last_active is not None and t_s - self.last_active > FAULT_MERGE_GAP_S:
            self.run_start = self.last_active = self.peak = None
            self.open_event = None
        return False

    def mute(self, events: list[FaultEvent]) -> None:
        """Withdraw this run's event (another rule reports the same fault over it) and
        open none until the run ends."""
        if self.open_event in events:
            events.remove(self.open_event)
        self.open_event, self.muted_run = None, self.run_start

    def _set_peak(self, event: FaultEvent) -> None:
        event.peak_value = self.peak
        if self.peak is not None:
            event.threshold = threshold_value(self.fault, self.peak, self.peak_baseline)
            if self.fault.rule in RELATIVE_RULES:
                event.baseline_value = self.peak_baseline


RELATIVE_RULES = ("rise", "drop", "deviate", "dip")


def past_threshold(f: Fault, v: float, baseline: float) -> float:
    """How far value ``v`` is past rule ``f``'s threshold, in the feature's unit (positive:
    the rule is broken); ``baseline`` for the relative rules."""
    if f.rule == "above":
        return v - f.above
    if f.rule == "below":
        return f.below - v
    if f.rule == "outside":
        return max(v - f.above, f.below - v)
    change = v - baseline
    if f.rule == "rise":
        return change - f.amount
    if f.rule == "drop":
        return -change - f.amount
    if f.rule == "deviate":
        return abs(change) - f.amount
    return -math.inf


def threshold_value(f: Fault, v: float, baseline: float) -> float | None:
    """The value at which rule ``f`` turns on, on the side that ``v`` broke it (so that
    ``|v - threshold|`` is how far past it ``v`` went)."""
    fixed = {"above": f.above, "below": f.below}
    if f.rule in fixed:
        return fixed[f.rule]
    if f.rule == "outside":
        return f.above if v > f.above else f.below
    if not math.isfinite(baseline):
        return None
    step = {"rise": f.amount, "drop": -(f.amount or 0.0),
            "deviate": math.copysign(f.amount or 0.0, v - baseline)}.get(f.rule)
    return None if step is None else baseline + step


def threshold_crossed(f: Fault, v: float, baseline: float) -> bool:
    """Whether value ``v`` breaks rule ``f`` (``baseline`` for the relative rules)."""
    return past_threshold(f, v, baseline) > 0


class FaultJudge:
    """All of an exercise's fault rules; the events they raised, in order."""

    def __init__(self, exercise: Exercise) -> None:
        self.ex = exercise
        self.direction = exercise.movement.direction
        self.trackers = [FaultTracker(f) for f in exercise.faults if f.rule != "lowering_fast"]
        self.events: list[FaultEvent] = []

    def evaluate(self, t: float, values: dict[str, float], reps: RepMachine) -> list[str]:
        """One frame's active faults (ids)."""
        active = []
        rep_no = reps.current.rep if reps.current else None
        for tr in self.trackers:
            f = tr.fault
            v = values.get(f.feature, math.nan)
            if f.rule == "dip":
                on = self._dip_update(tr, t, v, reps)
            else:
                base = _baseline(f, reps)
                on = tr.update(_phase_ok(f, reps.state) and math.isfinite(v)
                               and threshold_crossed(f, v, base), t, v, rep_no,
                               reps.set, self.events, base)
            if on and f.unless and self._reported(f.unless, tr.run_start):
                tr.mute(self.events)  # the rule it names reports this stretch
                on = False
            if on:
                active.append(f.id)
        return active

    def _reported(self, fault_id: str, since_s: float) -> bool:
        """Whether rule ``fault_id`` has an event reaching past ``since_s``."""
        return any(e.fault == fault_id and e.end_s >= since_s for e in self.events)

    def _dip_update(self, tr: FaultTracker, t: float, v: float, reps: RepMachine) -> bool:
        """A drop below the hold's own top level by ``amount`` for ``min_duration_s`` (a sag
        during a hold).  It is confirmed, and active, once the drop has stopped deepening
        (the intended lowering at the end of a hold keeps falling to the start position and
        ends the rep first), or when it recovers to the top; the event starts where the drop
        began and ends where it recovered."""
        f = tr.fault
        ref = reps.top_ref.get(f.feature, math.nan)
        if reps.current is None or not math.isfinite(ref) or not math.isfinite(v):
            tr.pending_dip = None  # a rep that ended while still dropped: the lowering
            return False
        below_ref = (ref - v) * self.direction
        if below_ref <= f.amount:
            if tr.pending_dip is not None:
                if tr.pending_dip.event is None and t - tr.pending_dip.start_s >= f.min_duration_s:
                    self._open_dip(tr, t, reps)
                if tr.pending_dip.event is not None:
                    tr.pending_dip.event.end_s = t
            tr.pending_dip = None
            return False
        dip = tr.pending_dip = tr.pending_dip or Dip(t)
        dip.add(t, below_ref)
        if dip.event is None and t - dip.start_s >= f.min_duration_s \
                and dip.settled(f.min_duration_s, f.amount * DIP_SETTLED_FRACTION):
            self._open_dip(tr, t, reps)
        if dip.event is not None:
            dip.event.end_s = t
            dip.event.peak_value = ref - dip.worst * self.direction
            dip.event.threshold = ref - f.amount * self.direction
            dip.event.baseline_value = ref
        return dip.event is not None

    def _open_dip(self, tr: FaultTracker, t: float, reps: RepMachine) -> None:
        f, dip = tr.fault, tr.pending_dip
        ref = reps.top_ref[f.feature]
        dip.event = FaultEvent(f.id, f.severity, f.cue, dip.start_s, t, reps.current.rep,
                               reps.set, ref - dip.worst * self.direction,
                               threshold=ref - f.amount * self.direction, baseline_value=ref)
        self.events.append(dip.event)

    def range_not_reached(self, rep: Rep, t: float) -> None:
        self.events.append(FaultEvent("range_not_reached", "info",
                                      "Lift all the way to the top position", rep.start_s, t,
                                      None, rep.set, rep.peak_value * self.direction,
                                      kind="dose"))

    def incomplete_rep(self, rep: Rep) -> None:
        """The input ended with a rep up (never lowered back to the start): not counted."""
        held = f" (held {rep.hold_s:.0f} s)" if rep.hold_s >= 1.0 else ""
        self.events.append(FaultEvent("incomplete_rep", "info", "Incomplete rep: the session "
                                      f"ended before you came back down{held}", rep.start_s,
                                      rep.end_s, None, rep.set, rep.hold_s, kind="dose"))

    def close_rep(self, rep: Rep, lowering_seen: bool = True) -> None:
        """A counted rep ended and was timed: attach its form faults, then judge the
        per-rep rules on its instants.  A rep whose recording ends at its top
        (``lowering_seen`` False) is noted instead: how long it was held and how it was
        lowered were not filmed."""
        rep.faults = sorted({e.fault for e in self.events if e.kind == "form"
                             and e.end_s >= rep.start_s and e.start_s <= rep.end_s})
        for e in self.events:
            if e.kind == "form" and e.rep is None and e.start_s >= rep.start_s:
                e.rep = rep.rep
        breaking = {f.id for f in self.ex.faults if f.breaks_hold}
        lost = covered_s([(e.start_s, e.end_s) for e in self.events
                          if e.kind == "form" and e.fault in breaking],
                         rep.top_s or rep.start_s, rep.leave_top_s or rep.start_s)
        rep.hold_in_form_s = max(rep.hold_s - lost, 0.0)
        if not lowering_seen:
            self.events.append(FaultEvent(
                "cut_at_top", "info", f"The recording ends at the top of rep {rep.rep}: "
                "counted, its lowering not filmed", rep.top_s or rep.start_s, rep.end_s,
                rep.rep, rep.set, rep.hold_s, kind="dose"))
            return
        self._hold_rule(rep)
        for f in self.ex.faults:
            if f.rule == "lowering_fast" and rep.top_s and rep.leave_top_s:
                up_s, down_s = rep.top_s - rep.start_s, rep.end_s - rep.leave_top_s
                if down_s < f.amount * up_s:
                    self.events.append(FaultEvent(f.id, f.severity, f.cue, rep.leave_top_s,
                                                  rep.end_s, rep.rep, rep.set, down_s,
                                                  threshold=f.amount * up_s))
                    rep.faults.append(f.id)

    def _hold_rule(self, rep: Rep) -> None:
        dose = self.ex.dose
        target = dose.final_hold_s if rep.kind == "final_hold" else dose.hold_s
        held = rep.hold_in_form_s
        if target and held is not None and held < target:
            # whole seconds as a stopwatch shows them: 5.6 s of 6 is "5 s of 6 s"
            what = "final hold" if rep.kind == "final_hold" else "hold"
            self.events.append(FaultEvent(
                "hold_too_short", "info", f"Hold longer: {what} {math.floor(held)} s of "
                f"{target:.0f} s", rep.top_s or rep.start_s, rep.leave_top_s or rep.end_s,
                rep.rep, rep.set, held, kind="dose"))


def covered_s(intervals: list[tuple[float, float]], lo: float, hi: float) -> float:
    """Seconds of [lo, hi] covered by the union of ``intervals``."""
    covered, reach = 0.0, lo
    for a, b in sorted(intervals):
        a, b = max(a, reach), min(b, hi)
        if b > a:
            covered += b - a
            reach = b
    return covered


def _earlier_tops(f: Fault, reps: RepMachine) -> float:
    """The person's own top level in the earlier reps: the lowest for a rise, the highest
    for a drop (a fault shows against the cleanest of them), else the median."""
    tops = reps.earlier_tops.get(f.feature)
    if not tops:
        return math.nan  # the first rep has nothing to compare with
    return {"rise": min, "drop": max}.get(f.rule, lambda v: float(np.median(v)))(tops)


def _baseline(f: Fault, reps: RepMachine) -> float:
    if f.baseline == "earlier_tops":
        return _earlier_tops(f, reps)
    source = {"set_start": reps.set_baseline, "rep_start": reps.rep_start_values,
              "rep_top": reps.top_ref}.get(f.baseline, {})
    return source.get(f.feature, math.nan)


def _phase_ok(f: Fault, state: str) -> bool:
    if f.when == "always":
        return True
    if f.when == "top":
        return state == TOP
    return state in (UP, TOP, DOWN)

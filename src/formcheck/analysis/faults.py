"""Fault rules, judged frame by frame against the exercise's thresholds, and the per-rep
rules decided when a rep ends (hold too short, lowering too fast)."""

from __future__ import annotations

import math

from formcheck.analysis.exercise import Exercise, Fault
from formcheck.analysis.records import DOWN, TOP, UP, FaultEvent, Rep
from formcheck.analysis.reps import RepMachine

#: Gaps shorter than this between active frames of a fault do not split the event.
FAULT_MERGE_GAP_S = 0.25


class FaultTracker:
    """One fault rule's per-frame state: active run, min duration, merged events."""

    def __init__(self, fault: Fault) -> None:
        self.fault = fault
        self.run_start: float | None = None
        self.last_active: float | None = None
        self.peak: float | None = None
        self.open_event: FaultEvent | None = None
        self.pending_dip: tuple[float, float] | None = None

    def update(self, active: bool, t_s: float, value: float, rep: int | None, set_: int,
               events: list[FaultEvent]) -> bool:
        """Feed one frame; returns whether the fault is active (confirmed) now."""
        if active:
            if self.run_start is None:
                self.run_start = t_s
            self.last_active = t_s
            if math.isfinite(value):
                self.peak = value if self.peak is None or abs(value) > abs(self.peak) \
                    else self.peak
            if self.open_event is None and t_s - self.run_start >= self.fault.min_duration_s:
                self.open_event = FaultEvent(self.fault.id, self.fault.severity, self.fault.cue,
                                             self.run_start, t_s, rep, set_)
                events.append(self.open_event)
            if self.open_event is not None:
                self.open_event.end_s = t_s
                self.open_event.peak_value = self.peak
            return self.open_event is not None
        if self.last_active is not None and t_s - self.last_active > FAULT_MERGE_GAP_S:
            self.run_start = self.last_active = self.peak = None
            self.open_event = None
        return False


def threshold_crossed(f: Fault, v: float, baseline: float) -> bool:
    """Whether value ``v`` breaks rule ``f`` (``baseline`` for the relative rules)."""
    if f.rule == "above":
        return v > f.above
    if f.rule == "below":
        return v < f.below
    if f.rule == "outside":
        return v > f.above or v < f.below
    change = v - baseline
    if f.rule == "rise":
        return change > f.amount
    if f.rule == "drop":
        return change < -f.amount
    if f.rule == "deviate":
        return abs(change) > f.amount
    return False


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
                on = (_phase_ok(f, reps.state) and math.isfinite(v)
                      and threshold_crossed(f, v, _baseline(f, reps)))
            if tr.update(on, t, v, rep_no, reps.set, self.events):
                active.append(f.id)
        return active

    def _dip_update(self, tr: FaultTracker, t: float, v: float, reps: RepMachine) -> bool:
        """A drop below the rep's top level by ``amount`` that recovers to the top before
        the rep ends (a sag during a hold).  Only known once recovered, so the event is
        back-dated to when the drop began."""
        f = tr.fault
        ref = reps.top_ref.get(f.feature, math.nan)
        if reps.current is None or not math.isfinite(ref) or not math.isfinite(v):
            tr.pending_dip = None
            return False
        dropped = (v - ref) * self.direction < -f.amount
        if dropped and tr.pending_dip is None:
            tr.pending_dip = (t, v)
        elif dropped:
            start, worst = tr.pending_dip
            tr.pending_dip = (start, min(worst, v) if self.direction > 0 else max(worst, v))
        elif tr.pending_dip is not None:
            start, worst = tr.pending_dip
            tr.pending_dip = None
            if t - start >= f.min_duration_s:
                self.events.append(FaultEvent(f.id, f.severity, f.cue, start, t,
                                              reps.current.rep, reps.set, worst))
                reps.current.faults.append(f.id)
        return False

    def range_not_reached(self, rep: Rep, t: float) -> None:
        self.events.append(FaultEvent("range_not_reached", "info",
                                      "Lift all the way to the top position", rep.start_s, t,
                                      None, rep.set, rep.peak_value * self.direction,
                                      kind="dose"))

    def close_rep(self, rep: Rep) -> None:
        """A counted rep ended: attach its form faults, then judge the per-rep rules."""
        rep.faults = sorted({e.fault for e in self.events if e.kind == "form"
                             and e.end_s >= rep.start_s and e.start_s <= rep.end_s})
        for e in self.events:
            if e.kind == "form" and e.rep is None and e.start_s >= rep.start_s:
                e.rep = rep.rep
        self._hold_rule(rep)
        for f in self.ex.faults:
            if f.rule == "lowering_fast" and rep.top_s and rep.leave_top_s:
                up_s, down_s = rep.top_s - rep.start_s, rep.end_s - rep.leave_top_s
                if down_s < f.amount * up_s:
                    self.events.append(FaultEvent(f.id, f.severity, f.cue, rep.leave_top_s,
                                                  rep.end_s, rep.rep, rep.set, down_s))
                    rep.faults.append(f.id)

    def _hold_rule(self, rep: Rep) -> None:
        dose = self.ex.dose
        target = dose.final_hold_s if rep.kind == "final_hold" else dose.hold_s
        if target and rep.hold_s < target:
            what = "final hold" if rep.kind == "final_hold" else "hold"
            self.events.append(FaultEvent(
                "hold_too_short", "info", f"Hold longer: {what} {rep.hold_s:.0f} s of "
                f"{target:.0f} s", rep.top_s or rep.start_s, rep.leave_top_s or rep.end_s,
                rep.rep, rep.set, rep.hold_s, kind="dose"))


def _baseline(f: Fault, reps: RepMachine) -> float:
    source = {"set_start": reps.set_baseline, "rep_start": reps.rep_start_values,
              "rep_top": reps.top_ref}.get(f.baseline, {})
    return source.get(f.feature, math.nan)


def _phase_ok(f: Fault, state: str) -> bool:
    if f.when == "always":
        return True
    if f.when == "top":
        return state == TOP
    return state in (UP, TOP, DOWN)

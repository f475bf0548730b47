"""What the engine produces: rep, fault event, per-frame and whole-session records."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from formcheck.analysis.exercise import Exercise

#: The rep machine's states, in the order a rep passes through them.
SETUP, READY, UP, TOP, DOWN = "setup", "ready", "up", "top", "down"


@dataclass
class FaultEvent:
    fault: str
    severity: str
    cue: str
    start_s: float
    end_s: float
    rep: int | None
    set: int
    peak_value: float | None = None
    kind: str = "form"  # "form" or "dose"
    confidence: float | None = None  # 0-1, see analysis/confidence.py
    certainty: str = "sure"  # or "possible" (low confidence), counted apart
    threshold: float | None = None  # where the rule turns on, on the side the peak broke it
    baseline_value: float | None = None  # the reference of a relative rule (rise, dip...)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass
class Rep:
    rep: int
    set: int
    start_s: float
    top_s: float | None = None
    leave_top_s: float | None = None
    end_s: float | None = None
    peak_value: float = -math.inf  # in the signal's own units and sign
    hold_s: float = 0.0  # time at the top: from reaching it to the final leaving
    hold_in_form_s: float | None = None  # hold_s less the time under hold-breaking faults
    pumps: list[float] = field(default_factory=list)  # pump amplitudes, deg
    faults: list[str] = field(default_factory=list)
    kind: str = "rep"  # "rep" or "final_hold"
    confidence: float | None = None  # 0-1, see analysis/confidence.py

    @property
    def duration_s(self) -> float:
        return (self.end_s or self.start_s) - self.start_s


@dataclass
class FrameResult:
    """What the engine knows after one frame: for overlays, CSV rows and cues."""

    index: int
    t_s: float
    state: str
    counted: bool  # the frame's needed landmarks were visible enough to use
    reps: int
    set: int
    hold_s: float
    pumps: int
    values: dict[str, float]
    active_faults: list[str]
    guidance: list[str]
    side: str | None
    interpolated: bool = False
    quality: dict[str, float] = field(default_factory=dict)  # per feature, 0..1
    rest_s: float | None = None  # time since the last rep ended, while resting
    visibility: float = 0.0  # lowest visibility of the landmarks the exercise uses


@dataclass
class SessionResult:
    exercise: Exercise
    side: str | None
    reps: list[Rep]
    holds: list[Rep]
    events: list[FaultEvent]
    frames: list[FrameResult]
    rests_s: list[float]
    guidance: list[str]
    sets: int
    refusal: str | None = None  # "this does not look like <exercise>: <why>"
    not_judged: list[str] = field(default_factory=list)  # fault ids not judged from this view

    @property
    def counted_reps(self) -> list[Rep]:
        return [r for r in self.reps if r.kind == "rep"]

"""The exercise engine: reps, holds, pumps, sets and faults, fed one frame at a time.

The same code runs live and on recorded input, so a clip gives the same counts and faults
either way.  Per frame: features for both legs -> the working side and the body's facing
are settled (frames are buffered until they are) -> causal One Euro smoothing -> the rep
state machine on the exercise's driving signal -> fault rules.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from formcheck.exercise import Exercise, Fault
from formcheck.features import (
    SIDES,
    LandmarkSeries,
    anterior_sign_per_frame,
    compute_features,
    consensus_sign,
    landmarks_for,
    moving_side,
    nearer_side,
    thigh_angle_deg,
)
from formcheck.landmarks import INDEX, PoseFrame
from formcheck.settings import default_smoothing
from formcheck.smoothing import OneEuroFilter, SmoothingParams, robust_sd

SETUP, READY, UP, TOP, DOWN = "setup", "ready", "up", "top", "down"

#: How long facing and view are watched before they are settled (s of frames with a person).
SETTLE_FACING_S = 1.0
MIN_SETTLE_FRAMES = 5
#: Frames kept for the start-position baseline (and its noise) and for the view check;
#: fewer than MIN_SAMPLES of them are not enough to judge either.
BASELINE_FRAMES = 60
VIEW_FRAMES = 30
MIN_SAMPLES = 10
#: A view is wrong for the exercise beyond these angles (0 = side view).
SIDE_VIEW_MAX_DEG = 45.0
FRONT_VIEW_MIN_DEG = 45.0
#: Visibility under which feet or head count as out of view (setup guidance).
OUT_OF_VIEW_VISIBILITY = 0.3
#: Gaps shorter than this between active frames of a fault do not split the event.
FAULT_MERGE_GAP_S = 0.25
#: Frames held while the working side is being settled (a minute at 30 fps).
BUFFER_MAX_FRAMES = 30 * 60


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
    hold_s: float = 0.0
    pumps: list[float] = field(default_factory=list)  # pump amplitudes, deg
    faults: list[str] = field(default_factory=list)
    kind: str = "rep"  # "rep" or "final_hold"

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

    @property
    def counted_reps(self) -> list[Rep]:
        return [r for r in self.reps if r.kind == "rep"]


class _FaultTracker:
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


class Engine:
    """Feed :meth:`update` with every PoseFrame in order; :meth:`finish` at the end."""

    def __init__(self, exercise: Exercise, side: str | None = None,
                 smoothing: SmoothingParams | None = None) -> None:
        self.ex = exercise
        self.params = smoothing or exercise.smoothing or default_smoothing()
        self.needed = exercise.needed_features
        self.mv = exercise.movement
        self.side: str | None = side
        self.anterior: float | None = None
        self._facing_votes: list[float] = []
        self._thigh_angles = {s: deque(maxlen=BUFFER_MAX_FRAMES) for s in SIDES}
        self._buffer: deque[PoseFrame] = deque(maxlen=BUFFER_MAX_FRAMES)
        self._filters = {name: OneEuroFilter(self.params) for name in self.needed}
        self._trackers = [_FaultTracker(f) for f in exercise.faults if f.rule != "lowering_fast"]
        self.state = SETUP
        self.set = 1
        self.reps: list[Rep] = []
        self.events: list[FaultEvent] = []
        self.frames: list[FrameResult] = []
        self.rests_s: list[float] = []
        self.guidance_log: list[str] = []
        self._rep: Rep | None = None
        self._ready_since: float | None = None
        self._last_rep_end: float | None = None
        self._baseline_samples: dict[str, deque] = {n: deque(maxlen=BASELINE_FRAMES)
                                                    for n in self.needed}
        self._set_baseline: dict[str, float] = {}
        self._rep_start_values: dict[str, float] = {}
        self._top_samples: dict[str, list[float]] = {n: [] for n in self.needed}
        self._top_ref: dict[str, float] = {}
        self._pump_ext: float | None = None  # running peak or trough of the current pump
        self._pump_peak = 0.0
        self._pump_falling = False
        self._prev_t: float | None = None
        self._view_hist: deque[float] = deque(maxlen=VIEW_FRAMES)

    # ----------------------------------------------------------- side and facing
    def _features_one(self, pose: PoseFrame, side: str,
                      anterior: float) -> tuple[dict, dict, float]:
        series = LandmarkSeries.from_poses([pose])
        feats = compute_features(series, side, anterior)
        values = {n: float(feats.values[n][0]) for n in self.needed}
        quality = {n: float(feats.quality[n][0]) for n in self.needed}
        return values, quality, float(feats.side_view_deg[0])

    def _observe_setup(self, pose: PoseFrame) -> None:
        series = LandmarkSeries.from_poses([pose])
        self._facing_votes.append(float(anterior_sign_per_frame(series)[0]))
        for side in SIDES:
            self._thigh_angles[side].append(float(thigh_angle_deg(series, side)[0]))

    def _buffered_with_person(self) -> LandmarkSeries:
        return LandmarkSeries.from_poses([p for p in self._buffer if p.has_pose])

    def _try_settle(self, t_s: float) -> bool:
        frames_with_pose = len(self._facing_votes)
        elapsed = t_s - self._buffer[0].t_s if self._buffer else 0.0
        if elapsed < SETTLE_FACING_S or frames_with_pose < MIN_SETTLE_FRAMES:
            return False
        if self.side is None:
            if self.ex.bilateral:
                self.side = nearer_side(self._buffered_with_person())
            else:
                self.side = moving_side(self._thigh_angles)
                if self.side is None:
                    return False
        self.anterior = consensus_sign(np.array(self._facing_votes))
        return True

    # ----------------------------------------------------------------- frames
    def update(self, pose: PoseFrame) -> list[FrameResult]:
        """Process one frame.  Returns the results of the frames processed now: usually
        just this one; none while the working side is being settled; then the buffered
        frames at once."""
        if self.anterior is None:
            self._buffer.append(pose)
            if pose.has_pose:
                self._observe_setup(pose)
            if not self._try_settle(pose.t_s):
                return []
            pending, self._buffer = list(self._buffer), deque()
            return [self._process(p) for p in pending]
        return [self._process(pose)]

    def _process(self, pose: PoseFrame) -> FrameResult:
        t = pose.t_s
        dt = 0.0 if self._prev_t is None else max(t - self._prev_t, 0.0)
        self._prev_t = t
        guidance: list[str] = []
        values = {n: math.nan for n in self.needed}
        quality = {n: 0.0 for n in self.needed}
        counted = False
        interpolated = False
        visibility = 0.0
        if pose.has_pose:
            visibility = float(min(pose.visibility[INDEX[n]]
                                   for n in landmarks_for(self.needed, self.side)))
            raw, quality, view = self._features_one(pose, self.side, self.anterior)
            self._view_hist.append(view)
            guidance += self._view_guidance(pose)
            counted = quality[self.mv.signal] >= self.ex.min_quality
            for name in self.needed:
                x = raw[name] if quality[name] >= self.ex.min_quality else math.nan
                values[name], filled = self._filters[name](x, t)
                interpolated |= filled and name == self.mv.signal
        else:
            guidance.append("Step into view: no person found")
            for name in self.needed:
                values[name], _ = self._filters[name](math.nan, t)
        signal = values[self.mv.signal]
        if math.isfinite(signal):
            self._step_state(t, self.mv.direction * signal, values)
        active = self._evaluate_faults(t, values) if self.state != SETUP else []
        if self._rep is not None and self.state == TOP:
            breaking = any(f.breaks_hold for f in self.ex.faults if f.id in active)
            if not breaking and math.isfinite(signal):
                self._rep.hold_s += dt
        for msg in guidance:
            if not self.guidance_log or self.guidance_log[-1] != msg:
                self.guidance_log.append(msg)
        result = FrameResult(pose.index, t, self.state, counted, self.rep_count, self.set,
                             self._rep.hold_s if self._rep else 0.0,
                             len(self._rep.pumps) if self._rep else 0, values, active,
                             guidance, self.side, interpolated, quality,
                             t - self._last_rep_end if self.state == READY
                             and self._last_rep_end is not None else None, visibility)
        self.frames.append(result)
        return result

    def _view_guidance(self, pose: PoseFrame) -> list[str]:
        out = []
        if len(self._view_hist) >= MIN_SAMPLES:
            view = float(np.median(self._view_hist))
            if self.ex.camera == "side" and view > SIDE_VIEW_MAX_DEG:
                out.append("Turn side-on to the camera")
            elif self.ex.camera == "front" and view < FRONT_VIEW_MIN_DEG:
                out.append("Face the camera with your whole front (lie across the picture)")
        vis = pose.visibility
        if max(vis[INDEX[f"{s}_ankle"]] for s in SIDES) < OUT_OF_VIEW_VISIBILITY:
            out.append("Move back so your feet are in view")
        if vis[INDEX["nose"]] < OUT_OF_VIEW_VISIBILITY:
            out.append("Move so your head and shoulders are in view")
        return out

    # ------------------------------------------------------------ rep machine
    @property
    def rep_count(self) -> int:
        return sum(1 for r in self.reps if r.kind == "rep")

    def _in_start(self, x: float) -> bool:
        return x <= self.mv.direction * self.mv.start

    def _in_top(self, x: float) -> bool:
        return x >= self.mv.direction * self.mv.top

    def _step_state(self, t: float, x: float, values: dict[str, float]) -> None:
        if self.state in (SETUP, READY):
            self._step_waiting(t, x, values)
        elif self.state == UP:
            self._rep.peak_value = max(self._rep.peak_value, x)
            if self._in_top(x):
                self.state = TOP
                self._rep.top_s = t
                self._top_samples = {n: [] for n in self.needed}
                self._top_ref = {}
                self._pump_ext, self._pump_falling = x, False
            elif self._in_start(x):
                self._abandon_rep(t)
        elif self.state == TOP:
            self._rep.peak_value = max(self._rep.peak_value, x)
            self._track_top(t, x, values)
            if not self._in_top(x):
                self.state = DOWN
                self._rep.leave_top_s = t
        elif self.state == DOWN:
            self._track_pumps(x)
            if self._in_top(x):
                self.state = TOP
            elif self._in_start(x):
                self._end_rep(t)

    def _step_waiting(self, t: float, x: float, values: dict[str, float]) -> None:
        if self._in_start(x):
            if self._ready_since is None:
                self._ready_since = t
            for n, v in values.items():
                if math.isfinite(v):
                    self._baseline_samples[n].append(v)
            if t - self._ready_since >= self.mv.settle_s:
                if self.state == SETUP:
                    self.state = READY
                    self._set_baseline = self._median_baseline()
                elif (self._last_rep_end is not None
                      and t - self._last_rep_end >= self.mv.set_break_s
                      and self.rep_count and self._set_of_last_rep() == self.set):
                    self.set += 1
                    self._set_baseline = self._median_baseline()
            self._rep_start_values = dict(values)
            return
        self._ready_since = None
        if self.state == READY:
            if self._last_rep_end is not None:
                self.rests_s.append(t - self._last_rep_end)
            self.state = UP
            self._top_ref = {}
            self._rep = Rep(len(self.reps) + 1, self.set, t)

    def _set_of_last_rep(self) -> int:
        return self.reps[-1].set if self.reps else self.set

    def _median_baseline(self) -> dict[str, float]:
        return {n: float(np.median(v)) for n, v in self._baseline_samples.items() if len(v)}

    def _track_top(self, t: float, x: float, values: dict[str, float]) -> None:
        if t - self._rep.top_s <= self.mv.top_reference_s:
            for n, v in values.items():
                if math.isfinite(v):
                    self._top_samples[n].append(v)
        elif not self._top_ref:
            self._top_ref = {n: float(np.median(v)) for n, v in self._top_samples.items() if v}
        self._track_pumps(x)

    def _track_pumps(self, x: float) -> None:
        """Pumps: a fall of at least pump_min_deg from a local peak, then a rise of at least
        as much from the trough (hysteresis on both turns)."""
        if self.mv.kind != "pumps" or self._pump_ext is None:
            return
        amp = max(self.mv.pump_min_deg, self.mv.pump_noise_factor * self._noise_deg())
        if not self._pump_falling:
            if x > self._pump_ext:
                self._pump_ext = x
            elif self._pump_ext - x >= amp:
                self._pump_peak, self._pump_falling, self._pump_ext = self._pump_ext, True, x
        else:
            if x < self._pump_ext:
                self._pump_ext = x
            elif x - self._pump_ext >= amp and self._in_top(x):
                self._rep.pumps.append(self._pump_peak - self._pump_ext)
                self._pump_falling, self._pump_ext = False, x

    def _noise_deg(self) -> float:
        """The driving signal's noise, from its spread while still in the start position
        (scaled median absolute deviation); pumps must stand clear of it."""
        still = self._baseline_samples.get(self.mv.signal)
        if not still or len(still) < MIN_SAMPLES:
            return 0.0
        return robust_sd(np.asarray(still))

    def _abandon_rep(self, t: float) -> None:
        """Left the start position but came back without reaching the top: not a rep."""
        rep = self._rep
        if t - rep.start_s >= self.mv.min_rep_s:
            self.events.append(FaultEvent("range_not_reached", "info",
                                          "Lift all the way to the top position", rep.start_s,
                                          t, None, self.set, rep.peak_value * self.mv.direction,
                                          kind="dose"))
        self._rep = None
        self.state = READY
        self._ready_since = t

    def _end_rep(self, t: float) -> None:
        rep = self._rep
        rep.end_s = t
        rep.peak_value *= self.mv.direction
        self._rep = None
        self.state = READY
        self._ready_since = t
        if rep.duration_s < self.mv.min_rep_s:
            return
        top_len = (rep.leave_top_s or t) - (rep.top_s or t)
        if self.mv.final_hold_after_s and top_len >= self.mv.final_hold_after_s:
            rep.kind = "final_hold"
        rep.faults = sorted({e.fault for e in self.events
                             if e.kind == "form" and e.end_s >= rep.start_s and e.start_s <= t})
        for e in self.events:
            if e.kind == "form" and e.rep is None and e.start_s >= rep.start_s:
                e.rep = rep.rep
        self.reps.append(rep)
        self._last_rep_end = t
        self._per_rep_rules(rep)

    def _per_rep_rules(self, rep: Rep) -> None:
        target = self.ex.dose.final_hold_s if rep.kind == "final_hold" else self.ex.dose.hold_s
        if target and rep.hold_s < target:
            what = "final hold" if rep.kind == "final_hold" else "hold"
            self.events.append(FaultEvent(
                "hold_too_short", "info", f"Hold longer: {what} {rep.hold_s:.0f} s of "
                f"{target:.0f} s", rep.top_s or rep.start_s, rep.leave_top_s or rep.end_s,
                rep.rep, rep.set, rep.hold_s, kind="dose"))
        for f in self.ex.faults:
            if f.rule == "lowering_fast" and rep.top_s and rep.leave_top_s:
                up_s, down_s = rep.top_s - rep.start_s, rep.end_s - rep.leave_top_s
                if down_s < f.amount * up_s:
                    self.events.append(FaultEvent(f.id, f.severity, f.cue, rep.leave_top_s,
                                                  rep.end_s, rep.rep, rep.set, down_s))
                    rep.faults.append(f.id)

    # ------------------------------------------------------------------ faults
    def _baseline(self, f: Fault) -> float:
        source = {"set_start": self._set_baseline, "rep_start": self._rep_start_values,
                  "rep_top": self._top_ref}[f.baseline]
        return source.get(f.feature, math.nan)

    def _rule_active(self, tr: _FaultTracker, t: float, v: float) -> bool:
        f = tr.fault
        if f.rule == "above":
            return v > f.above
        if f.rule == "below":
            return v < f.below
        if f.rule == "outside":
            return v > f.above or v < f.below
        change = v - self._baseline(f)
        if f.rule == "rise":
            return change > f.amount
        if f.rule == "drop":
            return change < -f.amount
        if f.rule == "deviate":
            return abs(change) > f.amount
        return False

    def _phase_ok(self, f: Fault) -> bool:
        if f.when == "always":
            return True
        if f.when == "top":
            return self.state == TOP
        return self.state in (UP, TOP, DOWN)

    def _evaluate_faults(self, t: float, values: dict[str, float]) -> list[str]:
        active = []
        rep_no = self._rep.rep if self._rep else None
        for tr in self._trackers:
            f = tr.fault
            v = values.get(f.feature, math.nan)
            if f.rule == "dip":
                on = self._dip_update(tr, t, v)
            else:
                on = self._phase_ok(f) and math.isfinite(v) and self._rule_active(tr, t, v)
            if tr.update(on, t, v, rep_no, self.set, self.events):
                active.append(f.id)
        return active

    def _dip_update(self, tr: _FaultTracker, t: float, v: float) -> bool:
        """A drop below the rep's top level by ``amount`` that recovers to the top before
        the rep ends (a sag during a hold).  Only known once recovered, so the event is
        back-dated to when the drop began."""
        f = tr.fault
        ref = self._top_ref.get(f.feature, math.nan)
        if self._rep is None or not math.isfinite(ref) or not math.isfinite(v):
            tr.pending_dip = None
            return False
        dropped = (v - ref) * self.mv.direction < -f.amount
        if dropped and tr.pending_dip is None:
            tr.pending_dip = (t, v)
        elif dropped:
            start, worst = tr.pending_dip
            tr.pending_dip = (start, min(worst, v) if self.mv.direction > 0 else max(worst, v))
        elif tr.pending_dip is not None:
            start, worst = tr.pending_dip
            tr.pending_dip = None
            if t - start >= f.min_duration_s:
                self.events.append(FaultEvent(f.id, f.severity, f.cue, start, t, self._rep.rep,
                                              self.set, worst))
                self._rep.faults.append(f.id)
        return False

    # ------------------------------------------------------------------ finish
    def finish(self) -> SessionResult:
        """Close the session: flush buffered frames (settling with what is known)."""
        if self.anterior is None and self._buffer:
            if self.side is None:
                with_person = self._buffered_with_person()
                self.side = nearer_side(with_person) if with_person.t_s.size else "left"
            self.anterior = consensus_sign(np.array(self._facing_votes))
            pending, self._buffer = list(self._buffer), deque()
            for p in pending:
                self._process(p)
        if self._rep is not None and self.state in (TOP, DOWN):
            self._end_rep(self._prev_t or self._rep.start_s)
        return self.snapshot()

    def snapshot(self) -> SessionResult:
        """The result so far (what :meth:`finish` returns, without closing anything)."""
        reps = [r for r in self.reps if r.kind == "rep"]
        holds = [r for r in self.reps if r.kind == "final_hold" or
                 (self.ex.movement.kind == "hold" or self.ex.dose.hold_s) and r.hold_s > 0]
        guidance = list(dict.fromkeys(self.guidance_log))
        return SessionResult(self.ex, self.side, reps, holds, list(self.events), self.frames,
                             list(self.rests_s), guidance, self.set)

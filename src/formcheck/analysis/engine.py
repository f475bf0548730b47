"""The exercise engine: reps, holds, pumps, sets and faults, fed one frame at a time.

The same code runs live and on recorded input, so a clip gives the same counts and faults
either way.  Per frame: features for both legs -> the working side and the body's facing
are settled (:mod:`.side`; frames are buffered until they are) -> causal One Euro
smoothing -> the rep state machine on the exercise's driving signal (:mod:`.reps`) ->
fault rules (:mod:`.faults`).  Once a rep has ended (and the signal has settled or the
next rep begun), its instants are located on the recent unsmoothed signal
(:mod:`.timing`) and its per-rep rules judged on them.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import replace

import numpy as np

from formcheck.analysis.confidence import (
    POSSIBLE_BELOW,
    fault_confidence,
    not_judged,
    rep_confidence,
)
from formcheck.analysis.exercise import Exercise
from formcheck.analysis.faults import FaultJudge
from formcheck.analysis.posture import PostureGate
from formcheck.analysis.records import READY, SETUP, TOP, FrameResult, Rep, SessionResult
from formcheck.analysis.reps import MIN_SAMPLES, RepMachine
from formcheck.analysis.side import SideSettler
from formcheck.analysis.timing import Crossings, edge_windows, rep_instants
from formcheck.capture import INDEX, PoseFrame
from formcheck.features import (
    SIDES,
    LandmarkSeries,
    OneEuroFilter,
    SmoothingParams,
    compute_features,
    default_smoothing,
    landmarks_for,
)

#: Frames kept for the view check.
VIEW_FRAMES = 30
#: A view is wrong for the exercise beyond these angles (0 = side view).
SIDE_VIEW_MAX_DEG = 45.0
FRONT_VIEW_MIN_DEG = 45.0
#: Visibility under which feet or head count as out of view (setup guidance).
OUT_OF_VIEW_VISIBILITY = 0.3
#: Seconds of the driving signal kept to time reps once they end: a rep's lift is timed
#: only when the whole rep is over, so this bounds the longest hold timed on the signal
#: (a longer one keeps its threshold-crossing times).
HISTORY_S = 600.0


class Engine:
    """Feed :meth:`update` with every PoseFrame in order; :meth:`finish` at the end."""

    def __init__(self, exercise: Exercise, side: str | None = None,
                 smoothing: SmoothingParams | None = None, recorded: bool = False) -> None:
        self.ex = exercise
        self.recorded = recorded  # a recording, cut where it ends (not a live session)
        self.params = smoothing or exercise.smoothing or default_smoothing()
        self.needed = exercise.needed_features
        self.mv = exercise.movement
        self.settler = SideSettler(exercise, side)
        self.machine = RepMachine(exercise)
        self.judge = FaultJudge(exercise)
        self.gate = PostureGate(exercise)
        # the driving signal without the running median: its pumps and rep instants are
        # a few frames wide (with it, a pause between pumps read as one pump more)
        self._filters = {name: OneEuroFilter(replace(self.params, median_frames=1)
                                             if name == self.mv.signal else self.params)
                         for name in self.needed}
        self.frames: list[FrameResult] = []
        self.guidance_log: list[str] = []
        self.not_judged: list[str] = []  # fault ids this view cannot judge
        self._prev_t: float | None = None
        self._view_hist: deque[float] = deque(maxlen=VIEW_FRAMES)
        self._history: deque[tuple[float, float]] = deque()  # (t, raw signal, own sign)
        self._pending: list[tuple[Rep, Crossings]] = []  # counted, not yet timed
        self._last_end_crossing: float | None = None
        self._ahead: dict[int, tuple] = {}  # id(pose) -> (pose, values, quality, view)
        self._upcoming: list[PoseFrame] = []  # read ahead while the side is being settled

    @property
    def side(self) -> str | None:
        return self.settler.side

    @property
    def set(self) -> int:
        return self.machine.set

    @set.setter
    def set(self, value: int) -> None:
        self.machine.set = value

    # ----------------------------------------------------------------- frames
    def update(self, pose: PoseFrame) -> list[FrameResult]:
        """Process one frame.  Returns the results of the frames processed now: usually
        just this one; none while the working side is being settled; then the buffered
        frames at once."""
        if not self.settler.settled:
            released = self.settler.offer(pose)
            self.prefetch(released + self._upcoming)
            return [self._process(p) for p in released]
        return [self._process(pose)]

    def prefetch(self, poses: list[PoseFrame]) -> None:
        """Compute the features of frames about to be fed, in one vectorised pass: the same
        numbers as frame by frame (each frame's features depend on that frame alone once
        the side and facing are settled), without the per-frame array overhead.  Recorded
        input reads ahead and calls this; frames offered before the side is settled are
        computed when it is."""
        if not self.settler.settled:
            self._upcoming = poses
        elif len(poses) > 1:
            self._upcoming = []
            self._ahead = {id(p): (p, *f) for p, f in zip(poses, self._features(poses),
                                                            strict=True)}

    def _features(self, poses: list[PoseFrame]) -> list[tuple[dict, dict, float]]:
        feats = compute_features(LandmarkSeries.from_poses(poses), self.side,
                                 self.settler.anterior)
        values = {n: feats.values[n].tolist() for n in self.needed}
        quality = {n: feats.quality[n].tolist() for n in self.needed}
        return [({n: v[i] for n, v in values.items()}, {n: q[i] for n, q in quality.items()},
                 view) for i, view in enumerate(feats.side_view_deg.tolist())]

    def _features_one(self, pose: PoseFrame) -> tuple[dict, dict, float]:
        ahead = self._ahead.pop(id(pose), None)
        if ahead is not None and ahead[0] is pose:
            return ahead[1:]
        return self._features([pose])[0]

    def _process(self, pose: PoseFrame) -> FrameResult:
        t = pose.t_s
        dt = 0.0 if self._prev_t is None else max(t - self._prev_t, 0.0)
        self._prev_t = t
        guidance: list[str] = []
        values = {n: math.nan for n in self.needed}
        quality = {n: 0.0 for n in self.needed}
        counted = interpolated = False
        visibility = 0.0
        if pose.has_pose:
            visibility = float(min(pose.visibility[INDEX[n]]
                                   for n in landmarks_for(self.needed, self.side)))
            raw, quality, view = self._features_one(pose)
            self._view_hist.append(view)
            guidance += self._view_guidance(pose)
            counted = quality[self.mv.signal] >= self.ex.min_quality
            self._remember(t, raw[self.mv.signal] if counted else math.nan)
            for name in self.needed:
                x = raw[name] if quality[name] >= self.ex.min_quality else math.nan
                values[name], filled = self._filters[name](x, t)
                interpolated |= filled and name == self.mv.signal
        else:
            guidance.append("Step into view: no person found")
            self._remember(t, math.nan)
            for name in self.needed:
                values[name], _ = self._filters[name](math.nan, t)
        signal = values[self.mv.signal]
        self.machine.note_quality(quality[self.mv.signal])
        samples = self.gate.update(t, values, self.machine.may_start(signal)) \
            if pose.has_pose else None
        if samples is not None:
            self.machine.posture_held(samples)
        if math.isfinite(signal):
            self._step_reps(t, self.mv.direction * signal, values)
        m = self.machine
        active = self.judge.evaluate(t, values, m) if m.state != SETUP else []
        if m.current is not None and m.state == TOP:
            m.current.hold_s += dt  # the running count; timed on the signal at the end
        for msg in guidance:
            if not self.guidance_log or self.guidance_log[-1] != msg:
                self.guidance_log.append(msg)
        rest_s = t - m.last_rep_end if m.state == READY and m.last_rep_end is not None \
            else None
        result = FrameResult(pose.index, t, m.state, counted, m.rep_count, m.set,
                             m.current.hold_s if m.current else 0.0,
                             len(m.current.pumps) if m.current else 0, values, active,
                             guidance, self.side, interpolated, quality, rest_s, visibility)
        self.frames.append(result)
        return result

    def _step_reps(self, t: float, x: float, values: dict[str, float]) -> None:
        was_waiting = self.machine.current is None
        counted, abandoned = self.machine.step(t, x, values)
        if abandoned is not None:
            self.judge.range_not_reached(abandoned, t)
        if counted is not None:
            self._count(counted)
        if was_waiting and self.machine.current is not None:  # the next rep began
            self._time_pending(t, next_start_s=self.machine.current.start_s)
        else:
            self._time_pending(t)

    # ---------------------------------------------------------------- timing
    def _remember(self, t: float, x: float) -> None:
        self._history.append((t, self.mv.direction * x))
        while self._history and t - self._history[0][0] > HISTORY_S:
            self._history.popleft()

    def _count(self, rep: Rep) -> None:
        """A rep was counted at its end crossing: time it once the signal has settled."""
        c = Crossings(rep.start_s, rep.top_s or rep.start_s, rep.leave_top_s or rep.end_s,
                      rep.end_s, prev_end_s=self._last_end_crossing)
        self._last_end_crossing = rep.end_s
        self._pending.append((rep, c))

    def _time_pending(self, t: float, next_start_s: float | None = None,
                      final: bool = False) -> None:
        keep = []
        for rep, c in self._pending:
            if next_start_s is not None:
                c = Crossings(c.start_s, c.top_s, c.leave_s, c.end_s, c.prev_end_s,
                              next_start_s)
            if final or next_start_s is not None or t >= edge_windows(c)[1][1]:
                self._time_rep(rep, c)
            else:
                keep.append((rep, c))
        self._pending = keep

    def _time_rep(self, rep: Rep, c: Crossings) -> None:
        """Locate the rep's instants on the kept signal, then judge its per-rep rules."""
        (lo, _), (_, hi) = edge_windows(c)
        kept = [(t, x) for t, x in self._history if lo <= t <= hi]
        if kept and kept[0][0] <= c.start_s and rep.top_s and rep.leave_top_s:
            t_s, x = np.array(kept).T
            settle_s = self.mv.final_hold_settle_s if rep.kind == "final_hold" else 0.0
            at = rep_instants(t_s, x, c, self.params, settle_s)
            rep.start_s, rep.top_s, rep.leave_top_s, rep.end_s = (at.start_s, at.top_s,
                                                                  at.leave_s, at.end_s)
        if rep.top_s is not None and rep.leave_top_s is not None:
            rep.hold_s = rep.leave_top_s - rep.top_s
        self.judge.close_rep(rep)

    def _view_guidance(self, pose: PoseFrame) -> list[str]:
        out = []
        if len(self._view_hist) >= MIN_SAMPLES:
            view = _median(self._view_hist)
            if self.ex.camera == "side" and view > SIDE_VIEW_MAX_DEG:
                out.append("Turn side-on to the camera: turn the laptop, or yourself, so it "
                           "sees you from the side")
            elif self.ex.camera == "front" and view < FRONT_VIEW_MIN_DEG:
                out.append("Face the camera with your whole front: turn the laptop, or "
                           "yourself, so you lie across the picture")
        vis = pose.visibility
        if max(vis[INDEX[f"{s}_ankle"]] for s in SIDES) < OUT_OF_VIEW_VISIBILITY:
            out.append("I can't see your feet: move the laptop further away")
        if vis[INDEX["nose"]] < OUT_OF_VIEW_VISIBILITY:
            out.append("I can't see your head and shoulders: move the laptop further away")
        return out

    # ------------------------------------------------------------------ finish
    def finish(self) -> SessionResult:
        """Close the session: flush buffered frames (settling with what is known)."""
        for pose in self.settler.flush():
            self._process(pose)
        cut = None
        if self.machine.current is not None:
            cut, incomplete = self.machine.finish(
                self._prev_t or self.machine.current.start_s, self.recorded)
            if incomplete is not None:
                self.judge.incomplete_rep(incomplete)
        self._time_pending(self._prev_t or 0.0, final=True)
        if cut is not None:  # timed as cut: its leaving and lowering were not filmed
            cut.hold_s = cut.leave_top_s - cut.top_s
            self.judge.close_rep(cut, lowering_seen=False)
        self._rate_confidence()
        return self.snapshot()

    def _rate_confidence(self) -> None:
        """Confidence of every rep and form fault, from the frames seen while they ran."""
        m = self.machine
        for rep in m.reps:
            rep.confidence = rep_confidence(self.frames, rep, self.mv.signal, m.top_level,
                                            self.mv.direction)
        features = {f.id: f.feature for f in self.ex.faults}
        self.not_judged = not_judged(self.frames, self.ex.faults, self.ex.min_quality)
        for event in self.judge.events:
            if event.kind == "form":
                event.confidence = fault_confidence(self.frames, event,
                                                    features.get(event.fault, ""))
                event.certainty = "possible" if event.confidence < POSSIBLE_BELOW else "sure"

    def snapshot(self) -> SessionResult:
        """The result so far (what :meth:`finish` returns, without closing anything)."""
        all_reps = self.machine.reps
        reps = [r for r in all_reps if r.kind == "rep"]
        holds = [r for r in all_reps if r.kind == "final_hold" or
                 (self.ex.movement.kind == "hold" or self.ex.dose.hold_s) and r.hold_s > 0]
        guidance = list(dict.fromkeys(self.guidance_log))
        return SessionResult(self.ex, self.side, reps, holds, list(self.judge.events),
                             self.frames, list(self.machine.rests_s), guidance,
                             self.machine.set, self.gate.refusal(), list(self.not_judged))


def _median(values) -> float:
    """``np.median`` of a few floats without the array overhead: the middle value or the
    mean of the two middle ones; NaN if any is NaN."""
    ordered = sorted(values)
    if any(math.isnan(v) for v in ordered):
        return math.nan
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2

"""Settling the working side and the body's facing from the first second with a person.

Frames are buffered until both are known, then handed back to be processed in order."""

from __future__ import annotations

from collections import deque

import numpy as np

from formcheck.analysis.exercise import Exercise
from formcheck.analysis.posture import first_failing
from formcheck.capture import PoseFrame
from formcheck.features import (
    SIDES,
    LandmarkSeries,
    anterior_sign_per_frame,
    compute_features,
    consensus_sign,
    moving_side,
    nearer_side,
    thigh_angle_deg,
)

#: How long facing and view are watched before they are settled (s of frames with a person).
SETTLE_FACING_S = 1.0
MIN_SETTLE_FRAMES = 5
#: Frames held while the working side is being settled (a minute at 30 fps).
BUFFER_MAX_FRAMES = 30 * 60


class SideSettler:
    """Feed :meth:`offer` every frame until it returns the buffered frames."""

    def __init__(self, exercise: Exercise, side: str | None = None) -> None:
        self.bilateral = exercise.bilateral
        self.posture = exercise.posture
        self.side: str | None = side
        self.anterior: float | None = None
        self._facing_votes: list[float] = []
        self._thigh_angles = {s: deque(maxlen=BUFFER_MAX_FRAMES) for s in SIDES}
        self._buffer: deque[PoseFrame] = deque(maxlen=BUFFER_MAX_FRAMES)

    @property
    def settled(self) -> bool:
        return self.anterior is not None

    def offer(self, pose: PoseFrame) -> list[PoseFrame]:
        """Buffer one frame; once side and facing are settled, the frames to process."""
        self._buffer.append(pose)
        if pose.has_pose:
            series = LandmarkSeries.from_poses([pose])
            self._facing_votes.append(float(anterior_sign_per_frame(series)[0]))
            if self._in_posture(series):
                for side in SIDES:
                    self._thigh_angles[side].append(float(thigh_angle_deg(series, side)[0]))
        return self._drain() if self._try_settle(pose.t_s) else []

    def _in_posture(self, series: LandmarkSeries) -> bool:
        """Whether the exercise's start posture holds for one of the legs (the other one
        may be lifted): the legs' swings are only compared on such frames, so a setup
        (kneeling up, lying back) does not decide the working side."""
        if self.posture is None:
            return True
        for side in SIDES:
            feats = compute_features(series, side, 1.0)
            if first_failing(self.posture, {n: float(v[0]) for n, v in feats.values.items()}) \
                    is None:
                return True
        return False

    def flush(self) -> list[PoseFrame]:
        """At the end of input: settle with what is known, return what was buffered."""
        if self.settled or not self._buffer:
            return []
        if self.side is None:
            with_person = self._buffered_with_person()
            self.side = nearer_side(with_person) if with_person.t_s.size else "left"
        self.anterior = consensus_sign(np.array(self._facing_votes))
        return self._drain()

    def _drain(self) -> list[PoseFrame]:
        pending, self._buffer = list(self._buffer), deque()
        return pending

    def _buffered_with_person(self) -> LandmarkSeries:
        return LandmarkSeries.from_poses([p for p in self._buffer if p.has_pose])

    def _try_settle(self, t_s: float) -> bool:
        elapsed = t_s - self._buffer[0].t_s
        if elapsed < SETTLE_FACING_S or len(self._facing_votes) < MIN_SETTLE_FRAMES:
            return False
        if self.side is None:
            if self.bilateral:
                self.side = nearer_side(self._buffered_with_person())
            else:
                self.side = moving_side(self._thigh_angles)
                if self.side is None:
                    return False
        self.anterior = consensus_sign(np.array(self._facing_votes))
        return True

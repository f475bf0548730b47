"""The one per-frame loop: poses -> engine -> sinks.  Live and recorded analysis both run
through :func:`run_session`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import numpy as np

from formcheck.analysis.engine import Engine, FrameResult, SessionResult
from formcheck.capture import PoseFrame


class Sink(Protocol):
    def on_pose(self, image: np.ndarray | None, pose: PoseFrame,
                latest: FrameResult | None) -> None: ...

    def on_result(self, result: FrameResult) -> None: ...


def run_session(poses: Iterable[tuple[np.ndarray | None, PoseFrame]], engine: Engine,
                sinks: Iterable[Sink] = ()) -> SessionResult:
    """Feed every pose to the engine and every sink.  Sinks see each pose as it arrives
    (with the latest engine result, for overlays) and each engine result in order."""
    sinks = list(sinks)
    latest: FrameResult | None = None
    for image, pose in poses:
        for result in engine.update(pose):
            latest = result
            for sink in sinks:
                sink.on_result(result)
        for sink in sinks:
            sink.on_pose(image, pose, latest)
    return engine.finish()

"""The one per-frame loop: poses -> engine -> sinks.  Live and recorded analysis both run
through :func:`run_session`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

import numpy as np

from formcheck.analysis.engine import Engine, FrameResult, SessionResult
from formcheck.capture import PoseFrame


class Sink(Protocol):
    def on_pose(self, image: np.ndarray | None, pose: PoseFrame,
                latest: FrameResult | None) -> None: ...

    def on_result(self, result: FrameResult) -> None: ...


def run_session(poses: Iterable[tuple[np.ndarray | None, PoseFrame]], engine: Engine,
                sinks: Iterable[Sink] = (), read_ahead: int = 1) -> SessionResult:
    """Feed every pose to the engine and every sink.  Sinks see each pose as it arrives
    (with the latest engine result, for overlays) and each engine result in order.
    ``read_ahead`` > 1 (recorded input) lets the engine compute that many frames'
    features at once; the results are the same."""
    sinks = list(sinks)
    latest: FrameResult | None = None
    for chunk in _chunks(poses, read_ahead):
        engine.prefetch([pose for _, pose in chunk])
        for image, pose in chunk:
            for result in engine.update(pose):
                latest = result
                for sink in sinks:
                    sink.on_result(result)
            for sink in sinks:
                sink.on_pose(image, pose, latest)
    return engine.finish()


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    """Lists of up to ``size`` items; an error while reading is raised after the items read
    before it have been handed on, so they are processed as without read-ahead."""
    chunk: list = []
    iterator = iter(items)
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            break
        except BaseException:
            if chunk:
                yield chunk
            raise
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk

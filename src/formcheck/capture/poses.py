"""One way to get poses from any input: a video file, a camera, or a landmark recording.

A recording replays the poses it stored, needing no model, so analysing it gives exactly
what analysing the original video gave.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from formcheck.capture.crowd import CrowdTally, watched
from formcheck.capture.dating import dated
from formcheck.capture.files import check_input_file
from formcheck.capture.landmarks import PoseFrame
from formcheck.capture.model import ModelInfo, resolve_model
from formcheck.capture.recording import RecordingReader, is_recording
from formcheck.capture.sources import (
    CameraSource,
    PacedFileSource,
    SourceInfo,
    VideoFileSource,
    paced,
)


@dataclass
class PoseStream:
    """Iterable of ``(bgr image or None, PoseFrame)``.  Use as a context manager.

    ``model`` describes the pose model that produced the poses (for a recording: the one
    named in its header).  ``detected`` / ``frames`` count as iteration goes.
    """

    info: SourceInfo
    model: dict | None
    _iter: Iterator[tuple[np.ndarray | None, PoseFrame, float | None]]
    _stack: ExitStack = field(default_factory=ExitStack)
    _source: object | None = None
    frames: int = 0
    detected: int = 0
    last_captured_s: float | None = None  # when a live source delivered the current frame
    _crowd: CrowdTally | None = None  # the check for a second person, on a video or camera

    def __iter__(self) -> Iterator[tuple[np.ndarray | None, PoseFrame]]:
        for image, pose, captured_s in self._iter:
            self.frames += 1
            self.detected += pose.has_pose
            self.last_captured_s = captured_s
            yield image, pose

    def __enter__(self) -> PoseStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    @property
    def complete(self) -> bool:
        """False for a recording that was cut off or ended early (a video file that stops
        short raises SourceEndedEarly instead)."""
        return getattr(self._source, "complete", True)

    @property
    def warnings(self) -> list[str]:
        """What the user must know about the input, in words (after iteration)."""
        out = list(getattr(self._source, "warnings", []))
        crowd = self.crowd
        if crowd is not None and (warning := crowd.warning(self.info.name)):
            out.append(warning)
        return out

    @property
    def crowd(self) -> CrowdTally | None:
        """How often a second person was in view: counted as the video or camera is read,
        or as stored in a recording (None for one made before the check)."""
        if self._crowd is not None:
            return self._crowd
        end = getattr(self._source, "end", None)
        return CrowdTally.from_record(end.get("people")) if isinstance(end, dict) else None

    def footer(self) -> dict:
        """What a recording of this stream keeps in its end line."""
        crowd = self.crowd
        return {"people": crowd.to_record()} if crowd is not None else {}

    @property
    def source_dropped(self) -> int:
        return getattr(self._source, "dropped", 0)


def model_record(model: ModelInfo) -> dict:
    return {"file": model.name, "sha256": model.sha256}


def open_poses(source: str | Path | int, model_path: str | Path | None = None,
               realtime: bool = False, check_people: bool = True) -> PoseStream:
    """Open a camera (int), a landmark recording or a video file as a stream of poses.

    ``realtime`` plays a video file at its own frame rate, dropping frames the consumer is
    too slow for, as a camera would.  ``check_people`` looks for a second person in view
    about once a second (see capture.crowd).  Raises the InputError subclasses of the
    sources and of the model loader.
    """
    if not isinstance(source, int):
        check_input_file(Path(source), "recording" if str(source).endswith(".jsonl")
                         else "video file")
    if not isinstance(source, int) and is_recording(source):
        reader = RecordingReader(source)
        poses = ((None, pose, time.monotonic() if realtime else None)
                 for pose in (paced(reader, lambda p: p.t_s) if realtime else reader))
        return PoseStream(reader.info, reader.header.get("model"), poses, _source=reader)
    from formcheck.capture.pose import PeopleFinder, PoseEstimator  # loaded when needed

    stack = ExitStack()
    try:
        if isinstance(source, int):
            frames = stack.enter_context(CameraSource(source))
        elif realtime:
            frames = stack.enter_context(PacedFileSource(source))
        else:
            frames = stack.enter_context(VideoFileSource(source))
        model = resolve_model(model_path)
        estimator = stack.enter_context(PoseEstimator(model))
        pairs = estimator.run(frames)
        crowd = None
        if check_people:
            crowd = CrowdTally()
            pairs = watched(pairs, stack.enter_context(PeopleFinder(model)), crowd)
            stack.callback(pairs.close)  # its check in flight ends before the finder closes
    except BaseException:
        stack.close()
        raise
    return PoseStream(dated(frames.info, source), model_record(model),
                      ((f.bgr, pose, f.captured_s) for f, pose in pairs), stack, frames,
                      _crowd=crowd)

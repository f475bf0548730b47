"""The one adapter over MediaPipe's Tasks API.  The only module that imports mediapipe.

It turns BGR frames into :class:`~formcheck.capture.landmarks.PoseFrame` records.  VIDEO mode is
used for files and cameras alike: it is synchronous (the caller decides which frames to
drop) and takes the source's own timestamps — the container's for files, the capture
clock's for cameras — so tracking between frames uses real time, not a guessed fps.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import numpy as np

from formcheck.capture.crowd import tile_columns
from formcheck.capture.landmarks import N_LANDMARKS, PoseFrame
from formcheck.capture.model import ModelInfo
from formcheck.capture.sources import Frame
from formcheck.errors import ModelError

log = logging.getLogger(__name__)

#: The graph prints its start-up warnings during its first detections (measured: within
#: the first 10 frames, once tracking has started).
_NOISY_FIRST_CALLS = 10


_silence_lock = threading.Lock()
_silence = {"depth": 0, "saved": -1}


@contextmanager
def _native_stderr_silenced(enabled: bool) -> Iterator[None]:
    """MediaPipe's C++ side prints start-up warnings straight to file descriptor 2 (no
    Python logging to configure); hide them while the graph starts, unless asked not to.
    Counted across threads (the people check runs beside the tracker): the first to
    enter hides, the last to leave restores."""
    if not enabled:
        yield
        return
    with _silence_lock:
        if _silence["depth"] == 0:
            sys.stderr.flush()
            _silence["saved"] = os.dup(2)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
        _silence["depth"] += 1
    try:
        yield
    finally:
        with _silence_lock:
            _silence["depth"] -= 1
            if _silence["depth"] == 0:
                os.dup2(_silence["saved"], 2)
                os.close(_silence["saved"])


def _landmarker(vision, options, model: ModelInfo, quiet: bool):
    try:
        with _native_stderr_silenced(quiet):
            return vision.PoseLandmarker.create_from_options(options)
    except (RuntimeError, ValueError) as exc:
        raise ModelError(f"MediaPipe could not load {model.path}: {exc}; pass --model "
                         "PATH to a pose_landmarker .task file") from exc


class PoseEstimator:
    """MediaPipe PoseLandmarker in VIDEO mode.  Use as a context manager.

    Parameters
    ----------
    model : the checked model file (see :func:`formcheck.capture.model.resolve_model`).
    min_detection_confidence, min_presence_confidence, min_tracking_confidence :
        MediaPipe's thresholds, in [0, 1].
    """

    def __init__(self, model: ModelInfo, min_detection_confidence: float = 0.5,
                 min_presence_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5) -> None:
        self._quiet = not log.isEnabledFor(logging.DEBUG)
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        self._mp = mp
        self.model = model
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model.path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=1,
            min_pose_detection_confidence=min_detection_confidence,
            min_pose_presence_confidence=min_presence_confidence,
            min_tracking_confidence=min_tracking_confidence,
        )
        self._landmarker = _landmarker(vision, options, model, self._quiet)
        self._last_ts_ms = -1
        self._calls = 0

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._landmarker is not None:
            with _native_stderr_silenced(self._quiet):  # teardown logs too
                self._landmarker.close()
            self._landmarker = None

    def estimate(self, frame: Frame) -> PoseFrame:
        """Run the model on one frame; the result keeps the frame's own timestamp."""
        rgb = np.ascontiguousarray(frame.bgr[:, :, ::-1])
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        # The graph needs strictly increasing integer milliseconds.
        self._calls += 1
        ts_ms = max(int(round(frame.t_ms)), self._last_ts_ms + 1)
        self._last_ts_ms = ts_ms
        with _native_stderr_silenced(self._quiet and self._calls <= _NOISY_FIRST_CALLS):
            result = self._landmarker.detect_for_video(image, ts_ms)
        height, width = frame.bgr.shape[:2]
        if not result.pose_landmarks:
            return PoseFrame(frame.index, frame.t_ms, width, height)
        img = result.pose_landmarks[0]
        world = result.pose_world_landmarks[0]
        return PoseFrame(
            index=frame.index, t_ms=frame.t_ms, width_px=width, height_px=height,
            image=np.array([(p.x, p.y, p.z) for p in img], dtype=float).reshape(N_LANDMARKS, 3),
            world=np.array([(p.x, p.y, p.z) for p in world], dtype=float).reshape(N_LANDMARKS, 3),
            visibility=np.array([p.visibility for p in img], dtype=float),
            presence=np.array([p.presence for p in img], dtype=float),
        )

    def run(self, frames: Iterable[Frame]) -> Iterator[tuple[Frame, PoseFrame]]:
        for frame in frames:
            yield frame, self.estimate(frame)


class PeopleFinder:
    """A second MediaPipe PoseLandmarker, in IMAGE mode and for up to two people, run on a
    few frames only to see whether someone else is in view (the tracker follows one).
    Use as a context manager; calling it on a frame gives each person found as (33, 2)
    landmark pixels and (33,) visibility.  The graph is built on the first call, so on
    the thread that runs the checks, beside the tracker rather than before it."""

    def __init__(self, model: ModelInfo, max_people: int = 2,
                 min_detection_confidence: float = 0.5) -> None:
        self._quiet = not log.isEnabledFor(logging.DEBUG)
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        self._mp, self._vision, self._model = mp, vision, model
        self._options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model.path)),
            running_mode=vision.RunningMode.IMAGE, num_poses=max_people,
            min_pose_detection_confidence=min_detection_confidence)
        self._landmarker = None
        self._calls = 0

    def __enter__(self) -> PeopleFinder:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._landmarker is not None:
            with _native_stderr_silenced(self._quiet):
                self._landmarker.close()
            self._landmarker = None

    def __call__(self, frame: Frame) -> list[tuple[np.ndarray, np.ndarray]]:
        """Everyone found in the frame; a wide frame is searched in tiles (see
        capture.crowd.tile_columns), so one person may be found in two of them."""
        if self._landmarker is None:
            self._landmarker = _landmarker(self._vision, self._options, self._model,
                                           self._quiet)
        height, width = frame.bgr.shape[:2]
        found = []
        for x0, x1 in tile_columns(width, height):
            rgb = np.ascontiguousarray(frame.bgr[:, x0:x1, ::-1])
            image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
            self._calls += 1
            with _native_stderr_silenced(self._quiet and self._calls <= _NOISY_FIRST_CALLS):
                result = self._landmarker.detect(image)
            scale = np.array([x1 - x0, height], dtype=float)
            found += [(np.array([(p.x, p.y) for p in person], dtype=float) * scale + (x0, 0),
                       np.array([p.visibility for p in person], dtype=float))
                      for person in result.pose_landmarks]
        return found

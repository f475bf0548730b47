"""Frame sources: video files and cameras (OpenCV), yielding frames with their own timestamps.
Landmark recordings, the third kind of source, yield poses: :mod:`formcheck.capture.recording`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from formcheck.capture.files import check_input_file, undecodable_message
from formcheck.errors import SourceEndedEarly, SourceError

#: A file whose decoder stops more than this many frames short of its declared count is
#: reported as truncated (containers often over- or under-state the count by a frame or two).
TRUNCATION_TOLERANCE_FRAMES = 3


@dataclass(frozen=True)
class Frame:
    index: int
    t_ms: float  # the source's own timestamp
    bgr: np.ndarray
    captured_s: float | None = None  # monotonic clock when a live source delivered it


@dataclass(frozen=True)
class SourceInfo:
    """What a source is, for provenance and for the user."""

    name: str
    kind: str  # "video", "camera" or "recording"
    width_px: int
    height_px: int
    fps: float
    frame_count: int | None  # declared by the container; None for cameras
    rotation_deg: int = 0  # rotation applied from the container's metadata
    recorded_utc: str | None = None  # when the source was recorded (files: metadata/mtime)
    sha256: str | None = None  # content hash of a source file, to recognise it again


def _open_capture(target: str | int) -> cv2.VideoCapture:
    cap = cv2.VideoCapture(target)
    # Phone videos carry their rotation as metadata; have the decoder apply it so frames
    # come out upright (the default in current OpenCV, set here so it cannot drift).
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    return cap


class VideoFileSource:
    """Frames of a video file, with the container's timestamps.  Use as a context manager.

    Raises SourceError for a missing, empty or undecodable file at construction, and
    SourceEndedEarly from iteration when the file stops well short of its declared length.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        check_input_file(self.path, "video file")
        if self.path.stat().st_size == 0:
            raise SourceError(f"video file is empty (0 bytes): {self.path}; copy or export "
                              "the video again")
        self._cap = _open_capture(str(self.path))
        ok, first = self._cap.read() if self._cap.isOpened() else (False, None)
        if not ok:
            self._cap.release()
            raise SourceError(undecodable_message(self.path))
        ok, second = self._cap.read()
        if not ok:
            self._cap.release()
            raise SourceError(f"{self.path} holds a single picture, not a video; formcheck "
                              "needs a video of the exercise (a few seconds at least)")
        self._first, self._second = first, second
        fps = self._cap.get(cv2.CAP_PROP_FPS) or 0.0
        count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self.info = SourceInfo(
            name=self.path.name, kind="video", width_px=first.shape[1],
            height_px=first.shape[0], fps=fps if fps > 0 else 30.0,
            frame_count=count if count > 0 else None,
            rotation_deg=int(self._cap.get(cv2.CAP_PROP_ORIENTATION_META) or 0))

    def __enter__(self) -> VideoFileSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._cap.release()

    def __iter__(self) -> Iterator[Frame]:
        frame_ms = 1000.0 / self.info.fps
        last_ms = -frame_ms
        index = 0
        bgr, pending = self._first, [self._second]
        while bgr is not None:
            t_ms = self._cap.get(cv2.CAP_PROP_POS_MSEC) if index else 0.0
            if not t_ms > last_ms:  # missing or non-monotonic container timestamps
                t_ms = last_ms + frame_ms
            yield Frame(index, t_ms, bgr)
            last_ms = t_ms
            index += 1
            ok, bgr = (True, pending.pop()) if pending else self._cap.read()
            if not ok:
                bgr = None
        expected = self.info.frame_count
        if expected is not None and index < expected - TRUNCATION_TOLERANCE_FRAMES:
            raise SourceEndedEarly(
                f"{self.path.name} stopped after {index} of {expected} frames (the file "
                "looks truncated); what was read has been kept")


def paced(items: Iterator, seconds_of) -> Iterator:
    """Yield each item no sooner than its own timestamp (``seconds_of(item)``), counted
    from the first item: a recording or a file played back in real time."""
    start = None
    for item in items:
        t_s = seconds_of(item)
        if start is None:
            start = time.monotonic() - t_s
        delay = start + t_s - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        yield item


class _GrabbedSource:
    """A source read on a thread by a LatestFrameGrabber (``self._grabber``)."""

    _grabber: LatestFrameGrabber

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def dropped(self) -> int:
        """Frames the consumer was too slow for."""
        return self._grabber.dropped

    def close(self) -> None:
        self._grabber.stop()
        self._release()

    def _release(self) -> None:
        raise NotImplementedError


class CameraSource(_GrabbedSource):
    """Live frames from a camera, timestamped by the capture clock.

    A background thread keeps only the newest frame, so a slow consumer gets fresh frames
    (stale ones are dropped) instead of an ever-growing lag.  ``dropped`` counts them.
    """

    def __init__(self, index: int, width_px: int | None = None,
                 height_px: int | None = None) -> None:
        self._cap = _open_capture(index)
        if width_px:
            self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width_px)
        if height_px:
            self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height_px)
        ok, first = self._cap.read() if self._cap.isOpened() else (False, None)
        if not ok:
            self._cap.release()
            raise SourceError(f"camera {index} could not be opened; check that it is "
                              "connected and not in use by another program, or try "
                              "another --camera number")
        fps = self._cap.get(cv2.CAP_PROP_FPS) or 0.0
        self.info = SourceInfo(name=f"camera {index}", kind="camera",
                               width_px=first.shape[1], height_px=first.shape[0],
                               fps=fps if fps > 0 else 30.0, frame_count=None)
        self._grabber = LatestFrameGrabber(self._cap.read, endless=True,
                                           what=f"camera {index}")

    def _release(self) -> None:
        self._cap.release()

    def __iter__(self) -> Iterator[Frame]:
        return iter(self._grabber)


class PacedFileSource(_GrabbedSource):
    """A video file played as if it were a camera: frames arrive at the file's own frame
    rate, whatever the consumer's speed, and stale frames are dropped.  For demos and
    testers (``formcheck live --source FILE``).  Timestamps stay the file's own."""

    def __init__(self, path: str | Path) -> None:
        self._file = VideoFileSource(path)
        self.info = self._file.info
        self._frames = paced(iter(self._file), lambda frame: frame.t_ms / 1000.0)
        self._error: SourceEndedEarly | None = None

        def read_paced() -> tuple[bool, Frame | None]:
            try:
                frame = next(self._frames)
            except StopIteration:
                return False, None
            except SourceEndedEarly as exc:
                self._error = exc
                return False, None
            return True, frame

        self._grabber = LatestFrameGrabber(read_paced, endless=False,
                                           what=self.info.name, timestamps=False)

    def _release(self) -> None:
        self._file.close()

    def __iter__(self) -> Iterator[Frame]:
        yield from self._grabber
        if self._error is not None:
            raise self._error


class LatestFrameGrabber:
    """Reads frames on a thread and hands the consumer only the newest one.

    ``read`` returns ``(ok, image_or_frame)`` like ``cv2.VideoCapture.read``; with
    ``timestamps=True`` images become Frames stamped by the monotonic clock.  Reading starts
    at the first frame asked for (a paced file must not play on while the model loads).  A
    failing read ends the stream; for an ``endless`` source (a camera) that means it was
    lost, and iteration raises SourceEndedEarly after the last frame."""

    def __init__(self, read, endless: bool, what: str, timestamps: bool = True) -> None:
        self._read = read
        self._what = what
        self._timestamps = timestamps
        self._endless = endless
        self._cond = threading.Condition()
        self._latest: Frame | None = None
        self._done = False
        self._failed = False
        self._stop = threading.Event()
        self.dropped = 0
        self.delivered = 0
        self._t0 = 0.0
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        index = 0
        while not self._stop.is_set():
            try:
                ok, item = self._read()
            except cv2.error:
                ok, item = False, None
            if not ok or item is None:
                with self._cond:
                    self._done = True
                    self._failed = self._endless and not self._stop.is_set()
                    self._cond.notify_all()
                return
            now = time.monotonic()
            if self._timestamps:
                item = Frame(index, (now - self._t0) * 1000.0, item, now)
            else:
                item = Frame(item.index, item.t_ms, item.bgr, now)
            index += 1
            with self._cond:
                if self._latest is not None:
                    self.dropped += 1
                self._latest = item
                self._cond.notify_all()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(timeout=2.0)

    def __iter__(self) -> Iterator[Frame]:
        if self._thread.ident is None:
            self._t0 = time.monotonic()
            self._thread.start()
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._latest is not None or self._done)
                item, self._latest = self._latest, None
                if item is None:
                    break
            self.delivered += 1
            yield item
        if self._failed:
            raise SourceEndedEarly(f"{self._what} stopped delivering frames after "
                                   f"{self.delivered} frames (disconnected?); what was "
                                   "recorded has been kept")


def read_frames(path: str | Path, indices: set[int]) -> dict[int, np.ndarray]:
    """The given frames of a video file (read in order: seeking is not exact in every
    container)."""
    out: dict[int, np.ndarray] = {}
    if not indices:
        return out
    with VideoFileSource(path) as source:
        try:
            for frame in source:
                if frame.index in indices:
                    out[frame.index] = frame.bgr
                if frame.index >= max(indices):
                    break
        except SourceEndedEarly:
            pass
    return out

"""The annotated or skeleton-only video of a session, as H.264 in MP4 (yuv420p, faststart)
through PyAV, so that browsers play it and the report can embed it."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

CODEC = "libx264"
CRF = "23"  # x264's default quality


def _even(n: int) -> int:
    return n - n % 2  # yuv420p needs even dimensions


class VideoSink:
    """Writes BGR frames to an H.264 MP4 file, opened on the first frame."""

    def __init__(self, path: str | Path, fps: float) -> None:
        self.path = Path(path)
        self.fps = fps
        self._container = None
        self._stream = None

    def _open(self, width: int, height: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._container = av.open(str(self.path), "w",
                                  options={"movflags": "+faststart"})
        rate = Fraction(self.fps).limit_denominator(1001)
        self._stream = self._container.add_stream(CODEC, rate=rate,
                                                  options={"crf": CRF, "preset": "veryfast"})
        self._stream.width, self._stream.height = _even(width), _even(height)
        self._stream.pix_fmt = "yuv420p"

    def write(self, bgr: np.ndarray) -> None:
        if self._container is None:
            self._open(bgr.shape[1], bgr.shape[0])
        bgr = bgr[:self._stream.height, :self._stream.width]
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(bgr), format="bgr24")
        self._container.mux(self._stream.encode(frame))

    def close(self) -> None:
        if self._container is not None:
            self._container.mux(self._stream.encode(None))
            self._container.close()
            self._container = None


#: The session video is watched up close, in the report: its counters and banners are
#: drawn at this share of the live window's size (sized to be read from two metres), so
#: they do not hide the body.
REVIEW_TEXT_SCALE = 0.55


def write_session_video(path: Path, fps: float, poses, result, exercise,
                        images=None) -> None:
    """Render the session after analysis, so that every fault has its banner over its
    whole interval, including those (like a sag) only known once they ended.  ``images``
    yields the source frames in order (annotated video), or None for a skeleton video."""
    from dataclasses import replace

    from formcheck.outputs.draw import annotate, blank_like
    from formcheck.outputs.results import faults_at

    by_index = {f.index: f for f in result.frames}
    sink = VideoSink(path, fps)
    try:
        for pose in poses:
            image = next(images) if images is not None else None
            frame = by_index.get(pose.index)
            if frame is not None:
                frame = replace(frame, active_faults=faults_at(result, frame.t_s))
            base = image if image is not None else blank_like(pose.width_px, pose.height_px)
            sink.write(annotate(base, pose, frame, exercise, text_scale=REVIEW_TEXT_SCALE))
    finally:
        sink.close()

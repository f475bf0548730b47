"""Landmark recordings: a versioned, append-only JSON Lines file of every frame's pose.

Schema (version 1), one JSON object per line, UTF-8:

1. header: ``{"format": "formcheck-landmarks", "version": 1, "formcheck_version": ...,
   "created_utc": ..., "source": {name, kind, width_px, height_px, fps, frame_count,
   rotation_deg}, "model": {"file": ..., "sha256": ...}, "landmark_names": [33 names]}``
2. one line per frame, in order: ``{"i": frame index, "t_ms": source timestamp}`` plus,
   when a person was found, ``"image"`` (33 x [x, y, z], x/y normalised by width/height as
   MediaPipe gives them), ``"world"`` (33 x [x, y, z] metres), ``"visibility"`` and
   ``"presence"`` (33 numbers each).  A frame with no person has ``"pose": null``.
3. optionally a last line ``{"end": {"frames": N, "status": "complete" | "ended_early" |
   "interrupted", "message": ...}}``.

Each line is written and flushed as its frame is processed, so a crash or a kill loses at
most the frame in flight; a reader accepts a file whose last line was cut off.  Numbers are
written with Python's shortest round-trip repr, so replaying gives bit-identical poses.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

import numpy as np

from formcheck import __version__
from formcheck.capture.landmarks import N_LANDMARKS, NAMES, PoseFrame
from formcheck.capture.sources import SourceInfo
from formcheck.errors import RecordingError

FORMAT = "formcheck-landmarks"
VERSION = 1
SUFFIX = ".landmarks.jsonl"


def is_recording(path: str | Path) -> bool:
    """True when the file starts like a formcheck landmark recording."""
    try:
        with Path(path).open("rb") as fh:
            head = fh.read(256)
    except OSError:
        return False
    return head.lstrip().startswith(b"{") and FORMAT.encode() in head


class RecordingWriter:
    """Streams PoseFrames to a recording file.  Use as a context manager; on exit the end
    line records whether the run completed."""

    def __init__(self, path: str | Path, source: SourceInfo, model: dict | None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[str] | None = self.path.open("w", encoding="utf-8")
        self.frames = 0
        header = {
            "format": FORMAT, "version": VERSION, "formcheck_version": __version__,
            "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "source": asdict(source),
            "model": model,
            "landmark_names": list(NAMES),
        }
        self._write(header)

    def _write(self, obj: dict[str, Any]) -> None:
        assert self._fh is not None
        self._fh.write(json.dumps(obj, separators=(",", ":")) + "\n")
        self._fh.flush()

    def write(self, pose: PoseFrame) -> None:
        self._write(pose_to_record(pose))
        self.frames += 1

    def close(self, status: str = "complete", message: str | None = None) -> None:
        if self._fh is None:
            return
        self._write({"end": {"frames": self.frames, "status": status, "message": message}})
        self._fh.close()
        self._fh = None

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close("complete")
        elif issubclass(exc_type, KeyboardInterrupt):
            self.close("interrupted", "stopped by the user")
        else:
            self.close("ended_early", str(exc))


def pose_to_record(pose: PoseFrame) -> dict[str, Any]:
    rec: dict[str, Any] = {"i": pose.index, "t_ms": pose.t_ms}
    if not pose.has_pose:
        rec["pose"] = None
        return rec
    rec["image"] = pose.image.tolist()
    rec["world"] = pose.world.tolist()
    rec["visibility"] = pose.visibility.tolist()
    rec["presence"] = pose.presence.tolist()
    return rec


def _array(rec: dict[str, Any], key: str, shape: tuple[int, ...], where: str) -> np.ndarray:
    try:
        arr = np.asarray(rec[key], dtype=float)
    except (KeyError, TypeError, ValueError) as exc:
        raise RecordingError(f"{where}: field '{key}' missing or not numbers") from exc
    if arr.shape != shape:
        raise RecordingError(f"{where}: field '{key}' has shape {arr.shape}, expected {shape}")
    return arr


def record_to_pose(rec: dict[str, Any], source: SourceInfo, where: str) -> PoseFrame:
    try:
        index, t_ms = int(rec["i"]), float(rec["t_ms"])
    except (KeyError, TypeError, ValueError) as exc:
        raise RecordingError(f"{where}: a frame needs numbers 'i' and 't_ms'") from exc
    if rec.get("pose", True) is None:
        return PoseFrame(index, t_ms, source.width_px, source.height_px)
    return PoseFrame(
        index, t_ms, source.width_px, source.height_px,
        image=_array(rec, "image", (N_LANDMARKS, 3), where),
        world=_array(rec, "world", (N_LANDMARKS, 3), where),
        visibility=_array(rec, "visibility", (N_LANDMARKS,), where),
        presence=_array(rec, "presence", (N_LANDMARKS,), where),
    )


class RecordingReader:
    """Reads a recording back.  ``info`` and ``model`` come from the header; iterating
    yields PoseFrames.  After iteration, ``end`` holds the end line (None if the file was
    cut off, e.g. by a crash) and ``cut_off`` says whether a partial last line was dropped.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise RecordingError(f"recording not found: {self.path}; check the path")
        with self.path.open("r", encoding="utf-8") as fh:
            first = fh.readline()
        try:
            header = json.loads(first)
        except json.JSONDecodeError as exc:
            raise RecordingError(f"{self.path.name} is not a formcheck landmark recording "
                                 "(first line is not JSON)") from exc
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise RecordingError(f"{self.path.name} is not a formcheck landmark recording")
        if header.get("version") != VERSION:
            raise RecordingError(f"{self.path.name} is recording format version "
                                 f"{header.get('version')}; this formcheck reads version "
                                 f"{VERSION}; upgrade formcheck")
        try:
            self.info = SourceInfo(**header["source"])
        except (KeyError, TypeError) as exc:
            raise RecordingError(f"{self.path.name}: header 'source' is malformed") from exc
        self.header = header
        self.end: dict[str, Any] | None = None
        self.cut_off = False

    def __iter__(self) -> Iterator[PoseFrame]:
        with self.path.open("r", encoding="utf-8") as fh:
            fh.readline()
            lines = iter(enumerate(fh, start=2))
            for lineno, line in lines:
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    if next(lines, None) is None:  # the last line, cut off mid-write
                        self.cut_off = True
                        return
                    raise RecordingError(f"{self.path.name} line {lineno}: not valid "
                                         "JSON") from exc
                if "end" in rec:
                    self.end = rec["end"]
                    return
                yield record_to_pose(rec, self.info, f"{self.path.name} line {lineno}")

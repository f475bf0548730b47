"""Landmark recordings: a versioned, append-only JSON Lines file of every frame's pose.

Schema (version 1), one JSON object per line, UTF-8:

1. header: ``{"format": "formcheck-landmarks", "version": 1, "formcheck_version": ...,
   "created_utc": ..., "source": {name, kind, width_px, height_px, fps, frame_count,
   rotation_deg, recorded_utc, sha256}, "model": {"file": ..., "sha256": ...},
   "landmark_names": [33 names]}``
2. one line per frame, in order: ``{"i": frame index, "t_ms": source timestamp}`` plus,
   when a person was found, ``"image"`` (33 x [x, y, z], x/y normalised by width/height as
   MediaPipe gives them), ``"world"`` (33 x [x, y, z] metres), ``"visibility"`` and
   ``"presence"`` (33 numbers each).  A frame with no person has ``"pose": null``.
3. optionally a last line ``{"end": {"frames": N, "status": "complete" | "ended_early" |
   "interrupted", "message": ..., "people": {...}}}`` (``people``: see capture.crowd).

Each line is written and flushed as its frame is processed, so a crash or a kill loses at
most the frame in flight; a reader accepts a file whose last line was cut off.  Numbers are
written with Python's shortest round-trip repr, so replaying gives bit-identical poses.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

import numpy as np
import orjson

from formcheck import __version__
from formcheck.capture.landmarks import N_LANDMARKS, NAMES, PoseFrame
from formcheck.capture.sources import SourceInfo
from formcheck.errors import RecordingError

FORMAT = "formcheck-landmarks"
VERSION = 1
SUFFIX = ".landmarks.jsonl"


def is_recording(path: str | Path) -> bool:
    """True when the file is named like a landmark recording or starts like one (a
    pipe or device is never read here)."""
    if str(path).endswith(".jsonl"):
        return True
    if not Path(path).is_file():
        return False
    try:
        with Path(path).open("rb") as fh:
            head = fh.read(256)
    except OSError:
        return False
    return head.lstrip().startswith(b"{") and FORMAT.encode() in head


class RecordingWriter:
    """Streams PoseFrames to a recording file.  Use as a context manager; on exit the end
    line records whether the run completed."""

    def __init__(self, path: str | Path, source: SourceInfo, model: dict | None,
                 footer: Callable[[], dict[str, Any]] | None = None) -> None:
        self.path = Path(path)
        self._footer = footer  # more fields for the end line, asked for when written
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[str] | None = self.path.open("w", encoding="utf-8")
        self.frames = 0
        header = {
            "format": FORMAT, "version": VERSION, "formcheck_version": __version__,
            "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "source": asdict(source), "model": model, "landmark_names": list(NAMES),
        }
        self._write(header)

    def _write(self, obj: dict[str, Any]) -> None:
        assert self._fh is not None
        try:
            self._fh.write(json.dumps(obj, separators=(",", ":")) + "\n")
            self._fh.flush()
        except OSError as exc:  # a full disk: say which file
            raise OSError(exc.errno, exc.strerror, str(self.path)) from exc

    def write(self, pose: PoseFrame) -> None:
        self._write(pose_to_record(pose))
        self.frames += 1

    def close(self, status: str = "complete", message: str | None = None) -> None:
        if self._fh is None:
            return
        try:
            end = {"frames": self.frames, "status": status, "message": message}
            self._write({"end": {**end, **(self._footer() if self._footer else {})}})
        finally:
            fh, self._fh = self._fh, None
            with suppress(OSError):  # the write above has already said why
                fh.close()

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


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value)


def _array(rec: dict[str, Any], key: str, shape: tuple[int, ...], where: str) -> np.ndarray:
    try:
        arr = np.asarray(rec[key], dtype=float)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise RecordingError(f"{where}: field '{key}' missing or not numbers") from exc
    if arr.shape != shape:
        raise RecordingError(f"{where}: field '{key}' has shape {arr.shape}, expected {shape}")
    return arr


def record_to_pose(rec: dict[str, Any], source: SourceInfo, where: str) -> PoseFrame:
    """A frame line as a PoseFrame.  Coordinates that are not finite (NaN, infinity) are
    kept as they are; the reader drops such poses and counts them."""
    try:
        index, t_ms = int(rec["i"]), float(rec["t_ms"])
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise RecordingError(f"{where}: a frame needs numbers 'i' and 't_ms'; the file was "
                             "edited or damaged: extract the recording again") from exc
    if rec.get("pose", True) is None:
        return PoseFrame(index, t_ms, source.width_px, source.height_px)
    return PoseFrame(
        index, t_ms, source.width_px, source.height_px,
        image=_array(rec, "image", (N_LANDMARKS, 3), where),
        world=_array(rec, "world", (N_LANDMARKS, 3), where),
        visibility=_array(rec, "visibility", (N_LANDMARKS,), where),
        presence=_array(rec, "presence", (N_LANDMARKS,), where),
    )


def _header_source(source: Any, where: str) -> SourceInfo:
    """The header's ``source`` table, checked; the message names the first bad key."""
    if not isinstance(source, dict):
        raise RecordingError(f"{where}: header 'source' is missing or not a table; "
                             "extract the recording again from the video")
    for key in ("width_px", "height_px", "fps"):
        value = source.get(key)
        if not (_is_number(value) and value > 0):
            raise RecordingError(f"{where}: header source.{key} is {value!r}, not a positive "
                                 "number; the file was edited or damaged: extract the "
                                 "recording again from the video")
    count = source.get("frame_count")
    if count is not None and not (isinstance(count, int) and count >= 0):
        raise RecordingError(f"{where}: header source.frame_count is {count!r}, not a whole "
                             "number; extract the recording again from the video")
    try:
        return SourceInfo(**source)
    except TypeError as exc:
        raise RecordingError(f"{where}: header 'source' is malformed ({exc}); extract the "
                             "recording again from the video") from exc


def _json_line(raw: bytes, where: str) -> Any:
    with suppress(orjson.JSONDecodeError):  # NaN, huge numbers, bad bytes: read below
        return orjson.loads(raw)
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RecordingError(f"{where}: byte {raw[exc.start]:#04x} at column {exc.start + 1} "
                             "is not UTF-8 text; the file is damaged: extract the recording "
                             "again from the video") from exc
    except (ValueError, RecursionError) as exc:
        raise RecordingError(f"{where}: not valid JSON; the file is damaged: extract the "
                             "recording again from the video") from exc


def _finite(pose: PoseFrame) -> bool:
    return all(np.isfinite(a).all() for a in (pose.image, pose.world, pose.visibility,
                                               pose.presence))


class RecordingReader:
    """Reads a recording back.  ``info`` and ``model`` come from the header; iterating
    yields PoseFrames.  After iteration, ``end`` holds the end line (None if the file was
    cut off, e.g. by a crash), ``cut_off`` says whether a partial last line was dropped and
    ``warnings`` says, in words, what was dropped and whether the recording is complete.

    Frames whose timestamp is not after the previous frame's are dropped; poses with
    coordinates that are not finite numbers become frames without a person.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise RecordingError(f"recording not found: {self.path}; check the path")
        with self.path.open("rb") as fh:
            first = fh.readline()
        try:
            header = json.loads(first.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            header = None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise RecordingError(f"{self.path.name} is not a formcheck landmark recording "
                                 "(its first line is not a recording header); pass a file "
                                 "written by 'formcheck extract'")
        self._check_version(header.get("version"))
        self.info = _header_source(header.get("source"), f"{self.path.name} line 1")
        self.header = header
        self.end: dict[str, Any] | None = None
        self.cut_off = False
        self.frames = 0
        self.dropped_time = 0
        self.dropped_nonfinite = 0

    def _check_version(self, version: Any) -> None:
        if version == VERSION and isinstance(version, int) and not isinstance(version, bool):
            return
        if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
            raise RecordingError(f"{self.path.name} is recording format version {version}; "
                                 f"this formcheck reads version {VERSION}; upgrade formcheck")
        raise RecordingError(f"{self.path.name} line 1: header version is {version!r}, not a "
                             f"recording format version (this formcheck writes {VERSION}); "
                             "the file was edited or damaged: extract the recording again")

    def __iter__(self) -> Iterator[PoseFrame]:
        self.frames = self.dropped_time = self.dropped_nonfinite = 0
        last_ms = -math.inf
        for pose in self._poses():
            if not pose.t_ms > last_ms:
                self.dropped_time += 1
                continue
            last_ms = pose.t_ms
            if pose.has_pose and not _finite(pose):
                self.dropped_nonfinite += 1
                pose = PoseFrame(pose.index, pose.t_ms, pose.width_px, pose.height_px)
            self.frames += 1
            yield pose
        if self.frames == 0:
            raise RecordingError(f"{self.path} holds no usable frames (only its header"
                                 + (f"; {self.dropped_time} frames had unusable timestamps"
                                    if self.dropped_time else "")
                                 + "); extract the recording again from the video")
        if self.frames == 1 and self.dropped_time:
            raise RecordingError(f"{self.path}: timestamps do not advance ({self.dropped_time}"
                                 " frames are not later than the one before); extract the "
                                 "recording again from the video")

    def _poses(self) -> Iterator[PoseFrame]:
        with self.path.open("rb") as fh:
            fh.readline()
            lines = iter(enumerate(fh, start=2))
            for lineno, line in lines:
                where = f"{self.path.name} line {lineno}"
                try:
                    rec = _json_line(line, where)
                except RecordingError:
                    if not line.endswith(b"\n") and next(lines, None) is None:
                        self.cut_off = True  # the last line, cut off mid-write
                        return
                    raise
                if not isinstance(rec, dict):
                    raise RecordingError(f"{where}: expected a frame (a JSON object), got "
                                         f"{str(rec)[:40]!r}; the file was edited or damaged:"
                                         " extract the recording again from the video")
                if "end" in rec:
                    self.end = rec["end"] if isinstance(rec["end"], dict) else {}
                    return
                yield record_to_pose(rec, self.info, where)

    @property
    def warnings(self) -> list[str]:
        """What a user must know about what was read (after iteration)."""
        out = []
        if self.dropped_nonfinite:
            out.append(f"{self.path.name}: {self.dropped_nonfinite} frames had landmark "
                       "coordinates that are not finite numbers (NaN or infinity); their "
                       "poses were dropped")
        if self.dropped_time:
            out.append(f"{self.path.name}: {self.dropped_time} frames had a timestamp not "
                       "after the previous frame's (going backwards); they were dropped")
        if not self.complete:
            expected = self.info.frame_count
            of = f" of the {expected} frames of {self.info.name}" if expected else ""
            why = "it has no end line: the extract was stopped or crashed" if self.end is None \
                else f"it ended {self.end.get('status', 'early')}"
            out.append(f"{self.path.name} is incomplete ({why}): {self.frames} frames "
                       f"found{of}; the results cover only those")
        return out

    @property
    def complete(self) -> bool:
        return self.end is not None and self.end.get("status") == "complete"

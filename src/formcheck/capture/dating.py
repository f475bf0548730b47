"""When and what a source is: its recording time and its content hash, for the history.

The recording time comes from the container's ``creation_time`` tag (what phones and
cameras write, read through PyAV), else from the file's modification time.  Both are
returned as ISO 8601 UTC text."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

CHUNK_BYTES = 1 << 20


def _iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def container_time_utc(path: str | Path) -> str | None:
    """The container's ``creation_time`` tag, or None when it has none (or cannot be
    read)."""
    import av  # PyAV: container metadata without spawning ffprobe

    try:
        with av.open(str(path)) as container:
            tags = [container.metadata] + [s.metadata for s in container.streams]
    except (av.FFmpegError, OSError, ValueError):
        return None
    for meta in tags:
        text = meta.get("creation_time")
        if text:
            try:
                moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                continue
            if moment.year > 1970:  # 1970 / 1904 epochs mean "not set"
                return _iso(moment)
    return None


def now_utc() -> str:
    return _iso(dt.datetime.now(dt.UTC))


def file_time_utc(path: str | Path) -> str:
    return _iso(dt.datetime.fromtimestamp(Path(path).stat().st_mtime, dt.UTC))


def recorded_time_utc(path: str | Path) -> str:
    """When a video file was recorded: container metadata, else the file's time."""
    return container_time_utc(path) or file_time_utc(path)


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def dated(info, source: str | Path | int):
    """A SourceInfo with when its source was recorded and, for a file, its content hash
    (a camera: now)."""
    from dataclasses import replace

    if isinstance(source, int):
        return replace(info, recorded_utc=now_utc())
    return replace(info, recorded_utc=recorded_time_utc(source), sha256=file_sha256(source))

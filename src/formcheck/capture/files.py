"""Checks on input files before they are opened, and what to say when a video cannot be
decoded."""

from __future__ import annotations

import stat
import struct
from pathlib import Path

from formcheck.errors import InputError, SourceError


def check_input_file(path: Path, what: str) -> None:
    """A missing path, a folder, or anything but a regular file (a pipe, a device such as
    /dev/urandom, a socket) is refused before it is opened: reading one could block
    forever or never end."""
    if not path.exists():
        raise SourceError(f"{what} not found: {path}; check the path")
    if path.is_dir():
        raise SourceError(f"{path} is a folder, not a {what}")
    if not stat.S_ISREG(path.stat().st_mode):
        raise SourceError(f"{path} is not a regular file (a pipe or a device); save the "
                          f"{what} to disk first, or for a camera pass its number (0, 1, ...)")


def _mp4_boxes(path: Path) -> list[bytes] | None:
    """The top-level box types of an MP4/QuickTime file, None if it is not one."""
    boxes: list[bytes] = []
    size_total = path.stat().st_size
    with path.open("rb") as fh:
        pos = 0
        while pos + 8 <= size_total and len(boxes) < 1000:
            fh.seek(pos)
            head = fh.read(16)
            size, kind = struct.unpack(">I4s", head[:8])
            if size == 1 and len(head) == 16:
                size = struct.unpack(">Q", head[8:16])[0]
            elif size == 0:
                size = size_total - pos
            boxes.append(kind)
            if size < 8:
                break
            pos += size
    return boxes if boxes[:1] == [b"ftyp"] else None


def undecodable_message(path: Path) -> str:
    boxes = _mp4_boxes(path)
    if boxes is not None and b"moov" not in boxes:
        return (f"{path} has no index (its 'moov' atom is missing): the video was cut off or "
                "never finished (the recording app or the copy stopped early); copy or "
                "export it again from the device that recorded it")
    return (f"cannot decode {path} as a video (not a video, or damaged); convert it to MP4 "
            "(H.264) and try again")


def refuse_overwrite(inputs: list[Path], output: Path) -> None:
    """Never open an input for writing: refuse an output that is one of the inputs."""
    for source in inputs:
        same = output.samefile(source) if output.exists() and source.exists() \
            else output.resolve() == source.resolve()
        if same:
            raise InputError(f"the output {output} is the input {source}; writing it would "
                             "destroy the input: choose another output with -o")

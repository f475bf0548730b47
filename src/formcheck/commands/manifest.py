"""The batch manifest: one SQLite file in a batch's output folder that says, per input, what
was analysed with which exercise and model, and how it ended, so that running the same
batch again does only what is not done yet.  Only the client process writes it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import BatchError

MANIFEST_NAME = "formcheck-batch.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    output_dir TEXT NOT NULL,       -- the input's results folder, relative to the batch's
    input_sha256 TEXT NOT NULL,     -- of the input file's content
    exercise_sha256 TEXT NOT NULL,  -- of the exercise file
    model_sha256 TEXT NOT NULL,     -- of the pose model (a recording: the one it names)
    options TEXT NOT NULL,          -- other settings that change the results (JSON)
    source TEXT NOT NULL,
    status TEXT NOT NULL,           -- 'done' or 'failed'
    error TEXT NOT NULL DEFAULT '',
    reps INTEGER, faults INTEGER, frames INTEGER, seconds REAL,
    worker TEXT NOT NULL DEFAULT '',
    finished_utc TEXT NOT NULL,
    PRIMARY KEY (output_dir, input_sha256, exercise_sha256, model_sha256, options)
);
CREATE TABLE IF NOT EXISTS file_hashes (  -- so a resumed batch does not read every input again
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class ItemKey:
    """What makes two analyses of an input the same."""

    output_dir: str
    input_sha256: str
    exercise_sha256: str
    model_sha256: str
    options: str


@dataclass(frozen=True)
class Entry:
    status: str
    error: str
    reps: int
    faults: int
    frames: int
    seconds: float
    worker: str


def options_text(side: str | None, video: str | None) -> str:
    return json.dumps({"side": side, "video": video}, sort_keys=True)


class Manifest:
    """Use as a context manager; :meth:`record` commits each finished item at once, so an
    interrupted batch keeps everything that finished."""

    def __init__(self, out_root: Path) -> None:
        self.path = out_root / MANIFEST_NAME
        try:
            out_root.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30)
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise BatchError(f"cannot use the batch manifest {self.path}: {exc}; choose "
                               "another output folder with -o") from exc

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self._db.close()

    def file_sha256(self, path: Path) -> str:
        """The file's SHA-256, read again only when its size or modification time changed."""
        stat = path.stat()
        key = str(path.resolve())
        row = self._db.execute("SELECT size, mtime_ns, sha256 FROM file_hashes WHERE path=?",
                               (key,)).fetchone()
        if row and row[0] == stat.st_size and row[1] == stat.st_mtime_ns:
            return row[2]
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO file_hashes VALUES (?, ?, ?, ?)",
                             (key, stat.st_size, stat.st_mtime_ns, digest.hexdigest()))
        return digest.hexdigest()

    def get(self, key: ItemKey) -> Entry | None:
        row = self._db.execute(
            "SELECT status, error, reps, faults, frames, seconds, worker FROM items WHERE "
            "output_dir=? AND input_sha256=? AND exercise_sha256=? AND model_sha256=? AND "
            "options=?", (key.output_dir, key.input_sha256, key.exercise_sha256,
                          key.model_sha256, key.options)).fetchone()
        return Entry(*row) if row else None

    def record(self, key: ItemKey, source: Path, entry: Entry) -> None:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key.output_dir, key.input_sha256, key.exercise_sha256, key.model_sha256,
                 key.options, str(source), entry.status, entry.error, entry.reps,
                 entry.faults, entry.frames, entry.seconds, entry.worker, now))

"""Session history: one local SQLite file of every analysed or live session, for trends."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formcheck.errors import HistoryError

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recorded_utc TEXT NOT NULL,
    exercise TEXT NOT NULL,
    side TEXT,
    source TEXT,
    mode TEXT,
    reps INTEGER,
    sets INTEGER,
    holds_s TEXT,
    best_hold_s REAL,
    pumps INTEGER,
    form_faults INTEGER,
    faults_per_rep REAL,
    mean_range_deg REAL,
    results_path TEXT
)
"""

DEFAULT_ENV = "FORMCHECK_HISTORY"


def default_history_path() -> Path:
    """``$FORMCHECK_HISTORY``, else the user's data folder."""
    if os.environ.get(DEFAULT_ENV):
        return Path(os.environ[DEFAULT_ENV])
    base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "formcheck" / "history.sqlite"


@dataclass(frozen=True)
class SessionRow:
    id: int
    recorded_utc: str
    exercise: str
    side: str | None
    source: str
    mode: str
    reps: int
    sets: int
    holds_s: list[float]
    best_hold_s: float | None
    pumps: int
    form_faults: int
    faults_per_rep: float | None
    mean_range_deg: float | None
    results_path: str


#: How long to wait for another process that is writing the history before saying it is
#: busy (a session's write takes milliseconds; a report being rendered, a few seconds).
BUSY_TIMEOUT_S = 10.0
#: Columns every formcheck history has had; another application's "sessions" table lacks them.
CORE_COLUMNS = {"id", "recorded_utc", "exercise", "mode", "results_path"}


def _history_error(path: Path, exc: sqlite3.Error) -> HistoryError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return HistoryError(f"{path} is busy: another program has been writing it for "
                            f"{BUSY_TIMEOUT_S:g} s; try again when it has finished, or pass "
                            "--no-history")
    return HistoryError(f"{path} is not a formcheck history database ({text}); pass another "
                        "--history file or --no-history")


class History:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise HistoryError(f"{self.path} is a folder; pass a history file (such as "
                               "history.sqlite in it) or --no-history")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
        except sqlite3.Error as exc:
            raise _history_error(self.path, exc) from exc
        try:
            self._db.execute(SCHEMA)
            self._db.commit()
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(sessions)")}
        except sqlite3.Error as exc:
            self._db.close()
            raise _history_error(self.path, exc) from exc
        if not CORE_COLUMNS <= columns:
            self._db.close()
            raise HistoryError(f"{self.path} belongs to another application (its 'sessions' "
                               "table is not formcheck's); pass another --history file or "
                               "--no-history")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, doc: dict[str, Any], mode: str, results_path: str,
            commit: bool = True) -> int:
        """Insert a session's row; with ``commit=False`` it is kept in an open transaction
        (seen by this connection only) until :meth:`commit`, so a caller can write its own
        files first and make the row permanent last."""
        try:
            row_id = self._insert(doc, mode, results_path)
            if commit:
                self._db.commit()
        except sqlite3.Error as exc:
            raise _history_error(self.path, exc) from exc
        return row_id

    def commit(self) -> None:
        try:
            self._db.commit()
        except sqlite3.Error as exc:
            raise _history_error(self.path, exc) from exc

    def _insert(self, doc: dict[str, Any], mode: str, results_path: str) -> int:
        s = doc["summary"]
        reps = [r for r in doc["reps"] if r["kind"] == "rep"]
        holds = [h for h in s.get("holds_s", []) if h is not None]
        ranges = [r.get("range_" + doc["exercise"]["signal"]) for r in reps]
        ranges = [x for x in ranges if x is not None]
        n_faults = len(doc["faults"])
        cur = self._db.execute(
            "INSERT INTO sessions (recorded_utc, exercise, side, source, mode, reps, sets, "
            "holds_s, best_hold_s, pumps, form_faults, faults_per_rep, mean_range_deg, "
            "results_path) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
             doc["exercise"]["name"], doc["side"], doc["provenance"]["source"]["name"], mode,
             s["reps_done"], s["sets_done"], json.dumps(holds), max(holds) if holds else None,
             s.get("pumps_done", 0), n_faults, n_faults / len(reps) if reps else None,
             sum(ranges) / len(ranges) if ranges else None, results_path))
        return int(cur.lastrowid)

    def sessions(self, exercise: str | None = None) -> list[SessionRow]:
        query = "SELECT * FROM sessions"
        args: tuple = ()
        if exercise:
            query += " WHERE exercise = ?"
            args = (exercise,)
        try:
            rows = self._db.execute(query + " ORDER BY id", args).fetchall()
            return [SessionRow(*r[:8], json.loads(r[8] or "[]"), *r[9:]) for r in rows]
        except (sqlite3.Error, ValueError, TypeError) as exc:
            raise HistoryError(f"{self.path}: a stored session cannot be read ({exc}); pass "
                               "another --history file") from exc


def trend(rows: list[SessionRow], field: str) -> tuple[float, float] | None:
    """(first, last) of a numeric field over sessions that have it."""
    values = [getattr(r, field) for r in rows if getattr(r, field) is not None]
    return (values[0], values[-1]) if len(values) >= 2 else None

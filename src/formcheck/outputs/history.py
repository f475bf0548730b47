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


class History:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path)
            self._db.execute(SCHEMA)
            self._db.commit()
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"{self.path} is not a formcheck history database ({exc}); "
                               "pass another --history file or --no-history") from exc

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, doc: dict[str, Any], mode: str, results_path: str) -> int:
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
        self._db.commit()
        return int(cur.lastrowid)

    def sessions(self, exercise: str | None = None) -> list[SessionRow]:
        query = "SELECT * FROM sessions"
        args: tuple = ()
        if exercise:
            query += " WHERE exercise = ?"
            args = (exercise,)
        rows = self._db.execute(query + " ORDER BY id", args).fetchall()
        return [SessionRow(*r[:8], json.loads(r[8] or "[]"), *r[9:]) for r in rows]


def trend(rows: list[SessionRow], field: str) -> tuple[float, float] | None:
    """(first, last) of a numeric field over sessions that have it."""
    values = [getattr(r, field) for r in rows if getattr(r, field) is not None]
    return (values[0], values[-1]) if len(values) >= 2 else None

"""Session history: one local SQLite file of every analysed or live session, for trends.

Schema version 3 (``PRAGMA user_version``): sessions are keyed by pseudonymous patient id,
exercise and side; ``recorded_utc`` is when the source was recorded (container metadata,
else the file's time), ``analysed_utc`` when formcheck ran.  One row per (patient,
exercise, source content hash): analysing the same source again replaces its row and keeps
its id.  Version 3 adds the patient's own effort and pain ratings (0-10, asked at the end
of a live session; empty when skipped or not asked).  Older files (version 1: no patient,
dates of analysis; version 2: no ratings) are migrated in place on open.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from formcheck.errors import HistoryError

VERSION = 3
COLUMNS_V1 = """
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
    results_path TEXT"""
# added by version 2, in this order (ALTER TABLE appends them to a version-1 table)
COLUMNS_V2 = (("patient", "TEXT NOT NULL DEFAULT ''"), ("analysed_utc", "TEXT"),
              ("source_sha256", "TEXT"), ("report_path", "TEXT"))
# added by version 3: the patient's ratings at the end of a live session (0-10, or NULL)
COLUMNS_V3 = (("effort_0_10", "INTEGER"), ("pain_0_10", "INTEGER"))
UNIQUE_INDEX = ("CREATE UNIQUE INDEX IF NOT EXISTS sessions_source "
                "ON sessions (patient, exercise, source_sha256)")

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
    patient: str = ""
    analysed_utc: str | None = None
    source_sha256: str | None = None
    report_path: str | None = None
    effort_0_10: int | None = None
    pain_0_10: int | None = None
    number: int = 0  # 1, 2, ... within this patient's exercise and side, by recording date

    @property
    def day(self) -> str:
        return self.recorded_utc[:10]


FIELDS = [f.name for f in fields(SessionRow) if f.name != "number"]


def migrate(db: sqlite3.Connection) -> None:
    """Create the table, or bring an older table up to this version."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > VERSION:
        raise sqlite3.DatabaseError(f"history schema version {version} is newer than this "
                                    f"formcheck's ({VERSION}); upgrade formcheck")
    db.execute(f"CREATE TABLE IF NOT EXISTS sessions ({COLUMNS_V1})")
    have = {r[1] for r in db.execute("PRAGMA table_info(sessions)")}
    for name, decl in (*COLUMNS_V2, *COLUMNS_V3):
        if name not in have:
            db.execute(f"ALTER TABLE sessions ADD COLUMN {name} {decl}")
    # version-1 rows were dated when analysed: keep that as the analysis time too
    db.execute("UPDATE sessions SET analysed_utc = recorded_utc WHERE analysed_utc IS NULL")
    db.execute(UNIQUE_INDEX)
    db.execute(f"PRAGMA user_version = {VERSION}")
    db.commit()


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def session_values(doc: dict[str, Any]) -> dict[str, Any]:
    """The numbers a history row keeps from a results document."""
    s = doc["summary"]
    reps = [r for r in doc["reps"] if r["kind"] == "rep"]
    holds = [h for h in s.get("holds_s", []) if h is not None]
    ranges = [r.get("range_" + doc["exercise"]["signal"]) for r in reps]
    ranges = [x for x in ranges if x is not None]
    n_faults = len(doc["faults"])
    source = doc["provenance"]["source"]
    return {"recorded_utc": source.get("recorded_utc") or now_utc(),
            "exercise": doc["exercise"]["name"], "side": doc["side"], "source": source["name"],
            "reps": s["reps_done"], "sets": s["sets_done"], "holds_s": json.dumps(holds),
            "best_hold_s": max(holds) if holds else None, "pumps": s.get("pumps_done", 0),
            "form_faults": n_faults, "faults_per_rep": n_faults / len(reps) if reps else None,
            "mean_range_deg": sum(ranges) / len(ranges) if ranges else None,
            "patient": doc.get("patient") or "", "analysed_utc": now_utc(),
            "source_sha256": source.get("sha256"),
            **{k: (doc.get("rating") or {}).get(k) for k in ("effort_0_10", "pain_0_10")}}


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
            self._refuse_foreign()
            self._db.execute(f"CREATE TABLE IF NOT EXISTS sessions ({COLUMNS_V1})")
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(sessions)")}
            if CORE_COLUMNS <= columns:
                migrate(self._db)
        except sqlite3.Error as exc:
            self._db.close()
            raise _history_error(self.path, exc) from exc
        except HistoryError:
            self._db.close()
            raise
        if not CORE_COLUMNS <= columns:
            self._db.close()
            raise HistoryError(f"{self.path} belongs to another application (its 'sessions' "
                               "table is not formcheck's); pass another --history file or "
                               "--no-history")

    def _refuse_foreign(self) -> None:
        """Refuse, before writing anything, a database that holds tables but no 'sessions'
        table: another application's file (every formcheck history has had that table, a
        version-1 file with no schema version too).  An empty file or a new path becomes a
        new history."""
        tables = {r[0] for r in self._db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "sessions" in tables or not tables:
            return
        shown = ", ".join(sorted(tables)[:3]) + (", ..." if len(tables) > 3 else "")
        raise HistoryError(f"{self.path} belongs to another application (it holds the "
                           f"tables {shown} and no formcheck history); it was left untouched: "
                           "pass another --history file or --no-history")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, doc: dict[str, Any], mode: str, results_path: str,
            report_path: str | None = None, commit: bool = True) -> int:
        """Store a session; the same source (by content hash) for the same patient and
        exercise replaces the earlier row, which keeps its id.  With ``commit=False`` the
        row is kept in an open transaction (seen by this connection only) until
        :meth:`commit`, so a caller can write its own files first and the row last."""
        values = {**session_values(doc), "mode": mode, "results_path": results_path,
                  "report_path": report_path}
        names = list(values)
        update = ", ".join(f"{n} = excluded.{n}" for n in names)
        try:
            cur = self._db.execute(
                f"INSERT INTO sessions ({', '.join(names)}) VALUES "
                f"({', '.join('?' * len(names))}) ON CONFLICT (patient, exercise, "
                f"source_sha256) DO UPDATE SET {update} RETURNING id",
                [values[n] for n in names])
            row_id = int(cur.fetchone()[0])
            if commit:
                self._db.commit()
        except sqlite3.Error as exc:
            raise _history_error(self.path, exc) from exc
        return row_id

    def rate(self, row_id: int, rating: dict[str, int | None]) -> None:
        """Add the patient's ratings (asked after the session was stored) to its row."""
        try:
            self._db.execute("UPDATE sessions SET effort_0_10 = ?, pain_0_10 = ? WHERE id = ?",
                             (rating.get("effort_0_10"), rating.get("pain_0_10"), row_id))
            self._db.commit()
        except sqlite3.Error as exc:
            raise _history_error(self.path, exc) from exc

    def commit(self) -> None:
        try:
            self._db.commit()
        except sqlite3.Error as exc:
            raise _history_error(self.path, exc) from exc

    def sessions(self, exercise: str | None = None, patient: str | None = None,
                 side: str | None = None) -> list[SessionRow]:
        """Sessions in order of recording, numbered within each patient's exercise and
        side."""
        where, args = [], []
        for column, value in (("exercise", exercise), ("patient", patient), ("side", side)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        query = f"SELECT {', '.join(FIELDS)} FROM sessions"
        if where:
            query += " WHERE " + " AND ".join(where)
        try:
            rows = self._db.execute(query + " ORDER BY recorded_utc, id", args).fetchall()
            return _numbered(rows)
        except (sqlite3.Error, ValueError, TypeError) as exc:
            raise HistoryError(f"{self.path}: a stored session cannot be read ({exc}); pass "
                               "another --history file") from exc

    def session(self, row_id: int) -> SessionRow | None:
        return next((r for r in self.sessions() if r.id == row_id), None)

    def exercises(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT DISTINCT exercise FROM sessions")]


def _numbered(rows: list[tuple]) -> list[SessionRow]:
    counts: dict[tuple, int] = {}
    out = []
    for r in rows:
        data = dict(zip(FIELDS, r, strict=True))
        data["holds_s"] = json.loads(data["holds_s"] or "[]")
        key = (data["patient"], data["exercise"], data["side"])
        counts[key] = counts.get(key, 0) + 1
        out.append(SessionRow(**data, number=counts[key]))
    return out


def trend(rows: list[SessionRow], field: str) -> tuple[float, float] | None:
    """(first, last) of a numeric field over sessions that have it."""
    values = [getattr(r, field) for r in rows if getattr(r, field) is not None]
    return (values[0], values[-1]) if len(values) >= 2 else None


def sessions_per_week(rows: list[SessionRow]) -> dict[str, int]:
    """ISO week ("2026-W05") -> number of sessions recorded in it."""
    out: dict[str, int] = {}
    for r in rows:
        year, week, _ = dt.date.fromisoformat(r.day).isocalendar()
        key = f"{year}-W{week:02d}"
        out[key] = out.get(key, 0) + 1
    return out


def weekly_adherence(rows: list[SessionRow], prescribed) -> list[dict[str, Any]]:
    """Sessions done against prescribed, per ISO week with a session and per prescribed
    side (``prescribed`` is an analysis.Prescribed: its sides and sessions a week)."""
    weeks = sorted(sessions_per_week(rows))
    out = []
    for week in weeks:
        for side in prescribed.side_list:
            done = sessions_per_week([r for r in rows if r.side == side]).get(week, 0)
            out.append({"week": week, "side": side, "done": done,
                        "prescribed": prescribed.sessions_per_week})
    return out

"""The progression sentence from the history: past sessions (history rows) and, when just
done, this session's results document, through the exercise's progression rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from formcheck.analysis import Exercise, SessionSummary, progression_advice, summary_from_results
from formcheck.outputs.history import SessionRow


def summary_from_row(row: SessionRow) -> SessionSummary:
    """A history row knows reps and form faults, not which reps had them: each fault is
    counted against a different rep (a lower bound on the clean reps)."""
    return SessionSummary(row.recorded_utc, row.reps or 0, row.sets or 0, row.best_hold_s,
                          max((row.reps or 0) - (row.form_faults or 0), 0))


def progress_text(exercise: Exercise, rows: Sequence[SessionRow], doc: dict | None = None
                  ) -> str:
    """``rows``: the exercise's sessions, oldest first.  With ``doc`` (this session, already
    stored as the last row when a history is kept), the last row is replaced by it."""
    summaries = [summary_from_row(r) for r in rows]
    if doc is not None:
        when = rows[-1].recorded_utc if rows else \
            dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        summaries = summaries[:-1] + [summary_from_results(doc, when)]
    return progression_advice(exercise, summaries)

"""The end of a live session: stored once in the history, the summary said and shown, the
patient's effort and pain ratings asked (by key press, or skipped) and stored, the report.

The session's files and history rows are written before anything is asked, so closing the
window or walking away loses nothing; the ratings are added to them when given."""

from __future__ import annotations

from formcheck.commands.analyze import write_session_report
from formcheck.commands.coaching import summary_lines, too_slow_note
from formcheck.outputs import QUESTIONS, History, progress_text, write_json
from formcheck.outputs import window as screen

#: How long each rating waits for a key, with a camera (a played file: not asked).
RATING_S = 30.0
#: Ended by these, nobody is asked anything.
NOT_ASKED = ("interrupt",)


def end_session(session, outcome, opts) -> None:
    """After the loop: ``session`` (live._Session, finished), ``outcome`` (LiveOutcome,
    filled in here), ``opts`` (LiveOptions)."""
    docs = session.save(force=True)
    last, rows, ids = None, [], []
    if opts.history_path is not None:  # each part once
        with History(opts.history_path) as history:
            last = {r.side: r for r in history.sessions(opts.exercise.name, opts.patient or "")}
            ids = [history.add(doc, "live", str(session.files["results"])) for doc in docs]
            rows = history.sessions(opts.exercise.name, opts.patient or "")
    outcome.summary = summary_lines(session.parts, last)
    if opts.exercise.progress is not None:  # the next step, from the history
        outcome.progress = progress_text(opts.exercise, rows, docs[-1])
    done = "That's the whole exercise done. Well done! " if outcome.ended_by == "dose" else ""
    t = session.poses[-1].t_s if session.poses else 0.0
    session.speaker.say(done + " ".join(outcome.summary), key="summary", debounce_s=0, now=t)
    if session.slow.ever:  # shown and printed, not said: what to do about it
        outcome.summary.append(too_slow_note(session.stream.model))
    if opts.window:
        screen.show_summary(["Session done", *outcome.summary, outcome.progress],
                            opts.summary_s)
        wait_s = opts.rating_s if opts.rating_s is not None else \
            RATING_S if isinstance(opts.source, int) else 0.0
        rating = ask_ratings(session.speaker, wait_s, t) \
            if outcome.ended_by not in NOT_ASKED else None
        screen.close()
        if rating is not None:
            store_rating(rating, session, opts, ids)
    outcome.rating = (session.written or {}).get("rating")
    outcome.files["report"] = write_session_report(session.parts[-1], session.written,
                                                   session.poses, opts.out_dir,
                                                   opts.history_path)
    session.speaker.close(wait=True)  # the summary is heard to its end


def ask_ratings(speaker, seconds: float, t_s: float) -> dict[str, int | None] | None:
    """Each question in the window for up to ``seconds``, said too; None when not asked
    (no time given, or the window is gone)."""
    if seconds <= 0 or screen.window_closed():
        return None
    rating: dict[str, int | None] = {q.field: None for q in QUESTIONS}
    for q in QUESTIONS:
        speaker.say(q.spoken, key=f"rating:{q.field}", now=t_s, debounce_s=0)
        rating[q.field], stop = screen.ask_rating(q, seconds)
        if stop:
            break
    return rating


def store_rating(rating: dict[str, int | None], session, opts, ids: list[int]) -> None:
    """In results.json (each part: the rating is the whole session's) and the history."""
    doc = session.written
    doc["rating"] = rating
    for part in doc.get("parts", []):
        part["rating"] = rating
    write_json(doc, session.files["results"])
    if ids:
        with History(opts.history_path) as history:
            for row_id in ids:
                history.rate(row_id, rating)

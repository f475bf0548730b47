"""Scoring per-rep timing against a rendered clip's ground truth.

The truth's instants are frames: a rep leaves the start position at ``start_frame``,
reaches the top at ``top_frame``, leaves it at ``leave_top_frame`` (the final departure)
and is back at rest at ``end_frame``; each is read as ``frame / fps`` seconds.  The
durations follow from them: up = top - start, hold (time at the top) = leave - top,
down = end - leave.  A hold's seconds are ``holds.list[].seconds`` (the same top-to-leave
span for a hold inside a rep).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

INSTANTS = ("start", "top", "leave", "end")
DURATIONS = ("up", "hold", "down")
#: results.json rep row keys of the four instants
_ROW_KEYS = {"start": "start_s", "top": "top_s", "leave": "leave_top_s", "end": "end_s"}


@dataclass
class TimingScore:
    """Signed errors (found - true, seconds), one entry per matched rep or hold."""

    clip: str
    reps_matched: int
    reps_true: int
    errors: dict[str, list[float]] = field(default_factory=dict)  # instant/duration -> errors
    hold_errors: list[float] = field(default_factory=list)  # summary.holds_s vs holds.list

    def mae(self, key: str) -> float:
        values = self.hold_errors if key == "holds" else self.errors.get(key, [])
        return float(np.mean(np.abs(values))) if len(values) else float("nan")


def _truth_times(truth: dict) -> list[dict[str, float]]:
    fps = float(truth["fps"])
    out = []
    for r in truth["reps"]["list"]:
        t = {"start": r["start_frame"] / fps, "top": r["top_frame"] / fps,
             "leave": r["leave_top_frame"] / fps, "end": r["end_frame"] / fps}
        out.append(t | _durations(t))
    return out


def _durations(t: dict[str, float | None]) -> dict[str, float | None]:
    def diff(a: str, b: str) -> float | None:
        return None if t[a] is None or t[b] is None else t[b] - t[a]
    return {"up": diff("start", "top"), "hold": diff("top", "leave"),
            "down": diff("leave", "end")}


def _found_times(row: dict) -> dict[str, float | None]:
    t = {k: row.get(key) for k, key in _ROW_KEYS.items()}
    durations = _durations(t)
    for k in DURATIONS:  # the document's own durations when it gives them
        if row.get(f"{k}_s") is not None:
            durations[k] = row[f"{k}_s"]
    return t | durations


def _match(true_reps: list[dict], found: list[dict]) -> list[tuple[int, int]]:
    """One-to-one pairs (true index, found index), in time order, by largest overlap."""
    pairs, used = [], set()
    for i, tr in enumerate(true_reps):
        best, best_overlap = None, 0.0
        for j, fr in enumerate(found):
            if j in used or fr["start"] is None or fr["end"] is None:
                continue
            overlap = min(tr["end"], fr["end"]) - max(tr["start"], fr["start"])
            if overlap > best_overlap:
                best, best_overlap = j, overlap
        if best is not None:
            used.add(best)
            pairs.append((i, best))
    return pairs


def timing_errors(clip: str, truth: dict, doc: dict) -> TimingScore:
    """Per-rep errors of the four instants and three durations (reps matched to the
    truth's by overlap) and per-hold errors of ``summary.holds_s`` (when the number of
    holds matches, in order), for one clip's results document."""
    true_reps = _truth_times(truth)
    found = [_found_times(r) for r in doc["reps"] if r.get("kind", "rep") == "rep"]
    score = TimingScore(clip, 0, len(true_reps), {k: [] for k in INSTANTS + DURATIONS})
    for i, j in _match(true_reps, found):
        score.reps_matched += 1
        for key in INSTANTS + DURATIONS:
            if found[j][key] is not None:
                score.errors[key].append(found[j][key] - true_reps[i][key])
    holds = doc["summary"].get("holds_s", [])
    true_holds = [h["seconds"] for h in truth["holds"]["list"]]
    if len(holds) == len(true_holds):
        score.hold_errors = [h - t for h, t in zip(holds, true_holds, strict=True)]
    return score


def pooled(scores: list[TimingScore], name: str = "all") -> TimingScore:
    """All clips' errors together (for the totals)."""
    return TimingScore(name, sum(s.reps_matched for s in scores),
                        sum(s.reps_true for s in scores),
                        {k: [e for s in scores for e in s.errors.get(k, [])]
                         for k in INSTANTS + DURATIONS},
                        [e for s in scores for e in s.hold_errors])


TABLE_KEYS = INSTANTS + DURATIONS + ("holds",)


def timing_header() -> str:
    return f"{'clip':24} {'reps':>7} " + " ".join(f"{k:>6}" for k in TABLE_KEYS)


def timing_line(score: TimingScore) -> str:
    """One table row: reps matched / true, then the mean absolute error (s) of each
    instant, duration and hold ("-" where there is nothing to compare)."""
    cells = []
    for k in TABLE_KEYS:
        v = score.mae(k)
        cells.append(f"{v:6.2f}" if np.isfinite(v) else f"{'-':>6}")
    return f"{score.clip:24} {score.reps_matched:>3}/{score.reps_true:<3} " + " ".join(cells)

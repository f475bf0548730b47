"""What the commands say, as text: a session's summary table and an exercise in plain
words (printed by the CLI)."""

from __future__ import annotations

import errno
import time

from formcheck.outputs import source_titles


def _doubts(doc: dict) -> list[str]:
    """Why nothing was counted, and which faults this view could not judge."""
    lines = [f"\n{doc['not_this_exercise']}"] if doc.get("not_this_exercise") else []
    return lines + [f"  {item['fault']}: {item['why']}" for item in doc.get("not_judged", [])]


def format_summary(doc: dict) -> str:
    s = doc["summary"]
    lines = [f"{doc['exercise']['title']} - working side: {doc['side']}",
             f"reps {s['reps_done']} (target {s['reps_target'] or '-'}), "
             f"sets {s['sets_done']} (target {s['sets_target']})"]
    if "pumps_done" in s:
        goal = (f"{s['pumps_target']}-{s['pumps_target_max']}" if s.get("pumps_target_max")
                else s.get("pumps_target") or "-")
        lines.append(f"pumps {s['pumps_done']} (target {goal})")
    if s.get("holds_s"):
        lines.append("holds " + ", ".join(f"{h:.1f} s" for h in s["holds_s"])
                     + f" (target {s['hold_target_s']:.0f} s)")
    signal = next((k for k in (doc["reps"][0] if doc["reps"] else {}) if k.startswith("peak_")),
                  None)
    if doc["reps"]:
        lines.append(f"\n{'rep':>4} {'kind':>10} {'start s':>8} {'end s':>7} {'hold s':>7} "
                     f"{'peak':>7} {'pumps':>5}  faults")
        for r in doc["reps"]:
            peak = r.get(signal)
            lines.append(f"{r['rep']:>4} {r['kind']:>10} {r['start_s']:8.2f} "
                         f"{r['end_s'] or 0:7.2f} {r['hold_s']:7.1f} "
                         f"{peak if peak is not None else float('nan'):7.1f} {r['pumps']:>5}  "
                         f"{', '.join(r['faults']) or '-'}")
    lines += _doubts(doc)
    if doc["faults"]:
        lines.append("\nfaults:")
        for f in doc["faults"]:
            grade = f", {f['grade']}" if f.get("grade", "not graded") != "not graded" else ""
            lines.append(f"  {f['start_s']:6.2f}-{f['end_s']:6.2f} s  {f['fault']} "
                         f"({f.get('certainty', 'sure')}{grade}) (rep {f['rep']}): {f['cue']}")
    else:
        lines.append("\nno form faults found")
    for note in doc["dose_notes"]:
        lines.append(f"  dose: {note['cue']}")
    for g in doc["setup_guidance"]:
        lines.append(f"  setup: {g}")
    return "\n".join(lines)


def describe_exercise(ex) -> str:
    mv, dose = ex.movement, ex.dose
    what = {"reps": "repetitions", "hold": "timed holds at the top",
            "pumps": "a lift, then small pumps at the top"}[mv.kind]
    lines = [ex.title, "=" * len(ex.title), f"From: {'; '.join(source_titles(ex.seed))}",
             f"\"{ex.seed_quote}\"", "",
             f"Setup: {ex.setup}", f"Camera: {ex.camera} view. {ex.camera_text}",
             f"Counts: {what}, on {mv.signal} (start past {mv.start:g}, top past {mv.top:g}).",
             f"Dose: {dose.text}"]
    if ex.progression:
        lines.append(f"Progression: {ex.progression}")
    lines.append("Faults watched:")
    for f in ex.faults:
        lines.append(f"  - {f.id} ({f.severity}): {f.cue}")
    lines.append(f"Tracks: {', '.join(ex.tracks)}")
    return "\n".join(lines)


def batch_table(items: list) -> str:
    """One line per input of a batch: result, reps, faults, frames, seconds, error."""
    lines = [f"{'input':40} {'result':14} {'reps':>5} {'faults':>6} {'frames':>7} {'s':>6}"]
    for i in items:
        lines.append(f"{i.source.name:40} {i.status:14} {i.reps:>5} "
                     f"{i.faults:>6} {i.frames:>7} {i.seconds:6.1f}"
                     + (f"  {i.error}" if i.error else ""))
    return "\n".join(lines)


def batch_summary(items: list, out_root) -> str:
    """How many inputs were analysed and failed, how many of them in an earlier run of the
    batch, and where the results are."""
    failed = sum(not i.ok for i in items)
    lines = [f"{len(items) - failed} analysed, {failed} failed; results in {out_root}/"]
    if earlier := sum(i.earlier for i in items):
        lines.append(f"{earlier} of them as in an earlier run of this batch (not again)")
    if any(i.earlier and not i.ok for i in items):
        lines.append("failures of an earlier run are tried again with --retry-failed")
    return "\n".join(lines)


class ProgressText:
    """Frames, percent and time left as one line, at most every ``every_s`` seconds (None
    in between)."""

    def __init__(self, every_s: float = 0.25) -> None:
        self.every_s = every_s
        self.t0 = time.monotonic()
        self.shown = 0.0

    def update(self, done: int, total: int | None) -> str | None:
        now = time.monotonic()
        if now - self.shown < self.every_s:
            return None
        self.shown = now
        if not total:
            return f"{done} frames"
        left = (now - self.t0) * max(total - done, 0) / max(done, 1)
        return f"{done} of {total} frames ({100.0 * done / total:.0f} %, {left:.0f} s left)"


def os_error_text(exc: OSError, output: str | None) -> str:
    """A failed write or read in words, naming the file (or the output asked for)."""
    where = exc.filename or output or "the output folder"
    if exc.errno == errno.ENOSPC:
        return (f"the disk is full: {where} could not be written completely (what was "
                "written so far is kept); free some space or choose another output with -o")
    return (f"{exc.strerror or exc}: {where} (check the path exists and can be written, or "
            "choose another output with -o)")

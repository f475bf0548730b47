"""The live session's coaching helpers, apart from the loop: how many sets of the dose are
done, whether the computer keeps up, and the words for the setup and the summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from formcheck.analysis import Dose, Exercise, Rep, SessionResult
from formcheck.outputs import window as screen

#: Frames are too slow to follow when more than this share of the camera's frames were
#: dropped over the last SLOW_WINDOW_S seconds.
SLOW_DROPPED_SHARE = 0.2
SLOW_WINDOW_S = 4.0
TOO_SLOW = "This computer is too slow: close other programs"


def model_name(model: dict | None) -> str:
    """The pose model's file name, from the stream's provenance record."""
    return (model or {}).get("file") or "unknown"


def too_slow_note(model: dict | None) -> str:
    """What to do when the computer cannot keep up, naming the pose model in use.  Only
    the full model ships (a lighter one cannot be built from what the install holds)."""
    name = model_name(model)
    if "lite" in name.lower():
        return f"{TOO_SLOW}. The pose model in use ({name}) is already the lightest."
    return (f"{TOO_SLOW}, or use a lighter pose model: this session used {name}; pass an "
            "official pose_landmarker_lite.task with --model (it does not ship with "
            "formcheck)")


def too_slow_status(model: dict | None) -> str:
    """The short form for the screen: "... (pose model: full)"."""
    name = model_name(model)
    kind = next((k for k in ("lite", "full", "heavy") if k in name.lower()), name)
    return f"{TOO_SLOW} (pose model: {kind})"


def setup_words(ex: Exercise) -> str:
    return f"{ex.setup} Camera: {ex.camera_text}"


def dose_line(ex: Exercise, label: str, side: str | None = None) -> str:
    """The dose counted against, in words for the screen and the voice: "Your
    prescription: 5 holds of 30 seconds, 2 sets, rest 30 to 60 seconds between holds"."""
    d = ex.dose
    what = "hold" if ex.movement.kind == "hold" else "rep"
    parts = [f"{d.reps} {what}{'s' * (d.reps != 1)}" + (f" of {d.hold_s:g} seconds"
                                                         if d.hold_s else "")] if d.reps else []
    if d.pumps:
        parts.append(f"{d.pumps} pumps each")
    if d.sets > 1:
        parts.append(f"{d.sets} sets")
    if d.final_hold_s:
        parts.append(f"then hold {d.final_hold_s:g} seconds")
    between = "holds" if what == "hold" and d.reps > 1 else "sets" if d.sets > 1 else None
    if between and d.rest_max_s:  # a hold's rest is coached after each hold
        rest = f"{d.rest_min_s:g} to {d.rest_max_s:g}" if d.rest_max_s > d.rest_min_s \
            else f"{d.rest_max_s:g}"
        parts.append(f"rest {rest} seconds between {between}")
    if side:
        parts.append(f"{side} side only")
    return f"{label}: {', '.join(parts) or 'as many as comfortable'}"


@dataclass
class SlowWatch:
    """Whether too many camera frames were dropped (the computer cannot keep up) over the
    last few seconds, now and ever in the session."""

    dropped: int = 0
    shown: int = 0
    now: bool = False
    ever: bool = False
    _history: list[tuple[float, int, int]] = field(default_factory=list)

    def update(self, t_s: float, dropped: int, shown: int) -> bool:
        """Record the totals at ``t_s``; returns whether it has just become too slow."""
        self.dropped, self.shown = dropped, shown
        self._history.append((t_s, dropped, shown))
        while self._history[0][0] < t_s - SLOW_WINDOW_S:
            self._history.pop(0)
        t0, d0, s0 = self._history[0]
        offered = (dropped - d0) + (shown - s0)
        was = self.now
        self.now = t_s - t0 >= SLOW_WINDOW_S / 2 and offered > 0 \
            and (dropped - d0) / offered > SLOW_DROPPED_SHARE
        self.ever |= self.now
        return self.now and not was


def sets_done(reps: list[Rep], dose: Dose) -> int:
    """Sets with the dose's reps (and its final hold, when it has one) done."""
    done = 0
    for set_no in sorted({r.set for r in reps}):
        in_set = [r for r in reps if r.set == set_no]
        enough = sum(r.kind == "rep" for r in in_set) >= dose.reps
        final = not dose.final_hold_s or any(r.kind == "final_hold" for r in in_set)
        done += bool(dose.reps) and enough and final
    return done


def summary_lines(parts: list[SessionResult], last: dict | None = None) -> list[str]:
    """The session in plain words, one line per side (and a line per note), compared with
    ``last``: the previous session of the same exercise by side (history rows)."""
    lines = []
    for part in parts:
        n = len(part.counted_reps)
        what = ("hold" if part.exercise.movement.kind == "hold" else "rep") + "s" * (n != 1)
        side = "Both sides" if part.exercise.bilateral else \
            f"{(part.side or 'working').capitalize()} side"
        line = f"{side}: {n} {what}"
        if part.sets > 1:
            line += f" in {part.sets} sets"
        before = (last or {}).get(part.side)
        if part.holds:
            best = max(h.hold_s for h in part.holds)
            line += f"; longest hold {best:.0f} s" + _than_last(
                best, before.best_hold_s if before else None, "s")
        elif before is not None:
            line += _than_last(n, before.reps, what)
        lines.append(line + _fault_words(part))
        lines += [e.cue for e in part.events if e.fault == "incomplete_rep"]
    return lines


def _than_last(now: float, then: float | None, unit: str) -> str:
    if then is None:
        return ""
    diff = round(now - then)
    if diff == 0:
        return ", the same as last time"
    return f", {abs(diff)} {unit} {'more' if diff > 0 else 'less'} than last time"


def _fault_words(part: SessionResult) -> str:
    """"Hips up in hold 2", for each fault and the reps it was in."""
    cues = {f.id: (f.spoken or f.cue) for f in part.exercise.faults}
    what = "hold" if part.exercise.movement.kind == "hold" else "rep"
    reps: dict[str, list[int]] = {}
    for e in part.events:
        if e.kind == "form":
            reps.setdefault(e.fault, [])
            if e.rep is not None and e.rep not in reps[e.fault]:
                reps[e.fault].append(e.rep)
    if not reps:
        return ". Good form."
    said = [cues.get(f, f) + (f" in {what} {', '.join(map(str, r))}" if r else "")
            for f, r in reps.items()]
    return ". Watch: " + "; ".join(said) + "."


@dataclass
class Keys:
    """What the keys toggle: space pauses, h the key legend, f full screen; s switches
    side and n starts the next set."""

    paused: bool = False
    legend: bool = False

    def act(self, key: int, session) -> None:
        if key == ord(" "):
            self.paused = not self.paused
        elif key == ord("h"):
            self.legend = not self.legend
        elif key == ord("f"):
            screen.set_fullscreen(not screen.is_fullscreen())
        elif key == ord("s"):
            session.switch_side()
        elif key == ord("n"):
            session.next_set()

"""Spoken cues, offline, through the system's speech engine (espeak-ng on Linux).

Speech never blocks the video loop: a thread says the phrases, never more than one phrase
behind (see :class:`Speaker`). Each kind of phrase is debounced (a fault cue is not repeated
within ``debounce_s``), and a missing engine degrades to on-screen cues with one warning.
:class:`CueCaller` decides what to say, one method per concern.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                "seventeen", "eighteen", "nineteen", "twenty")


def number_words(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


#: Phrase priorities: a higher one replaces a waiting lower one and is never replaced by it.
COUNT, FAULT = 0, 1


class Speaker:
    """Say phrases in order on a background thread, never more than one phrase behind:
    while one phrase is being said, only the newest waiting phrase is kept (a waiting fault
    cue is replaced only by another fault cue).

    ``wav_dir``: write each utterance to a numbered WAV file there instead of the sound
    card, taking as long as playing it would (for tests and for machines without audio).
    ``log_path``: append every phrase as it starts to be said (or, without a speech engine,
    as it is asked for): its time on the session's clock, key and words, one per line.
    """

    def __init__(self, enabled: bool = True, debounce_s: float = 8.0,
                 wav_dir: Path | None = None, log_path: Path | None = None,
                 engine: str = "espeak-ng", words_per_minute: int = 150) -> None:
        self.debounce_s = debounce_s
        self.wav_dir = wav_dir
        self.log_path = log_path
        self._last: dict[str, float] = {}
        self._handed: _Phrase | None = None  # given to the idle thread: said next
        self._waiting: _Phrase | None = None  # to say after the phrase being said
        self._speaking = False
        self._closing = False
        self._cond = threading.Condition()
        self._count = 0
        self._wpm = words_per_minute
        self.warning: str | None = None
        self._exe = shutil.which(engine) if enabled else None
        if enabled and self._exe is None:
            self.warning = (f"speech engine {engine} not found: cues are shown on screen only "
                            "(install espeak-ng for spoken cues)")
            log.warning(self.warning)
        if wav_dir is not None:
            wav_dir.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def available(self) -> bool:
        return self._exe is not None

    def say(self, phrase: str, key: str | None = None, now: float | None = None,
            debounce_s: float | None = None, priority: int = COUNT) -> bool:
        """Ask for ``phrase`` unless the same ``key`` was said less than the debounce ago
        (``now`` is the session's clock, monotonic by default).  Returns whether it was
        taken."""
        now = time.monotonic() if now is None else now
        key = key or phrase
        wait = self.debounce_s if debounce_s is None else debounce_s
        if key in self._last and now - self._last[key] < wait:
            return False
        self._last[key] = now
        item = _Phrase(phrase, key, now, time.monotonic(), priority)
        if self._exe is None:
            self._log(item, item.asked_mono)
            return True
        with self._cond:
            if not self._speaking:
                self._handed, self._speaking = item, True
                self._cond.notify()
            elif self._waiting is None or priority >= self._waiting.priority:
                self._waiting = item
        return True

    def _log(self, item: _Phrase, started_mono: float) -> None:
        if self.log_path is None:
            return
        at = item.at + (started_mono - item.asked_mono)
        with self.log_path.open("a", encoding="utf-8") as fh:
            fh.write(f"{at:.3f}\t{item.key}\t{item.phrase}\n")

    def _next(self) -> _Phrase | None:
        """The phrase to say now (None: closing); once one is said, the waiting one."""
        with self._cond:
            while self._handed is None and not self._closing:
                self._cond.wait()
            item, self._handed = self._handed, None
            return item

    def _said(self) -> None:
        with self._cond:
            self._handed, self._waiting = self._waiting, None
            self._speaking = self._handed is not None

    def _run(self) -> None:
        while (item := self._next()) is not None:
            self._speak(item)
            self._said()

    def _speak(self, item: _Phrase) -> None:
        started = time.monotonic()
        self._log(item, started)
        cmd = [self._exe, "-s", str(self._wpm)]
        wav = None
        if self.wav_dir is not None:
            self._count += 1
            wav = self.wav_dir / f"{self._count:04d}.wav"
            cmd += ["-w", str(wav)]
        try:
            subprocess.run([*cmd, item.phrase], check=False, timeout=30,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("speech failed: %s", exc)
        if wav is not None:  # as long as it would take to play
            time.sleep(max(0.0, wav_seconds(wav) - (time.monotonic() - started)))

    def close(self, wait: bool = True) -> None:
        """Stop after the phrase waiting (``wait``) or at once."""
        with self._cond:
            if not wait:
                self._handed = self._waiting = None
            self._closing = True
            self._cond.notify()
        self._thread.join(timeout=60 if wait else 1)


@dataclass
class _Phrase:
    phrase: str
    key: str
    at: float  # session clock when asked for
    asked_mono: float
    priority: int


def wav_seconds(path: Path) -> float:
    try:
        with wave.open(str(path)) as w:
            return w.getnframes() / w.getframerate()
    except (OSError, EOFError, wave.Error):
        return 0.0


#: A fault that comes back on a new rep is cued again, but not sooner than this after the
#: last time; within one rep (a long hold) it is repeated at the speaker's debounce.
FAULT_REPEAT_MIN_S = 2.0
#: A lift held this long in an exercise with a final hold is coached as the final hold.
FINAL_HOLD_CUE_AFTER_S = 2.0


def hold_marks(target_s: float, last: str = "and lower") -> list[tuple[float, str]]:
    """What to say during a hold of ``target_s`` and when (seconds held): the time halfway
    on long holds, ten seconds left, a countdown from five, then ``last``."""
    marks = []
    if target_s >= 40:
        half = int(target_s // 2)
        marks.append((float(half), f"{half} seconds"))
    if target_s >= 20:
        marks.append((target_s - 10, "ten seconds left"))
    marks += [(target_s - k, number_words(k)) for k in range(5, 0, -1) if target_s - k > 0]
    marks.append((target_s, last))
    return marks


class CueCaller:
    """Decides what to say as the engine's results arrive: setup guidance and readiness,
    sets and counts, hold coaching, rests, and fault cues (these jump ahead of counts).
    Each concern is one method of :meth:`on_result`."""

    def __init__(self, speaker: Speaker, exercise) -> None:
        self.speaker = speaker
        self.ex = exercise
        self._spoken_cues = {f.id: (f.spoken or f.cue) for f in exercise.faults}
        # rules that say the same words (an arch by a fixed bound and by rising above the
        # earlier reps) share one key: the words are said once, not once per rule
        first: dict[str, str] = {}
        self._cue_keys = {fid: first.setdefault(words, fid)
                          for fid, words in self._spoken_cues.items()}
        self._reps = 0
        self._set = 1
        self._state = None
        self._marks: list[tuple[float, str]] | None = None  # still to say in this hold
        self._rest_over_said = True
        self._fault_rep: dict[str, int] = {}

    @property
    def _holds(self) -> bool:
        return self.ex.movement.kind == "hold" or bool(self.ex.dose.hold_s)

    def on_result(self, r) -> None:
        self._setup(r)
        self._sets_and_counts(r)
        self._hold(r)
        self._rest(r)
        self._faults(r)
        self._state = r.state

    def _say(self, phrase: str, key: str, t: float, **kw) -> bool:
        return self.speaker.say(phrase, key=key, now=t, **kw)

    def _setup(self, r) -> None:
        if r.state == "ready" and self._state in (None, "setup"):  # may be ready at once
            self._say("Ready. Start when you like.", "ready", r.t_s)
        if r.state == "setup" and r.guidance:
            self._say(r.guidance[0], "guidance", r.t_s, debounce_s=10.0)

    def _sets_and_counts(self, r) -> None:
        if r.set != self._set:
            self._set = r.set
            self._say(f"Set {number_words(r.set)}", f"set{r.set}", r.t_s)
        if r.reps != self._reps:  # one phrase: a count and "rest" are said together
            self._reps = r.reps
            self._say(number_words(r.reps) + (". Rest" if self._holds else ""),
                      f"rep{r.reps}", r.t_s, debounce_s=0.0)
            self._rest_over_said = not self._holds

    def _hold(self, r) -> None:
        """"Hold" on reaching the top (once per rep, not again after a dip), then the marks
        of :func:`hold_marks`; for a final hold, once the lift has been held a moment."""
        dose = self.ex.dose
        if r.state == "up":
            self._marks = None
        if self._marks is None and r.state == "top":
            if self._holds:
                self._marks = hold_marks(dose.hold_s) if dose.hold_s else []
            elif dose.final_hold_s and r.hold_s >= FINAL_HOLD_CUE_AFTER_S:
                self._marks = [m for m in hold_marks(dose.final_hold_s, "and lower. Rest")
                               if m[0] > r.hold_s]
                self._rest_over_said = False
            if self._marks is not None:
                self._say("Hold", "hold", r.t_s, debounce_s=0.0)
        while self._marks and r.hold_s >= self._marks[0][0]:
            at, phrase = self._marks.pop(0)
            if r.hold_s - at < 1.0:  # not said late (the hold was paused by a fault)
                self._say(phrase, f"hold:{phrase}", r.t_s, debounce_s=0.0)

    def _rest(self, r) -> None:
        rest = self.ex.dose.rest_min_s
        if r.state == "ready" and r.rest_s is not None and rest and not self._rest_over_said \
                and r.rest_s >= rest:
            self._rest_over_said = True
            self._say("Rest over, next one", "rest_over", r.t_s, debounce_s=0.0)

    def _faults(self, r) -> None:
        for fault in r.active_faults:
            key = self._cue_keys.get(fault, fault)
            new_rep = self._fault_rep.get(key) != r.reps
            if self._say(self._spoken_cues.get(fault, fault), f"fault:{key}", r.t_s,
                         debounce_s=FAULT_REPEAT_MIN_S if new_rep else None, priority=FAULT):
                self._fault_rep[key] = r.reps

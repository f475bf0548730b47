"""Spoken cues, offline, through the system's speech engine (espeak-ng on Linux).

Speech never blocks the video loop: phrases go to a queue that a thread speaks in order.
Each kind of phrase is debounced (a fault cue is not repeated within ``debounce_s``), and a
missing engine degrades to on-screen cues with a single warning.
"""

from __future__ import annotations

import logging
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                "seventeen", "eighteen", "nineteen", "twenty")


def number_words(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


class Speaker:
    """Say phrases in order on a background thread.

    ``wav_dir``: write each utterance to a numbered WAV file there instead of the sound
    card (for tests and for machines without audio).  ``log_path``: append every phrase
    actually queued, with its time, one per line.
    """

    def __init__(self, enabled: bool = True, debounce_s: float = 8.0,
                 wav_dir: Path | None = None, log_path: Path | None = None,
                 engine: str = "espeak-ng", words_per_minute: int = 150) -> None:
        self.debounce_s = debounce_s
        self.wav_dir = wav_dir
        self.log_path = log_path
        self._last: dict[str, float] = {}
        self._queue: queue.Queue[str | None] = queue.Queue()
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
            debounce_s: float | None = None) -> bool:
        """Queue ``phrase`` unless the same ``key`` was said less than the debounce ago.
        Returns whether it was queued."""
        now = time.monotonic() if now is None else now
        key = key or phrase
        wait = self.debounce_s if debounce_s is None else debounce_s
        if key in self._last and now - self._last[key] < wait:
            return False
        self._last[key] = now
        if self.log_path is not None:
            with self.log_path.open("a", encoding="utf-8") as fh:
                fh.write(f"{now:.3f}\t{key}\t{phrase}\n")
        if self._exe is not None:
            self._queue.put(phrase)
        return True

    def _run(self) -> None:
        while True:
            phrase = self._queue.get()
            if phrase is None:
                return
            cmd = [self._exe, "-s", str(self._wpm)]
            if self.wav_dir is not None:
                self._count += 1
                cmd += ["-w", str(self.wav_dir / f"{self._count:04d}.wav")]
            try:
                subprocess.run([*cmd, phrase], check=False, timeout=30,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except (OSError, subprocess.TimeoutExpired) as exc:
                log.warning("speech failed: %s", exc)

    def close(self, wait: bool = True) -> None:
        """Stop after the phrases already queued (``wait``) or at once."""
        if not wait:
            while not self._queue.empty():
                self._queue.get_nowait()
        self._queue.put(None)
        self._thread.join(timeout=60 if wait else 1)


class CueCaller:
    """Decides what to say as the engine's results arrive: counts, holds, rests, sets,
    setup guidance, readiness and fault cues."""

    def __init__(self, speaker: Speaker, exercise) -> None:
        self.speaker = speaker
        self.ex = exercise
        self._spoken_cues = {f.id: (f.spoken or f.cue) for f in exercise.faults}
        self._reps = 0
        self._set = 1
        self._state = None

    def on_result(self, r) -> None:
        t = r.t_s
        if r.state == "ready" and self._state == "setup":
            self.speaker.say("Ready. Start when you like.", key="ready", now=t)
        if r.state == "setup" and r.guidance:
            self.speaker.say(r.guidance[0], key="guidance", now=t, debounce_s=10.0)
        if r.set != self._set:
            self._set = r.set
            self.speaker.say(f"Set {number_words(r.set)}", key=f"set{r.set}", now=t)
        if r.reps != self._reps:
            self._reps = r.reps
            self.speaker.say(number_words(r.reps), key=f"rep{r.reps}", now=t)
            if self.ex.movement.kind == "hold" or self.ex.dose.hold_s:
                self.speaker.say("Rest", key="rest", now=t, debounce_s=0.0)
        # once per rep: on reaching the top, not on coming back up after a dip
        if r.state == "top" and self._state == "up" and self.ex.movement.kind == "hold":
            self.speaker.say("Hold", key="hold", now=t, debounce_s=0.0)
        for fault in r.active_faults:
            self.speaker.say(self._spoken_cues.get(fault, fault), key=f"fault:{fault}", now=t)
        self._state = r.state

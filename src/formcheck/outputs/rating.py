"""The patient's own ratings at the end of a live session, by key press: how hard it was and
any pain, each 0-10, or skipped.

One scheme a person lying on the floor can follow without looking for a special key: a
number key gives that number at once, except 1, which waits a moment for a 0 (1 then 0 is
10; 1 alone is 1 after :data:`TEN_WAIT_S`).  ``s`` skips the question, ``q`` or Esc skips
all of them.  A question nobody answers in time is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

#: After a 1, how long to wait for a 0 (making 10) before taking the 1.
TEN_WAIT_S = 2.0
KEY_SKIP = ord("s")
KEYS_STOP = {ord("q"), 27}
KEY_HELP = "Press a number key, 0 to 9.  For 10: press 1, then 0.  Press s to skip."


@dataclass(frozen=True)
class Question:
    field: str  # the results' and the history's name for the answer
    label: str
    ask: str
    scale: str  # what the ends of the scale mean
    spoken: str


QUESTIONS = (
    Question("effort_0_10", "Effort", "How hard was that?",
             "0 = no effort at all, 10 = the hardest you could do",
             "How hard was that, from 0 to 10? Press a number key. For 10, press 1, then 0. "
             "Press s to skip."),
    Question("pain_0_10", "Pain", "Any pain?", "0 = no pain, 10 = the worst pain you can imagine",
             "Any pain, from 0 to 10? Press a number key, or s to skip."),
)


class RatingKeys:
    """Keys in, one answer out: :attr:`done` once answered or skipped; :attr:`value` the
    rating (None when skipped); :attr:`stop` when the person skipped all questions."""

    def __init__(self) -> None:
        self.value: int | None = None
        self.done = False
        self.stop = False
        self._one_at_s: float | None = None  # when a 1 was pressed (it may become 10)

    @property
    def pending(self) -> bool:
        """A 1 was pressed: it is 10 if a 0 follows in time."""
        return self._one_at_s is not None and not self.done

    def key(self, key: int, t_s: float) -> None:
        """One key press (as OpenCV gives it, 255 for none) at time ``t_s``."""
        self.tick(t_s)
        if self.done or key == 255:
            return
        if self.pending and key == ord("0"):
            self._answer(10)
        elif self.pending and ord("1") <= key <= ord("9"):
            self._answer(key - ord("0"))  # another number: a correction, it replaces the 1
        elif key == ord("1"):
            self._one_at_s = t_s
        elif ord("0") <= key <= ord("9"):
            self._answer(key - ord("0"))
        elif key == KEY_SKIP:
            self._answer(1 if self.pending else None)
        elif key in KEYS_STOP:
            self._answer(1 if self.pending else None)
            self.stop = True

    def tick(self, t_s: float) -> None:
        """Time passes: a lone 1 is taken once the wait for a 0 is over."""
        if self.pending and t_s - self._one_at_s >= TEN_WAIT_S:
            self._answer(1)

    def _answer(self, value: int | None) -> None:
        self.value, self.done = value, True


def rating_lines(question: Question, keys: RatingKeys, left_s: float) -> list[str]:
    """What the window shows while asking."""
    lines = [question.ask, question.scale, KEY_HELP]
    if keys.pending:
        lines.append("1 ... press 0 now for 10")
    lines.append(f"({left_s:.0f} s left, then skipped)")
    return lines

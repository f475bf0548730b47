"""Whether more than one person is in view, and which one the tracker follows.

The tracker follows one person (MediaPipe in VIDEO mode with one pose: asking it for two on
every frame costs about a third of the frame rate).  Instead, about once a second a
separate detector looks for up to two people in the frame (see
:class:`formcheck.capture.pose.PeopleFinder`); a second person counts when the model is
confident of their torso and they are not much smaller than the tracked person.  When
that holds in a fair share of the checked frames, the user is told, with where the tracked
person was in the picture.  The tally is stored in a landmark recording's end line, so
analysing the recording warns the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from formcheck.capture.landmarks import INDEX, PoseFrame
from formcheck.capture.sources import Frame

#: Seconds of source time between two checks.
CHECK_EVERY_S = 1.0
#: A second person in at least this share of the checked frames (and in at least
#: MIN_CROWDED_CHECKS of them) gives the warning: one passer-by does not.
MIN_CROWDED_SHARE = 0.3
MIN_CROWDED_CHECKS = 2
#: A second person at least this fraction of the tracked person's size (the longer side of
#: the landmarks' box) counts; a figure far behind, on a poster or a screen, does not.
MIN_SIZE_RATIO = 0.35
#: The model's mean visibility of the four torso landmarks for a confident detection.
MIN_TORSO_VISIBILITY = 0.5
#: Two detections whose boxes overlap by this much of the smaller box are one person (a
#: person cut by a tile's edge is found again, in part, in the next tile).
SAME_PERSON_OVERLAP = 0.5
#: The detector sees a letterboxed square, so in a wide picture people become small: a
#: picture more than WIDE_ASPECT times as wide as high (16:9, not 4:3 or 3:2) is searched
#: in overlapping tiles TILE_ASPECT times as wide as high.
WIDE_ASPECT = 1.5
TILE_ASPECT = 1.2
#: Tracked and other person's torso centres closer than this fraction of the tracked
#: person's size are told apart by size (in front / behind), not by left / right.
SIDE_BY_SIDE_RATIO = 0.25

_WHO = {"left": "the person on the left", "right": "the person on the right",
        "larger": "the larger (nearer) person", "smaller": "the smaller (farther) person"}

TORSO = [INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]

#: A person found by the check: (33, 2) landmark pixels and (33,) visibility.
Found = tuple[np.ndarray, np.ndarray]


def _box(px: np.ndarray) -> np.ndarray:
    return np.concatenate([px.min(axis=0), px.max(axis=0)])


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection of two boxes over the smaller one's area."""
    lo, hi = np.maximum(a[:2], b[:2]), np.minimum(a[2:], b[2:])
    inter = float(np.prod(np.clip(hi - lo, 0, None)))
    smaller = min(float(np.prod(a[2:] - a[:2])), float(np.prod(b[2:] - b[:2])))
    return inter / smaller if smaller > 0 else 1.0


def tile_columns(width_px: int, height_px: int) -> list[tuple[int, int]]:
    """Column ranges to search: the whole picture, or for a wide one overlapping tiles
    spread evenly from the left edge to the right."""
    if width_px <= WIDE_ASPECT * height_px:
        return [(0, width_px)]
    tile = int(TILE_ASPECT * height_px)
    count = int(np.ceil(width_px / tile))
    return [(int(x0), int(x0) + tile) for x0 in np.linspace(0, width_px - tile, count)]


def _size_px(px: np.ndarray) -> float:
    return float(np.max(np.ptp(px, axis=0)))


def where_tracked(tracked: PoseFrame, found: list[Found]) -> str | None:
    """None when no second person is in view; else where the tracked person is relative
    to the other: "left", "right" (in the picture), "larger" or "smaller" (one in front of
    the other)."""
    mine = tracked.pixels()
    my_box, my_size = _box(mine), _size_px(mine)
    my_x = float(mine[TORSO, 0].mean())
    for px, visibility in found:
        if _overlap(_box(px), my_box) >= SAME_PERSON_OVERLAP:
            continue
        size = _size_px(px)
        if visibility[TORSO].mean() < MIN_TORSO_VISIBILITY or size < MIN_SIZE_RATIO * my_size:
            continue
        dx = my_x - float(px[TORSO, 0].mean())
        if abs(dx) >= SIDE_BY_SIDE_RATIO * my_size:
            return "left" if dx < 0 else "right"
        return "larger" if my_size >= size else "smaller"
    return None


@dataclass
class CrowdTally:
    """Checked frames, those with a second person, and where the tracked person was in
    each of those."""

    checked: int = 0
    crowded: int = 0
    tracked: Counter = field(default_factory=Counter)
    latest: list[str | None] = field(default_factory=list)  # the last checks, for live

    def add(self, where: str | None) -> None:
        self.checked += 1
        self.latest = [*self.latest[-(MIN_CROWDED_CHECKS - 1):], where]
        if where is not None:
            self.crowded += 1
            self.tracked[where] += 1

    def live_note(self) -> str | None:
        """A short on-screen note while a second person is in view (in the last
        MIN_CROWDED_CHECKS checks)."""
        if len(self.latest) < MIN_CROWDED_CHECKS or None in self.latest:
            return None
        return f"Someone else is in view: following {_WHO[self.latest[-1]]}"

    @property
    def crowded_in_view(self) -> bool:
        return self.crowded >= max(MIN_CROWDED_CHECKS, MIN_CROWDED_SHARE * self.checked)

    def to_record(self) -> dict:
        return {"checked": self.checked, "with_another_person": self.crowded,
                "tracked": dict(sorted(self.tracked.items())), "every_s": CHECK_EVERY_S}

    @classmethod
    def from_record(cls, rec: object) -> CrowdTally | None:
        """The tally stored in a recording, or None (a recording made before the check,
        or a damaged entry: no warning rather than a wrong one)."""
        if not isinstance(rec, dict):
            return None
        checked, crowded = rec.get("checked"), rec.get("with_another_person")
        tracked = rec.get("tracked")
        if not (isinstance(checked, int) and isinstance(crowded, int)
                and isinstance(tracked, dict)
                and all(isinstance(v, int) for v in tracked.values())):
            return None
        return cls(checked, crowded, Counter({str(k): v for k, v in tracked.items()}))

    def warning(self, name: str) -> str | None:
        """One plain line when more than one person was in view, else None."""
        if not self.crowded_in_view:
            return None
        (where, n), *rest = self.tracked.most_common()
        who = _WHO.get(where, where)
        switched = " (mostly: tracking may have switched between them)" if rest else ""
        return (f"more than one person was in view in {name} (a second person in "
                f"{self.crowded} of {self.checked} checked frames); {who} was tracked and "
                f"measured{switched}; film the patient alone or check that the results are "
                "theirs")


def watched(pairs: Iterable[tuple[Frame, PoseFrame]], find: Callable[[Frame], list[Found]],
            tally: CrowdTally, every_s: float = CHECK_EVERY_S,
            ) -> Iterator[tuple[Frame, PoseFrame]]:
    """Pass ``(frame, pose)`` pairs through, checking for a second person about every
    ``every_s`` seconds of source time (on frames where the tracker has a person).

    Each check runs on a thread of its own beside the tracker (MediaPipe releases the
    interpreter lock while it infers), so on a machine with a spare core it costs the
    tracker next to nothing; the next check waits for the last, so the checked frames are
    the same on any machine."""
    next_s = -np.inf
    pending: tuple[Future, PoseFrame] | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="people-check") as pool:
        try:
            for frame, pose in pairs:
                if pose.has_pose and frame.t_ms / 1000.0 >= next_s:
                    next_s = frame.t_ms / 1000.0 + every_s
                    if pending is not None:
                        tally.add(where_tracked(pending[1], pending[0].result()))
                    pending = pool.submit(find, frame), pose
                yield frame, pose
            if pending is not None:
                tally.add(where_tracked(pending[1], pending[0].result()))
        finally:
            if pending is not None:
                pending[0].cancel()

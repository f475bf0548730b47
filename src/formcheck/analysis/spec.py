"""The typed structures an exercise file is parsed into (see :mod:`.exercise`)."""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.analysis.tremor import HoldSettings
from formcheck.features import DEFAULT_MIN_QUALITY, SmoothingParams

VIEWS = ("side", "front")
MOVEMENT_KINDS = ("reps", "hold", "pumps")
FRAME_RULES = ("above", "below", "outside", "rise", "drop", "deviate", "dip")
REP_RULES = ("lowering_fast",)
WHEN = ("always", "rep", "top")
BASELINES = ("set_start", "rep_start", "rep_top", "earlier_tops")
SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class Movement:
    """What a repetition is, on the exercise's driving ``signal``.

    A rep leaves the start zone (past ``start``), reaches the top zone (past ``top``) and
    comes back to the start zone.  ``top`` may be above or below ``start``: the direction
    follows.  ``kind``: ``reps`` (plain reps), ``hold`` (each rep is a timed hold at the
    top), ``pumps`` (small pulses at the top are counted within each lift).
    """

    kind: str
    signal: str
    start: float
    top: float
    min_rep_s: float = 0.6
    settle_s: float = 0.3  # time in the start position before counting starts
    set_break_s: float = 20.0  # a pause this long in the start position begins a new set
    final_hold_after_s: float = 0.0  # a top phase this long is the final hold, not a rep
    final_hold_settle_s: float = 0.0  # the final hold begins once the leg has settled at
    # the hold's level (a movement finishes it, such as a sweep back), at most this long
    # after the lift arrives; 0: it begins on arrival
    pump_min_deg: float = 1.0  # smallest pump (peak-to-trough) ...
    pump_noise_factor: float = 4.0  # ... and at least this many times the signal's noise
    top_reference_s: float = 0.5  # this much of the top phase gives the rep's top level,
    top_reference_after_s: float = 0.0  # from this long after entering the top zone
    # Person-relative zones (when the exercise declares a start posture): a rep leaves the
    # start position this far past the person's own still start level (instead of
    # ``start``), and the top is at most ``top_from_baseline`` past that level.
    start_from_baseline: float | None = None
    top_from_baseline: float | None = None

    @property
    def direction(self) -> float:
        return 1.0 if self.top > self.start else -1.0


@dataclass(frozen=True)
class Dose:
    reps: int = 0
    reps_max: int = 0
    sets: int = 1
    hold_s: float = 0.0
    final_hold_s: float = 0.0
    rest_min_s: float = 0.0
    rest_max_s: float = 0.0
    pumps: int = 0  # pumps per lift (kind "pumps"), at least ...
    pumps_max: int = 0  # ... and at most
    text: str = ""
    prescribed: bool = False  # this patient's prescription, not the exercise's default


@dataclass(frozen=True)
class Fault:
    """A form fault: a rule on a feature, held for ``min_duration_s``."""

    id: str
    rule: str
    feature: str = ""
    above: float | None = None
    below: float | None = None
    amount: float | None = None  # for rise / drop / deviate / dip and lowering_fast ratio
    baseline: str = "set_start"
    when: str = "rep"
    min_duration_s: float = 0.3
    severity: str = "warning"
    breaks_hold: bool = False
    # A second rule for the same fault (relative to the person): not reported over a
    # stretch that the rule listed earlier under this id reports.
    unless: str = ""
    cue: str = ""
    spoken: str = ""
    seed_quote: str = ""


@dataclass(frozen=True)
class PostureCheck:
    """One condition of the start posture: ``feature`` within [``min``, ``max``]."""

    feature: str
    why: str  # what is wrong when the check fails, for the patient
    min: float | None = None
    max: float | None = None

    def holds(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and \
            (self.max is None or value <= self.max)


FACINGS = ("up", "down", "side", "forward")


@dataclass(frozen=True)
class Drawing:
    """The start posture as a stick figure seen from the side, head to the left (the setup
    screen's picture; :mod:`.drawing`).  Each segment's direction in degrees: 0 along the
    floor toward the feet, 90 straight up, 180 along the floor toward the head, -90 straight
    down.  ``facing``: where the front of the body faces (up: on the back; down: face down
    or on hands and knees; side: on the side; forward: upright)."""

    trunk_deg: float  # hip -> shoulder
    thigh_deg: float  # hip -> knee
    shin_deg: float  # knee -> ankle
    upper_arm_deg: float  # shoulder -> elbow
    forearm_deg: float  # elbow -> wrist
    facing: str = "up"


@dataclass(frozen=True)
class Posture:
    """The exercise's start posture: every check holds, and the person has been still
    (the driving signal and the trunk within ``still_deg`` for ``still_s``)."""

    name: str
    checks: tuple[PostureCheck, ...] = ()
    still_s: float = 0.3  # as long as the start position's settling time before
    still_deg: float = 6.0  # slower than 20 deg/s: a setup movement is faster
    drawing: Drawing | None = None


PROGRESS_RULES = ("clean_reps", "hold_time", "rep_steps")


@dataclass(frozen=True)
class Progress:
    """When to progress, from the history (``[progress]``; the words stay in
    ``progression``).  ``rule``: ``clean_reps`` (``clean_reps`` reps without form faults
    in one session earn exercise ``to``), ``hold_time`` (the best hold grows toward
    ``target_hold_s``; the next aim is the best hold rounded up to ``aim_step_s``) or
    ``rep_steps`` (reps per set build up through ``rep_steps``: a step is done when every
    set of a session reaches it)."""

    rule: str
    clean_reps: int = 0
    to: str = ""
    target_hold_s: float = 0.0
    aim_step_s: float = 5.0
    rep_steps: tuple[int, ...] = ()
    trend_days: float = 14.0  # how far back the trend sentence looks


@dataclass(frozen=True)
class Exercise:
    name: str
    title: str
    seed: str
    seed_quote: str
    setup: str
    camera: str
    camera_text: str
    tracks: tuple[str, ...]
    movement: Movement
    dose: Dose
    faults: tuple[Fault, ...] = ()
    bilateral: bool = False
    min_quality: float = DEFAULT_MIN_QUALITY
    progression: str = ""  # the seed's words on progressing
    hold_to_fatigue: bool = False  # the seed asks to hold to fatigue: say when shaking starts
    progress: Progress | None = None
    hold_quality: HoldSettings | None = None
    aliases: tuple[str, ...] = ()  # short names it can be called by (bridge, donkey-kick)
    smoothing: SmoothingParams | None = None
    posture: Posture | None = None
    source_path: str = ""
    sha256: str = ""

    @property
    def needed_features(self) -> tuple[str, ...]:
        names = [self.movement.signal, *self.tracks, *(f.feature for f in self.faults),
                 *(c.feature for c in (self.posture.checks if self.posture else ()))]
        return tuple(dict.fromkeys(n for n in names if n))



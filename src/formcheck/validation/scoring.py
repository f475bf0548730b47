"""Scoring a results document against a rendered clip's ground truth, as the project's
evaluation rules define it: reps exact, reps counted during a setup, pumps within one per
bout, holds, and faults matched by kind with 0.5 s of slack (possible faults apart)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

#: Slack on each side of a true fault's interval when matching a reported fault (s).
FAULT_SLACK_S = 0.5
#: Ground-truth fault type -> words of the reported fault ids that match it (evaluation
#: rules: lumbar arch <-> back arching / doing the work / tilting, and so on).
FAULT_KIND_WORDS: dict[str, tuple[str, ...]] = {
    "lumbar_arch": ("arch", "doing_the_work", "tilt"),
    "hip_sag": ("sag", "dropping"),
    "knee_drift": ("knee_leaving_90",),
    "pelvic_roll": ("roll", "rock", "rotation"),
    "trunk_rotation": ("roll", "rock", "rotation"),
    "tremor": ("shak",),
}


def fault_matches(kind: str, fault_id: str) -> bool:
    return any(word in fault_id for word in FAULT_KIND_WORDS.get(kind, ()))


def is_possible(fault: dict) -> bool:
    """A reported fault counted apart from the sure ones."""
    conf = fault.get("confidence")
    return fault.get("certainty") == "possible" or (conf is not None and conf < 0.5)


def _overlaps(f: dict, tf: dict) -> bool:
    return f["start_s"] <= tf["end_s"] + FAULT_SLACK_S and f["end_s"] >= tf["start_s"] - \
        FAULT_SLACK_S


@dataclass
class ClipScore:
    clip: str
    exercise: str
    reps: tuple[int, int]  # (found, true)
    holds: tuple[int, int]
    pumps: tuple[int, int]
    pump_bouts: int
    hold_errors_s: list[float]  # found - true, per hold, when the counts match
    setup_reps: int  # counted reps starting inside a setup segment
    true_faults: list[tuple[str, bool]]  # (kind, found by a sure fault)
    false_faults: list[str]  # sure reported faults matching no true fault
    possible_hits: int  # true faults overlapped only by a possible fault
    possible_false: int
    side_ok: bool
    not_judged: list[str] = field(default_factory=list)

    @property
    def reps_exact(self) -> bool:
        return self.reps[0] == self.reps[1]

    @property
    def pumps_ok(self) -> bool:
        return abs(self.pumps[0] - self.pumps[1]) <= max(1, self.pump_bouts)

    @property
    def faults_found(self) -> int:
        return sum(found for _, found in self.true_faults)


def _setup_reps(doc: dict, truth: dict) -> int:
    spans = [(s["start_s"], s["end_s"]) for s in truth.get("setup") or []]
    return sum(1 for r in doc.get("reps", []) if r.get("kind", "rep") == "rep"
               and any(a <= r["start_s"] <= b for a, b in spans))


def _match_faults(doc: dict, truth: dict) -> tuple[list[tuple[str, bool]], list[str], int, int]:
    reported = doc.get("faults", [])
    sure = [f for f in reported if not is_possible(f)]
    possible = [f for f in reported if is_possible(f)]
    used_sure, used_possible = set(), set()
    found, possible_hits = [], 0
    for tf in truth["faults"]:
        hits = {i for i, f in enumerate(sure) if fault_matches(tf["type"], f["fault"])
                and _overlaps(f, tf)}
        maybe = {i for i, f in enumerate(possible) if fault_matches(tf["type"], f["fault"])
                 and _overlaps(f, tf)}
        used_sure |= hits
        used_possible |= maybe
        found.append((tf["type"], bool(hits)))
        possible_hits += bool(maybe) and not hits
    false = [f["fault"] for i, f in enumerate(sure) if i not in used_sure]
    return found, false, possible_hits, len(possible) - len(used_possible)


def score_document(name: str, truth: dict, doc: dict, expected: str) -> ClipScore:
    """Compare a results document with the clip's ground truth (``expected``: the side
    formcheck should report)."""
    summary = doc["summary"]
    holds_found = summary.get("holds_s") or []
    holds_true = [h["seconds"] for h in truth["holds"]["list"]]
    errors = [f - t for f, t in zip(holds_found, holds_true, strict=True)] \
        if len(holds_found) == len(holds_true) else []
    found, false, possible_hits, possible_false = _match_faults(doc, truth)
    return ClipScore(
        clip=name, exercise=truth["exercise"],
        reps=(summary["reps_done"], truth["reps"]["count"]),
        holds=(len(holds_found), truth["holds"]["count"]),
        pumps=(summary.get("pumps_done", 0), truth["pumps"]["count"]),
        pump_bouts=len(truth["pumps"].get("bouts") or []),
        hold_errors_s=errors, setup_reps=_setup_reps(doc, truth),
        true_faults=found, false_faults=false, possible_hits=possible_hits,
        possible_false=possible_false, side_ok=doc["side"] == expected,
        not_judged=[item["fault"] for item in doc.get("not_judged", [])])


@dataclass(frozen=True)
class Totals:
    clips: int
    reps_exact: int
    setup_reps: int
    pumps_ok: int
    pump_clips: int
    pump_abs_error: int
    hold_mean_abs_s: float
    precision: float
    recall: float
    f1: float
    false_faults: int
    recall_by_kind: dict[str, tuple[int, int]]
    false_by_kind: dict[str, int]


def kind_of(fault_id: str) -> str:
    """The ground-truth kind a reported fault id stands for ("other" when none)."""
    return next((k for k in FAULT_KIND_WORDS if fault_matches(k, fault_id)), "other")


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def totals(scores: Iterable[ClipScore]) -> Totals:
    """Pooled figures over clips (precision and recall pooled, recall per kind)."""
    scores = list(scores)
    found = sum(s.faults_found for s in scores)
    true = sum(len(s.true_faults) for s in scores)
    false = sum(len(s.false_faults) for s in scores)
    # A reported fault matching a true fault counts once per true fault it finds.
    precision, recall = _ratio(found, found + false), _ratio(found, true)
    f1 = _ratio(2 * precision * recall, precision + recall)
    by_kind: dict[str, tuple[int, int]] = {}
    for s in scores:
        for kind, ok in s.true_faults:
            hit, n = by_kind.get(kind, (0, 0))
            by_kind[kind] = (hit + ok, n + 1)
    false_by_kind: dict[str, int] = {}
    for fault_id in (f for s in scores for f in s.false_faults):
        false_by_kind[kind_of(fault_id)] = false_by_kind.get(kind_of(fault_id), 0) + 1
    holds = [abs(e) for s in scores for e in s.hold_errors_s]
    pump_clips = [s for s in scores if s.pumps[1] or s.exercise.startswith("gluteal_pumps_l2")]
    return Totals(
        clips=len(scores), reps_exact=sum(s.reps_exact for s in scores),
        setup_reps=sum(s.setup_reps for s in scores),
        pumps_ok=sum(s.pumps_ok for s in pump_clips), pump_clips=len(pump_clips),
        pump_abs_error=sum(abs(s.pumps[0] - s.pumps[1]) for s in pump_clips),
        hold_mean_abs_s=_ratio(sum(holds), len(holds)), precision=precision, recall=recall,
        f1=f1, false_faults=false, recall_by_kind=dict(sorted(by_kind.items())),
        false_by_kind=dict(sorted(false_by_kind.items())))

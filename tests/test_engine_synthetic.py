"""Known-answer tests of the engine on synthetic landmark sequences: reps, holds, pumps,
sets and fault intervals for every exercise in the catalog, with jitter and dropped frames.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from formcheck.analysis import Engine, Exercise, catalog, run_session
from formcheck.capture import INDEX
from formcheck.features import (
    LandmarkSeries,
    anterior_sign_per_frame,
    compute_features,
    consensus_sign,
)
from synth import Pose, Segment, body_points, timeline_frames, to_pose_frame

FPS = 30.0
JITTER_M = 0.003  # 3 mm of landmark noise (about 1 px here)
DROP_EVERY = 9  # every 9th frame has no person

#: how each catalog exercise is posed: posture, the Pose field its signal drives (see
#: field_value), and the rest of the pose.
SETUPS = {
    "quadruped_hip_extension": ("quadruped_side", "hip_ext", {}),
    "gluteal_pumps_l2": ("quadruped_side", "hip_ext", {}),
    "bird_dog": ("quadruped_side", "hip_ext", {}),
    "gluteal_pumps_l1": ("prone_side", "hip_ext", {"other_hip_ext": 0.0,
                                                  "other_knee_flex": 0.0}),
    "prone_leg_extension": ("prone_side", "hip_ext", {"knee_flex": 0.0, "other_hip_ext": 0.0,
                                                     "other_knee_flex": 0.0}),
    "glute_bridge": ("supine_side", "hip_ext", {"bilateral": True}),
    "glute_bridge_band": ("supine_side", "hip_ext", {"bilateral": True}),
    "single_leg_bridge": ("supine_side", "hip_ext", {"bilateral": True}),
    "side_lying_glute_med": ("side_lying_front", "abduction",
                             {"hip_ext": 0.0, "knee_flex": 0.0, "other_hip_ext": -30.0}),
    "sidelying_abduction": ("side_lying_front", "abduction",
                            {"hip_ext": 0.0, "knee_flex": 0.0, "other_hip_ext": 0.0,
                             "other_knee_flex": 0.0}),
    "clamshell": ("side_lying_front", "abduction", {"hip_ext": -40.0, "knee_flex": 90.0,
                                                    "other_hip_ext": -40.0}),
    "fire_hydrant": ("quadruped_front", "abduction", {"hip_ext": -80.0}),
    "single_leg_rdl": ("standing_side", "trunk_pitch", {"hip_ext": 0.0, "knee_flex": 20.0,
                                                        "other_hip_ext": 0.0,
                                                        "other_knee_flex": 20.0}),
}


def field_value(field: str, signal_value: float) -> float:
    # the stick figure's angles are the features exactly (see test_geometry); standing,
    # the trunk line's elevation is 90 minus the forward pitch
    return 90.0 - signal_value if field == "trunk_pitch" else signal_value


class Script:
    """Builds a timeline of Poses for an exercise and remembers when things happen."""

    def __init__(self, ex: Exercise) -> None:
        self.ex = ex
        self.posture, self.field, extra = SETUPS[ex.name]
        extra = dict(extra)
        self.bilateral = extra.pop("bilateral", False)
        self.base = Pose(**extra)
        mv = ex.movement
        self.low = field_value(self.field, mv.start - mv.direction * 15.0)
        self.high = field_value(self.field, mv.top + mv.direction * 10.0)
        self.segments: list[Segment] = []
        self.t = 0.0

    def pose(self, value: float, **changes: float) -> Pose:
        p = replace(self.base, **{self.field: value}, **changes)
        if self.bilateral:
            p = replace(p, other_hip_ext=p.hip_ext, other_knee_flex=p.knee_flex)
        return p

    def hold(self, seconds: float, value: float, **changes) -> None:
        self.move(seconds, value, value, **changes)

    def move(self, seconds: float, a: float, b: float, **changes) -> None:
        self.segments.append(Segment(seconds, self.pose(a, **changes), self.pose(b, **changes)))
        self.t += seconds

    def rep(self, top_s: float = 0.5) -> None:
        self.move(1.0, self.low, self.high)
        self.hold(top_s, self.high)
        self.move(1.0, self.high, self.low)
        self.hold(1.0, self.low)

    def frames(self, **kw):
        return timeline_frames(self.segments, self.posture, FPS, **kw)


def analyse(ex: Exercise, frames):
    return run_session(((None, f) for f in frames), Engine(ex))


@pytest.mark.parametrize("name", sorted(catalog()))
def test_counts_every_catalog_exercise_exactly_despite_noise_and_drops(name):
    ex = catalog()[name]
    assert name in SETUPS, "every catalog exercise needs a synthetic setup here"
    s = Script(ex)
    s.hold(1.5, s.low)
    n_reps = 4
    hold_s = 3.0 if ex.movement.kind == "hold" else 0.5
    for _ in range(n_reps):
        s.rep(top_s=hold_s)
    result = analyse(ex, s.frames(jitter_m=JITTER_M, drop_every=DROP_EVERY))
    assert len(result.counted_reps) == n_reps
    assert [e.fault for e in result.events if e.kind == "form"] == []
    if ex.movement.kind == "hold":
        # a hold is the time at the top, from reaching it to leaving it: the commanded hold
        # (not the time past the top threshold, which includes parts of the lift and the
        # lowering)
        assert [r.hold_s for r in result.holds] == pytest.approx([hold_s] * n_reps, abs=0.1)


def test_no_reps_while_getting_into_position():
    # from a kneeling-upright thigh (in line with the trunk: the "top" zone) down into the
    # start position, then two reps: the way in is not a rep
    ex = catalog()["quadruped_hip_extension"]
    s = Script(ex)
    s.hold(1.0, 0.0)
    s.move(1.5, 0.0, s.low)
    s.hold(1.0, s.low)
    s.rep()
    s.rep()
    assert len(analyse(ex, s.frames()).counted_reps) == 2


def test_pumps_counted_with_amplitude_and_apart_from_the_lift():
    ex = catalog()["gluteal_pumps_l2"]
    s = Script(ex)
    s.hold(1.5, s.low)
    s.move(1.0, s.low, s.high)
    for _ in range(12):  # 12 pumps of 4 degrees, 0.8 s each
        s.move(0.4, s.high, s.high - 4.0)
        s.move(0.4, s.high - 4.0, s.high)
    s.move(1.0, s.high, s.low)
    s.hold(1.0, s.low)
    result = analyse(ex, s.frames(jitter_m=JITTER_M))
    assert len(result.counted_reps) == 1
    pumps = result.counted_reps[0].pumps
    assert len(pumps) == 12
    # the causal filter attenuates a 1.25 Hz pump a little
    assert np.mean(pumps) == pytest.approx(4.0, abs=1.0)


def _pump_bout(ex, middle) -> list[float]:
    """Four pumps of 4 degrees at 0.8 s, then ``middle(script)``, then four more."""
    s = Script(ex)
    s.hold(1.5, s.low)
    s.move(1.0, s.low, s.high)
    level = s.high

    def pumps(level: float) -> None:
        for _ in range(4):
            s.move(0.4, level, level - 4.0)
            s.move(0.4, level - 4.0, level)

    pumps(level)
    level = middle(s, level)
    pumps(level)
    s.move(1.0, level, s.low)
    s.hold(1.0, s.low)
    result = analyse(ex, s.frames(jitter_m=JITTER_M))
    assert len(result.counted_reps) == 1
    return result.counted_reps[0].pumps


def test_a_pump_hidden_by_the_back_arching_counts_from_the_rhythm():
    # mid-bout the back arches: the thigh rises 9 degrees against the trunk within one
    # pump's time, so that pump shows no dip; the rhythm says one pump was made there
    def arch(s: Script, level: float) -> float:
        s.move(0.8, level, level + 9.0)
        return level + 9.0

    assert len(_pump_bout(catalog()["gluteal_pumps_l2"], arch)) == 9


def test_a_pause_at_the_top_between_pumps_hides_no_pump():
    def pause(s: Script, level: float) -> float:
        s.hold(2.4, level)
        return level

    assert len(_pump_bout(catalog()["gluteal_pumps_l2"], pause)) == 8


def test_one_slow_deep_dip_between_pumps_is_one_pump():
    # a dip of 8 degrees taking two pump intervals: the gap is long, but the pump itself
    # fills it
    def slow_dip(s: Script, level: float) -> float:
        s.move(0.8, level, level - 8.0)
        s.move(0.8, level - 8.0, level)
        return level

    assert len(_pump_bout(catalog()["gluteal_pumps_l2"], slow_dip)) == 9


def test_final_hold_is_a_hold_not_a_rep():
    ex = catalog()["side_lying_glute_med"]
    s = Script(ex)
    s.hold(1.5, s.low)
    for _ in range(3):
        s.rep()
    s.move(1.0, s.low, s.high)
    s.hold(10.0, s.high)
    s.move(1.0, s.high, s.low)
    s.hold(1.0, s.low)
    result = analyse(ex, s.frames(jitter_m=JITTER_M))
    assert len(result.counted_reps) == 3
    assert [h.kind for h in result.holds] == ["final_hold"]
    assert result.holds[0].hold_s == pytest.approx(10.0, abs=0.4)
    assert not [e for e in result.events if e.fault == "hold_too_short"]


def test_a_long_pause_starts_a_new_set():
    ex = catalog()["quadruped_hip_extension"]
    s = Script(ex)
    s.hold(1.5, s.low)
    s.rep()
    s.rep()
    s.hold(ex.movement.set_break_s + 2.0, s.low)
    s.rep()
    result = analyse(ex, s.frames())
    assert [r.set for r in result.counted_reps] == [1, 1, 2]


def interval_of(frames_t: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    idx = np.flatnonzero(mask)
    return float(frames_t[idx[0]]), float(frames_t[idx[-1]])


def commanded(s: Script, field: str) -> tuple[np.ndarray, np.ndarray]:
    """The commanded value of a Pose field per frame, and the frame times."""
    values, times, t = [], [], 0.0
    for seg in s.segments:
        n = max(1, int(round(seg.duration_s * FPS)))
        for j in range(n):
            u = j / n
            values.append((1 - u) * getattr(seg.start, field) + u * getattr(seg.end, field))
            times.append(t)
            t += 1 / FPS
    return np.array(values), np.array(times)


@pytest.mark.parametrize("field,peak,fault,threshold", [
    ("knee_flex", 135.0, "knee_leaving_90", 110.0),
    ("hip_ext", 28.0, "back_arching", 15.0),
])
def test_injected_fault_interval_is_found_within_0_3_s(field, peak, fault, threshold):
    ex = catalog()["quadruped_hip_extension"]
    s = Script(ex)
    s.hold(1.5, s.low)
    s.rep()
    # rep 2: at the top the fault grows over 0.3 s, stays 1.5 s, goes over 0.3 s
    s.move(1.0, s.low, s.high)
    base = getattr(s.pose(s.high), field)
    top = s.high if field != "hip_ext" else None
    for dur, a, b in ((0.3, base, peak), (1.5, peak, peak), (0.3, peak, base)):
        if field == "hip_ext":
            s.move(dur, a, b)
        else:
            s.segments.append(Segment(dur, s.pose(top, **{field: a}), s.pose(top, **{field: b})))
            s.t += dur
    s.move(1.0, s.high, s.low)
    s.hold(1.0, s.low)
    s.rep()
    result = analyse(ex, s.frames(jitter_m=JITTER_M, drop_every=DROP_EVERY))
    values, times = commanded(s, field)
    true_start, true_end = interval_of(times, values > threshold)
    events = [e for e in result.events if e.fault == fault]
    assert len(events) == 1
    assert events[0].start_s == pytest.approx(true_start, abs=0.3)
    assert events[0].end_s == pytest.approx(true_end, abs=0.3)
    assert events[0].rep == 2
    assert len(result.counted_reps) == 3


def test_bridge_sag_is_inside_the_hold_and_reported():
    ex = catalog()["glute_bridge"]
    s = Script(ex)
    s.hold(1.5, s.low)
    s.move(1.0, s.low, s.high)
    s.hold(3.0, s.high)
    s.move(0.3, s.high, s.high - 25.0)  # hips sag 25 degrees for 2 s
    s.hold(2.0, s.high - 25.0)
    s.move(0.3, s.high - 25.0, s.high)
    s.hold(3.0, s.high)
    s.move(1.0, s.high, s.low)
    s.hold(1.0, s.low)
    result = analyse(ex, s.frames(jitter_m=JITTER_M))
    events = [e for e in result.events if e.fault == "hips_sagging"]
    assert len(events) == 1
    sag_start = 1.5 + 1.0 + 3.0
    assert events[0].start_s == pytest.approx(sag_start + 0.15, abs=0.3)
    assert events[0].end_s == pytest.approx(sag_start + 0.3 + 2.0 + 0.15, abs=0.3)
    assert len(result.counted_reps) == 1
    # the hold is the time at the top, the sag inside it (as the rendered clips' truth
    # counts it: 3 + 0.3 + 2 + 0.3 + 3 s); the sag's time does not count towards the dose
    hold = result.holds[0]
    assert hold.hold_s == pytest.approx(8.6, abs=0.1)
    assert hold.hold_in_form_s == pytest.approx(hold.hold_s - events[0].duration_s)
    short = [e for e in result.events if e.fault == "hold_too_short"]
    assert short[0].peak_value == pytest.approx(hold.hold_in_form_s)


def test_a_hold_just_short_of_the_dose_says_the_whole_seconds_held():
    # prone lift, "hold for 2 breaths" (6 s): held 5.6 s reads 5 s as a stopwatch shows
    ex = catalog()["gluteal_pumps_l1"]
    s = Script(ex)
    s.hold(1.5, s.low)
    s.rep(top_s=5.6)
    s.hold(1.5, s.low)
    result = analyse(ex, s.frames(jitter_m=JITTER_M))
    [short] = [e for e in result.events if e.fault == "hold_too_short"]
    assert "hold 5 s of 6 s" in short.cue


def test_wrong_camera_view_is_setup_guidance_not_faults():
    # a quadruped seen from the front, analysed as a side-view exercise
    ex = catalog()["quadruped_hip_extension"]
    frames = timeline_frames([Segment(3.0, Pose(hip_ext=-60.0), Pose(hip_ext=-60.0)),
                              Segment(1.0, Pose(hip_ext=-60.0), Pose(hip_ext=0.0)),
                              Segment(1.0, Pose(hip_ext=0.0), Pose(hip_ext=-60.0))],
                             "quadruped_front", FPS)
    result = analyse(ex, frames)
    assert any(g.startswith("Turn side-on to the camera") for g in result.guidance)
    assert result.events == [] and result.counted_reps == []
    assert not any(f.counted for f in result.frames)
    # and side-lying seen from the side, analysed as the front-view side-lying exercise
    ex = catalog()["side_lying_glute_med"]
    frames = timeline_frames([Segment(3.0, Pose(), Pose())], "quadruped_side", FPS)
    assert any(g.startswith("Face the camera") for g in analyse(ex, frames).guidance)


def test_frames_with_hidden_landmarks_are_not_counted():
    ex = catalog()["quadruped_hip_extension"]
    s = Script(ex)
    s.hold(1.5, s.low)
    s.rep()
    frames = s.frames()
    hidden = range(20, 30)
    for i in hidden:  # the working knee goes out of view
        frames[i].visibility[INDEX["left_knee"]] = 0.1
    result = analyse(ex, frames)
    counted = {f.index: f.counted for f in result.frames}
    assert not any(counted[i] for i in hidden)
    assert all(counted[i] for i in range(len(frames)) if i not in hidden)
    assert len(result.counted_reps) == 1


# ---------------------------------------------------------------- every fault, injected
#: the Pose fields that can move each feature on the stick figure (the first that does is
#: used: a trunk pitch does not tilt the trunk line of a body lying on its side)
DRIVES = {
    "hip_extension_deg": ("hip_ext",), "knee_flexion_deg": ("knee_flex",),
    "knee_flexion_3d_deg": ("knee_flex",),
    "hip_abduction_deg": ("abduction",), "hip_abduction_image_deg": ("abduction",),
    "trunk_to_floor_deg": ("trunk_pitch", "trunk_side_bend"),
    "pelvis_level_deg": ("pelvis_roll",), "pelvis_level_image_deg": ("pelvis_roll",),
    "pelvis_roll_from_stacked_deg": ("pelvis_roll",), "thorax_level_deg": ("thorax_roll",),
    "thorax_roll_from_stacked_deg": ("thorax_roll",), "knee_to_hip_width_ratio": ("abduction",),
}
MARGIN = 6.0  # how far past its threshold an injected fault goes (degrees; ratios: 0.12)
RAMP_S, FAULT_S = 0.3, 1.5


def feature_of(s: Script, pose: Pose, feature: str) -> float:
    """The feature on exact landmarks of one pose (geometry checked in test_geometry)."""
    series = LandmarkSeries.from_poses([to_pose_frame(body_points(s.posture, pose), 0, 0.0)])
    feats = compute_features(series, "left", consensus_sign(anterior_sign_per_frame(series)))
    return float(feats.values[feature][0])


def solve_field(s: Script, base: Pose, feature: str, target: float) -> tuple[str, float]:
    """A field, and its value nearest the base pose, that puts the feature at the target:
    scanned outwards from the base in half-degree steps, then bisected."""
    for field in DRIVES[feature]:
        b = getattr(base, field)
        f0 = feature_of(s, base, feature) - target
        for step in np.arange(0.5, 90.0, 0.5):
            for sign in (1.0, -1.0):
                lo, hi = b + sign * (step - 0.5), b + sign * step
                if np.sign(feature_of(s, replace(base, **{field: hi}), feature) - target) \
                        != np.sign(f0):
                    for _ in range(40):
                        mid = (lo + hi) / 2
                        if np.sign(feature_of(s, replace(base, **{field: mid}), feature)
                                   - target) == np.sign(f0):
                            lo = mid
                        else:
                            hi = mid
                    return field, (lo + hi) / 2
    raise AssertionError(f"no pose field reaches {feature} = {target}")


def threshold_of(fault, baseline: float) -> tuple[float, float]:
    """(threshold, target): where the fault begins, and where the injection takes it."""
    margin = MARGIN * (0.02 if "ratio" in fault.feature else 1.0)
    if fault.rule in ("above", "outside"):
        return fault.above, fault.above + margin
    if fault.rule == "below":
        target = fault.below - margin
        return fault.below, max(target, 0.0) if "flexion" in fault.feature else target
    if fault.rule == "drop":
        return baseline - fault.amount, baseline - fault.amount - margin
    return baseline + fault.amount, baseline + fault.amount + margin  # rise, deviate


def injectable():
    for name, ex in sorted(catalog().items()):
        for fault in ex.faults:
            yield pytest.param(name, fault.id, id=f"{name}:{fault.id}")


def inject_on_feature(s: Script, ex: Exercise, fault) -> tuple[float, float]:
    """Rep 2 holds the top while the fault's feature ramps past its threshold, stays, and
    ramps back.  Returns the true interval: the threshold crossings on the ramps."""
    top = s.pose(s.high)
    baseline_pose = top if fault.baseline in ("rep_top", "earlier_tops") else s.pose(s.low)
    threshold, target = threshold_of(fault, feature_of(s, baseline_pose, fault.feature))
    field, at_target = solve_field(s, top, fault.feature, target)
    _, at_threshold = solve_field(s, top, fault.feature, threshold)
    s.move(1.0, s.low, s.high)
    s.hold(0.8, s.high)
    t0 = s.t
    a = getattr(top, field)
    for dur, x, y in ((RAMP_S, a, at_target), (FAULT_S, at_target, at_target),
                      (RAMP_S, at_target, a)):
        s.segments.append(Segment(dur, replace(top, **{field: x}), replace(top, **{field: y})))
        s.t += dur
    s.hold(0.8, s.high)
    s.move(1.0, s.high, s.low)
    s.hold(1.0, s.low)
    frac = (at_threshold - a) / (at_target - a)
    return t0 + RAMP_S * frac, t0 + RAMP_S + FAULT_S + RAMP_S * (1.0 - frac)


def inject_dip(s: Script, ex: Exercise, fault) -> tuple[float, float]:
    """Rep 2 sinks from its top by the fault's amount + 10 and comes back."""
    depth = fault.amount + 10.0
    low = s.high - ex.movement.direction * depth
    s.move(1.0, s.low, s.high)
    s.hold(1.5, s.high)
    t0 = s.t
    s.move(RAMP_S, s.high, low)
    s.hold(FAULT_S, low)
    s.move(RAMP_S, low, s.high)
    s.hold(1.0, s.high)
    s.move(1.0, s.high, s.low)
    s.hold(1.0, s.low)
    frac = fault.amount / depth
    return t0 + RAMP_S * frac, t0 + RAMP_S + FAULT_S + RAMP_S * (1.0 - frac)


def inject_drop(s: Script, ex: Exercise, fault) -> tuple[float, float]:
    """Rep 2 is lowered in 0.2 s after a 1 s lift: from leaving the top to reaching the
    start position."""
    mv = ex.movement
    s.move(1.0, s.low, s.high)
    s.hold(1.0, s.high)
    t0 = s.t
    s.move(0.2, s.high, s.low)
    s.hold(1.0, s.low)
    span = s.high - s.low

    def crossing(threshold: float) -> float:
        value = field_value(s.field, threshold)
        return t0 + 0.2 * (s.high - value) / span

    return crossing(mv.top), crossing(mv.start)


@pytest.mark.parametrize("name,fault_id", list(injectable()))
def test_every_catalog_fault_is_found_where_it_was_injected(name, fault_id):
    ex = catalog()[name]
    fault = next(f for f in ex.faults if f.id == fault_id)
    if fault.unless:  # the rule alone (with the one it names, that one reports; tested apart)
        ex = replace(ex, faults=tuple(f for f in ex.faults if f.id != fault.unless))
    s = Script(ex)
    s.hold(1.5, s.low)
    s.rep(top_s=1.5)
    inject = {"dip": inject_dip, "lowering_fast": inject_drop}.get(fault.rule,
                                                                    inject_on_feature)
    true_start, true_end = inject(s, ex, fault)
    s.rep(top_s=1.5)
    result = analyse(ex, s.frames(jitter_m=JITTER_M, drop_every=DROP_EVERY))
    assert len(result.counted_reps) == 3
    found = [e for e in result.events if e.fault == fault_id]
    assert len(found) == 1
    assert found[0].rep == 2
    assert found[0].start_s == pytest.approx(true_start, abs=0.3)
    assert found[0].end_s == pytest.approx(true_end, abs=0.3)
    others = {e.fault for e in result.events if e.kind == "form"} - {fault_id}
    assert others <= {f.id for f in ex.faults if f.feature == fault.feature}


def test_counter_lines_say_the_dose_in_words():
    from formcheck.outputs import counter_lines

    ex = catalog()["glute_bridge"]
    s = Script(ex)
    s.hold(1.5, s.low)
    s.rep(top_s=3.0)
    s.hold(5.0, s.low)
    result = analyse(ex, s.frames())
    at_top = next(f for f in result.frames if f.state == "top" and f.hold_s > 2.0)
    assert counter_lines(at_top, ex)[:3] == ["Hold 1 of 5", "Set 1 of 1", "Held 2 s of 60 s"]
    resting = result.frames[-1]
    assert counter_lines(resting, ex)[-1] == f"Rest {resting.rest_s:.0f} s of 30 s"
    assert resting.rest_s == pytest.approx(5.0 + 1.0, abs=0.5)


def spoken(ex: Exercise, result, tmp_path) -> list[str]:
    """The phrases the voice would say over a session's frames, in order."""
    from formcheck.outputs import CueCaller, Speaker

    log = tmp_path / "cues.log"
    speaker = Speaker(enabled=False, log_path=log)
    caller = CueCaller(speaker, ex)
    for frame in result.frames:
        caller.on_result(frame)
    speaker.close()
    return [line.split("\t")[2] for line in log.read_text().splitlines()]


def test_hold_cue_is_said_once_per_rep_even_after_a_sag(tmp_path):
    ex = catalog()["glute_bridge"]
    s = Script(ex)
    for _ in range(2):
        s.hold(1.5, s.low)
        s.move(1.0, s.low, s.high)
        s.hold(2.0, s.high)
        s.move(0.3, s.high, s.high - 25.0)  # sags out of the top and comes back up
        s.hold(1.0, s.high - 25.0)
        s.move(0.3, s.high - 25.0, s.high)
        s.hold(2.0, s.high)
        s.move(1.0, s.high, s.low)
    s.hold(1.5, s.low)
    result = analyse(ex, s.frames(jitter_m=JITTER_M))
    assert len(result.counted_reps) == 2
    assert [f.state for f in result.frames].count("down") > 0
    phrases = spoken(ex, result, tmp_path)
    assert phrases.count("Hold") == 2
    assert [p for p in phrases if p in ("Hold", "one. Rest", "two. Rest")] == [
        "Hold", "one. Rest", "Hold", "two. Rest"]


def _quadruped_third_rep_to(peak_deg: float):
    """Two clean quadruped reps, then a third lifting the thigh to ``peak_deg``."""
    ex = catalog()["quadruped_hip_extension"]
    s = Script(ex)
    s.hold(1.5, s.low)
    s.rep(top_s=1.0)
    s.rep(top_s=1.0)
    s.move(1.0, s.low, peak_deg)
    s.hold(1.0, peak_deg)
    s.move(1.0, peak_deg, s.low)
    s.hold(1.5, s.low)
    return ex, s, analyse(ex, s.frames(jitter_m=JITTER_M))


def test_an_arch_under_the_fixed_bound_shows_against_the_earlier_reps():
    # clean tops at the script's top level; rep 3 rises 7 deg above them, under 15 deg
    ex, s, result = _quadruped_third_rep_to(14.0)
    assert s.pose(s.high).hip_ext + 6.0 < 14.0 < 15.0
    assert [(e.fault, e.rep) for e in result.events if e.kind == "form"] == [
        ("back_arching_rising", 3)]


def test_two_rules_for_one_arch_report_and_say_it_once(tmp_path):
    # rep 3 lifts the thigh to 28 deg: past the fixed bound (15) and 6 deg above the earlier
    # tops; the relative rule names the fixed one (unless), both say "Don't arch your back"
    ex, _, result = _quadruped_third_rep_to(28.0)
    assert [(e.fault, e.rep) for e in result.events if e.kind == "form"] == [
        ("back_arching", 3)]
    assert result.counted_reps[2].faults == ["back_arching"]
    assert spoken(ex, result, tmp_path).count("Don't arch your back") == 1

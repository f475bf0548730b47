"""Posture-aware counting on synthetic look-alikes: a squat, a sit-up from long sitting and
a plank with the hips rising and falling move the hip angle through a bridge's or a
quadruped extension's start and top zones, but never show the start posture, so nothing
is counted and the result says why."""

from __future__ import annotations

from dataclasses import replace

import pytest

from formcheck.analysis import Engine, catalog, run_session
from synth import Pose, Segment, timeline_frames

FPS = 30.0


def _cycle(posture: str, rest: Pose, moved: Pose, n: int = 3) -> list:
    segments = [Segment(1.5, rest, rest)]
    for _ in range(n):
        segments += [Segment(1.2, rest, moved), Segment(1.0, moved, moved),
                     Segment(1.2, moved, rest), Segment(1.0, rest, rest)]
    return timeline_frames(segments, posture, FPS, jitter_m=0.003)


def squat():
    stand = Pose(hip_ext=0.0, knee_flex=0.0, other_hip_ext=0.0, other_knee_flex=0.0)
    down = Pose(hip_ext=-100.0, knee_flex=110.0, other_hip_ext=-100.0, other_knee_flex=110.0)
    return _cycle("standing_side", stand, down)


def sit_up_from_long_sitting():
    sitting = Pose(hip_ext=-85.0, knee_flex=0.0, other_hip_ext=-85.0, other_knee_flex=0.0,
                   trunk_pitch=85.0)
    lying = Pose(hip_ext=0.0, knee_flex=0.0, other_hip_ext=0.0, other_knee_flex=0.0)
    return _cycle("supine_side", sitting, lying)


def plank_with_hips_rising():
    plank = Pose(hip_ext=0.0, knee_flex=0.0, other_hip_ext=0.0, other_knee_flex=0.0,
                 trunk_pitch=8.0)
    piked = Pose(hip_ext=-60.0, knee_flex=0.0, other_hip_ext=-60.0, other_knee_flex=0.0,
                 trunk_pitch=-25.0)
    return _cycle("prone_side", plank, piked)


LOOK_ALIKES = {"squat": squat, "sit-up": sit_up_from_long_sitting,
               "plank": plank_with_hips_rising}


@pytest.mark.parametrize("exercise", ["glute_bridge", "quadruped_hip_extension"])
@pytest.mark.parametrize("movement", sorted(LOOK_ALIKES))
def test_look_alike_is_not_counted_and_says_why(exercise, movement):
    ex = catalog()[exercise]
    frames = LOOK_ALIKES[movement]()
    result = run_session(((None, f) for f in frames), Engine(ex))
    assert result.counted_reps == []
    assert result.refusal.startswith(f"this does not look like {ex.title}: ")
    assert ex.posture.name in result.refusal


def test_the_look_alikes_would_count_without_the_posture():
    # the test above means something: on the driving signal alone, each movement passes
    # through the start and top zones of one of the exercises and is counted
    counted = {}
    for movement, make in LOOK_ALIKES.items():
        counted[movement] = max(
            len(run_session(((None, f) for f in make()),
                            Engine(replace(catalog()[name], posture=None))).counted_reps)
            for name in ("glute_bridge", "quadruped_hip_extension"))
    assert all(n >= 2 for n in counted.values()), counted


def test_counting_starts_after_the_setup_in_the_posture():
    # long sitting, lie back with straight legs, slide the heels in, two bridges: only the
    # bridges count (lying back crosses the bridge's start and top zones)
    ex = catalog()["glute_bridge"]
    sit = Pose(hip_ext=-85.0, knee_flex=0.0, other_hip_ext=-85.0, other_knee_flex=0.0,
               trunk_pitch=85.0)
    flat = Pose(hip_ext=0.0, knee_flex=0.0, other_hip_ext=0.0, other_knee_flex=0.0)
    bent = Pose(hip_ext=-55.0, knee_flex=100.0, other_hip_ext=-55.0, other_knee_flex=100.0)
    top = replace(bent, hip_ext=5.0, other_hip_ext=5.0, trunk_pitch=-30.0)
    segments = [Segment(1.0, sit, sit), Segment(1.5, sit, flat), Segment(1.0, flat, flat),
                Segment(1.5, flat, bent), Segment(1.0, bent, bent)]
    for _ in range(2):
        segments += [Segment(1.0, bent, top), Segment(2.0, top, top), Segment(1.0, top, bent),
                     Segment(1.0, bent, bent)]
    frames = timeline_frames(segments, "supine_side", FPS, jitter_m=0.003)
    result = run_session(((None, f) for f in frames), Engine(ex))
    assert len(result.counted_reps) == 2
    assert all(r.start_s >= 5.0 for r in result.counted_reps)  # after the setup
    assert result.refusal is None

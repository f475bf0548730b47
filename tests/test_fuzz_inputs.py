"""Property-based tests: mutations of the real exercise files and of a real recording give a
result or a formcheck error, never another exception (see tests/mutations.py; a longer
run is benchmarks/fuzz_inputs.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from mutations import (
    analyse_recording,
    exercise_mutations,
    load_and_run_exercise,
    recording_mutations,
)

from conftest import SAMPLES

EXAMPLES = 150  # per property; benchmarks/fuzz_inputs.py runs many more
FRAMES = 60  # frames of the real recording kept for mutation (fast to analyse)
FAST = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def real_lines(extracted) -> list[str]:
    lines = extracted(SAMPLES / "quadruped_ext_clean.mp4").read_text().splitlines()
    return [*lines[:FRAMES + 1], lines[-1]]


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def test_mutated_recordings_read_or_fail_cleanly(real_lines, scratch):
    from formcheck.analysis import load_exercise

    exercise = load_exercise("quadruped_hip_extension")
    outcomes = []

    @FAST
    @given(recording_mutations(real_lines))
    def check(data: bytes) -> None:
        path = scratch / "m.landmarks.jsonl"
        path.write_bytes(data)
        outcomes.append(analyse_recording(path, exercise))

    check()
    assert {"ok", "error"} <= set(outcomes)  # the mutations reach both outcomes


def test_mutated_exercise_files_load_or_fail_cleanly(real_lines, scratch):
    from formcheck.capture import RecordingReader

    path = scratch / "real.landmarks.jsonl"
    path.write_text("".join(line + "\n" for line in real_lines))
    poses = list(RecordingReader(path))
    outcomes = []

    @FAST
    @given(exercise_mutations())
    def check(mutated: tuple[str, bytes]) -> None:
        file = scratch / mutated[0]
        file.write_bytes(mutated[1])
        outcomes.append(load_and_run_exercise(file, poses))

    check()
    assert {"ok", "error"} <= set(outcomes)

"""The long run of the property-based tests: many more mutations of a real recording (the
bundled sample's) and of the real exercise files than the test suite tries; prints how
many examples ran, how they ended, and how long they took.

    python benchmarks/fuzz_inputs.py [--examples N] [--frames N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from _common import REPO, base_parser, recording_for

sys.path.insert(0, str(REPO / "tests"))
from mutations import (  # noqa: E402
    analyse_recording,
    exercise_mutations,
    load_and_run_exercise,
    recording_mutations,
)

from formcheck.analysis import load_exercise  # noqa: E402
from formcheck.capture import RecordingReader  # noqa: E402


def main() -> None:
    parser = base_parser(__doc__.splitlines()[1])
    parser.add_argument("--examples", type=int, default=3000, help="examples per property")
    parser.add_argument("--frames", type=int, default=60, help="frames of the recording kept")
    args = parser.parse_args()
    lines = recording_for(REPO / "samples" / "quadruped_ext_clean.mp4",
                          args.cache).read_text().splitlines()
    lines = [*lines[:args.frames + 1], lines[-1]]
    run = settings(max_examples=args.examples, deadline=None, database=None,
                   suppress_health_check=list(HealthCheck))
    exercise = load_exercise("quadruped_hip_extension")
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        base = scratch / "real.landmarks.jsonl"
        base.write_text("".join(line + "\n" for line in lines))
        poses = list(RecordingReader(base))
        outcomes = {"recording": Counter(), "exercise": Counter()}

        @run
        @given(recording_mutations(lines))
        def recordings(data: bytes) -> None:
            path = scratch / "m.landmarks.jsonl"
            path.write_bytes(data)
            outcomes["recording"][analyse_recording(path, exercise)] += 1

        @run
        @given(exercise_mutations())
        def exercises(mutated: tuple[str, bytes]) -> None:
            path = scratch / mutated[0]
            path.write_bytes(mutated[1])
            outcomes["exercise"][load_and_run_exercise(path, poses)] += 1

        for name, prop in (("recording", recordings), ("exercise", exercises)):
            t0 = time.perf_counter()
            prop()
            counts = outcomes[name]
            print(f"{name:10} {sum(counts.values()):6d} examples: {counts['ok']:6d} read, "
                  f"{counts['error']:6d} formcheck errors, no other exception "
                  f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()

"""Smallest shaking detected: an oscillation of known amplitude and frequency injected into a
synthetic 20 s bridge hold over MediaPipe-like jitter (its level measured on the rendered
clips' holds), swept in amplitude; the false-alarm rate on jitter alone beside it.

The engine's timeline (rest, lift, hold) and the smoothed hip angle come from the still
series once; each trial adds its own jitter and oscillation to the landmarks, which is all
the shake index reads.

    python benchmarks/eval_tremor.py [--seeds 40] [--freqs 5 10]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _common import base_parser  # noqa: E402
from formcheck.analysis import (  # noqa: E402
    Engine,
    hold_quality,
    load_exercise,
    measure_session,
    run_session,
)
from synth import THIGH, bridge_hold, shaken  # noqa: E402

AMPLITUDES = (0.0, 0.004, 0.006, 0.008, 0.01, 0.012, 0.015, 0.02)  # thigh lengths


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--freqs", type=float, nargs="+", default=[5.0, 10.0])
    args = parser.parse_args()
    ex = load_exercise("glute_bridge")
    still = bridge_hold()
    result = run_session(((None, p) for p in still.frames), Engine(ex))
    feats, _ = measure_session(result, still.frames)
    print(f"{'freq Hz':>7} {'amp (thigh)':>11} {'amp mm':>6} {'detected':>9} "
          f"{'|onset error| s, median':>24}")
    for freq in args.freqs:
        for amp in AMPLITUDES:
            hits, errors = 0, []
            trials = args.seeds * (3 if amp == 0 else 1)  # the false-alarm rate more closely
            for seed in range(trials):
                frames, onset = shaken(still, amp_thigh=amp, freq_hz=freq, seed=seed)
                found = [h["shaking_from_s"] for h in hold_quality(result, frames, feats).values()
                         if h["shaking_from_s"] is not None]
                hits += bool(found)
                errors += [abs(found[0] - onset)] if found else []
            errors.sort()
            median = f"{errors[len(errors) // 2]:.2f}" if errors else "-"
            print(f"{freq:7.1f} {amp:11.3f} {amp * THIGH * 1000:6.1f} {hits:>4}/{trials:<4} "
                  f"{median:>24}", flush=True)


if __name__ == "__main__":
    main()

"""Re-scoring recordings fast gives the same numbers: features computed for many frames at
once equal those computed frame by frame, the vectorised Hampel filter equals the plain
per-sample one, and the CLI starts without the heavy libraries.  (Speed itself is measured
in benchmarks/bench_cluster.py.)"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from formcheck.analysis import Engine, load_exercise, run_session
from formcheck.capture import open_poses
from formcheck.features import reject_outliers


def session_text(recording, exercise: str, read_ahead: int) -> str:
    with open_poses(recording) as stream:
        result = run_session(stream, Engine(load_exercise(exercise)), [], read_ahead)
    return repr((result.side, result.frames, result.reps, result.events, result.holds))


def test_read_ahead_gives_the_frame_by_frame_results(recorded):
    recording = recorded("rendered/quadruped_pumps_l2.mp4")
    for exercise in ("gluteal_pumps_l2", "side_lying_glute_med"):
        one_by_one = session_text(recording, exercise, 1)
        assert "FrameResult" in one_by_one
        for read_ahead in (7, 256):  # the side is settled inside a chunk of either
            assert session_text(recording, exercise, read_ahead) == one_by_one


def hampel_reference(x, t_s, window_s, n_mads):
    """The filter as first written: one window and two medians per sample."""
    out = x.copy()
    for i in range(len(x)):
        win = x[(t_s >= t_s[i] - window_s / 2) & (t_s <= t_s[i] + window_s / 2)]
        win = win[np.isfinite(win)]
        if not np.isfinite(x[i]) or win.size < 5:
            continue
        med = np.median(win)
        sd = float(1.4826 * np.median(np.abs(win - med)))
        if sd > 0 and abs(x[i] - med) > n_mads * sd + 1.0:
            out[i] = np.nan
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(-90, 90), st.just(float("nan"))), max_size=120),
       st.lists(st.sampled_from([1 / 60, 1 / 30, 1 / 30, 0.1, 0.4]), min_size=120,
                max_size=120),
       st.sampled_from([0.2, 0.5, 1.0]), st.sampled_from([1.0, 4.0]))
def test_the_vectorised_hampel_filter_is_the_per_sample_one(values, steps, window_s, n_mads):
    x = np.round(np.array(values, dtype=float), 1)
    t_s = np.cumsum(steps[:len(x)])
    assert np.array_equal(reject_outliers(x, t_s, window_s, n_mads),
                          hampel_reference(x, t_s, window_s, n_mads), equal_nan=True)


def test_help_and_exercises_load_no_heavy_library():
    code = ("import sys\nfrom formcheck.cli import main\nmain(['exercises'])\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'cv2', "
            "'matplotlib', 'mediapipe', 'jinja2', 'dask', 'distributed'}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert "glute_bridge" in proc.stdout
    assert proc.stdout.splitlines()[-1] == "[]", proc.stderr

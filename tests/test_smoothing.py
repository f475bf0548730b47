"""Known-answer tests of the signal cleaning: gaps, outliers, zero-phase and One Euro."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.features import (
    OneEuroFilter,
    default_smoothing,
    fill_gaps,
    reject_outliers,
    smoothing_with,
    zero_phase_lowpass,
)

FS = 30.0


def test_short_gaps_are_interpolated_and_marked_long_gaps_stay_empty():
    t = np.arange(60) / FS
    x = 2.0 * t
    x[10:14] = np.nan  # 4 frames = 0.13 s: filled
    x[30:45] = np.nan  # 15 frames = 0.5 s: left empty
    filled, mask = fill_gaps(x, t, max_gap_s=0.25)
    assert filled[10:14] == pytest.approx(2.0 * t[10:14])
    assert np.isnan(filled[30:45]).all()
    assert mask.sum() == 4 and mask[10:14].all()


def test_a_spike_is_rejected_but_a_real_movement_is_kept():
    t = np.arange(90) / FS
    x = np.where(t < 1.5, 0.0, 40.0) + 0.2 * np.sin(7 * t)  # a step: a real lift
    x[20] = 35.0  # one-frame landmark glitch
    clean = reject_outliers(x, t, window_s=0.5, n_mads=4.0)
    assert np.isnan(clean[20])
    assert np.isfinite(clean[np.arange(90) != 20]).all()


def test_zero_phase_lowpass_keeps_slow_motion_in_time_and_removes_jitter():
    t = np.arange(300) / FS
    slow = 20.0 * np.sin(2 * np.pi * 0.5 * t)
    noisy = slow + np.random.default_rng(0).normal(0, 1.0, t.size)
    out = zero_phase_lowpass(noisy, FS, cutoff_hz=3.0, order=2)
    inner = slice(30, -30)
    assert np.abs(out - slow)[inner].mean() < 0.5 * np.abs(noisy - slow)[inner].mean()
    # no lag: the peaks stay where they are
    assert np.argmax(out[:60]) == pytest.approx(np.argmax(slow[:60]), abs=1)


def test_zero_phase_lowpass_keeps_nan_runs():
    x = np.r_[np.zeros(40), [np.nan] * 5, np.ones(40)]
    out = zero_phase_lowpass(x, FS, 3.0, 2)
    assert np.isnan(out[40:45]).all() and np.isfinite(out[:40]).all()


def test_one_euro_passes_a_constant_and_follows_a_step():
    f = OneEuroFilter(default_smoothing())
    outs = [f(10.0, i / FS)[0] for i in range(10)]
    assert outs == pytest.approx([10.0] * 10)
    outs = [f(50.0, (10 + i) / FS)[0] for i in range(30)]
    assert outs[0] < 50.0  # smoothed, not instant
    assert outs[-1] == pytest.approx(50.0, abs=1.0)  # there within a second


def test_one_euro_has_little_lag_on_a_movement():
    f = OneEuroFilter(default_smoothing())
    t = np.arange(90) / FS
    x = 60.0 * t  # 60 deg/s, a brisk lift
    y = np.array([f(v, s)[0] for v, s in zip(x, t, strict=True)])
    lag_s = (x[-1] - y[-1]) / 60.0
    assert lag_s < 0.1


def test_one_euro_holds_through_a_short_gap_then_resets():
    p = smoothing_with({"max_gap_s": 0.2})
    f = OneEuroFilter(p)
    for i in range(10):
        f(5.0, i / FS)
    value, filled = f(math.nan, 10 / FS)
    assert value == pytest.approx(5.0) and filled
    value, filled = f(math.nan, 20 / FS)  # 0.33 s without data: reset
    assert math.isnan(value) and not filled


def test_one_euro_treats_impossible_jumps_as_glitches():
    f = OneEuroFilter(default_smoothing())  # max 720 deg/s
    for i in range(10):
        f(0.0, i / FS)
    # a single frame is the running median's to remove, not a gap
    assert f(90.0, 10 / FS) == (pytest.approx(0.0), False)
    value, filled = f(90.0, 11 / FS)  # held: 90 deg in one frame = 2700 deg/s
    assert value == pytest.approx(0.0) and filled


def test_one_euro_ignores_a_wrong_value_on_single_frames():
    """A steady 90 deg knee read as 70 on one frame in three (the model putting the ankle on
    the other shin; a jump slow enough to pass the glitch gate): the output stays at 90;
    without the median it is dragged down."""
    x = [70.0 if i % 3 == 2 else 90.0 for i in range(90)]
    with_median = OneEuroFilter(default_smoothing())
    without = OneEuroFilter(smoothing_with({"median_frames": 1}))
    out = [with_median(v, i / FS)[0] for i, v in enumerate(x)]
    raw = [without(v, i / FS)[0] for i, v in enumerate(x)]
    assert out == pytest.approx([90.0] * 90)
    assert min(raw[30:]) < 85.0


def test_the_median_delays_a_step_by_one_frame():
    f = OneEuroFilter(smoothing_with({"one_euro_min_cutoff_hz": 1e6}))  # no smoothing left
    outs = [f(0.0 if i < 10 else 20.0, i / FS)[0] for i in range(14)]
    assert outs[10] == pytest.approx(0.0) and outs[11] == pytest.approx(20.0, abs=0.01)

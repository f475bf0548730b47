"""Trend plots put sessions at their true recording times: two weeks apart look two weeks
apart, and several sessions on one day stay apart and in order."""

from __future__ import annotations

import re

import pytest

from formcheck.outputs.plots import SIDE_COLORS, spread, trend_svg


def _marker_xs(svg: str, color: str, count: int) -> list[float]:
    """The x of the first ``count`` markers drawn in ``color`` (the legend's come last)."""
    xs = re.findall(rf'<use [^>]*x="([\d.]+)"[^>]*style="fill: {color}', svg)
    return [float(x) for x in xs[:count]]


def test_sessions_are_spaced_by_their_recording_dates():
    svg = trend_svg({"left": [("2026-11-01T09:00:00+00:00", 5.0),
                              ("2026-11-02T09:00:00+00:00", 6.0),
                              ("2026-11-16T09:00:00+00:00", 8.0)]}, "Longest hold (s)", 60)
    x0, x1, x2 = _marker_xs(svg, SIDE_COLORS["left"], 3)
    assert (x2 - x1) / (x1 - x0) == pytest.approx(14.0, rel=0.01)  # 14 days against 1


def test_several_sessions_on_one_day_stay_apart_and_in_order():
    svg = trend_svg({"left": [("2026-11-01T09:00:00+00:00", 5.0),
                              ("2026-11-02T09:00:00+00:00", 6.0),
                              ("2026-11-16T09:00:00+00:00", 8.0),
                              ("2026-11-16T10:00:00+00:00", 8.0)],
                     "right": [("2026-11-16T09:30:00+00:00", 8.0)]}, "Reps")
    x0, x1, a, c = _marker_xs(svg, SIDE_COLORS["left"], 4)
    (b,) = _marker_xs(svg, SIDE_COLORS["right"], 1)
    day_px = x1 - x0
    assert a < b < c  # 09:00, 09:30, 10:00
    # an hour apart in a 15-day trend is drawn 3 % of the span (0.45 day) apart
    assert b - a == pytest.approx(0.45 * day_px, rel=0.02)
    assert c - b == pytest.approx(0.45 * day_px, rel=0.02)


def test_spread_keeps_true_times_apart_from_close_runs():
    assert spread([0.0, 1.0, 5.0], 0.5) == [0.0, 1.0, 5.0]
    assert spread([0.0, 10.0, 10.1, 10.2], 1.0) == [0.0, 9.1, 10.1, 11.1]

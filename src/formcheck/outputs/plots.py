"""Report figures with matplotlib, returned as inline SVG text (no files, no fonts fetched).

Figures are made with matplotlib's object API (no pyplot), so nothing global — backend,
open figures — is touched."""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass

import numpy as np
from matplotlib import rc_context
from matplotlib.dates import AutoDateLocator, DateFormatter, date2num, num2date
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter, LogLocator, MaxNLocator, NullLocator

FAULT_COLORS = ("#d62728", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2")
HOLD_COLOR = "#2ca02c"
TARGET_COLOR = "#2ca02c"
LIMIT_COLOR = "#d62728"
SIDE_COLORS = {"left": "#1f77b4", "right": "#ff7f0e", None: "#7f7f7f"}


@dataclass(frozen=True)
class Panel:
    """One measured angle: its plain label, and the lines to draw across it."""

    feature: str
    label: str
    lines: tuple[tuple[float, str, str], ...] = ()  # (value, "target" | "limit", text)


#: Text stays text (the browser draws it, and it can be searched and read aloud) and the
#: line's points are thinned to what shows: a report's figures take a third of the time.
SVG_STYLE = {"svg.fonttype": "none", "path.simplify_threshold": 0.5}


def _figure(width_in: float, height_in: float, top_in: float = 0.45,
            bottom_in: float = 0.55, right_in: float = 0.15) -> Figure:
    """A figure with fixed margins (inches) for the axis labels and a title: a fixed
    layout, so the figure is drawn once (a "tight" bounding box draws it twice)."""
    fig = Figure(figsize=(width_in, height_in))
    fig.subplots_adjust(left=0.85 / width_in, right=1 - right_in / width_in,
                        bottom=bottom_in / height_in, top=1 - top_in / height_in, hspace=0.12)
    return fig


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    with rc_context(SVG_STYLE):
        fig.savefig(buf, format="svg")
    text = buf.getvalue()
    return text[text.index("<svg"):]


def y_limits(values: np.ndarray, lines: list[float], min_span: float) -> tuple[float, float]:
    """Limits that hold the data and the reference lines, at least ``min_span`` wide."""
    finite = values[np.isfinite(values)]
    points = np.concatenate([finite, np.asarray(lines, float)]) if len(finite) or lines \
        else np.array([0.0])
    lo, hi = float(points.min()), float(points.max())
    pad = max((min_span - (hi - lo)) / 2, (hi - lo) * 0.08)
    return lo - pad, hi + pad


def _shade(ax, reps: list[dict], faults: list[dict], colors: dict[str, str]) -> None:
    for r in reps:
        if r.get("top_s") is not None and r.get("leave_top_s") is not None:
            ax.axvspan(r["top_s"], r["leave_top_s"], color=HOLD_COLOR, alpha=0.10, lw=0)
    for f in faults:
        ax.axvspan(f["start_s"], f["end_s"], color=colors[f["fault"]], alpha=0.25, lw=0)


def angles_over_time_svg(t_s: np.ndarray, series: dict[str, np.ndarray], panels: list[Panel],
                         reps: list[dict], faults: list[dict], min_span: float,
                         hold_word: str = "hold") -> str:
    """One panel per angle, on a shared time axis: holds shaded green, each fault kind in
    its own colour and named, target lines green, fault limits red, reps numbered."""
    kinds = list(dict.fromkeys(f["fault"] for f in faults))
    colors = {k: FAULT_COLORS[i % len(FAULT_COLORS)] for i, k in enumerate(kinds)}
    fig = _figure(8, 1.8 * len(panels) + 0.9)
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    for ax, panel in zip(axes, panels, strict=True):
        values = series[panel.feature]
        ax.plot(t_s, values, color="#1f77b4", lw=1.4)
        _shade(ax, reps, faults, colors)
        for value, kind, text in panel.lines:
            color = TARGET_COLOR if kind == "target" else LIMIT_COLOR
            ax.axhline(value, color=color, lw=1.0, ls="--")
            ax.annotate(text, (1.0, value), xycoords=("axes fraction", "data"), fontsize=7,
                        color=color, ha="right", va="bottom")
        ax.set_ylim(*y_limits(values, [v for v, _, _ in panel.lines], min_span))
        ax.set_ylabel(panel.label, fontsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(4))
        ax.grid(alpha=0.3)
    for r in reps:
        axes[0].annotate(f"{r['rep']}", (r["start_s"], 1.0), xycoords=("data", "axes fraction"),
                         fontsize=8, color="#333", va="bottom")
    for f in faults:
        axes[0].annotate(f["fault"].replace("_", " "), ((f["start_s"] + f["end_s"]) / 2, 0.02),
                         xycoords=("data", "axes fraction"), fontsize=7, ha="center",
                         color=colors[f["fault"]], rotation=90, va="bottom")
    if len(t_s) and t_s[-1] > t_s[0]:
        axes[-1].set_xlim(float(t_s[0]), float(t_s[-1]))
    axes[-1].set_xlabel("time (s)")
    fig.suptitle(f"Numbers above: {hold_word} number. Green band: time held at the top. "
                 "Coloured bands: faults. Dashed: green target, red fault limit.", fontsize=8)
    return _svg(fig)


#: Sessions closer in time than this share of the trend's time span are drawn this far
#: apart (centred on their true times), so that several on one day stay readable.
TREND_MIN_GAP_SHARE = 0.03
SIDE_MARKERS = {"left": "o", "right": "s", None: "D"}


def _days(moment: str) -> float:
    """An ISO 8601 time as matplotlib's date number (days)."""
    when = dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return date2num(when if when.tzinfo else when.replace(tzinfo=dt.UTC))


def spread(times_d: list[float], min_gap_d: float) -> list[float]:
    """Positions for sorted times (days): the times themselves, except that runs closer
    than ``min_gap_d`` are spaced ``min_gap_d`` apart around their own middle."""
    out: list[float] = []
    run: list[float] = []
    for t in [*times_d, math.inf]:
        if run and t - run[-1] >= min_gap_d:
            mid = (run[0] + run[-1]) / 2
            out += [mid + (i - (len(run) - 1) / 2) * min_gap_d for i in range(len(run))]
            run = []
        run.append(t)
    return out


def trend_x(points: dict[str | None, list[tuple[str, float]]]) -> dict:
    """Each point's x (date number): true recording time, the whole trend spaced by days,
    sessions on one day pulled just far enough apart to be told apart."""
    keyed = sorted((_days(when), side, i) for side, pts in points.items()
                   for i, (when, _) in enumerate(pts))
    times = [t for t, _, _ in keyed]
    span = max(times[-1] - times[0], 1.0) if times else 1.0
    xs = spread(times, span * TREND_MIN_GAP_SHARE)
    return {(side, i): x for (_, side, i), x in zip(keyed, xs, strict=True)}


def trend_svg(points: dict[str | None, list[tuple[str, float]]], ylabel: str,
              target: float | None = None) -> str:
    """A value over recording time (``points``: per side, (ISO time, value)), one line
    per side, on a true date axis (two weeks apart look it); the target dashed."""
    fig = _figure(7.2, 2.4, top_in=0.15, right_in=1.35)  # the legend right of the axes
    ax = fig.subplots()
    xs = trend_x(points)
    for side, pts in points.items():
        if pts:
            ax.plot([xs[(side, i)] for i in range(len(pts))], [v for _, v in pts],
                    marker=SIDE_MARKERS.get(side, "D"), color=SIDE_COLORS.get(side, "#7f7f7f"),
                    label=f"{side or 'either'} side")
    if target:
        ax.axhline(target, color=TARGET_COLOR, ls="--", lw=1, label="target")
    lo, hi = min(xs.values()), max(xs.values())
    pad = max((hi - lo) * 0.06, 0.5)
    ax.set_xlim(lo - pad, hi + pad)
    ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=7))
    ax.xaxis.set_major_formatter(DateFormatter("%d %b" if hi - lo >= 2 else "%d %b %H:%M"))
    ax.tick_params(axis="x", labelsize=7)
    years = sorted({num2date(x).year for x in (lo, hi)})
    ax.set_xlabel(f"recorded ({'-'.join(map(str, years))}, UTC)", fontsize=7)
    ax.set_ylabel(ylabel, fontsize=8)
    top = max([v for pts in points.values() for _, v in pts] + [target or 0.0])
    ax.set_ylim(0, top * 1.15 if top > 0 else 1.0)  # room above the highest point
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))  # off the points
    ax.grid(alpha=0.3)
    return _svg(fig)


def hold_power_svg(holds: list[dict]) -> str:
    """Each hold's shake index over time (log scale) against the shaking threshold, with
    shaking and sag onsets marked; empty without a measured hold."""
    holds = [h for h in holds if h.get("shake_track", {}).get("t_s")]
    if not holds:
        return ""
    fig = _figure(10, 2.8, top_in=0.65)
    ax = fig.subplots()
    for h in holds:
        track = h["shake_track"]
        ax.plot(track["t_s"], track["index"], color="#1f77b4", lw=1.2)
        if h.get("shaking_from_s") is not None:
            ax.axvline(h["shaking_from_s"], color=LIMIT_COLOR, lw=1.0)
        if h.get("sag_from_s") is not None:
            ax.axvline(h["sag_from_s"], color="#ff7f0e", lw=1.0, ls="--")
    ax.axhline(holds[0]["shake_threshold"], color=LIMIT_COLOR, lw=0.8, ls=":")
    ax.set_yscale("log")
    # 1, 2, 5, 10, ... as plain numbers; no minor ticks (each tick costs drawing time)
    ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.set_xlabel("time (s)")
    ax.set_ylabel("shake index (x rest)", fontsize=8)
    ax.grid(alpha=0.3)
    ax.set_title("Shake index in the holds. Dotted: the threshold; shaking is flagged (red "
                 "line) only where the index is above it\nand has also risen well above the "
                 "hold's own first seconds. Orange dashed: a sag begins.", fontsize=9)
    return _svg(fig)

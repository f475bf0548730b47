"""Report figures with matplotlib, returned as inline SVG text (no files, no fonts fetched).

Figures are made with matplotlib's object API (no pyplot), so nothing global — backend,
open figures — is touched."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure

FAULT_COLOR = "#d62728"
REP_COLOR = "#2ca02c"


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    text = buf.getvalue()
    return text[text.index("<svg"):]


def angles_over_time_svg(t_s: np.ndarray, series: dict[str, np.ndarray], reps: list[dict],
                         faults: list[dict]) -> str:
    """One panel per feature; fault intervals shaded, rep starts and ends marked."""
    names = list(series)
    fig = Figure(figsize=(10, 2.0 * len(names) + 0.6))
    axes = fig.subplots(len(names), 1, sharex=True, squeeze=False)
    for ax, name in zip(axes[:, 0], names, strict=True):
        ax.plot(t_s, series[name], color="#1f77b4", lw=1.4)
        ax.set_ylabel(name.replace("_deg", " (deg)").replace("_", " "), fontsize=8)
        for f in faults:
            ax.axvspan(f["start_s"], f["end_s"], color=FAULT_COLOR, alpha=0.22, lw=0)
        for r in reps:
            ax.axvline(r["start_s"], color=REP_COLOR, lw=0.8, ls="--")
            if r.get("end_s") is not None:
                ax.axvline(r["end_s"], color="#7f7f7f", lw=0.6, ls=":")
        ax.grid(alpha=0.3)
    for r in reps:
        axes[0, 0].annotate(str(r["rep"]), (r["start_s"], 1.0), xycoords=("data", "axes fraction"),
                            fontsize=8, color=REP_COLOR, va="bottom")
    axes[-1, 0].set_xlabel("time (s)")
    fig.suptitle("Angles over time - shaded: faults; dashed: rep starts; dotted: rep ends",
                 fontsize=9)
    return _svg(fig)


def trend_svg(labels: list[str], values: list[float | None], ylabel: str) -> str:
    fig = Figure(figsize=(6, 2.4))
    ax = fig.subplots()
    xs = [i for i, v in enumerate(values) if v is not None]
    ys = [v for v in values if v is not None]
    ax.plot(xs, ys, marker="o", color="#1f77b4")
    if xs:
        ax.plot(xs[-1], ys[-1], marker="o", ms=10, color=FAULT_COLOR, label="this session")
        ax.legend(fontsize=8)
    ax.set_xticks(range(len(labels)), labels, rotation=30, fontsize=7)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.grid(alpha=0.3)
    return _svg(fig)


def hold_power_svg(holds: list[dict]) -> str:
    """Each hold's shake index over time (log scale) against the shaking threshold, with
    shaking and sag onsets marked; empty without a measured hold."""
    holds = [h for h in holds if h.get("shake_track", {}).get("t_s")]
    if not holds:
        return ""
    fig = Figure(figsize=(10, 2.6))
    ax = fig.subplots()
    for h in holds:
        track = h["shake_track"]
        ax.plot(track["t_s"], track["index"], color="#1f77b4", lw=1.2)
        if h.get("shaking_from_s") is not None:
            ax.axvline(h["shaking_from_s"], color=FAULT_COLOR, lw=1.0)
        if h.get("sag_from_s") is not None:
            ax.axvline(h["sag_from_s"], color="#ff7f0e", lw=1.0, ls="--")
    ax.axhline(holds[0]["shake_threshold"], color=FAULT_COLOR, lw=0.8, ls=":")
    ax.set_yscale("log")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("shake index (x rest)", fontsize=8)
    ax.grid(alpha=0.3)
    fig.suptitle("Shaking in the holds - dotted: threshold; red: shaking from; orange dashed: "
                 "sag from", fontsize=9)
    return _svg(fig)

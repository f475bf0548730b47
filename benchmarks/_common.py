"""Helpers for the benchmark scripts: where the shared clips are, and a cache of landmark
recordings so the model runs once per clip."""

from __future__ import annotations

import argparse
from pathlib import Path

from formcheck.cli import main as formcheck_main

REPO = Path(__file__).resolve().parents[1]
SHARED_CLIPS = REPO.parent / "shared" / "clips"


def base_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--clips", type=Path, default=SHARED_CLIPS,
                        help="folder of the shared clips (default: ../shared/clips)")
    parser.add_argument("--cache", type=Path, default=REPO / "benchmarks" / ".cache",
                        help="where landmark recordings of the clips are kept between runs")
    return parser


def recording_for(video: Path, cache: Path, model: Path | None = None) -> Path:
    """The clip's landmark recording, made with the real model (the bundled one, or
    ``model``, cached apart) on first use."""
    if model is not None:
        cache = cache / model.stem
    out = cache / (video.stem + ".landmarks.jsonl")
    if not out.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".partial")
        extra = ["--model", str(model)] if model is not None else []
        if formcheck_main(["extract", str(video), "-o", str(tmp), *extra]) != 0:
            raise SystemExit(f"extraction failed for {video}")
        tmp.replace(out)
    return out

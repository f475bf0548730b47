"""Loading the signal-cleaning defaults from ``signal.toml``, with overrides."""

from __future__ import annotations

import dataclasses
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from formcheck.features.smoothing import SmoothingParams


@cache
def default_smoothing() -> SmoothingParams:
    data = tomllib.loads((resources.files("formcheck.features") / "signal.toml").read_text("utf-8"))
    return SmoothingParams(**data)


def smoothing_with(overrides: dict[str, Any]) -> SmoothingParams:
    return dataclasses.replace(default_smoothing(), **overrides)

"""Mutations of real input files, for property-based tests (tests/test_fuzz_inputs.py) and
the longer run in benchmarks/fuzz_inputs.py.

The property: whatever the mutation, reading the file (and, when it reads, analysing it)
gives a result or a formcheck error, never another exception.
"""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from formcheck.errors import FormcheckError

EXERCISES = Path(__file__).resolve().parents[1] / "src" / "formcheck" / "analysis" / "exercises"

#: Any JSON value, including the non-standard NaN and Infinity Python's json writes/reads.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**30, 10**30)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                  max_size=3),
    max_leaves=8)

#: Any TOML value (TOML has no null).
toml_values = st.recursive(
    st.booleans() | st.integers(-10**9, 10**9)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                  max_size=3),
    max_leaves=6)


@st.composite
def byte_mutations(draw, base: bytes) -> bytes:
    """Flip, delete, insert or cut bytes of ``base``."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["flip", "delete", "insert", "cut"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 200))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=20))
        else:
            del data[at:]
    return bytes(data)


def _paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path into nested dicts and lists."""
    out = [prefix] if prefix else []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:3]):  # a few elements of long arrays are enough
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def value_mutations(draw, obj: Any, values) -> Any:
    """``obj`` (parsed JSON or TOML) with one value replaced, a key deleted or added."""
    obj = json.loads(json.dumps(obj))  # a deep copy
    paths = _paths(obj)
    path = draw(st.sampled_from(paths))
    parent = obj
    for key in path[:-1]:
        parent = parent[key]
    kind = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
    if kind == "replace":
        parent[path[-1]] = draw(values)
    elif kind == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[draw(st.text(max_size=6))] = draw(values)
    else:
        parent.append(draw(values))
    return obj


@st.composite
def recording_mutations(draw, lines: list[str]) -> bytes:
    """A real recording (``lines``) with bytes or one line's values mutated."""
    if draw(st.booleans()):
        return draw(byte_mutations("".join(line + "\n" for line in lines).encode()))
    i = draw(st.integers(0, len(lines) - 1))
    changed = draw(value_mutations(json.loads(lines[i]), json_values))
    out = list(lines)
    out[i] = json.dumps(changed)
    return "".join(line + "\n" for line in out).encode()


@st.composite
def exercise_mutations(draw) -> tuple[str, bytes]:
    """A real exercise file mutated, as (name, TOML bytes)."""
    path = draw(st.sampled_from(sorted(EXERCISES.glob("*.toml"))))
    raw = path.read_bytes()
    if draw(st.booleans()):
        return path.name, draw(byte_mutations(raw))
    changed = draw(value_mutations(tomllib.loads(raw.decode()), toml_values))
    return path.name, _toml(changed).encode()


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if isinstance(v, (int, float, str)):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"


def _toml(data: dict) -> str:
    """A TOML document for ``data`` (tables of scalars, arrays of tables)."""
    lines, tables = [], []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append(f"\n[{json.dumps(key)}]\n" + "".join(
                f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in value.items()))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                tables.append(f"\n[[{json.dumps(key)}]]\n" + "".join(
                    f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in item.items()))
        else:
            lines.append(f"{json.dumps(key)} = {_toml_value(value)}")
    return "\n".join(lines) + "\n" + "".join(tables)


def analyse_recording(path: Path, exercise) -> str:
    """Read and analyse a recording; "ok" or "error" (a formcheck error)."""
    from formcheck.analysis import Engine, run_session
    from formcheck.capture import open_poses

    try:
        with open_poses(path) as stream:
            run_session(stream, Engine(exercise))
            stream.warnings  # noqa: B018 - computing the warnings must not fail either
    except FormcheckError:
        return "error"
    return "ok"


def load_and_run_exercise(path: Path, poses: list) -> str:
    """Load an exercise file and, when it loads, run it over ``poses``."""
    from formcheck.analysis import Engine, check_frame_rate, load_exercise_file, run_session

    try:
        exercise = load_exercise_file(path)
        check_frame_rate(exercise, 30.0, "the recording")
        run_session(((None, p) for p in poses), Engine(exercise))
    except FormcheckError:
        return "error"
    return "ok"

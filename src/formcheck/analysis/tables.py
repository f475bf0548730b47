"""Typed tables from parsed TOML: frozen dataclasses built field by field, every problem
collected with its key path (``faults[2].above: expected a number, got 'ninety'``) so a
file's author sees everything to fix at once.  Unknown keys are problems."""

from __future__ import annotations

import math
from dataclasses import MISSING, fields
from typing import Any, get_args, get_origin, get_type_hints

from formcheck.errors import ExerciseError


class Problems(list):
    def add(self, path: str, message: str) -> None:
        self.append(f"{path}: {message}")

    def raise_if_any(self, source: str, what: str) -> None:
        """Every problem at once, as one ExerciseError naming the file (``source``)."""
        if self:
            where = f"{source}: " if source else ""
            raise ExerciseError(f"{where}{len(self)} problem(s) in the {what}: "
                                + "; ".join(self))


_TYPE_NAMES = {float: "a number", "finite": "a finite number", int: "a whole number",
               str: "text", bool: "true or false"}


def _check_list(value: Any, item: type, path: str, problems: Problems) -> tuple:
    def ok(v: Any) -> bool:
        if item is float:
            return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        return isinstance(v, item) and not isinstance(v, bool)
    if not isinstance(value, list) or not all(ok(v) for v in value):
        what = "names" if item is str else _TYPE_NAMES[item].removeprefix("a ") + "s"
        problems.add(path, f"expected a list of {what}, got {value!r}")
        return ()
    return tuple(float(v) if item is float else v for v in value)


def _check_value(value: Any, hint: Any, path: str, problems: Problems) -> Any:
    if get_origin(hint) is tuple:
        return _check_list(value, get_args(hint)[0], path, problems)
    args = [a for a in get_args(hint) if a is not type(None)]
    base = args[0] if args else hint
    ok = (isinstance(value, (int, float)) and not isinstance(value, bool)) if base is float \
        else isinstance(value, base) and not (base is int and isinstance(value, bool))
    if ok and base is float and not math.isfinite(value):
        ok, base = False, "finite"
    if not ok:
        problems.add(path, f"expected {_TYPE_NAMES.get(base, base)}, got {value!r}")
        return None
    return float(value) if base is float else value


def build(cls: type, data: Any, path: str, problems: Problems,
           nested: dict[str, Any] | None = None) -> Any:
    """Build dataclass ``cls`` from a TOML table, recording problems; None if any."""
    if data is None:
        problems.add(path, "missing")
        return None
    if not isinstance(data, dict):
        problems.add(path or "(top level)", f"expected a table, got {data!r}")
        return None
    before = len(problems)
    nested = nested or {}
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls)} - set(nested) - {"source_path", "sha256"}
    prefix = f"{path}." if path else ""
    for key in data:
        if key not in known and key not in nested:
            problems.add(f"{prefix}{key}", "unknown key")
    kwargs = dict(nested)
    for f in fields(cls):
        if f.name not in known:
            continue
        if f.name in data:
            kwargs[f.name] = _check_value(data[f.name], hints[f.name], f"{prefix}{f.name}",
                                          problems)
        elif f.default is MISSING and f.default_factory is MISSING:
            problems.add(f"{prefix}{f.name}", "missing")
    if len(problems) > before or any(v is None for k, v in nested.items()
                                     if k in ("movement", "dose")):
        return None
    return cls(**kwargs)


def choice(value: str, options: tuple[str, ...], path: str, problems: Problems) -> None:
    if value not in options:
        problems.add(path, f"expected one of {', '.join(options)}, got {value!r}")

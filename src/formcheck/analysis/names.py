"""Exercise names as people type them: short aliases from the exercise files, and a
"did you mean" for a typo."""

from __future__ import annotations

import difflib

from formcheck.analysis.exercise import Exercise
from formcheck.errors import ExerciseError


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def resolve_name(name: str, catalog: dict[str, Exercise]) -> str:
    """The built-in exercise ``name`` stands for (its name or one of its aliases, in any
    case, with - or _ or spaces); raises ExerciseError with the closest names otherwise."""
    known = {_key(n): n for n in catalog}
    known.update({_key(a): n for n, ex in catalog.items() for a in ex.aliases})
    if _key(name) in known:
        return known[_key(name)]
    close = difflib.get_close_matches(_key(name), list(known), n=3, cutoff=0.6)
    hint = (f"did you mean {' or '.join(dict.fromkeys(known[c] for c in close))}?" if close
            else f"built-in exercises: {', '.join(catalog)}")
    raise ExerciseError(f"unknown exercise {name!r}; {hint} (or pass the path of an "
                        "exercise .toml file)")


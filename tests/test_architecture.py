"""The layering rules, checked on the source: data flows one way through the stages
(capture -> features -> analysis -> outputs / validation -> commands -> cli), a stage uses
another only through its package (its ``__init__``), mediapipe in one module, OpenCV only
at the edges (capture and outputs), printing and exit codes only in the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "formcheck"

#: Each stage's rank: a module may import its own stage and lower ranks only.
#: Modules at the top of the package that every stage may use rank 0.
STAGE_RANK = {"errors": 0, "_lazy": 0, "capture": 1, "features": 2, "analysis": 3,
              "outputs": 4, "validation": 4, "commands": 5, "cli": 6, "__main__": 7}
MEDIAPIPE_MODULE = "capture/pose.py"
CV2_STAGES = {"capture", "outputs"}


def stage_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imports_and_calls(source: str) -> tuple[set[str], list[str], set[str]]:
    """Top-level libraries imported, formcheck modules imported, names called."""
    tree = ast.parse(source)
    libraries, internal, called = set(), [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                libraries.add(alias.name.split(".")[0])
                if alias.name.startswith("formcheck."):
                    internal.append(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module:
            libraries.add(node.module.split(".")[0])
            if node.module.startswith("formcheck"):
                internal.append(node.module)
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                called.add(func.id)
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                called.add(f"{func.value.id}.{func.attr}")
    return libraries, internal, called


def layering_problems(path: Path, source: str) -> list[str]:
    """What in ``source`` (the text of module ``path``) breaks the layering rules."""
    stage = stage_of(path)
    rel = path.relative_to(PACKAGE).as_posix()
    libraries, internal, called = imports_and_calls(source)
    problems = []
    for module in internal:
        parts = module.split(".")
        if len(parts) == 1:  # "from formcheck import __version__"
            continue
        target = parts[1]
        if target not in STAGE_RANK:
            problems.append(f"{rel}: unknown formcheck module {module}")
        elif target != stage and STAGE_RANK[target] >= STAGE_RANK[stage]:
            problems.append(f"{rel}: {stage} imports {module}, which is not upstream of it")
        elif target != stage and len(parts) > 2 and STAGE_RANK[target] > 0:
            problems.append(f"{rel}: imports {module}; use the package 'formcheck.{target}'")
    if "mediapipe" in libraries and rel != MEDIAPIPE_MODULE:
        problems.append(f"{rel}: imports mediapipe (only {MEDIAPIPE_MODULE} may)")
    if "cv2" in libraries and stage not in CV2_STAGES:
        problems.append(f"{rel}: imports cv2 (only {sorted(CV2_STAGES)} may)")
    if stage not in ("cli", "__main__") and called & {"print", "sys.exit"}:
        problems.append(f"{rel}: prints or exits (only the CLI may)")
    return problems


def test_layering():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 25
    problems = [p for path in modules for p in layering_problems(path, path.read_text())]
    assert problems == []


def test_every_stage_is_a_package_with_an_init():
    for stage, rank in STAGE_RANK.items():
        if 0 < rank < 6:
            assert (PACKAGE / stage / "__init__.py").is_file(), stage


@pytest.mark.parametrize("module, line, expected", [
    # an upward import: capture may not know about analysis
    ("capture/sources.py", "from formcheck.analysis import Engine", "not upstream"),
    # a sideways one between outputs and validation
    ("outputs/report.py", "from formcheck.validation import score_clip", "not upstream"),
    # reaching past a stage's package into its modules
    ("outputs/report.py", "from formcheck.analysis.engine import Engine", "use the package"),
    ("features/named.py", "import mediapipe", "imports mediapipe"),
    ("analysis/engine.py", "import cv2", "imports cv2"),
    ("analysis/reps.py", "print('x')", "prints or exits"),
])
def test_the_rules_catch_a_violation(module, line, expected):
    path = PACKAGE / module
    source = path.read_text() + "\n" + line + "\n"
    assert layering_problems(path, path.read_text()) == []
    assert any(expected in p for p in layering_problems(path, source))


def test_modules_stay_small():
    too_long = {p.relative_to(PACKAGE).as_posix(): n for p in PACKAGE.rglob("*.py")
                if (n := len(p.read_text().splitlines())) > 310}
    assert too_long == {}

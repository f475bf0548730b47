"""The layering rules, checked on the source: mediapipe in one module, OpenCV only at the
edges (sources and sinks), printing and exit codes only in the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "formcheck"
CV2_ALLOWED = {"sources.py", "draw.py", "live.py", "report.py"}


def imports_and_calls(path: Path) -> tuple[set[str], set[str]]:
    tree = ast.parse(path.read_text())
    imported, called = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                called.add(func.id)
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                called.add(f"{func.value.id}.{func.attr}")
    return imported, called


def test_layering():
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) > 10
    for path in modules:
        imported, called = imports_and_calls(path)
        if path.name != "pose.py":
            assert "mediapipe" not in imported, path.name
        if path.name not in CV2_ALLOWED:
            assert "cv2" not in imported, path.name
        if path.name not in ("cli.py", "__main__.py"):
            assert "print" not in called and "sys.exit" not in called, path.name

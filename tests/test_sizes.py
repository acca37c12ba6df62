"""Pieces a reader can hold (issue 12): no source file in src/ over 600 lines, no class over 300 lines.

The type stubs of pykro.integrations (``*.pyi``) are generated from the shipped CRDs (``python -m
pykro.integrations._stubs``) and not read by hand: they are not counted."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "pykro"
MAX_FILE_LINES = 600
MAX_CLASS_LINES = 300


def _sources() -> list[Path]:
    found = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
    assert len(found) > 100  # the walk found the package
    return found


def test_no_source_file_is_over_600_lines() -> None:
    sizes = {p: len(p.read_text(encoding="utf-8").splitlines()) for p in _sources()}
    long = [f"{p.relative_to(PACKAGE)}: {n} lines" for p, n in sizes.items() if n > MAX_FILE_LINES]
    assert long == [], f"split these files (at most {MAX_FILE_LINES} lines): " + ", ".join(long)


def test_no_class_is_over_300_lines() -> None:
    long: list[str] = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_CLASS_LINES:
                    long.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.name}, {lines} lines")
    assert long == [], f"split these classes (at most {MAX_CLASS_LINES} lines): " + ", ".join(long)

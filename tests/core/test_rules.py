"""Project rules for the civic core: no Rasa imports, no Korean wording in Python."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "sotong"
CORE_FILES = sorted(
    [
        *(ROOT / "complaints").glob("*.py"),
        *(ROOT / "notifications").glob("*.py"),
        *(ROOT / "faq").glob("*.py"),
        ROOT / "deadlines.py",
        ROOT / "cli.py",
    ]
)
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Modules that *read* Korean (patterns for resident input) rather than say it.
READS_KOREAN = {"free_text.py"}


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_rasa_imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        assert not any(n.split(".")[0] in ("rasa", "rasa_sdk") for n in names), f"{path}: imports {names}"


def _docstrings(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                yield body[0].value


@pytest.mark.parametrize(
    "path", [p for p in CORE_FILES if p.name not in READS_KOREAN], ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_korean_wording_in_python(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(d) for d in _docstrings(tree)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            assert not HANGUL.search(node.value), f"{path}:{node.lineno}: Korean text belongs in district YAML"

"""Names say what things are: no private name is used from another module, and no comment or
docstring names a thing after the issue it came from."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "emploi_cli"
KNOWN: set[tuple[str, str]] = set()
NOT_YET: set[str] = set()
# A named tuple's public API: underscored only so that no field name can clash with it.
NAMED_TUPLE_API = {"_replace", "_fields", "_field_defaults", "_make", "_asdict"}


def _package_modules() -> set[str]:
    return {path.stem for path in SRC.rglob("*.py")} | {"m"}


def _private_uses(tree: ast.AST, modules: set[str]) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            found |= {f"import {a.name}" for a in node.names
                      if a.name.startswith("_") and not a.name.startswith("__")}
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id in modules and node.attr.startswith("_")
              and not node.attr.startswith("__") and node.attr not in NAMED_TUPLE_API):
            found.add(f"{node.value.id}.{node.attr}")
    return found


def test_no_private_name_crosses_modules():
    modules = _package_modules()
    found = {(str(path.relative_to(SRC)), use) for path in sorted(SRC.rglob("*.py"))
             for use in _private_uses(ast.parse(path.read_text(encoding="utf-8")), modules)}
    assert found - KNOWN == set()


def test_nothing_is_named_after_an_issue():
    pattern = re.compile(r"\b[Ii]ssues? ?#?\d+")
    found = [f"{path.relative_to(ROOT)}:{number}"
             for folder in (SRC, ROOT / "tests") for path in sorted(folder.rglob("*.py"))
             if str(path.relative_to(SRC) if path.is_relative_to(SRC) else path) not in NOT_YET
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if pattern.search(line) and path.name != "test_names.py"]
    assert found == []

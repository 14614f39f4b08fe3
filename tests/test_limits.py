"""Each limit (largest amount, decimals, largest count, first year, number styles, id patterns)
is defined once, in domain/limits.py, and every way in checks against it."""

from __future__ import annotations

import ast
import json
from decimal import Decimal
from pathlib import Path

from emploi_cli.domain import limits

SRC = Path(__file__).resolve().parent.parent / "src" / "emploi_cli"
NAMES = {"MAX_MONEY", "MONEY_PLACES", "MAX_COUNT", "MIN_YEAR", "DECIMAL_MARKS", "SPACES",
         "THOUSANDS_SEPARATORS", "DELIMITERS", "ID", "ENTRY_ID", "ID_PATTERN",
         "ENTRY_ID_PATTERN", "ID_RULE", "ENTRY_ID_RULE"}
TUPLES = {limits.DECIMAL_MARKS, limits.SPACES, limits.THOUSANDS_SEPARATORS, limits.DELIMITERS}
PATTERNS = (limits.ID_PATTERN, limits.ENTRY_ID_PATTERN, "{1,64}", "a-z0-9_.")


def _copies(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        where = f"line {getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = ast.unparse(node.value) if node.value else ""
            found += [f"{where}: {t.id} =" for t in targets
                      if isinstance(t, ast.Name) and t.id.lstrip("_") in NAMES
                      and not value.startswith("limits.")]
        elif isinstance(node, ast.Tuple) and all(isinstance(e, ast.Constant) for e in node.elts):
            if tuple(e.value for e in node.elts) in TUPLES:
                found.append(f"{where}: {ast.unparse(node)}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [f"{where}: {node.value!r}" for p in PATTERNS if p in node.value]
        elif isinstance(node, ast.Constant) and node.value in (10**12, 10**13):
            found.append(f"{where}: {node.value}")
        elif isinstance(node, ast.BinOp) and ast.unparse(node).replace(" ", "") == "10**12":
            found.append(f"{where}: 10**12")
        elif (isinstance(node, ast.Call) and ast.unparse(node.func) == "Decimal" and any(
                isinstance(a, ast.Constant) and str(a.value) in ("1e9", "1E9", "1000000000")
                for a in node.args)) or (
                isinstance(node, ast.Compare) and "year" in ast.unparse(node.left) and any(
                    isinstance(c, ast.Constant) and c.value == limits.MIN_YEAR
                    for c in node.comparators)):
            found.append(f"{where}: {ast.unparse(node)}")
    return found


def test_no_module_keeps_its_own_copy_of_a_limit():
    found = {str(path.relative_to(SRC)): copies for path in sorted(SRC.rglob("*.py"))
             if path.name != "limits.py"
             and (copies := _copies(ast.parse(path.read_text(encoding="utf-8"))))}
    assert found == {}


def test_the_scan_finds_copies():
    found = _copies(ast.parse('MAX_MONEY = Decimal("1e9")\nx = 10**12\n'
                              'y = (",", ";", "\\t", "|")\nif d.year < 1900: pass\n'
                              'z = r"^[a-z0-9][a-z0-9_.\\-]*$"\n'))
    assert {f.split(":")[0] for f in found} == {f"line {n}" for n in range(1, 6)}


def test_limits_hold_for_what_is_typed(emploi, ledger):
    """A figure past a limit is refused where it is typed, naming the field, as reading the
    ledger would refuse it."""
    too_many = str(limits.MAX_COUNT + 1)
    result = emploi("record", "c1.insertion", too_many, "-l", str(ledger))
    assert result.exit_code == 1
    assert result.stderr == (f"emploi: {ledger}: error: value {too_many} is beyond any "
                             "plausible count\n")
    too_much = f"{limits.MAX_MONEY * 10:f}"
    result = emploi("disburse", "c1", too_much, "-l", str(ledger), "-f", "json")
    assert result.exit_code == 1
    assert result.stderr == (f"emploi: {ledger}: error: amount {too_much} MDH is beyond any "
                             "plausible amount\n")
    assert Decimal(too_much) > limits.MAX_MONEY
    ok = emploi("record", "c1.insertion", "5", "-l", str(ledger), "-f", "json")
    assert json.loads(ok.stdout)["entry"]["value"] == 5

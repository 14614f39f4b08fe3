"""Problems are data: each names its code, the entry and field it concerns and its place, and
nothing decides by the English text of a message."""

from __future__ import annotations

import ast
import itertools
import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from emploi_cli.domain import entries
from emploi_cli.domain import model as m
from emploi_cli.store import reading

from .conftest import SHIPPED

BASE = SHIPPED.read_text(encoding="utf-8")
SRC = Path(__file__).resolve().parent.parent / "src" / "emploi_cli"


def _problems(emploi, path: Path) -> list[dict]:
    result = emploi("check", "-l", str(path), "-f", "json")
    return json.loads(result.stdout)["problems"]


@pytest.mark.parametrize(("old", "new", "code", "entry", "field"), [
    ("quantity = 5460", "quantity = -5460", "negative", "c1.employabilite", "quantity"),
    ("amount = 32.00", "amount = inf", "not-finite", "c2", "amount"),
    ('id = "c2"', 'id = "C2"', "bad-id", "C2", "id"),
    ("total = 406.80", "total = 406.90", "total-mismatch", "fes-meknes", "total"),
    ("end = 2022-12-31", "end = 2019-12-31", "period", "fes-meknes", "end"),
    ('conventions = ["c1", "c2"]', 'conventions = ["c1", "c3"]', "unknown-ref", "region",
     "conventions"),
    ('quantity = 1500\nunit = "personnes"', 'quantity = 1500\nunit = "jeunes"', "unit-mismatch",
     "c2.employabilite", "unit"),
])
def test_check_names_the_entry_and_field(emploi, tmp_path, old, new, code, entry, field):
    path = tmp_path / "l.toml"
    assert old in BASE
    path.write_text(BASE.replace(old, new, 1), encoding="utf-8")
    found = [p for p in _problems(emploi, path) if p["code"] == code]
    assert found, code
    assert (found[0]["entry"], found[0]["field"]) == (entry, field)


def test_journal_problems_name_their_entry(emploi, tmp_path):
    path = tmp_path / "l.toml"
    path.write_text(BASE + '\n[[progress]]\nid = "p-late"\ndate = 2099-01-01\n'
                    'target = "c1.insertion"\nvalue = 3\n\n[[progress]]\nid = "p-odd"\n'
                    'date = 2021-01-01\ntarget = "c9"\nvalue = 3\n', encoding="utf-8")
    problems = {(p["code"], p["entry"], p["field"]) for p in _problems(emploi, path)}
    assert ("unknown-ref", "p-odd", "target") in problems
    path.write_text(BASE + '\n[[progress]]\nid = "p-late"\ndate = 2099-01-01\n'
                    'target = "c1.insertion"\nvalue = 3\n', encoding="utf-8")
    problems = {(p["code"], p["entry"], p["field"]) for p in _problems(emploi, path)}
    assert ("future-date", "p-late", "date") in problems


def _ledger() -> m.Ledger:
    loaded = reading.load(SHIPPED)
    assert loaded.ledger is not None
    return loaded.ledger


@pytest.mark.parametrize(("call", "code", "entry", "field"), [
    (dict(convention="c9", amount=Decimal(1), kind="disbursement"), "unknown-ref", "c9",
     "convention"),
    (dict(convention="c1", amount=Decimal(1), kind="disbursement", funder="state"),
     "unknown-ref", "state", "funder"),
    (dict(convention="c1", amount=Decimal(0), kind="disbursement"), "bad-amount", "", "amount"),
    (dict(convention="c1", amount=Decimal(1), kind="gift"), "bad-value", "", "kind"),
    (dict(convention="c1", amount=Decimal(1), kind="disbursement", day=date(2023, 1, 1)),
     "future-date", "", "date"),
])
def test_refusals_name_their_field(call, code, entry, field):
    stamp = entries.Stamp.now("t")
    args = {"day": date(2021, 1, 1), **call}
    with pytest.raises(m.EmploiError) as caught:
        entries.transaction(_ledger(), today=date(2022, 6, 30), stamp=stamp, **args)
    (problem,) = caught.value.problems
    assert (problem.code, problem.entry, problem.field) == (code, entry, field)
    assert problem.is_error and problem.args


def test_refusal_is_one_error():
    refused = m.refusal("negative", "value must not be negative ({value})", field="value",
                        args={"value": -3}, place=m.Place("l.toml"))
    assert isinstance(refused, m.EmploiError) and refused.exit_code == 1
    assert refused.problems == [m.Problem("error", "negative", "value must not be negative (-3)",
                                          m.Place("l.toml"), "", "value", (("value", "-3"),),
                                          "value must not be negative ({value})")]


# ---- no decision reads a message's text --------------------------------------------------


def _reworded(monkeypatch) -> None:
    """Every problem made from now on says only its code: the English text is gone."""
    error, warning = m.error, m.warning
    monkeypatch.setattr(m, "error", lambda code, message, *a, **k: error(code, f"<{code}>",
                                                                           *a, **k))
    monkeypatch.setattr(m, "warning", lambda code, message, *a, **k: warning(
        code, f"<{code}>", *a, **k))


def _behaviour(emploi, folder: Path, monkeypatch) -> list:
    """Commands whose outcome once depended on a message's text; what they did, as data."""
    counter = itertools.count(1)
    monkeypatch.setattr(entries, "new_id", lambda now_ms=None: f"{next(counter):016d}")
    folder.mkdir()
    seen: list = []
    ledger = folder / "conventions.toml"
    shutil.copyfile(SHIPPED, ledger)

    def run(*args):
        result = emploi(*args, "-l", str(ledger))
        lines = [line.split(": error: ")[0].split(": warning: ")[0]
                 for line in result.stderr.splitlines()]
        seen.append((args[0], result.exit_code, lines))
        return result

    # reconcile prints the finding about the assertion just written, not the older ones
    run("record", "c1.insertion", "100", "--date", "2021-01-31")
    run("reconcile", "c1.insertion", "150", "--date", "2021-03-31", "--source", "ANAPEC")
    run("reconcile", "c1.insertion", "170", "--date", "2021-04-30", "--source", "ANAPEC")
    run("reconcile", "c1.insertion", "100", "--date", "2021-05-31", "--source", "ANAPEC")
    # an amendment is refused for a new inconsistency, not for one already there
    text = ledger.read_text(encoding="utf-8").replace("amount = 160.00", "amount = 450.00")
    ledger.write_text(text, encoding="utf-8")
    for subject in (("--target", "c1.insertion", "--quantity", "100"),
                    ("--funder", "region", "--amount", "470"),
                    ("--convention", "c2", "--amount", "35")):
        run("amend", *subject, "--reference", "A1", "--reason", "test", "--date", "2021-06-01")
    # an import's refused row names the cell of the field refused
    sheet = folder / "t.csv"
    sheet.write_text("Indicateur,Nombre,Date\nc1.insertio,5,2021-06-30\nc1.insertion,-1,"
                     "2021-06-30\nc1.insertion,5,2023-06-30\n", encoding="utf-8")
    result = run("import", str(sheet), "--kind", "progress", "--map", "target=Indicateur",
                 "--map", "value=Nombre", "--map", "date=Date", "-f", "json")
    seen.append([(p["code"], p["entry"], p["field"], p["path"])
                 for row in json.loads(result.stdout)["rows"] for p in row["problems"]])
    seen.append([(p["code"], p["entry"], p["field"], p["path"])
                 for p in _problems(emploi, ledger)])
    return [item if not isinstance(item, tuple) else (item[0], item[1], [
        line.replace(str(folder), "<dir>") for line in item[2]]) for item in seen]


def test_no_decision_reads_a_message(emploi, tmp_path, monkeypatch):
    as_is = _behaviour(emploi, tmp_path / "a", monkeypatch)
    _reworded(monkeypatch)
    reworded = _behaviour(emploi, tmp_path / "b", monkeypatch)
    assert reworded == as_is
    reconciles = [item for item in as_is if item[0] == "reconcile"]
    assert [(code, len(lines)) for _, code, lines in reconciles] == [(4, 1), (4, 1), (0, 1)]
    amends = [code for kind, code, _ in as_is[4:7] if kind == "amend"]
    assert amends == [0, 1, 1]


def _message_decisions(tree: ast.AST) -> list[int]:
    """Lines where `x.message` is compared, tested, sliced or searched."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr == "message"):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Attribute | ast.Subscript):
            found.append(node.lineno)
            continue
        while parent is not None and not isinstance(parent, ast.stmt):
            if isinstance(parent, ast.Compare):
                found.append(node.lineno)
                break
            parent = parents.get(parent)
    return found


def test_no_module_compares_or_searches_a_message():
    found = {str(path.relative_to(SRC)): lines for path in sorted(SRC.rglob("*.py"))
             if (lines := _message_decisions(ast.parse(path.read_text(encoding="utf-8"))))}
    assert found == {}


# ---- one way to refuse -------------------------------------------------------------------


def _refusal_makers(tree: ast.AST) -> list[str]:
    """Functions returning a new EmploiError, and raises that wrap `error(...)` by hand."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if (isinstance(inner, ast.Return) and isinstance(inner.value, ast.Call)
                        and ast.unparse(inner.value.func).split(".")[-1] in (
                            "EmploiError", "refusal")):
                    found.append(node.name)
        if (isinstance(node, ast.Call) and ast.unparse(node.func).endswith("EmploiError")
                and node.args and isinstance(node.args[0], ast.Call)
                and ast.unparse(node.args[0].func).split(".")[-1] == "error"):
            found.append(f"line {node.lineno}")
    return found


def test_one_refusal_helper():
    """`model.refusal` is the one helper that makes a refusal, in every layer."""
    found = {str(path.relative_to(SRC)): names for path in sorted(SRC.rglob("*.py"))
             if (names := _refusal_makers(ast.parse(path.read_text(encoding="utf-8"))))}
    model = found.pop("domain/model.py")
    assert [name for name in model if not name.startswith("line")] == ["refusal"]
    assert found == {}


def test_reconcile_names_its_finding_when_other_entries_follow_in_the_journal(emploi, ledger):
    """Locks and profiles come after assertions in the journal: the finding is still found by
    the id of the assertion just written."""
    assert emploi("close", "2021-Q1", "-l", str(ledger)).exit_code == 0
    result = emploi("reconcile", "c1.insertion", "150", "--date", "2021-06-30", "--source",
                    "ANAPEC", "-l", str(ledger))
    assert result.exit_code == 4
    (line,) = result.stderr.splitlines()
    assert "[assertions[0]]: error: assertion " in line

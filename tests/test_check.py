"""Every check rule with a ledger that breaks it; every bad input."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from .conftest import SHIPPED

BASE = SHIPPED.read_text(encoding="utf-8")


def _write(tmp_path, text: str, name: str = "l.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _check(emploi, path, *extra):
    return emploi("check", "-l", str(path), *extra)


def _problems(emploi, path):
    result = _check(emploi, path, "-f", "json")
    return result.exit_code, json.loads(result.stdout)["problems"]


def test_shipped_ledger_is_clean(emploi):
    result = _check(emploi, SHIPPED)
    assert result.exit_code == 0, result.stdout
    assert result.stdout == "No problems.\n"
    data = json.loads(_check(emploi, SHIPPED, "-f", "json").stdout)
    assert data == {"ok": True, "errors": 0, "warnings": 0, "problems": []}


BROKEN = [
    # (name, replace this, with this, code, key path, line)
    ("syntax", 'title = "Projet d\'appui', 'title = "Projet d\'appui\n', "toml-syntax", "", True),
    ("format-version", "format = 1", "format = 2", "format-version", "format", True),
    ("format-missing", "format = 1", "", "missing", "format", None),
    ("missing-title", 'title = "Projet d\'appui à la création d\'opportunités d\'emploi"\n', "",
     "missing", "conventions[0].title", None),
    ("quantity-string", "quantity = 20815", 'quantity = "20815"', "type",
     "conventions[0].targets[0].quantity", True),
    ("quantity-negative", "quantity = 5460", "quantity = -5460", "negative",
     "conventions[0].targets[1].quantity", True),
    ("quantity-float", "quantity = 1500", "quantity = 1500.5", "not-integer",
     "conventions[1].targets[0].quantity", True),
    ("quantity-nan", "quantity = 17", "quantity = nan", "not-finite",
     "conventions[1].targets[1].quantity", True),
    ("amount-inf", "amount = 32.00", "amount = inf", "not-finite", "conventions[1].amount", True),
    ("amount-string", "amount = 374.80", 'amount = "374,80"', "type", "conventions[0].amount",
     True),
    ("uppercase-id", 'id = "c2"', 'id = "C1"', "bad-id", "conventions[1].id", True),
    ("duplicate-convention", 'id = "c2"', 'id = "c1"', "duplicate-id", "conventions[1].id",
     True),
    ("duplicate-target", 'id = "c2.espaces"', 'id = "c1.insertion"', "duplicate-id",
     "conventions[1].targets[1].id", True),
    ("unknown-funder-convention", 'conventions = ["c1", "c2"]', 'conventions = ["c1", "c3"]',
     "unknown-ref", "funders[0].conventions", True),
    ("unknown-source", 'amount = 32.00\nsource = "article"', 'amount = 32.00\nsource = "press"',
     "unknown-ref", "conventions[1].source", True),
    ("total-mismatch", "total = 406.80", "total = 406.90", "total-mismatch", "programme.total",
     True),
    ("funders-above-total", "amount = 160.00", "amount = 460.00", "funders-above-total",
     "funders", None),
    ("end-before-start", "end = 2022-12-31", "end = 2019-12-31", "period", "programme.end", True),
    ("date-as-string", "start = 2020-01-01", 'start = "2020-01-01"', "type", "programme.start",
     True),
    ("bad-reporting", 'reporting = "cumulative"\nsource = "article"\n\n# The',
     'reporting = "running"\nsource = "article"\n\n# The', "bad-value",
     "conventions[1].targets[1].reporting", True),
    ("unit-mismatch", 'quantity = 1500\nunit = "personnes"', 'quantity = 1500\nunit = "jeunes"',
     "unit-mismatch", "conventions[1].targets[0].unit", True),
    ("table-as-array", "[programme]", "programme = [1]\n[other]", "type", "programme", None),
]


@pytest.mark.parametrize(("name", "old", "new", "code", "path", "line"), BROKEN,
                         ids=[b[0] for b in BROKEN])
def test_each_rule(emploi, tmp_path, name, old, new, code, path, line):
    assert old in BASE, old
    text = BASE.replace(old, new, 1)
    ledger = _write(tmp_path, text)
    if line is True:
        line = BASE[: BASE.index(old)].count("\n") + 1
        leaf = path.rpartition(".")[2] + " ="
        line += new[: new.index(leaf)].count("\n") if leaf in new else 0
    exit_code, problems = _problems(emploi, ledger)
    assert exit_code == 1
    found = [p for p in problems if p["code"] == code and p["severity"] == "error"]
    assert found, problems
    assert found[0]["path"] == path
    assert found[0]["file"] == str(ledger)
    if line is not None:
        assert found[0]["line"] == line
    # the table format says the same, with file:line:column
    table = _check(emploi, ledger)
    assert table.exit_code == 1
    if line is not None:
        assert f"{ledger}:{line}:" in table.stdout


def test_all_problems_at_once(emploi, tmp_path):
    text = BASE.replace("quantity = 17", "quantity = -17").replace("total = 406.80",
                                                                    "total = 400")
    text = text.replace("amount = 32.00", 'amount = "32"')
    exit_code, problems = _problems(emploi, _write(tmp_path, text))
    assert exit_code == 1
    assert {p["code"] for p in problems} >= {"negative", "type"}


def test_warnings_do_not_fail(emploi, tmp_path):
    text = BASE.replace('title = "Espaces emploi mis en place"',
                        'title = "x"\nlabel = "Espaces emploi mis en place"').replace(
        'label = "Espaces emploi mis en place"\nlabel', "label", 1)
    text = BASE.replace('id = "c2.espaces"', 'id = "c2.espaces"\ncolour = "blue"')
    result = _check(emploi, _write(tmp_path, text))
    assert result.exit_code == 0
    assert "unknown key 'colour'" in result.stdout and "warning" in result.stdout


def test_syntax_error_names_file_line_column(emploi, tmp_path):
    ledger = _write(tmp_path, BASE.replace("total = 406.80", "total = 406.80.1"))
    for args in (["check"], ["summary"], ["targets", "-f", "json"]):
        result = emploi(*args, "-l", str(ledger))
        assert result.exit_code == 1
        text = result.stdout + result.stderr
        assert f"{ledger}:24:" in text and "TOML syntax" in text


def test_an_integer_too_long_for_python_is_a_placed_syntax_error(emploi, tmp_path):
    """Python reads no integer of more than 4,300 digits: a ledger holding one is refused
    with its place, by every reader (cold, the fast reader's journal, the cache), never with
    an internal error."""
    entry = ('\n[[progress]]\nid = "x1"\ndate = 2021-06-30\ntarget = "c1.insertion"\n'
             f'value = {"9" * 5000}\n')
    ledger = _write(tmp_path, BASE + entry)
    line = (BASE + entry).count("\n")
    for env in ({}, {"EMPLOI_NO_CACHE": ""}):
        result = emploi("check", "-l", str(ledger), env=env)
        assert result.exit_code == 1 and "internal error" not in result.stderr
        assert f"{ledger}:{line}:9" in result.stdout + result.stderr
        assert "a number of 5000 digits, too long to read" in result.stdout + result.stderr


@pytest.mark.parametrize(("content", "fragment"), [
    (b"\xef\xbb\xbf" + BASE.encode(), None),  # a UTF-8 BOM is read as UTF-8
    (BASE.encode("latin-1", "replace"), "is not UTF-8"),
    (BASE.encode("utf-16"), "UTF-16"),
    (b"", "missing required key 'format'"),
    (b"format = 1\n", "missing required table [programme]"),
    (b"[[x]]\n" * 3 + b"a = 1\na = 2\n", "TOML syntax"),
    (b"format = 1\r[programme]\n", "TOML syntax"),
    (b"a = " + b"[" * 600 + b"]" * 600 + b"\n", "TOML syntax"),
])
def test_bad_files(emploi, tmp_path, content, fragment):
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    result = emploi("summary", "-l", str(path))
    if fragment is None:
        assert result.exit_code == 0, result.stderr
        return
    assert result.exit_code == 1
    assert fragment in result.stderr
    assert str(path) in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_missing_file_and_directory(emploi, tmp_path):
    result = emploi("summary", "-l", str(tmp_path / "nope.toml"))
    assert result.exit_code == 1 and "no such file" in result.stderr
    result = emploi("summary", "-l", str(tmp_path))
    assert result.exit_code == 1 and "is a directory" in result.stderr


def test_bad_option_is_usage_error(emploi):
    result = emploi("summary", "-l", str(SHIPPED), "--format", "xml")
    assert result.exit_code == 2
    result = emploi("summary", "-l", str(SHIPPED), "--as-of", "2021-02-30")
    assert result.exit_code == 2 and "not a date" in result.stderr
    assert emploi("nonsense").exit_code == 2


MARKUP = '[bold]x[/] [/] [link=file:///etc/passwd]y[/link] :warning: \x1b]0;pwned\x07 \x1b[2J'


def test_ledger_text_is_never_interpreted(emploi, tmp_path):
    ledger = _write(tmp_path, BASE.replace("Insertion de chercheurs d'emploi",
                                           MARKUP.replace("\x1b", "\\u001b").replace(
                                               "\x07", "\\u0007")))
    for fmt in ("table", "md", "json"):
        result = emploi("targets", "-l", str(ledger), "-f", fmt)
        assert result.exit_code == 0, result.stderr
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    # csv is data: the text comes back exactly
    rows = list(csv.DictReader(io.StringIO(emploi("targets", "-l", str(ledger), "-f",
                                                  "csv").stdout)))
    assert rows[0]["label"] == "'" + MARKUP if MARKUP.startswith("=") else MARKUP
    table = emploi("targets", "-l", str(ledger)).stdout
    assert "[bold]x[/] [/] [link=file:///etc/passwd]y[/link] :warning:" in table
    assert json.loads(emploi("targets", "-l", str(ledger), "-f", "json").stdout)[0][
        "label"] == MARKUP


def test_rich_terminal_output_keeps_text_literal(tmp_path):
    from emploi_cli.present.render import Column, Report, Table, to_rich

    report = Report([], Table("", (), ()), (Table("", (Column("label"),), (
        {"label": MARKUP},)),))
    out = to_rich(report, "en", console_width=200)
    assert "[bold]x[/] [/] [link=file:///etc/passwd]y[/link] :warning:" in out
    assert "\x1b]" not in out and "\x1b[2J" not in out and "⚠" not in out


def _run(*args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    import os

    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "emploi_cli", *args], capture_output=True,
                          env=full_env, **kw)


def test_head_closes_pipe_quietly():
    shell = subprocess.run(
        f"{sys.executable} -m emploi_cli targets -l {SHIPPED} | head -1; "
        f"{sys.executable} -m emploi_cli history -l {SHIPPED} -f csv | head -c 1",
        shell=True, capture_output=True, text=True)
    assert shell.stderr == ""
    assert shell.stdout.startswith("Targets")


def test_ascii_terminal_encoding_does_not_crash():
    result = _run("summary", "-l", str(SHIPPED), env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result.stderr
    assert b"R?gion F?s-Mekn?s" in result.stdout
    result = _run("summary", "-l", str(SHIPPED), "-f", "json",
                  env={"PYTHONIOENCODING": "ascii"})
    assert json.loads(result.stdout)["funders"][0]["name"] == "Région Fès-Meknès"


def _installed_emploi() -> str:
    import shutil
    from pathlib import Path

    beside = Path(sys.executable).parent / "emploi"
    found = str(beside) if beside.exists() else shutil.which("emploi")
    assert found, "the emploi console script is not installed"
    return found


def test_installed_console_script_works_from_any_directory(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k != "EMPLOI_LEDGER"}
    result = subprocess.run([_installed_emploi(), "summary", "-f", "json"], cwd=tmp_path,
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total"] == 406.80
    version = subprocess.run([_installed_emploi(), "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("emploi ") and version.returncode == 0
    module = subprocess.run([sys.executable, "-m", "emploi_cli", "--version"],
                            capture_output=True, text=True)
    assert module.stdout == version.stdout

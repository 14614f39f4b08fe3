"""A figure that looks like a slip (`20.815` read as twenty thousand on an increment target):
`record` and `import` write it with a warning naming it (the row, for an import); `--strict`
refuses it and writes nothing. Driven as an officer drives them, in a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest

from emploi_cli.domain import entries
from emploi_cli.store import reading

MAP = ("--kind", "progress", "--map", "target=cible", "--map", "value=valeur", "--map",
       "date=date", "--decimal", ",", "--thousands", ".")


def run(*args: str, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "EMPLOI_TODAY": "2022-06-30"}
    return subprocess.run([sys.executable, "-m", "emploi_cli", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=60)



@pytest.fixture
def sheet(tmp_path):
    """ANAPEC's sheet: the second row's 20.815 is a total typed with a French thousands dot
    in a column of increments; read with --thousands . it is 20,815 placements."""
    path = tmp_path / "anapec.csv"
    path.write_text("cible,valeur,date\nc1.insertion,1.200,2021-03-31\n"
                    "c1.insertion,20.815,2021-06-30\nc2.espaces,3,2021-06-30\n",
                    encoding="utf-8")
    return path


def test_import_writes_a_slip_with_a_warning_naming_the_row(ledger, sheet, tmp_path):
    done = run("import", str(sheet), "-l", str(ledger), *MAP, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == (
        f"emploi: {sheet} [row 3]: warning: value 20815 takes c1.insertion from 1200 to 22015, "
        "past its target of 20815: is the figure right (a thousands separator read as a "
        "decimal point)?\n")
    assert "3 new, 0 already present, 0 refused" in done.stdout
    assert ledger.read_text(encoding="utf-8").count("[[progress]]") == 3


def test_import_strict_refuses_and_writes_nothing(ledger, sheet, tmp_path):
    before = ledger.read_bytes()
    done = run("import", str(sheet), "-l", str(ledger), *MAP, "--strict", cwd=tmp_path)
    assert done.returncode == 1
    assert f"emploi: {sheet} [row 3, column 'valeur']: error: value 20815 takes c1.insertion" \
        in done.stderr
    assert "(refused: --strict)" in done.stderr
    assert done.stderr.endswith("error: nothing was written: 1 of 3 row(s) refused\n")
    assert ledger.read_bytes() == before


def test_record_warns_and_strict_refuses(ledger, tmp_path):
    before = ledger.read_bytes()
    refused = run("record", "c1.employabilite", "5460", "-l", str(ledger), "--strict",
                  cwd=tmp_path)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr == (
        f"emploi: {ledger}: error: value 5460 alone is more than half of c1.employabilite's "
        "target of 5460: is the figure right? (refused: --strict)\n")
    assert ledger.read_bytes() == before
    written = run("record", "c1.employabilite", "5460", "-l", str(ledger), cwd=tmp_path)
    assert written.returncode == 0
    assert written.stderr == (
        f"emploi: {ledger}: warning: value 5460 alone is more than half of "
        "c1.employabilite's target of 5460: is the figure right?\n")
    assert len(written.stdout.strip()) == 16  # the new entry's id
    ordinary = run("record", "c1.insertion", "1350", "-l", str(ledger), "--strict",
                   cwd=tmp_path)
    assert ordinary.returncode == 0 and ordinary.stderr == ""


def test_a_warning_is_data(ledger):
    """Errors and warnings are data: a code, the entry and field they concern, their args."""
    ledger = reading.load(ledger).ledger
    totals = entries.Plausibility(ledger)
    assert totals.check("c1.insertion", (), date(2021, 3, 31), 10000) == []  # not above half
    [slip] = totals.check("c1.insertion", (), date(2021, 6, 30), 11000)
    assert (slip.severity, slip.code, slip.entry, slip.field) == (
        "warning", "total-past-target", "c1.insertion", "value")
    assert dict(slip.args) == {"target": "c1.insertion", "value": "11000",
                               "quantity": "20815", "before": "10000", "after": "21000"}
    # a cumulative target: what counts is the step from the series' latest figure
    assert totals.check("c2.espaces", (), date(2021, 3, 31), 8) == []
    assert totals.check("c2.espaces", (), date(2021, 6, 30), 16) == []  # +8, under the target
    [half] = totals.check("c2.espaces", (("province", "taza"),), date(2021, 6, 30), 9)
    assert half.code == "total-past-target"  # 16 + 9 = 25 > 17
    assert totals.check("c2.unites_mobiles", (), date(2021, 6, 30), 99) == []  # unquantified

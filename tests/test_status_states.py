"""States a director can trust: `awaiting data` before a target's first report is due, `met`
or `missed` (with the shortfall) once the end has passed, for targets and money alike; and
`--fail-on missed`. Driven as an officer drives them: `emploi status` and `emploi report` in a
real process, on the ledger ledger, with the day set by EMPLOI_TODAY."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest


def run(*args: str, today: str, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "EMPLOI_TODAY": today}
    return subprocess.run([sys.executable, "-m", "emploi_cli", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=60)



def test_two_weeks_in_nothing_is_at_risk_yet(ledger):
    """15 January 2020: nothing recorded, the first report is due at the end of March."""
    done = run("status", "-l", str(ledger), "--fail-on", "at-risk", today="2020-01-15")
    assert done.returncode == 0, done.stderr  # before: 3, three targets "at risk"
    table = done.stdout.split("Targets: status, pace and projection\n")[1]
    rows = [line.split()[:3] for line in table.splitlines()[1:6]]
    assert rows == [["awaiting", "data", "c1.insertion"], ["awaiting", "data",
                                                            "c1.employabilite"],
                    ["awaiting", "data", "c2.employabilite"], ["awaiting", "data",
                                                               "c2.espaces"],
                    ["unquantified", "c2.unites_mobiles", "0"]]
    assert "As of 15 January 2020 · 4 awaiting data, 1 unquantified\n" in done.stdout
    assert "Awaiting data: nothing is recorded and the first report is not due yet" \
        in done.stdout
    data = json.loads(run("status", "-l", str(ledger), "-f", "json",
                          today="2020-01-15").stdout)
    assert {t["first_report"] for t in data["targets"]} == {"2020-03-31"}


def test_the_first_report_is_due_at_the_end_of_the_first_full_quarter(ledger):
    as_of_due = run("status", "-l", str(ledger), "-f", "json", today="2020-03-31")
    after = run("status", "-l", str(ledger), "-f", "json", today="2020-04-01")
    states = [{t["id"]: t["status"] for t in json.loads(r.stdout)["targets"]}
              for r in (as_of_due, after)]
    assert states[0]["c1.insertion"] == "awaiting-data"
    assert states[1]["c1.insertion"] == "at-risk"  # due, and still nothing recorded


def test_a_recorded_figure_is_judged_at_once(ledger):
    assert run("record", "c1.insertion", "40", "-l", str(ledger), "--date", "2020-01-10",
               today="2020-01-15").returncode == 0
    data = json.loads(run("status", "-l", str(ledger), "-f", "json",
                          today="2020-01-15").stdout)
    states = {t["id"]: t["status"] for t in data["targets"]}
    assert states["c1.insertion"] == "at-risk"  # 40 of 285 expected: data, and it is low
    assert states["c1.employabilite"] == "awaiting-data"


def test_the_ledger_may_say_when_the_first_report_is_due(ledger):
    text = ledger.read_text(encoding="utf-8")
    text = text.replace(
        'source = "article"\n\n[[sources]]',
        'source = "article"\nfirst_report = 2020-09-30\n\n[[sources]]', 1)
    text = text.replace('id = "c2.espaces"\n', 'id = "c2.espaces"\nfirst_report = 2021-06-30\n', 1)
    ledger.write_text(text, encoding="utf-8")
    assert run("check", "-l", str(ledger), today="2020-07-15").returncode == 0
    data = json.loads(run("status", "-l", str(ledger), "-f", "json",
                          today="2020-07-15").stdout)
    due = {t["id"]: (t["status"], t["first_report"]) for t in data["targets"]}
    assert due["c1.insertion"] == ("awaiting-data", "2020-09-30")  # the programme's date
    assert due["c2.espaces"] == ("awaiting-data", "2021-06-30")  # the target's own


def test_after_the_end_met_or_missed_with_the_shortfall(ledger):
    for args in (("record", "c1.insertion", "16200", "--date", "2022-06-30"),
                 ("record", "c2.espaces", "17", "--date", "2022-06-30"),
                 ("disburse", "c2", "32", "--date", "2022-06-30"),
                 ("disburse", "c1", "100", "--funder", "region", "--date", "2022-06-30")):
        done = run(*args, "-l", str(ledger), today="2022-07-01")
        assert done.returncode == 0, done.stderr
    data = json.loads(run("status", "-l", str(ledger), "-f", "json",
                          today="2023-01-15").stdout)
    targets = {t["id"]: (t["status"], t["shortfall"], t["rate_needed"])
               for t in data["targets"]}
    assert targets == {
        "c1.insertion": ("missed", 4615, None), "c1.employabilite": ("missed", 5460, None),
        "c2.employabilite": ("missed", 1500, None), "c2.espaces": ("met", None, None),
        "c2.unites_mobiles": ("unquantified", None, None)}
    money = data["funding"]
    assert (money["status"], Decimal(str(money["shortfall"]))) == ("missed", Decimal("274.80"))
    assert [(c["id"], c["status"], c["shortfall"]) for c in money["conventions"]] == [
        ("c1", "missed", 274.80), ("c2", "met", None)]
    assert [(f["id"], f["status"], f["shortfall"]) for f in money["funders"]] == [
        ("region", "missed", 60.00)]
    table = run("status", "-l", str(ledger), "--lang", "en", today="2023-01-15").stdout
    assert "Status  Shortfall" in table
    assert "Total                     406.80       0.00     132.00   0.00         32.45 %  " \
        "missed     274.80" in table
    assert "Convention  c2             32.00       0.00      32.00   0.00        100.00 %  met" \
        in table
    assert "The end has passed: each target is met or missed, with its shortfall" in table
    report = run("report", "-l", str(ledger), "--lang", "fr", today="2023-01-15").stdout
    assert "| non atteint | c1.insertion | Insertion de chercheurs d'emploi | 16.200 | " \
        "20.815 | 77,83 % (attendu 100,00 %) | 20.815 | -4.615 | 4.615 |" in report
    assert "| atteint à l'échéance | c2.espaces |" in report
    assert "| c2 | Projet de promotion de l'emploi des jeunes en milieu rural | 32,00 | " \
        "7,87 % | 0,00 | 32,00 | 0,00 | 100,00 % | atteint à l'échéance | — |" in report


@pytest.mark.parametrize(("fail_on", "code"), [("missed", 3), ("at-risk", 3), ("behind", 3)])
def test_fail_on_counts_missed(ledger, fail_on, code):
    done = run("status", "-l", str(ledger), "--fail-on", fail_on, today="2023-01-15")
    assert done.returncode == code, done.stderr


def test_fail_on_missed_counts_money(ledger):
    """Every target met, but the money was not all disbursed: missed."""
    text = ledger.read_text(encoding="utf-8")
    for target, value in (("c1.insertion", 20815), ("c1.employabilite", 5460),
                          ("c2.employabilite", 1500), ("c2.espaces", 17)):
        text += (f'\n[[progress]]\nid = "p-{target}"\ndate = 2022-12-01\n'
                 f'target = "{target}"\nvalue = {value}\n')
    ledger.write_text(text, encoding="utf-8")
    ok_before_the_end = run("status", "-l", str(ledger), "--fail-on", "missed",
                            today="2022-12-30")
    assert ok_before_the_end.returncode == 0, ok_before_the_end.stderr
    done = run("status", "-l", str(ledger), "--fail-on", "missed", today="2022-12-31")
    assert done.returncode == 3
    data = json.loads(run("status", "-l", str(ledger), "-f", "json",
                          today="2022-12-31").stdout)
    assert {t["status"] for t in data["targets"]} == {"met", "unquantified"}
    assert data["funding"]["status"] == "missed"

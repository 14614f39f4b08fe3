"""`emploi status`: one screen of funding execution and pace, every format, --fail-on."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest

from emploi_cli.domain import position
from emploi_cli.present import pace_reports, render
from emploi_cli.store import reading

from .pace_data import money, progress, small_ledger, target


@pytest.fixture
def small(tmp_path):
    path = small_ledger(
        tmp_path / "l.toml",
        targets=target("c1.a", 3650) + target("c1.b", 365, extra="budget = 40.00")
        + target("c1.u", None, "cumulative"),
        conventions='[[conventions]]\nid = "c2"\ntitle = "Convention two"\namount = 20.00\n'
        'source = "doc"\n\n' + target("c2.x", 100),
        journal=progress("p1", "2021-06-30", "c1.a", 1700)
        + progress("p2", "2021-06-30", "c1.b", 150) + progress("p3", "2021-06-30", "c1.u", 2)
        + progress("p4", "2021-06-30", "c2.x", 60)
        + money("d1", "2021-05-01", "c1", "30.00", funder="f1")
        + money("d2", "2021-05-01", "c2", "5.00")
        + money("x1", "2021-06-01", "c1", "12.50", "expenditure"))
    path.write_text(path.read_text().replace("total = 100.00", "total = 120.00", 1))
    return path


PLAIN = """\
Funding execution
Record      Id  Amount (MDH)  Committed  Disbursed  Spent  Execution rate
Total                 120.00       0.00      35.00  12.50         29.17 %
Convention  c1        100.00       0.00      30.00  12.50         30.00 %
Convention  c2         20.00       0.00       5.00   0.00         25.00 %
Funder      f1        100.00       0.00      30.00   0.00         30.00 %

Targets: status, pace and projection
Status        Id    Achieved  Target  Progress  Expected   Gap  Rate/month  Needed/month  \
Projected at end  Projected completion         DH/result
behind        c1.b       150     365   41.10 %       181   -31       25.22         35.57  \
             302  2022-03-17                   80,000.00
on track      c1.a     1,700   3,650   46.58 %     1,810  -110      285.88        322.57  \
           3,428  2022-01-24            not attributable
on track      c2.x        60     100   60.00 %        50    10       10.09          6.62  \
             121  2021-10-29                   83,333.33
unquantified  c1.u         2       —         —         —     —        0.34             —  \
               4                        not attributable

As of 30 June 2021 · 1 behind, 2 on track, 1 unquantified

Statuses: at risk below 70 % of expected, or when the rate needed is more than twice the rate \
so far; behind below 90 %; else on track (full rule: docs/pace.md).

Cost per result: money disbursed by the convention attributed to the target, in DH per unit \
achieved.
"""


def test_status_plain_in_a_pipe(emploi, small):
    result = emploi("status", "-l", str(small), "--as-of", "2021-06-30", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == PLAIN
    assert "┃" not in result.stdout and "\x1b" not in result.stdout


MD_TARGETS = """\
## Objectifs : état, rythme et projection

| État | Id | Réalisé | Cible | Avancement | Attendu | Écart | Rythme/mois | Requis/mois | \
Projection fin | Atteinte prévue | DH/résultat |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |
| en retard | c1.b | 150 | 365 | 41,10 % | 181 | -31 | 25,22 | 35,57 | 302 | 2022-03-17 | \
80.000,00 |
| dans les temps | c1.a | 1.700 | 3.650 | 46,58 % | 1.810 | -110 | 285,88 | 322,57 | 3.428 | \
2022-01-24 | non attribuable |
| dans les temps | c2.x | 60 | 100 | 60,00 % | 50 | 10 | 10,09 | 6,62 | 121 | 2021-10-29 | \
83.333,33 |
| non chiffré | c1.u | 2 | — | — | — | — | 0,34 | — | 4 |  | non attribuable |
"""


def test_status_md(emploi, small):
    result = emploi("status", "-l", str(small), "--as-of", "2021-06-30", "--lang", "fr",
                    "-f", "md")
    assert result.stdout.startswith("## Exécution financière\n\n| Ligne | Id | Montant (MDH) |")
    assert MD_TARGETS in result.stdout  # negative gaps stay -31 (no formula quote)
    assert "| Bailleur | f1 | 100,00 | 0,00 | 30,00 | 0,00 | 30,00 % |" in result.stdout


def test_status_json(emploi, small):
    result = emploi("status", "-l", str(small), "--as-of", "2021-06-30", "-f", "json")
    data = json.loads(result.stdout)
    assert data["as_of"] == "2021-06-30"
    assert data["counts"] == {"missed": 0, "at-risk": 0, "behind": 1, "on-track": 2,
                              "awaiting-data": 0, "not-started": 0, "achieved": 0, "met": 0,
                              "unquantified": 1}
    assert [t["id"] for t in data["targets"]] == ["c1.b", "c1.a", "c2.x", "c1.u"]
    assert data["targets"][0] == {
        "id": "c1.b", "convention": "c1", "indicator": "b", "label": "Target c1.b",
        "unit": "personnes", "reporting": "increment", "status": "behind",
        "schedule": "linear", "start": "2021-01-01", "end": "2021-12-31",
        "first_report": "2021-03-31", "target": 365, "achieved": 150, "expected": 181,
        "gap": -31, "shortfall": None, "remaining": 215, "progress": 41.10,
        "expected_progress": 49.59, "rate_so_far": 25.22, "rate_needed": 35.57,
        "projected": 302, "projected_completion": "2022-03-17", "cost_basis": "budget",
        "budget": 40.00, "disbursed_attributed": 12.000000, "spent_attributed": 5.000000,
        "cost_per_result_disbursed": 80000.00, "cost_per_result_spent": 33333.33,
        "planned_cost_per_result": 109589.04}
    assert '"progress": 41.10,' in result.stdout  # exact decimals
    by_id = {t["id"]: t for t in data["targets"]}
    for ident in ("c1.a", "c1.u"):  # c1 has several targets; c1.a has no budget of its own
        assert by_id[ident]["cost_basis"] is None
        assert by_id[ident]["cost_per_result_disbursed"] is None
    assert by_id["c2.x"]["cost_basis"] == "convention"
    assert by_id["c1.u"]["target"] is None and by_id["c1.u"]["status"] == "unquantified"
    assert data["funding"]["conventions"][0] == {
        "id": "c1", "title": "Convention one", "amount": 100.00, "committed": 0.00,
        "disbursed": 30.00, "spent": 12.50, "execution": 30.00, "status": None,
        "shortfall": None}


def test_status_csv(emploi, small):
    result = emploi("status", "-l", str(small), "--as-of", "2021-06-30", "-f", "csv")
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "record,id,title,name,label,status,amount,committed,disbursed,spent,execution,target,achieved,"
        "expected,gap,shortfall,first_report,progress,expected_progress,rate_so_far,rate_needed,projected,"
        "projected_completion,cost_basis,cost_per_result_disbursed,cost_per_result_spent,"
        "planned_cost_per_result,year,convention,funder,planned")
    assert lines[1] == "total,,,,,,120.00,0.00,35.00,12.50,29.17,,,,,,,,,,,,,,,,,,,,"
    assert lines[5] == ("target,c1.b,,,Target c1.b,behind,,,,,,365,150,181,-31,,2021-03-31,41.10,"
                        "49.59,25.22,35.57,302,2022-03-17,budget,80000.00,33333.33,109589.04,,c1,,")
    assert lines[6] == ("target,c1.a,,,Target c1.a,on-track,,,,,,3650,1700,1810,-110,,2021-03-31,"
                        "46.58,49.59,285.88,322.57,3428,2022-01-24,,,,,,c1,,")


def test_status_on_a_terminal_has_colour_and_pace_bars(small, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    ledger = reading.load(small).ledger
    day = date(2021, 12, 31)
    report = pace_reports.status(position.position(ledger, day), "en")
    text = render.to_rich(report, "en", 220)
    assert "\x1b[1;31mmissed" in text  # red status: the end day, below the target
    assert "┃" in text  # the expected marker
    assert "\x1b[1;31m████████████████████\x1b[0m" not in text
    row = next(line for line in text.splitlines() if "c1.a" in line)
    assert "█████████" in row and "\x1b[1;33m┃" in row  # 46 % filled, marker at 100 %


def test_status_on_a_narrow_terminal_leaves_columns_out_whole(small):
    ledger = reading.load(small).ledger
    day = date(2021, 6, 30)
    report = pace_reports.status(position.position(ledger, day), "en")
    wide = render.to_rich(report, "en", 220)
    assert "hidden" not in wide and "DH/result" in wide
    narrow = re.sub(r"\x1b\[[0-9;]*m", "", render.to_rich(report, "en", 80))
    assert "…" not in narrow  # nothing truncated: columns are left out whole instead
    assert max(len(line) for line in narrow.splitlines()) <= 80
    table = narrow.split("Targets: status, pace and projection")[1]
    # the bar is given up first: the figures beside it stay
    for kept in ("Status", "Id", "Achieved", "Target", "Progress", "Expected", "behind",
                 "c1.b", "41.10 %"):
        assert kept in table
    assert "┃" not in table
    assert "Columns hidden for lack of room: Rate/month, Needed/month," in table
    assert "Committed" in narrow.split("Targets")[0].split("Columns hidden")[1]


def test_pace_bar_cells():
    assert render.pace_bar_text(render.PaceBar(Decimal("50"), Decimal("75"))) == (
        "██████████░░░░░┃░░░░")
    assert render.pace_bar_text(render.PaceBar(Decimal("120"), Decimal("100"))) == (
        "███████████████████┃")
    assert render.pace_bar_text(render.PaceBar(Decimal("0"), None)) == "░" * 20
    assert render.pace_bar_text(render.PaceBar(None, None)) == ""


@pytest.mark.parametrize(("as_of", "fail_on", "code"), [
    ("2021-06-30", None, 0),
    ("2021-06-30", "behind", 3),  # c1.b is behind
    ("2021-06-30", "at-risk", 0),  # nothing at risk
    ("2021-12-31", "at-risk", 3),
    ("2021-12-31", "behind", 3),  # at risk is worse than behind
    ("2020-12-31", "behind", 0),  # nothing started
])
def test_fail_on_exit_codes(emploi, small, as_of, fail_on, code):
    args = ["status", "-l", str(small), "--as-of", as_of, "-f", "json"]
    if fail_on:
        args += ["--fail-on", fail_on]
    result = emploi(*args)
    assert result.exit_code == code, result.stderr
    assert json.loads(result.stdout)["as_of"] == as_of  # the report is printed in full
    assert result.stderr == ""


def test_fail_on_bad_value_is_usage(emploi, small):
    result = emploi("status", "-l", str(small), "--fail-on", "late")
    assert result.exit_code == 2
    assert result.stdout == ""


def test_fail_on_in_a_real_process(small):
    env = {**os.environ, "EMPLOI_TODAY": "2021-06-30"}
    done = subprocess.run([sys.executable, "-m", "emploi_cli", "status", "-l", str(small),
                           "--fail-on", "behind"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.returncode == 3, done.stderr
    assert done.stdout.startswith("Funding execution\n")


def test_status_of_the_shipped_ledger(emploi, ledger):
    result = emploi("status", "-l", str(ledger), "-f", "json")
    data = json.loads(result.stdout)
    assert [(t["id"], t["status"]) for t in data["targets"]] == [
        ("c1.insertion", "at-risk"), ("c1.employabilite", "at-risk"),
        ("c2.employabilite", "at-risk"), ("c2.espaces", "at-risk"),
        ("c2.unites_mobiles", "unquantified")]
    assert data["targets"][0]["expected"] == 17321  # 20,815 x 912 / 1,096 days
    # Both conventions have several targets and no budgets: nothing is attributable.
    assert all(t["cost_basis"] is None for t in data["targets"])
    assert data["funding"]["funders"][0]["amount"] == 160.00

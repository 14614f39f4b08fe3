"""Plan amendments: `emploi amend --convention ID --year YYYY --amount X` sets one tranche of a
financing plan from a date on; every use of a plan reads the plan in force."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from emploi_cli import api
from emploi_cli.domain import checks, entries, position
from emploi_cli.domain import model as m
from emploi_cli.store import cache, reading

DEMO = Path(__file__).parent / "golden" / "cofinancing" / "ledger.toml"
STAMP = entries.Stamp(entries.datetime(2023, 1, 1), "test")


def _write(tmp_path: Path, text: str | None = None) -> Path:
    path = tmp_path / "ledger.toml"
    path.write_text(DEMO.read_text(encoding="utf-8") if text is None else text,
                    encoding="utf-8")
    return path


def _amendment(**keys: object) -> str:
    lines = ['', '[[amendments]]', 'id = "a1"', 'date = 2022-01-01', 'reference = "Av 1"',
             'reason = "new plan"']
    lines += [f"{k} = {json.dumps(v) if isinstance(v, str) and k != 'amount' else v}"
              for k, v in keys.items()]
    return "\n".join(lines) + "\n"


def _with(**keys: object) -> str:
    return DEMO.read_text(encoding="utf-8") + _amendment(**keys)


def _problems(text: str, today: date = date(2023, 1, 1)) -> list[m.Problem]:
    built = reading.build(reading.parse_toml(text, "t.toml"), text, "t.toml")
    found = list(built.problems)
    if built.ledger is not None and not built.errors:
        found += checks.check(built.ledger, today)
    return found


def _ledger(tmp_path: Path, text: str) -> m.Ledger:
    loaded = reading.load(_write(tmp_path, text))
    assert loaded.ledger is not None and not loaded.errors, loaded.problems
    return loaded.ledger


def _planned(pos: position.Position) -> dict[tuple[int, str, str], Decimal | None]:
    return {(y.year, y.convention, y.funder): y.planned for y in pos.years}


def _refused(ledger: m.Ledger, **given: object) -> m.Problem:
    keys: dict = {"day": date(2022, 1, 1), "reference": "Av", "reason": "r", "stamp": STAMP}
    with pytest.raises(m.EmploiError) as caught:
        entries.amendment(ledger, **(keys | given))
    (problem,) = caught.value.problems
    return problem


# ---- the plan in force -------------------------------------------------------------------


def test_a_tranche_amended_from_its_date_on(tmp_path):
    ledger = _ledger(tmp_path, _with(convention="c1", year=2022, amount="130.00"))
    before = position.position(ledger, date(2021, 12, 31))
    after = position.position(ledger, date(2022, 1, 1))
    assert _planned(before)[(2022, "c1", "")] == Decimal("120.00")
    assert _planned(after)[(2022, "c1", "")] == Decimal("130.00")
    assert _planned(after)[(2022, "", "")] == Decimal("130.00")
    assert after.plans["c1"] == (m.Tranche(2021, Decimal("100.00")),
                                 m.Tranche(2022, Decimal("130.00")),
                                 m.Tranche(2023, Decimal("80.00")))
    # the convention's amount is not changed by a plan amendment
    assert after.funding.conventions[0].amount == Decimal("300.00")
    force = position.in_force(ledger, date(2022, 1, 1))
    assert force.tranche_amendments[("", "c1", 2022)].id == "a1"
    assert force.convention_amount["c1"] == Decimal("300.00")


def test_a_year_added_by_amendment_gives_a_convention_a_plan(tmp_path):
    ledger = _ledger(tmp_path, _with(convention="c2", year=2022, amount="25.00"))
    pos = position.position(ledger, date(2022, 6, 1))
    assert pos.plans["c2"] == (m.Tranche(2022, Decimal("25.00")),)
    assert _planned(pos)[(2022, "c2", "")] == Decimal("25.00")
    assert _planned(pos)[(2021, "c2", "")] == Decimal("0")
    assert _planned(position.position(ledger, date(2021, 6, 1)))[(2022, "c2", "")] is None


def test_a_contributions_tranche_amended(tmp_path):
    ledger = _ledger(tmp_path, _with(funder="region", convention="c1", year=2021,
                                     amount="30.00"))
    pos = position.position(ledger, date(2022, 1, 1))
    assert _planned(pos)[(2021, "c1", "region")] == Decimal("30.00")
    (share,) = [s for s in pos.funding.split[0].funding if s.funder == "region"]
    assert share.plan[0] == m.Tranche(2021, Decimal("30.00"))
    assert share.original_plan[0] == m.Tranche(2021, Decimal("40.00"))
    # the contribution's amount stays
    assert share.amount == Decimal("100.00")


def test_a_void_plan_amendment_is_never_in_force(tmp_path):
    text = _with(convention="c1", year=2022, amount="130.00") + (
        '\n[[voids]]\nid = "v1"\ndate = 2022-02-01\nentry = "a1"\nreason = "typo"\n')
    pos = position.position(_ledger(tmp_path, text), date(2023, 1, 1))
    assert _planned(pos)[(2022, "c1", "")] == Decimal("120.00")


def test_status_reads_the_plan_in_force(emploi, tmp_path):
    path = _write(tmp_path)
    data = json.loads(emploi("status", "-l", str(path), "--as-of", "2023-01-01", "-f",
                             "json").stdout, parse_float=Decimal)
    assert (data["years"][1]["convention"], data["years"][1]["state"]) == ("c1", "behind")
    for year, amount in (("2021", "30.00"), ("2022", "50.00")):
        result = emploi("amend", "-l", str(path), "--convention", "c1", "--year", year,
                        "--amount", amount, "--date", "2021-06-01", "--reference", "Av",
                        "--reason", "replanned")
        assert result.exit_code == 0, result.stderr
    data = json.loads(emploi("status", "-l", str(path), "--as-of", "2023-01-01", "-f",
                             "json").stdout, parse_float=Decimal)
    c1 = {y["year"]: y for y in data["years"] if y["convention"] == "c1" and not y["funder"]}
    assert (c1[2021]["planned"], c1[2021]["state"]) == (Decimal("30.00"), "met")
    assert (c1[2022]["planned"], c1[2022]["state"]) == (Decimal("50.00"), "met")
    summary = json.loads(emploi("summary", "-l", str(path), "--as-of", "2023-01-01", "-f",
                                "json").stdout, parse_float=Decimal)
    assert summary["conventions"][0]["plan"][:2] == [
        {"year": 2021, "amount": Decimal("30.00")}, {"year": 2022, "amount": Decimal("50.00")}]


# ---- writing one -------------------------------------------------------------------------


def test_amend_writes_the_year(emploi, tmp_path):
    path = _write(tmp_path)
    result = emploi("amend", "-l", str(path), "--convention", "c1", "--year", "2022",
                    "--amount", "110", "--date", "2022-01-01", "--reference", "Av 1",
                    "--reason", "new plan")
    assert result.exit_code == 0, result.stderr
    written = path.read_text(encoding="utf-8").split("[[amendments]]")[1]
    assert 'convention = "c1"\nyear = 2022\namount = 110' in written
    (entry,) = reading.load(path).ledger.entries(m.AmendmentEntry)
    assert (entry.convention, entry.funder, entry.year, entry.amount) == (
        "c1", "", 2022, Decimal("110"))
    assert entry.subject == "convention c1: plan, 2022"
    result = emploi("amend", "-l", str(path), "--funder", "region", "--convention", "c1",
                    "--year", "2023", "--amount", "0", "--date", "2022-01-01",
                    "--reference", "Av 2", "--reason", "no 2023 tranche")
    assert result.exit_code == 0, result.stderr
    pos = api.position(api.open_ledger(path), date(2022, 1, 1))
    assert _planned(pos)[(2023, "c1", "region")] == Decimal("0")
    history = json.loads(emploi("history", "-l", str(path), "--kind", "amendment", "-f",
                                "json").stdout)
    assert history[0]["text"] == "Av 1: new plan (plan 2022)"


@pytest.mark.parametrize(("given", "code", "entry", "field"), [
    ({"convention": "c9", "year": 2022, "amount": Decimal(1)}, "unknown-ref", "c9",
     "convention"),
    ({"convention": "c1", "year": 2019, "amount": Decimal(1)}, "plan-year", "c1", "year"),
    ({"convention": "c1", "year": 2024, "amount": Decimal(1)}, "plan-year", "c1", "year"),
    ({"convention": "c1", "year": 2022, "amount": Decimal(-1)}, "bad-amount", "c1", "amount"),
    ({"convention": "c1", "year": 2022, "amount": Decimal("NaN")}, "bad-amount", "c1",
     "amount"),
    ({"convention": "c1", "year": 2022, "amount": Decimal("2e9")}, "too-large", "c1",
     "amount"),
    ({"convention": "c1", "year": 2022}, "amendment", "c1", "amount"),
    ({"convention": "c1", "year": 2022, "amount": Decimal("121")}, "plan-above-amount",
     "c1", "plan"),
    ({"target": "c1.insertion", "year": 2022, "quantity": 5}, "amendment", "", "year"),
    ({"funder": "region", "year": 2022, "amount": Decimal(1)}, "amendment", "", "year"),
    ({"funder": "ministere", "convention": "c1", "year": 2022, "amount": Decimal(1)},
     "unknown-ref", "ministere", "convention"),
    ({"funder": "region", "convention": "c1", "year": 2022, "amount": Decimal("61")},
     "plan-above-amount", "region", "plan"),
])
def test_a_plan_amendment_refused(given, code, entry, field):
    ledger = reading.load(DEMO).ledger
    problem = _refused(ledger, **given)
    assert (problem.code, problem.entry, problem.field) == (code, entry, field)


def test_a_tranche_may_rise_when_the_plan_has_room(tmp_path):
    ledger = reading.load(DEMO).ledger
    fields, warnings = entries.amendment(
        ledger, day=date(2022, 1, 1), reference="Av", reason="r", stamp=STAMP,
        convention="c1", year=2022, amount=Decimal("120.00"))
    assert (fields["year"], fields["amount"], warnings) == (2022, Decimal("120.00"), [])
    # a plan amendment of a contribution made by an amendment
    text = _with(funder="ministere", convention="c1", amount="50.00")
    made = _ledger(tmp_path, text)
    fields, _ = entries.amendment(
        made, day=date(2022, 1, 1), reference="Av", reason="r", stamp=STAMP,
        funder="ministere", convention="c1", year=2022, amount=Decimal("50.00"))
    assert (fields["funder"], fields["convention"], fields["year"]) == ("ministere", "c1", 2022)
    assert _refused(made, day=date(2021, 12, 31), funder="ministere", convention="c1",
                    year=2022, amount=Decimal(1)).code == "unknown-ref"


# ---- reading, checking, caching ----------------------------------------------------------


def test_an_old_ledger_reads_unchanged():
    ledger = reading.load(DEMO).ledger
    assert position.in_force(ledger, date(2023, 1, 1)).convention_plan["c1"] == \
        ledger.conventions[0].plan


@pytest.mark.parametrize(("keys", "code", "path"), [
    ({"target": "c1.insertion", "quantity": 5, "year": 2022}, "amendment",
     "amendments[0].year"),
    ({"funder": "region", "amount": "1.00", "year": 2022}, "amendment", "amendments[0].year"),
    ({"convention": "c1", "amount": "1.00", "year": 1800}, "bad-value",
     "amendments[0].year"),
    ({"convention": "c1", "year": 2022}, "missing", "amendments[0].amount"),
    ({"convention": "c1", "amount": "1.00", "year": "2022"}, "type", "amendments[0].year"),
])
def test_structural_problems_of_a_plan_amendment(keys, code, path):
    errors = [p for p in _problems(_with(**keys)) if p.is_error]
    assert [(p.code, p.place.path) for p in errors] == [(code, path)]


def test_check_errors_on_a_hand_written_plan_above_its_amount():
    (found,) = [p for p in _problems(_with(convention="c1", year=2023, amount="100.00"))
                if p.code == "plan-above-amount"]
    assert (found.entry, found.field, found.place.path) == ("c1", "plan", "conventions[0].plan")
    assert dict(found.args)["planned"] == "320.00 MDH"
    (found,) = [p for p in _problems(_with(funder="region", convention="c2", year=2022,
                                           amount="41.00")) if p.code == "plan-above-amount"]
    assert (found.entry, found.place.path) == ("region", "funders[0].contributions[1].plan")


def test_cached_plan_amendment_equals_the_parsed_one(monkeypatch, tmp_path):
    monkeypatch.delenv("EMPLOI_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    path = _write(tmp_path, _with(convention="c1", year=2022, amount="130.00"))
    cache.load(path)
    warm, cold = cache.load(path), reading.load(path)
    assert type(warm.ledger.journal).__name__ == "ColumnJournal"
    assert warm.ledger == cold.ledger
    assert warm.ledger.entries(m.AmendmentEntry)[0].year == 2022


def test_the_cache_fingerprints_the_model():
    assert "domain/model.py" in cache._CODE_FILES


def test_sqlite_keeps_the_year(emploi, tmp_path):
    path = _write(tmp_path, _with(convention="c1", year=2022, amount="110.00"))
    db = tmp_path / "out.sqlite"
    result = emploi("export", "-l", str(path), "--format", "sqlite", str(db))
    assert result.exit_code == 0, result.stderr
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT convention, plan_year, amount_mdh FROM entries "
                                  "WHERE kind = 'amendment'").fetchall()
    assert rows == [("c1", 2022, "110.00")]

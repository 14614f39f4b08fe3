"""Who pays what: contributions per convention, floors and ceilings, a financing plan by year,
sources cited as readers find them and sources that disagree."""

from __future__ import annotations

import json
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from emploi_cli import api
from emploi_cli.domain import checks, position
from emploi_cli.store import cache, reading

from .conftest import SHIPPED

GOLDEN = Path(__file__).parent / "golden" / "cofinancing"
DEMO = GOLDEN / "ledger.toml"
AS_OF = "2023-01-01"


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("EMPLOI_REGOLD"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from tests/golden/cofinancing/{name}"


def _json(result) -> dict:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout, parse_float=Decimal)


def _problems(text: str, today: date = date(2023, 1, 1)) -> list:
    built = reading.build(reading.parse_toml(text, "t.toml"), text, "t.toml")
    found = list(built.problems)
    if built.ledger is not None and not built.errors:
        found += checks.check(built.ledger, today)
    return found


def _codes(text: str) -> list[str]:
    return [p.code for p in _problems(text)]


def _demo(old: str, new: str) -> str:
    text = DEMO.read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, 1)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ledger.toml"
    path.write_text(text, encoding="utf-8")
    return path


# ---- the format: every new key optional, the shipped ledger unchanged ---------------------


def test_new_keys_read_without_warnings():
    assert [p for p in _problems(DEMO.read_text(encoding="utf-8"))
            if p.code != "sources-disagree"] == []


def test_the_shipped_ledgers_figures_are_unchanged(emploi):
    data = _json(emploi("summary", "-l", str(SHIPPED), "-f", "json", "--as-of", "2022-06-30"))
    assert (data["total"], data["conventions_total"], data["unattributed"]) == (
        Decimal("406.80"), Decimal("406.80"), Decimal("246.80"))
    assert [(c["id"], c["amount"]) for c in data["conventions"]] == [
        ("c1", Decimal("374.80")), ("c2", Decimal("32.00"))]
    assert [(f["id"], f["amount"], f["estimated"], f["at_least"]) for f in data["funders"]] == [
        ("region", Decimal("160.00"), True, False)]
    # the region's money is not split: listed under both conventions, never divided
    for c in data["conventions"]:
        assert c["funding"] == []
        assert c["unsplit"] == [{"funder": "region", "amount": Decimal("160.00"),
                                 "at_least": False, "estimated": True,
                                 "conventions": ["c1", "c2"]}]
        assert c["unattributed"] == c["amount"] and c["unattributed_at_most"] is True
    assert data["alternatives"] == []
    quantities = {t["id"]: t["target"] for t in _json(emploi(
        "targets", "-l", str(SHIPPED), "-f", "json"))}
    assert quantities == {"c1.insertion": 20815, "c1.employabilite": 5460,
                          "c2.employabilite": 1500, "c2.espaces": 17, "c2.unites_mobiles": None}
    assert emploi("check", "-l", str(SHIPPED)).stdout == "No problems.\n"


def test_the_shipped_source_is_cited_not_a_path():
    ledger = reading.load(SHIPPED).ledger
    (source,) = ledger.sources
    assert source.file == "" and source.url == ""
    assert source.title.startswith("Deux conventions de partenariat")
    assert source.language == "fr"
    # the article names neither its publisher nor its date: the ledger does not invent them
    assert source.publisher == "" and source.date is None
    assert ledger.programme.signed_date is None


def test_a_source_given_as_a_path_is_warned_about():
    text = _demo('language = "fr"\nurl', 'file = "/home/me/article.txt"\nlanguage = "fr"\nurl')
    (found,) = [p for p in _problems(text) if p.code == "source-path"]
    assert (found.severity, found.entry, found.field, found.place.path) == (
        "warning", "presse", "file", "sources[0].file")
    assert dict(found.args) == {"source": "presse", "file": "/home/me/article.txt"}


def test_cached_ledger_with_the_new_keys_equals_the_parsed_one(monkeypatch, tmp_path):
    monkeypatch.delenv("EMPLOI_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    path = _write(tmp_path, DEMO.read_text(encoding="utf-8"))
    cache.load(path)
    warm, cold = cache.load(path), reading.load(path)
    assert warm.ledger == cold.ledger
    assert warm.ledger.funders[0].contributions[0].plan[1] == reading.m.Tranche(
        2022, Decimal("60.00"))


# ---- checks ------------------------------------------------------------------------------


def test_contributions_above_the_funders_amount():
    text = _demo('{ convention = "c2", amount = 40.00', '{ convention = "c2", amount = 70.00')
    (found,) = [p for p in _problems(text) if p.code == "contributions-above-funder"]
    assert (found.severity, found.entry, found.field) == ("error", "region", "contributions")
    assert dict(found.args) == {"funder": "region", "contributions": "170.00 MDH",
                                "amount": "160.00 MDH"}
    assert "170.00 MDH" in found.message and "160.00 MDH" in found.message


def test_contributions_below_the_funders_amount_leave_the_rest_unsplit():
    pos = position.position(reading.load(DEMO).ledger, date(2023, 1, 1))
    unsplit = {u.funder: u.amount for u in pos.funding.unsplit}
    assert unsplit == {"region": Decimal("20.00"), "ministere": Decimal("200.00")}


def test_a_convention_receiving_more_than_its_amount():
    text = _demo('amount = 100.00\nsource = "presse"\n\n[[conventions.targets]]\nid = "c2.',
                 'amount = 30.00\nsource = "presse"\n\n[[conventions.targets]]\nid = "c2.')
    text = text.replace("total = 400.00", "total = 330.00")
    found = [p for p in _problems(text) if p.code == "convention-overfunded"]
    assert [(p.entry, p.field, dict(p.args)) for p in found] == [
        ("c2", "amount", {"convention": "c2", "contributions": "40.00 MDH",
                           "amount": "30.00 MDH"})]


def test_a_plan_above_its_amount():
    text = _demo("{ year = 2023, amount = 80.00 }", "{ year = 2023, amount = 90.00 }")
    (found,) = [p for p in _problems(text) if p.code == "plan-above-amount"]
    assert (found.entry, found.field, found.place.path) == ("c1", "plan", "conventions[0].plan")
    assert dict(found.args) == {"subject": "c1", "planned": "310.00 MDH",
                                "amount": "300.00 MDH"}
    text = _demo("{ year = 2022, amount = 60.00 }", "{ year = 2022, amount = 61.00 }")
    (found,) = [p for p in _problems(text) if p.code == "plan-above-amount"]
    assert (found.entry, found.place.path) == ("region", "funders[0].contributions[0].plan")


@pytest.mark.parametrize(("old", "new", "code", "path"), [
    ('convention = "c2", amount = 40.00', 'convention = "c9", amount = 40.00', "unknown-ref",
     "funders[0].contributions[1].convention"),
    ('{ amount = 210.00, source = "ministere" }', '{ amount = 210.00, source = "nul" }',
     "unknown-ref", "funders[1].alternatives[0].source"),
    ("{ year = 2022, amount = 120.00 }", "{ year = 2021, amount = 120.00 }", "duplicate-year",
     "conventions[0].plan[1].year"),
    ("signed = 2021-05-07", "signed = 2021-05-07\nsigned_date = 2021-05-07", "signed-twice",
     "programme.signed_date"),
    ("signed = 2021-05-07", "signed = 2024-05-07", "signed-outside", "programme.signed"),
    ('{ quantity = 20900, source = "ministere" }', '{ amount = 2.00, source = "ministere" }',
     "unknown-key", "conventions[0].targets[0].alternatives[0].amount"),
])
def test_structural_problems_of_the_new_keys(old, new, code, path):
    found = [p for p in _problems(_demo(old, new)) if p.code == code]
    assert [p.place.path for p in found] == [path]
    assert all(p.entry for p in found)


def test_sources_disagree_names_both_figures_and_sources():
    found = [p for p in _problems(DEMO.read_text(encoding="utf-8"))
             if p.code == "sources-disagree"]
    named = ("subject", "id", "field", "value", "source", "other", "other_source")
    assert [(p.severity, p.entry, p.field, {k: dict(p.args)[k] for k in named})
            for p in found] == [
        ("warning", "ministere", "amount",
         {"subject": "funder", "id": "ministere", "field": "amount", "value": "200.00 MDH",
          "source": "presse", "other": "210.00 MDH", "other_source": "ministere"}),
        ("warning", "c1.insertion", "quantity",
         {"subject": "target", "id": "c1.insertion", "field": "quantity", "value": "20815",
          "source": "presse", "other": "20900", "other_source": "ministere"})]
    assert found[0].message == ("funder ministere: amount is 200.00 MDH by presse but "
                                "210.00 MDH by ministere")
    # an alternative equal to the figure in use is no disagreement
    same = _demo("{ amount = 210.00, source", "{ amount = 200.00, source")
    assert [p.entry for p in _problems(same) if p.code == "sources-disagree"] == [
        "c1.insertion"]


# ---- floors and ceilings -----------------------------------------------------------------


def test_floor_and_ceiling_arithmetic(tmp_path):
    f = position.position(reading.load(DEMO).ledger, date(2023, 1, 1)).funding
    assert f.unattributed == Decimal("40.00") and f.unattributed_at_most is True
    split = {s.convention: s for s in f.split}
    assert split["c1"].unattributed == Decimal("200.00")  # 300 - 100
    assert split["c2"].unattributed == Decimal("60.00")  # 100 - 40
    assert split["c1"].unattributed_at_most and split["c2"].unattributed_at_most
    exact = reading.load(_write_demo_without_floor(tmp_path)).ledger
    g = position.position(exact, date(2023, 1, 1)).funding
    assert g.unattributed_at_most is False


def _write_demo_without_floor(folder: Path) -> Path:
    text = _demo("at_least = true\n", "")
    text = text.replace('id = "region"\nname = "Région"\namount = 160.00',
                        'id = "region"\nname = "Région"\namount = 160.00\n'
                        'conventions = ["c1", "c2"]')
    text = text.replace('{ convention = "c2", amount = 40.00',
                        '{ convention = "c2", amount = 60.00')
    text = text.replace('id = "ministere"\nname = "Ministère"\namount = 200.00',
                        'id = "ministere"\nname = "Ministère"\namount = 200.00\n'
                        'contributions = [{ convention = "c1", amount = 200.00 }]')
    return _write(folder, text)


def test_floor_shown_as_such_in_tables_and_json(emploi):
    table = emploi("summary", "-l", str(DEMO), "--as-of", AS_OF, "--lang", "en").stdout
    assert "> 200.00" in table and "≤ 40.00" in table
    data = _json(emploi("summary", "-l", str(DEMO), "--as-of", AS_OF, "-f", "json"))
    ministere = data["funders"][1]
    assert (ministere["amount"], ministere["at_least"]) == (Decimal("200.00"), True)
    assert data["unattributed_at_most"] is True


# ---- summary in every format and language ------------------------------------------------


@pytest.mark.parametrize("by", ["convention", "year"])
@pytest.mark.parametrize("fmt", ["table", "md", "json", "csv"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_summary_golden(emploi, by, fmt, lang):
    result = emploi("summary", "-l", str(DEMO), "--as-of", AS_OF, "--by", by, "-f", fmt,
                    "--lang", lang)
    assert result.exit_code == 0, result.stderr
    suffix = {"table": "txt", "md": "md", "json": "json", "csv": "csv"}[fmt]
    name = f"summary-{by}.{suffix}" if fmt in ("json", "csv") else f"summary-{by}.{lang}.{suffix}"
    _golden(name, result.stdout)


def test_summary_json_reads_a_convention_as_a_cofinancing_table(emploi):
    data = _json(emploi("summary", "-l", str(DEMO), "--as-of", AS_OF, "-f", "json"))
    c1 = data["conventions"][0]
    assert c1["funding"] == [{
        "funder": "region", "amount": Decimal("100.00"), "original_amount": Decimal("100.00"),
        "at_least": False, "estimated": True, "source": "ministere",
        "plan": [{"year": 2021, "amount": Decimal("40.00")},
                 {"year": 2022, "amount": Decimal("60.00")}],
        "committed": Decimal("45.00"), "disbursed": Decimal("30.00"), "spent": Decimal("0")}]
    assert c1["unattributed"] == Decimal("200.00")
    assert [u["funder"] for u in c1["unsplit"]] == ["region", "ministere"]
    region = data["funders"][0]
    assert region["unsplit"] == Decimal("20.00")
    assert region["by_convention"] == [{
        "convention": "c1", "contribution": Decimal("100.00"), "committed": Decimal("45.00"),
        "disbursed": Decimal("30.00"), "spent": Decimal("0")}, {
        "convention": "c2", "contribution": Decimal("40.00"), "committed": Decimal("0"),
        "disbursed": Decimal("0"), "spent": Decimal("0")}]
    assert data["alternatives"] == [
        {"kind": "funder", "id": "ministere", "field": "amount", "value": Decimal("200.00"),
         "source": "presse", "other": Decimal("210.00"), "other_source": "ministere"},
        {"kind": "target", "id": "c1.insertion", "field": "quantity", "value": 20815,
         "source": "presse", "other": 20900, "other_source": "ministere"}]


def test_summary_by_year_refused_over_several_ledgers(emploi):
    result = emploi("summary", "-l", str(DEMO), "-l", str(SHIPPED), "--by", "year")
    assert result.exit_code == 1 and "reads one ledger at a time" in result.stderr


# ---- the plan against transactions by year -----------------------------------------------


def test_plan_against_transactions_by_year():
    pos = position.position(reading.load(DEMO).ledger, date(2023, 1, 1))
    lines = {(y.year, y.convention, y.funder): y for y in pos.years}
    assert (lines[(2021, "", "")].planned, lines[(2021, "", "")].flows.disbursed,
            lines[(2021, "", "")].state) == (Decimal("100.00"), Decimal("30.00"), "behind")
    assert lines[(2022, "c1", "")].flows.disbursed == Decimal("50.00")
    assert lines[(2022, "c1", "region")].flows.committed == Decimal("45.00")
    assert lines[(2022, "c1", "region")].flows.disbursed == Decimal("0")
    assert lines[(2023, "c1", "")].state == "running"
    assert lines[(2021, "c2", "")].planned is None and lines[(2021, "c2", "")].state == ""
    assert lines[(2021, "", "")].execution == Decimal("30.00")
    early = position.position(reading.load(DEMO).ledger, date(2020, 12, 31))
    assert {y.state for y in early.years if y.planned is not None} == {"future"}


def test_a_fiscal_year_follows_the_programmes_first_month(tmp_path):
    text = _demo('unit = "MDH"', 'unit = "MDH"\nfiscal_year_start = 7')
    pos = position.position(reading.load(_write(tmp_path, text)).ledger, date(2023, 1, 1))
    lines = {(y.year, y.convention, y.funder): y for y in pos.years}
    # t1 (2021-06-30) falls in fiscal year 2020, t2 (2022-03-31) in 2021
    assert lines[(2020, "c1", "")].flows.disbursed == Decimal("30.00")
    assert lines[(2021, "c1", "")].flows.disbursed == Decimal("50.00")
    assert (lines[(2021, "", "")].first, lines[(2021, "", "")].last) == (
        date(2021, 7, 1), date(2022, 6, 30))


def test_status_flags_a_year_behind_its_plan(emploi, tmp_path):
    result = emploi("status", "-l", str(DEMO), "--as-of", AS_OF, "--lang", "en")
    assert "Years whose disbursements lag the plan: 2021, 2022" in result.stdout
    data = _json(emploi("status", "-l", str(DEMO), "--as-of", AS_OF, "-f", "json"))
    assert [(y["year"], y["convention"], y["state"]) for y in data["years"]][:2] == [
        (2021, None, "behind"), (2021, "c1", "behind")]
    # targets without quantities never fail: what fails here is the plan
    text = DEMO.read_text(encoding="utf-8").replace("quantity = 20815\n", "").replace(
        "quantity = 17\n", "")
    behind = _write(tmp_path, text)

    def code(path: Path, fail_on: str) -> int:
        return emploi("status", "-l", str(path), "--as-of", AS_OF, "--fail-on",
                      fail_on).exit_code
    assert (code(behind, "behind"), code(behind, "at-risk")) == (3, 0)
    met = text.replace("{ year = 2021, amount = 100.00 }, { year = 2022, amount = 120.00 }",
                       "{ year = 2021, amount = 30.00 }, { year = 2022, amount = 50.00 }")
    met = met.replace("plan = [{ year = 2021, amount = 40.00 }, { year = 2022, amount = 60.00 }]",
                      "plan = [{ year = 2021, amount = 30.00 }]")
    folder = tmp_path / "met"
    folder.mkdir()
    assert code(_write(folder, met), "behind") == 0


# ---- amend a contribution ----------------------------------------------------------------


def test_amend_one_contribution_as_of_a_date(emploi, tmp_path):
    path = _write(tmp_path, DEMO.read_text(encoding="utf-8"))
    result = emploi("amend", "-l", str(path), "--funder", "region", "--convention", "c1",
                    "--amount", "110", "--date", "2022-01-01", "--reference", "Av 1",
                    "--reason", "new split")
    assert result.exit_code == 0, result.stderr
    assert 'funder = "region"' in path.read_text(encoding="utf-8").split("[[amendments]]")[1]

    def c1(as_of: str) -> dict:
        data = _json(emploi("summary", "-l", str(path), "--as-of", as_of, "-f", "json"))
        return data["conventions"][0]["funding"][0]
    assert (c1("2021-12-31")["amount"], c1("2021-12-31")["original_amount"]) == (
        Decimal("100.00"), Decimal("100.00"))
    assert (c1("2022-01-01")["amount"], c1("2022-01-01")["original_amount"]) == (
        Decimal("110.00"), Decimal("100.00"))
    pos = api.position(api.open_ledger(path), date(2022, 1, 1))
    assert {u.funder: u.amount for u in pos.funding.unsplit}["region"] == Decimal("10.00")


def test_amend_a_contribution_refused_when_it_breaks_the_money(emploi, tmp_path):
    path = _write(tmp_path, DEMO.read_text(encoding="utf-8"))
    before = path.read_bytes()
    result = emploi("amend", "-l", str(path), "--funder", "region", "--convention", "c1",
                    "--amount", "150", "--date", "2022-01-01", "--reference", "Av 2",
                    "--reason", "too much")
    assert result.exit_code == 1
    assert "190.00 MDH, more than its amount (160.00 MDH)" in result.stderr
    assert path.read_bytes() == before


def test_a_contribution_amendment_in_the_journal_reads_back(tmp_path):
    text = DEMO.read_text(encoding="utf-8") + (
        '\n[[amendments]]\nid = "a1"\ndate = 2022-01-01\nreference = "Av 1"\nreason = "x"\n'
        'funder = "region"\nconvention = "c2"\namount = 50.00\n')
    assert [p.code for p in _problems(text) if p.is_error] == []
    ledger = reading.load(_write(tmp_path, text)).ledger
    force = position.in_force(ledger, date(2022, 1, 1))
    assert force.contribution_amount[("region", "c2")] == Decimal("50.00")
    assert ledger.entries(reading.m.AmendmentEntry)[0].subject == (
        "funder region: contribution to c2")


# ---- signing, and where pace starts ------------------------------------------------------


def test_pace_starts_at_signing_when_the_date_is_known(tmp_path):
    ledger = reading.load(DEMO).ledger
    line = next(t for t in position.position(ledger, date(2022, 1, 1)).targets
                if t.id == "c1.insertion")
    assert line.pace.start == date(2021, 5, 7)
    unsigned = reading.load(_write(tmp_path, _demo("signed = 2021-05-07\n", ""))).ledger
    line = next(t for t in position.position(unsigned, date(2022, 1, 1)).targets
                if t.id == "c1.insertion")
    assert line.pace.start == date(2021, 1, 1)


def test_signed_date_is_the_older_name_of_signed(tmp_path):
    text = _demo("signed = 2021-05-07", "signed_date = 2021-05-07")
    assert reading.load(_write(tmp_path, text)).ledger.programme.signed_date == date(2021, 5, 7)


# ---- the report --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_report_notes_sources_that_disagree_under_the_tables(emploi, fmt):
    text = emploi("report", "-l", str(DEMO), "--as-of", AS_OF, "--generated-at", AS_OF,
                  "-f", fmt, "--lang", "en").stdout
    assert "funder ministere: amount 200.00 MDH by presse, 210.00 MDH by ministere" in text
    assert "target c1.insertion: quantity 20,815 by presse, 20,900 by ministere" in text
    assert "Who pays what, by convention" in text and "Financing plan by year" in text
    assert "Agence de presse, 2021-05-08" in text
    funding = text.split("Who pays what")[0]
    assert "Funding by funder" in funding

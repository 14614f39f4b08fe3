"""`emploi export --format iati`: IATI 2.03 activities, valid against the official schema and
codelists, carrying the position's figures."""

from __future__ import annotations

import importlib.util
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emploi_cli import api
from emploi_cli.domain import periods, position
from emploi_cli.exchange import iati, iati_codes
from emploi_cli.store import reading

from .conftest import SHIPPED
from .test_position_surfaces import AS_OF as SURFACE_DAYS
from .test_position_surfaces import definitions, journal_st, journal_text

try:
    from lxml import etree
except ImportError:  # a test dependency ('.[test]'); CI must have it
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("lxml is absent: pip install '.[test]'", allow_module_level=True)

IATI_TABLE = '''
[programme.iati]
reporting_org_ref = "MA-COA-1234"
reporting_org_type = 11
identifier_prefix = "MA-COA-1234-FM2020"
sector = 16020
'''

FULL = '''format = 1

[programme]
id = "oriental"
title = "Programme de l'Oriental"
start = 2021-01-01
end = 2022-12-31
total = 100.00
currency = "MAD"
unit = "MDH"
signed = 2021-03-05
source = "presse"

[programme.iati]
reporting_org_ref = "MA-COA-5678"
reporting_org_type = "11"
reporting_org_name = "Région de l'Oriental"
identifier_prefix = "MA-COA-5678-OR"
sector = "16020"
language = "fr"
organisations = { anapec = { role = 3, ref = "MA-ANAPEC", type = 10 }, etat = { ref = "MA-GOV" } }

[[sources]]
id = "presse"
title = "Article"
language = "fr"

[[partners]]
id = "anapec"
name = "ANAPEC"

[[funders]]
id = "region"
name = "Région de l'Oriental"
amount = 60.00

[[funders.contributions]]
convention = "c1"
amount = 40.00
plan = [{ year = 2021, amount = 15.00 }, { year = 2022, amount = 25.00 }]

[[funders]]
id = "etat"
name = "État"
amount = 30.00
conventions = ["c2"]

[[conventions]]
id = "c1"
title = "Insertion"
amount = 70.00
plan = [{ year = 2021, amount = 30.00 }, { year = 2022, amount = 40.00 }]

[[conventions.targets]]
id = "c1.insertion"
indicator = "insertion"
label = "Insertion"
quantity = 5000
unit = "personnes"
reporting = "increment"
milestones = [{ date = 2021-12-31, value = 2000 }]
baseline = { year = 2020, value = 1200, date = 2020-12-31 }

[[conventions.targets]]
id = "c1.espaces"
indicator = "espaces"
label = "Espaces emploi"
quantity = 10
unit = "espaces"
reporting = "cumulative"
milestones = [{ date = 2021-12-31, value = 4 }]

[[conventions]]
id = "c2"
title = "Unités mobiles"
amount = 30.00

[[conventions.targets]]
id = "c2.unites"
indicator = "unites"
label = "Unités mobiles"
unit = "unités"
reporting = "cumulative"

[[progress]]
id = "p1"
date = 2021-06-30
target = "c1.insertion"
value = 700
tags = { province = "Oujda", sex = "F" }

[[progress]]
id = "p2"
date = 2021-09-30
target = "c1.insertion"
value = 800
tags = { province = "Nador" }

[[progress]]
id = "p3"
date = 2022-03-31
target = "c1.insertion"
value = 900

[[progress]]
id = "p4"
date = 2021-06-30
target = "c1.espaces"
value = 2
tags = { province = "Oujda" }

[[progress]]
id = "p5"
date = 2021-12-31
target = "c1.espaces"
value = 3
tags = { province = "Oujda" }

[[progress]]
id = "p6"
date = 2022-02-28
target = "c1.espaces"
value = 1
tags = { province = "Nador" }

[[progress]]
id = "p7"
date = 2022-03-31
target = "c2.unites"
value = 2

[[progress]]
id = "p-void"
date = 2021-07-01
target = "c1.insertion"
value = 5000

[[progress]]
id = "p-later"
date = 2022-11-30
target = "c1.insertion"
value = 50

[[transactions]]
id = "t1"
date = 2021-04-01
convention = "c1"
amount = 20.00
kind = "commitment"
funder = "region"
note = "Tranche 1"

[[transactions]]
id = "t2"
date = 2021-05-01
convention = "c1"
amount = 12.5
kind = "disbursement"
funder = "region"

[[transactions]]
id = "t3"
date = 2021-10-01
convention = "c1"
amount = 0.000001
kind = "expenditure"

[[transactions]]
id = "t4"
date = 2022-01-15
convention = "c2"
amount = 7.25
kind = "disbursement"
funder = "etat"

[[transactions]]
id = "t-void"
date = 2022-01-20
convention = "c2"
amount = 99.00
kind = "disbursement"
funder = "etat"

[[transactions]]
id = "t-later"
date = 2022-10-01
convention = "c2"
amount = 1.00
kind = "disbursement"

[[voids]]
id = "v1"
date = 2022-02-01
entry = "p-void"
reason = "typo"

[[voids]]
id = "v2"
date = 2022-02-01
entry = "t-void"
reason = "duplicate"

[[amendments]]
id = "a1"
date = 2021-11-01
reference = "avenant 1"
reason = "more money"
convention = "c1"
amount = 75.00

[[amendments]]
id = "a2"
date = 2021-11-01
reference = "avenant 1"
reason = "longer"
end = 2023-06-30

[[amendments]]
id = "a3"
date = 2021-11-01
reference = "avenant 1"
reason = "more"
target = "c1.insertion"
quantity = 6000
'''

AS_OF = date(2022, 6, 30)


# ---- the standard, as published with pyIATI (installed by .ci/run, never imported) --------


def standard() -> Path | None:
    """The folder of the IATI 2.03 schemas and codelists shipped inside the pyIATI package,
    found without importing it (its pinned dependencies do not install on current Python)."""
    spec = importlib.util.find_spec("iati")
    for location in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(location) / "resources" / "standard" / "2-03"
        if (folder / "schemas" / "iati-activities-schema.xsd").is_file():
            return folder
    return None


@pytest.fixture(scope="module")
def std() -> Path:
    folder = standard()
    if folder is None:
        reason = ("the IATI 2.03 schema and codelists are absent: install them with "
                  "`pip install --no-deps pyIATI` (.ci/run does)")
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return folder


@pytest.fixture(scope="module")
def schema(std: Path):
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(std / "schemas" / "iati-activities-schema.xsd"),
                                       parser))


def codelist(std: Path, name: str, active: bool = True) -> set[str]:
    tree = etree.parse(str(std / "codelists" / f"{name}.xml"),
                       etree.XMLParser(no_network=True))
    return {item.findtext("code") for item in tree.iter("codelist-item")
            if not (active and item.get("status") == "withdrawn")}


# (XPath of a code attribute, its codelist)
CODED = [
    ("//iati-activity/@default-currency", "Currency"),
    ("//@xml:lang", "Language"),
    ("//reporting-org/@type", "OrganisationType"),
    ("//participating-org/@role", "OrganisationRole"),
    ("//participating-org/@type", "OrganisationType"),
    ("//provider-org/@type", "OrganisationType"),
    ("//description/@type", "DescriptionType"),
    ("//activity-status/@code", "ActivityStatus"),
    ("//activity-date/@type", "ActivityDateType"),
    ("//recipient-country/@code", "Country"),
    ("//sector/@vocabulary", "SectorVocabulary"),
    ("//sector[@vocabulary='1']/@code", "Sector"),
    ("//budget/@type", "BudgetType"),
    ("//planned-disbursement/@type", "BudgetType"),
    ("//transaction-type/@code", "TransactionType"),
    ("//related-activity/@type", "RelatedActivityType"),
    ("//result/@type", "ResultType"),
    ("//indicator/@measure", "IndicatorMeasure"),
]


def valid(data: bytes, schema, std: Path):
    """Parse, validate against the schema and check every code against its codelist."""
    doc = etree.fromstring(data, etree.XMLParser(no_network=True))
    assert schema.validate(doc), schema.error_log
    for path, name in CODED:
        allowed = codelist(std, name)
        for value in doc.xpath(path):
            assert value in allowed, (path, value, name)
    return doc


def load(path: Path):
    return api.open_ledger(path, no_cache=True).ledger


def document(*paths: Path, as_of: date = AS_OF) -> bytes:
    return api.iati_document([load(p) for p in paths], as_of)


@pytest.fixture
def shipped_iati(tmp_path: Path) -> Path:
    text = SHIPPED.read_text(encoding="utf-8").replace("[[sources]]",
                                                       IATI_TABLE + "\n[[sources]]", 1)
    path = tmp_path / "fes.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def full(tmp_path: Path) -> Path:
    path = tmp_path / "oriental.toml"
    path.write_text(FULL, encoding="utf-8")
    return path


def activity(doc, ident: str):
    found = doc.xpath(f"//iati-activity[iati-identifier='{ident}']")
    assert len(found) == 1, ident
    return found[0]


# ---- the codes emploi carries ------------------------------------------------------------


def test_embedded_codes_are_the_codelists(std):
    assert codelist(std, "Sector") == iati_codes.SECTORS
    assert codelist(std, "OrganisationType") == iati_codes.ORGANISATION_TYPES
    assert codelist(std, "OrganisationRole") == iati_codes.ORGANISATION_ROLES
    assert codelist(std, "Language") == iati_codes.LANGUAGES
    assert {iati.ROLE_FUNDING, iati.ROLE_IMPLEMENTING} <= codelist(std, "OrganisationRole")
    assert set(iati.TRANSACTION_TYPES.values()) <= codelist(std, "TransactionType")
    assert set(iati.COUNTRY_OF_CURRENCY) <= codelist(std, "Currency")
    assert set(iati.COUNTRY_OF_CURRENCY.values()) <= codelist(std, "Country")


# ---- the shipped ledger ------------------------------------------------------------------


def test_shipped_ledger_refused_in_one_line_naming_the_key(emploi, tmp_path):
    out = tmp_path / "out.xml"
    before = SHIPPED.read_bytes()
    result = emploi("export", "-f", "iati", str(out), "-l", str(SHIPPED))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"emploi: {SHIPPED} [programme.iati.reporting_org_ref]: error: "
                             "add reporting_org_ref, reporting_org_type, identifier_prefix, "
                             "sector to [programme.iati] to export IATI (docs/iati.md)\n")
    assert not out.exists()
    assert SHIPPED.read_bytes() == before
    assert "[programme.iati]" not in before.decode()


def test_shipped_ledger_refusal_is_data(tmp_path):
    with pytest.raises(api.EmploiError) as caught:
        document(SHIPPED)
    [problem] = caught.value.problems
    assert (problem.code, problem.entry, problem.field) == (
        "iati-missing", "fes-meknes", "reporting_org_ref")
    assert problem.place.path == "programme.iati.reporting_org_ref"


@pytest.mark.parametrize("key", iati.REQUIRED)
def test_each_required_key_is_named(shipped_iati, key):
    text = shipped_iati.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith(f"{key} =")]
    shipped_iati.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(api.EmploiError) as caught:
        document(shipped_iati)
    assert [(p.code, p.field) for p in caught.value.problems] == [("iati-missing", key)]


def test_shipped_ledger_with_identifiers(shipped_iati, schema, std):
    doc = valid(document(shipped_iati), schema, std)
    assert doc.get("version") == "2.03"
    idents = doc.xpath("//iati-identifier/text()")
    assert idents == ["MA-COA-1234-FM2020", "MA-COA-1234-FM2020-c1", "MA-COA-1234-FM2020-c2"]
    programme = activity(doc, "MA-COA-1234-FM2020")
    assert programme.get("hierarchy") == "1"
    assert programme.get("default-currency") == "MAD"
    assert programme.xpath("related-activity[@type='2']/@ref") == idents[1:]
    for ident in idents[1:]:
        convention = activity(doc, ident)
        assert convention.get("hierarchy") == "2"
        assert convention.xpath("related-activity[@type='1']/@ref") == [idents[0]]
    # the language is the programme's source's: the shipped article is in French
    assert set(doc.xpath("//narrative/@xml:lang")) == {"fr"}
    assert doc.xpath("//recipient-country/@code") == ["MA"] * 3
    assert doc.xpath("//sector/@code") == ["16020"] * 3
    # nothing invented: no signing date, no plan, no journal, no baseline
    assert doc.xpath("//activity-date[@type='2']") == []
    assert doc.xpath("//budget | //planned-disbursement | //transaction | //baseline") == []
    assert programme.xpath("activity-date/@type") == ["1", "3"]
    assert programme.xpath("activity-date/@iso-date") == ["2020-01-01", "2022-12-31"]
    assert programme.xpath("activity-status/@code") == ["2"]
    # funders Funding, partners Implementing
    assert programme.xpath("participating-org/@role") == ["1", "4", "4"]
    # increment targets with no milestone: the ledger states no yearly figure; the 17
    # espaces (a running total) are due by the end
    assert periods_of(doc, "Espaces emploi mis en place") == [
        ("2022-01-01", "2022-12-31", "17", [])]
    assert len(doc.xpath("//period/target")) == 1
    # the mobile units have no quantity: never a target value of 0
    assert doc.xpath("//target[@value='0']") == []
    # results: one per target, measure unit, ascending
    assert len(doc.xpath("//result[@type='1']")) == 5
    assert set(doc.xpath("//indicator/@measure")) == {"1"}
    assert set(doc.xpath("//indicator/@ascending")) == {"1"}


def test_shipped_status_follows_as_of(shipped_iati):
    before = etree.fromstring(document(shipped_iati, as_of=date(2019, 12, 31)))
    after = etree.fromstring(document(shipped_iati, as_of=date(2023, 1, 1)))
    assert set(before.xpath("//activity-status/@code")) == {"1"}
    assert set(after.xpath("//activity-status/@code")) == {"3"}


# ---- a full journal with amendments ------------------------------------------------------


def test_full_ledger(full, schema, std):
    doc = valid(document(full), schema, std)
    programme = activity(doc, "MA-COA-5678-OR")
    c1, c2 = activity(doc, "MA-COA-5678-OR-c1"), activity(doc, "MA-COA-5678-OR-c2")
    assert programme.xpath("reporting-org/narrative/text()") == ["Région de l'Oriental"]
    # signed: the actual start; the end as amended
    assert programme.xpath("activity-date[@type='2']/@iso-date") == ["2021-03-05"]
    assert programme.xpath("activity-date[@type='3']/@iso-date") == ["2023-06-30"]
    # the ledger says ANAPEC's role (3, extending) and refs; the state's ref without a type
    orgs = [(o.get("role"), o.get("ref"), o.get("type"), o.findtext("narrative"))
            for o in programme.iter("participating-org")]
    assert orgs == [("1", None, None, "Région de l'Oriental"), ("1", "MA-GOV", None, "État"),
                    ("3", "MA-ANAPEC", "10", "ANAPEC")]
    assert c1.xpath("participating-org/narrative/text()") == ["Région de l'Oriental"]
    assert c2.xpath("participating-org/narrative/text()") == ["Région de l'Oriental", "État"]
    # the financing plan: original budgets in dirhams, one per fiscal year
    budgets = [(b.get("type"), b.find("period-start").get("iso-date"),
                b.find("period-end").get("iso-date"), b.findtext("value"))
               for b in c1.iter("budget")]
    assert budgets == [("1", "2021-01-01", "2021-12-31", "30000000"),
                       ("1", "2022-01-01", "2022-12-31", "40000000")]
    assert c2.xpath("budget") == []
    # the contribution's tranches: planned disbursements from the region
    planned = [(p.find("period-start").get("iso-date"), p.findtext("value"),
                p.findtext("provider-org/narrative")) for p in c1.iter("planned-disbursement")]
    assert planned == [("2021-01-01", "15000000", "Région de l'Oriental"),
                       ("2022-01-01", "25000000", "Région de l'Oriental")]
    # every live transaction by the as-of date, none void, none later
    rows = [(t.find("transaction-type").get("code"),
             t.find("transaction-date").get("iso-date"), t.findtext("value"),
             t.find("value").get("value-date"), t.findtext("provider-org/narrative"),
             t.findtext("description/narrative")) for t in doc.iter("transaction")]
    assert rows == [("2", "2021-04-01", "20000000", "2021-04-01", "Région de l'Oriental",
                     "Tranche 1"),
                    ("3", "2021-05-01", "12500000", "2021-05-01", "Région de l'Oriental", None),
                    ("4", "2021-10-01", "1", "2021-10-01", None, None),
                    ("3", "2022-01-15", "7250000", "2022-01-15", "État", None)]
    # the state's ref is its provider-org ref too
    assert c2.xpath("transaction/provider-org/@ref") == ["MA-GOV"]


PLAN_AMENDMENTS = '''
[[amendments]]
id = "a4"
date = 2022-02-01
reference = "avenant 2"
reason = "tranche 2022 revue"
convention = "c1"
year = 2022
amount = 45.00

[[amendments]]
id = "a5"
date = 2022-03-01
reference = "avenant 3"
reason = "un plan pour c2"
convention = "c2"
year = 2022
amount = 10.00

[[amendments]]
id = "a6"
date = 2022-03-01
reference = "avenant 3"
reason = "tranche de la région"
funder = "region"
convention = "c1"
year = 2022
amount = 20.00

[[amendments]]
id = "a7"
date = 2022-07-01
reference = "avenant 4"
reason = "après la date du document"
convention = "c1"
year = 2021
amount = 25.00
'''


def test_plan_amendments_give_revised_budgets(tmp_path, schema, std):
    path = tmp_path / "amended.toml"
    path.write_text(FULL + PLAN_AMENDMENTS, encoding="utf-8")
    doc = valid(document(path), schema, std)
    c1, c2 = activity(doc, "MA-COA-5678-OR-c1"), activity(doc, "MA-COA-5678-OR-c2")

    def budgets(element, tag: str = "budget") -> list[tuple]:
        return [(b.get("type"), b.find("period-start").get("iso-date"),
                 b.find("period-end").get("iso-date"), b.findtext("value"),
                 b.find("value").get("value-date")) for b in element.iter(tag)]
    # the original plan as first stated; a revised budget where an amendment in force sets
    # the year (a7 is dated after the as-of date: 2021 has no revised budget)
    assert budgets(c1) == [("1", "2021-01-01", "2021-12-31", "30000000", "2021-01-01"),
                           ("1", "2022-01-01", "2022-12-31", "40000000", "2022-01-01"),
                           ("2", "2022-01-01", "2022-12-31", "45000000", "2022-02-01")]
    # a year added by an amendment has a revised budget only
    assert budgets(c2) == [("2", "2022-01-01", "2022-12-31", "10000000", "2022-03-01")]
    # planned disbursements: the contribution's plan in force, revised where amended
    assert budgets(c1, "planned-disbursement") == [
        ("1", "2021-01-01", "2021-12-31", "15000000", "2021-01-01"),
        ("2", "2022-01-01", "2022-12-31", "20000000", "2022-03-01")]
    later = valid(document(path, as_of=date(2022, 7, 1)), schema, std)
    assert budgets(activity(later, "MA-COA-5678-OR-c1"))[:2] == [
        ("1", "2021-01-01", "2021-12-31", "30000000", "2021-01-01"),
        ("2", "2021-01-01", "2021-12-31", "25000000", "2022-07-01")]
    before = valid(document(path, as_of=date(2022, 1, 31)), schema, std)
    assert [b[0] for b in budgets(activity(before, "MA-COA-5678-OR-c1"))] == ["1", "1"]
    assert budgets(activity(before, "MA-COA-5678-OR-c2")) == []


def periods_of(doc, label: str) -> list[tuple]:
    [indicator] = doc.xpath(f"//indicator[title/narrative='{label}']")
    found = []
    for period in indicator.iter("period"):
        target = period.find("target")
        found.append((period.find("period-start").get("iso-date"),
                      period.find("period-end").get("iso-date"),
                      None if target is None else target.get("value"),
                      [(a.get("value"), [(d.get("name"), d.get("value"))
                                         for d in a.iter("dimension")])
                       for a in period.iter("actual")]))
    return found


def test_full_results(full):
    doc = etree.fromstring(document(full))
    # increment: milestone 2000 due in 2021, then 6000 (amended) by the amended end, in
    # 2023: 2022 states nothing, so 2023 has no yearly target either
    assert periods_of(doc, "Insertion") == [
        ("2021-01-01", "2021-12-31", "2000", [("800", [("province", "Nador")]),
                                              ("700", [("province", "Oujda"), ("sex", "F")])]),
        ("2022-01-01", "2022-12-31", None, [("900", [])]),
    ]
    # the baseline the ledger gives, on its indicator only
    assert [dict(b.attrib) for b in doc.iter("baseline")] == [
        {"year": "2020", "value": "1200", "iso-date": "2020-12-31"}]
    # cumulative: the running total due, and each series' latest value by the period's end
    assert periods_of(doc, "Espaces emploi") == [
        ("2021-01-01", "2021-12-31", "4", [("3", [("province", "Oujda")])]),
        ("2022-01-01", "2022-12-31", None, [("1", [("province", "Nador")]),
                                            ("3", [("province", "Oujda")])]),
        ("2023-01-01", "2023-06-30", "10", []),
    ]
    # unquantified: actuals, never a target
    assert periods_of(doc, "Unités mobiles") == [("2022-01-01", "2022-12-31", None,
                                                  [("2", [])])]


def test_round_trip_finds_the_position(full):
    ledger = load(full)
    pos = position.position(ledger, AS_OF)
    round_trip(etree.fromstring(iati.document([pos])), pos, "MA-COA-5678-OR")


def round_trip(doc, pos: position.Position, prefix: str) -> None:
    """The document holds the position's flows (by type, and disbursed by convention) and its
    achievements by year (the sums of the --period year rows; the last running total)."""
    ledger = pos.ledger
    by_type = {"2": Decimal(0), "3": Decimal(0), "4": Decimal(0)}
    for t in doc.iter("transaction"):
        by_type[t.find("transaction-type").get("code")] += Decimal(t.findtext("value"))
    flows = pos.funding.total_flows
    assert by_type == {"2": flows.committed * 1_000_000, "3": flows.disbursed * 1_000_000,
                       "4": flows.spent * 1_000_000}
    for c in pos.funding.conventions:
        mine = activity(doc, f"{prefix}-{c.id}")
        disbursed = sum(Decimal(t.findtext("value")) for t in mine.iter("transaction")
                        if t.find("transaction-type").get("code") == "3")
        assert disbursed == c.flows.disbursed * 1_000_000
    # actuals by year: the sums of the --period year rows, the last running total
    rows = periods.period_rows(ledger, pos.as_of, "year")
    indicators = list(doc.iter("indicator"))
    assert [i.findtext("title/narrative") for i in indicators] == [t.label for t in pos.targets]
    for line, indicator in zip(pos.targets, indicators, strict=True):
        actual = {p.find("period-start").get("iso-date")[:4]:
                  sum(int(a.get("value")) for a in p.iter("actual"))
                  for p in indicator.iter("period") if p.find("actual") is not None}
        mine = [r for r in rows if r.target == line.id]
        if line.reporting == "increment":
            assert {k: v for k, v in actual.items() if v} == {
                r.period: r.value for r in mine if r.value}
            assert sum(actual.values()) == line.achieved
        else:
            assert {k: v for k, v in actual.items() if v} == {
                r.period: r.cumulative for r in mine if r.cumulative}
            assert actual.get(max(actual, default=""), 0) == line.achieved
        if line.quantity is None:
            assert indicator.find("period/target") is None


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(journal=journal_st, day=st.sampled_from(SURFACE_DAYS),
       base=st.sampled_from(("shipped", "cofinanced")))
def test_random_journals_give_valid_documents_with_the_position(tmp_path, schema, std,
                                                                 journal, day, base):
    text = definitions(base).replace("[[sources]]", IATI_TABLE + "\n[[sources]]", 1)
    path = tmp_path / "random.toml"
    path.write_text(text + journal_text(journal), encoding="utf-8")
    loaded = reading.load(path)
    assert not loaded.errors, loaded.errors
    pos = position.position(loaded.ledger, date.fromisoformat(day))
    doc = valid(iati.document([pos]), schema, std)
    round_trip(doc, pos, "MA-COA-1234-FM2020")


def test_as_of_is_honoured(full):
    early = etree.fromstring(document(full, as_of=date(2021, 6, 30)))
    assert early.xpath("//transaction-date/@iso-date") == ["2021-04-01", "2021-05-01"]
    # the amendments are not in force yet: the end as first stated
    assert early.xpath("//iati-activity[@hierarchy='1']/activity-date[@type='3']/@iso-date"
                       ) == ["2022-12-31"]
    late = etree.fromstring(document(full, as_of=date(2023, 7, 1)))
    assert "2022-10-01" in late.xpath("//transaction-date/@iso-date")


# ---- two ledgers -------------------------------------------------------------------------


def test_rollup_of_two_ledgers(emploi, shipped_iati, full, schema, std, tmp_path):
    out = tmp_path / "both.xml"
    result = emploi("export", "-f", "iati", str(out), "-l", str(shipped_iati), "-l", str(full),
                    "--as-of", "2022-06-30")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (f"{out}: 2 programme(s), 4 convention(s), 8 target(s), "
                             "20 entries.\n")
    doc = valid(out.read_bytes(), schema, std)
    assert doc.xpath("//iati-identifier/text()") == [
        "MA-COA-1234-FM2020", "MA-COA-1234-FM2020-c1", "MA-COA-1234-FM2020-c2",
        "MA-COA-5678-OR", "MA-COA-5678-OR-c1", "MA-COA-5678-OR-c2"]
    assert out.read_bytes() == document(shipped_iati, full)


def test_rollup_refuses_one_identifier_twice(shipped_iati, tmp_path):
    other = tmp_path / "other.toml"
    other.write_text(shipped_iati.read_text(encoding="utf-8").replace(
        'id = "fes-meknes"', 'id = "autre"'), encoding="utf-8")
    with pytest.raises(api.EmploiError) as caught:
        document(shipped_iati, other)
    assert [p.code for p in caught.value.problems] == ["duplicate-identifier"]


# ---- the command -------------------------------------------------------------------------


def test_standard_output(emploi, full, schema, std):
    result = emploi("export", "--format", "iati", "-", "-l", str(full))
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == document(full)  # EMPLOI_TODAY is 2022-06-30
    assert result.stdout_bytes.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n")
    valid(result.stdout_bytes, schema, std)


def test_sqlite_never_goes_to_standard_output(emploi, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = emploi("export", "-f", "sqlite", "-", "-l", str(SHIPPED))
    assert result.exit_code == 1
    assert "cannot go to standard output" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_refusal_writes_nothing(emploi, tmp_path):
    out = tmp_path / "keep.xml"
    out.write_text("before", encoding="utf-8")
    result = emploi("export", "-f", "iati", str(out), "-l", str(SHIPPED))
    assert result.exit_code == 1
    assert out.read_text(encoding="utf-8") == "before"


def test_output_is_not_the_ledger(emploi, full):
    before = full.read_bytes()
    result = emploi("export", "-f", "iati", str(full), "-l", str(full))
    assert result.exit_code == 1
    assert "refusing to overwrite it" in result.stderr
    assert full.read_bytes() == before


# ---- codes the ledger gives --------------------------------------------------------------


@pytest.mark.parametrize("old, new, field", [
    ("sector = 16020", "sector = 99999", "sector"),
    ("reporting_org_type = 11", "reporting_org_type = 12", "reporting_org_type"),
    ("sector = 16020", 'sector = 16020\nlanguage = "xx"', "language"),
    ("sector = 16020", "sector = 16020\norganisations = { region = { role = 7 } }",
     "organisations.role"),
    ("sector = 16020", "sector = 16020\norganisations = { ads = { type = 3 } }",
     "organisations.type"),
])
def test_unknown_code_is_an_error(shipped_iati, old, new, field):
    shipped_iati.write_text(shipped_iati.read_text(encoding="utf-8").replace(old, new, 1),
                            encoding="utf-8")
    with pytest.raises(api.EmploiError) as caught:
        document(shipped_iati)
    assert [(p.code, p.field) for p in caught.value.problems] == [("iati-code", field)]


def test_language_needed_when_no_source_gives_it(shipped_iati):
    text = shipped_iati.read_text(encoding="utf-8").replace('language = "fr"\n', "")
    shipped_iati.write_text(text, encoding="utf-8")
    with pytest.raises(api.EmploiError) as caught:
        document(shipped_iati)
    assert [(p.code, p.field) for p in caught.value.problems] == [("iati-missing", "language")]


def test_organisation_must_be_a_funder_or_partner(shipped_iati):
    text = shipped_iati.read_text(encoding="utf-8").replace(
        "sector = 16020", "sector = 16020\norganisations = { nobody = { role = 2 } }", 1)
    shipped_iati.write_text(text, encoding="utf-8")
    loaded = reading.load(shipped_iati)
    assert [(p.code, p.entry) for p in loaded.errors] == [("unknown-ref", "nobody")]


@pytest.mark.parametrize("baseline, code", [
    ("{ year = 2020 }", "missing"),
    ("{ year = 20, value = 3 }", "bad-value"),
    ("{ year = 2020, value = -3 }", "negative"),
    ("3", "type"),
])
def test_baseline_is_checked(full, baseline, code):
    text = full.read_text(encoding="utf-8").replace(
        "baseline = { year = 2020, value = 1200, date = 2020-12-31 }", f"baseline = {baseline}")
    full.write_text(text, encoding="utf-8")
    assert [(p.code, p.entry) for p in reading.load(full).errors] == [(code, "c1.insertion")]


def test_identifiers_come_back_from_the_cache(full, monkeypatch, tmp_path):
    monkeypatch.delenv("EMPLOI_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    plain = reading.load(full).ledger.programme.iati
    assert plain is not None and len(plain.organisations) == 2
    first = api.open_ledger(full).ledger.programme.iati
    second = api.open_ledger(full).ledger.programme.iati
    assert list((tmp_path / "xdg").rglob("*")), "the cache was written"
    assert first == second == plain


def test_control_characters_stay_valid_xml(shipped_iati, schema, std):
    text = shipped_iati.read_text(encoding="utf-8").replace(
        'title = "Programme régional', 'title = "Programme\\u001b[31m régional', 1)
    shipped_iati.write_text(text, encoding="utf-8")
    doc = valid(document(shipped_iati), schema, std)
    assert doc.xpath("//iati-activity[@hierarchy='1']/title/narrative/text()") == [
        "Programme\ufffd[31m régional de promotion de l'emploi"]

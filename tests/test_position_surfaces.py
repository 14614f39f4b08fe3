"""One programme, one set of figures: every surface shows the position's figures."""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emploi_cli.domain import position
from emploi_cli.present import pace_reports
from emploi_cli.present.render import human_text
from emploi_cli.store import reading

from .conftest import SHIPPED

STEPS = (
    ("disburse", "c1", "25.5", "--funder", "region", "--date", "2021-02-01"),
    ("disburse", "c2", "10", "--date", "2021-03-01"),
    ("amend", "--convention", "c2", "--amount", "35", "--reference", "A1", "--reason", "test",
     "--date", "2022-01-15"),
)
DAY = "2022-06-30"


def _json(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout, parse_float=Decimal)


@pytest.fixture
def amended(emploi, ledger):
    """The shipped ledger with a disbursement by the region, one without a funder, and c2's
    amount amended from 32 to 35."""
    for step in STEPS:
        result = emploi(*step, "-l", str(ledger))
        assert result.exit_code == 0, result.stderr
    return ledger


def test_summary_status_and_report_give_one_total(emploi, amended):
    summary = _json(emploi("summary", "-l", str(amended), "--as-of", DAY, "-f", "json"))
    status = _json(emploi("status", "-l", str(amended), "--as-of", DAY, "-f", "json"))
    report = emploi("report", "-l", str(amended), "--as-of", DAY, "-f", "md", "--lang", "en")
    assert report.exit_code == 0, report.stderr
    assert summary["total_in_force"] == Decimal("409.80")
    assert status["funding"]["total_in_force"] == summary["total_in_force"]
    assert status["funding"]["execution"] == Decimal("8.66")
    assert [c["title"] for c in status["funding"]["conventions"]] == [
        c["title"] for c in summary["conventions"]]
    text = report.stdout
    assert "**Total amount**: 409.80 MDH (amended, originally 406.80 MDH)" in text
    assert re.search(r"\|  \| Total \| 409\.80 \| 100\.00 % \| 0\.00 \| 35\.50 \| 0\.00 \| "
                     r"8\.66 % \|", text), text
    shares = [Decimal(s) for s in re.findall(r"\| (\d+\.\d\d) % \| (?:yes|no|) \|", text)]
    assert shares == [Decimal("39.04"), Decimal("60.96")]


# ---- every surface equals the position, on random journals ---------------------------------

TARGETS = ("c1.insertion", "c1.employabilite", "c2.employabilite", "c2.espaces",
           "c2.unites_mobiles")
DATES = [date(2020, 1, 1) + timedelta(days=n) for n in range(0, 912, 29)]  # to mid 2022
AS_OF = ("2020-03-31", "2021-06-30", "2022-01-15", "2022-06-30", "2023-06-30")

money_st = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("60"), places=2)
progress_st = st.fixed_dictionaries({
    "table": st.just("progress"), "date": st.sampled_from(DATES),
    "target": st.sampled_from(TARGETS), "value": st.integers(0, 3000),
    "tags": st.sampled_from(["", 'tags = { province = "fes" }', 'tags = { province = "taza" }'])})
transaction_st = st.fixed_dictionaries({
    "table": st.just("transactions"), "date": st.sampled_from(DATES),
    "convention": st.sampled_from(("c1", "c2")), "amount": money_st,
    "kind": st.sampled_from(("commitment", "disbursement", "expenditure")),
    "funder": st.sampled_from(("", "region"))})
void_st = st.fixed_dictionaries({"table": st.just("voids"), "pick": st.integers(0, 10**6)})
amendment_st = st.one_of(
    st.fixed_dictionaries({"table": st.just("amendments"), "date": st.sampled_from(DATES),
                           "convention": st.sampled_from(("c1", "c2")),
                           "amount": st.decimals(min_value=Decimal("1"),
                                                 max_value=Decimal("500"), places=2)}),
    st.fixed_dictionaries({"table": st.just("amendments"), "date": st.sampled_from(DATES),
                           "funder": st.just("region"),
                           "amount": st.decimals(min_value=Decimal("1"),
                                                 max_value=Decimal("300"), places=2)}),
    st.fixed_dictionaries({"table": st.just("amendments"), "date": st.sampled_from(DATES),
                           "funder": st.just("region"),
                           "convention": st.sampled_from(("c1", "c2")),
                           "amount": st.decimals(min_value=Decimal("0"),
                                                 max_value=Decimal("150"), places=2)}),
    st.fixed_dictionaries({"table": st.just("amendments"), "date": st.sampled_from(DATES),
                           "target": st.sampled_from(TARGETS),
                           "quantity": st.integers(1, 30000)}),
    st.fixed_dictionaries({"table": st.just("amendments"), "date": st.sampled_from(DATES),
                           "end": st.sampled_from((date(2022, 6, 30), date(2023, 12, 31),
                                                   date(2024, 6, 30)))}))
journal_st = st.lists(st.one_of(progress_st, transaction_st, void_st, amendment_st),
                      max_size=12)


# The shipped definitions with the region's money split in part between the conventions,
# each part and c1 with a financing plan, and a second source giving a figure differently.
COFINANCED = (
    ('conventions = ["c1", "c2"]\nsource = "article"',
     'conventions = ["c1", "c2"]\nsource = "article"\ncontributions = [\n'
     '  { convention = "c1", amount = 100.00, plan = [{ year = 2021, amount = 60.00 }] },\n'
     '  { convention = "c2", amount = 20.00, source = "other" },\n]'),
    ('amount = 374.80\nsource = "article"',
     'amount = 374.80\nsource = "article"\nplan = [{ year = 2020, amount = 100.00 }, '
     '{ year = 2021, amount = 150.00 }, { year = 2022, amount = 124.80 }]\n'
     'alternatives = [{ amount = 380.00, source = "other" }]'),
    ('[[partners]]', '[[sources]]\nid = "other"\ntitle = "Another paper"\n\n[[partners]]'),
)


def definitions(base: str) -> str:
    text = SHIPPED.read_text(encoding="utf-8")
    if base == "cofinanced":
        for old, new in COFINANCED:
            assert old in text, old
            text = text.replace(old, new, 1)
    return text


def _toml(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return value.isoformat() if isinstance(value, date) else str(value)


def journal_text(entries: list[dict]) -> str:
    """The entries as TOML tables, as a person would write them by hand."""
    text, ids = [], []
    for n, entry in enumerate(entries):
        ident = f"e{n:03d}"
        if entry["table"] == "voids":
            if not ids:
                continue
            lines = [f'entry = "{ids[entry["pick"] % len(ids)]}"', 'reason = "wrong"',
                     "date = 2022-06-30"]
        else:
            lines = [f"{k} = {_toml(v)}" for k, v in entry.items()
                     if k not in ("table", "tags") and v != ""]
            if entry.get("tags"):
                lines.append(entry["tags"])
            if entry["table"] == "amendments":
                lines += ['reference = "A"', 'reason = "test"']
            ids.append(ident)
        text.append(f'\n[[{entry["table"]}]]\nid = "{ident}"\n' + "\n".join(lines) + "\n")
    return "".join(text)


def _lines(text: str, first: str) -> list[list[str]]:
    """The cells after the first of the md table rows whose first cell is `first` (an empty
    first cell: `first` is the second)."""
    start = f"| {first} | " if first[0] != " " else f"|  | {first[1:]} | "
    return [[c.strip() for c in line.rstrip(" |").split(" | ")[1:]]
            for line in text.splitlines() if line.startswith(start)]


def _check_summary(data: dict, pos: position.Position, qualify: str = "") -> None:
    f = pos.funding
    assert (data["total"], data["total_in_force"], data["conventions_total"],
            data["total_matches"], data["unattributed"], data["original_unattributed"]) == (
        f.total, f.total_in_force, f.conventions_total, f.total_matches, f.unattributed,
        f.original_unattributed)
    assert data["unattributed_flows"] == {"committed": f.unattributed_flows.committed,
                                          "disbursed": f.unattributed_flows.disbursed,
                                          "spent": f.unattributed_flows.spent}
    for rows, lines in ((data["conventions"], f.conventions), (data["funders"], f.funders)):
        assert [(r["id"], r["amount"], r["original_amount"], r["share"], r["committed"],
                 r["disbursed"], r["spent"], r["execution"]) for r in rows] == [
            (qualify + x.id, x.amount, x.original_amount, x.share, x.flows.committed,
             x.flows.disbursed, x.flows.spent, x.execution) for x in lines]
    assert data["unattributed_at_most"] == f.unattributed_at_most
    for row, split in zip(data["conventions"], f.split, strict=True):
        assert [(s["funder"], s["amount"], s["original_amount"], s["at_least"],
                 s["committed"], s["disbursed"], s["spent"]) for s in row["funding"]] == [
            (qualify + s.funder, s.amount, s.original_amount, s.at_least, s.flows.committed,
             s.flows.disbursed, s.flows.spent) for s in split.funding]
        assert [(u["funder"], u["amount"]) for u in row["unsplit"]] == [
            (qualify + u.funder, u.amount) for u in split.unsplit]
        assert (row["unattributed"], row["unattributed_at_most"]) == (
            split.unattributed, split.unattributed_at_most)
        # what a convention receives: its contributions and what is left without a funder
        assert sum((s.amount for s in split.funding), Decimal(0)) + split.unattributed >= (
            split.amount)
    assert [(r["kind"], r["id"], r["other"]) for r in data["alternatives"]] == [
        (d.kind, qualify + d.id, d.other) for d in pos.disagreements]


def _check_years(rows: list[dict], pos: position.Position, planned_only: bool = False
                 ) -> None:
    lines = [y for y in pos.years if y.planned is not None or not planned_only]
    assert [(r["year"], r["convention"], r["funder"], r["planned"], r["committed"],
             r["disbursed"], r["spent"], r["execution"], r["state"]) for r in rows] == [
        (y.year, y.convention or None, y.funder or None, y.planned, y.flows.committed,
         y.flows.disbursed, y.flows.spent, y.execution, y.state or None) for y in lines]
    programme = [y for y in pos.years if not y.convention]
    # the years' flows add up to the programme's flows
    assert sum((y.flows.disbursed for y in programme), Decimal(0)) == (
        pos.funding.total_flows.disbursed)


def _check_targets(rows: list[dict], pos: position.Position, qualify: str = "") -> None:
    assert [(r["id"], r["target"], r["original_target"], r["achieved"], r["remaining"],
             r["progress"]) for r in rows] == [
        (qualify + t.id, t.quantity, t.original_quantity, t.achieved, t.remaining, t.progress)
        for t in pos.targets]


def _check_status(data: dict, pos: position.Position) -> None:
    f = pos.funding
    money = data["funding"]
    assert (money["total"], money["total_in_force"], money["committed"], money["disbursed"],
            money["spent"], money["execution"]) == (
        f.total, f.total_in_force, f.total_flows.committed, f.total_flows.disbursed,
        f.total_flows.spent, f.execution)
    assert [(c["amount"], c["execution"]) for c in money["conventions"]] == [
        (c.amount, c.execution) for c in f.conventions]
    assert (money["status"], money["shortfall"]) == (f.status, f.shortfall)
    assert [(x["status"], x["shortfall"]) for x in money["conventions"] + money["funders"]] \
        == [(x.status, x.shortfall) for x in f.conventions + f.funders]
    assert (f.status is None) == (pos.as_of < pos.end)  # money has a state once the end passed
    assert data["counts"] == pos.counts
    by_id = {t["id"]: t for t in data["targets"]}
    for t in pos.targets:
        p, c, row = t.pace, t.cost, by_id[t.id]
        assert (row["target"], row["achieved"], row["status"], row["expected"], row["gap"],
                row["remaining"], row["progress"], row["expected_progress"],
                row["rate_so_far"], row["rate_needed"], row["projected"], row["end"],
                row["cost_basis"], row["cost_per_result_disbursed"],
                row["planned_cost_per_result"], row["shortfall"], row["first_report"]) == (
            t.quantity, t.achieved, p.status, p.expected, p.gap, t.remaining, t.progress,
            p.expected_progress, p.rate_so_far, p.rate_needed, p.projected,
            p.end.isoformat(), c.basis, c.per_result_disbursed, c.planned_per_result,
            p.shortfall, p.schedule.first_report_due.isoformat())


def _check_report(text: str, pos: position.Position) -> None:
    f = pos.funding

    def cells(*pairs) -> list[str]:
        return [human_text(v, kind, "en") for v, kind in pairs]

    over = f.status is not None  # money shows met or missed, and the shortfall

    def state(line) -> tuple:
        return ((line.status and pace_reports.status_label(line.status), "label"),
                (line.shortfall, "money")) if over else ()

    def flows(line) -> tuple:
        return ((line.flows.committed, "money"), (line.flows.disbursed, "money"),
                (line.flows.spent, "money"), (line.execution, "percent"), *state(line))
    total = f"{human_text(f.total_in_force, 'money', 'en')} MDH"
    assert f"- **Total amount**: {total}" in text
    assert _lines(text, " Total")[0][1:] == cells(
        (f.total_in_force, "money"), (f.conventions_share, "percent"),
        (f.total_flows.committed, "money"), (f.total_flows.disbursed, "money"),
        (f.total_flows.spent, "money"), (f.execution, "percent"), *state(f))
    for c in f.conventions:
        assert _lines(text, c.id)[0][1:] == cells((c.amount, "money"), (c.share, "percent"),
                                                  *flows(c))
    for x in f.funders:
        assert _lines(text, x.id)[0][1:] == cells(
            (x.amount, "money"), (x.share, "percent"), (x.estimated, "bool"), *flows(x))
    for d in pos.disagreements:
        assert f"{d.kind} {d.id}: " in text
    assert _lines(text, " No named funder")[0][1:] == cells(
        (f.unattributed, "money"), (f.unattributed_share, "percent"), (None, "bool"),
        (f.unattributed_flows.committed, "money"), (f.unattributed_flows.disbursed, "money"),
        (f.unattributed_flows.spent, "money"), (None, "percent"),
        *(((None, "label"), (None, "money")) if over else ()))
    missed = any(t.pace.status == "missed" for t in pos.targets)
    for t in pos.targets:
        state = human_text(pace_reports.status_label(t.pace.status), "label", "en")
        row = _lines(text, state)
        row = next(r for r in row if r[0] == t.id.replace("_", "\\_"))
        assert [row[2], row[3], *row[5:]] == cells(
            (t.achieved, "int"), (t.quantity, "int"), (t.pace.expected, "int"),
            (t.pace.gap, "int"), *(((t.pace.shortfall, "int"),) if missed else ()))


def _check_sqlite(db: Path, pos: position.Position) -> None:
    with sqlite3.connect(db) as connection:
        connection.row_factory = sqlite3.Row
        targets = [dict(r) for r in connection.execute(
            "SELECT * FROM targets_achieved ORDER BY ord")]
        money = [dict(r) for r in connection.execute("SELECT * FROM funding_execution")]
    connection.close()

    def pct(value):
        return None if value is None else Decimal(repr(value))

    def mdh(value):
        return None if value is None else Decimal(value)
    assert {r["as_of"] for r in targets + money} == {pos.as_of.isoformat()}
    assert [(r["id"], r["target"], r["original_target"], r["achieved"], r["remaining"],
             pct(r["progress"])) for r in targets] == [
        (t.id, t.quantity, t.original_quantity, t.achieved, t.remaining, t.progress)
        for t in pos.targets]
    f = pos.funding
    lines = [("total", None, f.total_in_force, f.total, f.total_flows, f.execution),
             *(("convention", c.id, c.amount, c.original_amount, c.flows, c.execution)
               for c in f.conventions),
             *(("funder", x.id, x.amount, x.original_amount, x.flows, x.execution)
               for x in f.funders),
             ("unattributed", None, f.unattributed, f.original_unattributed,
              f.unattributed_flows, None)]
    assert [(r["record"], r["id"], mdh(r["amount_mdh"]), mdh(r["original_amount_mdh"]),
             mdh(r["committed_mdh"]), mdh(r["disbursed_mdh"]), mdh(r["spent_mdh"]),
             pct(r["execution"])) for r in money] == [
        (record, ident, amount, original, flows.committed, flows.disbursed, flows.spent,
         execution) for record, ident, amount, original, flows, execution in lines]


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(journal=journal_st, days=st.lists(st.sampled_from(AS_OF), min_size=2, max_size=2,
                                         unique=True),
       base=st.sampled_from(("shipped", "cofinanced")))
def test_every_surface_shows_the_position(emploi, tmp_path, journal, days, base):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    text = definitions(base) + journal_text(journal)
    one, two = folder / "a.toml", folder / "b.toml"
    one.write_text(text, encoding="utf-8")
    two.write_text(text.replace('id = "fes-meknes"', 'id = "copy"', 1), encoding="utf-8")
    loaded = reading.load(one)
    assert not loaded.errors, loaded.errors
    ledger = loaded.ledger
    both = ("-l", str(one), "-l", str(two))
    for day in days:
        pos = position.position(ledger, date.fromisoformat(day))
        at = ("--as-of", day, "-f", "json")
        _check_summary(_json(emploi("summary", "-l", str(one), *at)), pos)
        _check_targets(_json(emploi("targets", "-l", str(one), *at)), pos)
        status = _json(emploi("status", "-l", str(one), *at))
        _check_status(status, pos)
        _check_years(status["years"], pos, planned_only=True)
        _check_years(_json(emploi("summary", "-l", str(one), "--by", "year", *at))["years"],
                     pos)
        report = emploi("report", "-l", str(one), "--as-of", day, "--lang", "en")
        assert report.exit_code == 0, report.stderr
        _check_report(report.stdout, pos)
        rolled = _json(emploi("summary", *both, *at))
        for data, qualify in zip(rolled["programmes"], ("fes-meknes:", "copy:"), strict=True):
            _check_summary(data, pos, qualify)
        f = pos.funding
        twice = {key: 2 * value for key, value in (
            ("total", f.total), ("total_in_force", f.total_in_force),
            ("conventions_total", f.conventions_total), ("unattributed", f.unattributed),
            ("committed", f.total_flows.committed), ("disbursed", f.total_flows.disbursed),
            ("spent", f.total_flows.spent))}
        assert {k: rolled["totals"][k] for k in twice} == twice
        assert rolled["totals"]["execution"] == f.execution
        status = _json(emploi("status", *both, *at))["totals"]["funding"]
        assert {k: status[k] for k in ("total", "total_in_force", "committed", "disbursed",
                                       "spent")} == {k: twice[k] for k in status if k in twice}
        assert status["execution"] == f.execution
        targets = _json(emploi("targets", *both, *at))["targets"]
        _check_targets(targets[:len(pos.targets)], pos, "fes-meknes:")
        _check_targets(targets[len(pos.targets):], pos, "copy:")
        db = folder / f"{day}.db"
        result = emploi("export", str(db), "-l", str(one), "--as-of", day)
        assert result.exit_code == 0, result.stderr
        _check_sqlite(db, pos)

"""Roll-up across programmes (several ledgers, one national view).

Exact outputs are in tests/golden/rollup/; after a deliberate change, rewrite them with
`EMPLOI_REGOLD=1 python3 -m pytest tests/test_rollup.py` and review the diff."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from emploi_cli.cli.app import app
from emploi_cli.domain import model as m
from emploi_cli.domain import position, rollup
from emploi_cli.store.reading import load

from .conftest import SHIPPED

GOLDEN = Path(__file__).parent / "golden" / "rollup"
FES = "regions/a-fes.toml"
ORIENTAL = "regions/b-oriental.toml"
BOTH = ("-l", FES, "-l", ORIENTAL)
DAY = date(2022, 6, 30)


def oriental_text() -> str:
    """A second regional programme: its own id, region, figures, and one more indicator."""
    text = SHIPPED.read_text(encoding="utf-8")
    for old, new in (('id = "fes-meknes"', 'id = "oriental"'),
                     ('region = "Fès-Meknès"', 'region = "Oriental"'),
                     ("title = \"Programme régional de promotion de l'emploi\"",
                      "title = \"Programme emploi de l'Oriental\""),
                     ("total = 406.80", "total = 100.00"),
                     ("amount = 374.80", "amount = 80.00"),
                     ("amount = 32.00", "amount = 20.00"),
                     ('name = "Région Fès-Meknès"', 'name = "Région de l\'Oriental"'),
                     ("amount = 160.00", "amount = 40.00"),
                     ("quantity = 20815", "quantity = 5000"),
                     ("quantity = 5460", "quantity = 2000"),
                     ("quantity = 1500", "quantity = 500"),
                     ("quantity = 17", "quantity = 8")):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    extra = ('[[conventions.targets]]\nid = "c2.formation"\nindicator = "formation"\n'
             'label = "Jeunes formés"\nquantity = 300\nunit = "personnes"\n'
             'reporting = "increment"\n\n')
    mark = "# ---- Journal"
    return text.replace(mark, extra + mark)


ENTRIES = (
    ("record", "c1.insertion", "1200", "--date", "2021-03-31", "--tag", "province=Fès", "-l",
     FES),
    ("record", "c2.espaces", "5", "--date", "2021-03-31", "-l", FES),
    ("record", "c2.espaces", "7", "--date", "2021-09-30", "-l", FES),
    ("disburse", "c1", "25.5", "--funder", "region", "--date", "2021-02-01", "-l", FES),
    ("record", "c1.insertion", "800", "--date", "2021-06-30", "-l", ORIENTAL),
    ("record", "c1.employabilite", "300", "--date", "2021-06-30", "-l", ORIENTAL),
    ("record", "c2.formation", "120", "--date", "2021-12-31", "-l", ORIENTAL),
    ("disburse", "c2", "10", "--date", "2021-02-01", "-l", ORIENTAL),
)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Two regional ledgers with journal entries in both, written by emploi itself."""
    root = tmp_path_factory.mktemp("rollup")
    (root / "regions").mkdir()
    shutil.copyfile(SHIPPED, root / FES)
    (root / ORIENTAL).write_text(oriental_text(), encoding="utf-8")
    runner = CliRunner()
    here = os.getcwd()
    os.chdir(root)
    try:
        for args in ENTRIES:
            result = runner.invoke(app, list(args), catch_exceptions=False)
            assert result.exit_code == 0, result.stderr
    finally:
        os.chdir(here)
    return root


@pytest.fixture
def regions(built: Path, tmp_path: Path, monkeypatch) -> Path:
    """A private copy of the two ledgers; the working directory is its parent (relative
    paths in the outputs)."""
    shutil.copytree(built / "regions", tmp_path / "regions")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _json(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout, parse_float=Decimal)


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("EMPLOI_REGOLD"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from tests/golden/rollup/{name}"


# ---- figures -----------------------------------------------------------------------------


def test_totals_by_indicator_are_the_sums_of_the_programmes(emploi, regions):
    data = _json(emploi("targets", *BOTH, "-f", "json"))
    alone = {path: _json(emploi("targets", "-l", path, "--by", "indicator", "-f", "json"))
             for path in (FES, ORIENTAL)}
    assert [p["id"] for p in data["programmes"]] == ["fes-meknes", "oriental"]
    totals = {i["indicator"]: i for i in data["indicators"]}
    assert list(totals) == ["insertion", "employabilite", "espaces_emploi", "unites_mobiles",
                            "formation"]
    for name, total in totals.items():
        parts = [row for rows in alone.values() for row in rows if row["indicator"] == name]
        assert total["achieved"] == sum(p["achieved"] for p in parts)
        quantities = [p["target"] for p in parts]
        assert total["target"] == (None if None in quantities else sum(quantities))
        assert [p["programme"] for p in total["programmes"]] == [
            pid for pid, path in (("fes-meknes", FES), ("oriental", ORIENTAL))
            if any(r["indicator"] == name for r in alone[path])]
    assert {k: (v["target"], v["achieved"], v["remaining"], v["progress"])
            for k, v in totals.items()} == {
        "insertion": (25815, 2000, 23815, Decimal("7.75")),
        "employabilite": (9460, 300, 9160, Decimal("3.17")),
        "espaces_emploi": (25, 7, 18, Decimal("28.00")),
        "unites_mobiles": (None, 0, None, None),  # unquantified stays unquantified, never 0
        "formation": (300, 120, 180, Decimal("40.00")),
    }
    assert totals["employabilite"]["targets"] == [
        "fes-meknes:c1.employabilite", "fes-meknes:c2.employabilite",
        "oriental:c1.employabilite", "oriental:c2.employabilite"]


def test_ids_are_qualified_by_programme(emploi, regions):
    data = _json(emploi("targets", *BOTH, "-f", "json"))
    assert [(t["programme"], t["id"], t["convention"]) for t in data["targets"][:2]] == [
        ("fes-meknes", "fes-meknes:c1.insertion", "fes-meknes:c1"),
        ("fes-meknes", "fes-meknes:c1.employabilite", "fes-meknes:c1")]
    assert data["targets"][-1]["id"] == "oriental:c2.formation"
    money = _json(emploi("summary", *BOTH, "-f", "json"))
    assert [c["id"] for p in money["programmes"] for c in p["conventions"]] == [
        "fes-meknes:c1", "fes-meknes:c2", "oriental:c1", "oriental:c2"]
    assert money["programmes"][0]["funders"][0]["conventions"] == [
        "fes-meknes:c1", "fes-meknes:c2"]


def test_money_totals_are_the_sums(emploi, regions):
    data = _json(emploi("summary", *BOTH, "-f", "json"))
    alone = [_json(emploi("summary", "-l", path, "-f", "json")) for path in (FES, ORIENTAL)]
    def q(a: dict, ident: str) -> str:
        return f"{a['programme']['id']}:{ident}"

    assert data["programmes"] == [
        {**a, "conventions": [
            {**c, "id": q(a, c["id"]),
             "funding": [{**s, "funder": q(a, s["funder"])} for s in c["funding"]],
             "unsplit": [{**u, "funder": q(a, u["funder"]),
                          "conventions": [q(a, x) for x in u["conventions"]]}
                         for u in c["unsplit"]]}
            for c in a["conventions"]],
         "funders": [{**f, "id": q(a, f["id"]),
                      "conventions": [q(a, x) for x in f["conventions"]],
                      "by_convention": [{**x, "convention": q(a, x["convention"])}
                                        for x in f["by_convention"]]}
                     for f in a["funders"]],
         "alternatives": [{**x, "id": q(a, x["id"])} for x in a["alternatives"]]}
        for a in alone]  # each programme exactly as with one ledger, ids qualified
    totals = data["totals"]
    for key in ("total", "total_in_force", "conventions_total", "committed", "disbursed",
                "spent", "unattributed"):
        assert totals[key] == sum(
            a[key] if key in a else sum(c[key] for c in a["conventions"]) for a in alone), key
    assert (totals["total"], totals["disbursed"], totals["execution"]) == (
        Decimal("506.80"), Decimal("35.50"), Decimal("7.00"))
    assert (totals["currency"], totals["unit"], totals["programmes"]) == ("MAD", "MDH", 2)
    assert totals["unattributed_flows"]["disbursed"] == Decimal("10.00")


def test_status_totals(emploi, regions):
    data = _json(emploi("status", *BOTH, "-f", "json"))
    assert [p["programme"]["id"] for p in data["programmes"]] == ["fes-meknes", "oriental"]
    totals = data["totals"]
    assert totals["funding"]["total_in_force"] == Decimal("506.80")
    assert totals["funding"]["disbursed"] == Decimal("35.50")
    assert sum(totals["counts"].values()) == 11  # every target of both programmes
    by = {i["indicator"]: i for i in totals["indicators"]}
    targets = [t for p in data["programmes"] for t in p["targets"]]
    for name, total in by.items():
        mine = [t for t in targets if t["indicator"] == name]
        assert total["achieved"] == sum(t["achieved"] for t in mine)
        expected = [t["expected"] for t in mine]
        assert total["expected"] == (None if None in expected else sum(expected))
        assert sum(total["counts"].values()) == len(mine)
    assert by["unites_mobiles"]["target"] is None and by["unites_mobiles"]["expected"] is None


def test_fail_on_counts_every_programme(emploi, regions):
    assert emploi("status", *BOTH, "--fail-on", "at-risk").exit_code == 3


# ---- every format (exact output) ---------------------------------------------------------

REPORTS = {
    "summary": ["summary"],
    "targets": ["targets"],
    "indicators": ["targets", "--by", "indicator"],
    "status": ["status"],
}


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("fmt", ["table", "md", "json", "csv"])
def test_rollup_golden(emploi, regions, report, fmt):
    langs = ("en",) if fmt in ("json", "csv") else ("fr", "en")
    for lang in langs:
        result = emploi(*REPORTS[report], "--ledger-dir", "regions", "-f", fmt, "--lang", lang)
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
        suffix = {"table": "txt", "md": "md", "json": "json", "csv": "csv"}[fmt]
        _golden(f"{report}.{suffix}" if len(langs) == 1 else f"{report}.{lang}.{suffix}",
                result.stdout)


def test_csv_has_a_programme_column_and_national_rows(emploi, regions):
    rows = list(csv.DictReader(io.StringIO(emploi("targets", *BOTH, "-f", "csv").stdout)))
    assert {r["record"] for r in rows} == {"target", "indicator"}
    assert [r["programme"] for r in rows if r["record"] == "target"].count("oriental") == 6
    national = [r for r in rows if r["programme"] == ""]
    assert all(r["record"] == "indicator" for r in national)
    assert (national[0]["indicator"], national[0]["target"], national[0]["achieved"]) == (
        "insertion", "25815", "2000")
    money = list(csv.DictReader(io.StringIO(emploi("summary", *BOTH, "-f", "csv").stdout)))
    total = next(r for r in money if r["programme"] == "" and r["record"] == "total")
    assert (total["amount"], total["disbursed"]) == ("506.80", "35.50")


def test_report_has_a_section_per_programme_and_national_totals(emploi, regions):
    md = emploi("report", *BOTH, "--lang", "en", "--generated-at", "2022-07-01")
    assert md.exit_code == 0, md.stderr
    headings = [line for line in md.stdout.splitlines() if re.match(r"#{1,2} ", line)]
    assert headings == [
        "# National view", "## National total",
        "## fes-meknes — Programme régional de promotion de l'emploi",
        "## oriental — Programme emploi de l'Oriental", "## About this report"]
    assert "| insertion | 2,000 | 25,815 | personnes |" in md.stdout
    assert "#### oriental:c2.formation — Jeunes formés" in md.stdout
    for path in (FES, ORIENTAL):  # by file name only: the folder stays in
        assert f"| {Path(path).name} |" in md.stdout and f"| {path} |" not in md.stdout
    html = emploi("report", *BOTH, "-f", "html", "--generated-at", "2022-07-01")
    assert html.exit_code == 0, html.stderr
    ids = re.findall(r' id="([^"]+)"', html.stdout)
    assert len(ids) == len(set(ids))
    for ident in ("national", "chart-funding-programmes", "p-fes-meknes", "p-oriental",
                  "p-oriental-funding", "p-oriental-chart-funding-conventions"):
        assert ident in ids
    again = emploi("report", *BOTH, "-f", "html", "--generated-at", "2022-07-01")
    assert again.stdout == html.stdout  # same inputs, same bytes


# ---- choosing the ledgers ----------------------------------------------------------------


def test_ledger_dir_reads_every_toml_sorted_by_name_not_recursive(emploi, regions):
    (regions / "regions" / "notes.txt").write_text("not a ledger\n", encoding="utf-8")
    (regions / "regions" / "old").mkdir()
    shutil.copyfile(SHIPPED, regions / "regions" / "old" / "copy.toml")  # would be a duplicate
    by_dir = emploi("targets", "--ledger-dir", "regions", "-f", "json")
    assert by_dir.stdout == emploi("targets", *BOTH, "-f", "json").stdout
    os.rename(regions / FES, regions / "regions" / "z-fes.toml")
    order = _json(emploi("summary", "--ledger-dir", "regions", "-f", "json"))
    assert [p["programme"]["id"] for p in order["programmes"]] == ["oriental", "fes-meknes"]


def test_ledger_and_ledger_dir_together(emploi, regions):
    (regions / "more").mkdir()
    os.rename(regions / ORIENTAL, regions / "more" / "oriental.toml")
    data = _json(emploi("summary", "-l", FES, "--ledger-dir", "more", "-f", "json"))
    assert [p["programme"]["id"] for p in data["programmes"]] == ["fes-meknes", "oriental"]


def test_ledger_dir_errors(emploi, regions):
    missing = emploi("summary", "--ledger-dir", "nowhere")
    assert missing.exit_code == 1 and "nowhere: error: --ledger-dir is not a folder" in (
        missing.stderr)
    (regions / "empty").mkdir()
    empty = emploi("targets", "--ledger-dir", "empty")
    assert empty.exit_code == 1 and "no *.toml ledger" in empty.stderr


@pytest.mark.parametrize("report", ["summary", "targets", "status"])
@pytest.mark.parametrize("fmt", ["table", "json", "csv", "md"])
def test_one_ledger_output_is_unchanged(emploi, regions, report, fmt):
    os.rename(regions / ORIENTAL, regions / "oriental.toml")
    plain = emploi(report, "-l", FES, "-f", fmt).stdout
    assert emploi(report, "--ledger-dir", "regions", "-f", fmt).stdout == plain
    assert emploi(report, "-l", FES, "-l", f"./{FES}", "-f", fmt).stdout == plain  # same file
    assert "programme:id" not in plain and "fes-meknes:" not in plain


def test_output_may_not_name_one_of_the_ledgers(emploi, regions):
    before = (regions / ORIENTAL).read_bytes()
    result = emploi("summary", *BOTH, "-o", ORIENTAL)
    assert result.exit_code == 1 and "refusing to overwrite it" in result.stderr
    assert (regions / ORIENTAL).read_bytes() == before


def test_single_ledger_options_are_refused_in_a_roll_up(emploi, regions):
    for extra in (["--convention", "c1"], ["--tag", "province"], ["--period", "quarter"]):
        result = emploi("targets", *BOTH, *extra)
        assert result.exit_code == 2, extra
        assert "leave them out of a roll-up" in result.stderr


# ---- what is refused ---------------------------------------------------------------------


def _refused(result, *files: str) -> str:
    """Exit 1, nothing on standard output, every file named on standard error."""
    assert result.exit_code == 1, result.stdout
    assert result.stdout == ""
    for file in files:
        assert file in result.stderr
    return result.stderr


@pytest.mark.parametrize("report", ["summary", "targets", "status", "report"])
def test_unit_mismatch_is_refused_naming_both_files(emploi, regions, report):
    path = regions / ORIENTAL
    text = path.read_text(encoding="utf-8")
    text = text.replace('quantity = 5000\nunit = "personnes"', 'quantity = 5000\nunit = "jeunes"')
    path.write_text(text, encoding="utf-8")
    err = _refused(emploi(report, *BOTH), FES, ORIENTAL)
    line = text[: text.index('unit = "jeunes"')].count("\n") + 1
    assert err == (
        f"emploi: {ORIENTAL}:{line}:1 [conventions[0].targets[0].unit]: error: indicator "
        f"'insertion' is counted in 'jeunes' here (target c1.insertion) but in 'personnes' in "
        f"{FES} (target c1.insertion); different units are never added up\n")


@pytest.mark.parametrize(("key", "value", "word"), [("currency", "EUR", "currencies"),
                                                    ("unit", "KDH", "units")])
def test_money_in_another_currency_or_unit_is_refused(emploi, regions, key, value, word):
    path = regions / ORIENTAL
    old = {"currency": 'currency = "MAD"', "unit": 'unit = "MDH"'}[key]
    path.write_text(path.read_text(encoding="utf-8").replace(old, f'{key} = "{value}"'),
                    encoding="utf-8")
    err = _refused(emploi("summary", "--ledger-dir", "regions"), FES, ORIENTAL)
    assert f"[programme.{key}]: error: programme.{key} is '{value}' here but" in err
    assert f"amounts in different {word} are never added up" in err


def test_duplicate_programme_id_is_refused_naming_both_files(emploi, regions):
    shutil.copyfile(regions / FES, regions / "regions" / "c-fes-again.toml")
    err = _refused(emploi("targets", "--ledger-dir", "regions"), FES,
                   "regions/c-fes-again.toml")
    assert "[programme.id]: error: programme id 'fes-meknes' is also the id of" in err


def test_a_ledger_with_errors_is_refused_by_name(emploi, regions):
    path = regions / ORIENTAL
    path.write_text(path.read_text(encoding="utf-8").replace("quantity = 5000",
                                                             "quantity = -5"),
                    encoding="utf-8")
    err = _refused(emploi("summary", *BOTH), ORIENTAL)
    assert "`emploi check` lists them all" in err


@pytest.mark.parametrize("command", [
    ["record", "c1.insertion", "5"], ["disburse", "c1", "1"], ["void", "x", "--reason", "r"],
    ["close", "2021"], ["check"], ["history"], ["import", "t.csv"],
])
def test_several_ledgers_are_refused_where_one_is_read_or_written(emploi, regions, command):
    before = [(regions / p).read_bytes() for p in (FES, ORIENTAL)]
    result = emploi(*command, *BOTH)
    assert result.exit_code == 2, result.stderr
    assert result.stderr == ("emploi: usage error: --ledger was given 2 times; this command "
                             "works on one ledger (summary, targets, status, report and "
                             "export read several)\n")
    assert [(regions / p).read_bytes() for p in (FES, ORIENTAL)] == before


def test_ledger_dir_is_not_an_option_of_writing_commands(emploi, regions):
    assert emploi("record", "c1.insertion", "5", "--ledger-dir", "regions").exit_code == 2


# ---- the pure layer ----------------------------------------------------------------------


def test_qualified_ledger_rewrites_ids_and_references_only(regions):
    ledger = load(regions / FES).ledger
    assert ledger is not None
    q = rollup.qualified(ledger)
    assert [t.id for t in q.targets][:1] == ["fes-meknes:c1.insertion"]
    assert {t.indicator for t in q.targets} == {t.indicator for t in ledger.targets}
    progress = [e for e in q.journal if isinstance(e, m.ProgressEntry)]
    assert progress[0].target == "fes-meknes:c1.insertion"
    assert [e.id for e in q.journal] == [e.id for e in ledger.journal]
    money = next(e for e in q.journal if isinstance(e, m.TransactionEntry))
    assert (money.convention, money.funder) == ("fes-meknes:c1", "fes-meknes:region")
    assert position.achieved(q, DAY)["fes-meknes:c2.espaces"] == position.achieved(
        ledger, DAY)["c2.espaces"] == 7


def test_rollup_refuses_rather_than_adds(regions):
    fes = load(regions / FES).ledger
    assert fes is not None
    with pytest.raises(m.EmploiError) as caught:
        rollup.rollup([fes, fes], DAY)
    assert caught.value.problems[0].code == "duplicate-programme"


_line = st.builds(
    lambda q, a, n: position.IndicatorLine("x", "personnes", tuple(f"t{i}" for i in range(n)),
                                          q, a),
    st.one_of(st.none(), st.integers(0, 10**6)), st.integers(0, 10**6), st.integers(1, 3))


@given(st.lists(st.lists(_line, max_size=1), min_size=1, max_size=5))
def test_indicator_total_is_the_sum_or_unquantified(parts):
    programmes = [(f"p{i}", lines) for i, lines in enumerate(parts)]
    totals = rollup.indicator_totals(programmes)
    lines = [line for _, group in programmes for line in group]
    if not lines:
        assert totals == []
        return
    (total,) = totals
    assert total.achieved == sum(line.achieved for line in lines)
    if any(line.quantity is None for line in lines):
        assert total.quantity is None and total.remaining is None and total.progress is None
    else:
        assert total.quantity == sum(line.quantity or 0 for line in lines)
    assert total.programmes == tuple(p for p, group in programmes if group)

"""`emploi export --format sqlite`: tables, and the position's figures as the reports give them."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emploi_cli.exchange import sqlite

# Journal entries there is no command for yet, written as a person would.
HAND_WRITTEN = '''
[[amendments]]
id = "am-c1"
date = 2021-09-01
reference = "avenant 1"
reason = "revised budget"
convention = "c1"
amount = 380.25

[[amendments]]
id = "am-region"
date = 2021-09-01
reference = "avenant 1"
reason = "revised contribution"
funder = "region"
amount = 165.5

[[amendments]]
id = "am-insertion"
date = 2021-10-01
reference = "avenant 1"
reason = "revised target"
target = "c1.insertion"
quantity = 21000

[[amendments]]
id = "am-later"
date = 2022-09-01
reference = "avenant 2"
reason = "not yet in force"
target = "c1.insertion"
quantity = 25000

[[assertions]]
id = "as-1"
date = 2021-06-30
source = "ANAPEC T2"
target = "c1.insertion"
value = 120

[[locks]]
id = "lk-1"
date = 2021-03-31
action = "close"
period = "2021-Q1"
'''


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The shipped ledger with a journal of every kind of entry (built once per module)."""
    from typer.testing import CliRunner

    from emploi_cli.cli.app import app

    folder = tmp_path_factory.mktemp("full")
    ledger = folder / "conventions.toml"
    shutil.copyfile(Path(__file__).parent.parent / "data" / "conventions.toml", ledger)
    runner = CliRunner()

    def ok(*args: str) -> str:
        result = runner.invoke(app, [*args, "-l", str(ledger)], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        return result.stdout.strip()

    ok("record", "c1.insertion", "120", "--date", "2021-06-30", "--tag", "province=fes")
    ok("record", "c1.insertion", "35", "--date", "2021-09-30", "--tag", "province=taza",
       "--note", "T3")
    wrong = ok("record", "c1.employabilite", "999", "--date", "2021-06-30")
    ok("void", wrong, "--reason", "typo")
    ok("record", "c2.espaces", "3", "--date", "2021-06-30", "--tag", "province=fes")
    ok("record", "c2.espaces", "5", "--date", "2021-09-30", "--tag", "province=fes")
    ok("record", "c2.espaces", "2", "--date", "2021-09-30", "--tag", "province=taza")
    ok("record", "c2.unites_mobiles", "4", "--date", "2021-09-30")
    ok("record", "c1.insertion", "7", "--date", "2022-03-31")
    ok("disburse", "c1", "25.5", "--funder", "region", "--date", "2021-07-01")
    ok("disburse", "c1", "100", "--kind", "commitment", "--date", "2021-07-01")
    ok("disburse", "c2", "3.125", "--kind", "expenditure", "--date", "2021-08-01")
    ok("disburse", "c2", "0.000001", "--date", "2021-08-02", "--funder", "region")
    csv = folder / "t2.csv"
    csv.write_text("Indicateur,Nombre,Date\nc2.employabilite,40,2021-06-30\n", encoding="utf-8")
    ok("import", str(csv), "--kind", "progress", "--map", "target=Indicateur",
       "--map", "value=Nombre", "--map", "date=Date", "--save-profile", "ads")
    with ledger.open("a", encoding="utf-8") as out:
        out.write(HAND_WRITTEN)
    return ledger


@pytest.fixture
def full(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "full.toml"
    shutil.copyfile(built, copy)
    return copy


def export(emploi, out: Path, *args: str):
    result = emploi("export", str(out), *args)
    assert result.exit_code == 0, result.stderr
    return result


def query(db: Path, sql: str, *params) -> list[dict]:
    with sqlite3.connect(db) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute(sql, params)]


def report(emploi, command: str, ledger: Path, *args: str):
    result = emploi(command, "-l", str(ledger), "-f", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout, parse_float=Decimal)


def exact(value):
    """A REAL from SQLite as the decimal it stands for (2 places), None kept."""
    return None if value is None else Decimal(repr(value))


# ---- the figure tables give the reports' figures ---------------------------------------


@pytest.mark.parametrize("as_of", [None, "2021-06-30", "2021-09-30"])
def test_targets_view_matches_targets_json(emploi, full, tmp_path, as_of):
    args = ("--as-of", as_of) if as_of else ()
    db = tmp_path / "out.db"
    export(emploi, db, "-l", str(full), *args)
    rows = query(db, "SELECT * FROM targets_achieved")
    expected = report(emploi, "targets", full, *args)
    assert [r["programme"] for r in rows] == ["fes-meknes"] * len(expected)
    assert [{**{k: r[k] for k in expected[0]}, "progress": exact(r["progress"])}
            for r in rows] == expected
    assert {r["id"]: r["target"] for r in rows}["c1.insertion"] == (
        20815 if as_of else 21000)


@pytest.mark.parametrize("as_of", [None, "2021-07-01"])
def test_funding_view_matches_summary_json(emploi, full, tmp_path, as_of):
    args = ("--as-of", as_of) if as_of else ()
    db = tmp_path / "out.db"
    export(emploi, db, "-l", str(full), *args)
    summary = report(emploi, "summary", full, *args)
    lines = query(db, "SELECT * FROM funding_execution")
    assert [(r["record"], r["id"]) for r in lines] == [
        ("total", None), ("convention", "c1"), ("convention", "c2"), ("funder", "region"),
        ("unattributed", None)]

    def figures(row: dict) -> dict:
        return {"amount": Decimal(row["amount_mdh"]), "share": exact(row["share"]),
                "committed": Decimal(row["committed_mdh"]),
                "disbursed": Decimal(row["disbursed_mdh"]),
                "spent": Decimal(row["spent_mdh"]), "execution": exact(row["execution"])}

    keys = ("amount", "share", "committed", "disbursed", "spent", "execution")
    total, c1, c2, region, rest = lines
    assert [figures(c1), figures(c2)] == [{k: c[k] for k in keys}
                                          for c in summary["conventions"]]
    assert [Decimal(c["original_amount_mdh"]) for c in (c1, c2)] == [
        c["original_amount"] for c in summary["conventions"]]
    assert figures(region) == {k: summary["funders"][0][k] for k in keys}
    assert bool(region["estimated"]) is summary["funders"][0]["estimated"]
    assert Decimal(rest["amount_mdh"]) == summary["unattributed"]
    assert {k: Decimal(rest[f"{k}_mdh"]) for k in ("committed", "disbursed", "spent")} == (
        summary["unattributed_flows"])
    assert rest["execution"] is None
    assert Decimal(total["amount_mdh"]) == summary["total_in_force"]
    assert Decimal(total["original_amount_mdh"]) == summary["total"]
    for row in lines:  # the two money columns say the same
        assert Decimal(row["amount_dh"]) / 10**6 == Decimal(row["amount_mdh"])


# ---- the tables -----------------------------------------------------------------------------


def test_tables(emploi, full, tmp_path):
    db = tmp_path / "out.db"
    result = export(emploi, db, "-l", str(full))
    assert result.stdout == (f"{db}: 1 programme(s), 2 convention(s), 5 target(s), "
                             "21 entries.\n")
    assert query(db, "SELECT * FROM export_info") == [
        {"schema_version": 3, "as_of": "2022-06-30", "emploi_version": "0.1.0"}]
    programme = query(db, "SELECT programme, ledger, total_mdh, total_dh, start_date, "
                          "end_date FROM programmes")
    assert programme == [{"programme": "fes-meknes", "ledger": str(full),
                          "total_mdh": "406.80", "total_dh": 406_800_000,
                          "start_date": "2020-01-01", "end_date": "2022-12-31"}]
    assert query(db, "SELECT id, amount_mdh, amount_dh FROM conventions ORDER BY ord") == [
        {"id": "c1", "amount_mdh": "374.80", "amount_dh": 374_800_000},
        {"id": "c2", "amount_mdh": "32.00", "amount_dh": 32_000_000}]
    assert query(db, "SELECT id, quantity FROM targets WHERE quantity IS NULL") == [
        {"id": "c2.unites_mobiles", "quantity": None}]
    money = query(db, "SELECT convention, funder, transaction_kind, amount_mdh, amount_dh "
                      "FROM entries WHERE kind = 'transaction' ORDER BY seq")
    assert money == [
        {"convention": "c1", "funder": "region", "transaction_kind": "disbursement",
         "amount_mdh": "25.50", "amount_dh": 25_500_000},
        {"convention": "c1", "funder": None, "transaction_kind": "commitment",
         "amount_mdh": "100.00", "amount_dh": 100_000_000},
        {"convention": "c2", "funder": None, "transaction_kind": "expenditure",
         "amount_mdh": "3.125", "amount_dh": 3_125_000},
        {"convention": "c2", "funder": "region", "transaction_kind": "disbursement",
         "amount_mdh": "0.000001", "amount_dh": 1}]
    voided = query(db, "SELECT e.value, e.voided_by, v.reason FROM entries e "
                       "JOIN entries v ON v.id = e.voided_by")
    assert voided == [{"value": 999, "voided_by": voided[0]["voided_by"], "reason": "typo"}]
    assert query(db, "SELECT key, value, COUNT(*) AS n FROM tags GROUP BY key, value") == [
        {"key": "province", "value": "fes", "n": 3},
        {"key": "province", "value": "taza", "n": 2}]
    assert query(db, "SELECT kind, COUNT(*) AS n FROM entries GROUP BY kind ORDER BY kind") == [
        {"kind": "amendment", "n": 4}, {"kind": "assertion", "n": 1}, {"kind": "lock", "n": 1},
        {"kind": "profile", "n": 1}, {"kind": "progress", "n": 9},
        {"kind": "transaction", "n": 4}, {"kind": "void", "n": 1}]
    assert query(db, "SELECT p.name, p.kind, c.field, c.column_name FROM profiles p JOIN "
                     "profile_columns c USING (programme, entry) ORDER BY c.field") == [
        {"name": "ads", "kind": "progress", "field": f, "column_name": c}
        for f, c in (("date", "Date"), ("target", "Indicateur"), ("value", "Nombre"))]
    imported = query(db, "SELECT import_key, recorded_by FROM entries WHERE import_key "
                         "IS NOT NULL")
    assert imported[0]["import_key"].startswith("sha256:")
    assert imported[0]["recorded_by"] == "test-user"


# ---- several ledgers into one database --------------------------------------------------------


def regional(tmp_path: Path, source: Path, programme: str, region: str) -> Path:
    folder = tmp_path / "regions"
    folder.mkdir(exist_ok=True)
    path = folder / f"{programme}.toml"
    text = source.read_text(encoding="utf-8")
    path.write_text(text.replace('id = "fes-meknes"', f'id = "{programme}"', 1)
                    .replace('region = "Fès-Meknès"', f'region = "{region}"', 1),
                    encoding="utf-8")
    return path


def test_several_ledgers(emploi, full, tmp_path):
    north = regional(tmp_path, full, "fes-meknes", "Fès-Meknès")
    east = regional(tmp_path, Path(__file__).parent.parent / "data" / "conventions.toml",
                    "oriental", "Oriental")
    assert emploi("record", "c1.insertion", "60", "--date", "2021-06-30", "-l",
                  str(east)).exit_code == 0
    by_option = tmp_path / "by-option.db"
    by_folder = tmp_path / "by-folder.db"
    result = export(emploi, by_option, "-l", str(north), "--ledger", str(east))
    assert result.stdout == (f"{by_option}: 2 programme(s), 4 convention(s), 10 target(s), "
                             "22 entries.\n")
    export(emploi, by_folder, "--ledger-dir", str(north.parent))
    for db in (by_option, by_folder):
        assert query(db, "SELECT programme, region FROM programmes ORDER BY ord") == [
            {"programme": "fes-meknes", "region": "Fès-Meknès"},
            {"programme": "oriental", "region": "Oriental"}]
        for path, programme in ((north, "fes-meknes"), (east, "oriental")):
            rows = query(db, "SELECT id, achieved, target FROM targets_achieved "
                             "WHERE programme = ? ORDER BY ord", programme)
            assert rows == [{"id": t["id"], "achieved": t["achieved"], "target": t["target"]}
                            for t in report(emploi, "targets", path)]
    national = query(by_option, "SELECT indicator, SUM(achieved) AS achieved FROM "
                                "targets_achieved GROUP BY indicator ORDER BY indicator")
    assert {r["indicator"]: r["achieved"] for r in national}["insertion"] == 162 + 60


def test_the_same_programme_twice_is_refused(emploi, ledger, tmp_path):
    other = tmp_path / "copy.toml"
    shutil.copyfile(ledger, other)
    out = tmp_path / "out.db"
    result = emploi("export", str(out), "-l", str(ledger), "-l", str(other))
    assert result.exit_code == 1
    assert result.stderr == (
        f"emploi: {other}: error: programme id 'fes-meknes' is in both {ledger} and {other}; "
        "each ledger needs its own programme.id to be exported together\n")
    assert not out.exists()


def test_a_ledger_with_errors_is_not_exported(emploi, ledger, tmp_path):
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("quantity = 20815",
                                                                 'quantity = "many"'),
                      encoding="utf-8")
    result = emploi("export", str(tmp_path / "out.db"), "-l", str(ledger))
    assert result.exit_code == 1
    assert "quantity must be a whole number, not a string" in result.stderr


# ---- the file -------------------------------------------------------------------------------


def test_refuses_to_overwrite_a_ledger(emploi, ledger):
    before = ledger.read_bytes()
    result = emploi("export", str(ledger), "-l", str(ledger))
    assert result.exit_code == 1
    assert result.stderr == (f"emploi: {ledger}: error: {ledger} is one of the ledgers being "
                             "exported; refusing to overwrite it\n")
    assert ledger.read_bytes() == before


def test_refuses_to_replace_a_file_that_is_not_sqlite(emploi, ledger, tmp_path):
    notes = tmp_path / "notes.db"
    notes.write_text("important\n")
    result = emploi("export", str(notes), "-l", str(ledger))
    assert result.exit_code == 1
    assert result.stderr == (f"emploi: {notes}: error: exists and is not a SQLite database; "
                             "refusing to replace it\n")
    assert notes.read_text() == "important\n"


def test_replaces_atomically_and_keeps_the_mode(emploi, ledger, tmp_path):
    db = tmp_path / "out.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE old (x)")
    connection.close()
    os.chmod(db, 0o640)
    export(emploi, db, "-l", str(ledger))
    assert os.stat(db).st_mode & 0o777 == 0o640
    names = {r["name"] for r in query(db, "SELECT name FROM sqlite_master")}
    assert "old" not in names and {"entries", "targets_achieved", "funding_execution"} <= names
    assert sorted(p.name for p in tmp_path.iterdir()) == ["conventions.toml", "out.db"]


def test_format_is_checked(emploi, ledger, tmp_path):
    result = emploi("export", str(tmp_path / "out.db"), "--format", "parquet")
    assert result.exit_code == 2


# ---- money as text and as dirhams ----------------------------------------------------------


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_mdh_text_and_dirhams_round_trip(dh):
    text = sqlite.mdh_text(dh)
    assert Decimal(text) == Decimal(dh) / 10**6
    assert sqlite.dirhams(Decimal(text)) == dh

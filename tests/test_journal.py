"""Record, disburse, void, history; how writing works; reports see the journal."""

from __future__ import annotations

import json
import os
import stat
import tomllib
from datetime import UTC, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import SHIPPED


def _json(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _targets(emploi, ledger, *extra):
    return {r["id"]: r for r in _json(emploi("targets", "-l", str(ledger), "-f", "json",
                                             *extra))}


def test_record_prints_id_and_appends(emploi, ledger):
    before = ledger.read_bytes()
    result = emploi("record", "c1.insertion", "120", "-l", str(ledger), "--date",
                    "2021-03-31", "--source", "ANAPEC rapport T1", "--tag", "province=Fès")
    assert result.exit_code == 0, result.stderr
    entry_id = result.stdout.strip()
    assert len(entry_id) == 16
    after = ledger.read_bytes()
    assert after.startswith(before)
    added = after[len(before):].decode()
    assert added == (
        f'\n# entry {entry_id}\n'
        f'[[progress]]\nid = "{entry_id}"\ndate = 2021-03-31\ntarget = "c1.insertion"\n'
        'value = 120\nsource = "ANAPEC rapport T1"\ntags = { province = "Fès" }\n'
        f"recorded_at = {_recorded_at(added)}\n"
        'recorded_by = "test-user"\n'
        f'# end {entry_id}\n')
    assert _targets(emploi, ledger)["c1.insertion"]["achieved"] == 120


def _recorded_at(added: str) -> str:
    return next(line for line in added.splitlines() if line.startswith("recorded_at"))[14:]


def test_record_json_output_has_the_entry(emploi, ledger):
    data = _json(emploi("record", "c2.espaces", "3", "-l", str(ledger), "--date",
                        "2021-05-01", "-f", "json"))
    assert data["written"] is True and data["kind"] == "progress"
    assert data["entry"]["target"] == "c2.espaces" and data["entry"]["value"] == 3
    assert data["entry"]["id"] in ledger.read_text()


def test_dry_run_writes_nothing(emploi, ledger):
    before = ledger.read_bytes()
    for args in (["record", "c1.insertion", "5"], ["disburse", "c1", "2.5"]):
        result = emploi(*args, "-l", str(ledger), "--dry-run", "-f", "json")
        data = _json(result)
        assert data["written"] is False
    result = emploi("record", "c1.insertion", "5", "-l", str(ledger), "--dry-run")
    assert "c1.insertion" in result.stdout
    assert ledger.read_bytes() == before


def test_increment_adds_and_cumulative_takes_latest(emploi, ledger):
    for value, day in (("100", "2021-03-31"), ("50", "2021-06-30"), ("25", "2022-03-31")):
        emploi("record", "c1.insertion", value, "-l", str(ledger), "--date", day)
    for value, day in (("3", "2021-03-31"), ("8", "2021-09-30"), ("5", "2021-12-31")):
        emploi("record", "c2.espaces", value, "-l", str(ledger), "--date", day)
    rows = _targets(emploi, ledger)
    assert rows["c1.insertion"]["achieved"] == 175
    assert rows["c1.insertion"]["remaining"] == 20815 - 175
    assert rows["c1.insertion"]["progress"] == 0.84  # 175 / 20815
    assert rows["c2.espaces"]["achieved"] == 5
    assert rows["c2.espaces"]["progress"] == 29.41
    as_of = _targets(emploi, ledger, "--as-of", "2021-10-01")
    assert as_of["c1.insertion"]["achieved"] == 150
    assert as_of["c2.espaces"]["achieved"] == 8
    # a cumulative value lower than the previous one is a warning in check
    check = _json(emploi("check", "-l", str(ledger), "-f", "json"))
    assert check["ok"] is True
    assert [p["code"] for p in check["problems"]] == ["cumulative-decrease"]


def test_over_100_percent_and_unquantified(emploi, ledger):
    emploi("record", "c2.espaces", "20", "-l", str(ledger), "--date", "2022-01-01")
    emploi("record", "c2.unites_mobiles", "4", "-l", str(ledger), "--date", "2022-01-01")
    rows = _targets(emploi, ledger)
    assert rows["c2.espaces"]["progress"] == 117.65 and rows["c2.espaces"]["remaining"] == 0
    assert rows["c2.unites_mobiles"]["achieved"] == 4
    assert rows["c2.unites_mobiles"]["progress"] is None
    table = emploi("targets", "-l", str(ledger)).stdout
    assert "117.65 %" in table


def test_by_indicator_and_tag_breakdown(emploi, ledger):
    emploi("record", "c1.employabilite", "100", "-l", str(ledger), "--date", "2021-01-10",
           "--tag", "province=Fès")
    emploi("record", "c2.employabilite", "40", "-l", str(ledger), "--date", "2021-01-10",
           "--tag", "province=Taza")
    emploi("record", "c2.employabilite", "2", "-l", str(ledger), "--date", "2021-01-10")
    rows = {r["indicator"]: r for r in _json(emploi("targets", "-l", str(ledger), "-f",
                                                    "json", "--by", "indicator"))}
    assert rows["employabilite"]["achieved"] == 142
    assert rows["employabilite"]["progress"] == 2.04
    split = _json(emploi("targets", "-l", str(ledger), "-f", "json", "--tag", "province",
                         "-c", "c2"))
    assert [(r["id"], r["tag_value"], r["achieved"]) for r in split
            if r["id"] == "c2.employabilite"] == [("c2.employabilite", "Taza", 40),
                                                  ("c2.employabilite", None, 2)]


def test_disburse_and_summary_execution(emploi, ledger):
    emploi("disburse", "c1", "25.5", "--funder", "region", "-l", str(ledger), "--date",
           "2021-02-01")
    emploi("disburse", "c1", "0.75", "-l", str(ledger), "--date", "2021-02-01")
    emploi("disburse", "c2", "10", "--kind", "commitment", "-l", str(ledger), "--date",
           "2021-02-01")
    emploi("disburse", "c2", "1.25", "--kind", "expenditure", "-l", str(ledger), "--date",
           "2021-02-01")
    data = _json(emploi("summary", "-l", str(ledger), "-f", "json"))
    c1, c2 = data["conventions"]
    assert (c1["disbursed"], c1["execution"]) == (26.25, 7.00)
    assert (c2["committed"], c2["spent"], c2["disbursed"]) == (10.00, 1.25, 0)
    region = data["funders"][0]
    assert (region["disbursed"], region["execution"]) == (25.50, 15.94)
    assert data["unattributed_flows"]["disbursed"] == 0.75
    text = emploi("summary", "-l", str(ledger), "-f", "json").stdout
    assert '"disbursed": 26.25,' in text


def test_void_removes_from_reports_keeps_history(emploi, ledger):
    first = emploi("record", "c1.insertion", "100", "-l", str(ledger), "--date",
                   "2021-03-31").stdout.strip()
    emploi("record", "c1.insertion", "7", "-l", str(ledger), "--date", "2021-04-30")
    before = ledger.read_bytes()
    result = emploi("void", first[:13], "--reason", "typed twice", "-l", str(ledger))
    assert result.exit_code == 0, result.stderr
    assert ledger.read_bytes().startswith(before)
    assert _targets(emploi, ledger)["c1.insertion"]["achieved"] == 7
    history = _json(emploi("history", "-l", str(ledger), "-f", "json"))
    voided = next(h for h in history if h["id"] == first)
    assert voided["void"] is True and voided["voided_by"]
    assert history[-1]["kind"] == "void" and history[-1]["subject"] == first
    assert "yes" in emploi("history", "-l", str(ledger)).stdout
    again = emploi("void", first, "--reason", "again", "-l", str(ledger))
    assert again.exit_code == 1 and "already void" in again.stderr


def test_history_filters_and_formats(emploi, ledger):
    emploi("record", "c1.insertion", "1", "-l", str(ledger), "--date", "2021-01-01")
    emploi("record", "c2.espaces", "2", "-l", str(ledger), "--date", "2021-06-01")
    emploi("disburse", "c2", "3", "-l", str(ledger), "--date", "2021-07-01")
    emploi("disburse", "c1", "4", "--kind", "commitment", "-l", str(ledger), "--date",
           "2020-07-01")

    def ids(*extra):
        return [(h["kind"], h["subject"]) for h in _json(emploi(
            "history", "-l", str(ledger), "-f", "json", *extra))]

    assert ids() == [("commitment", "c1"), ("progress", "c1.insertion"),
                     ("progress", "c2.espaces"), ("disbursement", "c2")]
    assert ids("--convention", "c2") == [("progress", "c2.espaces"), ("disbursement", "c2")]
    assert ids("--target", "c2.espaces") == [("progress", "c2.espaces")]
    assert ids("--kind", "transaction") == [("commitment", "c1"), ("disbursement", "c2")]
    assert ids("--kind", "commitment") == [("commitment", "c1")]
    assert ids("--since", "2021-01-01", "--until", "2021-06-01") == [
        ("progress", "c1.insertion"), ("progress", "c2.espaces")]
    assert ids("--as-of", "2021-01-01") == [("commitment", "c1"), ("progress", "c1.insertion")]
    csv_out = emploi("history", "-l", str(ledger), "-f", "csv").stdout.splitlines()
    assert csv_out[0] == ("id,date,kind,subject,value,amount,funder,text,source,tags,void,"
                          "voided_by,recorded_at,recorded_by")
    assert len(csv_out) == 5
    md = emploi("history", "-l", str(ledger), "-f", "md").stdout
    assert md.startswith("## Journal\n\n| Id | Date | Kind |")


@pytest.mark.parametrize(("args", "fragment"), [
    (["record", "c1.insrtion", "5"], "unknown target 'c1.insrtion' (did you mean 'c1.insertion'?)"),
    (["record", "c1.insertion", "-5"], "must not be negative"),
    (["record", "c1.insertion", "--", "-5"], "must not be negative"),
    (["record", "c1.insertion", "2.5"], "not a whole number"),
    (["record", "c1.insertion", "5", "--date", "2021-02-30"], "not a date"),
    (["record", "c1.insertion", "5", "--date", "30/06/2021"], "not a date"),
    (["record", "c1.insertion", "5", "--date", "2022-07-01"], "in the future"),
    (["record", "c1.insertion", "5", "--tag", "province"], "KEY=VALUE"),
    (["disburse", "c3", "5"], "unknown convention 'c3'"),
    (["disburse", "c1", "nan"], "not an amount"),
    (["disburse", "c1", "inf"], "not an amount"),
    (["disburse", "c1", "1e400"], "not an amount"),
    (["disburse", "c1", "0"], "positive"),
    (["disburse", "c1", "1,5"], "not an amount"),
    (["disburse", "c1", "1.0000001"], "not an amount"),
    (["disburse", "c1", "5", "--funder", "regoin"], "did you mean 'region'"),
    (["disburse", "c1", "5", "--kind", "grant"], "Invalid value"),
    (["void", "zzzz", "--reason", "x"], "no entry with id"),
    (["void", "zzzz", "--reason", " "], "reason is required"),
])
def test_refusals_leave_the_file_identical(emploi, ledger, args, fragment):
    emploi("record", "c1.insertion", "1", "-l", str(ledger), "--date", "2021-01-01")
    before = ledger.read_bytes()
    result = emploi(args[0], "-l", str(ledger), *args[1:])
    assert result.exit_code in (1, 2)
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 or "Usage" in result.stderr
    assert "Traceback" not in result.stderr
    assert ledger.read_bytes() == before


def test_date_outside_period_is_a_warning(emploi, ledger):
    result = emploi("record", "c1.insertion", "5", "-l", str(ledger), "--date", "2019-12-31")
    assert result.exit_code == 0
    assert "outside the programme period" in result.stderr
    check = _json(emploi("check", "-l", str(ledger), "-f", "json"))
    assert [p["code"] for p in check["problems"]] == ["outside-period"]


def test_future_dated_hand_written_transaction_is_an_error(emploi, ledger):
    with ledger.open("a") as out:
        out.write('\n[[transactions]]\nid = "hand-1"\ndate = 2030-01-01\nconvention = "c1"\n'
                  'amount = 1.5\nkind = "disbursement"\n')
    check = emploi("check", "-l", str(ledger), "-f", "json")
    assert check.exit_code == 1
    problem = json.loads(check.stdout)["problems"][0]
    assert problem["code"] == "future-date" and problem["path"] == "transactions[0].date"
    assert problem["line"] == ledger.read_text().count("\n") - 3


def test_over_disbursement_warnings(emploi, ledger):
    emploi("disburse", "c2", "33", "--funder", "region", "-l", str(ledger), "--date",
           "2021-01-01")
    emploi("disburse", "c1", "130", "--funder", "region", "-l", str(ledger), "--date",
           "2021-01-01")
    problems = _json(emploi("check", "-l", str(ledger), "-f", "json"))["problems"]
    assert sorted(p["message"] for p in problems) == [
        "disbursements from region (163.00 MDH) pass its commitment (160.00 MDH)",
        "disbursements to c2 (33.00 MDH) pass its amount (32.00 MDH)"]


NOTES = ['say "hi"', "line one\nline two", "[/] [bold]not bold[/bold] :warning:",
         "ctrl \x00\x01\x1b[31m\x7f end", "x" * 10_000, "tab\tand \\ backslash", "عربي ✓ 😀"]


@pytest.mark.parametrize("note", NOTES, ids=range(len(NOTES)))
def test_notes_round_trip_exactly(emploi, ledger, note):
    result = emploi("record", "c1.insertion", "1", "-l", str(ledger), "--date", "2021-01-01",
                    "--note", note, "--source", note)
    assert result.exit_code == 0, result.stderr
    doc = tomllib.loads(ledger.read_text())
    assert doc["progress"][-1]["note"] == note
    history = _json(emploi("history", "-l", str(ledger), "-f", "json"))
    assert history[-1]["text"] == note and history[-1]["source"] == note
    table = emploi("history", "-l", str(ledger)).stdout
    assert "\x1b" not in table and "\x00" not in table


HAND_WRITTEN = """# My ledger, edited by hand.   Odd   spacing is kept.
format = 1  # version

[programme]
title = "Hand"          # aligned comments
start = 2020-01-01
end   = 2022-12-31
total = 10.0
currency = "MAD"
unit = "MDH"

[[conventions]]
id = "k1"
title = "Only"
amount = 10.0

  [[conventions.targets]]
  id = "k1.t"
  indicator = "t"
  label = "T"
  quantity = 5
  unit = "u"
  reporting = "increment"
# trailing comment without newline"""


def test_hand_written_file_is_preserved_byte_for_byte(emploi, tmp_path):
    path = tmp_path / "hand.toml"
    path.write_bytes(HAND_WRITTEN.encode())
    result = emploi("record", "k1.t", "2", "-l", str(path), "--date", "2021-01-01")
    assert result.exit_code == 0, result.stderr
    data = path.read_bytes()
    assert data.startswith(HAND_WRITTEN.encode() + b"\n\n# entry ")
    assert b"\n[[progress]]\n" in data[len(HAND_WRITTEN):]
    doc = tomllib.loads(data.decode())
    assert doc["conventions"][0]["targets"][0] == {
        "id": "k1.t", "indicator": "t", "label": "T", "quantity": 5, "unit": "u",
        "reporting": "increment"}
    assert len(doc["progress"]) == 1


def test_crlf_ledger_gets_crlf_entries(emploi, tmp_path):
    path = tmp_path / "crlf.toml"
    path.write_bytes(HAND_WRITTEN.replace("\n", "\r\n").encode() + b"\r\n")
    emploi("record", "k1.t", "2", "-l", str(path), "--date", "2021-01-01")
    added = path.read_bytes()[len(HAND_WRITTEN) + HAND_WRITTEN.count("\n") + 2:]
    assert b"\r\n" in added and b"\n" not in added.replace(b"\r\n", b"")


def test_file_mode_and_symlink_respected(emploi, ledger, tmp_path):
    os.chmod(ledger, 0o640)
    link = tmp_path / "link.toml"
    link.symlink_to(ledger)
    result = emploi("record", "c1.insertion", "3", "-l", str(link), "--date", "2021-01-01")
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert stat.S_IMODE(os.stat(ledger).st_mode) == 0o640
    assert "value = 3" in ledger.read_text()
    assert not list(tmp_path.glob("*.emploi-tmp"))
    inode = ledger.stat().st_ino
    assert emploi("record", "c1.insertion", "4", "-l", str(ledger)).exit_code == 0
    assert ledger.stat().st_ino == inode  # written in place


def test_hard_linked_ledger_is_refused(emploi, ledger, tmp_path):
    """Two names, two lock files: two writers could append at once. Refused, unchanged."""
    hard = tmp_path / "hard.toml"
    os.link(ledger, hard)
    before = ledger.read_bytes()
    for name in (ledger, hard):
        result = emploi("record", "c1.insertion", "4", "-l", str(name))
        assert result.exit_code == 1
        assert result.stderr == f"emploi: {name}: error: the ledger has 2 names (hard links); " \
            "emploi writes only a ledger with one name, as its lock goes by the name; nothing " \
            "was written\n"
    assert ledger.read_bytes() == before
    assert emploi("summary", "-l", str(hard), "-f", "json").exit_code == 0  # reading is fine


def test_read_only_ledger_is_refused_even_for_root(emploi, ledger):
    """Refused by its mode bits, so root (who could write it) is refused too."""
    os.chmod(ledger, 0o444)
    before = ledger.read_bytes()
    result = emploi("record", "c1.insertion", "3", "-l", str(ledger))
    assert result.exit_code == 1 and "read-only" in result.stderr
    assert ledger.read_bytes() == before


def test_missing_ledger_for_writes(emploi, tmp_path):
    result = emploi("record", "c1.insertion", "3", "-l", str(tmp_path / "none.toml"))
    assert result.exit_code == 1 and "no such file" in result.stderr


def test_invalid_ledger_refuses_writes(emploi, ledger):
    ledger.write_text(ledger.read_text().replace("quantity = 17", "quantity = -17"))
    before = ledger.read_bytes()
    result = emploi("record", "c1.insertion", "3", "-l", str(ledger))
    assert result.exit_code == 1 and "emploi check" in result.stderr
    assert ledger.read_bytes() == before


def test_entry_ids_unique_and_time_sorted():
    from emploi_cli.domain.entries import new_id

    ids = [new_id(1_700_000_000_000 + i) for i in range(1000)]
    assert ids == sorted(ids) and len(set(ids)) == 1000
    assert len({new_id(5) for _ in range(1000)}) == 1000


def test_an_entry_id_is_its_milliseconds_then_30_random_bits(monkeypatch):
    from emploi_cli.domain import entries

    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    for now_ms, random in ((0, b"\0\0\0\0"), (1_700_000_000_000, b"\xff\xff\xff\xff"),
                           (123_456_789_012, b"\x12\x34\x56\x78")):
        monkeypatch.setattr(entries.os, "urandom", lambda size, random=random: random)
        bits = int.from_bytes(random, "big") >> 2
        ident = entries.new_id(now_ms)
        assert len(ident) == 16 and set(ident) <= set(alphabet)
        assert ident[:10] == "".join(alphabet[now_ms >> s & 31] for s in range(45, -1, -5))
        assert ident[10:] == "".join(alphabet[bits >> s & 31] for s in range(25, -1, -5))


def test_money_is_decimal_through_the_file(emploi, ledger):
    for amount in ("0.1", "0.2", "0.000001"):
        emploi("disburse", "c1", amount, "-l", str(ledger), "--date", "2021-01-01")
    doc = tomllib.loads(ledger.read_text(), parse_float=Decimal)
    assert sum(t["amount"] for t in doc["transactions"]) == Decimal("0.300001")
    data = emploi("summary", "-l", str(ledger), "-f", "json").stdout
    assert '"disbursed": 0.300001,' in data


def test_completion_lists_ids_from_the_ledger(ledger):
    from emploi_cli.cli import options as cli

    class Ctx:
        def __init__(self):
            self.params = {"ledger": str(ledger)}

    assert cli.complete_target(Ctx(), "c2.") == ["c2.employabilite", "c2.espaces",
                                                 "c2.unites_mobiles"]
    assert cli.complete_convention(Ctx(), "") == ["c1", "c2"]
    assert cli.complete_funder(Ctx(), "r") == ["region"]
    assert cli.complete_target(type("C", (), {"params": {"ledger": "/nope"}})(), "") == []


def test_shipped_ledger_unchanged_by_the_suite():
    assert SHIPPED.read_text().rstrip().endswith("follow. ----")


def test_writes_never_go_to_the_copy_shipped_with_the_package(emploi, tmp_path, monkeypatch):
    from emploi_cli.store.reading import shipped_ledger

    monkeypatch.chdir(tmp_path)  # no ./data/conventions.toml here, no -l, no EMPLOI_LEDGER
    before = shipped_ledger().read_bytes()
    result = emploi("record", "c1.insertion", "3")
    assert result.exit_code == 1 and "shipped with emploi, which is read-only" in result.stderr
    assert shipped_ledger().read_bytes() == before
    assert emploi("summary", "-f", "json").exit_code == 0  # reading it is fine


def test_negative_values_typed_as_is(emploi, ledger):
    before = ledger.read_bytes()
    result = emploi("record", "c1.insertion", "-3", "-l", str(ledger))
    assert result.exit_code == 1 and "must not be negative (-3)" in result.stderr
    result = emploi("disburse", "c1", "-5", "-l", str(ledger))
    assert result.exit_code == 2 and "'-5' is not an amount" in result.stderr
    unknown = emploi("record", "c1.insertion", "3", "--notee", "x", "-l", str(ledger))
    assert unknown.exit_code == 2
    assert ledger.read_bytes() == before


@pytest.mark.parametrize("digits", ["٥", "５", "²"])
def test_amounts_and_counts_take_ascii_digits_only(emploi, ledger, digits):
    before = ledger.read_bytes()
    # a malformed amount or count is a usage error, as docs/commands.md's exit codes say
    assert emploi("disburse", "c1", digits, "-l", str(ledger)).exit_code == 2
    assert emploi("record", "c1.insertion", digits, "-l", str(ledger)).exit_code == 2
    assert ledger.read_bytes() == before


def test_refusals_name_the_ledger(emploi, ledger):
    result = emploi("disburse", "c9", "5", "-l", str(ledger))
    assert result.stderr.startswith(f"emploi: {ledger}: error: unknown convention 'c9'")
    warned = emploi("record", "c1.insertion", "1", "--date", "2019-01-01", "-l", str(ledger),
                    "-f", "json")
    assert json.loads(warned.stdout)["warnings"][0]["file"] == str(ledger)


def test_history_refuses_unknown_ids(emploi, ledger):
    for args in (["--target", "nope"], ["--convention", "c9"]):
        result = emploi("history", "-l", str(ledger), *args)
        assert result.exit_code == 1 and "unknown" in result.stderr


def test_bad_emploi_today_is_a_usage_error(emploi, ledger):
    result = emploi("summary", "-l", str(ledger), env={"EMPLOI_TODAY": "tomorrow"})
    assert result.exit_code == 2 and "EMPLOI_TODAY 'tomorrow' is not a date" in result.stderr


def test_dry_run_says_nothing_was_written(emploi, ledger):
    out = emploi("record", "c1.insertion", "1", "-l", str(ledger), "--dry-run").stdout
    assert out.rstrip().endswith("Dry run: nothing was written.")


def test_a_void_applies_at_every_date(emploi, ledger):
    entry = emploi("record", "c1.insertion", "9", "-l", str(ledger), "--date",
                   "2021-01-01").stdout.strip()
    emploi("void", entry, "--reason", "never happened", "-l", str(ledger))
    early = {r["id"]: r for r in _json(emploi("targets", "-l", str(ledger), "-f", "json",
                                              "--as-of", "2021-01-01"))}
    assert early["c1.insertion"]["achieved"] == 0  # a void corrects a mistake: never counted


def test_csv_stays_exact_on_an_ascii_terminal(ledger):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "emploi_cli", "summary", "-l", str(ledger),
                             "-f", "csv"], capture_output=True,
                            env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert "Région Fès-Meknès".encode() in result.stdout


@given(st.text(max_size=30), st.one_of(
    st.text(max_size=40), st.integers(-10**15, 10**15), st.booleans(), st.dates(),
    st.datetimes(timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=-5))])),
    st.decimals(allow_nan=False, allow_infinity=False, places=3)))
@settings(max_examples=300, deadline=None)
def test_toml_values_are_written_as_tomli_w_writes_them(key, value):
    import tomli_w

    from emploi_cli.store.writing import _toml_pair, serialise

    assert _toml_pair(key, value) + "\n" == tomli_w.dumps({key: value})
    if key != "id":  # (an id is fenced)
        written = serialise([("progress", {key: value})])
        assert written == "\n[[progress]]\n" + tomli_w.dumps({key: value})

"""Amendments, reconciliation, period close, provenance."""

from __future__ import annotations

import csv
import io
import json
import tomllib

import pytest


def _json(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _run(emploi, ledger, *args):
    result = emploi(args[0], "-l", str(ledger), *args[1:])
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def _differs(emploi, ledger, *args):
    """A reconcile the journal does not match: written, exit 4."""
    result = emploi(args[0], "-l", str(ledger), *args[1:])
    assert result.exit_code == 4, result.stderr
    return result.stdout.strip()


def _summary(emploi, ledger, *extra):
    return _json(emploi("summary", "-l", str(ledger), "-f", "json", *extra))


def _targets(emploi, ledger, *extra):
    return {r["id"]: r for r in _json(emploi("targets", "-l", str(ledger), "-f", "json",
                                             *extra))}


AMEND_C1 = ("amend", "--convention", "c1", "--amount", "400", "--date", "2021-07-01",
            "--reference", "Avenant n°1", "--reason", "extension")


@pytest.mark.parametrize(("as_of", "amount", "total"), [
    ("2021-06-30", "374.80", "406.80"), ("2021-07-01", "400.00", "432.00"),
    ("2022-01-01", "400.00", "432.00")])
def test_convention_amendment_as_of(emploi, ledger, as_of, amount, total):
    _run(emploi, ledger, *AMEND_C1)
    data = _summary(emploi, ledger, "--as-of", as_of)
    c1 = data["conventions"][0]
    assert str(c1["amount"]) == str(float(amount)) and c1["original_amount"] == 374.80
    # never added together: the sum is 400 + 32, not 374.80 + 400 + 32
    assert data["conventions_total"] == float(total)
    assert data["total"] == 406.80 and data["total_in_force"] == float(total)
    assert data["total_matches"] is True
    assert _run(emploi, ledger, "check") == "No problems."


def test_summary_shows_original_and_current_side_by_side(emploi, ledger):
    plain = emploi("summary", "-l", str(ledger)).stdout
    assert "Original amount" not in plain
    _run(emploi, ledger, *AMEND_C1)
    plain = emploi("summary", "-l", str(ledger)).stdout
    assert "Original amount (MDH)  Amount (MDH)" in plain
    assert "374.80        400.00" in plain
    assert "Total as amended          432.00" in plain
    md = emploi("summary", "-l", str(ledger), "-f", "md", "--lang", "fr").stdout
    assert "| Montant initial (MDH) | Montant (MDH) |" in md and "| 374,80 | 400,00 |" in md


def test_execution_uses_the_amount_in_force(emploi, ledger):
    _run(emploi, ledger, "disburse", "c1", "40", "--date", "2021-08-01")
    _run(emploi, ledger, *AMEND_C1)
    assert _summary(emploi, ledger)["conventions"][0]["execution"] == 10.00
    assert _summary(emploi, ledger, "--as-of", "2021-08-01")["conventions"][0][
        "execution"] == 10.00
    _run(emploi, ledger, "amend", "--funder", "region", "--amount", "170", "--date",
         "2021-01-01", "--reference", "A2", "--reason", "more")
    region = _summary(emploi, ledger)["funders"][0]
    assert (region["amount"], region["original_amount"]) == (170.00, 160.00)


def test_target_amendment_and_first_quantity(emploi, ledger):
    _run(emploi, ledger, "record", "c2.unites_mobiles", "6", "--date", "2021-05-01")
    before = _targets(emploi, ledger)["c2.unites_mobiles"]
    assert before["target"] is None and before["progress"] is None
    _run(emploi, ledger, "amend", "--target", "c2.unites_mobiles", "--quantity", "12",
         "--date", "2021-03-01", "--reference", "Avenant n°2", "--reason", "first figure")
    _run(emploi, ledger, "amend", "--target", "c1.insertion", "--quantity", "25000",
         "--date", "2021-09-01", "--reference", "Avenant n°3", "--reason", "raised")
    after = _targets(emploi, ledger)
    assert after["c2.unites_mobiles"]["target"] == 12
    assert after["c2.unites_mobiles"]["original_target"] is None
    assert after["c2.unites_mobiles"]["progress"] == 50.00
    assert (after["c1.insertion"]["target"], after["c1.insertion"]["original_target"]) == (
        25000, 20815)
    early = _targets(emploi, ledger, "--as-of", "2021-02-28")
    assert early["c2.unites_mobiles"]["target"] is None
    assert early["c1.insertion"]["target"] == 20815
    indicators = {r["indicator"]: r for r in _json(emploi(
        "targets", "-l", str(ledger), "-f", "json", "--by", "indicator"))}
    assert indicators["unites_mobiles"]["target"] == 12
    table = emploi("targets", "-l", str(ledger)).stdout
    assert "Original target" in table


def test_end_date_amendment_moves_the_period(emploi, ledger):
    _run(emploi, ledger, "amend", "--end", "2023-12-31", "--date", "2022-01-01",
         "--reference", "Avenant n°4", "--reason", "prolongation")
    from emploi_cli.domain import position
    from emploi_cli.store.reading import load

    loaded = load(ledger)
    from datetime import date

    assert position.in_force(loaded.ledger, date(2021, 12, 31)).end == date(2022, 12, 31)
    assert position.in_force(loaded.ledger, date(2022, 1, 1)).end == date(2023, 12, 31)
    history = _json(emploi("history", "-l", str(ledger), "-f", "json", "--kind", "amendment"))
    assert [(h["subject"], h["text"]) for h in history] == [
        ("programme.end", "Avenant n°4: prolongation (end 2023-12-31)")]


@pytest.mark.parametrize(("args", "fragment"), [
    (["--convention", "c1", "--target", "c1.insertion", "--amount", "3"], "exactly one"),
    (["--convention", "c9", "--amount", "3"], "unknown convention 'c9'"),
    (["--convention", "c1", "--quantity", "3"], "takes --amount"),
    (["--target", "c1.insertion", "--amount", "3"], "takes --quantity"),
    (["--convention", "c1", "--amount", "-3"], "not an amount"),
    (["--end", "2019-01-01"], "before the programme starts"),
    (["--convention", "c1", "--amount", "3", "--reference", ""], "--reference and --reason"),
])
def test_amendment_refusals(emploi, ledger, args, fragment):
    before = ledger.read_bytes()
    full = ["amend", "-l", str(ledger), "--reference", "R", "--reason", "why", *args]
    result = emploi(*full)
    # a malformed amount is a usage error (2); the rest are refusals of the ledger (1)
    assert result.exit_code == (2 if fragment == "not an amount" else 1)
    assert fragment in result.stderr
    assert ledger.read_bytes() == before


# ---- reconciliation -----------------------------------------------------------------------


def _problems(emploi, ledger):
    result = emploi("check", "-l", str(ledger), "-f", "json")
    return result.exit_code, json.loads(result.stdout)["problems"]


def _base(emploi, ledger):
    ids = [_run(emploi, ledger, "record", "c1.insertion", v, "--date", d)
           for v, d in (("100", "2021-01-31"), ("40", "2021-02-28"), ("60", "2021-03-31"))]
    return ids


def test_reconciliation_that_passes(emploi, ledger):
    _base(emploi, ledger)
    result = emploi("reconcile", "c1.insertion", "200", "--date", "2021-03-31", "--source",
                    "ANAPEC T1", "-l", str(ledger))
    assert result.exit_code == 0
    assert "c1.insertion as of 2021-03-31 matches the journal: 200 personnes" in result.stderr
    _run(emploi, ledger, "disburse", "c1", "10.5", "--funder", "region", "--date",
         "2021-02-01")
    _run(emploi, ledger, "reconcile", "--convention", "c1", "--amount", "10.50", "--kind",
         "disbursement", "--funder", "region", "--date", "2021-03-31", "--source", "Trésorerie")
    assert _problems(emploi, ledger) == (0, [])


def test_reconciliation_fails_when_recorded_twice(emploi, ledger):
    _base(emploi, ledger)
    twice = _run(emploi, ledger, "record", "c1.insertion", "40", "--date", "2021-02-28")
    result = emploi("reconcile", "c1.insertion", "200", "--date", "2021-03-31", "--source",
                    "ANAPEC T1", "-l", str(ledger))
    assert result.exit_code == 4 and "difference +40" in result.stderr
    code, problems = _problems(emploi, ledger)
    assert code == 1
    assert [p["code"] for p in problems] == ["same-entry-twice", "out-of-order", "reconcile"]
    message = problems[2]["message"]
    assert "200 personnes by the partner but 240 personnes in the journal" in message
    assert "recorded twice?" in message and twice in message


def test_reconciliation_fails_when_one_is_missing(emploi, ledger):
    _base(emploi, ledger)
    _differs(emploi, ledger, "reconcile", "c1.insertion", "230", "--date", "2021-03-31",
         "--source", "ANAPEC T1")
    code, problems = _problems(emploi, ledger)
    assert code == 1 and "difference -30" in problems[0]["message"]
    assert "an entry may be missing" in problems[0]["message"]


def test_reconciliation_fails_when_on_the_wrong_side_of_the_date(emploi, ledger):
    _base(emploi, ledger)
    late = _run(emploi, ledger, "record", "c1.insertion", "25", "--date", "2021-04-02")
    _differs(emploi, ledger, "reconcile", "c1.insertion", "225", "--date", "2021-03-31",
         "--source", "ANAPEC T1")
    code, problems = _problems(emploi, ledger)
    assert code == 1
    assert f"{late} (2021-04-02) may belong on or before the date" in problems[0]["message"]
    ids = _base(emploi, ledger)  # now an entry dated before is one too many
    assert ids


def test_money_reconciliation_fails(emploi, ledger):
    _run(emploi, ledger, "disburse", "c2", "3", "--date", "2021-02-01")
    _differs(emploi, ledger, "reconcile", "--convention", "c2", "--amount", "5", "--kind",
         "disbursement", "--date", "2021-03-31", "--source", "Trésorerie")
    code, problems = _problems(emploi, ledger)
    assert code == 1
    assert "is 5.00 MDH by the partner but 3.00 MDH in the journal" in problems[0]["message"]


# ---- period close -------------------------------------------------------------------------


def test_close_refuses_each_writing_command(emploi, ledger):
    early = _run(emploi, ledger, "record", "c1.insertion", "5", "--date", "2021-05-01")
    lock = _run(emploi, ledger, "close", "2021-Q2")
    before = ledger.read_bytes()
    attempts = [
        ("record", "c1.insertion", "5", "--date", "2021-06-30"),
        ("disburse", "c1", "5", "--date", "2021-04-01"),
        ("void", early, "--reason", "x"),
        ("amend", "--convention", "c1", "--amount", "3", "--date", "2021-01-01",
         "--reference", "R", "--reason", "x"),
    ]
    for args in attempts:
        result = emploi(args[0], "-l", str(ledger), *args[1:])
        assert result.exit_code == 1, args
        assert f"closed through 2021-06-30 (lock {lock}, period 2021-Q2)" in result.stderr
    assert ledger.read_bytes() == before
    _run(emploi, ledger, "record", "c1.insertion", "5", "--date", "2021-07-01")


def test_close_and_reopen_rules(emploi, ledger):
    assert emploi("close", "-l", str(ledger), "2022-Q3").exit_code == 1  # not over
    assert emploi("close", "-l", str(ledger), "2021-Q5").exit_code == 1
    _run(emploi, ledger, "close", "2021")
    again = emploi("close", "-l", str(ledger), "2021-Q2")
    assert again.exit_code == 1 and "already closed" in again.stderr
    assert emploi("reopen", "-l", str(ledger), "2022-Q1", "--reason", "x").exit_code == 1
    assert emploi("reopen", "-l", str(ledger), "2021-Q4", "--reason", " ").exit_code == 1
    _run(emploi, ledger, "reopen", "2021-Q4", "--reason", "late ADS figures")
    _run(emploi, ledger, "record", "c1.insertion", "5", "--date", "2021-10-01")
    refused = emploi("record", "-l", str(ledger), "c1.insertion", "5", "--date", "2021-09-30")
    assert refused.exit_code == 1 and "closed through 2021-09-30" in refused.stderr
    history = _json(emploi("history", "-l", str(ledger), "-f", "json", "--kind", "lock"))
    assert [(h["subject"], h["text"]) for h in history] == [
        ("2021", "close"), ("2021-Q4", "reopen: late ADS figures")]


def test_fiscal_year_quarters(emploi, ledger):
    ledger.write_text(ledger.read_text().replace('source = "article"\n\n[[sources]]',
                                                 'source = "article"\nfiscal_year_start = 7\n\n'
                                                 '[[sources]]', 1))
    _run(emploi, ledger, "close", "2020-Q2")  # July 2020 + 3 months: Oct to Dec 2020
    assert emploi("record", "-l", str(ledger), "c1.insertion", "1", "--date",
                  "2020-12-31").exit_code == 1
    _run(emploi, ledger, "record", "c1.insertion", "1", "--date", "2021-01-01")


def test_check_flags_entries_added_by_hand_inside_a_closed_period(emploi, ledger):
    _run(emploi, ledger, "record", "c1.insertion", "5", "--date", "2021-05-01")
    _run(emploi, ledger, "close", "2021-Q2")
    assert _problems(emploi, ledger) == (0, [])
    with ledger.open("a") as out:
        out.write('\n[[progress]]\nid = "by-hand"\ndate = 2021-06-01\ntarget = "c1.insertion"\n'
                  "value = 9\n")
    code, problems = _problems(emploi, ledger)
    assert code == 1
    flagged = [p for p in problems if p["code"] == "closed-period"]
    assert len(flagged) == 1 and "by-hand" in flagged[0]["message"]
    assert flagged[0]["path"] == "progress[1].date" and flagged[0]["line"]


# ---- provenance ---------------------------------------------------------------------------


def test_provenance_written_and_filterable(emploi, ledger):
    _run(emploi, ledger, "record", "c1.insertion", "5", "--date", "2021-05-01")
    emploi("record", "-l", str(ledger), "c1.insertion", "6", "--date", "2021-05-02",
           env={"EMPLOI_USER": "Salma"})
    with ledger.open("a") as out:
        out.write('\n[[progress]]\nid = "by-hand"\ndate = 2021-06-01\ntarget = "c1.insertion"\n'
                  "value = 9\n")
    doc = tomllib.loads(ledger.read_text())
    assert [p.get("recorded_by") for p in doc["progress"]] == ["test-user", "Salma", None]
    assert all("recorded_at" in p for p in doc["progress"][:2])
    assert emploi("check", "-l", str(ledger)).exit_code == 0  # hand-written stays valid

    def history(*extra):
        return [h["value"] for h in _json(emploi("history", "-l", str(ledger), "-f", "json",
                                                 *extra))]

    assert history("--by", "Salma") == [6]
    assert history("--recorded-since", "2000-01-01") == [5, 6]
    assert history("--recorded-since", "2999-01-01T00:00:00Z") == []
    assert history() == [5, 6, 9]
    bad = emploi("history", "-l", str(ledger), "--recorded-since", "yesterday")
    assert bad.exit_code == 2


def test_recorded_by_falls_back_to_git_then_login(tmp_path):
    import subprocess

    from emploi_cli.store.provenance import recorded_by

    ledger = tmp_path / "l.toml"
    assert recorded_by(ledger, {"EMPLOI_USER": "  Amina "}) == "Amina"
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "config", "user.name", "Youssef"], check=True)
    assert recorded_by(ledger, {}) == "Youssef"
    assert recorded_by(tmp_path / "elsewhere" / "l.toml", {}) != ""


def test_every_entry_kind_round_trips_through_file_and_formats(emploi, ledger):
    entry = _run(emploi, ledger, "record", "c1.insertion", "5", "--date", "2021-05-01",
                 "--tag", "province=Fès")
    _run(emploi, ledger, "disburse", "c1", "1.25", "--date", "2021-05-01")
    _run(emploi, ledger, *AMEND_C1)
    _run(emploi, ledger, "reconcile", "c1.insertion", "5", "--date", "2021-05-31", "--source",
         "ANAPEC")
    _run(emploi, ledger, "reconcile", "--convention", "c1", "--amount", "1.25", "--kind",
         "disbursement", "--date", "2021-05-31", "--source", "Trésor")
    _run(emploi, ledger, "void", entry, "--reason", "duplicate")
    _run(emploi, ledger, "close", "2020")
    _run(emploi, ledger, "reopen", "2020", "--reason", "audit")
    doc = tomllib.loads(ledger.read_text())
    assert {k: len(v) for k, v in doc.items() if isinstance(v, list)} | {} == {
        "sources": 1, "partners": 2, "funders": 1, "conventions": 2, "progress": 1,
        "transactions": 1, "amendments": 1, "assertions": 2, "voids": 1, "locks": 2}
    rows = _json(emploi("history", "-l", str(ledger), "-f", "json"))
    kinds = sorted(r["kind"] for r in rows)
    assert kinds == ["amendment", "assertion", "assertion", "disbursement", "lock", "lock",
                     "progress", "void"]
    csv_rows = list(csv.DictReader(io.StringIO(emploi("history", "-l", str(ledger), "-f",
                                                      "csv").stdout)))
    assert [r["id"] for r in csv_rows] == [r["id"] for r in rows]
    assert {r["kind"] for r in csv_rows} == set(kinds)
    for fmt in ("table", "md"):
        out = emploi("history", "-l", str(ledger), "-f", fmt).stdout
        for r in rows:
            assert r["id"] in out
    # every kind survives a dry run of the next write (the file re-parses to the same entries)
    assert emploi("record", "-l", str(ledger), "c1.insertion", "1", "--dry-run").exit_code == 0
    # failed reconciliation after the void: journal says 0, partner 5
    code, problems = _problems(emploi, ledger)
    assert code == 1 and [p["code"] for p in problems] == ["reconcile"]


def test_an_amendment_that_breaks_the_money_is_refused(emploi, ledger):
    before = ledger.read_bytes()
    result = emploi("amend", "-l", str(ledger), "--funder", "region", "--amount", "500",
                    "--date", "2021-01-01", "--reference", "X", "--reason", "Y")
    assert result.exit_code == 1
    assert ("this amendment would leave the ledger inconsistent: funders' commitments "
            "(500.00 MDH) exceed the programme total (406.80 MDH)") in result.stderr
    assert ledger.read_bytes() == before
    # a convention amendment that raises the total makes room for it
    _run(emploi, ledger, "amend", "--convention", "c1", "--amount", "500", "--date",
         "2021-01-01", "--reference", "A1", "--reason", "raised")
    _run(emploi, ledger, "amend", "--funder", "region", "--amount", "500", "--date",
         "2021-01-01", "--reference", "A2", "--reason", "raised too")


def test_originals_beside_current_values_everywhere(emploi, ledger):
    _run(emploi, ledger, "amend", "--target", "c2.employabilite", "--quantity", "2000",
         "--date", "2021-01-01", "--reference", "A1", "--reason", "raised")
    _run(emploi, ledger, "amend", "--convention", "c2", "--amount", "40", "--date",
         "2021-01-01", "--reference", "A2", "--reason", "raised")
    indicators = {r["indicator"]: r for r in _json(emploi(
        "targets", "-l", str(ledger), "-f", "json", "--by", "indicator"))}
    assert (indicators["employabilite"]["target"],
            indicators["employabilite"]["original_target"]) == (7460, 6960)
    assert indicators["unites_mobiles"]["original_target"] is None
    table = emploi("targets", "-l", str(ledger), "--by", "indicator").stdout
    assert "Original target" in table and "6,960" in table and "7,460" in table
    data = _summary(emploi, ledger)
    assert (data["unattributed"], data["original_unattributed"]) == (254.80, 246.80)
    rows = emploi("summary", "-l", str(ledger), "-f", "csv").stdout.splitlines()
    assert next(r for r in rows if r.startswith("unattributed,")).startswith(
        "unattributed,,,,254.80,246.80,")

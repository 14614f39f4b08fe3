"""The seed figures in every format and both languages, with exact expected output."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from .conftest import SHIPPED

GOLDEN = Path(__file__).parent / "golden"
REPORTS = {
    "summary": ["summary"],
    "targets": ["targets"],
    "indicators": ["targets", "--by", "indicator"],
    "status": ["status"],
}


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("EMPLOI_REGOLD"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from tests/golden/{name}"


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("fmt", ["table", "md", "json", "csv", "csv-fr"])
@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_golden_output(emploi, report, fmt, lang):
    result = emploi(*REPORTS[report], "-l", str(SHIPPED), "-f", fmt, "--lang", lang)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    suffix = {"table": "txt", "md": "md", "json": "json", "csv": "csv", "csv-fr": "fr.csv"}[fmt]
    # json and csv never change with the language: one golden file for all three
    name = (f"{report}.{suffix}" if fmt in ("json", "csv", "csv-fr")
            else f"{report}.{lang}.{suffix}")
    _golden(name, result.stdout)


def test_summary_json_figures(emploi):
    data = json.loads(emploi("summary", "-l", str(SHIPPED), "-f", "json").stdout)
    assert set(data) >= {"total", "conventions_total", "conventions", "funders", "unattributed"}
    assert str(data["total"]) == "406.8"
    assert [(c["id"], c["amount"], c["share"]) for c in data["conventions"]] == [
        ("c1", 374.80, 92.13), ("c2", 32.00, 7.87)]
    assert data["funders"] == [{
        "id": "region", "name": "Région Fès-Meknès", "amount": 160.00, "original_amount": 160.00,
        "share": 39.33, "estimated": True, "conventions": ["c1", "c2"], "committed": 0,
        "disbursed": 0, "spent": 0, "execution": 0, "at_least": False, "source": "article",
        "unsplit": 160.00, "by_convention": [], "alternatives": []}]
    assert data["unattributed"] == 246.80
    assert data["total_matches"] is True


def test_json_decimals_are_exact_text(emploi):
    text = emploi("summary", "-l", str(SHIPPED), "-f", "json").stdout
    for token in ('"total": 406.80,', '"conventions_total": 406.80,', '"amount": 374.80,',
                  '"amount": 32.00,', '"amount": 160.00,', '"share": 39.33,',
                  '"unattributed": 246.80,'):
        assert token in text


def test_targets_json_shape(emploi):
    rows = json.loads(emploi("targets", "-l", str(SHIPPED), "-f", "json").stdout)
    assert [(r["id"], r["target"]) for r in rows] == [
        ("c1.insertion", 20815), ("c1.employabilite", 5460), ("c2.employabilite", 1500),
        ("c2.espaces", 17), ("c2.unites_mobiles", None)]
    mobile = rows[-1]
    assert mobile["progress"] is None and mobile["remaining"] is None
    assert {"id", "convention", "indicator", "label", "target", "unit", "achieved",
            "progress"} <= set(mobile)


def test_by_indicator_sums_and_keeps_unquantified(emploi):
    rows = json.loads(emploi("targets", "-l", str(SHIPPED), "-f", "json", "--by",
                             "indicator").stdout)
    by = {r["indicator"]: r for r in rows}
    assert by["employabilite"]["target"] == 6960
    assert by["employabilite"]["targets"] == ["c1.employabilite", "c2.employabilite"]
    assert by["unites_mobiles"]["target"] is None
    assert by["unites_mobiles"]["progress"] is None


def test_convention_filter(emploi):
    rows = json.loads(emploi("targets", "-l", str(SHIPPED), "-f", "json", "-c", "c2").stdout)
    assert [r["id"] for r in rows] == ["c2.employabilite", "c2.espaces", "c2.unites_mobiles"]
    bad = emploi("targets", "-l", str(SHIPPED), "-c", "c3")
    assert bad.exit_code == 1 and "unknown convention 'c3'" in bad.stderr


@pytest.mark.parametrize(("lang", "figures"), [
    ("fr", ["406,80", "374,80", "32,00", "160,00", "39,33 %", "246,80"]),
    ("en", ["406.80", "374.80", "32.00", "160.00", "39.33 %", "246.80"]),
])
def test_summary_numbers_per_language(emploi, lang, figures):
    out = emploi("summary", "-l", str(SHIPPED), "--lang", lang).stdout
    for figure in figures:
        assert figure in out


@pytest.mark.parametrize(("lang", "figures"), [
    ("fr", ["20.815", "5.460", "1.500", "17"]), ("en", ["20,815", "5,460", "1,500", "17"])])
def test_targets_numbers_per_language(emploi, lang, figures):
    out = emploi("targets", "-l", str(SHIPPED), "--lang", lang).stdout
    for figure in figures:
        assert figure in out
    indicators = emploi("targets", "-l", str(SHIPPED), "--lang", lang, "--by", "indicator")
    assert ("6.960" if lang == "fr" else "6,960") in indicators.stdout


@pytest.mark.parametrize(("env", "expected"), [
    ({"EMPLOI_LANG": "fr"}, "Total annoncé"), ({"LANG": "fr_FR.UTF-8"}, "Total annoncé"),
    ({"LC_ALL": "fr_MA.UTF-8", "LANG": "en_US.UTF-8"}, "Total annoncé"),
    ({"LANG": "en_US.UTF-8"}, "Stated total"), ({}, "Stated total"),
    ({"EMPLOI_LANG": "en", "LANG": "fr_FR.UTF-8"}, "Stated total")])
def test_language_choice(emploi, env, expected):
    assert expected in emploi("summary", "-l", str(SHIPPED), env=env).stdout


def test_csv_is_rfc4180_and_locale_free(emploi):
    raw = emploi("summary", "-l", str(SHIPPED), "-f", "csv", "--lang", "fr").stdout_bytes
    assert raw.count(b"\r\n") == 10 and raw.count(b"\n") == 10
    out = raw.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(out)))
    funder = next(r for r in rows if r["record"] == "funder")
    assert funder["amount"] == "160.00" and funder["share"] == "39.33"
    assert next(r for r in rows if r["record"] == "unattributed")["amount"] == "246.80"


def test_output_file(emploi, tmp_path):
    target = tmp_path / "out.json"
    result = emploi("summary", "-l", str(SHIPPED), "-f", "json", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(target.read_text())["total"] == 406.80


def test_output_refuses_the_ledger(emploi, ledger):
    before = ledger.read_bytes()
    result = emploi("summary", "-l", str(ledger), "-f", "json", "-o", str(ledger))
    assert result.exit_code == 1 and "ledger itself" in result.stderr
    assert ledger.read_bytes() == before


def test_output_to_directory_or_unwritable(emploi, tmp_path):
    result = emploi("summary", "-l", str(SHIPPED), "-o", str(tmp_path))
    assert result.exit_code == 1 and "is a directory" in result.stderr
    result = emploi("summary", "-l", str(SHIPPED), "-o", str(tmp_path / "no" / "x.txt"))
    assert result.exit_code == 1 and "cannot write" in result.stderr


def test_plain_output_has_no_ansi_and_no_wrapping(emploi):
    for args in (["summary"], ["targets"], ["targets", "--by", "indicator"], ["check"],
                 ["history"]):
        out = emploi(*args, "-l", str(SHIPPED), env={"COLUMNS": "40"}).stdout
        assert "\x1b" not in out
        assert "│" not in out and "━" not in out
    out = emploi("targets", "-l", str(SHIPPED), env={"COLUMNS": "40"}).stdout
    line = next(x for x in out.splitlines() if x.startswith("c2.employabilite"))
    assert "Amélioration de l'employabilité des jeunes en milieu rural" in line


def test_plain_columns_aligned(emploi):
    out = emploi("targets", "-l", str(SHIPPED)).stdout.splitlines()
    header, rows = out[1], out[2:7]
    end = header.index("Progress") + len("Progress")
    assert all(len(r) == end for r in rows)


@pytest.mark.parametrize("width", [60, 80, 120])
@pytest.mark.parametrize("report", ["summary", "targets", "history", "check"])
def test_terminal_tables_fit_and_never_cut_ids(ledger, emploi, report, width):
    import re as regex

    from emploi_cli.domain.position import history_lines, position
    from emploi_cli.present import reports as build
    from emploi_cli.present.render import Report, to_rich
    from emploi_cli.store.reading import load

    emploi("record", "c1.insertion", "4000", "-l", str(ledger), "--date", "2021-03-31",
           "--note", "a long note " * 5)
    loaded = load(ledger).ledger
    from datetime import date

    day = date(2022, 6, 30)
    made: Report = {
        "summary": lambda: build.summary(position(loaded, day), "en"),
        "targets": lambda: build.targets(position(loaded, day), "en"),
        "history": lambda: build.history(history_lines(loaded, day), "en"),
        "check": lambda: build.problems([], "en"),
    }[report]()
    out = regex.sub(r"\x1b\[[0-9;]*m", "", to_rich(made, "en", width))
    assert max(len(line) for line in out.splitlines()) <= width
    assert "…" not in out
    if report == "targets":
        for target in ("c1.insertion", "c2.unites_mobiles"):
            assert target in out
    if report == "history":
        assert loaded.journal[0].id in out  # whole, so it can be passed to `void`

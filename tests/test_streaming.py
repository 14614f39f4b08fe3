"""`history` writes csv, json and md as its rows are made, byte for byte what the
list-based writers wrote (kept here as the reference), and --output stays atomic."""

from __future__ import annotations

import csv
import importlib.util
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emploi_cli.cli import output
from emploi_cli.cli.app import app
from emploi_cli.domain import model as m
from emploi_cli.domain import position
from emploi_cli.present import i18n, reports
from emploi_cli.present.render import (
    BARS,
    NUMERIC,
    Report,
    Table,
    _csv_lines,
    chunks,
    human_text,
    machine_text,
    md_cell,
    render,
    to_json,
    to_plain,
)
from emploi_cli.store.reading import load

from .conftest import REPO

# ---- the writers as they were before streaming: lists in, the whole text out --------------


def reference_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    table = report.csv
    writer.writerow([c.key for c in table.columns])
    for row in table.rows:
        cells = []
        for column in table.columns:
            text = machine_text(row.get(column.key), column.kind)
            if column.kind not in NUMERIC and text.startswith(("=", "+", "-", "@", "\t", "\r",
                                                                 "'")):
                text = "'" + text
            cells.append(text)
        writer.writerow(cells)
    return out.getvalue()


def reference_md(report: Report, lang: str) -> str:
    parts = []
    for table in report.sections:
        columns = [c for c in table.columns if c.kind not in BARS]
        if table.name:
            parts.append(f"## {md_cell(i18n.label(table.name, lang, **table.title_values))}\n")
        header = [md_cell(i18n.label(c.label or c.key, lang)) for c in columns]
        align = ["---:" if c.kind in NUMERIC else "---" for c in columns]
        lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
        for row in table.rows:
            lines.append("| " + " | ".join(
                md_cell(human_text(row.get(c.key), c.kind, lang), c.kind in NUMERIC)
                for c in columns) + " |")
        parts.append("\n".join(lines) + "\n")
    parts += [md_cell(note) + "\n" for note in report.notes]
    return "\n".join(parts)


def reference_report(lines: list[position.HistoryLine], lang: str) -> Report:
    rows = tuple(reports.history_row(line) for line in lines)
    data = [{**r, "tags": dict(r["tags"])} for r in rows]
    streamed = reports.history(iter(()), lang)  # the same columns
    notes = () if rows else (i18n.label("no_entries", lang),)
    return Report(data, Table("", streamed.csv.columns, rows),
                  (Table("history", streamed.sections[0].columns, rows),), notes)


def reference_text(lines: list[position.HistoryLine], fmt: str, lang: str) -> str:
    report = reference_report(lines, lang)
    return {"csv": lambda: reference_csv(report), "json": lambda: to_json(report.data),
            "md": lambda: reference_md(report, lang),
            "table": lambda: to_plain(report, lang)}[fmt]()


# ---- a ledger of a few thousand entries, every kind, text that needs quoting ---------------


def _bench():
    spec = importlib.util.spec_from_file_location("bench", REPO / "benchmarks" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NOTES = ['a, "quoted" note', "=1+1", "-5 left", "'quoted", "line\nbreak", "tab\there",
         "Fès | *bold* <b>", ""]


ENTRIES = 2100  # two batches of the 1,000 rows csv and json write at once, and some


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("streaming") / "big.toml"
    _bench().write_ledger(path, ENTRIES)
    from typer.testing import CliRunner

    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, [*args, "-l", str(path)], catch_exceptions=False)
        assert result.exit_code == (4 if args[0] == "reconcile" else 0), result.output
        return result.stdout.strip()

    for i, note in enumerate(NOTES):
        run("record", "c1.insertion", str(i), "--date", f"2022-06-{i + 1:02d}", "--note", note,
            "--tag", f"province={note or 'x'}")
    first = run("record", "c2.espaces", "3", "--date", "2022-06-20")
    run("void", first, "--reason", "typo, \"again\"")
    run("disburse", "c1", "1.5", "--kind", "expenditure", "--date", "2022-06-21", "--note",
        "@SUM(A1)")
    run("amend", "--convention", "c1", "--amount", "400", "--reference", "av-1", "--reason",
        "more, money", "--date", "2022-06-22")
    run("amend", "--end", "2023-12-31", "--reference", "av-2", "--reason", "later",
        "--date", "2022-06-23")
    run("reconcile", "c1.insertion", "999999", "--date", "2022-06-24", "--source", "x,y")
    run("close", "2019")
    return path


CASES = {
    "all": ([], {}),
    "kind": (["--kind", "transaction"], {"kind": "transaction"}),
    "target": (["--target", "c1.insertion", "--since", "2021-01-01"],
               {"target": "c1.insertion", "since": "2021-01-01"}),
    "convention": (["--convention", "c2", "--until", "2021-06-30"],
                   {"convention": "c2", "until": "2021-06-30"}),
    "as-of": (["--as-of", "2021-03-31"], {"as_of": "2021-03-31"}),
    "none": (["--since", "2030-01-01"], {"since": "2030-01-01"}),
}


@pytest.fixture(scope="module")
def journal(big) -> m.Ledger:
    return load(big).ledger


def _lines(ledger: m.Ledger, filters: dict) -> list[position.HistoryLine]:
    from datetime import date

    values = {k: date.fromisoformat(v) if k in ("as_of", "since", "until") else v
              for k, v in filters.items()}
    as_of = values.pop("as_of", None)
    return position.history_lines(ledger, as_of, **values)


# every format and language on the whole journal; each filter in one language (csv and json
# never change with it), the table (slow, and not streamed) on two
RUNS = [(fmt, lang, "all") for fmt in ("csv", "json", "md") for lang in ("fr", "en")]
RUNS += [("table", "en", "all")]
RUNS += [(fmt, ("fr", "en")[i % 2], case) for i, case in enumerate(list(CASES)[1:])
         for fmt in ("csv", "json", "md")]
RUNS += [("table", "fr", "none")]


@pytest.mark.parametrize(("fmt", "lang", "case"), RUNS)
def test_history_streamed_is_the_list_based_text(big, journal, emploi, fmt, lang, case,
                                                 tmp_path):
    options, filters = CASES[case]
    expected = reference_text(_lines(journal, filters), fmt, lang).encode("utf-8")
    args = ["history", "-l", str(big), "-f", fmt, "--lang", lang, *options]
    result = emploi(*args)
    assert result.exit_code == 0
    assert result.stdout_bytes == expected
    if case == "all":
        assert expected.count(b"\n") > ENTRIES
        out = tmp_path / "out.txt"
        assert emploi(*args, "-o", str(out)).exit_code == 0
        assert out.read_bytes() == expected


@pytest.mark.parametrize("fmt", ["csv", "json", "md", "table"])
def test_render_joins_the_chunks_of_a_list_report(journal, fmt):
    lines = _lines(journal, {})
    whole = render(reports.history(lines, "en"), fmt, "en")
    assert whole == reference_text(lines, fmt, "en")
    assert "".join(chunks(reports.history(lines, "en"), fmt, "en")) == whole


# ---- rows read as they are written -------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json", "md"])
def test_machine_formats_write_the_first_rows_before_the_last_is_made(journal, fmt):
    made = []

    def counted():
        for line in position.iter_history_lines(journal):
            made.append(line)
            yield line

    pieces = chunks(reports.history(counted(), "en"), fmt, "en")
    text = ""
    while text.count("\n") < 20:
        text += next(pieces)
    assert 0 < len(made) <= 1001  # a block at most, out of about 2,100
    assert len(made) < len(_lines(journal, {})) / 2
    text += "".join(pieces)
    assert len(made) == len(_lines(journal, {}))
    assert text == reference_text(made, fmt, "en")


def test_table_reads_every_row_first(journal):
    lines = _lines(journal, {})
    report = reports.history(iter(lines), "en")
    assert "".join(chunks(report, "table", "en")) == reference_text(lines, "table", "en")


# ---- --output is atomic --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json", "md"])
def test_output_untouched_by_an_error_midway(big, emploi, monkeypatch, tmp_path, fmt):
    out = tmp_path / f"history.{fmt}"
    out.write_text("before\n")
    calls = []
    row = reports.history_row

    def failing(line):
        calls.append(line)
        if len(calls) == 2000:
            raise m.EmploiError(m.error("test", "failed midway"))
        return row(line)

    monkeypatch.setattr(reports, "history_row", failing)
    result = emploi("history", "-l", str(big), "-f", fmt, "-o", str(out))
    assert result.exit_code == 1 and "failed midway" in result.stderr
    assert len(calls) == 2000  # rows were being written
    assert out.read_text() == "before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # no temp file
    fresh = tmp_path / f"new.{fmt}"
    calls.clear()
    assert emploi("history", "-l", str(big), "-f", fmt, "-o", str(fresh)).exit_code == 1
    assert not fresh.exists() and sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_output_untouched_by_an_interrupt_midway(big, journal, monkeypatch, tmp_path):
    out = tmp_path / "history.csv"
    out.write_text("before\n")
    row = reports.history_row
    calls = []

    def interrupted(line):
        calls.append(line)
        if len(calls) == 1500:
            raise KeyboardInterrupt
        return row(line)

    monkeypatch.setattr(reports, "history_row", interrupted)
    with pytest.raises(KeyboardInterrupt):
        output.write_file(out, chunks(reports.history(_lines(journal, {}), "en"), "csv", "en"),
                          str(big))
    assert out.read_text() == "before\n"
    assert [p.name for p in tmp_path.iterdir()] == ["history.csv"]


# ---- the pieces of the writers ---------------------------------------------------------------

cell = st.one_of(st.sampled_from(["", ",", '"', "\r", "\n", "\r\n", 'a,"b"', " x ", "é"]),
                 st.text(alphabet=st.sampled_from('ab ,"\r\n\t\'=é'), max_size=8))


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 4).flatmap(lambda n: st.lists(
    st.lists(cell, min_size=n, max_size=n), min_size=1, max_size=6)))
def test_csv_lines_are_what_csv_writer_writes(rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    columns = [list(column) for column in zip(*rows, strict=True)]
    assert _csv_lines(columns) == out.getvalue()


def test_json_of_an_iterator_is_the_json_of_the_list():
    from decimal import Decimal

    items = [{"a": Decimal("406.80"), "b": [1, {"c": None}], "d": "x\ny"}, {}, [], "s"]
    assert to_json(iter(items)) == to_json(items)
    assert to_json(iter([])) == to_json([]) == "[]\n"
    assert to_json(iter(items), ascii_only=True) == to_json(items, ascii_only=True)
    assert "406.80" in to_json(iter(items))


def test_json_of_rows_of_one_shape_is_the_text_of_json_dumps():
    """Rows of one shape (one format per shape) with exact decimals and dates, keys of any
    text (a %), and keys that are not text, written as json.dumps writes them (decimals as
    numbers: here as floats that print the same; dates as their ISO text)."""
    import json
    from datetime import UTC, date, datetime
    from decimal import Decimal

    rows = [{"n": n, "%s": f"t{n}%", "day": date(2021, 1, n),
             "at": datetime(2021, 1, n, tzinfo=UTC), "amount": Decimal(f"{n}.25"),
             "tags": {"province": "Fès"}, "none": None, "ok": n % 2 == 0,
             "list": [n, [], {}]} for n in range(1, 4)]
    plain = [{**r, "day": r["day"].isoformat(), "at": r["day"].isoformat() + "T00:00:00Z",
              "amount": float(r["amount"])} for r in rows]
    assert to_json(rows) == json.dumps(plain, indent=2, ensure_ascii=False) + "\n"
    assert to_json(iter(rows), ascii_only=True) == json.dumps(plain, indent=2) + "\n"
    odd = [{1: "a"}, {True: "b"}, {"1": "c"}]  # keys as str() writes them, each its own
    assert to_json(odd) == ('[\n  {\n    "1": "a"\n  },\n  {\n    "True": "b"\n  },\n'
                            '  {\n    "1": "c"\n  }\n]\n')


class _Stdout(io.TextIOWrapper):
    def isatty(self) -> bool:
        return False


def _old_stdout_bytes(text: str, encoding: str, exact: bool) -> bytes:
    try:
        text.encode(encoding)
        fits = True
    except UnicodeEncodeError:
        fits = False
    if exact and not fits:
        return text.encode("utf-8")
    return text.encode(encoding, errors="replace")


@pytest.mark.parametrize("encoding", ["utf-8", "ascii", "latin-1", "cp1252"])
@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize("pieces", [["a,b\r\n", "Fès\r\n", "x"], ["abc\r\n", "def"],
                                    ["été\r\n", "ok\r\n"], ["ok\r\n", "→ Fès\r\n", "x\r\n"],
                                    ["été\r\n", "→\r\n"]])
def test_stdout_in_pieces_is_the_text_written_at_once(monkeypatch, encoding, exact, pieces):
    raw = io.BytesIO()
    stream = _Stdout(raw, encoding=encoding, newline="")
    monkeypatch.setattr(output.sys, "stdout", stream)
    output.write_stdout(iter(pieces), exact=exact)
    assert raw.getvalue() == _old_stdout_bytes("".join(pieces), encoding, exact)



def test_the_json_writer_writes_what_json_dumps_writes():
    """The one JSON writer (a recursive function over the C string encoder) gives the text of
    `json.dumps(value, indent=2)`, for any nesting, text and number."""
    import json

    from hypothesis import given, settings
    from hypothesis import strategies as st

    scalars = st.none() | st.booleans() | st.integers() | st.text()
    values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.text(max_size=5), inner, max_size=4), max_leaves=20)

    @settings(max_examples=200, deadline=None)
    @given(values)
    def same(value):
        for ascii_only in (False, True):
            expected = json.dumps(value, indent=2, ensure_ascii=ascii_only) + "\n"
            assert to_json(value, ascii_only=ascii_only) == expected
            if isinstance(value, list):
                assert to_json(iter(value), ascii_only=ascii_only) == expected
            if isinstance(value, dict):
                streamed = {k: iter(v) if isinstance(v, list) else v for k, v in value.items()}
                assert to_json(streamed, ascii_only=ascii_only) == expected
    same()

"""`emploi import`: declared styles, all or nothing, re-import adds nothing, profiles."""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emploi_cli.exchange import importer
from emploi_cli.store import writing

MAP = ["--map", "target=Indicateur", "--map", "value=Nombre", "--map", "date=Date"]
FR = ["--decimal", ",", "--thousands", ".", "--date-format", "%d/%m/%Y"]


@pytest.fixture
def ids(monkeypatch):
    """Entry ids 0000000000000001, 0000000000000002, ... so that outputs are exact."""
    counter = itertools.count(1)
    monkeypatch.setattr("emploi_cli.domain.entries.new_id",
                        lambda now_ms=None: f"{next(counter):016d}")


def csv_file(tmp_path: Path, text: str, name: str = "t2.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def achieved(emploi, ledger: Path) -> dict[str, int]:
    result = emploi("targets", "-l", str(ledger), "-f", "json")
    assert result.exit_code == 0, result.stderr
    return {row["id"]: row["achieved"] for row in json.loads(result.stdout)}


def progress_blocks(ledger: Path) -> int:
    return ledger.read_text(encoding="utf-8").count("[[progress]]")


# ---- output, in every format ---------------------------------------------------------------

DRY = ("Indicateur,Nombre,Date,Province\n"
       "c1.insertion,120,2021-06-30,Fès\n"
       "c2.espaces,3,2021-06-30,Taza\n")


def test_dry_run_table(emploi, ledger, tmp_path, ids):
    before = ledger.read_bytes()
    file = csv_file(tmp_path, DRY)
    result = emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP,
                    "--map", "tag.province=Province", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "Import\n"
        "Row  Status  Id                Date        Subject       Value  Tags           Reason\n"
        "2    new     0000000000000001  2021-06-30  c1.insertion    120  province=Fès\n"
        "3    new     0000000000000002  2021-06-30  c2.espaces        3  province=Taza\n"
        "\n2 new, 0 already present, 0 refused\n"
        "\nDry run: nothing was written.\n")
    assert ledger.read_bytes() == before


def test_dry_run_md_in_french(emploi, ledger, tmp_path, ids):
    file = csv_file(tmp_path, DRY)
    result = emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP,
                    "--dry-run", "-f", "md", "--lang", "fr")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "## Import\n\n"
        "| Ligne du fichier | État | Id | Date | Objet | Valeur | Étiquettes | Motif |\n"
        "| --- | --- | --- | --- | --- | ---: | --- | --- |\n"
        "| 2 | nouvelle | 0000000000000001 | 2021-06-30 | c1.insertion | 120 |  |  |\n"
        "| 3 | nouvelle | 0000000000000002 | 2021-06-30 | c2.espaces | 3 |  |  |\n"
        "\n2 nouvelle(s), 0 déjà présente(s), 0 refusée(s)\n"
        "\nSimulation : rien n'a été écrit.\n")


def test_dry_run_csv(emploi, ledger, tmp_path, ids):
    file = csv_file(tmp_path, DRY)
    result = emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP,
                    "--map", "tag.province=Province", "--dry-run", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "row,status,id,date,subject,value,amount,kind,funder,tags,note,source,import_key,reason",
        "2,new,0000000000000001,2021-06-30,c1.insertion,120,,,,province=Fès,,,"
        "sha256:897061b0b58eea59,",
        "3,new,0000000000000002,2021-06-30,c2.espaces,3,,,,province=Taza,,,"
        "sha256:707e72dd7017f4f7,",
    ]


def test_dry_run_json(emploi, ledger, tmp_path, ids):
    before = ledger.read_bytes()
    file = csv_file(tmp_path, DRY)
    result = emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP,
                    "--dry-run", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["dry_run"], data["written"], data["kind"]) == (True, False, "progress")
    assert data["counts"] == {"rows": 2, "new": 2, "present": 0, "refused": 0}
    first = data["rows"][0]
    assert {k: first[k] for k in ("row", "status", "id", "date", "subject", "value")} == {
        "row": 2, "status": "new", "id": "0000000000000001", "date": "2021-06-30",
        "subject": "c1.insertion", "value": 120}
    assert first["import_key"].startswith("sha256:") and len(first["import_key"]) == 23
    assert ledger.read_bytes() == before


# ---- declared styles -----------------------------------------------------------------------


@pytest.mark.parametrize(("style", "cell", "expected"), [
    ((".", ""), "20815", Decimal(20815)),
    ((".", ""), "374.80", Decimal("374.80")),
    ((",", ""), "374,80", Decimal("374.80")),
    ((",", "."), "20.815", Decimal(20815)),
    ((",", "."), "1.234.567,5", Decimal("1234567.5")),
    ((".", ","), "20,815", Decimal(20815)),
    ((".", ","), "1,234.56", Decimal("1234.56")),
    ((",", " "), "20 815", Decimal(20815)),
    ((",", " "), "20\u00a0815", Decimal(20815)),  # a declared space accepts no-break spaces
    ((",", "\u202f"), "20\u202f815,5", Decimal("20815.5")),
    ((".", "'"), "20'815", Decimal(20815)),
    ((".", ""), ".5", Decimal("0.5")),
    ((",", "."), " 20.815 ", Decimal(20815)),
])
def test_number_styles(style, cell, expected):
    assert importer.number_text(cell, importer.Style(*style)) == expected


@pytest.mark.parametrize(("style", "cell", "reason"), [
    ((",", ""), "20.815", "'20.815' is ambiguous: it has '.', but the declared decimal mark is "
     "',' and no thousands separator is declared"),
    ((".", ""), "20,815", "'20,815' is ambiguous: it has ',', but the declared decimal mark is "
     "'.' and no thousands separator is declared"),
    ((".", ""), "20 815", "'20 815' is ambiguous: it has a space"),
    ((",", "."), "20.81", "'20.81': the thousands separator '.' does not group the digits by "
     "three"),
    ((",", "."), "1.5", "does not group the digits by three"),
    ((",", "."), "20815.000", "does not group the digits by three"),
    ((",", "."), "1,2,3", "more than one decimal mark ','"),
    ((",", "."), "1,234.5", "thousands separator after the decimal mark"),
    ((",", "."), "1.234,5 ", None),
    ((".", ","), "1.234", None),
    ((".", ""), "12a", "'12a' is not a number"),
    ((".", ""), "12.", "no digit after the decimal mark"),
    ((".", ","), "20,815", None),
    ((",", " "), "20.815", "'20.815' is ambiguous: it has '.', but the declared decimal mark "
     "is ',' and the declared thousands separator is a space"),
])
def test_ambiguous_and_malformed_numbers(style, cell, reason):
    if reason is None:
        importer.number_text(cell, importer.Style(*style))
        return
    with pytest.raises(importer.CellError) as found:
        importer.number_text(cell, importer.Style(*style))
    assert reason in str(found.value)


def test_counts_have_no_decimal_part():
    french = importer.Style(",", ".")
    assert importer.count_cell("20.815", french) == 20815
    assert importer.count_cell(120.0, french) == 120
    with pytest.raises(importer.CellError, match="has a decimal mark ','; a count is a whole"):
        importer.count_cell("12,0", french)
    # "20.000" under a declared '.' decimal mark could be twenty thousand: never read as 20
    with pytest.raises(importer.CellError, match=r"has a decimal mark '\.'; a count is a whole"):
        importer.count_cell("20.000", importer.Style(".", ""))
    with pytest.raises(importer.CellError, match=r"12\.5 has a fractional part"):
        importer.count_cell(12.5, french)
    with pytest.raises(importer.CellError, match="negative"):
        importer.count_cell("-3", french)
    with pytest.raises(importer.CellError, match="is not a whole number"):
        importer.count_cell(True, french)


def test_a_count_too_long_for_python_is_refused_not_read():
    """Python reads no integer of more than 4,300 digits: such a cell is a refused row, shown
    by its start and length, never an internal error."""
    for cell in ("9" * 5000, "1" + " 000" * 1700):  # 5,101 digits in groups of three
        with pytest.raises(importer.CellError, match=r"\.\.\. \(\d{4} characters\) is beyond"):
            importer.count_cell(cell, importer.Style(".", " "))
    assert importer.count_cell("1 000 000 000 000", importer.Style(".", " ")) == 10**12
    assert importer.count_cell("0" * 20 + "7", importer.Style(".", "")) == 7


def test_an_import_refuses_a_count_too_long_for_python(emploi, ledger, tmp_path):
    sheet = tmp_path / "long.csv"
    sheet.write_text(f"target,value,date\nc1.insertion,{'9' * 5000},2021-06-30\n")
    result = emploi("import", str(sheet), "-l", str(ledger), "--kind", "progress", "--map",
                    "target=target", "--map", "value=value", "--map", "date=date",
                    "--dry-run", "-f", "json")
    assert "internal error" not in result.stderr
    rows = json.loads(result.stdout)["rows"]
    assert [r["status"] for r in rows] == ["refused"] and "5000 characters" in str(rows)


def test_money_cells():
    french = importer.Style(",", ".")
    assert importer.money_cell("1.234,56", french) == Decimal("1234.56")
    assert importer.money_cell(25.5, french) == Decimal("25.5")
    assert importer.money_cell(3, french) == Decimal(3)
    with pytest.raises(importer.CellError, match="finer than one dirham"):
        importer.money_cell("0,0000001", french)
    with pytest.raises(importer.CellError, match="not a positive amount"):
        importer.money_cell("0", french)


@pytest.mark.parametrize(("fmt", "cell"), [
    ("%d/%m/%Y", "30/06/2021"), ("%Y-%m-%d", "2021-06-30"), ("%d.%m.%Y", "30.06.2021"),
    ("%m/%d/%Y", "06/30/2021"), ("%d/%m/%y", "30/06/21"),
])
def test_date_styles(fmt, cell):
    assert importer.date_cell(cell, importer.Style(date_format=fmt)) == date(2021, 6, 30)


def test_dates_are_read_as_declared_never_guessed():
    style = importer.Style(date_format="%d/%m/%Y")
    with pytest.raises(importer.CellError, match="'2021-06-30' is not a date in the declared "
                       "format %d/%m/%Y"):
        importer.date_cell("2021-06-30", style)
    assert importer.date_cell(datetime(2021, 6, 30), style) == date(2021, 6, 30)
    with pytest.raises(importer.CellError, match="has a time of day"):
        importer.date_cell(datetime(2021, 6, 30, 9, 15), style)
    with pytest.raises(importer.CellError, match="is a number, not a date"):
        importer.date_cell(44377.0, style)


@given(st.integers(min_value=0, max_value=10**12),
       st.sampled_from([(",", "."), (".", ","), (",", " "), (",", "\u202f"), (".", "'")]))
def test_grouped_counts_read_back(number, style):
    """Any count written with a declared grouping reads back as itself."""
    decimal, thousands = style
    text = f"{number:,}".replace(",", thousands)
    assert importer.count_cell(text, importer.Style(decimal, thousands)) == number


@given(st.integers(min_value=1, max_value=10**15))
def test_amounts_in_french_style_read_back(dirhams):
    amount = Decimal(dirhams) / 10**6
    text = f"{amount:,f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    assert importer.money_cell(text, importer.Style(",", ".")) == amount


# ---- the command: styles end to end ----------------------------------------------------------


def test_french_csv_with_semicolons(emploi, ledger, tmp_path):
    file = csv_file(tmp_path, "Indicateur;Nombre;Date\n"
                              "c1.insertion;1.250;30/06/2021\n"
                              "c1.employabilite;20.815;31/03/2021\n")
    result = emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP, *FR,
                    "--delimiter", ";")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith(f"2 new, 0 already present, 0 refused\n\nWritten to "
                                  f"{ledger}.\n")
    assert achieved(emploi, ledger)["c1.insertion"] == 1250
    assert achieved(emploi, ledger)["c1.employabilite"] == 20815


def test_latin1_csv_needs_its_encoding_declared(emploi, ledger, tmp_path):
    file = tmp_path / "t2.csv"
    file.write_bytes("Indicateur,Nombre,Date,Province\nc1.insertion,5,2021-06-30,Fès\n"
                     .encode("cp1252"))
    args = ["import", str(file), "-l", str(ledger), "--kind", "progress", *MAP,
            "--map", "tag.province=Province"]
    refused = emploi(*args)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"emploi: {file}:2: error: byte 0xe8 on line 2 is not utf-8; save the file as CSV "
        "UTF-8, or declare its encoding (e.g. --encoding cp1252)\n")
    result = emploi(*args, "--encoding", "cp1252", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["rows"][0]["tags"] == {"province": "Fès"}


def test_transactions(emploi, ledger, tmp_path):
    file = csv_file(tmp_path, "Convention;Montant;Type;Bailleur;Date;Réf\n"
                              "c1;25,50;disbursement;region;01/07/2021;V-001\n"
                              "c3;1.003,25;Commitment;;02/07/2021;V-002\n", "virements.csv")
    result = emploi("import", str(file), "-l", str(ledger), "--kind", "transaction",
                    "--map", "convention=Convention", "--map", "amount=Montant",
                    "--map", "kind=Type", "--map", "funder=Bailleur", "--map", "date=Date",
                    "--map", "reference=Réf", *FR, "--delimiter", ";", "-f", "json")
    assert result.exit_code == 1
    rows = json.loads(result.stdout)["rows"]
    assert rows[0]["status"] == "new" and rows[0]["amount"] == 25.50
    assert (rows[1]["status"], rows[1]["amount"], rows[1]["kind"]) == (
        "refused", 1003.25, "commitment")
    assert rows[1]["problems"][0]["path"] == "row 3, column 'Convention'"
    assert rows[1]["problems"][0]["message"].startswith("unknown convention 'c3'")


def test_transactions_summary(emploi, ledger, tmp_path):
    file = csv_file(tmp_path, "Convention;Montant;Type;Bailleur;Date;Réf\n"
                              "c1;25,50;disbursement;region;01/07/2021;V-001\n"
                              "c2;1,25;Commitment;;02/07/2021;V-002\n", "virements.csv")
    result = emploi("import", str(file), "-l", str(ledger), "--kind", "transaction",
                    "--map", "convention=Convention", "--map", "amount=Montant",
                    "--map", "kind=Type", "--map", "funder=Bailleur", "--map", "date=Date",
                    "--map", "reference=Réf", *FR, "--delimiter", ";")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(emploi("summary", "-l", str(ledger), "-f", "json").stdout)
    c1, c2 = summary["conventions"]
    assert (c1["disbursed"], c2["committed"]) == (25.50, 1.25)
    assert summary["funders"][0]["disbursed"] == 25.50
    text = ledger.read_text(encoding="utf-8")
    assert 'import_key = "V-001"' in text and 'import_key = "V-002"' in text
    again = emploi("import", str(file), "-l", str(ledger), "--kind", "transaction",
                   "--map", "convention=Convention", "--map", "amount=Montant",
                   "--map", "kind=Type", "--map", "funder=Bailleur", "--map", "date=Date",
                   "--map", "reference=Réf", *FR, "--delimiter", ";")
    assert again.exit_code == 0
    assert "0 new, 2 already present, 0 refused" in again.stdout


# ---- refusals: every bad row named, nothing written ----------------------------------------

BAD = ("Indicateur;Nombre;Date\n"
       "c1.insertion;120;30/06/2021\n"
       "c1.insertion;20.815;30/06/2021\n"
       ";;\n"
       "c1.insertio;12;30/06/2021\n"
       "c2.espaces;1,5;31/06/2021\n"
       "c2.espaces;2;30/06/2023\n"
       "c1.employabilite;;30/06/2021\n")


def test_bad_rows_are_all_listed_and_nothing_is_written(emploi, ledger, tmp_path):
    before = ledger.read_bytes()
    file = csv_file(tmp_path, BAD)
    result = emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP,
                    "--decimal", ",", "--date-format", "%d/%m/%Y", "--delimiter", ";")
    assert result.exit_code == 1
    assert ledger.read_bytes() == before
    f = str(file)
    assert result.stderr.splitlines() == [
        f"emploi: {f} [row 3, column 'Nombre']: error: '20.815' is ambiguous: it has '.', but "
        "the declared decimal mark is ',' and no thousands separator is declared; declare the "
        "file's style (--decimal, --thousands)",
        f"emploi: {f} [row 5, column 'Indicateur']: error: unknown target 'c1.insertio' (did "
        "you mean 'c1.insertion'?); known: c1.insertion, c1.employabilite, c2.employabilite, "
        "c2.espaces, c2.unites_mobiles",
        f"emploi: {f} [row 6, column 'Nombre']: error: '1,5' has a decimal mark ','; a count "
        "is a whole number (if the mark groups thousands, declare --thousands and the right "
        "--decimal)",
        f"emploi: {f} [row 6, column 'Date']: error: '31/06/2021' is not a date: June 2021 "
        "has 30 days",
        f"emploi: {f} [row 7, column 'Date']: error: progress date 2023-06-30 is in the "
        "future (today is 2022-06-30)",
        f"emploi: {f} [row 8, column 'Nombre']: error: value is empty",
        f"emploi: {f}: error: nothing was written: 5 of 6 row(s) refused",
    ]
    assert "1 new, 0 already present, 5 refused" in result.stdout
    assert "Nothing was written: 5 row(s) refused." in result.stdout


def test_closed_period_refuses_the_row(emploi, ledger, tmp_path):
    with ledger.open("a", encoding="utf-8") as out:
        out.write('\n[[locks]]\nid = "lk1"\ndate = 2021-06-30\naction = "close"\n'
                  'period = "2021-Q2"\n')
    before = ledger.read_bytes()
    file = csv_file(tmp_path, "Indicateur,Nombre,Date\nc1.insertion,5,2021-06-30\n"
                              "c1.insertion,6,2021-07-01\n")
    result = emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP)
    assert result.exit_code == 1
    assert f"{file} [row 2, column 'Date']: error: 2021-06-30 is in a closed period" in (
        result.stderr)
    assert ledger.read_bytes() == before


def test_dry_run_with_bad_rows_exits_1_and_writes_nothing(emploi, ledger, tmp_path):
    before = ledger.read_bytes()
    file = csv_file(tmp_path, BAD)
    result = emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP,
                    "--decimal", ",", "--date-format", "%d/%m/%Y", "--delimiter", ";",
                    "--dry-run", "-f", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["counts"] == {"rows": 6, "new": 1, "present": 0, "refused": 5}
    assert [r["row"] for r in data["rows"] if r["status"] == "refused"] == [3, 5, 6, 7, 8]
    assert ledger.read_bytes() == before


# ---- re-import adds nothing -----------------------------------------------------------------


def test_reimport_adds_nothing(emploi, ledger, tmp_path):
    file = csv_file(tmp_path, DRY)
    args = ["import", str(file), "-l", str(ledger), "--kind", "progress", *MAP,
            "--map", "tag.province=Province"]
    assert emploi(*args).exit_code == 0
    after_first = ledger.read_bytes()
    again = emploi(*args)
    assert again.exit_code == 0
    assert again.stdout.endswith("0 new, 2 already present, 0 refused\n\nNothing to add.\n")
    assert ledger.read_bytes() == after_first
    # a mapping that also takes the note changes no key: still nothing new
    noted = csv_file(tmp_path, DRY.replace("Province\n", "Province,Note\n", 1)
                     .replace("Fès\n", "Fès,rapport T2\n"))
    assert noted.name == file.name
    third = emploi(*args, "--map", "note=Note")
    assert "0 new, 2 already present" in third.stdout
    assert achieved(emploi, ledger)["c1.insertion"] == 120


def test_the_same_rows_under_another_file_name_are_new(emploi, ledger, tmp_path):
    args = ["--kind", "progress", *MAP, "-l", str(ledger), "-f", "json"]
    emploi("import", str(csv_file(tmp_path, DRY, "t2.csv")), *args)
    other = emploi("import", str(csv_file(tmp_path, DRY, "t3.csv")), *args)
    assert json.loads(other.stdout)["counts"]["new"] == 2


def test_identical_rows_in_one_file_are_both_kept_and_stable(emploi, ledger, tmp_path):
    file = csv_file(tmp_path, "Indicateur,Nombre,Date\nc1.insertion,5,2021-06-30\n"
                              "c1.insertion,5,2021-06-30\n")
    args = ["import", str(file), "-l", str(ledger), "--kind", "progress", *MAP, "-f", "json"]
    first = json.loads(emploi(*args).stdout)
    keys = [r["import_key"] for r in first["rows"]]
    assert first["counts"]["new"] == 2 and len(set(keys)) == 2
    assert json.loads(emploi(*args).stdout)["counts"]["present"] == 2
    assert achieved(emploi, ledger)["c1.insertion"] == 10


def test_reference_with_changed_figures_is_present_with_a_warning(emploi, ledger, tmp_path):
    args = ["--kind", "progress", *MAP, "--map", "reference=Ref", "-l", str(ledger)]
    file = csv_file(tmp_path, "Ref,Indicateur,Nombre,Date\nA-1,c1.insertion,5,2021-06-30\n")
    assert emploi("import", str(file), *args).exit_code == 0
    file.write_text("Ref,Indicateur,Nombre,Date\nA-1,c1.insertion,7,2021-06-30\n",
                    encoding="utf-8")
    again = emploi("import", str(file), *args)
    assert again.exit_code == 0
    assert "0 new, 1 already present" in again.stdout
    assert again.stderr.startswith(f"emploi: {file} [row 2]: warning: 'A-1' is already in the "
                                   "ledger as entry ")
    assert "with other figures (value 5 there, 7 here)" in again.stderr
    assert achieved(emploi, ledger)["c1.insertion"] == 5


def test_duplicate_reference_in_one_file_is_refused(emploi, ledger, tmp_path):
    file = csv_file(tmp_path, "Ref,Indicateur,Nombre,Date\nA-1,c1.insertion,5,2021-06-30\n"
                              "A-1,c1.insertion,6,2021-06-30\n")
    result = emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP,
                    "--map", "reference=Ref")
    assert result.exit_code == 1
    assert f"{file} [row 3]: error: reference 'A-1' is also on row 2" in result.stderr


def test_a_voided_import_is_not_brought_back(emploi, ledger, tmp_path):
    file = csv_file(tmp_path, "Indicateur,Nombre,Date\nc1.insertion,5,2021-06-30\n")
    args = ["import", str(file), "-l", str(ledger), "--kind", "progress", *MAP, "-f", "json"]
    entry = json.loads(emploi(*args).stdout)["rows"][0]["id"]
    assert emploi("void", entry, "--reason", "wrong file", "-l", str(ledger)).exit_code == 0
    again = json.loads(emploi(*args).stdout)
    assert again["counts"]["present"] == 1
    assert achieved(emploi, ledger)["c1.insertion"] == 0


def test_the_whole_import_is_one_append(emploi, ledger, tmp_path, monkeypatch):
    calls = []
    real = writing.append

    def counting(path, build, **kwargs):
        calls.append(path)
        return real(path, build, **kwargs)

    monkeypatch.setattr(writing, "append", counting)
    file = csv_file(tmp_path, "".join([DRY] + [f"c1.insertion,{i},2021-06-30,Fès\n"
                                               for i in range(20)]))
    result = emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP,
                    "--save-profile", "anapec")
    assert result.exit_code == 0, result.stderr
    assert len(calls) == 1
    assert progress_blocks(ledger) == 22
    assert emploi("check", "-l", str(ledger)).exit_code == 0


# ---- profiles -------------------------------------------------------------------------------


def test_save_and_use_a_profile(emploi, ledger, tmp_path):
    file = csv_file(tmp_path, "Indicateur;Nombre;Date;Province\nc1.insertion;1.250;30/06/2021;"
                              "Fès\n")
    saved = emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP,
                   "--map", "tag.province=Province", *FR, "--delimiter", ";",
                   "--save-profile", "anapec")
    assert saved.exit_code == 0, saved.stderr
    assert "Profile anapec saved." in saved.stdout
    text = ledger.read_text(encoding="utf-8")
    block = text[text.index("[[profiles]]"):]
    assert block.splitlines()[1:9] == [
        text[text.index("[[profiles]]"):].splitlines()[1],  # the id
        "date = 2022-06-30",
        'name = "anapec"',
        'kind = "progress"',
        'columns = { date = "Date", "tag.province" = "Province", target = "Indicateur", '
        'value = "Nombre" }',
        'decimal = ","',
        'thousands = "."',
        'date_format = "%d/%m/%Y"',
    ]
    t3 = csv_file(tmp_path, "Indicateur;Nombre;Date;Province\nc1.insertion;2.000;30/09/2021;"
                            "Taza\n", "t3.csv")
    used = emploi("import", str(t3), "-l", str(ledger), "--profile", "anapec", "-f", "json")
    assert used.exit_code == 0, used.stderr
    row = json.loads(used.stdout)["rows"][0]
    assert (row["value"], row["tags"], row["date"]) == (2000, {"province": "Taza"},
                                                        "2021-09-30")
    same = emploi("import", str(t3), "-l", str(ledger), "--profile", "anapec",
                  "--save-profile", "anapec")
    assert "Profile anapec unchanged." in same.stdout
    assert ledger.read_text(encoding="utf-8").count("[[profiles]]") == 1


def test_unknown_profile_and_kind_mismatch(emploi, ledger, tmp_path):
    file = csv_file(tmp_path, DRY)
    emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP,
           "--save-profile", "anapec", "--dry-run")  # a dry run saves nothing
    unknown = emploi("import", str(file), "-l", str(ledger), "--profile", "anapec")
    assert unknown.exit_code == 1
    assert unknown.stderr == (f"emploi: {ledger}: error: no import profile 'anapec' in the "
                              "ledger; profiles: none (save one with --save-profile NAME)\n")
    emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP,
           "--save-profile", "anapec")
    typo = emploi("import", str(file), "-l", str(ledger), "--profile", "anapek")
    assert "no import profile 'anapek' in the ledger (did you mean 'anapec'?)" in typo.stderr
    mismatch = emploi("import", str(file), "-l", str(ledger), "--profile", "anapec",
                      "--kind", "transaction")
    assert mismatch.exit_code == 1
    assert "profile 'anapec' imports progress entries, not transaction" in mismatch.stderr


def test_mapping_mistakes_are_named(emploi, ledger, tmp_path):
    file = csv_file(tmp_path, "Indicateur;Nombre;Date\nc1.insertion;5;30/06/2021\n")
    result = emploi("import", str(file), "-l", str(ledger), "--kind", "progress",
                    "--map", "target=Indicateur", "--map", "valeur=Nombre")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "emploi: error: unknown field 'valeur' for progress rows (did you mean 'value'?); "
        "fields: target, value, date, note, source, reference, tag.NAME",
        "emploi: error: progress rows need a column for value, date: --map value=<column "
        "name>",
    ]
    missing = emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP)
    assert missing.stderr.splitlines()[0] == (
        f"emploi: {file}: error: no column 'Date' (for date) in the header row 1 (the header "
        "is one cell: is the delimiter right? --delimiter ';'); columns: "
        "'Indicateur;Nombre;Date'")
    usage = emploi("import", str(file), "-l", str(ledger), "--kind", "progress", "--map", "x")
    assert usage.exit_code == 2
    assert usage.stderr == ("emploi: usage error: --map 'x' must be FIELD=Column (e.g. "
                            "value=Nombre)\n")
    no_kind = emploi("import", str(file), "-l", str(ledger), *MAP)
    assert no_kind.stderr == ("emploi: error: say what the rows are: --kind progress or --kind "
                              "transaction (or use a saved --profile)\n")


def test_unknown_file_type(emploi, ledger, tmp_path):
    file = tmp_path / "t2.pdf"
    file.write_bytes(b"%PDF")
    result = emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP)
    assert result.exit_code == 1
    assert result.stderr == (f"emploi: {file}: error: cannot import .pdf: emploi reads .csv, "
                             ".xlsx and .ods\n")


# ---- XLSX -----------------------------------------------------------------------------------


def french_workbook(path: Path) -> Path:
    """What a partner sends: a title above the header, dates as dates, numbers as numbers, and
    some numbers typed as French text."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Synthèse"
    sheet.append(["ANAPEC : réalisations du 2e trimestre 2021"])
    sheet.append([])
    sheet.append(["Indicateur", "Nombre", "Date", "Province", "Observations"])
    sheet.append(["c1.insertion", 1250, date(2021, 6, 30), "Fès", "emplois salariés"])
    sheet.append(["c1.insertion", "20.815", "30/06/2021", "Meknès", None])
    sheet.append(["c1.employabilite", 310.0, datetime(2021, 6, 30), "Taza", None])
    sheet.append([None, None, None, None, None])
    other = book.create_sheet("Notes")
    other.append(["rien"])
    book.save(path)
    return path


def test_french_xlsx(emploi, ledger, tmp_path):
    pytest.importorskip("python_calamine")
    file = french_workbook(tmp_path / "anapec-t2.xlsx")
    args = ["import", str(file), "-l", str(ledger), "--kind", "progress", *MAP,
            "--map", "tag.province=Province", "--map", "note=Observations", "--header-row", "3",
            *FR, "--sheet", "Synthèse"]
    result = emploi(*args, "-f", "json", "--save-profile", "anapec")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["rows"]
    assert [(r["row"], r["value"], r["date"], r["tags"]["province"]) for r in rows] == [
        (4, 1250, "2021-06-30", "Fès"), (5, 20815, "2021-06-30", "Meknès"),
        (6, 310, "2021-06-30", "Taza")]
    assert rows[0]["note"] == "emplois salariés"
    assert achieved(emploi, ledger)["c1.insertion"] == 22065
    again = emploi("import", str(file), "-l", str(ledger), "--profile", "anapec")
    assert again.exit_code == 0
    assert "0 new, 3 already present, 0 refused" in again.stdout


def test_xlsx_ambiguous_text_number_names_row_and_cell(emploi, ledger, tmp_path):
    pytest.importorskip("python_calamine")
    file = french_workbook(tmp_path / "anapec-t2.xlsx")
    before = ledger.read_bytes()
    result = emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP,
                    "--header-row", "3", "--decimal", ",", "--date-format", "%d/%m/%Y")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"emploi: {file} [row 5, column 'Nombre']: error: '20.815' is ambiguous: it has '.', "
        "but the declared decimal mark is ',' and no thousands separator is declared; declare "
        "the file's style (--decimal, --thousands)")
    assert ledger.read_bytes() == before


def test_xlsx_unknown_sheet(emploi, ledger, tmp_path):
    pytest.importorskip("python_calamine")
    file = french_workbook(tmp_path / "anapec-t2.xlsx")
    result = emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP,
                    "--sheet", "Synthese")
    assert result.stderr == (f"emploi: {file}: error: no sheet named 'Synthese' (did you mean "
                             "'Synthèse'?); sheets: Synthèse, Notes\n")


def test_xlsx_without_the_extra(emploi, ledger, tmp_path, monkeypatch):
    file = tmp_path / "t2.xlsx"
    file.write_bytes(b"PK")
    monkeypatch.setitem(__import__("sys").modules, "python_calamine", None)
    result = emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP)
    assert result.exit_code == 1
    assert result.stderr == (f"emploi: {file}: error: reading .xlsx files needs the optional "
                             "reader: pip install 'emploi-cli[xlsx]' (or save the sheet as "
                             "CSV UTF-8)\n")


ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet><table:table table:name="T2">
<table:table-row>{header}</table:table-row>
<table:table-row>{row}</table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"""
ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
 manifest:version="1.2"><manifest:file-entry manifest:full-path="/"
 manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""


def test_ods(emploi, ledger, tmp_path):
    """A minimal OpenDocument sheet written by hand: numbers and dates as typed cells."""
    pytest.importorskip("python_calamine")
    import zipfile

    def text(value: str) -> str:
        return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p>' \
               "</table:table-cell>"

    header = "".join(text(v) for v in ("Indicateur", "Nombre", "Date"))
    row = (text("c1.insertion")
           + '<table:table-cell office:value-type="float" office:value="1250"><text:p>1 250'
           "</text:p></table:table-cell>"
           + '<table:table-cell office:value-type="date" office:date-value="2021-06-30">'
           "<text:p>30/06/2021</text:p></table:table-cell>")
    file = tmp_path / "t2.ods"
    with zipfile.ZipFile(file, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument"
                         ".spreadsheet")
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        archive.writestr("content.xml", ODS_CONTENT.format(header=header, row=row))
    result = emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP)
    assert result.exit_code == 0, result.stderr
    assert achieved(emploi, ledger)["c1.insertion"] == 1250


def test_a_row_without_a_source_cites_its_sheet_and_row(emploi, ledger, tmp_path, ids):
    """Every figure stays traceable: with no source column, an imported entry's source is the
    sheet's file name and the row it came from; a source column wins where it is given."""
    file = csv_file(tmp_path, DRY + "c1.insertion,5,2021-07-31,Fès\n")
    done = emploi("import", str(file), "-l", str(ledger), "--kind", "progress", *MAP)
    assert done.exit_code == 0, done.stderr
    history = emploi("history", "-l", str(ledger), "-f", "json")
    sources = [e["source"] for e in json.loads(history.stdout) if e["kind"] == "progress"]
    assert sources[-3:] == ["t2.csv:2", "t2.csv:3", "t2.csv:4"]
    with_column = csv_file(tmp_path, "Indicateur,Nombre,Date,Rapport\n"
                           "c2.espaces,1,2021-08-31,ANAPEC T3\n", "t3.csv")
    done = emploi("import", str(with_column), "-l", str(ledger), "--kind", "progress", *MAP,
                  "--map", "source=Rapport")
    assert done.exit_code == 0, done.stderr
    history = emploi("history", "-l", str(ledger), "-f", "json")
    assert json.loads(history.stdout)[-1]["source"] == "ANAPEC T3"

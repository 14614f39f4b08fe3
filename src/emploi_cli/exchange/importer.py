"""Importing partners' spreadsheets: reading, mapping columns, parsing declared styles, planning.

`read_sheet` is the only function here that touches a file (CSV with the standard library, XLSX
and ODS with python-calamine when the `xlsx` extra is installed). Everything else is pure:
`parse_rows` turns cells into typed rows under the declared number and date style (never
guessing), and `plan` decides, against the ledger as read under the write lock, which rows are
new, already present or refused, building each new entry with the same builders as `record` and
`disburse` (entries.progress / entries.transaction), so the same rules apply.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

from ..domain import dates, entries
from ..domain import model as m
from ..domain.limits import (
    DECIMAL_MARKS,
    DELIMITERS,
    MAX_COUNT,
    MAX_MONEY,
    MAX_SHEET_BYTES,
    MONEY_PLACES,
    SPACES,
    THOUSANDS_SEPARATORS,
)
from ..store.files import refusing_os_errors

KINDS = ("progress", "transaction")
FIELDS = {
    "progress": ("target", "value", "date", "note", "source", "reference"),
    "transaction": ("convention", "amount", "kind", "funder", "date", "note", "source",
                    "reference"),
}
REQUIRED = {"progress": ("target", "value", "date"),
            "transaction": ("convention", "amount", "date")}
TAG_PREFIX = "tag."
MAX_FILE_BYTES = MAX_SHEET_BYTES
EXTENSIONS = {".csv": "csv", ".txt": "csv", ".xlsx": "sheet", ".xlsm": "sheet",
              ".xls": "sheet", ".xlsb": "sheet", ".ods": "sheet"}
# ---- how to read and map a file ----------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """Declared number and date style of a partner's file."""

    decimal: str = "."
    thousands: str = ""
    date_format: str = "%Y-%m-%d"


@dataclass(frozen=True)
class Reading:
    """How to open the file: CSV delimiter and encoding, sheet name, header row."""

    delimiter: str = ","
    encoding: str = "utf-8"
    sheet: str = ""
    header_row: int = 1


@dataclass(frozen=True)
class Mapping:
    kind: str  # "progress" | "transaction"
    columns: tuple[tuple[str, str], ...]  # (field, column name), sorted by field
    style: Style = field(default_factory=Style)
    reading: Reading = field(default_factory=Reading)

    @property
    def by_field(self) -> dict[str, str]:
        return dict(self.columns)


def parse_map(items: list[str]) -> dict[str, str]:
    """`--map field=Column` options; raises ValueError for a malformed one."""
    found: dict[str, str] = {}
    for item in items:
        key, sep, column = item.partition("=")
        key, column = key.strip(), column.strip()
        if not sep or not key or not column:
            raise ValueError("--map {value} must be FIELD=Column (e.g. value=Nombre)",
                             {"value": repr(item)})
        if key in found:
            raise ValueError("--map names {value} twice", {"value": repr(key)})
        found[key] = column
    return found


def thousands_option(text: str) -> str:
    """`--thousands`: a character, or the words none, space, nbsp (U+00A0), nnbsp (U+202F)."""
    named = {"none": "", "space": " ", "nbsp": "\u00a0", "nnbsp": "\u202f",
             "apostrophe": "'"}
    value = named.get(text.strip().lower(), text)
    if value not in THOUSANDS_SEPARATORS:
        raise ValueError("--thousands {value} must be one of . , ' space nbsp nnbsp none",
                         {"value": repr(text)})
    return value


def delimiter_option(text: str) -> str:
    value = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ","}.get(text.lower(), text)
    if value not in DELIMITERS:
        raise ValueError("--delimiter {value} must be one of , ; | tab", {"value": repr(text)})
    return value


def latest_profile(ledger: m.Ledger, name: str) -> m.ProfileEntry | None:
    """The last non-void profile of that name in the journal (a newer one replaces it)."""
    voided = ledger.voided_ids
    found = [p for p in ledger.entries(m.ProfileEntry) if p.name == name and p.id not in voided]
    return max(found, key=lambda p: p.seq) if found else None


def profile_names(ledger: m.Ledger) -> list[str]:
    voided = ledger.voided_ids
    return sorted({p.name for p in ledger.entries(m.ProfileEntry) if p.id not in voided})


def mapping(*, kind: str | None, maps: dict[str, str], profile: m.ProfileEntry | None = None,
            decimal: str | None = None, thousands: str | None = None,
            date_format: str | None = None, delimiter: str | None = None,
            encoding: str | None = None, sheet: str | None = None,
            header_row: int | None = None) -> Mapping:
    """The mapping in force: the profile's values, overridden by what the command line gives."""
    base_kind = profile.entry_kind if profile else None
    if profile is not None and kind and kind != base_kind:
        raise m.refusal("bad-value", "profile {profile_name} imports {base_kind} entries, not "
                                     "{kind}; leave --kind out or use another profile",
                        entry=profile.id, field="kind",
                        args={"profile_name": repr(profile.name), "base_kind": base_kind,
                              "kind": kind})
    chosen = kind or base_kind
    if chosen is None:
        raise m.refusal("missing", "say what the rows are: --kind progress or --kind "
                        "transaction (or use a saved --profile)", field="kind")
    columns = dict(profile.columns) if profile else {}
    columns.update(maps)
    style = Style(
        decimal if decimal is not None else (profile.decimal if profile else "."),
        thousands if thousands is not None else (profile.thousands if profile else ""),
        date_format if date_format is not None else (
            profile.date_format if profile else "%Y-%m-%d"))
    reading = Reading(
        delimiter if delimiter is not None else (profile.delimiter if profile else ","),
        encoding if encoding is not None else (profile.encoding if profile else "utf-8"),
        sheet if sheet is not None else (profile.sheet if profile else ""),
        header_row if header_row is not None else (profile.header_row if profile else 1))
    result = Mapping(chosen, tuple(sorted(columns.items())), style, reading)
    problems = mapping_problems(result)
    if problems:
        raise m.EmploiError(problems)
    return result


def mapping_problems(mp: Mapping) -> list[m.Problem]:
    """What is wrong with a mapping, all at once."""
    problems = []
    known = FIELDS[mp.kind]
    for name, _column in mp.columns:
        if name.startswith(TAG_PREFIX):
            if mp.kind != "progress":
                problems.append(m.error("bad-map", "tags ({name}) go with progress entries, not "
                                                   "transactions", field=name, args={"name": name}))
            elif not name[len(TAG_PREFIX):].strip():
                problems.append(m.error("bad-map", "{name} needs a tag name, e.g. "
                                                   "tag.province=Province", field=name,
                                        args={"name": repr(name)}))
        elif name not in known:
            hint = entries.did_you_mean(name, list(known))
            fields = ", ".join(known) + (", tag.NAME" if mp.kind == "progress" else "")
            problems.append(m.error("bad-map", "unknown field {name} for {kind} rows{hint}; "
                                    "fields: {fields}", field=name,
                                    args={"name": repr(name), "kind": mp.kind, "hint": hint,
                                          "fields": fields}))
    mapped = dict(mp.columns)
    missing = [f for f in REQUIRED[mp.kind] if f not in mapped]
    if missing:
        problems.append(m.error("bad-map", "{kind} rows need a column for {missing}: --map "
                                           "{missing2}=<column name>",
                                field=missing[0],
                                args={"kind": mp.kind, "missing": ', '.join(missing),
                                      "missing2": missing[0]}))
    s = mp.style
    if s.decimal not in DECIMAL_MARKS:
        problems.append(m.error("bad-style", "decimal mark {decimal} must be '.' or ','",
                                field="decimal", args={"decimal": repr(s.decimal)}))
    if s.thousands not in THOUSANDS_SEPARATORS:
        problems.append(m.error("bad-style", "thousands separator {thousands} is not one of . , "
                                             "' space nbsp nnbsp", field="thousands",
                                args={"thousands": repr(s.thousands)}))
    elif s.thousands and s.thousands == s.decimal:
        problems.append(m.error("bad-style", "the decimal mark and the thousands separator are "
                                             "both {decimal}", field="thousands",
                                args={"decimal": repr(s.decimal)}))
    if "%" not in s.date_format:
        problems.append(m.error("bad-style", "date format {date_format} has no directive (e.g. "
                                             "%d/%m/%Y)", field="date_format",
                                args={"date_format": repr(s.date_format)}))
    r = mp.reading
    if r.delimiter not in DELIMITERS:
        problems.append(m.error("bad-style", "delimiter {delimiter} must be , ; | or tab",
                                field="delimiter", args={"delimiter": repr(r.delimiter)}))
    try:
        "".encode(r.encoding)
    except LookupError:
        problems.append(m.error("bad-style", "unknown encoding {encoding}",
                                field="encoding", args={"encoding": repr(r.encoding)}))
    if r.header_row < 1:
        problems.append(m.error("bad-style", "the header row is 1 or more",
                                field="header_row"))
    return problems


def profile_fields(name: str, mp: Mapping) -> dict:
    """The TOML keys of a `[[profiles]]` entry saving this mapping (defaults left out)."""
    fields: dict = {"name": name, "kind": mp.kind, "columns": dict(mp.columns),
                    "decimal": mp.style.decimal}
    if mp.style.thousands:
        fields["thousands"] = mp.style.thousands
    fields["date_format"] = mp.style.date_format
    r = mp.reading
    if r.delimiter != ",":
        fields["delimiter"] = r.delimiter
    if r.encoding.lower() not in ("utf-8", "utf8"):
        fields["encoding"] = r.encoding
    if r.sheet:
        fields["sheet"] = r.sheet
    if r.header_row != 1:
        fields["header_row"] = r.header_row
    return fields


def same_profile(profile: m.ProfileEntry, mp: Mapping) -> bool:
    return (profile.entry_kind, dict(profile.columns), profile.decimal, profile.thousands,
            profile.date_format, profile.delimiter, profile.encoding, profile.sheet,
            profile.header_row) == (
        mp.kind, dict(mp.columns), mp.style.decimal, mp.style.thousands, mp.style.date_format,
        mp.reading.delimiter, mp.reading.encoding, mp.reading.sheet, mp.reading.header_row)


# ---- reading the file (the one function with I/O) ----------------------------------------


@dataclass(frozen=True)
class Sheet:
    file: str  # as given on the command line
    name: str  # base name, part of each row's digest
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[object, ...]], ...]  # (row number as a spreadsheet shows it)


def read_sheet(path: Path, reading: Reading) -> Sheet:
    """Read a CSV, XLSX or ODS file into a header and numbered rows. Raises EmploiError."""
    file = str(path)
    suffix = path.suffix.lower()
    reader = EXTENSIONS.get(suffix)
    if reader is None:
        raise m.refusal("file-type", "cannot import {suffix}: emploi reads .csv, .xlsx and .ods",
                        place=m.Place(file),
                        args={"suffix": suffix or m.phrase("a file without extension")})
    with refusing_os_errors(file):
        if path.is_dir():
            raise m.refusal("not-a-file", "is a directory", place=m.Place(file))
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise m.refusal("too-large", "file is {size} bytes; emploi imports files up to "
                                         "{MAX_FILE_BYTES} bytes", place=m.Place(file),
                            args={"size": format(size, ','),
                                  "MAX_FILE_BYTES": format(MAX_FILE_BYTES, ',')})
        if reader == "csv":
            table = _csv_rows(path.read_bytes(), reading, file)
        else:
            table = _calamine_rows(path, reading, file, suffix)
    return _sheet(table, reading, file, path.name)


def _csv_rows(data: bytes, reading: Reading, file: str) -> list[list[object]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise m.refusal("encoding", "file is UTF-16; save it as CSV UTF-8",
                        place=m.Place(file, "", 1, 1))
    encoding = "utf-8-sig" if reading.encoding.lower() in ("utf-8", "utf8") else reading.encoding
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise m.refusal(
            "encoding", "byte 0x{data} on line {line} is not {encoding}; save the file as CSV "
                        "UTF-8, or declare its encoding (e.g. --encoding cp1252)",
            place=m.Place(file, "", line),
            args={"data": format(data[exc.start], '02x'), "line": line,
                  "encoding": reading.encoding}) from None
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""),
                                            delimiter=reading.delimiter, strict=True)]
    except csv.Error as exc:
        raise m.refusal("csv", "not readable as CSV: {exc}", place=m.Place(file),
                        args={"exc": exc}) from None


def _calamine_rows(path: Path, reading: Reading, file: str, suffix: str) -> list[list[object]]:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        raise m.refusal("missing-extra", "reading {suffix} files needs the optional reader: "
                        "pip install 'emploi-cli[xlsx]' (or save the sheet as CSV UTF-8)",
                        place=m.Place(file), args={"suffix": suffix}) from None
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        if reading.sheet:
            if reading.sheet not in names:
                raise m.refusal("no-sheet", "no sheet named {sheet}{did_you_mean}; sheets: "
                                            "{names}", place=m.Place(file),
                                args={"sheet": repr(reading.sheet),
                                      "did_you_mean": entries.did_you_mean(reading.sheet, names),
                                      "names": ', '.join(names)})
            sheet = book.get_sheet_by_name(reading.sheet)
        elif names:
            sheet = book.get_sheet_by_index(0)
        else:
            raise m.refusal("no-sheet", "the workbook has no sheet", place=m.Place(file))
        return [list(r) for r in sheet.to_python(skip_empty_area=False)]
    except m.EmploiError:
        raise
    except Exception as exc:  # calamine raises its own error types for unreadable workbooks
        raise m.refusal("unreadable", "not readable as {suffix}: {exc}",
                        place=m.Place(file), args={"suffix": suffix, "exc": exc}) from None


def _sheet(table: list[list[object]], reading: Reading, file: str, name: str) -> Sheet:
    index = reading.header_row - 1
    if index >= len(table):
        raise m.refusal("no-header", "the file has {count} row(s): no header on row {header_row}",
                        place=m.Place(file),
                        args={"count": len(table), "header_row": reading.header_row})
    headers = tuple(_header(cell) for cell in table[index])
    rows = tuple((index + 2 + i, tuple(cells)) for i, cells in enumerate(table[index + 1:]))
    return Sheet(file, name, headers, rows)


def _header(cell: object) -> str:
    text = "" if cell is None else str(cell)
    return " ".join(unicodedata.normalize("NFC", text).split())


# ---- cells -------------------------------------------------------------------------------


class Stop(Exception):
    """Raised by an import's build step to leave `writing.append` without writing anything
    (rows refused, or nothing new); the plan it carries is then reported."""

    def __init__(self, plan: Plan):
        super().__init__("import stopped")
        self.plan = plan


class CellError(Exception):
    """A cell that cannot be read under the declared style: the reason, in one line."""


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def number_text(text: str, style: Style) -> Decimal:
    """A number written as text, read under the declared style, never guessed.

    Refused: any mark that is neither the declared decimal mark nor the declared thousands
    separator (so `20.815` under decimal ',' with no thousands separator is ambiguous), more
    than one decimal mark, and a thousands separator that does not group by three.
    """
    shown = text.strip()
    raw = shown
    negative = raw[:1] in ("-", "\u2212")
    if negative or raw[:1] == "+":
        raw = raw[1:].lstrip()
    dec, sep = style.decimal, style.thousands
    if sep in SPACES:
        for space in SPACES:
            raw = raw.replace(space, " ")
        sep = " "
    for char in raw:
        if (char.isdigit() and char.isascii()) or char == dec or (sep and char == sep):
            continue
        if char in ".,'" or char in SPACES:
            mark = _mark_name(char)
            declared = (m.phrase("the declared thousands separator is {mark}",
                                 mark=_mark_name(sep)) if sep
                        else m.phrase("no thousands separator is declared"))
            raise CellError(m.phrase("{shown} is ambiguous: it has {mark}, but the declared "
                                     "decimal mark is {dec} and {declared}; declare the file's "
                                     "style (--decimal, --thousands)", shown=repr(shown),
                                         mark=mark, dec=repr(dec), declared=declared))
        raise CellError(m.phrase("{shown} is not a number", shown=repr(shown)))
    if raw.count(dec) > 1:
        raise CellError(m.phrase("{shown} has more than one decimal mark {dec}",
                                 shown=repr(shown), dec=repr(dec)))
    whole, has_point, fraction = raw.partition(dec)
    if has_point and not fraction:
        raise CellError(m.phrase("{shown} has no digit after the decimal mark", shown=repr(shown)))
    if sep and sep in fraction:
        raise CellError(m.phrase("{shown} has a thousands separator after the decimal mark",
                                 shown=repr(shown)))
    if sep and sep in whole:
        groups = whole.split(sep)
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            raise CellError(m.phrase("{shown}: the thousands separator {mark_name} does not "
                                     "group the digits by three", shown=repr(shown),
                                         mark_name=_mark_name(sep)))
        whole = "".join(groups)
    if not whole and not fraction:
        raise CellError(m.phrase("{shown} is not a number", shown=repr(shown)))
    try:
        value = Decimal(f"{whole or '0'}.{fraction}" if has_point else whole)
    except InvalidOperation:
        raise CellError(m.phrase("{shown} is not a number", shown=repr(shown))) from None
    return -value if negative else value


def _mark_name(mark: str) -> str:
    return {" ": m.phrase("a space"), "\u00a0": m.phrase("a no-break space"),
            "\u202f": m.phrase("a narrow no-break space")}.get(mark, repr(mark))


_COUNT_DIGITS = len(str(MAX_COUNT))


def _refuse_long(text: str) -> None:
    """A cell of more digits than any count has: refused before Python makes an int of it (it
    makes none of more than 4,300 digits from text), shown by its start and length."""
    if len(text.lstrip("0")) > _COUNT_DIGITS or not text.isdigit():
        raise CellError(m.phrase("{start}... ({length} characters) is beyond any plausible "
                                 "count", start=text[:12], length=len(text)))


def count_cell(cell: object, style: Style) -> int:
    """A whole number: a numeric cell without fraction, or text without a decimal mark."""
    if type(cell) is str and cell.isdigit() and cell.isascii():  # the usual cell: 0-9 only
        if len(cell) > _COUNT_DIGITS:
            _refuse_long(cell)
        value = int(cell)
        if value > MAX_COUNT:
            raise CellError(m.phrase("{value} is beyond any plausible count", value=value))
        return value
    if isinstance(cell, bool | date | datetime):
        raise CellError(m.phrase("{shown} is not a whole number", shown=_shown(cell)))
    if isinstance(cell, int):
        value = cell
    elif isinstance(cell, float):
        if cell != cell or cell in (float("inf"), float("-inf")):
            raise CellError(m.phrase("{cell} is not a number", cell=repr(cell)))
        if not cell.is_integer():
            raise CellError(m.phrase("{float_text} has a fractional part; a count is a whole "
                                     "number", float_text=_float_text(cell)))
        value = int(cell)
    elif isinstance(cell, str):
        number = number_text(cell, style)
        if style.decimal in cell:
            raise CellError(m.phrase("{strip} has a decimal mark {decimal}; a count is a whole "
                                     "number (if the mark groups thousands, declare --thousands "
                                     "and the right --decimal)", strip=repr(cell.strip()),
                                         decimal=repr(style.decimal)))
        if number.adjusted() >= _COUNT_DIGITS:  # more digits than any count: never int()
            _refuse_long(cell.strip())
        value = int(number)
    else:
        raise CellError(m.phrase("{shown} is not a number", shown=_shown(cell)))
    if value < 0:
        raise CellError(m.phrase("{shown} is negative; a count is zero or more",
                                 shown=_shown(cell)))
    if value > MAX_COUNT:
        raise CellError(m.phrase("{value} is beyond any plausible count", value=value))
    return value


def money_cell(cell: object, style: Style) -> Decimal:
    """An amount in MDH: a numeric cell, or text under the declared style; to the dirham."""
    if isinstance(cell, bool | date | datetime):
        raise CellError(m.phrase("{shown} is not an amount", shown=_shown(cell)))
    if isinstance(cell, int):
        value = Decimal(cell)
    elif isinstance(cell, float):
        if cell != cell or cell in (float("inf"), float("-inf")):
            raise CellError(m.phrase("{cell} is not an amount", cell=repr(cell)))
        value = Decimal(repr(cell))
    elif isinstance(cell, str):
        value = number_text(cell, style)
    else:
        raise CellError(m.phrase("{shown} is not an amount", shown=_shown(cell)))
    if value <= 0:
        raise CellError(m.phrase("{shown} is not a positive amount", shown=_shown(cell)))
    if value > MAX_MONEY:
        raise CellError(m.phrase("{shown} MDH is beyond any plausible amount", shown=_shown(cell)))
    if value.as_tuple().exponent < -MONEY_PLACES:  # type: ignore[operator]
        raise CellError(m.phrase("{shown} is finer than one dirham ({MONEY_PLACES} decimals in "
                                 "MDH)", shown=_shown(cell), MONEY_PLACES=MONEY_PLACES))
    return value


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def date_cell(cell: object, style: Style) -> date:
    if isinstance(cell, str):
        text = cell.strip()
        try:
            if style.date_format == "%Y-%m-%d" and _ISO_DAY.fullmatch(text):
                return date.fromisoformat(text)  # what strptime gives, ten times faster
            return datetime.strptime(text, style.date_format).date()
        except ValueError:
            reason = dates.why_not(text, style.date_format)
            if reason:
                raise CellError(m.phrase("{text} is not a date: {reason}", text=repr(text),
                                         reason=reason)) from None
            raise CellError(m.phrase("{text} is not a date in the declared format {date_format} "
                                     "(--date-format)", text=repr(text),
                                     date_format=style.date_format)) from None
    if isinstance(cell, datetime):
        if cell.time() != datetime.min.time():
            raise CellError(m.phrase("{cell} has a time of day; expected a date",
                                     cell=cell.isoformat(sep=' ')))
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        raise CellError(m.phrase("{shown} is a number, not a date (format the column as dates, "
                                 "or as text in the declared --date-format)", shown=_shown(cell)))
    raise CellError(m.phrase("{shown} is not a date", shown=_shown(cell)))


def text_cell(cell: object) -> str:
    if type(cell) is str:
        return " ".join(cell.split())
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        return _float_text(cell)
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ")
    if isinstance(cell, date):
        return cell.isoformat()
    return " ".join(str(cell).split())


def _float_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _shown(cell: object) -> str:
    return repr(cell.strip()) if isinstance(cell, str) else text_cell(cell)


# ---- rows --------------------------------------------------------------------------------


class Row(NamedTuple):
    """One data row of the file, parsed, or refused with the reason and the cell named."""

    number: int
    values: dict  # typed fields: target/value/... or convention/amount/...
    key: str = ""
    problems: tuple[m.Problem, ...] = ()

    @property
    def refused(self) -> bool:
        return bool(self.problems)


def _place(file: str, row: int, column: str = "") -> m.Place:
    path = f"row {row}, column {column!r}" if column else f"row {row}"
    return m.Place(file, path)


def _row_error(file: str, row: int, column: str, template: str, code: str = "bad-cell", *,
               field: str = "", **values: object) -> m.Problem:
    """A refusal; its place names the row and, when known, the column (the cell); its field
    is the entry's field the column maps to."""
    return m.error(code, template, _place(file, row, column), field=field, args=values)


def columns_problems(sheet: Sheet, mp: Mapping) -> list[m.Problem]:
    """Every mapped column must be in the header exactly once."""
    problems = []
    headers = list(sheet.headers)
    for name, column in mp.columns:
        wanted = _header(column)
        found = headers.count(wanted)
        if found == 1:
            continue
        if found > 1:
            problems.append(m.error("bad-map", "column {column} (for {name}) appears {count} "
                                               "times in the header row {header_row}",
                                    m.Place(sheet.file), field=name,
                                    args={"column": repr(column), "name": name, "count": found,
                                          "header_row": mp.reading.header_row}))
            continue
        shown = [h for h in headers if h]
        hint = entries.did_you_mean(wanted, shown)
        if len(shown) == 1 and any(d in shown[0] for d in DELIMITERS if d != mp.reading.delimiter):
            hint = m.phrase("{hint} (the header is one cell: is the delimiter right? "
                            "--delimiter ';')", hint=hint)
        problems.append(m.error(
            "bad-map", "no column {column} (for {name}) in the header row {header_row}{hint}; "
            "columns: {items}", m.Place(sheet.file), field=name,
            args={"column": repr(column), "name": name, "header_row": mp.reading.header_row,
                  "hint": hint, "items": ", ".join(repr(h) for h in shown) or m.phrase("none")}))
    return problems


def parse_rows(sheet: Sheet, mp: Mapping) -> list[Row]:
    """Typed rows from the sheet (blank rows left out); cell problems refuse their row."""
    problems = columns_problems(sheet, mp)
    if problems:
        raise m.EmploiError(problems)
    index = {name: sheet.headers.index(_header(column)) for name, column in mp.columns}
    index = {name: index[name] for name in sorted(index, key=_field_order)}  # fields in order
    rows: list[Row] = []
    fields = _row_fields(index, mp)
    for number, cells in sheet.rows:
        if _blank_row(cells):
            continue
        rows.append(_parse_row(sheet.file, number, cells, fields, mp))
    return _with_keys(rows, sheet.name, mp.kind)


def _blank_row(cells: tuple[object, ...]) -> bool:
    try:  # a CSV row: text only
        return not "".join(cells).strip()  # type: ignore[arg-type]
    except TypeError:
        return all(_blank(c) for c in cells)


def _row_fields(index: dict[str, int], mp: Mapping) -> list[tuple[str, int, str, bool]]:
    """For each field, in _field_order: its name, the index of its cell, its column's name,
    and whether an empty cell refuses the row."""
    columns = mp.by_field
    required = REQUIRED[mp.kind]
    return [(name, at, columns[name], name in required or name == "reference")
            for name, at in index.items()]


def _parse_row(file: str, number: int, cells: tuple[object, ...],
               fields: list[tuple[str, int, str, bool]], mp: Mapping) -> Row:
    values: dict = {}
    problems: list[m.Problem] = []
    size = len(cells)
    for name, at, column, needed in fields:  # in _field_order
        raw = cells[at] if at < size else None
        if raw is None or (isinstance(raw, str) and not raw.strip()):  # a blank cell
            if needed:
                problems.append(_row_error(file, number, column, "{name} is empty", "empty",
                                           name=name,
                                           field=name))
            continue
        try:
            if name == "value":
                values[name] = count_cell(raw, mp.style)
            elif name == "amount":
                values[name] = money_cell(raw, mp.style)
            elif name == "date":
                values[name] = date_cell(raw, mp.style)
            elif name == "kind":
                kind = text_cell(raw).lower()
                if kind not in m.TRANSACTION_KINDS:
                    raise CellError(m.phrase("{text} is not a transaction kind ({kinds})",
                                             text=repr(text_cell(raw)),
                                             kinds=", ".join(m.TRANSACTION_KINDS)))
                values[name] = kind
            elif name.startswith(TAG_PREFIX):
                values.setdefault("tags", {})[name[len(TAG_PREFIX):].strip()] = text_cell(raw)
            else:
                values[name] = text_cell(raw)
        except CellError as exc:
            problems.append(_row_error(file, number, column, "{reason}", field=name,
                                       reason=exc.args[0]))
    if mp.kind == "transaction":
        values.setdefault("kind", "disbursement")
    if "tags" in values:
        values["tags"] = tuple(sorted(values["tags"].items()))
    return Row(number, values, "", tuple(problems))


def _field_order(name: str) -> tuple[int, str]:
    order = ("target", "convention", "value", "amount", "kind", "funder", "date", "note",
             "source", "reference")
    return (order.index(name) if name in order else len(order), name)


FIGURES = {"progress": ("target", "value", "date", "tags"),
           "transaction": ("convention", "amount", "kind", "funder", "date")}


def figures(kind: str, values: dict) -> dict:
    """The identifying figures of a row (free text such as note and source left out)."""
    out = {"kind": kind}
    for name in FIGURES[kind]:
        value = values.get(name)
        if isinstance(value, Decimal):
            value = format(value.normalize(), "f")
        elif isinstance(value, date):
            value = value.isoformat()
        elif name == "tags":
            value = [list(pair) for pair in value or ()]
        out[name] = value if value is not None else ""
    return out


def digest_key(file_name: str, kind: str, values: dict, occurrence: int) -> str:
    canonical = json.dumps(figures(kind, values), sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    text = f"{file_name}\n{canonical}\n{occurrence}"
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _with_keys(rows: list[Row], file_name: str, kind: str) -> list[Row]:
    """Each row's import key: its reference, else a digest of its figures, the file's base
    name and its occurrence among rows with the same figures (so true repeats stay two rows)."""
    seen_refs: dict[str, int] = {}
    occurrences: dict[str, int] = {}
    keyed = []
    for row in rows:
        if row.refused:
            keyed.append(row)
            continue
        reference = row.values.get("reference", "")
        if reference:
            if reference in seen_refs:
                problem = m.error("duplicate-reference", "reference {reference} is also on row "
                                                         "{row}", _place("", row.number),
                                  field="reference",
                                  args={"reference": repr(reference), "row": seen_refs[reference]})
                keyed.append(row._replace(problems=(problem,)))
                continue
            seen_refs[reference] = row.number
            keyed.append(Row(row.number, row.values, reference))
            continue
        canonical = json.dumps(figures(kind, row.values), sort_keys=True)
        occurrences[canonical] = occurrences.get(canonical, 0) + 1
        keyed.append(Row(row.number, row.values, digest_key(file_name, kind, row.values,
                                                             occurrences[canonical])))
    return keyed


# ---- the plan: what the import would add ------------------------------------------------


class Outcome(NamedTuple):
    """What the import does with one row."""

    row: int
    status: str  # "new" | "present" | "refused"
    key: str
    values: dict
    entry: dict | None = None  # the fields written, for new rows
    present_as: str = ""  # id of the entry already holding this key
    problems: tuple[m.Problem, ...] = ()
    warnings: tuple[m.Problem, ...] = ()


@dataclass(frozen=True)
class Plan:
    file: str
    kind: str
    outcomes: tuple[Outcome, ...]
    profile: tuple[str, dict] | None = None  # ("profile", fields) to save with the import
    profile_name: str = ""
    profile_note: str = ""  # i18n key: profile_saved, profile_would_save, profile_unchanged

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def refused(self) -> bool:
        return self.count("refused") > 0

    @property
    def entries(self) -> list[tuple[str, dict]]:
        found = [(self.kind, o.entry) for o in self.outcomes if o.entry is not None]
        return ([self.profile] if self.profile else []) + found  # type: ignore[list-item]

    @property
    def problems(self) -> list[m.Problem]:
        return [p for o in self.outcomes for p in o.problems]

    @property
    def warnings(self) -> list[m.Problem]:
        return [w for o in self.outcomes for w in o.warnings]


def present_keys(ledger: m.Ledger, kind: str) -> dict[str, m.JournalEntry]:
    """import_key -> entry, over entries of that kind, void ones included (a void entry is
    still "present": re-importing the file must not bring back what was voided)."""
    cls = m.ProgressEntry if kind == "progress" else m.TransactionEntry
    return {e.import_key: e for e in ledger.entries(cls) if e.import_key}


def plan(ledger: m.Ledger, file: str, kind: str, rows: list[Row], *, today: date,
         stamp: entries.Stamp, columns: dict[str, str] | None = None,
         profile: tuple[str, dict] | None = None, profile_name: str = "",
         profile_note: str = "", strict: bool = False) -> Plan:
    """Decide each row against the ledger as it is now; build the new entries.

    `columns` (field -> column name) lets a refusal by the entry builders name its cell.
    A progress row whose value looks like a slip (entries.Plausibility, counted with the rows
    before it) is warned about, or refused when `strict`."""
    columns = columns or {}
    totals = entries.Plausibility(ledger) if kind == "progress" else None
    present = present_keys(ledger, kind)
    used_ids = {e.id for e in ledger.journal}
    if profile is not None:
        used_ids.add(profile[1]["id"])
    outcomes = []
    name = Path(file).name
    for row in rows:
        if row.refused:
            outcomes.append(Outcome(row.number, "refused", row.key, row.values,
                                    problems=tuple(_in_file(p, file) for p in row.problems)))
            continue
        if row.key in present:
            existing = present[row.key]
            warnings = _differs(file, row, existing, kind)
            outcomes.append(Outcome(row.number, "present", row.key, row.values,
                                    present_as=existing.id, warnings=warnings))
            continue
        entry_id = _fresh_id(used_ids)
        try:
            fields, warnings = _build(ledger, kind, row, today, stamp, entry_id, totals,
                                      strict, f"{name}:{row.number}")
        except m.EmploiError as exc:
            problems = tuple(p._replace(place=_place(file, row.number, columns.get(p.field, "")))
                             for p in exc.problems)
            outcomes.append(Outcome(row.number, "refused", row.key, row.values,
                                    problems=problems))
            continue
        used_ids.add(entry_id)
        outcomes.append(Outcome(row.number, "new", row.key, row.values, entry=fields,
                                warnings=tuple(_row_warning(file, row.number, w)
                                               for w in warnings)))
    return Plan(file, kind, tuple(outcomes), profile, profile_name, profile_note)


def _in_file(problem: m.Problem, file: str) -> m.Problem:
    return problem._replace(place=problem.place._replace(file=file))


def _row_warning(file: str, row: int, problem: m.Problem) -> m.Problem:
    return problem._replace(place=_place(file, row))


def _fresh_id(used: set[str]) -> str:
    while True:
        ident = entries.new_id()
        if ident not in used:
            return ident


def _build(ledger: m.Ledger, kind: str, row: Row, today: date, stamp: entries.Stamp,
           entry_id: str, totals: entries.Plausibility | None = None, strict: bool = False,
           cell: str = "") -> tuple[dict, list[m.Problem]]:
    """The entry of one row. Its source is the sheet's source column, else the sheet and
    row it came from (`anapec-t2.csv:3`): every figure imported stays traceable."""
    v = row.values
    if kind == "progress":
        return entries.progress(
            ledger, target=v["target"], value=v["value"], day=v["date"], today=today,
            stamp=stamp, note=v.get("note", ""), source=v.get("source") or cell,
            tags=v.get("tags", ()), import_key=row.key, entry_id=entry_id,
            plausibility=totals, strict=strict)
    return entries.transaction(
        ledger, convention=v["convention"], amount=v["amount"], kind=v["kind"], day=v["date"],
        today=today, stamp=stamp, funder=v.get("funder", ""), note=v.get("note", ""),
        source=v.get("source") or cell, import_key=row.key, entry_id=entry_id)


def _differs(file: str, row: Row, existing: m.JournalEntry, kind: str) -> tuple[m.Problem, ...]:
    """A reference already imported, but the partner's figures changed since."""
    v = row.values
    if isinstance(existing, m.ProgressEntry):
        theirs = {"target": existing.target, "value": existing.value, "date": existing.date,
                  "tags": existing.tags}
        ours = {"target": v["target"], "value": v["value"], "date": v["date"],
                "tags": v.get("tags", ())}
    elif isinstance(existing, m.TransactionEntry):
        theirs = {"convention": existing.convention, "amount": existing.amount,
                  "kind": existing.transaction_kind, "funder": existing.funder,
                  "date": existing.date}
        ours = {"convention": v["convention"], "amount": v["amount"], "kind": v["kind"],
                "funder": v.get("funder", ""), "date": v["date"]}
    else:
        return ()
    changed = [f"{k} {_plain(theirs[k])} there, {_plain(ours[k])} here" for k in theirs
               if theirs[k] != ours[k]]
    if not changed:
        return ()
    return (m.warning("changed-since-import", "{key} is already in the ledger as entry "
                                              "{existing_id} with other figures ({changed}); "
                                              "nothing is imported for this row: void "
                                              "{existing_id} and import again to take the new "
                                              "figures",
                      _place(file, row.number), entry=existing.id,
                      args={"key": repr(row.key), "existing_id": existing.id,
                            "changed": '; '.join(changed)}),)


def _plain(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ";".join(f"{k}={v}" for k, v in value) or "(no tags)"
    return str(value) if value != "" else "(none)"


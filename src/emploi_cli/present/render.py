"""Output formats. One function per format, all fed by the same `Report`; `chunks` dispatches
(`render` joins its pieces).

table: rich on a terminal (imported only then), plain aligned text elsewhere.
json: `Report.data` with exact decimals. csv: `Report.csv`, RFC 4180, formulas neutralised.
md: GitHub tables of `Report.sections`. Ledger text is never interpreted in any of them.
json, csv and md are made in pieces as the rows are read: a Report whose rows are an iterator
(history) is written without a list of its rows, and can be rendered once only.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from typing import NamedTuple

from ..domain.model import money_text
from . import i18n

FORMATS = ("table", "json", "csv", "md", "csv-fr")
NUMERIC = ("int", "money", "percent")
BARS = ("bar", "pace_bar")  # drawn on a terminal only; plain text and md leave them out
_NO_VALUES: Mapping[str, object] = MappingProxyType({})


class Column(NamedTuple):
    """One column of a table: its key, heading and how it is shown."""

    key: str
    kind: str = "text"  # text, int, money, percent, bool, date, datetime, tags, bar,
    # label (the value is an i18n key), entry_kind (a journal entry's kind, worded for
    # people; csv and json keep the key), pace_bar (the value is a PaceBar)
    label: str = ""  # i18n key; defaults to `key`
    styles: tuple[tuple[str, str], ...] = ()  # terminal only: cell value (or bar state) -> style
    drop: int = 0  # terminal only: when the table is too wide, the column with the highest
    # `drop` is given up first; 0: never given up (what a row means: its id, its figure, a void
    # or estimated mark). When even those do not fit, each row is folded into a block.
    heading: str = ""  # a heading from the ledger (a tag's name), shown as written, not an
    # i18n key; "" for `label`'s


def heading(column: Column, lang: str) -> str:
    """A column's heading as people read it."""
    return safe(column.heading) if column.heading else i18n.label(column.label or column.key,
                                                                   lang)


class PaceBar(NamedTuple):
    """A progress bar with an "expected" marker; both in % of the target (None: unknown)."""

    progress: Decimal | None
    expected: Decimal | None
    state: str = ""  # looked up in the column's `styles` for the bar's colour


class Table(NamedTuple):
    """Rows under columns, with a title."""

    name: str  # i18n key of the section title ("" for none)
    columns: tuple[Column, ...]
    rows: tuple[dict, ...]  # or an iterator of dicts made as they are read (history)
    title_values: Mapping[str, object] = _NO_VALUES  # the fields of the title (read only)


class Report(NamedTuple):
    """What a command prints: data for json and tables for the other formats."""

    data: object  # what json prints (an iterator: a list written item by item)
    csv: Table  # what csv prints: one row per record
    sections: tuple[Table, ...]  # what table and md print
    notes: tuple[str, ...] = ()  # human lines under the tables (already in the right language)


# ---- values ------------------------------------------------------------------------------


decimal_text = money_text


def machine_text(value: object, kind: str) -> str:
    """A cell as csv writes it: locale-free, exact; empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if kind == "tags":
        return ";".join(f"{k}={v}" for k, v in value)  # type: ignore[attr-defined]
    return str(value)


def human_text(value: object, kind: str, lang: str) -> str:
    """A cell as people read it, in their language; control characters made visible."""
    if kind == "bar":
        return str(value or "")
    if kind == "pace_bar":
        return pace_bar_text(value) if isinstance(value, PaceBar) else ""
    if value is None:
        return "—" if kind in NUMERIC else ""
    if isinstance(value, bool):
        return i18n.label("yes" if value else "no", lang)
    if kind == "money" and isinstance(value, Decimal):
        return i18n.money(value, lang)
    if kind == "percent" and isinstance(value, Decimal):
        return i18n.percent(value, lang)
    if kind == "int" and isinstance(value, int):
        return i18n.number(value, lang)
    if kind == "label" and isinstance(value, str):
        return safe(i18n.label(value, lang))
    if kind == "entry_kind" and isinstance(value, str):
        return safe(i18n.entry_kind(value, lang))
    return safe(machine_text(value, kind))


@cache
def _control() -> re.Pattern:
    """The characters `safe` makes visible, compiled when first wanted (start-up time)."""
    return re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    """Make control characters visible: C0 as their Unicode pictures, the rest as U+FFFD."""
    return _control().sub(_picture, text)


def _picture(found: re.Match) -> str:
    code = ord(found.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def width(text: str) -> int:
    """The cells `text` takes on a terminal: wide characters two, combining marks none."""
    if text.isascii():  # one cell each: what the loop below gives, without unicodedata
        return len(text)
    import unicodedata

    total = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


# ---- formats -----------------------------------------------------------------------------


def to_json(value: object, indent: int = 2, ascii_only: bool = False) -> str:
    """JSON with exact decimals written as numbers (406.80 stays 406.80), as
    `json.dumps(value, indent=indent)` lays it out."""
    return "".join(json_chunks(value, indent, ascii_only))


def json_chunks(value: object, indent: int = 2, ascii_only: bool = False, batch: int = 1000):
    """`to_json` in pieces: an iterator, the value itself or one of a dict's values, is
    written as a list as it is read, `batch` items at a time (the same text as a list)."""
    from json.encoder import encode_basestring, encode_basestring_ascii

    writer = _JsonWriter(indent, ascii_only,
                         encode_basestring_ascii if ascii_only else encode_basestring)
    for _ in writer.stream(value, 0, batch):
        yield "".join(writer.out)
        writer.out.clear()
    yield "".join(writer.out) + "\n"


class _JsonWriter:
    """The text of `json.dumps(value, indent=...)`, made by C functions where it can be: the
    string encoder, `int.__repr__`, and for a dict one format per shape (its keys and depth),
    filled with the text of its values (the standard library's indented encoder is written in
    Python, a generator per level: several times slower on 40,000 rows)."""

    def __init__(self, indent: int, ascii_only: bool, string: Callable[[str], str]):
        self.indent, self.ascii_only, self.string = indent, ascii_only, string
        self.out: list[str] = []
        self.pads: dict[int, str] = {}
        self.shapes: dict[tuple, str] = {}  # (keys, level) -> the dict's text, %s per value
        self.levels: dict[int, dict] = {}  # level -> exact type -> text of a value there

    def pad(self, level: int) -> str:
        found = self.pads.get(level)
        if found is None:
            found = self.pads[level] = "\n" + " " * (self.indent * level)
        return found

    def stream(self, value: object, level: int, batch: int):
        """Write `value`; yield (having written a part) while an iterator in it is read."""
        from collections.abc import Iterator

        out = self.out
        if isinstance(value, Iterator):
            opening, inner = "[", self.pad(level + 1)
            for count, item in enumerate(value, 1):
                out.append(opening + inner)
                opening = ","
                self.write(item, level + 1)
                if not count % batch:
                    yield
            out.append("[]" if opening == "[" else self.pad(level) + "]")
        elif isinstance(value, dict) and value and any(
                isinstance(v, Iterator) for v in value.values()):
            opening, inner = "{", self.pad(level + 1)
            for key, item in value.items():
                out.append(f"{opening}{inner}{self.string(str(key))}: ")
                opening = ","
                yield from self.stream(item, level + 1, batch)
            out.append(self.pad(level) + "}")
        else:
            self.write(value, level)

    def write(self, value: object, level: int) -> None:
        self.out.append(self.text(value, level))

    def text(self, value: object, level: int) -> str:
        found = self.writers(level).get(type(value))
        return found(value) if found is not None else self._other(value, level)

    def writers(self, level: int) -> dict:
        """The text of a value at this depth, by its exact type: C functions for the plain
        values; other types (subclasses, floats) are not in it."""
        found = self.levels.get(level)
        if found is None:
            string = self.string
            found = self.levels[level] = {
                str: string, type(None): "null".format, bool: ("false", "true").__getitem__,
                int: int.__repr__, Decimal: decimal_text,
                date: lambda v: string(v.isoformat()),
                datetime: lambda v: string(machine_text(v, "datetime")),
                dict: lambda v: self._dict(v, level), list: lambda v: self._list(v, level),
                tuple: lambda v: self._list(v, level)}
        return found

    def _cells(self, values, level: int) -> list[str]:
        writers = self.writers(level)
        try:
            return [writers[type(v)](v) for v in values]
        except KeyError:  # a value of another type: each by `text`
            return [self.text(v, level) for v in values]

    def _dict(self, value: dict, level: int) -> str:
        if not value:
            return "{}"
        shape = (tuple(value), level)
        form = self.shapes.get(shape)
        if form is None:
            inner, string = self.pad(level + 1), self.string
            form = "{" + ",".join([f"{inner}{string(str(k)).replace('%', '%%')}: %s"
                                   for k in value]) + self.pad(level) + "}"
            # the shapes of a report are a few; keys other than text are not kept (1 and
            # True are one key of a dict of shapes, but json writes them apart)
            if len(self.shapes) < 1000 and all(type(k) is str for k in value):
                self.shapes[shape] = form
        return form % tuple(self._cells(value.values(), level + 1))

    def _list(self, value: list | tuple, level: int) -> str:
        if not value:
            return "[]"
        inner = self.pad(level + 1)
        return ("[" + inner + ("," + inner).join(self._cells(value, level + 1))
                + self.pad(level) + "]")

    def _other(self, value: object, level: int) -> str:
        """A value of a type that is not exactly one of `writers`'."""
        if isinstance(value, Decimal):
            return decimal_text(value)
        if isinstance(value, datetime):
            return self.string(machine_text(value, "datetime"))
        if isinstance(value, date):
            return self.string(value.isoformat())
        if isinstance(value, dict):
            return self._dict(value, level)
        if isinstance(value, list | tuple):
            return self._list(value, level)
        # a str or int subclass (an enum), a float: as json writes it
        import json

        return json.dumps(value, ensure_ascii=self.ascii_only)


_FORMULA = ("=", "+", "-", "@", "\t", "\r")
# A cell that starts with a quote gets one more, so that removing one leading quote always
# gives the text back (the neutralisation can be undone).
_NEUTRALISE = (*_FORMULA, "'")


def to_csv(report: Report, lang: str = "en") -> str:
    return "".join(csv_chunks(report, lang))


def csv_chunks(report: Report, lang: str = "en", batch: int = 1000, french: bool = False):
    """`to_csv` in pieces: the header, then blocks of `batch` rows, written as the rows are
    read, a column at a time. `french` (-f csv-fr): the same cells for French spreadsheets,
    which expect `;` between cells, a UTF-8 byte order mark and decimal commas."""
    from itertools import islice

    table = report.csv
    delimiter = ";" if french else ","
    yield ("\ufeff" if french else "") + _csv_lines([[c.key] for c in table.columns],
                                                   delimiter)
    rows = iter(table.rows)
    while block := list(islice(rows, batch)):
        columns = [_csv_cells([row.get(c.key) for row in block], c.kind) for c in table.columns]
        if french:
            columns = [[cell.replace(".", ",") for cell in cells] if c.kind in NUMERIC
                       else cells for cells, c in zip(columns, table.columns, strict=True)]
        yield _csv_lines(columns, delimiter)


def _csv_cells(values: list, kind: str) -> list[str]:
    """The cells of a column of this kind: `machine_text`, formulas neutralised. The common
    types are written here as machine_text writes them, without its tests (100,000 rows)."""
    if kind == "datetime":
        cells = [v.isoformat().replace("+00:00", "Z") if type(v) is datetime
                 else machine_text(v, kind) for v in values]
    elif kind == "tags":
        cells = [";".join([f"{k}={v}" for k, v in t]) if type(t) is tuple
                 else machine_text(t, kind) for t in values]
    else:
        cells = [v if type(v) is str else "" if v is None else str(v) if type(v) is int
                 else v.isoformat() if type(v) is date else machine_text(v, kind)
                 for v in values]
    if kind in NUMERIC:
        return cells
    return ["'" + t if t.startswith(_NEUTRALISE) else t for t in cells]


@cache
def _csv_quote(delimiter: str) -> re.Pattern:
    """The characters that make a cell quoted."""
    return re.compile(f'[{delimiter}"\r\n]')


def _csv_lines(columns: list[list[str]], delimiter: str = ",") -> str:
    """Rows given as columns of cells, written as `csv.writer(lineterminator="\\r\\n")` writes
    them (tests/test_streaming.py compares the two): a cell holding a comma, a quote, CR or LF
    is quoted, its quotes doubled; a row of one empty cell is `""`. A column is searched once
    when no cell of it needs quotes, the common case."""
    quote = _csv_quote(delimiter)
    for index, cells in enumerate(columns):
        if quote.search("".join(cells)):
            columns[index] = ['"' + t.replace('"', '""') + '"' if quote.search(t) else t
                              for t in cells]
    lines = [delimiter.join(row) for row in zip(*columns, strict=True)]
    if len(columns) == 1:
        lines = [line or '""' for line in lines]
    return "".join([line + "\r\n" for line in lines])


@cache
def _md_special() -> re.Pattern:
    return re.compile(r"([\\`*_\[\]|~])")


_HTML_IN_MD = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def md_cell(text: str, numeric: bool = False) -> str:
    """Ledger text as one Markdown table cell: Markdown characters backslash-escaped, HTML
    characters as entities (no renderer can read a tag), one line, formulas neutralised."""
    text = safe(text.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))
    if text.startswith(_FORMULA) and not numeric:  # a negative number stays -5
        text = "'" + text
    return _md_special().sub(r"\\\1", text).translate(_HTML_IN_MD)


def to_md(report: Report, lang: str) -> str:
    return "".join(md_chunks(report, lang))


def md_chunks(report: Report, lang: str):
    """`to_md` in pieces, a row at a time; parts (titles, tables, notes) apart by a blank
    line."""
    gap = ""
    for table in report.sections:
        columns = [c for c in table.columns if c.kind not in BARS]
        if table.name:
            yield f"{gap}## {md_cell(i18n.label(table.name, lang, **table.title_values))}\n"
            gap = "\n"
        header = [md_cell(heading(c, lang)) for c in columns]
        align = ["---:" if c.kind in NUMERIC else "---" for c in columns]
        yield f"{gap}| {' | '.join(header)} |\n| {' | '.join(align)} |\n"
        gap = "\n"
        for row in table.rows:
            yield "| " + " | ".join(
                md_cell(human_text(row.get(c.key), c.kind, lang), c.kind in NUMERIC)
                for c in columns) + " |\n"
    for note in report.notes:
        yield f"{gap}{md_cell(note)}\n"
        gap = "\n"


def to_plain(report: Report, lang: str) -> str:
    """Aligned text, no colour, no wrapping, no box characters: for pipes and files."""
    parts = []
    for table in map(_whole, report.sections):
        columns = [c for c in table.columns if c.kind not in BARS]
        header = [safe(heading(c, lang)) for c in columns]
        body = [[human_text(row.get(c.key), c.kind, lang) for c in columns]
                for row in table.rows]
        widths = [max([width(h)] + [width(r[i]) for r in body]) for i, h in enumerate(header)]
        lines = []
        if table.name:
            lines.append(safe(i18n.label(table.name, lang, **table.title_values)))
        for cells in [header, *body]:
            padded = []
            for i, (cell, column) in enumerate(zip(cells, columns, strict=True)):
                gap = " " * (widths[i] - width(cell))
                padded.append(gap + cell if column.kind in NUMERIC else cell + gap)
            lines.append("  ".join(padded).rstrip())
        parts.append("\n".join(lines) + "\n")
    parts += [safe(note) + "\n" for note in report.notes]
    return "\n".join(parts)


def to_rich(report: Report, lang: str, console_width: int | None = None) -> str:
    """Coloured tables for a terminal, drawn by rich; every cell is plain Text (no markup)."""
    from rich.box import SIMPLE_HEAD
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    console = Console(file=io.StringIO(), force_terminal=True, width=console_width,
                      emoji=False, markup=False, highlight=False)
    for table in map(_whole, report.sections):
        title = i18n.label(table.name, lang, **table.title_values) if table.name else None
        grid = RichTable(title=Text(safe(title)) if title else None, title_justify="left",
                         header_style="bold", box=SIMPLE_HEAD, pad_edge=False)
        columns = fit_columns(table, lang, console.width)
        if columns is None:
            _rich_blocks(console, table, lang, title)
            continue
        for column in columns:
            natural = _natural_width(table, column, lang)
            whole = column.kind in (*NUMERIC, *BARS, "date", "datetime", "bool") or (
                column.key in _KEEP_WHOLE)
            grid.add_column(Text(safe(heading(column, lang))),
                            justify="right" if column.kind in NUMERIC else "left",
                            no_wrap=whole, min_width=natural if whole else min(natural, 12),
                            overflow="ellipsis" if whole else "fold")
        for row in table.rows:
            cells = []
            for column in columns:
                value = row.get(column.key)
                if column.kind == "pace_bar":
                    cells.append(_rich_pace_bar(value, dict(column.styles)))
                    continue
                text = human_text(value, column.kind, lang)
                style = "green" if column.kind == "bar" else ""
                if column.styles and isinstance(value, str):
                    style = dict(column.styles).get(value, style)
                cells.append(Text(text, style=style))
            grid.add_row(*cells)
        console.print(grid)
        hidden = [c for c in table.columns if c not in columns and c.kind not in BARS]
        if hidden:
            names = ", ".join(safe(heading(c, lang)) for c in hidden)
            console.print(Text(i18n.label("hidden_columns", lang, columns=names), style="dim"))
    for note in report.notes:
        console.print(Text(safe(note)))
    return console.file.getvalue()  # type: ignore[attr-defined]


def _rich_blocks(console, table: Table, lang: str, title: str | None) -> None:
    """A table too wide for the terminal even with every column it may give up left out:
    each row as a block, its first cell on a line, then `heading  value` for every other
    column that has a value. Nothing is hidden; bars are left out (their figures stay)."""
    from rich.text import Text

    if title:
        console.print(Text(safe(title), style="bold"))
    columns = [c for c in table.columns if c.kind not in BARS]
    headings = {c.key: heading(c, lang) for c in columns[1:]}
    pad = max((width(h) for h in headings.values()), default=0)
    for row in table.rows:
        console.print(Text(""))
        first = human_text(row.get(columns[0].key), columns[0].kind, lang)
        if first:
            console.print(Text(first, style="bold"))
        for column in columns[1:]:
            text = human_text(row.get(column.key), column.kind, lang)
            if text in ("", "—") and column.kind not in NUMERIC:
                continue
            name = headings[column.key]
            console.print(Text(f"  {name}{' ' * (pad - width(name))}  {text}"),
                          overflow="fold")
    console.print(Text(""))


def _whole(table: Table) -> Table:
    """The table with its rows in a tuple: widths read every row before the first is drawn."""
    if isinstance(table.rows, tuple):
        return table
    return Table(table.name, table.columns, tuple(table.rows), table.title_values)


# Columns a terminal keeps whole (never wrapped or cut): ids and codes people copy.
_KEEP_WHOLE = ("id", "convention", "indicator", "subject", "record", "code", "severity",
               "kind", "period", "target", "tag_value", "funder", "unit", "voided_by")
# Free text wraps; a column narrower than this is folded rather than squeezed further.
_FREE_TEXT_MIN = 12


def _natural_width(table: Table, column: Column, lang: str) -> int:
    cells = [width(human_text(row.get(column.key), column.kind, lang)) for row in table.rows]
    return max([width(heading(column, lang)), *cells])


def fit_columns(table: Table, lang: str, available: int) -> list[Column] | None:
    """The columns a terminal of `available` cells can show: while the table is wider than
    its whole columns plus the free text folded to _FREE_TEXT_MIN, leave out the column with
    the highest `drop` (bars go first when the report gives no order; 0: never left out).
    None: the columns that never go do not fit either; the rows are folded into blocks."""
    def needed(column: Column) -> int:
        natural = _natural_width(table, column, lang)
        wraps = column.kind not in (*NUMERIC, *BARS, "date", "datetime", "bool") and (
            column.key not in _KEEP_WHOLE)
        return (min(natural, _FREE_TEXT_MIN) if wraps else natural) + 3

    def drop(column: Column) -> int:
        return column.drop or (100 if column.kind in BARS else 0)

    columns = list(table.columns)
    sizes = {id(c): needed(c) for c in columns}
    while sum(sizes[id(c)] for c in columns) + 1 > available:
        candidates = [c for c in columns if drop(c)]
        if not candidates:
            return None
        columns.remove(max(candidates, key=drop))
    return columns


def pace_bar_cells(bar_: PaceBar, cells: int = 20) -> tuple[int, int | None]:
    """How many cells are full, and which cell holds the expected marker (None: no marker)."""
    full = 0 if bar_.progress is None else max(min(int(bar_.progress * cells / 100), cells), 0)
    marker = None
    if bar_.expected is not None:
        marker = max(min(int(bar_.expected * cells / 100), cells - 1), 0)
    return full, marker


def pace_bar_text(bar_: PaceBar, cells: int = 20) -> str:
    """The bar as characters: full, empty, and the expected marker as a vertical line."""
    if bar_.progress is None and bar_.expected is None:
        return ""
    full, marker = pace_bar_cells(bar_, cells)
    chars = ["█" if i < full else "░" for i in range(cells)]
    if marker is not None:
        chars[marker] = "┃"
    return "".join(chars)


def _rich_pace_bar(value: object, styles: dict[str, str]):
    from rich.text import Text

    if not isinstance(value, PaceBar):
        return Text("")
    text = Text(pace_bar_text(value))
    full, marker = pace_bar_cells(value)
    fill = styles.get(value.state, "green")
    if full:
        text.stylize(fill, 0, full)
    for cell in range(full, len(text)):
        if cell != marker:
            text.stylize("dim", cell, cell + 1)
    if marker is not None:
        text.stylize("bold yellow", marker, marker + 1)
    return text


def bar(progress: Decimal | None, cells: int = 20) -> str:
    if progress is None:
        return ""
    full = min(int(progress * cells / 100), cells)
    return "█" * full + "░" * (cells - full)


Renderer = Callable[[Report, str], str]


def render(report: Report, fmt: str, lang: str, terminal: bool = False,
           ascii_only: bool = False) -> str:
    """The whole text of `chunks`."""
    return "".join(chunks(report, fmt, lang, terminal, ascii_only))


def chunks(report: Report, fmt: str, lang: str, terminal: bool = False,
           ascii_only: bool = False):
    """The one format switch: the text in pieces, made as they are read (csv, json and md
    stream a report whose rows are an iterator; a table needs every row for its widths)."""
    if fmt == "json":
        return json_chunks(report.data, ascii_only=ascii_only)
    if fmt == "csv":
        return csv_chunks(report, lang)
    if fmt == "csv-fr":
        return csv_chunks(report, lang, french=True)
    if fmt == "md":
        return md_chunks(report, lang)
    return iter((to_rich(report, lang) if terminal else to_plain(report, lang),))


def pace_bar_words(value: object, lang: str) -> str:
    """A progress bar in words: `45,20 % (attendu 50,00 %)`."""
    if not isinstance(value, PaceBar) or value.progress is None:
        return "—"
    progress = human_text(value.progress, "percent", lang)
    if value.expected is None:
        return progress
    return i18n.label("bar_text", lang, progress=progress,
                      expected=human_text(value.expected, "percent", lang))

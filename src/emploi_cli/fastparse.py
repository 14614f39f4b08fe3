"""Reading a large journal fast, with exactly the result of `ledger.load`.

tomllib reads 100,000 `[[progress]]` tables in seconds. A ledger is a head (format, programme,
sources, partners, funders, conventions) followed by journal entries, each a `[[table]]` header
and `key = value` lines. When the text has that shape this module parses the head with tomllib
and each entry on its own, which gives the same document as parsing the whole file; an entry
laid out the way emploi writes it is matched by one regular expression and built directly,
any other entry is parsed with tomllib and built by `ledger._Builder` itself. Anything
unusual (multi-line strings, CR line ends, a header in another form, a journal table also
named in the head, any syntax error) sends the whole file through `ledger.load`'s path, so
errors and their places are always tomllib's.

The direct build is guarded: it is used for an entry kind only while its keys and fields are
the ones written below (ENTRY_KEYS in ledger.py, the dataclass in model.py), and it accepts only
values the builder would accept without a problem; anything else goes to the builder.
"""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal

from . import ledger as io
from . import model as m

JOURNAL_TABLES = frozenset(m.ENTRY_TABLES.values())
_HEADERS = frozenset(table.encode() for table in JOURNAL_TABLES)


class Unusual(Exception):
    """The text is not a head plus `[[journal]]` entries: parse it whole."""


def parse(data: bytes, file: str) -> tuple[m.Ledger | None, tuple[m.Problem, ...], str | None,
                                            bool]:
    """What `ledger.build(ledger.parse_toml(text))` gives for the ledger `data`: its ledger and
    placed problems, the decoded text when it had to be decoded whole (else None: the caller
    decodes it when asked), and whether the text is a head plus `[[journal]]` entries (then an
    appended entry can be checked on its own). Raises EmploiError as ledger.py does."""
    try:
        builder = FastBuilder(file, data)
        ledger = builder.ledger(builder.document())
    except Unusual:
        text = io.decode(data, file)
        loaded = io.build(io.parse_toml(text, file), text, file)
        return loaded.ledger, loaded.problems, text, False
    if not builder.problems:
        return ledger, (), None, True
    text = io.decode(data, file)
    return ledger, tuple(io.place_all(builder.problems, text)), text, True


def _first_journal_header(data: bytes) -> int:
    """Offset of the first line that is exactly `[[<journal table>]]`, else the length."""
    begin = 0 if data.startswith(b"[[") else _next_line(data, 0)
    while begin >= 0:
        end = data.find(b"]]", begin)
        if end > 0 and data[begin + 2:end] in _HEADERS and data[end + 2:end + 3] in (
            b"\n", b""
        ):
            return begin
        begin = _next_line(data, begin)
    return len(data)


def _next_line(data: bytes, at: int) -> int:
    """Offset of the next line after `at` that starts with `[[`, or -1."""
    found = data.find(b"\n[[", at)
    return found + 1 if found >= 0 else -1


def parse_piece(kind: str, piece: str) -> dict:
    """One entry's table as tomllib reads it; Unusual unless the text is exactly one entry."""
    import tomllib

    table = m.ENTRY_TABLES[kind]
    try:
        doc = tomllib.loads("[[" + piece, parse_float=Decimal)
    except (tomllib.TOMLDecodeError, RecursionError):
        raise Unusual from None
    items = doc.get(table)
    if len(doc) != 1 or not isinstance(items, list) or len(items) != 1:
        raise Unusual
    return items[0]


class FastBuilder(io._Builder):
    """ledger._Builder, given each journal entry as the number of its piece of text: built
    directly when it is laid out as emploi writes it and valid, else parsed with tomllib and
    built by ledger._Builder."""

    def __init__(self, file: str, data: bytes):
        super().__init__(file)
        self.data = data
        self.starts: list[int] = []  # where the text of each entry starts, after its `[[`
        self.shared = Shared()

    def document(self) -> dict:
        """The head as tomllib reads it, plus each journal table as a list of piece numbers."""
        import tomllib

        data = self.data
        start = _first_journal_header(data)
        if data.startswith((b"\xff\xfe", b"\xfe\xff")) or any(
                data.find(mark, start) >= 0 for mark in (b'"""', b"'''", b"\r")):
            raise Unusual
        try:
            doc = tomllib.loads(data[:start].decode("utf-8-sig"), parse_float=Decimal)
        except (UnicodeError, tomllib.TOMLDecodeError, RecursionError):
            raise Unusual from None
        if not JOURNAL_TABLES.isdisjoint(doc):
            raise Unusual
        starts = self.starts
        at = start if start < len(data) else -1
        while at >= 0:
            begin = at + 2
            end = data.find(b"]]", begin)
            if end < 0 or data[end + 2:end + 3] not in (b"\n", b""):
                raise Unusual
            table = data[begin:end].decode("ascii", "replace")
            if table not in JOURNAL_TABLES:
                raise Unusual
            if table in doc:
                doc[table].append(len(starts))
            else:
                doc[table] = [len(starts)]
            starts.append(begin)
            at = _next_line(data, begin)
        starts.append(len(data) + 3)
        return doc

    def piece(self, number: int) -> str:
        """The text of one entry, from after its `[[` to the end of its last line."""
        try:
            return self.data[self.starts[number]:self.starts[number + 1] - 3].decode("utf-8")
        except UnicodeError:
            raise Unusual from None  # ledger.decode says where

    def entry(self, kind: str, table: object, path: str, seq: int) -> m.JournalEntry | None:
        if type(table) is int:
            text = self.piece(table)
            direct = _DIRECT.get(kind)
            if direct is not None:
                built = direct(self.shared, text, seq)
                if built is not None:
                    return built
            table = parse_piece(kind, text)
        return super().entry(kind, table, path, seq)


# ---- entries as emploi writes them -------------------------------------------------------


class Shared:
    """One object for each repeated string, date, amount, tag set and provenance."""

    def __init__(self) -> None:
        self.texts: dict[str | None, str] = {None: ""}  # an absent key reads as ""
        self.dates: dict[str, date] = {}
        self.money: dict[str, Decimal] = {}
        self.tags: dict[str, tuple[tuple[str, str], ...]] = {}
        # the last provenance only: stamps repeat in runs (an import), and a dict of 100,000
        # distinct ones would hold 20 MB for nothing
        self.last: tuple[str | None, str | None, m.Provenance] = (None, None, m.Provenance())


_S = r'[^"\\\x00-\x08\x0a-\x1f\x7f]*+'  # a basic string without escapes
_D = r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"  # as tomllib's own patterns
_HOUR = r"(?:[01][0-9]|2[0-3])"
_STAMP = rf"{_D}[T ]{_HOUR}:[0-5][0-9]:[0-5][0-9](?:Z|[+-]{_HOUR}:[0-5][0-9])?"
_KEY = r"[A-Za-z0-9_-]+"
_TAGS = rf'\{{ *(?:{_KEY} = "{_S}"(?:, {_KEY} = "{_S}")*)? *\}}'
_TAG = re.compile(rf'({_KEY}) = "({_S})"')
_COMMENTS = r"(?:\n|#[^\x00-\x08\x0a-\x1f\x7f]*+\n)*\Z"  # blank lines, `# end ID` fences
_PROVENANCE = rf'(?:recorded_at = ({_STAMP})\n)?(?:recorded_by = "({_S})"\n)?' + _COMMENTS

_PROGRESS = re.compile(
    rf'progress\]\]\nid = "({_S})"\ndate = ({_D})\ntarget = "({_S})"\n'
    r"value = (0|[1-9][0-9]{0,12})\n"
    rf'(?:note = "({_S})"\n)?(?:source = "({_S})"\n)?(?:tags = ({_TAGS})\n)?'
    rf'(?:import_key = "({_S})"\n)?' + _PROVENANCE)
_TRANSACTION = re.compile(
    rf'transactions\]\]\nid = "({_S})"\ndate = ({_D})\nconvention = "({_S})"\n'
    r"amount = ((?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,12})?)\n"
    rf'kind = "({_S})"\n(?:funder = "({_S})"\n)?(?:note = "({_S})"\n)?'
    rf'(?:source = "({_S})"\n)?(?:import_key = "({_S})"\n)?' + _PROVENANCE)

# What the direct build was written against; if ledger.py or model.py change, it steps aside.
_EXPECTED = {
    "progress": (
        ("id", "date", "target", "value", "note", "source", "tags", "import_key"),
        ("id", "date", "seq", "provenance", "target", "value", "note", "source", "tags",
         "import_key", "kind")),
    "transaction": (
        ("id", "date", "convention", "amount", "kind", "funder", "note", "source",
         "import_key"),
        ("id", "date", "seq", "provenance", "convention", "amount", "transaction_kind",
         "funder", "note", "source", "import_key", "kind")),
}
_ENTRY_CLASSES = {"progress": m.ProgressEntry, "transaction": m.TransactionEntry}


def _guarded(kind: str) -> bool:
    keys, names = _EXPECTED[kind]
    return (io.ENTRY_KEYS.get(kind) == keys and io.PROVENANCE_KEYS == (
        "recorded_at", "recorded_by") and tuple(f.name for f in fields(_ENTRY_CLASSES[kind]))
        == names and tuple(f.name for f in fields(m.Provenance)) == (
        "recorded_at", "recorded_by"))


def _common(shared: Shared, eid: str, day: str, at: str | None, by: str | None
            ) -> tuple[date, m.Provenance] | None:
    """The checks `_Builder.entry` makes on id, date and provenance; None if any would fail."""
    if not io._ENTRY_ID.match(eid):  # the same rule as _Builder.entry
        return None
    when = shared.dates.get(day)
    if when is None:
        try:
            when = date.fromisoformat(day)
        except ValueError:
            return None
        if when.year < 1900:
            return None
        shared.dates[day] = when
    last_at, last_by, provenance = shared.last
    if at != last_at or by != last_by:
        stamp = None
        if at is not None:
            try:
                stamp = datetime.fromisoformat(at)
            except ValueError:
                return None
        provenance = m.Provenance(stamp, shared.texts.setdefault(by, by))  # type: ignore[arg-type]
        shared.last = (at, by, provenance)
    return when, provenance


def _progress(shared: Shared, piece: str, seq: int) -> m.ProgressEntry | None:
    found = _PROGRESS.match(piece + "\n")
    if found is None:
        return None
    eid, day, target, value, note, source, tags, key, at, by = found.groups()
    common = _common(shared, eid, day, at, by)
    count = int(value)
    if common is None or not target.strip() or count > 10**12:
        return None
    pairs: tuple[tuple[str, str], ...] = ()
    if tags is not None:
        pairs = shared.tags.get(tags)  # type: ignore[assignment]
        if pairs is None:
            items = _TAG.findall(tags)
            if len({k for k, _ in items}) != len(items):
                return None  # a key twice: tomllib refuses it
            pairs = shared.tags[tags] = tuple(sorted(items))
    text = shared.texts.setdefault
    return m.ProgressEntry(eid, common[0], seq, common[1], text(target, target), count,
                           text(note, note), text(source, source), pairs, text(key, key))


def _transaction(shared: Shared, piece: str, seq: int) -> m.TransactionEntry | None:
    found = _TRANSACTION.match(piece + "\n")
    if found is None:
        return None
    eid, day, convention, amount, kind, funder, note, source, key, at, by = found.groups()
    common = _common(shared, eid, day, at, by)
    if common is None or not convention.strip() or kind not in m.TRANSACTION_KINDS:
        return None
    money = shared.money.get(amount)
    if money is None:
        money = Decimal(amount)
        if not 0 < money <= io.MAX_MONEY or money.as_tuple().exponent < -io.MONEY_PLACES:
            return None  # type: ignore[operator]
        shared.money[amount] = money
    text = shared.texts.setdefault
    return m.TransactionEntry(eid, common[0], seq, common[1], text(convention, convention),
                              money, text(kind, kind), text(funder, funder), text(note, note),
                              text(source, source), text(key, key))


_DIRECT = {kind: build for kind, build in (("progress", _progress),
                                            ("transaction", _transaction)) if _guarded(kind)}

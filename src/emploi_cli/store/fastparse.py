"""Reading a large journal fast, with exactly the result of `ledger.load`.

tomllib reads 100,000 `[[progress]]` tables in seconds. A ledger is a head (format, programme,
sources, partners, funders, conventions) followed by journal entries, each a `[[table]]` header
and `key = value` lines. When the text has that shape this module parses the head with tomllib
and each entry on its own, which gives the same document as parsing the whole file; an entry
laid out the way emploi writes it is matched by one regular expression and built directly,
any other entry is parsed with tomllib and built by `reading.Builder` itself. Anything
unusual (multi-line strings, CR line ends, a header in another form, a journal table also
named in the head, any syntax error) sends the whole file through `ledger.load`'s path, so
errors and their places are always tomllib's.

The direct build is guarded: it is used for an entry kind only while ledger.py reads the keys
its pattern reads; it gives the named tuple's fields in the order model.py lists them, and it
accepts only values the builder would accept without a problem; anything else goes to the
builder.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

from ..domain import columns, limits
from ..domain import model as m
from . import reading

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
        text = reading.decode(data, file)
        loaded = reading.build(reading.parse_toml(text, file), text, file)
        return loaded.ledger, loaded.problems, text, False
    if not builder.problems:
        return ledger, (), None, True
    text = reading.decode(data, file)
    return ledger, tuple(reading.place_all(builder.problems, text)), text, True


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


_HEADER_LINE = re.compile(rb"\n\[\[([^\n]*)")  # a literal first: searched fast
_HEADER_KINDS = {table.encode() + b"]]": kind for kind, table in m.ENTRY_TABLES.items()}
_TABLE_LINE = re.compile(r"(?m)^\[\[(.*)")
_TABLE_LINES = frozenset(table + "]]" for table in JOURNAL_TABLES)
_LEADING = re.compile(r"(?:\n|#[^\x00-\x08\x0a-\x1f\x7f]*+\n)*")  # blank and comment lines


def _entry_counts(data: bytes, start: int) -> dict[str, int]:
    """How many entries of each kind the journal from `start` has; Unusual unless every line
    there that starts with `[[` is exactly `[[<journal table>]]`."""
    from collections import Counter

    if start:  # after a line end
        lines = _HEADER_LINE.findall(data, start - 1)
    else:
        first = data.find(b"\n")
        lines = [data[2:first if first >= 0 else len(data)], *_HEADER_LINE.findall(data)]
    counts: dict[str, int] = {}
    for line, count in Counter(lines).items():
        kind = _HEADER_KINDS.get(line)
        if kind is None:
            raise Unusual
        counts[kind] = count
    return counts


_CHUNK = 1 << 20  # bytes of journal decoded at a time: the whole text would double the memory


def _chunks(data: bytes, start: int):
    """The journal from `start` as text, in pieces that each end just before a `[[` line; the
    last one ends with an added line end (as each entry is matched: `piece + "\n"`)."""
    at = start
    while at < len(data):
        end = data.find(b"\n[[", at + _CHUNK) + 1 or len(data)
        try:
            text = data[at:end].decode("utf-8")
        except UnicodeError:
            raise Unusual from None  # ledger.decode says where
        yield text if end < len(data) else text + "\n"
        at = end


def _piece_end(text: str, at: int) -> int:
    """Where the text of the entry at `at` ends: at the line end before the next `[[` line."""
    end = text.find("\n[[", at)
    return end if end >= 0 else len(text) - 1


def parse_piece(kind: str, piece: str) -> dict:
    """One entry's table as tomllib reads it; Unusual unless the text is exactly one entry."""
    try:
        return reading.parse_entry(kind, piece)
    except ValueError:
        raise Unusual from None


class FastBuilder(reading.Builder):
    """reading.Builder, reading the journal from the text itself: each entry is built directly
    when it is laid out as emploi writes it and valid, else parsed with tomllib and built by
    reading.Builder."""

    def __init__(self, file: str, data: bytes):
        super().__init__(file)
        self.data = data
        self.start = len(data)  # where the journal starts
        self.counts: dict[str, int] = {}  # how many entries of each kind it has
        self.shared = Shared()

    def document(self) -> dict:
        """The head as tomllib reads it (the journal is read by `journal`)."""
        import tomllib

        data = self.data
        start = _first_journal_header(data)
        if data.startswith((b"\xff\xfe", b"\xfe\xff")) or any(
                data.find(mark, start) >= 0 for mark in (b'"""', b"'''", b"\r")):
            raise Unusual
        try:
            doc = tomllib.loads(data[:start].decode("utf-8-sig"), parse_float=Decimal)
        except (ValueError, RecursionError):  # a TOML error, bad UTF-8, an integer too long
            raise Unusual from None
        if not JOURNAL_TABLES.isdisjoint(doc) or doc.get("format") != m.FORMAT_VERSION:
            raise Unusual  # another format: the builder stops before the journal, tomllib not
        self.start, self.counts = start, _entry_counts(data, start)
        return doc

    def journal(self, doc: dict) -> tuple[m.JournalEntry, ...]:
        """What `Builder.journal` gives: the entries are read in file order, and each is put
        at its place in the builder's order (kind by kind, then in file order), its problems
        too."""
        first: dict[str, int] = {}  # seq of the first entry of each kind
        total = 0
        for kind in m.ENTRY_TABLES:
            first[kind], total = total, total + self.counts.get(kind, 0)
        read = dict.fromkeys(m.ENTRY_TABLES, 0)  # entries of each kind read so far
        problems: dict[str, list[m.Problem]] = {kind: [] for kind in m.ENTRY_TABLES}
        entries: list = [None] * total
        for text in _chunks(self.data, self.start):
            for seq, entry in self._entries(text, read, lambda kind, index: first[kind] + index,
                                            problems):
                entries[seq] = entry
        for kind in m.ENTRY_TABLES:
            self.problems += problems[kind]
        return tuple(entries)

    def tail(self, text: str) -> list[m.JournalEntry]:
        """The entries of `text`, whole `[[journal]]` entries after blank and comment lines (as
        appended to a ledger), in file order with `seq` their position; their problems go to
        `problems`. Unusual for any other text."""
        start = _LEADING.match(text).end()  # type: ignore[union-attr]
        if (any(mark in text for mark in ('"""', "'''", "\r"))
                or (not text.startswith("[[", start) and start < len(text))
                or not _TABLE_LINES.issuperset(_TABLE_LINE.findall(text))):
            raise Unusual
        problems: dict[str, list[m.Problem]] = {kind: [] for kind in m.ENTRY_TABLES}
        position = itertools.count()
        entries = [entry for _, entry in self._entries(
            text[start:] + "\n", dict.fromkeys(m.ENTRY_TABLES, 0),
            lambda kind, index: next(position), problems)]
        self.problems += [p for kind in m.ENTRY_TABLES for p in problems[kind]]
        return entries

    def _entries(self, text: str, read: dict[str, int], seq_of, problems: dict[str, list]
                 ) -> Iterator[tuple[int, m.JournalEntry]]:
        """(seq, entry) for each entry of `text` (journal entries, ending with a line end
        added); `read` counts the entries of each kind, `seq_of(kind, index)` gives the seq."""
        at = 0
        while at < len(text):
            kind, found = _matched(text, at)
            index = read[kind]
            seq = seq_of(kind, index)
            entry = _DIRECT[kind](self.shared, found.groups(), seq) if found else None
            if entry is None:
                end = _piece_end(text, at)
                entry = self._built(kind, text[at + 2:end], index, seq, problems[kind])
                at = end + 1
            else:
                at = found.end()
            read[kind] = index + 1
            yield seq, entry

    def _built(self, kind: str, piece: str, index: int, seq: int,
               problems: list[m.Problem]) -> m.JournalEntry:
        """The entry parsed alone by tomllib and built by `Builder.entry`; its problems go to
        `problems`."""
        outer, self.problems = self.problems, problems
        try:
            entry = self.entry(kind, parse_piece(kind, piece),
                               f"{m.ENTRY_TABLES[kind]}[{index}]", seq)
        finally:
            self.problems = outer
        if entry is None:  # not a table: cannot be, as the entry is a `[[table]]`
            raise Unusual
        return entry


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
_ID = limits.ENTRY_ID_PATTERN  # an entry id as the builder accepts it
_D = r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"  # as tomllib's own patterns
_HOUR = r"(?:[01][0-9]|2[0-3])"
_STAMP = rf"{_D}[T ]{_HOUR}:[0-5][0-9]:[0-5][0-9](?:Z|[+-]{_HOUR}:[0-5][0-9])?"
_KEY = r"[A-Za-z0-9_-]+"
_TAGS = rf'\{{ *(?:{_KEY} = "{_S}"(?:, {_KEY} = "{_S}")*)? *\}}'
_TAG = re.compile(rf'({_KEY}) = "({_S})"')
# blank lines and `# end ID` fences, up to the next `[[` line (or the end): an entry's text is
# matched where it is, as `piece + "\n"` was
_COMMENTS = r"(?:\n|#[^\x00-\x08\x0a-\x1f\x7f]*+\n)*(?=\[\[|\Z)"
_PROVENANCE = rf'(?:recorded_at = ({_STAMP})\n)?(?:recorded_by = "({_S})"\n)?' + _COMMENTS

_PROGRESS = re.compile(
    rf'\[\[progress\]\]\nid = "({_ID})"\ndate = ({_D})\ntarget = "({_S})"\n'
    r"value = (0|[1-9][0-9]{0,12})\n"
    rf'(?:note = "({_S})"\n)?(?:source = "({_S})"\n)?(?:tags = ({_TAGS})\n)?'
    rf'(?:import_key = "({_S})"\n)?' + _PROVENANCE)
_TRANSACTION = re.compile(
    rf'\[\[transactions\]\]\nid = "({_ID})"\ndate = ({_D})\nconvention = "({_S})"\n'
    r"amount = ((?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,12})?)\n"
    rf'kind = "({_S})"\n(?:funder = "({_S})"\n)?(?:note = "({_S})"\n)?'
    rf'(?:source = "({_S})"\n)?(?:import_key = "({_S})"\n)?' + _PROVENANCE)

# The fields of each entry class, from the model: the direct build fills them in this order
# (a field added to the model and not to `_progress` or `_transaction` leaves the entries
# short, which every comparison with tomllib's reading fails on; it never goes unnoticed).
_FIELDS = {kind: m.ENTRY_CLASSES[kind]._fields for kind in ("progress", "transaction")}
# The keys each pattern reads, in the order emploi writes them: the direct build steps aside
# for a kind whose keys ledger.py reads differently (tests/test_fastparse.py checks it is on).
_KEYS = {
    "progress": ("id", "date", "target", "value", "note", "source", "tags", "import_key"),
    "transaction": ("id", "date", "convention", "amount", "kind", "funder", "note", "source",
                    "import_key"),
}
_ENTRY_CLASSES = {"progress": m.ProgressEntry, "transaction": m.TransactionEntry}


def _guarded(kind: str) -> bool:
    cls = _ENTRY_CLASSES[kind]
    return (reading.ENTRY_KEYS.get(kind) == _KEYS[kind]
            and reading.PROVENANCE_KEYS == ("recorded_at", "recorded_by")
            and _FIELDS[kind][-1] == "kind" and cls._field_defaults.get("kind") == kind
            and m.Provenance._fields == ("recorded_at", "recorded_by")
            and limits.ENTRY_ID.pattern == f"^{_ID}$")


def _common(shared: Shared, day: str, at: str | None, by: str | None
            ) -> tuple[date, m.Provenance] | None:
    """The checks `Builder.entry` makes on date and provenance (the id is checked by the
    pattern); None if any would fail."""
    when = shared.dates.get(day)
    if when is None:
        try:
            when = date.fromisoformat(day)
        except ValueError:
            return None
        if when.year < limits.MIN_YEAR:
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


def _progress(shared: Shared, groups: tuple, seq: int) -> m.ProgressEntry | None:
    """The entry from the groups of `_PROGRESS`; None where the builder would find a problem."""
    eid, day, target, value, note, source, tags, key, at, by = groups
    common = _common(shared, day, at, by)
    count = int(value)
    if common is None or not target.strip() or count > limits.MAX_COUNT:
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
    # _make refuses values that are not one per field: a field added to the model and not
    # here fails at once
    return m.ProgressEntry._make((
        eid, common[0], seq, common[1], text(target, target), count, text(note, note),
        text(source, source), pairs, text(key, key), "progress"))


def _transaction(shared: Shared, groups: tuple, seq: int) -> m.TransactionEntry | None:
    """The entry from the groups of `_TRANSACTION`; None where the builder would find a
    problem."""
    eid, day, convention, amount, kind, funder, note, source, key, at, by = groups
    common = _common(shared, day, at, by)
    if common is None or not convention.strip() or kind not in m.TRANSACTION_KINDS:
        return None
    money = shared.money.get(amount)
    if money is None:
        money = Decimal(amount)
        if not 0 < money <= limits.MAX_MONEY or money.as_tuple().exponent < -limits.MONEY_PLACES:
            return None  # type: ignore[operator]
        shared.money[amount] = money
    text = shared.texts.setdefault
    return m.TransactionEntry._make((  # as _progress does
        eid, common[0], seq, common[1], text(convention, convention), money, text(kind, kind),
        text(funder, funder), text(note, note), text(source, source), text(key, key),
        "transaction"))


_DIRECT = {kind: build for kind, build in (("progress", _progress),
                                            ("transaction", _transaction)) if _guarded(kind)}
_PATTERNS = tuple((kind, pattern) for kind, pattern in (("progress", _PROGRESS),
                                                        ("transaction", _TRANSACTION))
                  if kind in _DIRECT)


def _matched(text: str, at: int) -> tuple[str, re.Match | None]:
    """The kind of the entry at `at` (a `[[table]]` line), and its match when it is laid out
    as emploi writes it and its kind is read directly."""
    for kind, pattern in _PATTERNS:
        found = pattern.match(text, at)
        if found is not None:
            return kind, found
    return m.TABLE_KINDS[text[at + 2:text.index("]]", at)]], None


def direct_entry(shared: Shared, kind: str, text: str, seq: int) -> m.JournalEntry | None:
    """The entry `text` (one whole entry, from its `[[table]]` line) holds, when it is laid out
    as emploi writes it and valid; else None (then parse it with tomllib)."""
    build = _DIRECT.get(kind)
    if build is None:
        return None
    found = dict(_PATTERNS)[kind].match(text)
    if found is None or found.end() != len(text):
        return None
    return build(shared, found.groups(), seq)


# ---- entries appended to a ledger --------------------------------------------------------


def appended(ledger: m.Ledger, text: str, file: str) -> list[m.JournalEntry] | None:
    """The entries `text` adds when appended to `ledger` (a head plus `[[journal]]` entries,
    read without a problem, whose text ends with a line end or `text` begins with one): what
    parsing the whole new file would add to the journal. None when parsing the text alone
    does not prove that, or when the new ledger holds a problem."""
    builder = FastBuilder(file, b"")
    try:
        added = builder.tail(text)
    except Unusual:
        return None
    return None if builder.problems or references(ledger, added, file) else added


def references(ledger: m.Ledger, added: list[m.JournalEntry], file: str) -> list[m.Problem]:
    """reading.Builder's reference rules on `added` appended to `ledger`, run on the
    definitions, the new entries, the existing entries of the rare kinds and a stand-in for
    each other entry a void names; new ids are checked against all ids (a pass over each id
    column of a journal held as columns). The problems (any of them refuses the shortcut)."""
    new_ids = [e.id for e in added]
    named = {e.entry for e in added if isinstance(e, m.VoidEntry)}
    journal = ledger.journal
    wanted = {*new_ids, *named, *ledger.voided_ids}
    taken = (journal.ids_among(wanted) if isinstance(journal, columns.ColumnJournal)
             else wanted.intersection(e.id for e in journal))
    if len(set(new_ids)) != len(new_ids) or not taken.isdisjoint(new_ids):
        return [m.error("duplicate-id", "an appended id is taken", m.Place(file))]
    rare = [e for kind, cls in columns.KIND_CLASSES.items()
            if kind not in ("progress", "transaction") for e in ledger.entries(cls)]
    stand_ins = [m.ProgressEntry(ident, date(1900, 1, 1), 0, m.Provenance(), "", 0)
                 for ident in sorted((set(ledger.voided_ids) | named) & taken
                                     - {e.id for e in rare})]  # no reference of their own
    # seq numbers only place problems, and any problem refuses the shortcut
    small = ledger._replace(journal=(*added, *(e._replace(seq=len(added) + i)
                                               for i, e in enumerate([*stand_ins, *rare]))))
    builder = reading.Builder(file)
    builder.references(small)
    return builder.problems

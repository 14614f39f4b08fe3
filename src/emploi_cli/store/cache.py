"""A cache of loaded ledgers, so that a large journal answers in a fraction of a second.

`load(path)` returns exactly what `reading.load(path)` returns (docs/performance.md says how it
is kept honest). The first run reads the ledger with fastparse and stores the result under
`$XDG_CACHE_HOME/emploi/` (else `~/.cache/emploi/`); later runs check that the cache belongs to
this very file and content and read it instead of parsing. What is stored:

- the definitions and the problems, as JSON of the model's dataclasses;
- the journal as columns: for each entry kind and field, a table of the distinct values (each
  string, date and amount once) and the position of each entry's value in it.

A cache is used only when all of these match: emploi's version and this module's format, a
fingerprint of the code that reads ledgers, the ledger's real path and stat (size, mtime_ns,
ctime_ns, inode, device); then its content is proven by that stat once the file has settled,
else by the SHA-256 digests of the bytes (so any change is seen, even one that keeps size and
mtime). The file must be a regular file owned by the user with no group or other permission,
in a folder owned by the user that no one else can write to, and its own checksum must match.
Anything else is ignored and replaced; nothing from it is trusted. It holds data only (JSON,
numbers): loading it runs no code. A cache that cannot be written only costs speed.

A cached ledger is a plain `model.Ledger` whose journal is a `ColumnJournal`: its entries are
built from the columns only when they are read one by one; the reports that add up the journal
(summary, targets) read the columns directly (`ColumnJournal.live_rows`, through
position.live_rows). An append by `record`, `disburse`, `void` or `import`, checked by parsing
only the appended text, adds a segment to the cache instead of rebuilding it.
"""

from __future__ import annotations

import contextlib
import json
import operator
import os
import re
import stat
import sys
import time
import zlib
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import fields, is_dataclass, replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from itertools import compress
from operator import attrgetter, itemgetter
from pathlib import Path

from .. import __version__
from ..domain import limits
from ..domain import model as m
from . import files, reading

FORMAT = 1
MAGIC = b"emploi-cache-1\n\x00"
MAX_SEGMENTS = 64  # appends kept as segments before the cache is written again whole
_U32 = next(code for code in "ILQ" if array(code).itemsize == 4)
_CODE_FILES = ("domain/model.py", "domain/limits.py", "domain/translations.py",
               "store/reading.py", "store/locate.py", "store/fastparse.py", "store/cache.py")
KIND_CLASSES: dict[str, type] = {
    cls.kind: cls for cls in vars(m).values()  # type: ignore[attr-defined]
    if isinstance(cls, type) and issubclass(cls, m.Entry) and cls is not m.Entry}
KINDS = tuple(kind for kind in m.ENTRY_TABLES if kind in KIND_CLASSES)
_COLUMNAR = ("progress", "transaction")  # the kinds that grow; the others are few
_MODEL = {name: cls for name, cls in vars(m).items() if isinstance(cls, type)
          and is_dataclass(cls)}


class Unsupported(Exception):
    """A value the cache format cannot hold exactly: such a ledger is simply not cached."""


def disabled(no_cache: bool = False) -> bool:
    return no_cache or os.environ.get("EMPLOI_NO_CACHE", "") not in ("", "0")


def directory(create: bool = False) -> Path | None:
    """The cache folder, when it is ours and no one else can write to it."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    folder = root / "emploi"
    try:
        if create:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None
    if (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid()
            or info.st_mode & 0o022):
        return None
    return folder


# ---- loading -----------------------------------------------------------------------------


def load(path: Path, *, no_cache: bool = False) -> reading.Loaded:
    """`ledger.load(path)`, from the cache when it holds this very content."""
    return Reader(Snapshot(Path(os.path.realpath(path)), str(path)), no_cache).loaded


# ---- one look at the ledger file ---------------------------------------------------------


def _fine_margin_ns() -> int:
    """Twice the tick of the clock the kernel stamps files with (CLOCK_REALTIME_COARSE: 1 to
    10 ms), at least 2 ms; 20 ms where that clock cannot be asked."""
    try:
        tick = time.clock_getres(5) if sys.platform == "linux" else 0.01
    except OSError:
        tick = 0.01
    return int(min(max(2 * tick, 0.002), 0.02) * 1e9)


FINE_MARGIN_NS = _fine_margin_ns()
COARSE_MARGIN_NS = 3_000_000_000  # 3 s: file systems with whole-second or 2-second times
READ_TRIES = 5
_IDENTITY = ("size", "mtime_ns", "ctime_ns", "ino", "dev")




def _settled(info: os.stat_result, stamp: int) -> bool:
    """True when `info`, taken just after the clock read `stamp`, proves the content: the file
    last changed more than a clock tick before, so any later change (a write, a rename over
    it, `touch` putting the mtime back) gives it another ctime. Git's index works the same
    way ("racy git"); within the margin the content must be hashed instead."""
    coarse = not info.st_mtime_ns % 1_000_000 and not info.st_ctime_ns % 1_000_000
    margin = COARSE_MARGIN_NS if coarse else FINE_MARGIN_NS
    return max(info.st_mtime_ns, info.st_ctime_ns) < stamp - margin


# ---- appends in flight: writing.py records them, every reader heeds them ----------------


def journal_path(real: Path) -> Path:
    """The ledger's lock file, which also records the append being written (writing.py)."""
    return real.with_name(f".{real.name}.lock")


Pending = tuple[int, bytes]  # (offset, bytes) of an append begun and not finished


def parse_lock(raw: bytes) -> tuple[int, Pending | None]:
    """The lock file's record: its generation (a number drawn anew for each append begun, so
    that a reader who sees the same bytes before and after knows no append began meanwhile)
    and the append in flight, if any. What is not a whole record (a writer that died while
    writing it, before touching the ledger) says no append is in flight."""
    if not raw.strip():
        return 0, None
    try:
        record = json.loads(raw)
        generation = record["generation"]
        if type(generation) is not int:
            raise TypeError("generation")
        if "offset" not in record:
            return generation, None
        offset, addition = record["offset"], record["addition"].encode("utf-8")
    except (ValueError, KeyError, TypeError, AttributeError):
        return -1, None
    return generation, ((offset, addition) if type(offset) is int and offset >= 0 else None)


def lock_trusted(lock: os.stat_result, ledger: os.stat_result) -> bool:
    """A lock file that no one can write who cannot write the ledger: no group or others may
    write it unless they may write the ledger too (writing.py gives it the ledger's mode)."""
    return not lock.st_mode & 0o022 & ~ledger.st_mode


def read_lock(real: Path) -> bytes:
    """The lock file's bytes; b"" when there is none, when it is not a regular file or not ours
    to read (writing.py refuses to write through such a lock file, so no append is pending),
    or when others could write it who cannot write the ledger (its record is not believed)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(journal_path(real), flags)
    except OSError:
        return b""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or not lock_trusted(info, os.stat(real)):
            return b""
        return read_all(fd)
    except OSError:
        return b""
    finally:
        os.close(fd)


def read_all(fd: int) -> bytes:
    """Everything in the open file `fd`, from its start."""
    chunks, offset = [], 0
    while chunk := os.pread(fd, 1 << 20, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def pending_append(real: Path) -> Pending | None:
    """The append a writer has begun and not finished (a writer at work, or one that died)."""
    return parse_lock(read_lock(real))[1]


def torn(tail: bytes, addition: bytes) -> bool:
    """`tail`, what the file holds from the recorded offset, is an unfinished `addition`: a
    part of it, with NUL bytes where a power cut lost what was written."""
    return (len(tail) <= len(addition) and tail != addition
            and all(t == a or not t for t, a in zip(tail, addition[:len(tail)], strict=True)))


class Snapshot:
    """One look at a ledger file: what stat said of it and when, then its bytes when asked.

    An append that a writer has begun (or a dead writer left unfinished) is not part of what
    a snapshot shows: `limit` then cuts the file where it began. Raises EmploiError (as
    `ledger.read_bytes`) for anything wrong with the file."""

    def __init__(self, real: Path, file: str):
        self.real, self.file = real, file
        self.data: bytes | None = None
        self._look()

    def _look(self) -> None:
        self.lock = read_lock(self.real)
        self.pending = parse_lock(self.lock)[1]
        self.stamp = time.time_ns()
        self.info = info = files.ledger_stat(self.real, self.file)
        self.limit: int | None = None
        if self.pending is not None:
            offset, addition = self.pending
            if offset < info.st_size <= offset + len(addition):
                with contextlib.suppress(OSError), open(self.real, "rb") as stream:
                    stream.seek(offset)
                    if torn(stream.read(len(addition) + 1), addition):
                        self.limit = offset

    def settled(self) -> bool:
        return self.limit is None and _settled(self.info, self.stamp)

    @property
    def size(self) -> int:
        """The size of what the snapshot shows."""
        return self.info.st_size if self.limit is None else self.limit

    def read(self) -> bytes:
        """The bytes the snapshot shows (read once). They are those of `info`: read again,
        with a new look, while the file changes under the read (a writer appending)."""
        for _ in range(READ_TRIES):
            if self.data is not None:
                return self.data
            data = reading.read_bytes(self.real)
            try:
                after = os.stat(self.real)
            except OSError:
                after = None
            if (after is not None and files.identity(after) == files.identity(self.info)
                    and len(data) == self.info.st_size
                    and read_lock(self.real) == self.lock):  # no append begun or ended
                self.data = data if self.limit is None else data[:self.limit]
            else:
                self._look()
        if self.data is None:
            raise m.refusal(
                "changed", "the ledger kept changing while emploi was reading it; run the "
                "command again", place=m.Place(self.file))
        return self.data

    def head(self, size: int) -> bytes:
        """The first `size` bytes, without reading the rest."""
        if self.data is not None:
            return self.data[:size]
        try:
            with open(self.real, "rb") as stream:
                return stream.read(min(size, self.size))
        except OSError:
            return self.read()[:size]

    def tail(self) -> bytes:
        """The last byte (b"" for an empty file), without reading the rest."""
        if self.data is not None or not self.size:
            return self.read()[-1:]
        try:
            with open(self.real, "rb") as stream:
                stream.seek(self.size - 1)
                return stream.read(1)
        except OSError:
            return self.read()[-1:]

    def interrupted(self) -> tuple[m.Problem, ...]:
        """A warning when a dead writer's unfinished append is left out."""
        if self.limit is None:
            return ()
        return (m.warning("interrupted", "the file ends with a part of an entry whose writing "
                          "was interrupted; emploi leaves it out, and the next write removes "
                          "it", m.Place(self.file)),)


def _digest(data: bytes | memoryview) -> list:
    import hashlib

    return [len(data), hashlib.sha256(data).hexdigest()]


def _digest_matches(digest: list, data: bytes) -> bool:
    """`digest` is one [length, sha256] for each part of the content, in order: the text the
    cache was built from, then each append (so an append never re-hashes the whole file)."""
    view, offset = memoryview(data), 0
    for length, expected in digest:
        if _digest(view[offset:offset + length]) != [length, expected]:
            return False
        offset += length
    return offset == len(data)


class Reader:
    """One ledger turned into `loaded`, through the cache when possible; keeps what an append
    needs to check the new entries alone and extend the cache."""

    def __init__(self, snapshot: Snapshot, no_cache: bool):
        self.snapshot = snapshot
        self.real, self.file = snapshot.real, snapshot.file
        self.use = not disabled(no_cache)
        self.digest: list | None = None  # of the content, once known: [[length, sha256], ...]
        self.cache: Stored | None = None
        self.append_safe = False
        self.added: list[m.JournalEntry] = []
        self.voided: dict[str, list[int]] = {}
        self.loaded = (self._cached() if self.use else None) or self._parse()

    def _cached(self) -> reading.Loaded | None:
        folder = directory()
        if folder is None:
            return None
        target = folder / _name(self.real)
        snapshot = self.snapshot
        stored = Stored.read(target)
        if (stored is None or snapshot.limit is not None
                or not stored.matches(self.real, snapshot.info)):
            return None
        digest = stored.header.get("digest")
        if not isinstance(digest, list) or sum(
                part[0] for part in digest) != snapshot.info.st_size:
            return None
        if not stored.header.get("settled"):  # the stat alone proves nothing: hash
            if (not _digest_matches(digest, snapshot.read())
                    or not stored.matches(self.real, snapshot.info)):  # (read looks again)
                return None
            if snapshot.settled():  # from now on the stat alone proves this content
                stored = stored.restamp(target) or stored
        try:
            ledger, problems = stored.contents(self.file)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            return None
        self.cache, self.digest = stored, digest
        self.append_safe = bool(stored.header.get("append_safe"))
        return loaded(self.snapshot, ledger, problems)

    def _parse(self) -> reading.Loaded:
        from . import fastparse

        data = self.snapshot.read()
        ledger, problems, text, self.append_safe = fastparse.parse(data, self.file)
        if self.use and self.snapshot.limit is None:
            self.digest = [_digest(data)]
            self.cache = _store(self.snapshot, self.digest, ledger, problems, self.append_safe)
        return loaded(self.snapshot, ledger, problems, text)

    # -- appends (writing.py) --

    def verify_append(self, addition: str, entries: list[tuple[str, dict]]) -> bool:
        """True when the appended text alone proves the new document is the old one plus
        exactly `entries`, and valid. False means: check the whole document instead."""
        ledger = self.loaded.ledger
        if not self.append_safe or ledger is None or self.loaded.errors:
            return False
        if any(mark in addition for mark in ('"""', "'''", "\r")):
            return False
        # the fence comments around each entry (writing.serialise) are not part of the data
        addition = _FENCES.sub("", addition)
        first, *pieces = addition.split("\n[[")
        if first not in ("", "\n") or len(pieces) != len(entries):
            return False
        from . import fastparse

        builder = reading.Builder(self.file)
        shared = fastparse.Shared()
        counts = _counts(ledger)  # then the running count of each kind
        added: list[m.JournalEntry] = []
        for (kind, written), piece in zip(entries, pieces, strict=True):
            index = counts[kind]
            counts[kind] = index + 1
            # the text is one valid entry that reads back as `written`: by the fast reader's
            # pattern (which takes only what the builder takes without a problem), else by
            # tomllib and the builder
            entry = fastparse.direct_entry(shared, kind, "[[" + piece, len(added))
            if entry is None or not _reads_as(entry, written):
                try:
                    if reading.parse_entry(kind, piece) != written:
                        return False
                except ValueError:
                    return False
                entry = builder.entry(kind, written, f"{m.ENTRY_TABLES[kind]}[{index}]",
                                      len(added))
                if entry is None:
                    return False
            added.append(entry)
        if any(p.is_error for p in builder.problems):
            return False
        checked = _references(ledger, added, self.file)
        if checked is None or any(p.is_error for p in checked[0]):
            return False
        if not builder.problems and not checked[0]:  # the problems stay those of the ledger
            self.added, self.voided = added, checked[1]
        return True

    def release(self) -> None:
        """Let go of the ledger (100,000 entries) while the append is written: extending the
        cache does not need it."""
        self.loaded = None  # type: ignore[assignment]

    def appended(self, addition: bytes, written: os.stat_result) -> None:
        """The append is on disk, and `written` is the ledger's stat just after: extend the
        cache (or forget it), waiting up to FINE_MARGIN_NS for the file clock to move on so
        that the stat proves the content; if the ledger or the cache changed meanwhile, it
        leaves the cache as it is. Never raises."""
        with contextlib.suppress(OSError, Unsupported, ValueError, TypeError, KeyError):
            self._appended(addition, written)

    def _appended(self, addition: bytes, written: os.stat_result) -> None:
        if not self.use or self.cache is None or self.digest is None:
            return
        folder = directory()
        if folder is None:
            return
        target = folder / _name(self.real)
        if not self.cache.unchanged(target):  # another emploi wrote it since: theirs is newer
            return
        if not self.added:
            target.unlink(missing_ok=True)
            return
        stamp, info = _settled_stat(self.real)
        if files.identity(info) != files.identity(written):  # changed since: it would not fit
            return
        self.cache.extend(target, info, _settled(info, stamp),
                          [*self.digest, _digest(addition)], self.added, self.voided)


SETTLE_FROM_BYTES = 1 << 20  # below, hashing the ledger at the next load costs less than waiting


def _settled_stat(real: Path) -> tuple[int, os.stat_result]:
    """The stat of a file just written, taken once the clock has moved on far enough for it
    to prove the content: a wait of at most FINE_MARGIN_NS, for a ledger of SETTLE_FROM_BYTES
    or more (a smaller one is hashed by the next load instead); none on coarse file systems."""
    stamp, info = time.time_ns(), os.stat(real)
    wait = max(info.st_mtime_ns, info.st_ctime_ns) + FINE_MARGIN_NS - stamp
    if (not _settled(info, stamp) and 0 < wait <= FINE_MARGIN_NS
            and info.st_size >= SETTLE_FROM_BYTES):
        time.sleep(wait / 1e9 + 0.001)
        stamp, info = time.time_ns(), os.stat(real)
    return stamp, info


_FENCES = re.compile(rf"(?m)^# (?:entry|end) {limits.ENTRY_ID_PATTERN}\n")


def loaded(snapshot: Snapshot, ledger: m.Ledger | None, problems: tuple[m.Problem, ...],
           text: str | None = None) -> reading.Loaded:
    """A reading.Loaded; its text is read and decoded when first asked for, if not given."""
    problems = (reading.bom_warnings(snapshot.head(3), snapshot.file) + snapshot.interrupted()
                + tuple(problems))
    return reading.Loaded(snapshot.file, _text_reader(snapshot) if text is None else text,
                          ledger, problems)


def _text_reader(snapshot: Snapshot):
    """Reads the text the cache described (2 bytes a character for a ledger with one 'œ'),
    or refuses if the file is no longer that content."""
    def read() -> str:
        seen = files.identity(snapshot.info)
        data = snapshot.read()
        if files.identity(snapshot.info) != seen:
            raise m.refusal(
                "changed", "the ledger changed while emploi was reading it; run the "
                "command again", place=m.Place(snapshot.file))
        return reading.decode(data, snapshot.file)
    return read


def _parts_of(ledger: m.Ledger) -> dict[str, Part] | None:
    journal = ledger.journal
    return journal.parts if isinstance(journal, ColumnJournal) else None


def _reads_as(entry: m.JournalEntry, written: dict) -> bool:
    """The entry holds exactly the values of `written` (the keys emploi wrote for it; those
    it did not write hold the field's default, as the pattern that read it sees no key)."""
    for key, value in written.items():
        if key in reading.PROVENANCE_KEYS:
            got = getattr(entry.provenance, key)
        else:
            got = getattr(entry, "transaction_kind" if key == "kind" else key, None)
        if key == "tags" and type(value) is dict:
            value = tuple(sorted(value.items()))
        if type(got) is not type(value) or got != value:
            return False
    return True


def _counts(ledger: m.Ledger) -> dict[str, int]:
    parts = _parts_of(ledger)
    if parts is not None:
        return {kind: parts[kind].count for kind in KINDS}
    counts = dict.fromkeys(KINDS, 0)
    for e in ledger.journal:
        counts[e.kind] += 1
    return counts


def _positions(ledger: m.Ledger, ids: set[str]) -> dict[str, list[int]]:
    """kind -> indexes (within the kind) of the entries whose id is in `ids`."""
    found: dict[str, list[int]] = {}
    if not ids:
        return found
    parts = _parts_of(ledger)
    if parts is not None:
        for kind, part in parts.items():
            if part.count:
                hits = [i for i, v in enumerate(part.column("id")) if v in ids]
                if hits:
                    found[kind] = hits
        return found
    first: dict[str, int] = {}
    for e in ledger.journal:
        first.setdefault(e.kind, e.seq)
        if e.id in ids:
            found.setdefault(e.kind, []).append(e.seq - first[e.kind])
    return found


def _references(ledger: m.Ledger, added: list[m.JournalEntry], file: str
                ) -> tuple[list[m.Problem], dict[str, list[int]]] | None:
    """ledger.py's reference rules on the new entries, run on the definitions, the new entries,
    the existing entries of the rare kinds and a stand-in for each other entry a void names;
    ids checked against all ids. Also where the entries the new voids name are. None: a new
    id is taken."""
    new_ids = [e.id for e in added]
    named = {e.entry for e in added if isinstance(e, m.VoidEntry)}
    taken = _taken(ledger, {*new_ids, *named, *ledger.voided_ids})
    if len(set(new_ids)) != len(new_ids) or not taken.isdisjoint(new_ids):
        return None
    rare = [e for kind in KINDS if kind not in _COLUMNAR for e in ledger.entries(
        KIND_CLASSES[kind])]
    voided = _positions(ledger, named)
    stand_ins = [m.ProgressEntry(ident, date(1900, 1, 1), 0, m.Provenance(), "", 0)
                 for ident in sorted((set(ledger.voided_ids) | named) & taken
                                     - {e.id for e in rare})]  # no reference of their own
    # seq numbers only place problems, and any problem refuses the shortcut
    journal = (*added, *(replace(e, seq=len(added) + i) for i, e in enumerate([*stand_ins, *rare])))
    small = m.Ledger(**{f.name: getattr(ledger, f.name) for f in fields(m.Ledger)
                        if f.name != "journal"}, journal=journal)
    builder = reading.Builder(file)
    builder.references(small)
    return builder.problems, voided


def _taken(ledger: m.Ledger, wanted: set[str]) -> set[str]:
    """Those of `wanted` that are ids of entries in the ledger: a pass over each id column,
    without a set of all 100,000 ids."""
    parts = _parts_of(ledger)
    if parts is None:
        return wanted.intersection(e.id for e in ledger.journal)
    return {i for part in parts.values() if part.count
            for i in wanted.intersection(part.column("id"))}


# ---- the ledger held as columns ----------------------------------------------------------


class Part:
    """The entries of one kind, as one list per field (decoded from the cache when first
    used). `seq` is not stored: it is the entry's position in the journal. `voided` holds the
    indexes of the entries a void names, `last` the latest date."""

    def __init__(self, kind: str, count: int, offset: int, columns: dict, voided: set[int],
                 last: date | None):
        self.kind, self.cls, self.count, self.offset = kind, KIND_CLASSES[kind], count, offset
        self.columns = columns  # name -> list, or a function that decodes it
        self.voided, self.last = voided, last
        self.built: list | None = None

    def column(self, name: str) -> list:
        if name == "seq":
            return list(range(self.offset, self.offset + self.count))
        value = self.columns[name]
        if not isinstance(value, list):
            value = self.columns[name] = value()
            if len(value) != self.count:
                raise ValueError(f"cache column {self.kind}.{name} has {len(value)} values")
        return value

    def _field_columns(self) -> list:
        result = []
        for f in fields(self.cls):
            if f.name == "provenance":
                parts = [self.column(f"provenance.{p.name}") for p in fields(m.Provenance)]
                result.append([m.Provenance(*values) for values in zip(*parts, strict=True)])
            else:
                result.append(self.column(f.name))
        return result

    def entries(self) -> list:
        if self.built is None:
            cls = self.cls
            self.built = [cls(*values) for values in zip(*self._field_columns(), strict=True)]
        return self.built

    def entry(self, index: int) -> m.JournalEntry:
        if self.built is not None:
            return self.built[index]
        values = []
        for f in fields(self.cls):
            if f.name == "provenance":
                values.append(m.Provenance(*[self.column(f"provenance.{p.name}")[index]
                                             for p in fields(m.Provenance)]))
            elif f.name == "seq":
                values.append(self.offset + index)
            else:
                values.append(self.column(f.name)[index])
        return self.cls(*values)


class ColumnJournal(Sequence):
    """A ledger's journal held as columns (`Part`s, one per entry kind, in the order ledger.py
    builds the journal), built into entries only when they are read one by one. Equal to the
    tuple of entries that parsing the file gives. Answers `of_kind`, `voided_ids` and
    `live_rows` (model.Ledger and position.live_rows ask for them) from the columns."""

    def __init__(self, parts: dict[str, Part]):
        self.parts = parts
        self.count = sum(part.count for part in parts.values())
        self._entries: tuple[m.JournalEntry, ...] | None = None

    def entries(self) -> tuple[m.JournalEntry, ...]:
        if self._entries is None:
            self._entries = tuple(e for part in self.parts.values() for e in part.entries())
        return self._entries

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):  # type: ignore[override]
        return self.entries()[index]

    def __iter__(self):
        return iter(self.entries())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ColumnJournal | tuple):
            return self.entries() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.entries())

    def __repr__(self) -> str:
        return repr(self.entries())

    def _part(self, cls: type) -> Part | None:
        kind = getattr(cls, "kind", None)
        return self.parts[kind] if KIND_CLASSES.get(kind) is cls else None  # type: ignore[arg-type]

    def of_kind(self, cls: type) -> tuple | None:
        """The entries of one kind; None for a class that is not one kind's."""
        part = self._part(cls)
        return None if part is None else tuple(part.entries())

    def voided_ids(self) -> frozenset[str]:
        return frozenset(self.parts["void"].column("entry"))

    def live_rows(self, cls: type, names: tuple[str, ...], as_of: date) -> Iterable[tuple]:
        """position.live_rows from the columns: the named fields of the entries of one kind
        dated on or before as_of and not voided, in journal order (read once, lazily: no
        list of 100,000 rows)."""
        part = self._part(cls)
        if part is None:
            voided = self.voided_ids()
            get = attrgetter(*names)
            return [get(e) for e in self if isinstance(e, cls) and e.date <= as_of
                    and e.id not in voided]
        if not part.count:
            return []
        rows = zip(*[part.column(n) for n in names], strict=True)
        keep: Iterable[bool] | None = None
        if part.last is None or as_of < part.last:
            keep = map(as_of.__ge__, part.column("date"))
        if part.voided:
            live = [True] * part.count
            for index in part.voided:
                live[index] = False
            keep = live if keep is None else map(operator.and_, keep, live)
        return rows if keep is None else compress(rows, keep)


# ---- columns: from entries, to bytes and back ---------------------------------------------


def _column_names(cls: type) -> list[str]:
    names = []
    for f in fields(cls):
        if f.name == "provenance":
            names += [f"provenance.{p.name}" for p in fields(m.Provenance)]
        elif f.name != "seq":
            names.append(f.name)
    return names


def columns_of(journal: tuple[m.JournalEntry, ...]) -> dict[str, tuple[int, dict[str, list]]]:
    """kind -> (count, {column: values}); Unsupported unless the journal is in kind order with
    `seq` its position (how ledger.py builds it), which is what lets `seq` go unstored.
    Column by column, in C loops (itemgetter over the entries' dicts): 100,000 entries."""
    fields_of = list(map(vars, journal))
    kinds = list(map(itemgetter("kind"), fields_of))
    rank = {kind: i for i, kind in enumerate(KINDS)}
    ranks = [rank.get(kind, -1) for kind in kinds]
    if (-1 in ranks or ranks != sorted(ranks)
            or list(map(itemgetter("seq"), fields_of)) != list(range(len(journal)))):
        raise Unsupported("journal order")
    result, start = {}, 0
    for kind in KINDS:
        count = kinds.count(kind)
        group, dicts = journal[start:start + count], fields_of[start:start + count]
        start += count
        names = _column_names(KIND_CLASSES[kind])
        plain = [n for n in names if "." not in n]
        provenances = list(map(itemgetter("provenance"), dicts))
        if count and (set(map(type, group)) != {KIND_CLASSES[kind]}
                      or set(map(type, provenances)) != {m.Provenance}):
            raise Unsupported("entry type")
        columns = dict(zip(plain, map(list, zip(*map(itemgetter(*plain), dicts), strict=True)),
                           strict=True)) if count else {n: [] for n in plain}
        inner = list(map(vars, provenances))
        for name in names:
            if "." in name:
                columns[name] = list(map(itemgetter(name.partition(".")[2]), inner))
        result[kind] = (count, {name: columns[name] for name in names})
    return result


def _iso(value: datetime) -> str:
    if value.tzinfo is not None and type(value.tzinfo) is not timezone:
        raise Unsupported("time zone")
    return value.isoformat()


def _tag(value: object) -> tuple:
    kind = type(value)
    if value is None:
        return ("n",)
    if kind in (str, int, bool):
        return ({str: "s", int: "i", bool: "b"}[kind], value)
    if kind is Decimal:
        return ("D", str(value))
    if kind is date:
        return ("d", value.toordinal())  # type: ignore[attr-defined]
    if kind is datetime:
        return ("t", _iso(value))  # type: ignore[arg-type]
    if kind is tuple and _pairs(value):
        return ("p", value)
    raise Unsupported(kind.__name__)


def _pairs(value: object) -> bool:
    return all(type(p) is tuple and len(p) == 2 and type(p[0]) is str and type(p[1]) is str
               for p in value)  # type: ignore[attr-defined]


_CODECS = {str: "s", int: "i", date: "d", datetime: "t", Decimal: "D", tuple: "p"}


def _keys(codec: str, values: list) -> list:
    """What tells values apart exactly: equal Decimals 1.5 and 1.50, or equal datetimes in two
    time zones, must stay apart."""
    if codec == "D":
        return list(map(str, values))
    if codec == "t":
        zones = set(map(attrgetter("tzinfo"), values))
        if not all(zone is None or type(zone) is timezone for zone in zones):
            raise Unsupported("time zone")
        return values if len(zones) == 1 else list(map(datetime.isoformat, values))
    if codec == "g":
        return list(map(_tag, values))
    return values


def _table_json(codec: str, table: list) -> list | dict:
    if codec == "d":
        return [d.toordinal() for d in table]
    if codec == "t" and table and type(table[0]) is not str:
        zone = table[0].tzinfo  # one zone (checked by _keys): whole seconds are ints, exactly
        if zone is not None and not any(map(attrgetter("microsecond"), table)):
            return {"zone": zone.utcoffset(None).total_seconds(),
                    "seconds": list(map(int, map(datetime.timestamp, table)))}
        return list(map(datetime.isoformat, table))
    if codec == "p" and not all(map(_pairs, table)):
        raise Unsupported("tuple")
    return table


def _encode_column(values: list, blobs: Blobs) -> list:
    kinds = set(map(type, values))
    codec = _CODECS.get(kinds.pop(), "g") if len(kinds) == 1 else "g"
    keys = _keys(codec, values)
    table = list(dict.fromkeys(keys))
    body = blobs.json(_table_json(codec, table))
    if len(table) == len(keys):
        return [codec, body, -1, ""]
    lookup = {key: i for i, key in enumerate(table)}
    code = "B" if len(table) <= 0xFF else "H" if len(table) <= 0xFFFF else _U32
    return [codec, body, blobs.add(array(code, map(lookup.__getitem__, keys)).tobytes()), code]


def _untag(item: list) -> object:
    code = item[0]
    if code == "n":
        return None
    value = item[1]
    if code in ("s", "i", "b"):
        if type(value) is not {"s": str, "i": int, "b": bool}[code]:
            raise ValueError("cache value type")
        return value
    return _DECODE[code]([value])[0]


_DECODE = {
    "s": lambda table: table,
    "i": lambda table: table,
    "d": lambda table: [date.fromordinal(x) for x in table],
    "t": lambda table: _datetimes(table),
    "D": lambda table: [Decimal(x) for x in table],
    "p": lambda table: [tuple((k, v) for k, v in x) for x in table],
    "g": lambda table: [_untag(x) for x in table],
}


def _datetimes(table: list | dict) -> list[datetime]:
    if isinstance(table, dict):
        zone = timezone(timedelta(seconds=table["zone"]))
        return [datetime.fromtimestamp(x, zone) for x in table["seconds"]]
    return [datetime.fromisoformat(x) for x in table]


def _decoder(spec: list, blob) -> object:
    codec, table_blob, index_blob, code = spec

    def decode() -> list:
        table = _DECODE[codec](json.loads(blob(table_blob)))
        if index_blob < 0:
            return table
        return list(map(table.__getitem__, array(code, blob(index_blob))))
    return decode


def _encode_value(value: object) -> object:
    """Definitions and problems as JSON: model dataclasses and the values they hold."""
    kind = type(value)
    if value is None or kind in (str, int, bool):
        return value
    if kind is Decimal:
        return {"D": str(value)}
    if kind is date:
        return {"d": value.isoformat()}  # type: ignore[attr-defined]
    if kind is datetime:
        return {"t": _iso(value)}  # type: ignore[arg-type]
    if kind is tuple:
        return {"T": [_encode_value(v) for v in value]}  # type: ignore[attr-defined]
    if _MODEL.get(kind.__name__) is kind:
        return {"C": kind.__name__, "f": [_encode_value(getattr(value, f.name))
                                          for f in fields(kind)]}
    raise Unsupported(kind.__name__)


def _decode_value(item: object) -> object:
    if item is None or type(item) in (str, int, bool):
        return item
    if type(item) is not dict:
        raise ValueError("cache value")
    if "C" in item:
        cls = _MODEL[item["C"]]
        values = [_decode_value(v) for v in item["f"]]
        if len(values) != len(fields(cls)):
            raise ValueError("cache fields")
        return cls(*values)
    (code, value), = item.items()
    if code == "T":
        return tuple(_decode_value(v) for v in value)
    return {"D": Decimal, "d": date.fromisoformat, "t": datetime.fromisoformat}[code](value)


def _segment(journal: tuple[m.JournalEntry, ...], voided: dict[str, list[int]],
             blobs: Blobs) -> dict:
    segment: dict = {}
    for kind, (count, columns) in columns_of(journal).items():
        if count:
            dates = columns["date"]
            segment[kind] = {"count": count, "last": max(dates).toordinal(), "columns": {
                name: _encode_column(values, blobs) for name, values in columns.items()}}
    if voided:
        segment["voided"] = voided
    return segment


# ---- the cache file ----------------------------------------------------------------------


class Blobs:
    """The payload being written: byte strings, numbered in order."""

    def __init__(self, payload: bytes = b"", spans: list | None = None):
        self.parts: list[bytes] = [payload] if payload else []
        self.spans: list[list[int]] = list(spans or [])
        self.size = len(payload)

    def add(self, data: bytes) -> int:
        self.parts.append(data)
        self.spans.append([self.size, len(data)])
        self.size += len(data)
        return len(self.spans) - 1

    def json(self, value: object) -> int:
        return self.add(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def _name(real: Path) -> str:
    raw = os.fsencode(real)
    return f"{zlib.crc32(raw):08x}{zlib.adler32(raw):08x}{len(raw):04x}.cache"


def _code_id() -> str:
    check = zlib.crc32(f"{__version__}:{FORMAT}:{sys.byteorder}".encode())
    here = Path(__file__).parent.parent
    for name in _CODE_FILES:
        try:
            check = zlib.crc32((here / name).read_bytes(), check)
        except OSError:
            check = zlib.crc32(b"?", check)
    return f"{check:08x}"


class Stored:
    """A cache file as read (checked) or written."""

    def __init__(self, header: dict, payload: bytes, seen: tuple = ()):
        self.header, self.payload = header, payload
        self.seen = seen  # the cache file's inode, size and mtime when read

    def unchanged(self, path: Path) -> bool:
        """The cache file is still the one read (no other emploi has written it since)."""
        try:
            info = os.stat(path)
        except OSError:
            return False
        return (info.st_ino, info.st_size, info.st_mtime_ns) == self.seen

    @staticmethod
    def read(path: Path) -> Stored | None:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if (not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid()
                    or info.st_mode & 0o077):
                return None
            with os.fdopen(os.dup(fd), "rb") as stream:
                data = stream.read()
        except OSError:
            return None
        finally:
            os.close(fd)
        try:
            if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 40:
                return None
            body, check = data[:-4], data[-4:]
            if zlib.crc32(body).to_bytes(4, "little") != check:
                return None
            size = int.from_bytes(body[len(MAGIC):len(MAGIC) + 8], "little")
            start = len(MAGIC) + 8
            header = json.loads(body[start:start + size])
            if not isinstance(header, dict):
                return None
            return Stored(header, body[start + size:],
                          (info.st_ino, info.st_size, info.st_mtime_ns))
        except (ValueError, UnicodeDecodeError):
            return None

    def matches(self, real: Path, info: os.stat_result) -> bool:
        """Made by this emploi from this file as it is now (its stat; the content is proven
        by `settled`, else by `digest`)."""
        h = self.header
        return (h.get("emploi") == __version__ and h.get("format") == FORMAT
                and h.get("code") == _code_id() and h.get("real") == str(real)
                and {k: h.get(k) for k in _IDENTITY} == files.identity(info))

    def restamp(self, target: Path) -> Stored | None:
        """Write this cache again, marked settled: its file's stat now proves the content."""
        return _write(target, dict(self.header, settled=True),
                      Blobs(self.payload, self.header["blobs"]))

    def blob(self, number: int) -> bytes:
        offset, length = self.header["blobs"][number]
        return self.payload[offset:offset + length]

    def contents(self, file: str) -> tuple[m.Ledger | None, tuple[m.Problem, ...]]:
        h = self.header
        values = _decode_value(json.loads(self.blob(h["definitions"])))
        problems = _decode_value(json.loads(self.blob(h["problems"])))
        if not isinstance(values, tuple) or not isinstance(problems, tuple):
            raise ValueError("cache")
        if h.get("file") != file:
            problems = tuple(replace(p, place=replace(p.place, file=file))
                             if p.place.file == h.get("file") else p for p in problems)
        if h.get("ledger") is None:
            return None, problems
        names = [f.name for f in fields(m.Ledger) if f.name != "journal"]
        if len(values) != len(names):
            raise ValueError("cache")
        definitions = dict(zip(names, values, strict=True), path=file)
        return m.Ledger(**definitions, journal=ColumnJournal(self._parts())), problems

    def _parts(self) -> dict[str, Part]:
        segments = self.header["segments"]
        parts, offset = {}, 0
        for kind in KINDS:
            specs: list = []
            voided: set[int] = set()
            for segment in segments:
                voided.update(segment.get("voided", {}).get(kind, ()))
                if kind in segment:
                    specs.append(segment[kind])
            count = sum(spec["count"] for spec in specs)
            last = max((spec["last"] for spec in specs), default=None)
            columns: dict = {}
            for name in _column_names(KIND_CLASSES[kind]):
                columns[name] = _joined([_decoder(spec["columns"][name], self.blob)
                                         for spec in specs])
            if voided and not all(0 <= i < count for i in voided):
                raise ValueError("cache voided")
            parts[kind] = Part(kind, count, offset, columns, voided,
                               None if last is None else date.fromordinal(last))
            offset += count
        return parts

    def extend(self, target: Path, info: os.stat_result, settled: bool, digest: list,
               added: list[m.JournalEntry], voided: dict[str, list[int]]) -> None:
        """Write this cache again with `added` as one more segment, under the new identity."""
        header = dict(self.header)
        if len(header["segments"]) >= MAX_SEGMENTS:
            target.unlink(missing_ok=True)  # the next load writes it whole
            return
        blobs = Blobs(self.payload, header["blobs"])
        ordered = sorted(added, key=lambda e: KINDS.index(e.kind))
        journal = tuple(replace(e, seq=i) for i, e in enumerate(ordered))
        header.update(segments=[*header["segments"], _segment(journal, voided, blobs)],
                      blobs=blobs.spans, digest=digest, settled=settled, **files.identity(info))
        _write(target, header, blobs)


def _joined(decoders: list) -> object:
    if len(decoders) == 1:
        return decoders[0]

    def decode() -> list:
        values: list = []
        for decoder in decoders:
            values += decoder()
        return values
    return decode


def _store(snapshot: Snapshot, digest: list, ledger: m.Ledger | None,
           problems: tuple[m.Problem, ...], append_safe: bool) -> Stored | None:
    """Write the cache of a freshly parsed ledger; None (and nothing written) if it cannot."""
    folder = directory(create=True)
    if folder is None:
        return None
    try:
        blobs = Blobs()
        definitions: tuple = ()
        segment: dict = {}
        if ledger is not None:
            definitions = tuple(getattr(ledger, f.name) for f in fields(m.Ledger)
                                if f.name != "journal")
            segment = _segment(ledger.journal, _positions(ledger, set(ledger.voided_ids)),
                               blobs)
        header = {
            "emploi": __version__, "format": FORMAT, "code": _code_id(),
            "real": str(snapshot.real), "file": snapshot.file, "digest": digest,
            "settled": snapshot.settled(), **files.identity(snapshot.info),
            "append_safe": append_safe, "ledger": None if ledger is None else "columns",
            "definitions": blobs.json(_encode_value(definitions)),
            "problems": blobs.json(_encode_value(tuple(problems))),
            "segments": [segment]}
        header["blobs"] = blobs.spans
        return _write(folder / _name(snapshot.real), header, blobs)
    except (Unsupported, OSError, ValueError, TypeError, RecursionError):
        return None


def _write(target: Path, header: dict, blobs: Blobs) -> Stored | None:
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    payload = b"".join(blobs.parts)
    body = b"".join([MAGIC, len(head).to_bytes(8, "little"), head, payload])
    try:  # only an optimisation: not flushed to disk, and a failure costs speed only
        info = files.atomic_write(target, [body, zlib.crc32(body).to_bytes(4, "little")],
                                  mode=0o600, fsync=False)
    except OSError:
        return None
    return Stored(header, payload, (info.st_ino, info.st_size, info.st_mtime_ns))

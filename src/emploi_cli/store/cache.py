"""A cache of loaded ledgers: a data-only file keyed by the ledger's stat.

`load(path)` returns exactly what `reading.load(path)` returns. The first run reads the ledger
with fastparse and writes, under `$XDG_CACHE_HOME/emploi/` (else `~/.cache/emploi/`), one file
per ledger: a JSON header (emploi's version, a fingerprint of the code that reads ledgers, the
ledger's real path, its stat, the SHA-256 of its bytes, the definitions and problems as JSON of
the model's named tuples) and the journal as columns, one JSON list per field and entry kind
(with a list of numbers into a table of the distinct values where values repeat).

A later run uses the cache when the ledger's stat is the one recorded, and the stat proves the
content (it had settled: snapshot.settled) or the bytes hash to the digest. When the ledger has
grown and its first bytes still hash to the digest, it was appended to (by emploi, by hand or
by a merge): the appended text alone is parsed, and the cache extended with it, when that
proves what parsing the whole file would. Anything else parses the ledger and writes the cache
again. The file must be a regular file of the user's own, open to no one else, in a folder no
one else can write to, and its CRC-32 must match; it holds data only. A cache that cannot be
written only costs speed.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import zlib
from array import array
from datetime import date, datetime, timezone
from decimal import Decimal
from itertools import chain
from pathlib import Path

from .. import __version__
from ..domain import model as m
from ..domain.columns import KIND_CLASSES, KINDS, ColumnJournal, Part, column_names
from . import files, reading
from .snapshot import Snapshot, settled, settled_stat

FORMAT = 2
MAGIC = b"emploi-cache-2\n\x00"
MAX_PARTS = 64  # appends proven by their own digest before the ledger is parsed whole again
_U32 = next(code for code in "ILQ" if array(code).itemsize == 4)
_CODE_FILES = ("domain/model.py", "domain/limits.py", "domain/columns.py",
               "domain/translations.py", "store/reading.py", "store/locate.py",
               "store/fastparse.py", "store/cache.py", "store/snapshot.py")
_MODEL = {name: cls for name, cls in vars(m).items() if isinstance(cls, type)
          and issubclass(cls, tuple) and hasattr(cls, "_fields")}


class StoredColumn:
    """One stored column, read when first asked for: a table of its distinct values (JSON),
    and where values repeat, each entry's index into the table (an array's bytes). Called, it
    gives the values; `coded()` gives (table, indexes) without looking each value up."""

    __slots__ = ("codec", "indexes_blob", "table", "table_blob")

    def __init__(self, codec: str, table_blob: bytes, indexes_blob: tuple[str, bytes] | None):
        self.codec, self.table_blob, self.indexes_blob = codec, table_blob, indexes_blob
        self.table: list | None = None

    def values_table(self) -> list:
        if self.table is None:
            self.table = _DECODE[self.codec](json.loads(bytes(self.table_blob)))
        return self.table

    def coded(self) -> tuple[list, array] | None:
        if self.indexes_blob is None:
            return None
        numbers = array(self.indexes_blob[0])
        numbers.frombytes(self.indexes_blob[1])
        return self.values_table(), numbers

    def __call__(self) -> list:
        coded = self.coded()
        return self.values_table() if coded is None else list(map(coded[0].__getitem__,
                                                                  coded[1]))


class Unsupported(Exception):
    """A value the cache cannot hold exactly: such a ledger is simply not cached."""


def disabled(no_cache: bool = False) -> bool:
    return no_cache or os.environ.get("EMPLOI_NO_CACHE", "") not in ("", "0")


def _folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(base) if base and os.path.isabs(base) else Path.home() / ".cache") / "emploi"


def directory(create: bool = False) -> Path | None:
    """The cache folder, when it is ours and no one else can write to it."""
    folder = _folder()
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


def load(path: Path, *, no_cache: bool = False) -> reading.Loaded:
    """`reading.load(path)`, from the cache when it holds this very content."""
    return Cached(Snapshot(Path(os.path.realpath(path)), str(path)), no_cache).loaded


class Cached:
    """One ledger read through the cache (`loaded`); `append_safe` says whether an append can
    be checked on its own, and `appended` extends the cache with what a writer appended."""

    def __init__(self, look: Snapshot, no_cache: bool):
        self.look, self.use = look, not disabled(no_cache)
        self.target = _folder() / _name(look.real) if self.use else None
        self.stored: Stored | None = None
        self.append_safe = False
        self.loaded = self._cached() or self._parse()

    def _cached(self) -> reading.Loaded | None:
        look = self.look
        stored = None if self.target is None or directory() is None else Stored.read(
            self.target)
        if stored is None or look.limit is not None or not stored.made_here(look.real):
            return None
        h = stored.header
        try:
            if h["stat"] != files.identity(look.info):
                if not (h["append_safe"] and h["clean"] and look.info.st_size > h["stat"]["size"]
                        and len(h["digest"]) < MAX_PARTS):
                    return None
                stored = self._grown(stored, look.read())
            elif not h["settled"]:  # the stat alone proves nothing: hash
                data = look.read()
                if (look.limit is not None or h["stat"] != files.identity(look.info)
                        or not _matches(h["digest"], data)):
                    return None
                if look.settled():  # from now on the stat alone proves this content
                    stored = stored.write(self.target, settled=True) or stored
            if stored is None:
                return None
            ledger, problems = stored.contents(look.file)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, Unsupported):
            return None
        self.stored, self.append_safe = stored, h["append_safe"]
        return _loaded(look, ledger, problems)

    def _grown(self, stored: Stored, data: bytes) -> Stored | None:
        """The cache extended by the text appended since, when parsing it alone proves what
        parsing the whole file would; None otherwise."""
        from . import fastparse

        h, look = stored.header, self.look
        size = h["stat"]["size"]
        if (look.limit is not None or look.info.st_size != len(data)
                or not _matches(h["digest"], data[:size])
                or (data[size - 1:size] not in (b"\n", b"") and data[size:size + 1] != b"\n")):
            return None
        ledger = stored.contents(look.file)[0]
        try:
            added = fastparse.appended(ledger, data[size:].decode("utf-8"), look.file)
        except UnicodeError:
            return None
        if added is None:
            return None
        return stored.extend(self.target, ledger, added, look.info, look.settled(),
                             [*h["digest"], _digest(data[size:])])

    def _parse(self) -> reading.Loaded:
        from . import fastparse

        look = self.look
        data = look.read()
        ledger, problems, text, self.append_safe = fastparse.parse(data, look.file)
        if self.target is not None and look.limit is None:
            with contextlib.suppress(Unsupported, OSError, ValueError, TypeError,
                                     RecursionError):
                self.stored = Stored.of(look, [_digest(data)], ledger, problems,
                                        self.append_safe).write(_ensured(self.target))
        return _loaded(look, ledger, problems, text)

    def appended(self, ledger: m.Ledger, added: list[m.JournalEntry], addition: bytes,
                 written: os.stat_result) -> None:
        """The append of `added` (checked, with no problem) to `ledger`, this cache's, is on
        disk, and `written` is the ledger's stat just after: extend the cache, waiting up to
        snapshot.FINE_MARGIN_NS for the file clock to move on so that the stat proves the
        content. A cache or a ledger changed meanwhile is left alone. Never raises."""
        stored = self.stored
        if (stored is None or not stored.header["clean"] or directory() is None
                or len(stored.header["digest"]) >= MAX_PARTS
                or not stored.unchanged(self.target)):
            return
        with contextlib.suppress(OSError, Unsupported, ValueError, TypeError, KeyError,
                                 AttributeError):
            stamp, info = settled_stat(self.look.real)
            if files.identity(info) == files.identity(written):
                stored.extend(self.target, ledger, added, info, settled(info, stamp),
                              [*stored.header["digest"], _digest(addition)])


def _ensured(target: Path) -> Path:
    """`target`, its folder created if need be (and still ours)."""
    if directory(create=True) != target.parent:
        raise OSError("no cache folder")
    return target


def _loaded(look: Snapshot, ledger: m.Ledger | None, problems: tuple[m.Problem, ...],
            text: str | None = None) -> reading.Loaded:
    """A reading.Loaded; its text is read and decoded when first asked for, if not given."""
    problems = (reading.bom_warnings(look.head(3), look.file) + look.interrupted()
                + tuple(problems))

    def read() -> str:
        seen = files.identity(look.info)
        data = look.read()
        if files.identity(look.info) != seen:
            raise m.refusal("changed", "the ledger changed while emploi was reading it; run "
                            "the command again", place=m.Place(look.file))
        return reading.decode(data, look.file)
    return reading.Loaded(look.file, read if text is None else text, ledger, problems)


def _digest(data: bytes | memoryview) -> list:
    import hashlib

    return [len(data), hashlib.sha256(data).hexdigest()]


def _matches(digest: list, data: bytes) -> bool:
    """`digest` is one [length, sha256] for each part of the content, in order: the text the
    cache was made from, then each append (so an append never hashes the whole file again)."""
    view, offset = memoryview(data), 0
    for length, _ in digest:
        if _digest(view[offset:offset + length]) != [length, _]:
            return False
        offset += length
    return offset == len(data)


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


# ---- the cache file ----------------------------------------------------------------------


class Stored:
    """A cache file: its header (JSON) and its blobs (byte strings the header numbers)."""

    def __init__(self, header: dict, blobs: list[bytes], seen: tuple = ()):
        self.header, self.blobs = header, blobs
        self.seen = seen  # the cache file's inode, size and mtime when read or written

    @staticmethod
    def of(look: Snapshot, digest: list, ledger: m.Ledger | None,
           problems: tuple[m.Problem, ...], append_safe: bool) -> Stored:
        """The cache of a freshly parsed ledger."""
        blobs: list[bytes] = []
        definitions = () if ledger is None else tuple(
            getattr(ledger, name) for name in m.Ledger._fields if name != "journal")
        header = {
            "emploi": __version__, "format": FORMAT, "code": _code_id(),
            "real": str(look.real), "file": look.file, "stat": files.identity(look.info),
            "settled": look.settled(), "digest": digest, "append_safe": append_safe,
            "clean": not any(p.is_error for p in problems), "ledger": ledger is not None,
            "definitions": _blob(blobs, _json(_encode_value(definitions))),
            "problems": _blob(blobs, _json(_encode_value(tuple(problems)))), "kinds": {}}
        if ledger is not None:
            voided, groups = set(ledger.voided_ids), _by_kind(ledger.journal)
            if [e.seq for e in chain(*groups.values())] != list(range(len(ledger.journal))):
                raise Unsupported("journal order")  # seq is an entry's place: not stored
            for kind, entries in groups.items():
                header["kinds"][kind] = {
                    "count": len(entries), "columns": _columns(kind, entries, blobs),
                    "voided": [i for i, e in enumerate(entries) if e.id in voided],
                    "last": max((e.date for e in entries), default=date.min).toordinal()}
        return Stored(header, blobs)

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
        body = memoryview(data)[:-4]
        if (not data.startswith(MAGIC) or len(data) < len(MAGIC) + 12
                or zlib.crc32(body).to_bytes(4, "little") != data[-4:]):
            return None
        start = len(MAGIC) + 8
        end = start + int.from_bytes(data[len(MAGIC):start], "little")
        try:
            header = json.loads(body[start:end].tobytes())
            spans = header.pop("blobs")
            blobs, offset = [], end
            for length in spans:
                blobs.append(body[offset:offset + length])
                offset += length
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        return Stored(header, blobs, (info.st_ino, info.st_size, info.st_mtime_ns))

    def write(self, target: Path, **changes: object) -> Stored | None:
        """Write this cache to `target` (with `changes` to its header); None if that fails."""
        header = dict(self.header, **changes)
        head = _json(dict(header, blobs=list(map(len, self.blobs))))
        body = [MAGIC, len(head).to_bytes(8, "little"), head, *self.blobs]
        check = 0
        for part in body:
            check = zlib.crc32(part, check)
        try:  # only an optimisation: not flushed to disk, and a failure costs speed only
            info = files.atomic_write(target, [*body, check.to_bytes(4, "little")],
                                      mode=0o600, fsync=False)
        except OSError:
            return None
        return Stored(header, self.blobs, (info.st_ino, info.st_size, info.st_mtime_ns))

    def unchanged(self, path: Path | None) -> bool:
        """The cache file is still the one read or written (no other emploi wrote it since)."""
        try:
            info = os.stat(path)  # type: ignore[arg-type]
        except (OSError, TypeError):
            return False
        return (info.st_ino, info.st_size, info.st_mtime_ns) == self.seen

    def made_here(self, real: Path) -> bool:
        """Made by this emploi, with this code, from the file at `real`."""
        h = self.header
        return (h.get("emploi") == __version__ and h.get("format") == FORMAT
                and h.get("code") == _code_id() and h.get("real") == str(real))

    def contents(self, file: str) -> tuple[m.Ledger | None, tuple[m.Problem, ...]]:
        h = self.header
        values = _decode_value(json.loads(bytes(self.blobs[h["definitions"]])))
        problems = _decode_value(json.loads(bytes(self.blobs[h["problems"]])))
        if type(values) is not tuple or type(problems) is not tuple:  # not a record
            raise ValueError("cache")
        if h["file"] != file:
            problems = tuple(p._replace(place=p.place._replace(file=file))
                             if p.place.file == h["file"] else p for p in problems)
        if not h["ledger"]:
            return None, problems
        names = [name for name in m.Ledger._fields if name != "journal"]
        if len(values) != len(names):
            raise ValueError("cache")
        definitions = dict(zip(names, values, strict=True), path=file)
        return m.Ledger(**definitions, journal=self._journal()), problems

    def _journal(self) -> ColumnJournal:
        parts, offset = {}, 0
        for kind in KINDS:
            spec = self.header["kinds"].get(kind, {"count": 0, "voided": [], "last": 1})
            count, voided = spec["count"], set(spec["voided"])
            if not all(0 <= i < count for i in voided):
                raise ValueError("cache voided")
            columns: dict = {name: [] for name in column_names(KIND_CLASSES[kind])}
            if count:
                columns = {name: self._decoder(spec["columns"][name]) for name in columns}
            parts[kind] = Part(kind, count, offset, columns, voided,
                               date.fromordinal(spec["last"]))
            offset += count
        return ColumnJournal(parts)

    def _decoder(self, spec: list) -> StoredColumn:
        return StoredColumn(spec[0], self.blobs[spec[1]],
                            None if spec[2] < 0 else (spec[4], self.blobs[spec[2]]))

    def extend(self, target: Path | None, ledger: m.Ledger, added: list[m.JournalEntry],
               info: os.stat_result, now_settled: bool, digest: list) -> Stored | None:
        """This cache with `added` appended to `ledger` (its ledger), for the file whose stat
        is now `info`, written to `target`."""
        if target is None:
            return None
        blobs = list(self.blobs)
        kinds = json.loads(json.dumps(self.header["kinds"]))
        named = {e.entry for e in added if isinstance(e, m.VoidEntry)}
        for kind, new in _by_kind(added).items():
            spec = kinds.setdefault(kind, {"count": 0, "voided": [], "last": 1})
            old = spec["count"]
            if named and old:
                journal = ledger.journal
                ids = (journal.parts[kind].column("id") if isinstance(journal, ColumnJournal)
                       else [e.id for e in ledger.entries(KIND_CLASSES[kind])])
                spec["voided"] = sorted({*spec["voided"], *(
                    i for i, ident in enumerate(ids) if ident in named)})
            if not new:
                continue
            if not old:
                spec["columns"] = _columns(kind, new, blobs)
            else:
                for name, values in _values(kind, new).items():
                    _extend_column(spec["columns"][name], values, blobs)
            spec["voided"] += [old + i for i, e in enumerate(new) if e.id in named]
            spec["count"] = old + len(new)
            spec["last"] = max(spec["last"], *(e.date.toordinal() for e in new))
        return Stored(self.header, blobs).write(target, kinds=kinds, settled=now_settled,
                                                digest=digest, stat=files.identity(info))


def _blob(blobs: list[bytes], data: bytes) -> int:
    blobs.append(data)
    return len(blobs) - 1


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


# ---- the journal as columns --------------------------------------------------------------


def _by_kind(journal) -> dict[str, list[m.JournalEntry]]:
    """The entries of each kind, in journal order; Unsupported unless each is exactly its
    kind's class with its provenance."""
    groups: dict[str, list] = {kind: [] for kind in KINDS}
    for entry in journal:
        groups[entry.kind].append(entry)
    for kind, entries in groups.items():
        if (set(map(type, entries)) - {KIND_CLASSES[kind]}
                or {type(e.provenance) for e in entries} - {m.Provenance}):
            raise Unsupported("entry type")
    return groups


def _values(kind: str, entries: list) -> dict[str, list]:
    """Column name -> values: the entries transposed, in C loops (100,000 entries)."""
    cls = KIND_CLASSES[kind]
    by_field = dict(zip(cls._fields, map(list, zip(*entries, strict=True)), strict=True))
    recorded = dict(zip(m.Provenance._fields,
                        map(list, zip(*by_field["provenance"], strict=True)), strict=True))
    return {name: recorded[name.partition(".")[2]] if "." in name else by_field[name]
            for name in column_names(cls)}


def _columns(kind: str, entries: list, blobs: list[bytes]) -> dict[str, list]:
    """Each column as [codec, table blob, index blob or -1, table size, index type]: the
    values as JSON keys, and where values repeat, a table of the distinct keys and each
    value's index into it."""
    if not entries:
        return {}
    found = {}
    for name, values in _values(kind, entries).items():
        codec = _codec(values)
        keys = _keys(codec, values)
        table = list(dict.fromkeys(keys))
        if len(table) == len(keys):
            found[name] = [codec, _blob(blobs, _json(table)), -1]
        else:
            lookup = {key: i for i, key in enumerate(table)}
            code = _code(len(table))
            index = array(code, map(lookup.__getitem__, keys)).tobytes()
            found[name] = [codec, _blob(blobs, _json(table)), _blob(blobs, index), len(table),
                           code]
    return found


def _code(size: int) -> str:
    """The array type code of the indexes into a table of `size` values."""
    return "B" if size <= 0xFF else "H" if size <= 0xFFFF else _U32


def _extend_column(spec: list, values: list, blobs: list[bytes]) -> None:
    """Append `values` to a stored column: their keys join the table (as new entries: the
    table is not read), and their indexes the index."""
    if _codec(values, spec[0]) != spec[0]:
        raise Unsupported("column type")
    keys = _keys(spec[0], values)
    table = bytes(blobs[spec[1]])
    if spec[2] >= 0:
        new = list(dict.fromkeys(keys))
        lookup = {key: spec[3] + i for i, key in enumerate(new)}
        numbers = array(spec[4])
        numbers.frombytes(blobs[spec[2]])
        spec[3] += len(new)
        if _code(spec[3]) != spec[4]:
            spec[4] = _code(spec[3])
            numbers = array(spec[4], numbers)
        numbers.extend(map(lookup.__getitem__, keys))
        blobs[spec[2]] = numbers.tobytes()
        keys = new
    added = _json(keys)
    blobs[spec[1]] = added if table == b"[]" else table[:-1] + b"," + added[1:]


_CODECS = {str: "s", int: "i", date: "d", datetime: "t", Decimal: "D", tuple: "p"}


def _codec(values: list, empty: str = "s") -> str:
    kinds = set(map(type, values)) - {type(None)}
    if len(kinds) > 1 or kinds - set(_CODECS):
        raise Unsupported("column type")
    return _CODECS[kinds.pop()] if kinds else empty


def _iso(value: datetime) -> str:
    if value.tzinfo is not None and type(value.tzinfo) is not timezone:
        raise Unsupported("time zone")
    return value.isoformat()


def _pairs(value: tuple) -> str:
    if not all(type(p) is tuple and len(p) == 2 and type(p[0]) is str and type(p[1]) is str
               for p in value):
        raise Unsupported("tuple")
    return _json(value).decode()


_ENCODE = {"d": date.toordinal, "t": _iso, "D": str, "p": _pairs}


def _keys(codec: str, values: list) -> list:
    """The values as JSON values that tell them apart exactly (Decimals 1.5 and 1.50, or
    datetimes in two time zones, stay apart); None stays None."""
    encode = _ENCODE.get(codec)
    if encode is None:
        return values
    return [None if v is None else encode(v) for v in values]


def _decoded(function):
    return lambda keys: [None if k is None else function(k) for k in keys]


_DECODE = {"s": list, "i": list, "d": _decoded(date.fromordinal),
           "t": _decoded(datetime.fromisoformat), "D": _decoded(Decimal),
           "p": _decoded(lambda k: tuple(map(tuple, json.loads(k))))}


# ---- definitions and problems as JSON ----------------------------------------------------


def _encode_value(value: object) -> object:
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
        return {"C": kind.__name__, "f": [_encode_value(v) for v in value]}
    raise Unsupported(kind.__name__)


def _decode_value(item: object) -> object:
    if item is None or type(item) in (str, int, bool):
        return item
    if type(item) is not dict:
        raise ValueError("cache value")
    if "C" in item:
        cls = _MODEL[item["C"]]
        values = [_decode_value(v) for v in item["f"]]
        if len(values) != len(cls._fields):
            raise ValueError("cache fields")
        return cls(*values)
    (code, value), = item.items()
    if code == "T":
        return tuple(_decode_value(v) for v in value)
    return {"D": Decimal, "d": date.fromisoformat, "t": datetime.fromisoformat}[code](value)


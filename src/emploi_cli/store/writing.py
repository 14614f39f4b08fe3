"""Appending entries to a ledger: validate, then append under a lock, atomically.

The protocol (docs/guarantees.md states what it promises):
1. lock a sidecar file `.NAME.lock` beside the ledger's real path (flock, released by the
   kernel if the process dies; a symlinked ledger is written through to its target), and
   finish what a writer that died there left: an append it had begun is removed;
2. read the ledger, build the entries from it (the builder validates against what is there now);
3. serialise them with tomli-w behind a header written by hand, parse the whole would-be
   document and check: exactly these entries added, every other value unchanged, no error
   (when the old text is a head plus `[[journal]]` entries, which fastparse.py established
   on reading it, parsing the appended entries alone proves the same: `checked_alone`);
4. check the ledger is still the file that was read (else start again, then refuse); record
   in the lock file where the append begins and what it is, fsynced; write the entry at the
   end of the ledger, fsync it; clear the record.
The bytes before the entry are never written. A writer that dies in step 4 leaves the old
file, the old file plus the whole entry, or (killed inside the one `write` of the entry) the
old file plus a part of it, which every reader leaves out (the record says where it begins,
snapshot.Snapshot) and the next writer removes: a write happens whole or not at all.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import stat
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..domain import limits
from ..domain import model as m
from ..domain.columns import ColumnJournal
from . import cache, files, reading, snapshot

LOCK_TIMEOUT_S = 30.0
RETRIES = 3


@dataclass(frozen=True)
class Appended:
    """What an append wrote, and the file before it."""

    path: str
    entries: tuple[tuple[str, dict], ...]  # (kind, fields) as written
    warnings: tuple[m.Problem, ...]
    addition: str = ""  # the text appended
    read: tuple[m.Problem, ...] = ()  # warnings about the ledger as read (unknown keys)


Build = Callable[[m.Ledger], tuple[list[tuple[str, dict]], list[m.Problem]]]


def _faulting(step: str) -> bool:
    return step in (os.environ.get("EMPLOI_TEST_CRASH_AT"), os.environ.get("EMPLOI_TEST_FAIL_AT"))


def _fault(step: str) -> None:
    """Crash injection for the fault tests: EMPLOI_TEST_CRASH_AT=<step> kills the process."""
    if os.environ.get("EMPLOI_TEST_CRASH_AT") == step:
        os._exit(86)
    if os.environ.get("EMPLOI_TEST_FAIL_AT") == step:
        raise OSError(errno.ENOSPC, "No space left on device (injected)")


def serialise(entries: list[tuple[str, dict]], newline: str = "\n") -> str:
    """`[[progress]]` + tomli-w body for each entry; the header is ours, never tomli-w's.

    Each entry is fenced by two comment lines carrying its id (`# entry ID` before the header,
    `# end ID` after the last key), so that its first and last lines are unique to it. Git's
    union merge (docs/git.md) hoists the lines that two sides' additions share at their start
    or end out of the merged chunk; without unique first and last lines it would splice two
    entries written in different clones into one table.
    """
    parts = []
    plain_text, prefixes = _PLAIN_TEXT.fullmatch, _PREFIXES
    days: dict[date, str] = {}  # a date's text, and the last date-time's: written once
    moment, moment_text = None, ""
    for kind, fields in entries:
        ident = fields.get("id")
        table = f"[[{m.ENTRY_TABLES[kind]}]]\n"
        lines = [f"\n# entry {ident}\n{table}" if ident else f"\n{table}"]
        for key, value in fields.items():
            # the usual pairs as _toml_pair writes them, without calling it (40,000 rows)
            prefix = prefixes.get(key) or _prefix(key)
            if prefix:
                kind_ = type(value)
                if kind_ is str:  # _plain_text, inline
                    if (value.isprintable() and '"' not in value  # type: ignore[attr-defined]
                            and "\\" not in value) or plain_text(value):  # type: ignore[arg-type]
                        lines.append(f'{prefix}"{value}"\n')
                        continue
                elif kind_ is int:
                    lines.append(f"{prefix}{value}\n")
                    continue
                elif kind_ is date:
                    day = days.get(value)
                    if day is None:
                        day = days[value] = str(value)
                    lines.append(f"{prefix}{day}\n")
                    continue
                elif kind_ is datetime:
                    if value is not moment:  # an import's entries share their stamp
                        moment, moment_text = value, str(value)
                    lines.append(f"{prefix}{moment_text}\n")
                    continue
            if isinstance(value, dict):  # an inline table, never a [sub.table] header
                inner = ", ".join([_toml_pair(k, v) for k, v in value.items()])
                lines.append(f"{_toml_pair(key, 0).split(' = ')[0]} = {{ {inner} }}\n")
            else:
                lines.append(_toml_pair(key, value) + "\n")
        if ident:
            lines.append(f"# end {ident}\n")
        parts.append("".join(lines))
    text = "".join(parts)
    return text.replace("\n", newline) if newline != "\n" else text


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")
_PREFIXES: dict[str, str] = {}  # key -> `key = ` for a bare key, "" for one tomli-w quotes
_PLAIN_TEXT = re.compile(r'[^"\\\x00-\x08\x0a-\x1f\x7f]*')  # what tomli-w writes unescaped


def _prefix(key: str) -> str:
    """`key = ` when the key is written bare, else "" (the keys are a few, written 40,000
    times by an import)."""
    found = _PREFIXES.get(key)
    if found is None:
        found = _PREFIXES[key] = f"{key} = " if _PLAIN_KEY.fullmatch(key) else ""
    return found


def _plain_text(text: str) -> bool:
    """tomli-w writes the text as it is, between quotes: the common case (printable, neither
    quote nor backslash) found without the pattern."""
    return (text.isprintable() and '"' not in text and "\\" not in text) or (
        _PLAIN_TEXT.fullmatch(text) is not None)


def _toml_pair(key: str, value: object) -> str:
    """`key = value` as `tomli_w.dumps({key: value})` writes it (without the line end); the
    usual keys and values (a plain string, a whole number, a date, a date-time) without
    calling it."""
    kind = type(value)
    prefix = _prefix(key)
    if prefix:
        if kind is str and _plain_text(value):  # type: ignore[arg-type]
            return f'{prefix}"{value}"'
        if kind in (int, date, datetime):
            return f"{prefix}{value}"
    import tomli_w

    return tomli_w.dumps({key: value}).rstrip("\n")


def append(path: Path, build: Build, *, dry_run: bool = False, no_cache: bool = False
           ) -> Appended:
    """Append what `build` makes of the current ledger. Raises EmploiError, changes nothing,
    on any refusal."""
    real = Path(os.path.realpath(path))
    file = str(path)
    try:
        info = files.ledger_stat(real, file, size_limit=False)  # what it is, its mode, names
    except m.EmploiError as exc:
        raise m.refusal(exc.problems[0].code, "{problem}", place=m.Place(file),
                        args={"problem": m.restated(exc.problems[0])}) from None
    if dry_run:
        return _prepare(real, file, build, no_cache, dry_run=True)[0]
    if not os.access(real, os.W_OK) or not info.st_mode & 0o222:
        raise m.refusal("read-only", "the ledger is read-only; nothing was written",
                        place=m.Place(file))
    if info.st_nlink > 1:
        raise m.refusal("hard-linked", "the ledger has {st_nlink} names (hard links); emploi "
                                       "writes only a ledger with one name, as its lock goes by "
                                       "the name; nothing was written", place=m.Place(file),
                        args={"st_nlink": info.st_nlink})
    _fault("before-lock")
    with _locked(real, file) as lock:
        _fault("after-lock")
        lock.recover()
        for _ in range(RETRIES):
            result, look, addition, cached, added = _prepare(real, file, build, no_cache)
            done, written = _commit(real, file, look, addition, lock)
            if done:
                if written is not None and added:  # under the lock: the next writer finds
                    cached.appended(cached.loaded.ledger, added, addition, written)  # it
                return result
        raise m.refusal("changed", "the ledger kept changing while emploi was writing "
                        "(someone else is editing it); nothing was written", place=m.Place(file))


def _prepare(real: Path, file: str, build: Build, no_cache: bool, dry_run: bool = False
             ) -> tuple[Appended, snapshot.Snapshot, bytes, cache.Cached, list | None]:
    try:
        look = snapshot.Snapshot(real, file)
        cached = cache.Cached(look, no_cache)  # = reading.build(parse_toml(text))
    except m.EmploiError as exc:
        problem = exc.problems[0]
        raise m.refusal("unreadable", "{problem}", place=m.Place(file),
                        args={"problem": m.restated(problem)}) from None
    loaded = cached.loaded
    if loaded.ledger is None or loaded.errors:
        first = loaded.errors[0] if loaded.errors else None
        where = m.phrase(" (first: {problem})", problem=m.restated(first)) if first else ""
        raise m.refusal("invalid-ledger", "the ledger has {count} error(s){where}; run `emploi "
                                          "check` and fix them before writing", place=m.Place(file),
                        args={"count": len(loaded.errors), "where": where})
    entries, warnings = build(loaded.ledger)
    head = look.head(4096)
    newline = "\r\n" if b"\r\n" in head else "\n"
    empty = look.info.st_size == (3 if head.startswith(b"\xef\xbb\xbf") else 0)
    joiner = "" if empty or look.tail() == b"\n" else newline
    addition = joiner + serialise(entries, newline)
    added = checked_alone(loaded, cached.append_safe, addition, entries)
    if added is None:  # the whole would-be document, then
        text = loaded.text
        _verify(reading.parse_toml(text, file), text + addition, file, entries)
    result = Appended(file, tuple(entries), tuple(warnings), addition,
                      tuple(reading.read_warnings(loaded.problems)))
    return result, look, addition.encode("utf-8"), cached, added


# a fence line, found with the line end before it (searched for by those characters: a
# pattern that begins with `^` is tried at every place of the text)
_FENCES = re.compile(rf"\n# (?:entry|end) {limits.ENTRY_ID_PATTERN}(?=\n)")


def checked_alone(loaded: reading.Loaded, append_safe: bool, addition: str,
                  entries: list[tuple[str, dict]]) -> list[m.JournalEntry] | None:
    """The new entries, when the appended text alone proves that the new document is the old
    one plus exactly `entries`, and valid ([] when it is, but the new ledger holds a warning);
    None: check the whole document instead. The ledger was read from a head plus
    `[[journal]]` entries (`append_safe`), so its definitions are unchanged by an append."""
    from . import fastparse

    ledger = loaded.ledger
    if not append_safe or ledger is None or loaded.errors:
        return None
    if any(mark in addition for mark in ('"""', "'''", "\r")) or addition.startswith("#"):
        return None  # (serialise's text begins with a line end, never with a fence)
    # the fence comments around each entry (serialise) are not part of the data
    first, *pieces = _FENCES.sub("", addition).split("\n[[")
    if first not in ("", "\n") or len(pieces) != len(entries):
        return None
    builder = reading.Builder(loaded.path)
    shared = fastparse.Shared()
    journal = ledger.journal  # the running count of each kind, from the journal's own
    counts = ({kind: part.count for kind, part in journal.parts.items()}
              if isinstance(journal, ColumnJournal) else Counter(e.kind for e in journal))
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
                    return None
            except ValueError:
                return None
            entry = builder.entry(kind, written, f"{m.ENTRY_TABLES[kind]}[{index}]",
                                  len(added))
            if entry is None:
                return None
        added.append(entry)
    problems = builder.problems + fastparse.references(ledger, added, loaded.path)
    if any(p.is_error for p in problems):
        return None
    return [] if problems else added


def _reads_as(entry: m.JournalEntry, written: dict) -> bool:
    """The entry holds exactly the values of `written` (the keys emploi wrote for it; those
    it did not write hold the field's default, as the pattern that read it sees no key)."""
    getters = _GETTERS
    try:
        for key, value in written.items():
            got = (getters.get(key) or _getter(key))(entry)
            if key == "tags" and type(value) is dict:
                value = tuple(sorted(value.items()))
            if type(got) is not type(value) or got != value:
                return False
    except AttributeError:  # a key its kind of entry has not
        return False
    return True


_GETTERS: dict[str, Callable[[m.JournalEntry], object]] = {}  # key -> its entry's value


def _getter(key: str) -> Callable[[m.JournalEntry], object]:
    from operator import attrgetter

    name = ("provenance." + key if key in reading.PROVENANCE_KEYS
            else "transaction_kind" if key == "kind" else key)
    found = _GETTERS[key] = attrgetter(name)
    return found


def _verify(old_doc: dict, new_text: str, file: str, entries: list[tuple[str, dict]]) -> None:
    """The would-be document parses, adds exactly `entries`, changes nothing else, is valid."""
    import tomllib
    from decimal import Decimal

    try:
        new_doc = tomllib.loads(new_text, parse_float=Decimal)
    except ValueError as exc:  # a TOML error (or an integer too long for Python to read)
        raise m.refusal("write-check", "the new entry would not parse ({exc}); nothing was "
                                       "written", place=m.Place(file), args={"exc": exc}) from None
    expected = {k: (list(v) if isinstance(v, list) else v) for k, v in old_doc.items()}
    for kind, fields in entries:
        table = m.ENTRY_TABLES[kind]
        expected[table] = [*expected.get(table, []), fields]
    if new_doc != expected:
        raise m.refusal("write-check", "the new entry would change more than one entry's worth "
                        "of the ledger (does it end inside an unclosed table?); nothing was "
                        "written", place=m.Place(file))
    loaded = reading.build(new_doc, new_text, file)
    if loaded.ledger is None or loaded.errors:
        raise m.refusal("write-check", "the entry would make the ledger invalid: {message}; "
                                       "nothing was written", place=m.Place(file),
                        args={"message": loaded.errors[0].message})


class _locked:
    """Exclusive flock on `.NAME.lock` beside the ledger; waits up to LOCK_TIMEOUT_S. The lock
    file also records the append in flight (snapshot.parse_lock): a generation that grows with
    each append begun, and the offset and bytes of the one not yet finished."""

    def __init__(self, real: Path, file: str):
        self.real, self.path = real, snapshot.lock_path(real)
        self.file = file
        self.fd = -1
        self.generation = 0

    def __enter__(self) -> _locked:
        flags = os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
        try:
            self.fd = os.open(self.path, flags, 0o666)
        except OSError as exc:
            raise m.refusal("unwritable", "cannot open the lock file {name} beside the ledger "
                                          "({reason}; it must be a plain file); nothing was "
                                          "written", place=m.Place(self.file),
                            args={"name": self.path.name, "reason": exc.strerror or exc}) from None
        try:
            info = os.fstat(self.fd)
            if not stat.S_ISREG(info.st_mode):
                raise m.refusal("unwritable", "the lock file {name} beside the ledger is not a "
                                              "plain file; nothing was written",
                                place=m.Place(self.file), args={"name": self.path.name})
            ledger = os.stat(self.real)
            if info.st_uid == os.geteuid() and not snapshot.lock_trusted(info, ledger):
                os.fchmod(self.fd, ledger.st_mode & 0o666)  # writable by the ledger's writers
            self._wait()
            now = os.lstat(self.path)  # removed or replaced while we waited: lock the new one
            if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
                os.close(self.fd)
                return self.__enter__()
        except BaseException:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            raise
        return self

    def _wait(self) -> None:
        deadline = time.monotonic() + LOCK_TIMEOUT_S
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise m.refusal("locked", "another emploi has held the ledger's lock for "
                                              "{LOCK_TIMEOUT_S} s; nothing was written",
                                    place=m.Place(self.file),
                                    args={"LOCK_TIMEOUT_S": format(LOCK_TIMEOUT_S,
                                                                   '.0f')}) from None
                time.sleep(0.005)
            except OSError as exc:
                raise m.refusal("unwritable", "cannot lock {name} beside the ledger ({reason}); "
                                              "nothing was written",
                                place=m.Place(self.file),
                                args={"name": self.path.name,
                                      "reason": exc.strerror or exc}) from None

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)

    def _write(self, record: dict, sync: bool) -> None:
        data = json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"
        _pwrite_all(self.fd, data, 0)
        os.ftruncate(self.fd, len(data))
        if sync:
            os.fsync(self.fd)

    def begin(self, offset: int, addition: bytes) -> None:
        """Record the append about to be written, durably, before the ledger is touched."""
        self.generation = int.from_bytes(os.urandom(6), "big")  # never the same bytes again
        self._write({"generation": self.generation, "offset": offset,
                     "addition": addition.decode("utf-8")}, sync=True)

    def end(self) -> None:
        """The append is on disk (or undone): forget it. A record that outlives this (a crash
        just before) is harmless: the next writer finds the whole entry in place."""
        with contextlib.suppress(OSError):
            self._write({"generation": self.generation}, sync=False)

    def held(self) -> bool:
        """The lock file is still the one locked (not removed or replaced meanwhile)."""
        try:
            now, mine = os.lstat(self.path), os.fstat(self.fd)
        except OSError:
            return False
        return (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino)

    def recover(self) -> None:
        """Remove what a writer that died while appending left of its entry."""
        try:
            if not snapshot.lock_trusted(os.fstat(self.fd), os.stat(self.real)):
                return  # a record others could have written: not believed, nothing cut
            raw = snapshot.read_all(self.fd)
        except OSError:
            raw = b""
        generation, pending = snapshot.parse_lock(raw)
        self.generation = max(generation, 0)
        if pending is None:
            if raw and generation < 0:
                self.end()  # a record cut short: its writer died before touching the ledger
            return
        offset, addition = pending
        try:
            fd = os.open(self.real, os.O_RDWR)
            try:
                size = os.fstat(fd).st_size
                if offset < size <= offset + len(addition) and snapshot.torn(
                        os.pread(fd, size - offset, offset), addition):
                    os.ftruncate(fd, offset)
                    os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise m.refusal("write-failed", "cannot remove an interrupted append ({reason}); "
                                            "nothing was written",
                            place=m.Place(self.file),
                                args={"reason": exc.strerror or exc}) from None
        self.end()


def _commit(real: Path, file: str, look: snapshot.Snapshot, addition: bytes,
            lock: _locked) -> tuple[bool, os.stat_result | None]:
    """Append `addition` to the ledger in place, at the end of what was read: (False, None) if
    the ledger is no longer the file that was read; else True and its stat just after the
    append, None if someone else wrote to it meanwhile (then the cache is not extended)."""
    offset = look.info.st_size
    try:
        _fault("before-write")
        fd = os.open(real, os.O_RDWR)
    except OSError as exc:
        raise m.refusal("write-failed", "{reason}; the ledger is unchanged",
                        place=m.Place(file), args={"reason": exc.strerror or exc}) from None
    started = False
    try:
        try:
            lock.begin(offset, addition)
            _fault("after-intent")
            if not lock.held():
                raise m.refusal("locked", "the lock file {name} was removed while emploi held "
                                          "it; nothing was written", place=m.Place(file),
                                args={"name": lock.path.name})
            if not _unchanged(fd, look):  # checked last: nothing slow between it and pwrite
                lock.end()
                return False, None
            started = True
            cut = len(addition) // 2 if _faulting("during-write") else len(addition)
            _pwrite_all(fd, addition[:cut], offset)
            _fault("during-write")
            _pwrite_all(fd, addition[cut:], offset + cut)
            written = os.fstat(fd)  # the file as this append left it, if nobody else wrote
            clean = written.st_size == offset + len(addition)
            _fault("before-fsync")
            os.fsync(fd)
            clean = clean and files.identity(os.fstat(fd)) == files.identity(written)
            _fault("after-append")
        except BaseException as exc:  # an error, or Ctrl-C: cut the ledger back
            if started:
                undone = _undo(fd, offset, lock)
            else:
                lock.end()
                undone = True
            if not isinstance(exc, OSError):
                raise
            raise m.refusal("write-failed", "{reason}; the ledger is unchanged" if undone else
                            "{reason}; the entry could not be taken back: it may be in the "
                            "ledger (a part of it is left out by every emploi command and "
                            "removed by the next write); run `emploi check`",
                            place=m.Place(file), args={"reason": exc.strerror or exc}) from None
        lock.end()
        with contextlib.suppress(OSError):  # another file renamed over the ledger meanwhile:
            if os.stat(real).st_ino != written.st_ino:  # the entry went to the old one
                return False, None
    finally:
        os.close(fd)
    return True, (written if clean else None)  # None: someone else wrote too; no cache


def _undo(fd: int, offset: int, lock: _locked) -> bool:
    """Cut the ledger back to `offset` after a failed append; False if that failed too (the
    record stays, for readers and the next writer)."""
    try:
        if os.fstat(fd).st_size != offset:
            os.ftruncate(fd, offset)
    except OSError:
        return False
    with contextlib.suppress(OSError):  # if this fails the record stays: it is harmless
        os.fsync(fd)
        lock.end()
    return True


def _pwrite_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view, offset = view[written:], offset + written


def _unchanged(fd: int, look: snapshot.Snapshot) -> bool:
    """The ledger is still the file the snapshot saw: by its stat when that proves the content
    (snapshot.settled), else by its bytes."""
    if files.identity(os.fstat(fd)) != files.identity(look.info):
        return False
    if look.data is None:
        return look.settled()
    return snapshot.read_all(fd) == look.data

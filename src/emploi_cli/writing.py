"""Appending entries to a ledger: validate, then append under a lock, atomically.

The protocol (docs/guarantees.md states what it promises):
1. lock a sidecar file `.NAME.lock` beside the ledger's real path (flock, released by the
   kernel if the process dies; a symlinked ledger is written through to its target);
2. read the ledger, build the entries from it (the builder validates against what is there now);
3. serialise them with tomli-w behind a header written by hand, parse the whole would-be
   document and check: exactly these entries added, every other value unchanged, no error
   (when the old text is a head plus `[[journal]]` entries, which fastparse.py established
   on reading it, parsing the appended entries alone proves the same: cache.py);
4. write old bytes + new bytes to a temporary file in the same folder, fsync, give it the
   ledger's mode, check the ledger was not changed by someone else meanwhile (else start
   again, then refuse), rename it over the ledger, fsync the folder.
A crash at any step leaves the old file or the whole new one; never a part of an entry.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path

from . import cache
from . import ledger as io
from . import model as m
from .model import record

LOCK_TIMEOUT_S = 30.0
RETRIES = 3


@record
class Appended:
    """What an append wrote, and the file before it."""

    path: str
    entries: tuple[tuple[str, dict], ...]  # (kind, fields) as written
    warnings: tuple[m.Problem, ...]
    addition: str = ""  # the text appended


Build = Callable[[m.Ledger], tuple[list[tuple[str, dict]], list[m.Problem]]]


def _fault(step: str) -> None:
    """Crash injection for the fault tests: EMPLOI_TEST_CRASH_AT=<step> kills the process."""
    if os.environ.get("EMPLOI_TEST_CRASH_AT") == step:
        os._exit(86)
    if os.environ.get("EMPLOI_TEST_FAIL_AT") == step:
        raise OSError(errno.ENOSPC, "No space left on device (injected)")


def _refuse(code: str, message: str, path: str = "") -> m.EmploiError:
    return m.EmploiError(m.error(code, message, m.Place(path)))


def serialise(entries: list[tuple[str, dict]], newline: str = "\n") -> str:
    """`[[progress]]` + tomli-w body for each entry; the header is ours, never tomli-w's.

    Each entry is fenced by two comment lines carrying its id (`# entry ID` before the header,
    `# end ID` after the last key), so that its first and last lines are unique to it. Git's
    union merge (docs/git.md) hoists the lines that two sides' additions share at their start
    or end out of the merged chunk; without unique first and last lines it would splice two
    entries written in different clones into one table.
    """
    import tomli_w

    parts = []
    for kind, fields in entries:
        lines = []
        for key, value in fields.items():
            if isinstance(value, dict):  # an inline table, never a [sub.table] header
                inner = ", ".join(tomli_w.dumps({k: v}).strip() for k, v in value.items())
                lines.append(f"{tomli_w.dumps({key: 0}).split(' = ')[0]} = {{ {inner} }}\n")
            else:
                lines.append(tomli_w.dumps({key: value}))
        ident = fields.get("id")
        opening, closing = (f"# entry {ident}\n", f"# end {ident}\n") if ident else ("", "")
        parts.append(f"\n{opening}[[{m.ENTRY_TABLES[kind]}]]\n{''.join(lines)}{closing}")
    text = "".join(parts)
    return text.replace("\n", newline) if newline != "\n" else text


def append(path: Path, build: Build, *, dry_run: bool = False, no_cache: bool = False
           ) -> Appended:
    """Append what `build` makes of the current ledger. Raises EmploiError, changes nothing,
    on any refusal."""
    real = Path(os.path.realpath(path))
    file = str(path)
    if not real.exists():
        raise _refuse("not-found", "no such file", file)
    if real.is_dir():
        raise _refuse("not-a-file", "is a directory, not a ledger file", file)
    if dry_run:
        return _prepare(real, file, build, no_cache, dry_run=True)[0]
    if not os.access(real, os.W_OK) or not os.stat(real).st_mode & 0o222:
        raise _refuse("read-only", "the ledger is read-only; nothing was written", file)
    _fault("before-lock")
    with _locked(real, file):
        _fault("after-lock")
        for _ in range(RETRIES):
            result, snapshot, addition, reader = _prepare(real, file, build, no_cache)
            if _commit(real, file, snapshot, addition):
                reader.appended(addition)  # extends the cache; never raises
                return result
        raise _refuse("changed", "the ledger kept changing while emploi was writing "
                      "(someone else is editing it); nothing was written", file)


def _prepare(real: Path, file: str, build: Build, no_cache: bool, dry_run: bool = False
             ) -> tuple[Appended, cache.Snapshot, bytes, cache.Reader]:
    try:
        snapshot = cache.Snapshot(real, file)
        reader = cache.Reader(snapshot, no_cache)  # = io.build(parse_toml(text))
    except m.EmploiError as exc:
        problem = exc.problems[0]
        raise _refuse("unreadable", problem.message, file) from None
    loaded = reader.loaded
    if loaded.ledger is None or loaded.errors:
        first = loaded.errors[0] if loaded.errors else None
        where = f" (first: {first.message})" if first else ""
        raise _refuse("invalid-ledger", f"the ledger has {len(loaded.errors)} error(s){where}; "
                      "run `emploi check` and fix them before writing", file)
    entries, warnings = build(loaded.ledger)
    head = snapshot.head(4096)
    newline = "\r\n" if b"\r\n" in head else "\n"
    empty = snapshot.info.st_size == (3 if head.startswith(b"\xef\xbb\xbf") else 0)
    joiner = "" if empty or snapshot.tail() == b"\n" else newline
    addition = joiner + serialise(entries, newline)
    if not reader.verify_append(addition, entries):  # checks the appended part alone
        text = loaded.text
        _verify(io.parse_toml(text, file), text + addition, file, entries)
    result = Appended(file, tuple(entries), tuple(warnings), addition)
    reader.release()
    return result, snapshot, addition.encode("utf-8"), reader


def _verify(old_doc: dict, new_text: str, file: str, entries: list[tuple[str, dict]]) -> None:
    """The would-be document parses, adds exactly `entries`, changes nothing else, is valid."""
    import tomllib
    from decimal import Decimal

    try:
        new_doc = tomllib.loads(new_text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise _refuse("write-check", f"the new entry would not parse ({exc}); nothing was "
                      "written", file) from None
    expected = {k: (list(v) if isinstance(v, list) else v) for k, v in old_doc.items()}
    for kind, fields in entries:
        table = m.ENTRY_TABLES[kind]
        expected[table] = [*expected.get(table, []), fields]
    if new_doc != expected:
        raise _refuse("write-check", "the new entry would change more than one entry's worth "
                      "of the ledger (does it end inside an unclosed table?); nothing was "
                      "written", file)
    loaded = io.build(new_doc, new_text, file)
    if loaded.ledger is None or loaded.errors:
        raise _refuse("write-check", f"the entry would make the ledger invalid: "
                      f"{loaded.errors[0].message}; nothing was written", file)


class _locked:
    """Exclusive flock on `.NAME.lock` beside the ledger; waits up to LOCK_TIMEOUT_S."""

    def __init__(self, real: Path, file: str):
        self.path = real.with_name(f".{real.name}.lock")
        self.file = file
        self.fd = -1

    def __enter__(self) -> _locked:
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise _refuse("unwritable", f"cannot create the lock file {self.path.name} beside "
                          f"the ledger ({exc.strerror}); nothing was written", self.file) from None
        deadline = time.monotonic() + LOCK_TIMEOUT_S
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(self.fd)
                    raise _refuse("locked", f"another emploi has held the ledger's lock for "
                                  f"{LOCK_TIMEOUT_S:.0f} s; nothing was written",
                                  self.file) from None
                time.sleep(0.005)

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def _commit(real: Path, file: str, snapshot: cache.Snapshot, addition: bytes) -> bool:
    """Write the ledger as read plus `addition` atomically over it; False if it changed since
    it was read. When the cache proved the content by the file's stat alone, the old bytes are
    copied by the kernel from the file (never read into memory), and the same proof is asked
    again before the rename; otherwise the bytes read are written, and compared again."""
    folder = real.parent
    for stale in folder.glob(f".{real.name}.*.emploi-tmp"):
        stale.unlink(missing_ok=True)  # left by a crashed writer; we hold the lock
    temp = folder / f".{real.name}.{os.getpid()}.emploi-tmp"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise _refuse("unwritable", f"cannot write beside the ledger ({exc.strerror}); nothing "
                      "was written", file) from None
    info = snapshot.info
    try:
        try:
            _fault("during-write")
            if snapshot.data is None:
                if not _copy(real, fd, snapshot):
                    temp.unlink(missing_ok=True)
                    return False
            else:
                _write_all(fd, snapshot.data)
            _write_all(fd, addition)
            _fault("before-fsync")
            os.fsync(fd)
            os.fchmod(fd, info.st_mode & 0o7777)
            with contextlib.suppress(PermissionError):
                os.fchown(fd, info.st_uid, info.st_gid)
        finally:
            os.close(fd)
        if not _unchanged(real, snapshot):
            temp.unlink(missing_ok=True)
            return False
        _fault("before-rename")
        os.replace(temp, real)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise _refuse("write-failed", f"{exc.strerror or exc}; the ledger is unchanged",
                      file) from None
    _fault("after-rename")
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass
    return True


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _copy(real: Path, fd: int, snapshot: cache.Snapshot) -> bool:
    """Copy the ledger's `snapshot.info.st_size` bytes into `fd` in the kernel; False if the
    file is no longer the one the snapshot saw."""
    source = os.open(real, os.O_RDONLY)
    try:
        if cache._identity(os.fstat(source)) != cache._identity(snapshot.info):
            return False
        left = snapshot.info.st_size
        while left:
            try:
                copied = os.copy_file_range(source, fd, left)
            except OSError as exc:  # not supported here: copy through user space
                if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL):
                    raise
                copied = 0
            if not copied:
                chunk = os.read(source, min(left, 1 << 20))
                if not chunk:
                    return False  # shorter than it was
                _write_all(fd, chunk)
                copied = len(chunk)
            left -= copied
        return True
    finally:
        os.close(source)


def _unchanged(real: Path, snapshot: cache.Snapshot) -> bool:
    """The ledger is still the file the snapshot saw: by its stat when that proves the
    content (cache.py), else by its bytes."""
    now = os.stat(real)
    if cache._identity(now) != cache._identity(snapshot.info):
        return False
    if snapshot.data is None:
        return cache._settled(snapshot.info, snapshot.stamp)
    return real.read_bytes() == snapshot.data

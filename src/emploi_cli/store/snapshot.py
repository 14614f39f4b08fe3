"""One look at a ledger file: its stat, whether that stat proves the content, and the part of
an unfinished append that every reader leaves out.

Appends are written in place (writing.py): a writer records in the ledger's lock file
`.NAME.lock` where its append begins and what it is, before touching the ledger. A reader that
finds such a record, and the file ending with a part of that append, leaves the part out; the
next writer removes it. The stat of a file proves its content once the file has settled: it
last changed more than two ticks of the kernel's file clock before the stat was taken
(`settled`, the rule git's index follows for "racily clean" files).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import time
from pathlib import Path

from ..domain import model as m
from . import files, reading


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


def settled(info: os.stat_result, stamp: int) -> bool:
    """True when `info`, taken just after the clock read `stamp`, proves the content: the file
    last changed more than a clock tick before, so any later change (a write, a rename over
    it, `touch` putting the mtime back) gives it another ctime. Git's index works the same
    way ("racy git"); within the margin the content must be hashed instead."""
    coarse = not info.st_mtime_ns % 1_000_000 and not info.st_ctime_ns % 1_000_000
    margin = COARSE_MARGIN_NS if coarse else FINE_MARGIN_NS
    return max(info.st_mtime_ns, info.st_ctime_ns) < stamp - margin


def lock_path(real: Path) -> Path:
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
        fd = os.open(lock_path(real), flags)
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
        return self.limit is None and settled(self.info, self.stamp)

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


SETTLE_FROM_BYTES = 1 << 20  # below, hashing the ledger at the next load costs less than waiting


def settled_stat(real: Path) -> tuple[int, os.stat_result]:
    """The stat of a file just written, taken once the clock has moved on far enough for it
    to prove the content: a wait of at most FINE_MARGIN_NS, for a ledger of SETTLE_FROM_BYTES
    or more (a smaller one is hashed by the next load instead); none on coarse file systems."""
    stamp, info = time.time_ns(), os.stat(real)
    wait = max(info.st_mtime_ns, info.st_ctime_ns) + FINE_MARGIN_NS - stamp
    if (not settled(info, stamp) and 0 < wait <= FINE_MARGIN_NS
            and info.st_size >= SETTLE_FROM_BYTES):
        time.sleep(wait / 1e9 + 0.001)
        stamp, info = time.time_ns(), os.stat(real)
    return stamp, info

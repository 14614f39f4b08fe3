"""Looking at a ledger file and replacing a file whole: the one stat check, the one atomic
write. Every reader and writer of the store, the SQLite export and `--output` use these."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..domain import limits
from ..domain import model as m


@contextlib.contextmanager
def refusing_os_errors(file: str) -> Iterator[None]:
    """The one way a failed look at or read of a file the user named becomes a refusal: with
    the file's name, one line, no traceback."""
    place = m.Place(file)
    try:
        yield
    except FileNotFoundError:
        raise m.refusal("not-found", "no such file", place=place) from None
    except PermissionError:
        raise m.refusal("unreadable", "permission denied", place=place) from None
    except OSError as exc:
        raise m.refusal("unreadable", "{reason}", place=place,
                        args={"reason": exc.strerror or m.phrase("cannot read")}) from None


def ledger_stat(path: Path, file: str, *, size_limit: bool = True) -> os.stat_result:
    """The stat of a ledger file; EmploiError with the file's name when it is missing or
    unreadable, a directory, not a regular file (a FIFO or a device could block or never end),
    or (with `size_limit`) larger than emploi reads."""
    place = m.Place(file)
    with refusing_os_errors(file):
        info = os.stat(path)
    if stat.S_ISDIR(info.st_mode):
        raise m.refusal("not-a-file", "is a directory, not a ledger file", place=place)
    if not stat.S_ISREG(info.st_mode):
        raise m.refusal("not-a-file", "is not a regular file, not a ledger file", place=place)
    if size_limit and info.st_size > limits.MAX_LEDGER_BYTES:
        raise m.refusal(
            "too-large", "file is {st_size} bytes; emploi reads ledgers up to {MAX_LEDGER_BYTES} "
                         "bytes", place=place,
            args={"st_size": format(info.st_size, ','),
                  "MAX_LEDGER_BYTES": format(limits.MAX_LEDGER_BYTES, ',')})
    return info


def identity(info: os.stat_result) -> dict:
    """What tells one state of a file from another: size, times, inode and device."""
    return {"size": info.st_size, "mtime_ns": info.st_mtime_ns, "ctime_ns": info.st_ctime_ns,
            "ino": info.st_ino, "dev": info.st_dev}


def atomic_write(target: Path, content: Iterable[bytes | str] | Callable[[Path], None], *,
                 mode: int | None = None, fsync: bool = True) -> os.stat_result:
    """Replace `target` whole, or leave it as it was. The content (byte strings or text,
    written as UTF-8; or a function that writes the file at the path it is given, as SQLite
    does) goes to a temporary file beside the file `target` names (through a symlink, its
    target: the link stays), which is flushed to disk and renamed over it. The new file has
    `mode` when given, else the mode of the file it replaces (a new one: as created, under
    the umask). Any error or interrupt removes the temporary file and is raised again.
    Returns the new file's stat."""
    real = Path(os.path.realpath(target))
    temp = real.with_name(f".{real.name}.{os.getpid()}.tmp")
    if mode is None:
        with contextlib.suppress(OSError):
            mode = os.stat(real).st_mode & 0o7777
    try:
        if callable(content):
            temp.unlink(missing_ok=True)
            content(temp)
            fd = os.open(temp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        else:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC
                         | getattr(os, "O_NOFOLLOW", 0), 0o600 if mode is not None else 0o666)
        try:
            if mode is not None:
                os.fchmod(fd, mode)
            for piece in () if callable(content) else content:
                view = memoryview(piece.encode() if isinstance(piece, str) else piece)
                while view:
                    view = view[os.write(fd, view):]
            if fsync:
                os.fsync(fd)
            info = os.fstat(fd)
        finally:
            os.close(fd)
        os.replace(temp, real)
    except BaseException:  # Ctrl-C too: no temporary file is left behind
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return info

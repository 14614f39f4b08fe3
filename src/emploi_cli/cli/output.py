"""The edge: what the CLI writes, where, and with which exit code.

`guarded` runs a command's body and turns every failure a user can cause into one line on
standard error and an exit code (the constants below, listed in docs/commands.md). `emit` is
the one place a report's format is chosen and its text written, to standard output or a file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import typer

from .. import api
from ..domain import model as m
from .options import Format, Lang, language, report_format

OK = 0
BAD_DATA = 1  # an unreadable or invalid ledger, a value it refuses, a failed check
USAGE = 2  # an unknown command or option, a malformed option value
STATUS_FAILING = 3  # `status --fail-on` found a target in that state or worse
RECONCILE_DIFFERS = 4  # `reconcile`: written, but the journal says otherwise
INTERRUPTED = 130


class Shown:
    """What the edge shows besides the output: `quiet` (--quiet) leaves warnings out."""

    quiet = False


def guarded(lang_option: Lang | None, body: Callable[[str], None], quiet: bool = False,
            shown: tuple[object, str | None] | None = None) -> None:
    """Run a command body in the chosen language; failures become a message and an exit code.
    `quiet`: no warnings on standard error. `shown`: the command's format and --output, for
    Arabic on a terminal (`for_terminal`)."""
    lang = language(lang_option)
    Shown.quiet = quiet
    if lang == "ar" and shown is not None:
        lang = for_terminal(*shown)
    try:
        body(lang)
    except api.BadOption as exc:
        usage_error(exc, lang)
        raise typer.Exit(USAGE) from None
    except m.EmploiError as exc:
        problems(exc.problems, lang)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        raise typer.Exit(INTERRUPTED) from None
    except typer.Exit:
        raise
    except Exception as exc:  # a bug: say so in one line, never dump locals
        if os.environ.get("EMPLOI_DEBUG"):
            raise
        from ..present.i18n import label

        stderr("emploi: " + label("internal_error", on_stderr(lang),
                                  error=f"{type(exc).__name__}: {exc}"))
        raise typer.Exit(BAD_DATA) from None


def usage_error(problem: m.Problem | api.BadOption, lang: str, command: str = "") -> None:
    """One line: `emploi: usage error: MESSAGE (try 'COMMAND -h' for help)`, in `lang` (the
    language of standard error: French for Arabic)."""
    from ..present.i18n import label, problem_text

    if isinstance(problem, m.EmploiError):
        problem = problem.problems[0]
    said = on_stderr(lang)
    text = " ".join(problem_text(problem, said).split())
    hint = ""
    if command:
        told = m.phrase(" (try '{command} -h' for help)", command=command)
        template = told.template
        hint = problem_text(m.error("usage", template, args=told.values), said)
    stderr(f"emploi: {label('usage_error', said)}: {text}{hint}")


def for_terminal(fmt: object, output: str | None) -> str:
    """Arabic, unless the text goes to a terminal (no --output, not json or csv): terminals
    do not shape nor order Arabic reliably, so there it is French, said in one line."""
    if output is not None or fmt in ("json", "csv", "csv-fr") or not _isatty(
            sys.stdout):
        return "ar"
    from ..present.i18n import label

    stderr(f"emploi: {label('arabic_on_terminal', 'fr')}")
    return "fr"


def on_stderr(lang: str) -> str:
    """The language of what goes to standard error, a terminal: French for Arabic."""
    return "fr" if lang == "ar" else lang


def problems(found: Iterable[m.Problem], lang: str) -> None:
    """Problems on standard error, one line each (with --quiet, errors only)."""
    from ..present.reports import problem_line

    lines = [f"emploi: {problem_line(p, on_stderr(lang))}" for p in found
             if p.is_error or not Shown.quiet]
    if lines:
        stderr("\n".join(lines))


def stderr(text: str) -> None:
    stream = sys.stderr
    try:
        stream.write(text.encode(stream.encoding or "utf-8", "replace").decode(
            stream.encoding or "utf-8") + "\n")
        stream.flush()
    except (BrokenPipeError, ValueError):
        pass


def emit(report, given: Format | None, lang: str, output: str | None,
         ledger_path: str | Sequence[str] = "") -> None:
    """Render once, write to stdout or a file, piece by piece as the report is rendered. The
    only place a report's format is dispatched: `given` (--format), else the one the output
    file's extension names, else a table."""
    from ..present.render import chunks

    fmt = report_format(given, output)
    stream = sys.stdout
    terminal = output is None and fmt == "table" and _isatty(stream)
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower()
    ascii_only = output is None and encoding in ("ascii", "us-ascii", "ansi_x3.4-1968")
    pieces = chunks(report, fmt, lang, terminal=terminal, ascii_only=ascii_only)
    if output is not None:
        write_file(Path(output), pieces, ledger_path)
        return
    write_stdout(pieces, exact=fmt in ("csv", "md", "csv-fr"))


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def read_warnings(opened, lang: str) -> None:
    """Warnings about the ledgers as read (unknown keys), on standard error."""
    problems(api.read_warnings(opened), lang)


def write_stdout(text, exact: bool = False) -> None:
    """Write text (a str, or its pieces) to standard output. Text the terminal's encoding
    cannot hold is replaced by `?`, except in csv and md (`exact`), which are data: they are
    written in UTF-8 whatever the encoding (json escapes instead, see emit)."""
    stream = sys.stdout
    pieces = [text] if isinstance(text, str) else text
    try:
        encoding = getattr(stream, "encoding", None) or "utf-8"
        raw = exact and hasattr(stream, "buffer")
        if raw and _codec(encoding) not in ("utf-8", "ascii"):
            # all in the terminal's encoding or all in UTF-8: known at the end only
            pieces = ["".join(pieces)]
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
        for piece in pieces:
            if raw and not _can_encode(piece, encoding):  # ASCII is the same bytes in UTF-8
                stream.flush()
                stream.buffer.write(piece.encode("utf-8"))
            else:
                stream.write(piece)
        stream.flush()
        if raw:
            stream.buffer.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(OK) from None
    except OSError as exc:
        raise m.refusal("stdout", "cannot write to standard output: {reason}",
                        args={"reason": exc.strerror or exc}) from None


def write_stdout_bytes(data: bytes) -> None:
    """Write bytes to standard output as they are (a document that declares its own
    encoding, such as IATI XML), whatever the terminal's encoding."""
    stream = sys.stdout
    try:
        stream.flush()
        buffer = getattr(stream, "buffer", None)
        if buffer is None:
            stream.write(data.decode("utf-8"))
            stream.flush()
        else:
            buffer.write(data)
            buffer.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(0) from None
    except OSError as exc:
        raise m.refusal("stdout", "cannot write to standard output: {reason}",
                        args={"reason": exc.strerror or exc}) from None


def _codec(encoding: str) -> str:
    import codecs

    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return ""


def _can_encode(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def write_file(target: Path, text, ledger_path: str | Sequence[str]) -> None:
    """--output: the file replaced whole once all is written (api.write_output)."""
    api.write_output(target, [text] if isinstance(text, str) else text,
                     [ledger_path] if isinstance(ledger_path, str) else ledger_path)


def written(done: api.Written, fmt: Format, lang: str, extra: dict | None = None) -> None:
    """What a writing command prints: the new entry's id, or the entry in the chosen format
    (with --dry-run, or any format but table); warnings on standard error. `extra`: more
    keys for the json (reconcile's verdict)."""
    problems(done.read_warnings, lang)
    if fmt == "table" and not done.dry_run and not done.warnings:  # no report needed
        write_stdout(f"{done.id}\n")
        return
    from ..present import reports

    problems(done.warnings, lang)
    if fmt == "table" and not done.dry_run:
        write_stdout(f"{done.id}\n")
        return
    emit(reports.written(done.fields, done.kind, done.path, done.dry_run, list(done.warnings),
                         lang, extra), fmt, lang, None)


def reconciled(done: api.Reconciled, fmt: Format, lang: str) -> None:
    """What `reconcile` prints: the assertion as every writing command prints it, then on
    standard error whether the journal matches (the difference and the entries counted); a
    figure that differs exits RECONCILE_DIFFERS once the assertion is written."""
    c = done.comparison
    verdict = {"matches": None if c is None else c.matches,
               "expected": None if c is None else c.expected,
               "found": None if c is None else c.found,
               "difference": None if c is None else c.difference,
               "entries_counted": [] if c is None else list(c.counted)}
    written(done.written, fmt, lang, verdict)
    if done.verdict is not None:
        problems([done.verdict], lang)
    if c is not None and not c.matches:
        raise typer.Exit(RECONCILE_DIFFERS)

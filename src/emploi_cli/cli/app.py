"""The `emploi` command line: the only module that imports typer.

Exit codes are decided here and only here: 0 ok, 1 bad data or a failed check, 2 usage,
3 `status --fail-on` found a target in that state.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .. import __version__
from ..domain import model as m

app = typer.Typer(
    name="emploi",
    help="Budget and target tracker for public employment programmes, on a TOML ledger.",
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


class Lang(StrEnum):
    fr = "fr"
    en = "en"


class By(StrEnum):
    target = "target"
    indicator = "indicator"


class Kind(StrEnum):
    commitment = "commitment"
    disbursement = "disbursement"
    expenditure = "expenditure"


class HistoryKind(StrEnum):
    progress = "progress"
    transaction = "transaction"
    commitment = "commitment"
    disbursement = "disbursement"
    expenditure = "expenditure"
    void = "void"
    amendment = "amendment"
    assertion = "assertion"
    lock = "lock"
    profile = "profile"


# ---- completion (ids from the ledger in use) ---------------------------------------------


def _completion_ledger(ctx: typer.Context) -> m.Ledger | None:
    from ..store import cache, reading

    try:
        option = ctx.params.get("ledger")
        if isinstance(option, list | tuple):
            option = option[0] if option else None
        path = reading.resolve_ledger(option, dict(os.environ), Path.cwd())
        return cache.load(path).ledger
    except m.EmploiError:
        return None


def complete_target(ctx: typer.Context, incomplete: str) -> list[str]:
    ledger = _completion_ledger(ctx)
    return [t.id for t in ledger.targets if t.id.startswith(incomplete)] if ledger else []


def complete_convention(ctx: typer.Context, incomplete: str) -> list[str]:
    ledger = _completion_ledger(ctx)
    return [c.id for c in ledger.conventions if c.id.startswith(incomplete)] if ledger else []


def complete_funder(ctx: typer.Context, incomplete: str) -> list[str]:
    ledger = _completion_ledger(ctx)
    return [f.id for f in ledger.funders if f.id.startswith(incomplete)] if ledger else []


# ---- shared options ----------------------------------------------------------------------

# --ledger is repeatable for every command so that a second one is refused with a clear
# message (exit 2) rather than silently replacing the first; `_one` takes the single value.
LedgerOpt = Annotated[list[str] | None, typer.Option(
    "--ledger", "-l", help="Ledger file (default: $EMPLOI_LEDGER, ./data/conventions.toml, "
    "then the shipped ledger).", show_default=False)]
LedgersOpt = Annotated[list[str] | None, typer.Option(
    "--ledger", "-l", help="Ledger file; repeat it, or use --ledger-dir, to roll several "
    "programmes up into a national view (default: $EMPLOI_LEDGER, ./data/conventions.toml, "
    "then the shipped ledger).", show_default=False)]
LedgerDirOpt = Annotated[str | None, typer.Option(
    "--ledger-dir", help="Roll up every *.toml ledger in this folder (sorted by name, not "
    "recursive), with any --ledger given.", show_default=False)]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
OutputOpt = Annotated[str | None, typer.Option(
    "--output", "-o", help="Write the report to this file instead of standard output.")]
LangOpt = Annotated[Lang | None, typer.Option(
    "--lang", help="Language of labels and numbers (default: $EMPLOI_LANG, else fr when "
    "LC_ALL/LANG starts with fr, else en).", show_default=False)]
AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", help="Report as things stood on this date (YYYY-MM-DD; default today).")]
DryRunOpt = Annotated[bool, typer.Option(
    "--dry-run", help="Show the entry that would be written; write nothing.")]
NoteOpt = Annotated[str, typer.Option("--note", help="Free text kept with the entry.")]
DateOpt = Annotated[str | None, typer.Option(
    "--date", help="Effective date (YYYY-MM-DD; default today).")]
NoCacheOpt = Annotated[bool, typer.Option(
    "--no-cache", help="Read the ledger itself, not its cache (also: EMPLOI_NO_CACHE=1).")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"emploi {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Budget and target tracker for public employment programmes, on a TOML ledger."""


# ---- the edge: one place for output, errors and exit codes -------------------------------


class Usage(Exception):
    """A malformed option value: exit 2."""


def _today() -> date:
    fixed = os.environ.get("EMPLOI_TODAY")
    if not fixed:
        return date.today()
    try:
        return date.fromisoformat(fixed)
    except ValueError:
        raise Usage(f"EMPLOI_TODAY {fixed!r} is not a date (YYYY-MM-DD)") from None


def _lang(option: Lang | None) -> str:
    if option is not None:
        return option.value
    chosen = os.environ.get("EMPLOI_LANG", "")
    if chosen in ("fr", "en"):
        return chosen
    locale = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "fr" if locale.lower().startswith("fr") else "en"


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Usage(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def _moment(text: str | None) -> datetime | None:
    """A date (midnight UTC) or an ISO date-time (UTC when no offset is given)."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Usage(f"--recorded-since {text!r} is not a date or date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _fail(problems: list[m.Problem], lang: str, code: int) -> None:
    from ..present.reports import problem_line

    _stderr("\n".join(f"emploi: {problem_line(p, lang)}" for p in problems))
    raise typer.Exit(code)


def _stderr(text: str) -> None:
    stream = sys.stderr
    try:
        stream.write(text.encode(stream.encoding or "utf-8", "replace").decode(
            stream.encoding or "utf-8") + "\n")
        stream.flush()
    except (BrokenPipeError, ValueError):
        pass


def _run(lang_option: Lang | None, action) -> None:
    """Run a command body; turn every user-caused failure into a message and an exit code."""
    lang = _lang(lang_option)
    try:
        action(lang)
    except m.EmploiError as exc:
        _fail(exc.problems, lang, exc.exit_code)
    except Usage as exc:
        _stderr(f"emploi: usage error: {exc}")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except typer.Exit:
        raise
    except Exception as exc:  # a bug: say so in one line, never dump locals
        if os.environ.get("EMPLOI_DEBUG"):
            raise
        _stderr(f"emploi: internal error: {type(exc).__name__}: {exc} "
                "(set EMPLOI_DEBUG=1 for a traceback, and please report it)")
        raise typer.Exit(1) from None


def _emit(report, fmt: Format, lang: str, output: str | None,
          ledger_path: str | list[str] = "") -> None:
    """Render once, write to stdout or a file, piece by piece as the report is rendered. The
    only place output is written."""
    from ..present.render import chunks

    stream = sys.stdout
    terminal = output is None and fmt is Format.table and _isatty(stream)
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower()
    ascii_only = output is None and encoding in ("ascii", "us-ascii", "ansi_x3.4-1968")
    pieces = chunks(report, fmt.value, lang, terminal=terminal, ascii_only=ascii_only)
    if output is not None:
        _write_output(Path(output), pieces, ledger_path)
        return
    _write_stdout(pieces, exact=fmt in (Format.csv, Format.md))


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _write_stdout(text, exact: bool = False) -> None:
    """Write text (a str, or its pieces) to standard output. Text the terminal's encoding
    cannot hold is replaced by `?`, except in csv and md (`exact`), which are data: they are
    written in UTF-8 whatever the encoding (json escapes instead, see _emit)."""
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
        raise typer.Exit(0) from None
    except OSError as exc:
        raise m.EmploiError(m.error("stdout", "cannot write to standard output: "
                                    f"{exc.strerror or exc}")) from None


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


def _write_output(target: Path, text, ledger_path: str | list[str]) -> None:
    """Write text (a str, or its pieces) to a temporary file renamed over `target` once all
    is written: an error midway leaves `target` as it was."""
    where = m.Place(str(target))
    ledgers = [ledger_path] if isinstance(ledger_path, str) else ledger_path
    if any(p and target.exists() and os.path.samefile(target, p) for p in ledgers):
        raise m.EmploiError(m.error("output-is-ledger", "--output names the ledger itself; "
                                    "refusing to overwrite it", where))
    if target.is_dir():
        raise m.EmploiError(m.error("output-dir", "--output is a directory", where))
    try:
        from ..store.files import atomic_write
        atomic_write(target, [text] if isinstance(text, str) else text)
    except OSError as exc:
        raise m.EmploiError(m.error("output-unwritable", f"cannot write: {exc.strerror}",
                                    where)) from None


def _one(ledger_option: list[str] | str | None) -> str | None:
    """The one --ledger of a command that works on a single ledger; several: usage error."""
    if ledger_option is None or isinstance(ledger_option, str):
        return ledger_option
    if len(ledger_option) > 1:
        raise Usage(f"--ledger was given {len(ledger_option)} times; this command works on "
                    "one ledger (summary, targets, status, report and export read several)")
    return ledger_option[0] if ledger_option else None


def _load(ledger_option: list[str] | str | None, no_cache: bool = False):
    """Find and load the ledger (through the parse cache); refuse to report on one with
    structural errors."""
    from ..store import cache, reading

    path = reading.resolve_ledger(_one(ledger_option), dict(os.environ), Path.cwd())
    loaded = cache.load(path, no_cache=no_cache)
    if loaded.ledger is None or loaded.errors:
        raise m.EmploiError([*loaded.errors, m.error(
            "invalid-ledger", "the ledger has errors; `emploi check` lists them all",
            m.Place(str(path)))])
    return loaded


def _load_each(ledgers: list[str] | None, ledger_dir: str | None,
               no_cache: bool = False) -> list:
    """The ledgers a report reads: one, as always, or several for a roll-up (docs/commands.md,
    "Roll-up across programmes"). Each is loaded and refused as `_load` does."""
    from ..store import reading

    if ledger_dir is None and len(ledgers or []) <= 1:
        return [_load(ledgers, no_cache)]
    paths = reading.resolve_ledgers(ledgers, ledger_dir, dict(os.environ), Path.cwd())
    return [_load(str(path), no_cache) for path in paths]


def _rollup(loaded: list, day: date):
    """Several loaded ledgers added up; what cannot be added up is refused, placed in its file."""
    from ..domain import rollup
    from ..store import reading

    found = rollup.problems([x.ledger for x in loaded])
    if found:
        texts = {x.path: x.text for x in loaded}
        raise m.EmploiError([reading.place_all([p], texts[p.place.file])[0] for p in found])
    return rollup.rollup([x.ledger for x in loaded], day)


# ---- reports -----------------------------------------------------------------------------


@app.command()
def summary(ledger: LedgersOpt = None, format: FormatOpt = Format.table,
            output: OutputOpt = None, lang: LangOpt = None, as_of: AsOfOpt = None,
            ledger_dir: LedgerDirOpt = None, no_cache: NoCacheOpt = False) -> None:
    """The money: total, conventions, funders, what has no named funder, and execution."""
    def body(language: str) -> None:
        from ..present import reports

        day = _day(as_of, "--as-of") or _today()
        several = _load_each(ledger, ledger_dir, no_cache)
        if len(several) > 1:
            _emit(reports.summary_rollup(_rollup(several, day), language), format, language,
                  output, [x.path for x in several])
            return
        loaded = several[0]
        _emit(reports.summary(loaded.ledger, day, language), format, language, output,
              loaded.path)
    _run(lang, body)


@app.command()
def targets(
    ledger: LedgersOpt = None, format: FormatOpt = Format.table, output: OutputOpt = None,
    lang: LangOpt = None, as_of: AsOfOpt = None, ledger_dir: LedgerDirOpt = None,
    no_cache: NoCacheOpt = False,
    by: Annotated[By, typer.Option("--by", help="One row per target or per indicator.")
                  ] = By.target,
    convention: Annotated[str | None, typer.Option(
        "--convention", "-c", help="Only this convention's targets.",
        autocompletion=complete_convention)] = None,
    tag: Annotated[str | None, typer.Option(
        "--tag", help="Break achievements down by this tag (e.g. province).")] = None,
    period: PeriodOpt = None,
) -> None:
    """The targets: quantity, achieved, remaining and progress, per target or indicator."""
    def body(language: str) -> None:
        from ..domain.entries import _require
        from ..present import reports

        day = _day(as_of, "--as-of") or _today()
        several = _load_each(ledger, ledger_dir, no_cache)
        if len(several) > 1:
            if convention is not None or tag or period is not None:
                raise Usage("--convention, --tag and --period work on one ledger; leave them "
                            "out of a roll-up of several ledgers")
            _emit(reports.targets_rollup(_rollup(several, day), language, by.value), format,
                  language, output, [x.path for x in several])
            return
        loaded = several[0]
        if convention is not None:
            _require("convention", convention, [c.id for c in loaded.ledger.conventions])
        if period is not None:
            if by is not By.target or tag:
                raise Usage("--period cannot be combined with --by indicator or --tag")
            ids = [t.id for t in loaded.ledger.targets if convention in (None, t.convention)]
            _emit(_period_report(loaded.ledger, day, period, language, ids), format,
                  language, output, loaded.path)
            return
        report = reports.targets(loaded.ledger, day, language, by=by.value,
                                 convention=convention, tag=tag)
        _emit(report, format, language, output, loaded.path)
    _run(lang, body)


@app.command()
def check(ledger: LedgerOpt = None, format: FormatOpt = Format.table,
          output: OutputOpt = None, lang: LangOpt = None, no_cache: NoCacheOpt = False) -> None:
    """Is the ledger sound? Lists every problem with its place; exit 1 on any error."""
    def body(language: str) -> None:
        from ..domain import checks
        from ..present import reports
        from ..store import cache, reading
        from ..store.locate import key_lines

        path = reading.resolve_ledger(_one(ledger), dict(os.environ), Path.cwd())
        try:
            loaded = cache.load(path, no_cache=no_cache)
            found = list(loaded.problems)
            if loaded.ledger is not None and not loaded.errors:
                lines = {k: v[0] for k, v in key_lines(loaded.text).items()}
                found += reading.place_all(checks.check(loaded.ledger, _today(), lines),
                                           loaded.text)
        except m.EmploiError as exc:
            found = exc.problems
        _emit(reports.problems(found, language), format, language, output, str(path))
        if any(p.is_error for p in found):
            raise typer.Exit(1)
    _run(lang, body)


@app.command()
def history(
    ledger: LedgerOpt = None, format: FormatOpt = Format.table, output: OutputOpt = None,
    lang: LangOpt = None, as_of: AsOfOpt = None, no_cache: NoCacheOpt = False,
    target: Annotated[str | None, typer.Option(
        "--target", "-t", help="Only this target's entries.", autocompletion=complete_target)
    ] = None,
    convention: Annotated[str | None, typer.Option(
        "--convention", "-c", help="Only this convention's entries (its money and targets).",
        autocompletion=complete_convention)] = None,
    kind: Annotated[HistoryKind | None, typer.Option("--kind", help="Only this kind.")
                    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="From this date on.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Up to this date.")] = None,
    recorded_since: Annotated[str | None, typer.Option(
        "--recorded-since", help="Only entries written on or after this date or UTC time "
        "(2021-07-01 or 2021-07-01T08:00:00Z).")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Only entries written by this person.")
                  ] = None,
    period: PeriodOpt = None,
) -> None:
    """The journal, oldest first; void entries are marked."""
    def body(language: str) -> None:
        from ..domain import position
        from ..domain.entries import _require
        from ..present import reports

        day = _day(as_of, "--as-of")
        loaded = _load(ledger, no_cache)
        if target is not None:
            _require("target", target, [t.id for t in loaded.ledger.targets])
        if convention is not None:
            _require("convention", convention, [c.id for c in loaded.ledger.conventions])
        if period is not None:
            _history_periods(loaded, day or _today(), period, language, format, output,
                             target, convention, kind, _day(since, "--since"),
                             _day(until, "--until"))
            return
        lines = position.iter_history_lines(
            loaded.ledger, day, target=target, convention=convention,
            kind=kind.value if kind else None, since=_day(since, "--since"),
            until=_day(until, "--until"), recorded_since=_moment(recorded_since),
            recorded_by=by)
        _emit(reports.history(lines, language), format, language, output, loaded.path)
    _run(lang, body)


# ---- writing -----------------------------------------------------------------------------


def _user(ledger_path: str) -> str:
    from ..store.provenance import recorded_by

    return recorded_by(Path(ledger_path), dict(os.environ))


def _write(ledger_option: list[str] | None, build, kind: str, fmt: Format, dry_run: bool,
           lang: str, no_cache: bool = False) -> None:
    from ..store import reading, writing

    path = reading.writable_ledger(_one(ledger_option), dict(os.environ), Path.cwd())
    try:
        done = writing.append(path, build, dry_run=dry_run, no_cache=no_cache)
    except m.EmploiError as exc:
        raise m.EmploiError(_in_file(exc.problems, path), exc.exit_code) from None
    warnings = _in_file(list(done.warnings), path)
    entry_kind, fields = done.entries[0]
    if fmt is Format.table and not dry_run and not warnings:  # the id alone: no report needed
        _write_stdout(f"{fields['id']}\n")
        return
    from ..present import reports

    for warning in warnings:
        _stderr(f"emploi: {reports.problem_line(warning, lang)}")
    if fmt is Format.table and not dry_run:
        _write_stdout(f"{fields['id']}\n")
        return
    _emit(reports.written(fields, entry_kind, str(path), dry_run, warnings, lang), fmt, lang,
          None)


@app.command(context_settings={"ignore_unknown_options": True})
def record(
    target: Annotated[str, typer.Argument(metavar="TARGET", help="Target id, e.g. c1.insertion.",
                                          autocompletion=complete_target)],
    value: Annotated[str, typer.Argument(metavar="VALUE",
        help="Whole number in the target's unit.")],
    ledger: LedgerOpt = None, date_: DateOpt = None, note: NoteOpt = "",
    source: Annotated[str, typer.Option(
        "--source", help="Who reported it, e.g. 'ANAPEC rapport T2'.")] = "",
    tag: Annotated[list[str] | None, typer.Option(
        "--tag", help="KEY=VALUE for breakdowns (province, sex, ...); repeatable.")] = None,
    dry_run: DryRunOpt = False, format: FormatOpt = Format.table, lang: LangOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Record progress on a target; prints the new entry's id."""
    def body(language: str) -> None:
        from ..domain import entries

        count = _count(value)
        day = _day(date_, "--date") or _today()
        tags = _tags(tag or [])
        stamp = entries.Stamp.now(_user(_resolved(ledger)))

        def build(current: m.Ledger):
            fields, warnings = entries.progress(
                current, target=target, value=count, day=day, today=_today(), stamp=stamp,
                note=note, source=source, tags=tags)
            return [("progress", fields)], warnings
        _write(ledger, build, "progress", format, dry_run, language, no_cache)
    _run(lang, body)


@app.command(context_settings={"ignore_unknown_options": True})
def disburse(
    convention: Annotated[str, typer.Argument(metavar="CONVENTION", help="Convention id, e.g. c1.",
                                              autocompletion=complete_convention)],
    amount: Annotated[str, typer.Argument(metavar="AMOUNT",
        help="Amount in MDH, exact decimal (25.5).")],
    ledger: LedgerOpt = None,
    funder: Annotated[str, typer.Option("--funder", help="Funder id (optional).",
                                        autocompletion=complete_funder)] = "",
    kind: Annotated[Kind, typer.Option("--kind", help="Transaction kind (as in IATI).")
                    ] = Kind.disbursement,
    date_: DateOpt = None, note: NoteOpt = "",
    source: Annotated[str, typer.Option("--source", help="Where the figure comes from.")
                      ] = "",
    dry_run: DryRunOpt = False, format: FormatOpt = Format.table, lang: LangOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Record money: a commitment, disbursement or expenditure for a convention."""
    def body(language: str) -> None:
        from ..domain import entries

        money = _money(amount)
        day = _day(date_, "--date") or _today()
        stamp = entries.Stamp.now(_user(_resolved(ledger)))

        def build(current: m.Ledger):
            fields, warnings = entries.transaction(
                current, convention=convention, amount=money, kind=kind.value, day=day,
                today=_today(), stamp=stamp, funder=funder, note=note, source=source)
            return [("transaction", fields)], warnings
        _write(ledger, build, "transaction", format, dry_run, language, no_cache)
    _run(lang, body)


@app.command()
def void(
    entry: Annotated[str, typer.Argument(metavar="ENTRY_ID",
        help="Id (or unique prefix) of the entry to void.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is void (required).")],
    ledger: LedgerOpt = None, dry_run: DryRunOpt = False, format: FormatOpt = Format.table,
    lang: LangOpt = None, no_cache: NoCacheOpt = False,
) -> None:
    """Void an entry: it stays in the file and in history, and no report counts it."""
    def body(language: str) -> None:
        from ..domain import entries

        stamp = entries.Stamp.now(_user(_resolved(ledger)))

        def build(current: m.Ledger):
            fields, warnings = entries.void(current, entry=entry, reason=reason,
                                            today=_today(), stamp=stamp)
            return [("void", fields)], warnings
        _write(ledger, build, "void", format, dry_run, language, no_cache)
    _run(lang, body)


@app.command()
def amend(
    ledger: LedgerOpt = None,
    convention: Annotated[str, typer.Option(
        "--convention", help="Convention whose amount changes.",
        autocompletion=complete_convention)] = "",
    funder: Annotated[str, typer.Option("--funder", help="Funder whose commitment changes.",
                                        autocompletion=complete_funder)] = "",
    target: Annotated[str, typer.Option("--target", help="Target whose quantity changes.",
                                        autocompletion=complete_target)] = "",
    end: Annotated[str | None, typer.Option("--end", help="The programme's new end date.")
                   ] = None,
    amount: Annotated[str | None, typer.Option("--amount", help="New amount in MDH.")] = None,
    quantity: Annotated[str | None, typer.Option("--quantity", help="New quantity.")] = None,
    reference: Annotated[str, typer.Option("--reference", help="The avenant's reference.")
                         ] = "",
    reason: Annotated[str, typer.Option("--reason", help="Why the value changes.")] = "",
    date_: DateOpt = None, dry_run: DryRunOpt = False, format: FormatOpt = Format.table,
    lang: LangOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Record an amendment (avenant): a new amount, commitment, quantity or end date."""
    def body(language: str) -> None:
        from ..domain import entries

        money = _money(amount) if amount is not None else None
        count = _count(quantity) if quantity is not None else None
        day = _day(date_, "--date") or _today()
        new_end = _day(end, "--end")
        stamp = entries.Stamp.now(_user(_resolved(ledger)))

        def build(current: m.Ledger):
            fields, warnings = entries.amendment(
                current, day=day, reference=reference, reason=reason, stamp=stamp,
                convention=convention, funder=funder, target=target, amount=money,
                quantity=count, end=new_end)
            return [("amendment", fields)], warnings
        _write(ledger, build, "amendment", format, dry_run, language, no_cache)
    _run(lang, body)


@app.command(context_settings={"ignore_unknown_options": True})
def reconcile(
    target: Annotated[str | None, typer.Argument(metavar="TARGET",
        help="Target id (or use --convention for money).", autocompletion=complete_target)
    ] = None,
    value: Annotated[str | None, typer.Argument(metavar="VALUE",
        help="The partner's cumulative figure.")
                     ] = None,
    ledger: LedgerOpt = None,
    convention: Annotated[str, typer.Option(
        "--convention", help="Reconcile money of this convention.",
        autocompletion=complete_convention)] = "",
    amount: Annotated[str | None, typer.Option("--amount", help="Money reported, in MDH.")
                      ] = None,
    kind: Annotated[Kind | None, typer.Option("--kind", help="Kind of money reported.")
                    ] = None,
    funder: Annotated[str, typer.Option("--funder", help="Only this funder's money.",
                                        autocompletion=complete_funder)] = "",
    date_: DateOpt = None,
    source: Annotated[str, typer.Option("--source", help="Who reported the figure.")] = "",
    dry_run: DryRunOpt = False, format: FormatOpt = Format.table, lang: LangOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Record a partner's cumulative figure that the journal must match (`check` verifies)."""
    def body(language: str) -> None:
        from ..domain import checks, entries
        from ..present import reports
        from ..store import reading

        count = _count(value) if value is not None else None
        money = _money(amount) if amount is not None else None
        day = _day(date_, "--date") or _today()
        stamp = entries.Stamp.now(_user(_resolved(ledger)))

        def build(current: m.Ledger):
            fields, warnings = entries.assertion(
                current, day=day, today=_today(), source=source, stamp=stamp,
                target=target or "", value=count, convention=convention, amount=money,
                kind=kind.value if kind else "", funder=funder)
            return [("assertion", fields)], warnings
        _write(ledger, build, "assertion", format, dry_run, language, no_cache)
        if dry_run:
            return
        loaded = reading.load(reading.resolve_ledger(_one(ledger), dict(os.environ), Path.cwd()))
        if loaded.ledger is not None:
            for problem in checks.reconciliations(checks.Context(loaded.ledger, _today(), {})):
                if problem.message.startswith(f"assertion {loaded.ledger.journal[-1].id} "):
                    _stderr(f"emploi: {reports.problem_line(problem, language)}")
    _run(lang, body)


@app.command()
def close(
    period: Annotated[str, typer.Argument(metavar="PERIOD",
        help="2021-Q2, 2021, 2021-06 or a date.")],
    ledger: LedgerOpt = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (optional).")] = "",
    dry_run: DryRunOpt = False, format: FormatOpt = Format.table, lang: LangOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Close a period: afterwards no entry dated on or before its last day can be written."""
    _lock_command(ledger, "close", period, reason, dry_run, format, lang, no_cache)


@app.command()
def reopen(
    period: Annotated[str, typer.Argument(metavar="PERIOD",
        help="The period to reopen (2021-Q2, ...).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is reopened (required).")],
    ledger: LedgerOpt = None, dry_run: DryRunOpt = False, format: FormatOpt = Format.table,
    lang: LangOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Reopen a closed period (from its first day on), with a reason kept in the ledger."""
    _lock_command(ledger, "reopen", period, reason, dry_run, format, lang, no_cache)


def _lock_command(ledger: list[str] | None, action: str, period: str, reason: str,
                  dry_run: bool, format: Format, lang: Lang | None,
                  no_cache: bool = False) -> None:
    def body(language: str) -> None:
        from ..domain import entries

        stamp = entries.Stamp.now(_user(_resolved(ledger)))

        def build(current: m.Ledger):
            fields, warnings = entries.lock(current, action=action, period=period,
                                            today=_today(), stamp=stamp, reason=reason)
            return [("lock", fields)], warnings
        _write(ledger, build, "lock", format, dry_run, language, no_cache)
    _run(lang, body)


@app.command()
def init(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="Where to write the new ledger.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")
                     ] = False,
    lang: LangOpt = None,
) -> None:
    """Write a documented starter ledger for a new programme."""
    def body(language: str) -> None:
        from ..store.starter import STARTER

        if path.exists() and not force:
            raise m.EmploiError(m.error("exists", "file exists; use --force to overwrite it",
                                        m.Place(str(path))))
        if path.is_dir():
            raise m.EmploiError(m.error("not-a-file", "is a directory", m.Place(str(path))))
        try:
            path.write_text(STARTER, encoding="utf-8")
        except OSError as exc:
            raise m.EmploiError(m.error("unwritable", f"cannot write: {exc.strerror}",
                                        m.Place(str(path)))) from None
        _write_stdout(f"{path}\n")
    _run(lang, body)


# ---- helpers for arguments ---------------------------------------------------------------


def _resolved(ledger_option: list[str] | None) -> str:
    """The ledger a writing command will append to (see ledger.writable_ledger)."""
    from ..store import reading

    return str(reading.writable_ledger(_one(ledger_option), dict(os.environ), Path.cwd()))


def _in_file(problems: list[m.Problem], path: Path) -> list[m.Problem]:
    """Problems about a value the user typed happen in the ledger being written: say which."""
    from dataclasses import replace

    return [p if p.place.file else replace(p, place=replace(p.place, file=str(path)))
            for p in problems]


def _count(text: str) -> int:
    stripped = text.strip()
    if stripped.startswith("-") and stripped[1:].isdigit():
        raise m.EmploiError(m.error("negative", f"value must not be negative ({stripped})"))
    if not stripped.isdigit() or not stripped.isascii():
        raise Usage(f"VALUE {text!r} is not a whole number")
    if len(stripped) > 13:
        raise m.EmploiError(m.error("too-large", f"value {stripped} is beyond any plausible "
                                    "count"))
    return int(stripped)


def _money(text: str) -> Decimal:
    from ..store.reading import parse_money_text

    try:
        return parse_money_text(text)
    except ValueError as exc:
        raise m.EmploiError(m.error("bad-amount", str(exc))) from None


def _tags(items: list[str]) -> tuple[tuple[str, str], ...]:
    tags = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise Usage(f"--tag {item!r} must be KEY=VALUE")
        tags[key.strip()] = value.strip()
    return tuple(sorted(tags.items()))


def run() -> None:
    """Console-script entry point.

    Start-up time (docs/performance.md): typer builds the options of every command on each
    call, so when the first argument names a command, only that command is built.
    """
    _one_command(sys.argv[1:2])()


def _one_command(first: list[str]) -> typer.Typer:
    """`app` with only the command named by the first argument, else the whole app."""
    import copy

    if not first or any(name.startswith("_EMPLOI_COMPLETE") for name in os.environ):
        return app
    picked = [c for c in app.registered_commands
              if (c.name or c.callback.__name__.replace("_", "-")) == first[0]]  # type: ignore[union-attr]
    if len(picked) != 1 and first != ["--version"]:
        return app
    one = copy.copy(app)
    one.registered_commands = picked
    return one


# ---- pace and reports (issue 4) ----------------------------------------------------------


class Period(StrEnum):
    month = "month"
    quarter = "quarter"
    year = "year"


class FailOn(StrEnum):
    behind = "behind"
    at_risk = "at-risk"


class DocFormat(StrEnum):
    md = "md"
    html = "html"


PeriodOpt = Annotated[Period | None, typer.Option(
    "--period", help="Achievements per month, quarter or year, with the running total and "
    "what was expected (one row per target and period).", show_default=False)]


def _period_report(ledger: m.Ledger, day: date, period: Period, lang: str, ids: list[str],
                   since: date | None = None, until: date | None = None):
    from ..domain import periods
    from ..present import pace_reports

    rows = periods.period_rows(ledger, day, period.value, targets=ids, since=since,
                               until=until)
    return pace_reports.periods(rows, period.value, day, lang,
                                ledger.programme.fiscal_year_start)


def _history_periods(loaded, day: date, period: Period, lang: str, fmt: Format,
                     output: str | None, target: str | None, convention: str | None,
                     kind: HistoryKind | None, since: date | None, until: date | None) -> None:
    from ..domain.entries import _require

    if kind not in (None, HistoryKind.progress):
        raise Usage("--period sums progress: it cannot be combined with --kind "
                    f"{kind.value if kind else ''}")
    ledger = loaded.ledger
    if target is not None:
        _require("target", target, [t.id for t in ledger.targets])
    if convention is not None:
        _require("convention", convention, [c.id for c in ledger.conventions])
    ids = [t.id for t in ledger.targets
           if target in (None, t.id) and convention in (None, t.convention)]
    _emit(_period_report(ledger, day, period, lang, ids, since, until), fmt, lang, output,
          loaded.path)


@app.command()
def status(
    ledger: LedgersOpt = None, format: FormatOpt = Format.table, output: OutputOpt = None,
    lang: LangOpt = None, as_of: AsOfOpt = None, ledger_dir: LedgerDirOpt = None,
    no_cache: NoCacheOpt = False,
    fail_on: Annotated[FailOn | None, typer.Option(
        "--fail-on", help="Exit 3 when any target is in this state or worse (at-risk is "
        "worse than behind).", show_default=False)] = None,
) -> None:
    """Are we on track? Funding execution and every target's status, pace and projection."""
    def body(language: str) -> None:
        from ..domain import pace
        from ..present import pace_reports

        day = _day(as_of, "--as-of") or _today()
        several = _load_each(ledger, ledger_dir, no_cache)
        if len(several) > 1:
            from ..domain import rollup

            whole = _rollup(several, day)
            by_programme = rollup.paces(whole)
            items = [p for group in by_programme.values() for p in group]
            report = pace_reports.status_rollup(whole, language, by_programme)
            _emit(report, format, language, output, [x.path for x in several])
        else:
            loaded = several[0]
            items = pace.paces(loaded.ledger, day)
            report = pace_reports.status(loaded.ledger, day, language, items)
            _emit(report, format, language, output, loaded.path)
        if fail_on is not None and pace.failing(items, fail_on.value):
            raise typer.Exit(3)
    _run(lang, body)


def _check_problems(loaded) -> list[m.Problem]:
    """What `emploi check` finds in a loaded ledger (loading warnings, then the rules)."""
    from ..domain import checks
    from ..store import reading
    from ..store.locate import key_lines

    lines = {k: v[0] for k, v in key_lines(loaded.text).items()}
    return [*loaded.problems,
            *reading.place_all(checks.check(loaded.ledger, _today(), lines), loaded.text)]


def _generated_at(option: str | None, as_of: date | None):
    """--generated-at, else $SOURCE_DATE_EPOCH, else the --as-of date, else now (UTC)."""
    from datetime import UTC, datetime

    if option is not None:
        try:
            found = datetime.fromisoformat(option.strip().replace("Z", "+00:00"))
        except ValueError:
            raise Usage(f"--generated-at {option!r} is not a date or date-time "
                        "(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)") from None
        if len(option.strip()) == 10:
            return found.date()
        return found if found.tzinfo else found.replace(tzinfo=UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise Usage(f"SOURCE_DATE_EPOCH {epoch!r} is not a number of seconds")
        return datetime.fromtimestamp(int(epoch), UTC)
    if as_of is not None:
        return as_of
    return datetime.now(UTC).replace(microsecond=0)


@app.command()
def report(
    ledger: LedgersOpt = None, ledger_dir: LedgerDirOpt = None,
    no_cache: NoCacheOpt = False,
    format: Annotated[DocFormat | None, typer.Option(
        "--format", "-f", help="md or html (default: html when --output ends in .html or "
        ".htm, else md).", show_default=False)] = None,
    output: OutputOpt = None, lang: LangOpt = None, as_of: AsOfOpt = None,
    generated_at: Annotated[str | None, typer.Option(
        "--generated-at", help="The production time printed in the report (YYYY-MM-DD or "
        "ISO date-time; default: $SOURCE_DATE_EPOCH, else the --as-of date, else now).",
        show_default=False)] = None,
) -> None:
    """The document to send: programme, funding, targets with pace, quarters and problems."""
    def body(language: str) -> None:
        import hashlib

        from ..present import document

        explicit = _day(as_of, "--as-of")
        day = explicit or _today()
        stamp = _generated_at(generated_at, explicit)
        several = _load_each(ledger, ledger_dir, no_cache)
        fmt = format.value if format is not None else (
            "html" if output and output.lower().endswith((".html", ".htm")) else "md")
        made = [document.Produced(
            generated_at=stamp, ledger=str(x.path),
            sha256=hashlib.sha256(Path(x.path).read_bytes()).hexdigest(),
            entries=len(x.ledger.journal), version=__version__) for x in several]
        if len(several) > 1:
            doc = document.build_rollup(_rollup(several, day), language,
                                        problems=[_check_problems(x) for x in several],
                                        produced=made)
        else:
            doc = document.build(several[0].ledger, day, language,
                                 problems=_check_problems(several[0]), produced=made[0])
        text = document.render(doc, fmt)
        if output is not None:
            _write_output(Path(output), text, [x.path for x in several])
            return
        _write_stdout(text)
    _run(lang, body)


# ---- import and export (issue 7) ----------------------------------------------------------


class ImportKind(StrEnum):
    progress = "progress"
    transaction = "transaction"


class ExportFormat(StrEnum):
    sqlite = "sqlite"


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(metavar="FILE",
        help="The partner's file: .csv, .xlsx or .ods.",
                                         show_default=False)],
    ledger: LedgerOpt = None,
    kind: Annotated[ImportKind | None, typer.Option(
        "--kind", help="What each row becomes (default: the profile's kind).",
        show_default=False)] = None,
    map_: Annotated[list[str] | None, typer.Option(
        "--map", help="FIELD=Column, repeatable. Progress: target, value, date, note, source, "
        "reference, tag.NAME. Transaction: convention, amount, kind, funder, date, note, "
        "source, reference.", show_default=False)] = None,
    profile: Annotated[str | None, typer.Option(
        "--profile", help="Use the mapping and styles saved under this name in the ledger "
        "(options given here override it).", show_default=False)] = None,
    save_profile: Annotated[str | None, typer.Option(
        "--save-profile", help="Save the mapping and styles in the ledger under this name, "
        "in the same write as the rows.", show_default=False)] = None,
    decimal: Annotated[str | None, typer.Option(
        "--decimal", help="Decimal mark of numbers written as text: '.' or ',' "
        "(default '.').", show_default=False)] = None,
    thousands: Annotated[str | None, typer.Option(
        "--thousands", help="Thousands separator of numbers written as text: . , ' space "
        "nbsp nnbsp, or none (the default).", show_default=False)] = None,
    date_format: Annotated[str | None, typer.Option(
        "--date-format", help="Format of dates written as text, e.g. %d/%m/%Y "
        "(default %Y-%m-%d).", show_default=False)] = None,
    delimiter: Annotated[str | None, typer.Option(
        "--delimiter", help="CSV field separator: , ; | or tab (default ',').",
        show_default=False)] = None,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="CSV text encoding (default utf-8), e.g. cp1252.",
        show_default=False)] = None,
    sheet: Annotated[str | None, typer.Option(
        "--sheet", help="XLSX/ODS: the sheet to read (default: the first).",
        show_default=False)] = None,
    header_row: Annotated[int | None, typer.Option(
        "--header-row", help="The row holding the column names (default 1).", min=1,
        show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Show what would be added; write nothing.")] = False,
    format: FormatOpt = Format.table, lang: LangOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Import progress or transactions from a partner's spreadsheet: all rows or none."""
    def body(language: str) -> None:
        from ..domain import entries
        from ..exchange import importer
        from ..present import reports
        from ..store import writing

        try:
            maps = importer.parse_map(map_ or [])
            separator = None if thousands is None else importer.thousands_option(thousands)
            delim = None if delimiter is None else importer.delimiter_option(delimiter)
        except ValueError as exc:
            raise Usage(str(exc)) from None
        if decimal is not None and decimal not in importer.DECIMALS:
            raise Usage(f"--decimal {decimal!r} must be '.' or ','")
        path = _resolved(ledger)
        saved = None
        if profile is not None:  # read now to know the mapping; the rows are checked later
            current = _load(ledger, no_cache).ledger  # against the ledger as it is under the lock
            saved = importer.latest_profile(current, profile)
            if saved is None:
                known = importer.profile_names(current)
                raise m.EmploiError(m.error(
                    "unknown-ref", f"no import profile {profile!r} in the ledger"
                    f"{entries.did_you_mean(profile, known)}; profiles: "
                    f"{', '.join(known) or 'none (save one with --save-profile NAME)'}",
                    m.Place(path)))
        mapping = importer.mapping(
            kind=kind.value if kind else None, maps=maps, profile=saved, decimal=decimal,
            thousands=separator, date_format=date_format, delimiter=delim, encoding=encoding,
            sheet=sheet, header_row=header_row)
        rows = importer.parse_rows(importer.read_sheet(file, mapping.reading), mapping)
        stamp = entries.Stamp.now(_user(path))
        plans: list = []

        def build(current: m.Ledger):
            keep, note = None, ""
            if save_profile is not None:
                old = importer.latest_profile(current, save_profile)
                if old is not None and importer.same_profile(old, mapping):
                    note = "profile_unchanged"
                else:
                    fields, _ = entries.profile(
                        current, name=save_profile, today=_today(), stamp=stamp,
                        fields=importer.profile_fields(save_profile, mapping))
                    keep = ("profile", fields)
                    note = "profile_would_save" if dry_run else "profile_saved"
            plan = importer.plan(current, str(file), mapping.kind, rows, today=_today(),
                                 stamp=stamp, columns=mapping.by_field, profile=keep,
                                 profile_name=save_profile or "", profile_note=note)
            if plan.refused or not plan.entries:
                raise importer.Stop(plan)
            plans.append(plan)
            return plan.entries, plan.warnings

        try:
            writing.append(Path(path), build, dry_run=dry_run)
            plan, written = plans[-1], not dry_run
        except importer.Stop as stop:
            plan, written = stop.plan, False
        for warning in plan.warnings:
            _stderr(f"emploi: {reports.problem_line(warning, language)}")
        report = reports.imported(plan, ledger=path, dry_run=dry_run, written=written,
                                  lang=language)
        _emit(report, format, language, None)
        if plan.refused:
            raise m.EmploiError([*plan.problems, m.error(
                "import-refused", f"nothing was written: {plan.count('refused')} of "
                f"{len(plan.outcomes)} row(s) refused", m.Place(str(file)))])
    _run(lang, body)


@app.command()
def export(
    file: Annotated[Path, typer.Argument(metavar="FILE",
        help="The database to write (replaced atomically).",
                                         show_default=False)],
    format: Annotated[ExportFormat, typer.Option(
        "--format", "-f", help="Export format.")] = ExportFormat.sqlite,
    ledger: Annotated[list[str] | None, typer.Option(
        "--ledger", "-l", help="Ledger file; repeat it to export several ledgers into one "
        "database (default: as for the other commands).", show_default=False)] = None,
    ledger_dir: Annotated[str | None, typer.Option(
        "--ledger-dir", help="Export every *.toml ledger in this folder.",
        show_default=False)] = None,
    as_of: AsOfOpt = None, lang: LangOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Export ledgers and their journals as SQLite tables and views, for SQL tools."""
    def body(language: str) -> None:
        from ..exchange import sqlite
        from ..present import i18n
        from ..store import reading

        day = _day(as_of, "--as-of") or _today()
        paths = reading.resolve_ledgers(ledger, ledger_dir, dict(os.environ), Path.cwd())
        target = os.path.realpath(file)
        for path in paths:
            if os.path.realpath(path) == target:
                raise m.EmploiError(m.error(
                    "output-is-ledger", f"{file} is one of the ledgers being exported; "
                    "refusing to overwrite it", m.Place(str(file))))
        ledgers = [_load(str(path), no_cache).ledger for path in paths]
        counts = sqlite.export(file, ledgers, day, __version__)
        _write_stdout(i18n.label("exported", language, file=str(file), **counts) + "\n")
    _run(lang, body)

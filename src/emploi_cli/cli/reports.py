"""Commands that report on one ledger or roll several up: summary, targets, status, history,
report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import api
from . import options as o
from .options import (
    AsOfOpt,
    By,
    DocFormat,
    FailOn,
    HistoryKind,
    LangOpt,
    LedgerDirOpt,
    LedgerOpt,
    LedgersOpt,
    NoCacheOpt,
    OutputOpt,
    PeriodOpt,
    QuietOpt,
    ReportFormatOpt,
    SummaryBy,
    complete_convention,
    complete_target,
)
from .output import STATUS_FAILING, emit, guarded, read_warnings, write_file, write_stdout

commands = typer.Typer()


@commands.command()
def summary(ledger: LedgersOpt = None, format: ReportFormatOpt = None,
            output: OutputOpt = None, lang: LangOpt = None, as_of: AsOfOpt = None,
            ledger_dir: LedgerDirOpt = None, no_cache: NoCacheOpt = False,
            by: Annotated[SummaryBy, typer.Option(
                "--by", help="convention: the money and who pays what; year: the financing "
                "plan against what was committed, disbursed and spent, per fiscal year.")
            ] = "convention", quiet: QuietOpt = False) -> None:
    """The money: total, conventions, funders, what has no named funder, and execution."""
    def body(language: str) -> None:
        day = o.day(as_of, "--as-of") or o.today()
        opened = api.open_ledgers(ledger, ledger_dir, no_cache=no_cache)
        read_warnings(opened, language)
        emit(api.summary(opened, day, language, by=by), format, language, output,
             [x.path for x in opened])
    guarded(lang, body, quiet, shown=(format, output))


@commands.command()
def targets(
    ledger: LedgersOpt = None, format: ReportFormatOpt = None, output: OutputOpt = None,
    lang: LangOpt = None, as_of: AsOfOpt = None, ledger_dir: LedgerDirOpt = None,
    no_cache: NoCacheOpt = False, quiet: QuietOpt = False,
    by: Annotated[By, typer.Option("--by", help="One row per target or per indicator.")
                  ] = "target",
    convention: Annotated[str | None, typer.Option(
        "--convention", "-c", help="Only this convention's targets.",
        autocompletion=complete_convention)] = None,
    tag: Annotated[str | None, typer.Option(
        "--tag", help="Break achievements down by this tag (e.g. province).")] = None,
    period: PeriodOpt = None,
) -> None:
    """The targets: quantity, achieved, remaining and progress, per target or indicator."""
    def body(language: str) -> None:
        day = o.day(as_of, "--as-of") or o.today()
        opened = api.open_ledgers(ledger, ledger_dir, no_cache=no_cache)
        read_warnings(opened, language)
        report = api.targets(opened, day, language, by=by, convention=convention,
                             tag=tag, period=period)
        emit(report, format, language, output, [x.path for x in opened])
    guarded(lang, body, quiet, shown=(format, output))


@commands.command()
def history(
    ledger: LedgerOpt = None, format: ReportFormatOpt = None, output: OutputOpt = None,
    lang: LangOpt = None, as_of: AsOfOpt = None, no_cache: NoCacheOpt = False,
    quiet: QuietOpt = False,
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
        day = o.day(as_of, "--as-of")
        opened = api.open_ledger(o.one(ledger), no_cache=no_cache)
        read_warnings(opened, language)
        report = api.history(
            opened, language, as_of=day, today=o.today() if period else None, target=target,
            convention=convention, kind=kind,
            since=o.day(since, "--since"), until=o.day(until, "--until"),
            recorded_since=None if period else o.moment(recorded_since), recorded_by=by,
            period=period)
        emit(report, format, language, output, opened.path)
    guarded(lang, body, quiet, shown=(format, output))


@commands.command()
def status(
    ledger: LedgersOpt = None, format: ReportFormatOpt = None, output: OutputOpt = None,
    lang: LangOpt = None, as_of: AsOfOpt = None, ledger_dir: LedgerDirOpt = None,
    no_cache: NoCacheOpt = False, quiet: QuietOpt = False,
    fail_on: Annotated[FailOn | None, typer.Option(
        "--fail-on", help="Exit 3 when any target is in this state or worse (worst first: "
        "missed, at-risk, behind); missed counts money not disbursed in full by the end too.",
        show_default=False)] = None,
) -> None:
    """Are we on track? Funding execution and every target's status, pace and projection."""
    def body(language: str) -> None:
        day = o.day(as_of, "--as-of") or o.today()
        opened = api.open_ledgers(ledger, ledger_dir, no_cache=no_cache)
        read_warnings(opened, language)
        found = api.status(opened, day, language,
                           fail_on=fail_on)
        emit(found.report, format, language, output, [x.path for x in opened])
        if found.failing:
            raise typer.Exit(STATUS_FAILING)
    guarded(lang, body, quiet, shown=(format, output))


@commands.command()
def report(
    ledger: LedgersOpt = None, ledger_dir: LedgerDirOpt = None,
    no_cache: NoCacheOpt = False, quiet: QuietOpt = False,
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
        day = o.day(as_of, "--as-of")
        today = o.today()
        stamp = o.generated_at(generated_at)
        opened = api.open_ledgers(ledger, ledger_dir, no_cache=no_cache)
        read_warnings(opened, language)
        fmt = o.chosen_format(format, output, ("md", "html"), "md")
        text = api.report(opened, language, fmt=fmt, as_of=day, today=today,
                          generated_at=stamp)
        if output is not None:
            write_file(Path(output), text, [x.path for x in opened])
            return
        write_stdout(text)
    guarded(lang, body, quiet, shown=(format, output))

"""Commands that read or write other formats: import, export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import api
from ..domain import model as m
from . import options as o
from .options import (
    AsOfOpt,
    ExportFormat,
    FormatOpt,
    ImportKind,
    LangOpt,
    LedgerOpt,
    NoCacheOpt,
    QuietOpt,
    StrictOpt,
)
from .output import emit, guarded, problems, write_stdout, write_stdout_bytes

commands = typer.Typer()


@commands.command("import")
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
    format: FormatOpt = "table", lang: LangOpt = None,
    no_cache: NoCacheOpt = False, strict: StrictOpt = False, quiet: QuietOpt = False,
) -> None:
    """Import progress or transactions from a partner's spreadsheet: all rows or none."""
    def body(language: str) -> None:
        from ..present import reports

        done = api.import_file(
            file, o.one(ledger), kind=kind, maps=map_ or [],
            profile=profile, save_profile=save_profile, decimal=decimal, thousands=thousands,
            date_format=date_format, delimiter=delimiter, encoding=encoding, sheet=sheet,
            header_row=header_row, today=o.today(), dry_run=dry_run, no_cache=no_cache,
            strict=strict)
        problems([*api.read_warnings(api.read(done.path, no_cache=no_cache)), *done.warnings],
                 language)
        emit(reports.imported(done.plan, ledger=done.path, dry_run=dry_run,
                              written=done.written, lang=language), format, language, None)
        if done.refused:
            raise m.EmploiError(list(done.problems))
    guarded(lang, body, quiet)


@commands.command()
def export(
    file: Annotated[Path, typer.Argument(metavar="FILE",
        help="The file to write (replaced atomically); with --format iati, - writes the "
        "document to standard output.", show_default=False)],
    format: Annotated[ExportFormat, typer.Option(
        "--format", "-f", help="sqlite: tables for SQL tools; iati: an IATI 2.03 activity "
        "file (docs/iati.md).")] = "sqlite",
    ledger: Annotated[list[str] | None, typer.Option(
        "--ledger", "-l", help="Ledger file; repeat it to export several ledgers into one "
        "file (default: as for the other commands).", show_default=False)] = None,
    ledger_dir: Annotated[str | None, typer.Option(
        "--ledger-dir", help="Export every *.toml ledger in this folder.",
        show_default=False)] = None,
    as_of: AsOfOpt = None, lang: LangOpt = None,
    no_cache: NoCacheOpt = False, quiet: QuietOpt = False,
) -> None:
    """Export ledgers: as SQLite tables for SQL tools, or as IATI activities."""
    def body(language: str) -> None:
        from ..present import i18n

        day = o.day(as_of, "--as-of") or o.today()
        problems(api.read_warnings(api.open_ledgers(ledger, ledger_dir, no_cache=no_cache)),
                 language)
        if str(file) == "-" and format == "iati":
            write_stdout_bytes(api.export_iati(ledger, ledger_dir, as_of=day,
                                               no_cache=no_cache))
            return
        counts = api.export(file, ledger, ledger_dir, as_of=day, no_cache=no_cache,
                            format=format)
        write_stdout(i18n.label("exported", language, file=str(file), **counts) + "\n")
    guarded(lang, body, quiet)

"""Commands about a ledger as a whole: init, check."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import api
from . import options as o
from .options import LangOpt, LedgerOpt, NoCacheOpt, OutputOpt, ReportFormatOpt
from .output import BAD_DATA, emit, guarded, write_stdout

commands = typer.Typer()


@commands.command()
def check(ledger: LedgerOpt = None, format: ReportFormatOpt = None,
          output: OutputOpt = None, lang: LangOpt = None, no_cache: NoCacheOpt = False) -> None:
    """Is the ledger sound? Lists every problem with its place; exit 1 on any error."""
    def body(language: str) -> None:
        from ..present import reports

        path = api.find(o.one(ledger))
        found = api.check(path, today=o.today(), no_cache=no_cache)
        emit(reports.problems(found, language), format, language, output, str(path))
        if any(p.is_error for p in found):
            raise typer.Exit(BAD_DATA)
    guarded(lang, body)


@commands.command()
def init(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="Where to write the new ledger.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")
                     ] = False,
    lang: LangOpt = None,
) -> None:
    """Write a documented starter ledger for a new programme."""
    def body(language: str) -> None:
        write_stdout(f"{api.init(path, force=force, lang=language)}\n")
    guarded(lang, body)

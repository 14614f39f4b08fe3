"""The `emploi` command line: the Typer app, composed of one module per group of commands.

The only package that imports typer. Each command parses its options (options.py), calls the
API (emploi_cli.api) and writes what it returns (output.py, which also decides exit codes).
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from .. import __version__
from . import exchange, journal, ledger, reports
from .texts import LocalisedCommand, LocalisedGroup

app = typer.Typer(
    name="emploi",
    cls=LocalisedGroup,
    help="Budget and target tracker for public employment programmes, on a TOML ledger.",
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# The order `emploi --help` lists them in.
ORDER = ("summary", "targets", "check", "history", "record", "disburse", "void", "amend",
         "reconcile", "close", "reopen", "init", "status", "report", "import", "export")


def _name(command: typer.models.CommandInfo) -> str:
    return command.name or command.callback.__name__.replace("_", "-")  # type: ignore[union-attr]


_commands = {_name(c): c for group in (reports, journal, ledger, exchange)
             for c in group.commands.registered_commands}
app.registered_commands = [_commands[name] for name in ORDER]
for _command in app.registered_commands:  # --help in the user's language (cli/texts.py)
    _command.cls = LocalisedCommand


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
    picked = [c for c in app.registered_commands if _name(c) == first[0]]
    if len(picked) != 1 and first != ["--version"]:
        return app
    one = copy.copy(app)
    one.registered_commands = picked
    return one

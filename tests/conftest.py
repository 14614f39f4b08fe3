"""Deterministic environment for every test: no colour, fixed width, fixed today, a test user."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ.pop("FORCE_COLOR", None)
os.environ["_TYPER_FORCE_DISABLE_TERMINAL"] = "1"
os.environ["NO_COLOR"] = "1"
os.environ["TERMINAL_WIDTH"] = "200"
os.environ["COLUMNS"] = "200"
os.environ["EMPLOI_TODAY"] = "2022-06-30"
os.environ["EMPLOI_USER"] = "test-user"
os.environ["EMPLOI_NO_CACHE"] = "1"
for name in ("EMPLOI_LEDGER", "EMPLOI_LANG", "LC_ALL", "LANG"):
    os.environ.pop(name, None)

import pytest  # noqa: E402
import typer.testing  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from emploi_cli.cli.app import app  # noqa: E402

# typer's CliRunner rebuilds the click command from the app on every invoke (about 40 ms);
# the command is immutable, so build it once for the whole suite.
_build_command = typer.testing._get_command
_commands: dict[int, object] = {}


def _command_once(typer_app):
    if id(typer_app) not in _commands:
        _commands[id(typer_app)] = _build_command(typer_app)
    return _commands[id(typer_app)]


typer.testing._get_command = _command_once

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "data" / "conventions.toml"


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """A private copy of the shipped ledger."""
    copy = tmp_path / "conventions.toml"
    shutil.copyfile(SHIPPED, copy)
    return copy


@pytest.fixture
def emploi():
    """Run the CLI in-process: emploi("summary", "-f", "json") -> Result (stdout, stderr)."""
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None, input: str | None = None):
        return runner.invoke(app, list(args), env=env, input=input, catch_exceptions=False)

    return invoke

"""The command line's own texts in the user's language: `--help`.

The help is written in English in the code (docstrings, `help=`); when the language is not
English ($EMPLOI_LANG, else the locale: cli/options.language), each text is looked up in the
catalogs (context "cli") while the help is formatted, and put back afterwards, so that the
command, built once, stays English for the next call.
"""

from __future__ import annotations

from collections.abc import Callable

import typer
from typer.core import TyperCommand, TyperGroup

from ..present.catalog import translate

# The words Typer writes around the help texts; each is a message of the catalogs.
HELP_WORDS = ("Usage:", "Options:", "Arguments:", "Commands:", "default:", "required",
              "Show this message and exit.")


def language() -> str:
    from .options import language as chosen

    return chosen(None)


def _localised(command, ctx: typer.Context, make: Callable[[typer.Context], str],
               children: tuple = ()) -> str:
    lang = language()
    if lang == "en":
        return make(ctx)
    swapped = []
    for thing in (command, *command.get_params(ctx), *children):
        for attribute in ("help", "short_help"):
            english = getattr(thing, attribute, None)
            if english:
                swapped.append((thing, attribute, english))
                setattr(thing, attribute, translate(english, lang, "cli"))
    try:
        text = make(ctx)
    finally:
        for thing, attribute, english in swapped:
            setattr(thing, attribute, english)
    return words(text, lang)


def words(text: str, lang: str) -> str:
    """Typer's own words in the help, in `lang`."""
    lines = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped in ("Options:", "Arguments:", "Commands:"):
            line = line.replace(stripped, translate(stripped, lang, "cli"))
        elif line.startswith("Usage: "):
            line = translate("Usage:", lang, "cli") + line[len("Usage:"):]
        line = line.replace("[default: ", f"[{translate('default:', lang, 'cli')} ").replace(
            "[required]", f"[{translate('required', lang, 'cli')}]").replace(
            "; required]", f"; {translate('required', lang, 'cli')}]")
        lines.append(line)
    return "\n".join(lines)


class LocalisedCommand(TyperCommand):
    """A command whose --help is in the user's language."""

    def get_help(self, ctx: typer.Context) -> str:
        return _localised(self, ctx, super().get_help)


class LocalisedGroup(TyperGroup):
    """The app: its --help, and the one-line help of each command it lists, localised."""

    def get_help(self, ctx: typer.Context) -> str:
        children = tuple(self.commands.values())
        return _localised(self, ctx, super().get_help, children)


def messages() -> list[str]:
    """Every English text of the command line that the catalogs translate: the help of the
    app, of each command and of each of its options, and Typer's words around them."""
    from typer.main import get_command

    from .app import app

    group = get_command(app)
    found = [*HELP_WORDS]
    context = typer.Context(group)
    for thing in (group, *group.get_params(context)):
        found.append(thing.help or "")
    for command in group.commands.values():  # type: ignore[attr-defined]
        found.append(command.help or "")
        found += [p.help or "" for p in command.get_params(typer.Context(command))]
    return list(dict.fromkeys(text for text in found if text))

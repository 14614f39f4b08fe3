"""The command line's own texts in the user's language: `--help`, and the errors of Typer's
option parser (an unknown option or command, a missing argument, a bad choice), one line each.

The help is written in English in the code (docstrings, `help=`); when the language is not
English ($EMPLOI_LANG, else the locale: cli/options.language), each text is looked up in the
catalogs (context "cli") while the help is formatted, and put back afterwards, so that the
command, built once, stays English for the next call.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from functools import cache

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


# The messages of Typer's parser (its vendored Click), as English templates: each is a
# message of the catalogs (context "problem"), its {fields} read back from Click's text. The
# first that matches the whole message words it; one that none matches stays English.
PARSER_ERRORS = (
    "No such option: {option} (Possible options: {options})",
    "No such option: {option}",
    "No such command {name}. Did you mean {suggestions}?",
    "No such command {name}.",
    "Missing argument {name}.",
    "Missing option {name}.",
    "Invalid value for {name}: {value} is not one of {choices}.",
    "Invalid value for {name}: {value} is not a valid {type}.",
    "Invalid value for {name}: {reason}",
    "Got unexpected extra argument(s) ({arguments})",
    "Option {option} requires an argument.",
    "Option {option} requires {count} arguments.",
    "Option {option} does not take a value.",
)


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile("".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)"
                              for i, part in enumerate(parts)))


@cache
def _parser_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """Each template with the pattern that reads it back, compiled at the first usage error
    (start-up time)."""
    return tuple((template, _pattern(template)) for template in PARSER_ERRORS)


def parser_error(message: str):
    """Click's message as a usage error made from its template (worded in any language), or
    the message as it is when no template matches."""
    from ..api import BadOption

    message = " ".join(message.split())
    for template, pattern in _parser_patterns():
        found = pattern.fullmatch(message)
        if found:
            return BadOption(template, **found.groupdict())
    return BadOption(message)


class LocalisedGroup(TyperGroup):
    """The app: its --help, and the one-line help of each command it lists, localised; Click's
    usage errors (unknown command or option, missing argument, bad choice) as one line in the
    shape of every other error, worded in the user's language, the hint at the end, instead of
    Click's usage, hint, blank line and error."""

    def get_help(self, ctx: typer.Context) -> str:
        children = tuple(self.commands.values())
        return _localised(self, ctx, super().get_help, children)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        from typer._click import exceptions as click_errors
        from typer.exceptions import Abort

        from ..present.i18n import label
        from .output import BAD_DATA, OK, USAGE, on_stderr, stderr, usage_error

        try:
            done = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click_errors.NoArgsIsHelpError as exc:  # `emploi` alone: the help, as asked
            exc.show()
            done = exc.exit_code
        except click_errors.UsageError as exc:
            usage_error(parser_error(exc.format_message()), language(),
                        exc.ctx.command_path if exc.ctx else "emploi")
            done = USAGE
        except click_errors.ClickException as exc:
            said = on_stderr(language())
            stderr(f"emploi: {label('error', said)}: {' '.join(exc.format_message().split())}")
            done = exc.exit_code
        except Abort:
            stderr(f"emploi: {label('aborted', on_stderr(language()))}")
            done = BAD_DATA
        code = done if isinstance(done, int) else OK
        if standalone_mode:
            sys.exit(code)
        return code


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

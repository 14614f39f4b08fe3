"""Options shared by several commands, their choices, and the parsing of their values.

A malformed value is a usage error (`api.BadOption`, exit 2); a well-formed value the ledger
refuses is the API's to say (exit 1).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Literal, get_args

import typer

from .. import api
from ..domain import dates
from ..domain import model as m

Usage = api.BadOption


# The choices of options, as Literal types: Typer offers their values as the choices and
# gives the command the text chosen (an Enum class would cost every start-up a fraction of a
# millisecond to create).
Format = Literal["table", "json", "csv", "md",
                 "csv-fr"]  # csv-fr: csv for French spreadsheets: ';', a BOM, decimal commas
Lang = Literal["fr", "en", "ar"]  # ar: reports and the human table formats (docs/translating.md)
By = Literal["target", "indicator"]
SummaryBy = Literal["convention", "year"]
Kind = Literal["commitment", "disbursement", "expenditure"]
HistoryKind = Literal["progress", "transaction", "commitment", "disbursement", "expenditure",
                      "void", "amendment", "assertion", "lock", "profile"]
Period = Literal["month", "quarter", "year"]
FailOn = Literal["behind", "at-risk", "missed"]
DocFormat = Literal["md", "html"]
ImportKind = Literal["progress", "transaction"]
ExportFormat = Literal["sqlite", "iati"]


# ---- completion (ids from the ledger in use) ---------------------------------------------


def _completion_ledger(ctx: typer.Context) -> m.Ledger | None:
    try:
        option = ctx.params.get("ledger")
        if isinstance(option, list | tuple):
            option = option[0] if option else None
        return api.read(option).ledger
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
# message (exit 2) rather than silently replacing the first; `one` takes the single value.
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
ReportFormatOpt = Annotated[Format | None, typer.Option(
    "--format", "-f", help="Output format (default: from the --output file's extension, "
    ".json .csv .md, else table).", show_default=False)]
OutputOpt = Annotated[str | None, typer.Option(
    "--output", "-o", help="Write the report to this file instead of standard output; its "
    "extension gives the format when --format is not given.")]
LangOpt = Annotated[Lang | None, typer.Option(
    "--lang", help="Language of labels and numbers: fr, en, or ar for reports and tables "
    "(default: $EMPLOI_LANG, else fr when LC_ALL/LANG starts with fr, else en).",
    show_default=False)]
AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", help="Report as things stood on this date (YYYY-MM-DD; default today).")]
DryRunOpt = Annotated[bool, typer.Option(
    "--dry-run", help="Show the entry that would be written; write nothing.")]
NoteOpt = Annotated[str, typer.Option("--note", help="Free text kept with the entry.")]
StrictOpt = Annotated[bool, typer.Option(
    "--strict", help="Refuse (write nothing) a value that looks like a slip: alone more than "
    "half of its target, or taking the achieved total past it; without it, a warning.")]
DateOpt = Annotated[str | None, typer.Option(
    "--date", help="Effective date (YYYY-MM-DD; default today).")]
QuietOpt = Annotated[bool, typer.Option(
    "--quiet", "-q", help="No warnings on standard error (errors are still shown).")]
NoCacheOpt = Annotated[bool, typer.Option(
    "--no-cache", help="Read the ledger itself, not its cache (also: EMPLOI_NO_CACHE=1).")]
PeriodOpt = Annotated[Period | None, typer.Option(
    "--period", help="Achievements per month, quarter or year, with the running total and "
    "what was expected (one row per target and period).", show_default=False)]


# ---- values ------------------------------------------------------------------------------


def today() -> date:
    """Today, or $EMPLOI_TODAY (reproducible reports and tests)."""
    fixed = os.environ.get("EMPLOI_TODAY")
    if not fixed:
        return date.today()
    try:
        return date.fromisoformat(fixed)
    except ValueError:
        raise Usage("EMPLOI_TODAY {value} is not a date: {reason}", value=repr(fixed),
                    reason=dates.why_not_iso(fixed)) from None


def language(option: Lang | None) -> str:
    """--lang, else $EMPLOI_LANG, else fr when the locale is French, else en."""
    if option is not None:
        return option
    chosen = os.environ.get("EMPLOI_LANG", "")
    if chosen in ("fr", "en", "ar"):
        return chosen
    locale = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "fr" if locale.lower().startswith("fr") else "en"


def day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Usage("{option} {value} is not a date: {reason}", option=option,
                    value=repr(text), reason=dates.why_not_iso(text)) from None


def moment(text: str | None) -> datetime | None:
    """A date (midnight UTC) or an ISO date-time (UTC when no offset is given)."""
    if text is None:
        return None
    try:
        found = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        reason = dates.impossible_iso(text[:10])
        raise Usage("--recorded-since {value} is not a date or date-time{reason}",
                    value=repr(text),
                    reason=m.phrase(": {reason}", reason=reason) if reason else "") from None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def generated_at(option: str | None) -> date | datetime | None:
    """--generated-at, else $SOURCE_DATE_EPOCH, else None (the API then takes the report's
    date, else now)."""
    if option is not None:
        try:
            found = datetime.fromisoformat(option.strip().replace("Z", "+00:00"))
        except ValueError:
            reason = dates.impossible_iso(option[:10])
            raise Usage("--generated-at {value} is not a date or date-time{reason}",
                        value=repr(option),
                        reason=m.phrase(": {reason}", reason=reason) if reason else m.phrase(
                            " (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)")) from None
        if len(option.strip()) == 10:
            return found.date()
        return found if found.tzinfo else found.replace(tzinfo=UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise Usage("SOURCE_DATE_EPOCH {value} is not a number of seconds",
                        value=repr(epoch))
        return datetime.fromtimestamp(int(epoch), UTC)
    return None


# The format an --output file's extension names.
SUFFIXES = {".json": "json", ".csv": "csv", ".md": "md", ".html": "html", ".htm": "html"}


def chosen_format(given: str | None, output: str | None, offered: tuple[str, ...],
                  default: str) -> str:
    """--format, else the one the --output file's extension names among those `offered`,
    else `default`; a --format the extension contradicts is a usage error."""
    named = SUFFIXES.get(os.path.splitext(output)[1].lower()) if output else None
    inferred = named if named in offered else None
    if given is None:
        return inferred or default
    if inferred is not None and inferred != given.partition("-")[0]:  # csv-fr is a csv
        raise Usage("--format {given} contradicts --output {output}, whose extension says "
                    "{inferred}; leave --format out, or name the file for the format",
                    given=given, output=repr(output), inferred=inferred)
    return given


def report_format(given: Format | None, output: str | None) -> Format:
    """The format of a report (table, json, csv, md, csv-fr): chosen_format's rule."""
    return chosen_format(given, output, get_args(Format), "table")  # type: ignore[return-value]


def one(ledger_option: list[str] | None) -> str | None:
    """The one --ledger of a command that works on a single ledger; several: usage error."""
    if ledger_option is None:
        return None
    if len(ledger_option) > 1:
        raise Usage("--ledger was given {count} times; this command works on one ledger "
                    "(summary, targets, status, report and export read several)",
                    count=len(ledger_option))
    return ledger_option[0] if ledger_option else None


def count(text: str, name: str = "VALUE") -> int:
    """A whole number a user typed for `name` (VALUE, --quantity)."""
    stripped = text.strip()
    if stripped.startswith("-") and stripped[1:].isdigit():
        raise m.refusal("negative", "value must not be negative ({stripped})", field="value",
                        args={"stripped": stripped})
    if re.fullmatch(r"\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+", stripped):  # 6.000, 20 815
        raise Usage("{name} {value} is not a whole number: write it without a thousands "
                    "separator, {digits}", name=name, value=repr(text),
                    digits=re.sub(r"\D", "", stripped))
    if not stripped.isdigit() or not stripped.isascii():
        raise Usage("{name} {value} is not a whole number", name=name, value=repr(text))
    if len(stripped) > 13:
        raise m.refusal("too-large", "value {stripped} is beyond any plausible count",
                        field="value", args={"stripped": stripped})
    return int(stripped)


def money(text: str) -> Decimal:
    return api.money(text)


def tags(items: list[str]) -> tuple[tuple[str, str], ...]:
    found = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise Usage("--tag {value} must be KEY=VALUE", value=repr(item))
        found[key.strip()] = value.strip()
    return tuple(sorted(found.items()))

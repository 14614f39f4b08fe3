"""Commands that append one entry to the journal: record, disburse, void, amend, reconcile,
close, reopen."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import api
from . import options as o
from .options import (
    DateOpt,
    DryRunOpt,
    Format,
    FormatOpt,
    Kind,
    Lang,
    LangOpt,
    LedgerOpt,
    NoCacheOpt,
    NoteOpt,
    QuietOpt,
    StrictOpt,
    complete_convention,
    complete_funder,
    complete_target,
)
from .output import guarded, reconciled, written

commands = typer.Typer()


@commands.command(context_settings={"ignore_unknown_options": True})
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
    dry_run: DryRunOpt = False, format: FormatOpt = "table", lang: LangOpt = None,
    no_cache: NoCacheOpt = False, strict: StrictOpt = False, quiet: QuietOpt = False,
) -> None:
    """Record progress on a target; prints the new entry's id."""
    def body(language: str) -> None:
        count = o.count(value)
        day = o.day(date_, "--date") or o.today()
        tags = o.tags(tag or [])
        done = api.record(o.one(ledger), target, count, day=day, note=note, source=source,
                          tags=tags, today=o.today(), dry_run=dry_run, no_cache=no_cache,
                          strict=strict)
        written(done, format, language)
    guarded(lang, body, quiet)


@commands.command(context_settings={"ignore_unknown_options": True})
def disburse(
    convention: Annotated[str, typer.Argument(metavar="CONVENTION", help="Convention id, e.g. c1.",
                                              autocompletion=complete_convention)],
    amount: Annotated[str, typer.Argument(metavar="AMOUNT",
        help="Amount in MDH, exact decimal (25.5).")],
    ledger: LedgerOpt = None,
    funder: Annotated[str, typer.Option("--funder", help="Funder id (optional).",
                                        autocompletion=complete_funder)] = "",
    kind: Annotated[Kind, typer.Option("--kind", help="Transaction kind (as in IATI).")
                    ] = "disbursement",
    date_: DateOpt = None, note: NoteOpt = "",
    source: Annotated[str, typer.Option("--source", help="Where the figure comes from.")
                      ] = "",
    dry_run: DryRunOpt = False, format: FormatOpt = "table", lang: LangOpt = None,
    no_cache: NoCacheOpt = False, quiet: QuietOpt = False,
) -> None:
    """Record money: a commitment, disbursement or expenditure for a convention."""
    def body(language: str) -> None:
        money = o.money(amount)
        day = o.day(date_, "--date") or o.today()
        done = api.disburse(o.one(ledger), convention, money, kind=kind, funder=funder,
                            day=day, note=note, source=source, today=o.today(),
                            dry_run=dry_run, no_cache=no_cache)
        written(done, format, language)
    guarded(lang, body, quiet)


@commands.command()
def void(
    entry: Annotated[str, typer.Argument(metavar="ENTRY_ID",
        help="Id (or unique prefix) of the entry to void.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is void (required).")],
    ledger: LedgerOpt = None, dry_run: DryRunOpt = False, format: FormatOpt = "table",
    lang: LangOpt = None, no_cache: NoCacheOpt = False, quiet: QuietOpt = False,
) -> None:
    """Void an entry: it stays in the file and in history, and no report counts it."""
    def body(language: str) -> None:
        done = api.void(o.one(ledger), entry, reason, today=o.today(), dry_run=dry_run,
                        no_cache=no_cache)
        written(done, format, language)
    guarded(lang, body, quiet)


@commands.command()
def amend(
    ledger: LedgerOpt = None,
    convention: Annotated[str, typer.Option(
        "--convention", help="Convention whose amount changes (with --funder: the "
        "convention of the contribution that changes).",
        autocompletion=complete_convention)] = "",
    funder: Annotated[str, typer.Option(
        "--funder", help="Funder whose commitment changes (with --convention: its "
        "contribution to that convention).", autocompletion=complete_funder)] = "",
    target: Annotated[str, typer.Option("--target", help="Target whose quantity changes.",
                                        autocompletion=complete_target)] = "",
    end: Annotated[str | None, typer.Option("--end", help="The programme's new end date.")
                   ] = None,
    amount: Annotated[str | None, typer.Option("--amount", help="New amount in MDH.")] = None,
    quantity: Annotated[str | None, typer.Option("--quantity", help="New quantity.")] = None,
    year: Annotated[int | None, typer.Option(
        "--year", help="With --convention (and --funder): the fiscal year whose tranche of "
        "the plan --amount sets.")] = None,
    reference: Annotated[str, typer.Option("--reference", help="The avenant's reference.")
                         ] = "",
    reason: Annotated[str, typer.Option("--reason", help="Why the value changes.")] = "",
    date_: DateOpt = None, dry_run: DryRunOpt = False, format: FormatOpt = "table",
    lang: LangOpt = None,
    no_cache: NoCacheOpt = False, quiet: QuietOpt = False,
) -> None:
    """Record an amendment (avenant): a new amount, commitment, quantity, end date or plan
    tranche (--year)."""
    def body(language: str) -> None:
        money = o.money(amount) if amount is not None else None
        count = o.count(quantity, "--quantity") if quantity is not None else None
        day = o.day(date_, "--date") or o.today()
        new_end = o.day(end, "--end")
        done = api.amend(o.one(ledger), reference=reference, reason=reason,
                         convention=convention, funder=funder, target=target, amount=money,
                         quantity=count, end=new_end, day=day, today=o.today(),
                         dry_run=dry_run, no_cache=no_cache, year=year)
        written(done, format, language)
    guarded(lang, body, quiet)


@commands.command(context_settings={"ignore_unknown_options": True})
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
    dry_run: DryRunOpt = False, format: FormatOpt = "table", lang: LangOpt = None,
    no_cache: NoCacheOpt = False, quiet: QuietOpt = False,
) -> None:
    """Record a partner's cumulative figure that the journal must match (`check` verifies)."""
    def body(language: str) -> None:
        count = o.count(value) if value is not None else None
        money = o.money(amount) if amount is not None else None
        day = o.day(date_, "--date") or o.today()
        done = api.reconcile(o.one(ledger), target=target or "", value=count,
                             convention=convention, amount=money,
                             kind=kind or "", funder=funder, source=source,
                             day=day, today=o.today(), dry_run=dry_run, no_cache=no_cache)
        reconciled(done, format, language)
    guarded(lang, body, quiet)


@commands.command()
def close(
    period: Annotated[str, typer.Argument(metavar="PERIOD",
        help="2021-Q2, 2021, 2021-06 or a date.")],
    ledger: LedgerOpt = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (optional).")] = "",
    dry_run: DryRunOpt = False, format: FormatOpt = "table", lang: LangOpt = None,
    no_cache: NoCacheOpt = False, quiet: QuietOpt = False,
) -> None:
    """Close a period: afterwards no entry dated on or before its last day can be written."""
    _closing(api.close, ledger, period, reason, dry_run, format, lang, no_cache, quiet)


@commands.command()
def reopen(
    period: Annotated[str, typer.Argument(metavar="PERIOD",
        help="The period to reopen (2021-Q2, ...).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is reopened (required).")],
    ledger: LedgerOpt = None, dry_run: DryRunOpt = False, format: FormatOpt = "table",
    lang: LangOpt = None,
    no_cache: NoCacheOpt = False, quiet: QuietOpt = False,
) -> None:
    """Reopen a closed period (from its first day on), with a reason kept in the ledger."""
    _closing(api.reopen, ledger, period, reason, dry_run, format, lang, no_cache, quiet)


def _closing(action, ledger: list[str] | None, period: str, reason: str, dry_run: bool,
             format: Format, lang: Lang | None, no_cache: bool, quiet: bool) -> None:
    def body(language: str) -> None:
        done = action(o.one(ledger), period, reason, today=o.today(), dry_run=dry_run,
                      no_cache=no_cache)
        written(done, format, language)
    guarded(lang, body, quiet)

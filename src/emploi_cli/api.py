"""The emploi library: what the command line does, as functions (docs/api.md).

Every function returns data or raises `EmploiError` (its `problems` say what and where); none
prints, exits or imports typer or rich. A command of the CLI parses its options, calls one of
these and writes what it returns.

The modules below are imported inside the functions that need them: a command pays only for
what it uses (docs/performance.md). Results are named tuples, not dataclasses: building a
frozen dataclass's methods when the module is imported costs every command a few ms.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .domain.limits import MONEY_PLACES
from .domain.model import (
    AssertionEntry,
    EmploiError,
    Ledger,
    Place,
    Problem,
    error,
    phrase,
    refusal,
)

if TYPE_CHECKING:
    from .domain.checks import Comparison
    from .domain.position import Position
    from .domain.rollup import Rollup
    from .exchange.importer import Plan
    from .present.render import Report
    from .store.reading import Loaded

__all__ = [
    "BadOption",
    "EmploiError",
    "Imported",
    "Problem",
    "Reconciled",
    "Status",
    "Written",
    "amend",
    "check",
    "close",
    "disburse",
    "export",
    "find",
    "history",
    "import_file",
    "in_language",
    "init",
    "money",
    "open_ledger",
    "open_ledgers",
    "position",
    "read",
    "read_warnings",
    "reconcile",
    "record",
    "reopen",
    "report",
    "rollup",
    "status",
    "summary",
    "targets",
    "void",
    "write_output",
]

LedgerName = str | Path | None


class BadOption(EmploiError):
    """A malformed or misplaced option value, not a problem of a ledger (the CLI: exit 2)."""

    def __init__(self, template: str, **values: object):
        super().__init__(error("usage", template, args=values), exit_code=2)

    @property
    def message(self) -> str:
        return self.problems[0].message


def _today(today: date | None) -> date:
    return today if today is not None else date.today()


def money(text: str) -> Decimal:
    """An amount in MDH written as a plain decimal (`25.5`; at most 6 decimals)."""
    from .store.reading import parse_money_text

    try:
        return parse_money_text(text)
    except ValueError:
        if re.fullmatch(r"\s*\d+,\d+\s*", text):  # a French decimal comma
            raise refusal("bad-amount", "{text} is not an amount in MDH: write the decimals "
                          "after a point, {suggestion}", field="amount", exit_code=2,
                          args={"text": repr(text),
                                "suggestion": text.strip().replace(",", ".")}) from None
        raise refusal("bad-amount", "{text} is not an amount in MDH (digits with an optional '.' "
                      "and at most {places} decimals, e.g. 25.5)", field="amount", exit_code=2,
                      args={"text": repr(text), "places": MONEY_PLACES}) from None


# ---- finding and opening ledgers ---------------------------------------------------------


def find(ledger: LedgerName = None, *, writable: bool = False) -> Path:
    """The ledger to use: `ledger`, else $EMPLOI_LEDGER, else ./data/conventions.toml, else the
    shipped copy. `writable`: never the shipped copy (it is read-only)."""
    from .store import reading

    option = None if ledger is None else str(ledger)
    choose = reading.writable_ledger if writable else reading.resolve_ledger
    return choose(option, dict(os.environ), Path.cwd())


def read(ledger: LedgerName = None, *, no_cache: bool = False) -> Loaded:
    """The ledger read as it is (through the parse cache), errors and all."""
    from .store import cache

    return cache.load(find(ledger), no_cache=no_cache)


def open_ledger(ledger: LedgerName = None, *, no_cache: bool = False) -> Loaded:
    """The ledger read, refused when it has structural errors (`check` lists them)."""
    path = find(ledger)
    from .store import cache

    loaded = cache.load(path, no_cache=no_cache)
    if loaded.ledger is None or loaded.errors:
        raise EmploiError([*loaded.errors, error(
            "invalid-ledger", "the ledger has errors; `emploi check` lists them all",
            Place(str(path)))])
    return loaded


def open_ledgers(ledgers: Sequence[str | Path] | None = None, folder: str | Path | None = None,
                 *, no_cache: bool = False) -> list[Loaded]:
    """The ledgers a report reads: each of `ledgers` in order, then every *.toml in `folder`
    (sorted by name), the same file counting once; neither: the one `find` gives. One ledger
    is a report on it; several are rolled up. Each is refused as `open_ledger` does."""
    from .store import reading

    paths = reading.resolve_ledgers([str(p) for p in ledgers or []] or None,
                                    None if folder is None else str(folder),
                                    dict(os.environ), Path.cwd())
    return [open_ledger(path, no_cache=no_cache) for path in paths]


def read_warnings(opened: Loaded | Sequence[Loaded]) -> list[Problem]:
    """What every command that reads a ledger warns about, whatever it does with it: keys the
    format does not know (a typo such as `quantiy` leaves a figure out), each placed, with the
    key it likely means."""
    from .store import reading

    ledgers = [opened] if not isinstance(opened, Sequence) else opened
    return [p for x in ledgers for p in reading.read_warnings(x.problems)]


def rollup(opened: Sequence[Loaded], as_of: date) -> Rollup:
    """Several ledgers added up; what cannot be added up is refused, placed in its file."""
    from .domain import rollup as ru
    from .store import reading

    found = ru.problems([x.ledger for x in opened])
    if found:
        texts = {x.path: x.text for x in opened}
        raise EmploiError([reading.place_all([p], texts[p.place.file])[0] for p in found])
    return ru.rollup([x.ledger for x in opened], as_of)


def _known(kind: str, ident: str | None, known: list[str]) -> None:
    """Refuse an id that names nothing in the ledger (None: nothing asked)."""
    if ident is None:  # the entry builders are imported only for an id to check
        return
    from .domain import entries

    entries.require_known(kind, ident, known)


# ---- figures -----------------------------------------------------------------------------


def position(opened: Loaded | Ledger, as_of: date) -> Position:
    """Every figure in force on `as_of`: money as amended, flows, execution, targets with their
    pace and cost. Every report renders this one result."""
    from .domain import position as figures

    ledger = opened if isinstance(opened, Ledger) else opened.ledger
    return figures.position(ledger, as_of)


def in_language(opened: Sequence[Loaded], lang: str) -> list[Loaded]:
    """The ledgers with the texts they give in `lang` ([translations.<lang>]) in place."""
    if not any(x.ledger is not None and x.ledger.translations for x in opened):
        return list(opened)  # nothing to translate: translations.py is not imported
    from .domain.translations import apply
    from .store.reading import Loaded as Read

    return [x if x.ledger is None or not x.ledger.translations else
            Read(x.path, lambda x=x: x.text, apply(x.ledger, lang), x.problems)
            for x in opened]


def summary(opened: Sequence[Loaded], as_of: date, lang: str = "en", *,
            by: str = "convention") -> Report:
    """The money: total, conventions, funders, the part with no named funder, execution, who
    pays what by convention; `by="year"`: the financing plan against the flows per year."""
    from .present import reports

    opened = in_language(opened, lang)
    if len(opened) > 1:
        if by == "year":
            raise refusal("rollup-by-year", "summary --by year reads one ledger at a time "
                          "(fiscal years and plans are a programme's own)", field="by",
                          args={"by": by})
        return reports.summary_rollup(rollup(opened, as_of), lang)
    return reports.summary(position(opened[0], as_of), lang, by=by)


def targets(opened: Sequence[Loaded], as_of: date, lang: str = "en", *, by: str = "target",
            convention: str | None = None, tag: str | None = None,
            period: str | None = None) -> Report:
    """Targets (or indicators) with achieved, remaining and progress; `period` (month,
    quarter, year): achievements per period instead."""
    from .present import reports

    opened = in_language(opened, lang)
    if len(opened) > 1:
        if convention is not None or tag or period is not None:
            raise BadOption("--convention, --tag and --period work on one ledger; leave them "
                            "out of a roll-up of several ledgers")
        return reports.targets_rollup(rollup(opened, as_of), lang, by)
    ledger = opened[0].ledger
    _known("convention", convention, [c.id for c in ledger.conventions])
    if period is not None:
        if by != "target" or tag:
            raise BadOption("--period cannot be combined with --by indicator or --tag")
        ids = [t.id for t in ledger.targets if convention in (None, t.convention)]
        return _periods(ledger, as_of, period, lang, ids)
    return reports.targets(position(ledger, as_of), lang, by=by, convention=convention,
                           tag=tag)


def _periods(ledger: Ledger, as_of: date, period: str, lang: str, ids: list[str],
             since: date | None = None, until: date | None = None) -> Report:
    from .domain import periods
    from .present import pace_reports

    rows = periods.period_rows(ledger, as_of, period, targets=ids, since=since, until=until)
    return pace_reports.periods(rows, period, as_of, lang, ledger.programme.fiscal_year_start)


class Status(NamedTuple):
    """`status`: the report, and whether a target is in the state asked about or worse."""

    report: Report
    failing: bool


def status(opened: Sequence[Loaded], as_of: date, lang: str = "en", *,
           fail_on: str | None = None) -> Status:
    """Funding execution, every target's status, pace and projection, and the financing plan
    by year. `fail_on` (behind, at-risk, missed): `failing` says whether a target is in that
    state or worse, or (missed being the worst) whether money was missed: an amount not
    disbursed in full by the end; with `behind`, a year whose disbursements lag its plan fails
    too."""
    from .domain import pace
    from .present import pace_reports

    opened = in_language(opened, lang)
    if len(opened) > 1:
        from .domain import rollup as ru

        whole = rollup(opened, as_of)
        items = [p for group in ru.paces(whole).values() for p in group]
        money = [p.funding for p in whole.programmes]
        report = pace_reports.status_rollup(whole, lang)
    else:
        now = position(opened[0], as_of)
        items, money = now.paces, [now.funding]
        report = pace_reports.status(now, lang)
    failing = fail_on is not None and (bool(pace.failing(items, fail_on)) or (
        "missed" in pace.FAIL_ON[fail_on] and any(
            line.status == "missed" for f in money for line in (f, *f.conventions, *f.funders))))
    if fail_on == "behind" and len(opened) == 1:
        failing = failing or any(y.state == "behind" for y in now.years)
    return Status(report, failing)


HISTORY_KINDS = ("progress", "transaction", "commitment", "disbursement", "expenditure",
                 "void", "amendment", "assertion", "lock", "profile")


def history(opened: Loaded, lang: str = "en", *, as_of: date | None = None,
            today: date | None = None, target: str | None = None,
            convention: str | None = None, kind: str | None = None,
            since: date | None = None, until: date | None = None,
            recorded_since: datetime | None = None, recorded_by: str | None = None,
            period: str | None = None) -> Report:
    """The journal, oldest first, void entries marked (`as_of`: entries up to that date);
    `period`: the progress summed per month, quarter or year instead."""
    from .domain import position
    from .present import reports

    ledger = opened.ledger
    _known("target", target, [t.id for t in ledger.targets])
    _known("convention", convention, [c.id for c in ledger.conventions])
    if period is not None:
        if kind not in (None, "progress"):
            raise BadOption("--period sums progress: it cannot be combined with --kind {kind}",
                            kind=kind)
        ids = [t.id for t in ledger.targets
               if target in (None, t.id) and convention in (None, t.convention)]
        return _periods(ledger, as_of or _today(today), period, lang, ids, since, until)
    lines = position.iter_history_lines(
        ledger, as_of, target=target, convention=convention, kind=kind, since=since,
        until=until, recorded_since=recorded_since, recorded_by=recorded_by)
    return reports.history(lines, lang)


# ---- check -------------------------------------------------------------------------------


def check(ledger: Loaded | str | Path | None = None, *, today: date | None = None,
          no_cache: bool = False) -> list[Problem]:
    """Every problem of a ledger, each with its place: reading's, then (when it reads without
    structural errors) the rules'. A ledger that cannot be read at all gives why."""
    from .domain import checks
    from .store import reading
    from .store.locate import key_lines

    if isinstance(ledger, str | Path | None):
        try:
            loaded = read(ledger, no_cache=no_cache)
        except EmploiError as exc:
            return exc.problems
    else:
        loaded = ledger
    found = list(loaded.problems)
    if loaded.ledger is not None and not loaded.errors:
        lines = {k: v[0] for k, v in key_lines(loaded.text).items()}
        found += reading.place_all(checks.check(loaded.ledger, _today(today), lines),
                                   loaded.text)
    return found


# ---- the report to send ------------------------------------------------------------------


def produced(opened: Sequence[Loaded], generated_at: date | datetime) -> list:
    """When and from what a report is made: each ledger's file name (never its folder: a
    report goes out, a home directory and a user name stay in), SHA-256, entries, version."""
    from . import __version__
    from .present import document
    from .store.provenance import digest

    return [document.Produced(generated_at=generated_at, ledger=Path(x.path).name,
                              sha256=digest(Path(x.path)), entries=len(x.ledger.journal),
                              version=__version__) for x in opened]


def production_time(generated_at: date | datetime | None, today: date | None = None
                    ) -> date | datetime:
    """The production time a report prints: the one given, else today (never the as-of date:
    a report on 30 June produced on 5 July says both)."""
    if generated_at is not None:
        return generated_at
    return _today(today)


def report(opened: Sequence[Loaded], lang: str = "en", *, fmt: str = "md",
           as_of: date | None = None, today: date | None = None,
           generated_at: date | datetime | None = None) -> str:
    """The document to send (md or html): programme, funding, targets with pace, quarters,
    problems, and how it was produced. `as_of` defaults to today; the production time is
    `generated_at`, else today."""
    from .present import document
    from .present.report import render

    day = as_of or _today(today)
    made = produced(opened, production_time(generated_at, today))
    shown = in_language(opened, lang)  # the figures; problems are the ledger's as written
    if len(opened) > 1:
        doc = document.build_rollup(rollup(shown, day), lang,
                                    problems=[check(x, today=today) for x in opened],
                                    produced=made)
    else:
        doc = document.build(position(shown[0], day), lang,
                             problems=check(opened[0], today=today), produced=made[0])
    return render(doc, fmt)


# ---- files to send on --------------------------------------------------------------------


def write_output(target: Path, pieces: Iterable[str], ledgers: Sequence[str | Path] = ()
                 ) -> None:
    """Write a report (its pieces of text) to `target`, replacing it whole once all is written
    (mode kept, through a symlink to its target); an error midway leaves it as it was. Never
    one of `ledgers`, never a folder."""
    from .store.files import atomic_write

    where = Place(str(target))
    if any(p and target.exists() and os.path.samefile(target, p) for p in ledgers):
        raise refusal("output-is-ledger", "--output names the ledger itself; refusing to "
                      "overwrite it", place=where)
    if target.is_dir():
        raise refusal("output-dir", "--output is a directory", place=where)
    try:
        atomic_write(target, pieces)
    except OSError as exc:
        raise refusal("output-unwritable", "cannot write: {reason}",
                      place=where, args={"reason": exc.strerror}) from None


# ---- writing -----------------------------------------------------------------------------


class Written(NamedTuple):
    """An entry appended (or, with `dry_run`, the one that would be)."""

    path: str
    kind: str
    fields: dict
    warnings: tuple[Problem, ...]
    dry_run: bool
    read_warnings: tuple[Problem, ...] = ()  # about the ledger as read (`read_warnings`)

    @property
    def id(self) -> str:
        return self.fields["id"]


def _stamp(path: Path):
    from .domain import entries
    from .store.provenance import recorded_by

    return entries.Stamp.now(recorded_by(path, dict(os.environ)))


def _in_file(problems: Sequence[Problem], path: Path) -> list[Problem]:
    """Problems about a value the caller gave happen in the ledger being written: say which."""
    return [p if p.place.file else p._replace(place=p.place._replace(file=str(path)))
            for p in problems]


def _append(path: Path, kind: str, make, dry_run: bool, no_cache: bool) -> Written:
    """Append the one entry `make(current ledger)` returns as (fields, warnings)."""
    from .store import writing

    def build(current: Ledger):
        fields, warnings = make(current)
        return [(kind, fields)], warnings

    try:
        done = writing.append(path, build, dry_run=dry_run, no_cache=no_cache)
    except EmploiError as exc:
        raise EmploiError(_in_file(exc.problems, path), exc.exit_code) from None
    entry_kind, fields = done.entries[0]
    return Written(str(path), entry_kind, fields, tuple(_in_file(done.warnings, path)), dry_run,
                   done.read)


def record(ledger: LedgerName, target: str, value: int, *, day: date | None = None,
           note: str = "", source: str = "", tags: Sequence[tuple[str, str]] = (),
           today: date | None = None, dry_run: bool = False, no_cache: bool = False,
           strict: bool = False) -> Written:
    """Progress on a target: `value` in its unit, dated `day` (default today). A value that
    looks like a slip (alone more than half the target, or taking the total past it) is
    written with a warning, or refused when `strict`."""
    from .domain import entries

    path = find(ledger, writable=True)
    stamp = _stamp(path)
    return _append(path, "progress", lambda current: entries.progress(
        current, target=target, value=value, day=day or _today(today), today=_today(today),
        stamp=stamp, note=note, source=source, tags=tuple(sorted(tags)), strict=strict),
        dry_run, no_cache)


def disburse(ledger: LedgerName, convention: str, amount: Decimal, *,
             kind: str = "disbursement", funder: str = "", day: date | None = None,
             note: str = "", source: str = "", today: date | None = None,
             dry_run: bool = False, no_cache: bool = False) -> Written:
    """Money for a convention: a commitment, disbursement or expenditure, in MDH."""
    from .domain import entries

    path = find(ledger, writable=True)
    stamp = _stamp(path)
    return _append(path, "transaction", lambda current: entries.transaction(
        current, convention=convention, amount=amount, kind=kind, day=day or _today(today),
        today=_today(today), stamp=stamp, funder=funder, note=note, source=source),
        dry_run, no_cache)


def void(ledger: LedgerName, entry: str, reason: str, *, today: date | None = None,
         dry_run: bool = False, no_cache: bool = False) -> Written:
    """Void an entry (its id or a unique prefix): kept in the file, counted by no report."""
    from .domain import entries

    path = find(ledger, writable=True)
    stamp = _stamp(path)
    return _append(path, "void", lambda current: entries.void(
        current, entry=entry, reason=reason, today=_today(today), stamp=stamp),
        dry_run, no_cache)


def amend(ledger: LedgerName, *, reference: str = "", reason: str = "",
          convention: str = "", funder: str = "", target: str = "",
          amount: Decimal | None = None, quantity: int | None = None, end: date | None = None,
          day: date | None = None, today: date | None = None, dry_run: bool = False,
          no_cache: bool = False, year: int | None = None) -> Written:
    """An amendment (avenant): a convention's amount, a funder's commitment, a target's
    quantity or the programme's end date, from `day` on; with `year`, the tranche of that
    fiscal year in a convention's plan (or a contribution's, with `funder`)."""
    from .domain import entries

    path = find(ledger, writable=True)
    stamp = _stamp(path)
    return _append(path, "amendment", lambda current: entries.amendment(
        current, day=day or _today(today), reference=reference, reason=reason, stamp=stamp,
        convention=convention, funder=funder, target=target, amount=amount,
        quantity=quantity, end=end, year=year), dry_run, no_cache)


class Reconciled(NamedTuple):
    """A partner's figure written, and how the journal compares with it."""

    written: Written
    mismatches: tuple[Problem, ...] = ()  # `reconcile` problems of this figure (empty: it matches)
    comparison: Comparison | None = None  # None: not compared (a dry run)

    @property
    def matches(self) -> bool:
        return not self.mismatches

    @property
    def verdict(self) -> Problem | None:
        """One line to show: the mismatch (an error), or a note that the figures match."""
        from .domain import checks

        if self.mismatches:
            return self.mismatches[0]
        return None if self.comparison is None else checks.matched(self.comparison)


def reconcile(ledger: LedgerName, *, target: str = "", value: int | None = None,
              convention: str = "", amount: Decimal | None = None, kind: str = "",
              funder: str = "", source: str = "", day: date | None = None,
              today: date | None = None, dry_run: bool = False, no_cache: bool = False
              ) -> Reconciled:
    """A partner's cumulative figure (a target's `value`, or a convention's `amount` of one
    `kind`), which the journal must match; `mismatches` says where it does not, `comparison`
    gives both figures, the difference and the entries counted."""
    from .domain import checks, entries
    from .store import cache

    path = find(ledger, writable=True)
    stamp = _stamp(path)
    written = _append(path, "assertion", lambda current: entries.assertion(
        current, day=day or _today(today), today=_today(today), source=source, stamp=stamp,
        target=target, value=value, convention=convention, amount=amount, kind=kind,
        funder=funder), dry_run, no_cache)
    if dry_run:
        return Reconciled(written)
    after = cache.load(path, no_cache=no_cache).ledger
    if after is None:
        return Reconciled(written)
    found = checks.reconciliations(checks.Context(after, _today(today), {}))
    assertion = next((e for e in after.entries(AssertionEntry) if e.id == written.id), None)
    compared = None if assertion is None else checks.compare(after, assertion)
    return Reconciled(written, tuple(_in_file([p for p in found if p.code == "reconcile"
                                               and p.entry == written.id], path)), compared)


def _lock(ledger: LedgerName, action: str, period: str, reason: str, today: date | None,
          dry_run: bool, no_cache: bool) -> Written:
    from .domain import entries

    path = find(ledger, writable=True)
    stamp = _stamp(path)
    return _append(path, "lock", lambda current: entries.lock(
        current, action=action, period=period, today=_today(today), stamp=stamp,
        reason=reason), dry_run, no_cache)


def close(ledger: LedgerName, period: str, reason: str = "", *, today: date | None = None,
          dry_run: bool = False, no_cache: bool = False) -> Written:
    """Close a period (2021-Q2, 2021, 2021-06 or a date): no entry dated in it can be written."""
    return _lock(ledger, "close", period, reason, today, dry_run, no_cache)


def reopen(ledger: LedgerName, period: str, reason: str, *, today: date | None = None,
           dry_run: bool = False, no_cache: bool = False) -> Written:
    """Reopen a closed period (from its first day on), with the reason kept in the ledger."""
    return _lock(ledger, "reopen", period, reason, today, dry_run, no_cache)


def init(path: str | Path, *, force: bool = False, lang: str = "en") -> Path:
    """Write a documented starter ledger, its comments and example texts in `lang`; an
    existing file only with `force`."""
    from .present.catalog import translate
    from .store import starter

    return starter.write(Path(path), force=force,
                         translate=lambda english: translate(english, lang, "starter"))


# ---- import and export -------------------------------------------------------------------


class Imported(NamedTuple):
    """What an import decided for each row, and whether it was written (all rows or none)."""

    path: str  # the ledger
    file: str
    plan: Plan
    written: bool
    dry_run: bool
    problems: tuple[Problem, ...] = ()  # why nothing was written, when refused

    @property
    def refused(self) -> bool:
        return self.plan.refused

    @property
    def warnings(self) -> list[Problem]:
        return self.plan.warnings


def import_file(file: str | Path, ledger: LedgerName = None, *, kind: str | None = None,
                maps: Sequence[str] = (), profile: str | None = None,
                save_profile: str | None = None, decimal: str | None = None,
                thousands: str | None = None, date_format: str | None = None,
                delimiter: str | None = None, encoding: str | None = None,
                sheet: str | None = None, header_row: int | None = None,
                today: date | None = None, dry_run: bool = False, no_cache: bool = False,
                strict: bool = False) -> Imported:
    """Plan the rows of a partner's file (.csv, .xlsx, .ods) against the ledger and append
    them all, or none when a row is refused. `maps`: FIELD=Column; `profile`: a saved mapping
    (what is given here overrides it); `save_profile`: save the mapping with the rows;
    `strict`: a row whose value looks like a slip is refused (so nothing is written) instead
    of imported with a warning."""
    from .domain import entries
    from .exchange import importer
    from .store import writing

    try:
        by_field = importer.parse_map(list(maps))
        separator = None if thousands is None else importer.thousands_option(thousands)
        delim = None if delimiter is None else importer.delimiter_option(delimiter)
    except ValueError as exc:  # (template, values) of the option's fault
        template, values = exc.args
        raise BadOption(template, **values) from None
    if decimal is not None and decimal not in importer.DECIMAL_MARKS:
        raise BadOption("--decimal {decimal} must be '.' or ','", decimal=repr(decimal))
    path = find(ledger, writable=True)
    saved = None
    if profile is not None:  # read now to know the mapping; the rows are checked later
        current = open_ledger(path, no_cache=no_cache).ledger  # against the ledger under lock
        saved = importer.latest_profile(current, profile)
        if saved is None:
            known = importer.profile_names(current)
            raise refusal(
                "unknown-ref", "no import profile {profile} in the ledger{did_you_mean}; "
                               "profiles: {known}",
                entry=profile, field="profile", place=Place(str(path)),
                args={"profile": repr(profile),
                      "did_you_mean": entries.did_you_mean(profile, known),
                      "known": ", ".join(known)
                      or phrase("none (save one with --save-profile NAME)")})
    mapping = importer.mapping(
        kind=kind, maps=by_field, profile=saved, decimal=decimal, thousands=separator,
        date_format=date_format, delimiter=delim, encoding=encoding, sheet=sheet,
        header_row=header_row)
    rows = importer.parse_rows(importer.read_sheet(Path(file), mapping.reading), mapping)
    stamp = _stamp(path)
    plans: list = []

    def build(current: Ledger):
        keep, note = None, ""
        if save_profile is not None:
            old = importer.latest_profile(current, save_profile)
            if old is not None and importer.same_profile(old, mapping):
                note = "profile_unchanged"
            else:
                fields, _ = entries.profile(
                    current, name=save_profile, today=_today(today), stamp=stamp,
                    fields=importer.profile_fields(save_profile, mapping))
                keep = ("profile", fields)
                note = "profile_would_save" if dry_run else "profile_saved"
        plan = importer.plan(current, str(file), mapping.kind, rows, today=_today(today),
                             stamp=stamp, columns=mapping.by_field, profile=keep,
                             profile_name=save_profile or "", profile_note=note,
                             strict=strict)
        if plan.refused or not plan.entries:
            raise importer.Stop(plan)
        plans.append(plan)
        return plan.entries, plan.warnings

    try:
        writing.append(path, build, dry_run=dry_run)
        plan, written = plans[-1], not dry_run
    except importer.Stop as stop:
        plan, written = stop.plan, False
    problems: tuple[Problem, ...] = ()
    if plan.refused:
        problems = (*plan.problems, error(
            "import-refused", "nothing was written: {count} of {count2} row(s) refused",
                Place(str(file)),
            args={"count": plan.count('refused'), "count2": len(plan.outcomes)}))
    return Imported(str(path), str(file), plan, written, dry_run, problems)


def _export_paths(ledgers: Sequence[str | Path] | None, folder: str | Path | None
                  ) -> list[Path]:
    from .store import reading

    return reading.resolve_ledgers([str(p) for p in ledgers or []] or None,
                                   None if folder is None else str(folder),
                                   dict(os.environ), Path.cwd())


def export(file: str | Path, ledgers: Sequence[str | Path] | None = None,
           folder: str | Path | None = None, *, as_of: date, no_cache: bool = False,
           format: str = "sqlite") -> dict[str, int]:
    """Write the ledgers (as `open_ledgers` finds them) and their journals into a SQLite
    database (`format="sqlite"`) or an IATI activity file (`"iati"`), replaced atomically;
    returns how many programmes, conventions, targets and entries it holds."""
    from . import __version__
    from .exchange import sqlite

    if str(file) == "-":
        raise refusal("export-stdout", "a {format} export cannot go to standard output; "
                      "name a file", field="file", args={"format": format})
    paths = _export_paths(ledgers, folder)
    target = os.path.realpath(file)
    for path in paths:
        if os.path.realpath(path) == target:
            raise refusal("output-is-ledger", "{file} is one of the ledgers being exported; "
                                              "refusing to overwrite it", place=Place(str(file)),
                                                  args={"file": file})
    opened = [open_ledger(path, no_cache=no_cache).ledger for path in paths]
    if format == "iati":
        write_output(Path(file), [iati_document(opened, as_of)], paths)
        return {"programmes": len(opened),
                "conventions": sum(len(x.conventions) for x in opened),
                "targets": sum(len(x.targets) for x in opened),
                "entries": sum(len(x.journal) for x in opened)}
    return sqlite.export(Path(file), opened, as_of, __version__)


def iati_document(opened: Sequence[Ledger], as_of: date) -> bytes:
    """The IATI 2.03 activity file of the ledgers as of a date (docs/iati.md); refuses, before
    anything is written, a ledger without the `[programme.iati]` keys it needs."""
    from .exchange import iati

    return iati.document([position(ledger, as_of) for ledger in opened])


def export_iati(ledgers: Sequence[str | Path] | None = None,
                folder: str | Path | None = None, *, as_of: date, no_cache: bool = False
                ) -> bytes:
    """The IATI activity file of the ledgers found as for `export`, to write elsewhere."""
    opened = [open_ledger(path, no_cache=no_cache).ledger
              for path in _export_paths(ledgers, folder)]
    return iati_document(opened, as_of)

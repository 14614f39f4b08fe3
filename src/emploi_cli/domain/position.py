"""The position of a programme on a date: every figure in force, computed once. Pure.

`position(ledger, as_of)` gives the programme's end, money and targets as amended, what has
flowed and been achieved, the execution rates, each target's pace, status and cost per result,
and the indicators. Every report, the roll-up and the SQLite export render that one result;
none works out a figure of its own. The journal listing (history) is here too.

Nothing here prints, reads files or exits. Every function takes the ledger and a date `as_of`
and answers "as it stood on that date": entries dated after it are ignored, void entries are
never counted (a void corrects an error, so it applies whatever the date).
"""


from collections import Counter, defaultdict
from collections.abc import Container, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cached_property
from operator import attrgetter
from typing import NamedTuple

from . import model as m
from . import pace
from .pace import Progressing, percent  # the one rounding of a percentage, and progress


def live(ledger: m.Ledger, as_of: date) -> list[m.JournalEntry]:
    """Journal entries dated on or before as_of and not voided."""
    voided = ledger.voided_ids
    return [e for e in ledger.journal if e.date <= as_of and e.id not in voided]


def live_rows(ledger: m.Ledger, kind: type, names: tuple[str, ...], as_of: date,
              only: tuple[str, Container] | None = None) -> Iterable[tuple]:
    """The named fields (two or more) of the live entries of one kind, in journal order, to
    be read once; `only=(name, values)`: only the entries whose field `name` is among
    `values`.

    A journal held as columns (model.Ledger says which) answers from its columns, without
    building 100,000 entries; any other is read entry by entry.
    """
    fast = getattr(ledger.journal, "live_rows", None)
    if fast is not None:
        return fast(kind, names, as_of, only)
    voided = ledger.voided_ids
    get = attrgetter(*names)
    return [get(e) for e in ledger.journal
            if isinstance(e, kind) and e.date <= as_of and e.id not in voided
            and (only is None or getattr(e, only[0]) in only[1])]


def live_counts(ledger: m.Ledger, kind: type, names: tuple[str, ...], as_of: date
                ) -> dict[tuple, int]:
    """How many live entries of one kind hold each distinct combination of the named fields:
    `Counter(live_rows(...))`, which a journal held as columns counts on its stored indexes."""
    fast = getattr(ledger.journal, "live_counts", None)
    if fast is not None:
        return fast(kind, names, as_of)
    return Counter(live_rows(ledger, kind, names, as_of))


# ---- values in force (amendments) --------------------------------------------------------


class InForce(NamedTuple):
    """Amounts, quantities and the programme end as amended up to a date."""

    convention_amount: dict[str, Decimal]
    funder_amount: dict[str, Decimal | None]
    target_quantity: dict[str, int | None]
    end: date
    amendments: tuple[m.AmendmentEntry, ...]
    contribution_amount: dict[tuple[str, str], Decimal]
    # (funder, convention) -> a funder's contribution to a convention
    convention_plan: dict[str, tuple[m.Tranche, ...]]
    # convention -> its plan as amended, by year (() : no plan)
    contribution_plan: dict[tuple[str, str], tuple[m.Tranche, ...]]
    # (funder, convention) -> the contribution's plan as amended
    tranche_amendments: dict[tuple[str, str, int], m.AmendmentEntry]
    # (funder or "", convention, year) -> the amendment that last set it


def in_force(ledger: m.Ledger, as_of: date) -> InForce:
    conventions = {c.id: c.amount for c in ledger.conventions}
    funders: dict[str, Decimal | None] = {f.id: f.amount for f in ledger.funders}
    quantities = {t.id: t.quantity for t in ledger.targets}
    contributions = {(f.id, c.convention): c.amount for f in ledger.funders
                     for c in f.contributions}
    end = ledger.programme.end
    voided = ledger.voided_ids
    applied = sorted((e for e in ledger.entries(m.AmendmentEntry)
                      if e.date <= as_of and e.id not in voided), key=lambda e: (e.date, e.seq))
    tranches: dict[tuple[str, str, int], m.AmendmentEntry] = {}
    for a in applied:
        if a.year is not None and a.convention and a.amount is not None:
            tranches[(a.funder, a.convention, a.year)] = a
        elif a.funder and a.convention and a.amount is not None:
            contributions[(a.funder, a.convention)] = a.amount
        elif a.convention and a.amount is not None:
            conventions[a.convention] = a.amount
        elif a.funder and a.amount is not None:
            funders[a.funder] = a.amount
        elif a.target and a.quantity is not None:
            quantities[a.target] = a.quantity
        elif a.end is not None:
            end = a.end
    convention_plans, contribution_plans = _plans(ledger, tranches)
    return InForce(conventions, funders, quantities, end, tuple(applied), contributions,
                   convention_plans, contribution_plans, tranches)


def _plans(ledger: m.Ledger, tranches: dict[tuple[str, str, int], m.AmendmentEntry]
           ) -> tuple[dict[str, tuple[m.Tranche, ...]],
                      dict[tuple[str, str], tuple[m.Tranche, ...]]]:
    """The plans as first stated, each tranche a plan amendment sets replaced or added."""
    stated: dict[tuple[str, str], dict[int, Decimal]] = {
        ("", c.id): {t.year: t.amount for t in c.plan} for c in ledger.conventions}
    stated |= {(f.id, x.convention): {t.year: t.amount for t in x.plan}
               for f in ledger.funders for x in f.contributions}
    for (funder, convention, year), a in tranches.items():
        stated.setdefault((funder, convention), {})[year] = a.amount  # type: ignore[assignment]
    plans = {key: tuple(m.Tranche(y, amount) for y, amount in sorted(years.items()))
             for key, years in stated.items()}
    return ({c.id: plans[("", c.id)] for c in ledger.conventions},
            {key: plan for key, plan in plans.items() if key[0]})


# ---- money -------------------------------------------------------------------------------


class Flows(NamedTuple):
    """Money committed, disbursed and spent, in MDH."""

    committed: Decimal = Decimal(0)
    disbursed: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)

    def add(self, kind: str, amount: Decimal) -> "Flows":
        return Flows(
            self.committed + (amount if kind == "commitment" else 0),
            self.disbursed + (amount if kind == "disbursement" else 0),
            self.spent + (amount if kind == "expenditure" else 0))


class FundingLine(NamedTuple):
    """One convention or funder: its amount and what has flowed."""

    id: str
    name: str
    amount: Decimal | None
    original_amount: Decimal | None
    share: Decimal | None
    flows: Flows
    execution: Decimal | None
    estimated: bool = False
    conventions: tuple[str, ...] = ()
    status: str | None = None  # after the programme's end: met or missed (pace.money_status)
    shortfall: Decimal | None = None  # MDH not disbursed, when missed
    at_least: bool = False  # the amount is a floor ("more than ...")
    source: str = ""
    alternatives: tuple[m.Alternative, ...] = ()


class Share(NamedTuple):
    """One funder's contribution to one convention, as a source states it."""

    funder: str
    convention: str
    amount: Decimal  # in force
    original_amount: Decimal | None  # as first stated (None: added by an amendment)
    at_least: bool
    estimated: bool
    source: str
    plan: tuple[m.Tranche, ...]  # in force (plan amendments applied)
    flows: Flows  # transactions naming both the funder and the convention
    original_plan: tuple[m.Tranche, ...] = ()  # as first stated


class Unsplit(NamedTuple):
    """The part of a funder's amount that no source splits among its conventions: never
    spread over them."""

    funder: str
    amount: Decimal
    at_least: bool
    estimated: bool
    conventions: tuple[str, ...]


class ConventionSplit(NamedTuple):
    """A convention read as a co-financing table: each funder's contribution, the money
    not split among conventions that may go to it, and the part with no named funder."""

    convention: str
    amount: Decimal  # in force
    funding: tuple[Share, ...]
    unsplit: tuple[Unsplit, ...]  # funders whose unsplit money may go to this convention
    unattributed: Decimal  # amount minus the contributions (never below zero)
    unattributed_at_most: bool  # a ceiling: unsplit money or a floor may cover part of it


class FunderConvention(NamedTuple):
    """A funder's money for one convention: its contribution (None when not split) and the
    flows of the transactions that name both."""

    funder: str
    convention: str
    contribution: Decimal | None
    flows: Flows


class Funding(NamedTuple):
    """The programme's money: stated total, conventions, funders, flows."""

    total: Decimal  # as stated in the definitions
    total_in_force: Decimal  # the stated total moved by the conventions' amendments
    conventions_total: Decimal  # sum of the conventions' amounts in force
    original_conventions_total: Decimal
    conventions: tuple[FundingLine, ...]
    funders: tuple[FundingLine, ...]
    unattributed: Decimal  # total in force minus the named funders' amounts in force
    unattributed_flows: Flows
    total_flows: Flows
    original_unattributed: Decimal  # the same, with the amounts first stated
    status: str | None = None  # the total, after the programme's end: met or missed
    shortfall: Decimal | None = None  # MDH of the total not disbursed, when missed
    split: tuple[ConventionSplit, ...] = ()  # who pays what, convention by convention
    unsplit: tuple[Unsplit, ...] = ()  # funders' money not split among conventions
    funder_conventions: tuple[FunderConvention, ...] = ()  # flows naming funder and convention

    @property
    def unattributed_at_most(self) -> bool:
        """The part with no named funder is a ceiling: some funder's amount is a floor."""
        return any(line.at_least for line in self.funders if line.amount is not None)

    @property
    def total_matches(self) -> bool:
        """The definitions agree: stated total = sum of the conventions as first stated."""
        return self.total == self.original_conventions_total

    @property
    def execution(self) -> Decimal | None:
        """Disbursed / total in force, in % (the programme's taux d'exécution)."""
        return percent(self.total_flows.disbursed, self.total_in_force)

    @property
    def conventions_share(self) -> Decimal | None:
        """The conventions' amounts in force as % of the total in force (100 when they agree)."""
        return percent(self.conventions_total, self.total_in_force)

    @property
    def unattributed_share(self) -> Decimal | None:
        return percent(self.unattributed, self.total_in_force)


def funding(ledger: m.Ledger, as_of: date, force: InForce | None = None) -> Funding:
    """The money in force on `as_of` (`force`: the amendments, when already worked out)."""
    force = force or in_force(ledger, as_of)
    over = as_of >= force.end  # as of the end day, the whole period has elapsed
    stated = ledger.programme.total
    original = sum((c.amount for c in ledger.conventions), Decimal(0))
    current = sum((force.convention_amount[c.id] for c in ledger.conventions), Decimal(0))
    total = stated + current - original
    by_convention, by_funder, unnamed, everything, by_pair = _flows(ledger, as_of)
    conventions = tuple(
        FundingLine(c.id, c.title, force.convention_amount[c.id], c.amount,
                    percent(force.convention_amount[c.id], total), by_convention[c.id],
                    percent(by_convention[c.id].disbursed, force.convention_amount[c.id]),
                    status=state, shortfall=short)
        for c in ledger.conventions
        for state, short in [pace.money_status(force.convention_amount[c.id],
                                               by_convention[c.id].disbursed, over)])
    funders = tuple(
        FundingLine(f.id, f.name, force.funder_amount[f.id], f.amount,
                    percent(force.funder_amount[f.id], total)
                    if force.funder_amount[f.id] is not None else None,
                    by_funder[f.id], percent(by_funder[f.id].disbursed, force.funder_amount[f.id]),
                    f.estimated, f.conventions or tuple(c.id for c in ledger.conventions),
                    state, short, f.at_least, f.source, f.alternatives)
        for f in ledger.funders
        for state, short in [pace.money_status(force.funder_amount[f.id],
                                               by_funder[f.id].disbursed, over)])
    named = sum((line.amount for line in funders if line.amount is not None), Decimal(0))
    first_named = sum((f.amount for f in ledger.funders if f.amount is not None), Decimal(0))
    state, short = pace.money_status(total, everything.disbursed, over)
    split, unsplit, pairs = _split(ledger, force, by_pair)
    return Funding(stated, total, current, original, conventions, funders, total - named,
                   unnamed, everything, stated - first_named, state, short, split, unsplit,
                   pairs)


def _split(ledger: m.Ledger, force: InForce, by_pair: dict[tuple[str, str], Flows]
           ) -> tuple[tuple[ConventionSplit, ...], tuple[Unsplit, ...],
                      tuple[FunderConvention, ...]]:
    """Each convention's contributions, each funder's unsplit part, each funder's flows per
    convention. Money not split is listed, never divided."""
    stated = {(f.id, c.convention): c for f in ledger.funders for c in f.contributions}
    funders = {f.id: f for f in ledger.funders}
    every = tuple(c.id for c in ledger.conventions)
    shares: dict[str, list[Share]] = defaultdict(list)
    unsplit = []
    for f in ledger.funders:
        given = Decimal(0)
        for (funder, convention), amount in force.contribution_amount.items():
            if funder != f.id:
                continue
            first = stated.get((funder, convention))
            shares[convention].append(Share(
                funder, convention, amount, first.amount if first else None, f.at_least,
                f.estimated, first.source if first else "",
                force.contribution_plan.get((funder, convention), ()),
                by_pair.get((funder, convention), Flows()),
                first.plan if first else ()))
            given += amount
        amount = force.funder_amount[f.id]
        if amount is not None and amount > given:
            unsplit.append(Unsplit(f.id, amount - given, f.at_least, f.estimated,
                                   f.conventions or every))
    order = {f.id: i for i, f in enumerate(ledger.funders)}
    split = []
    for c in ledger.conventions:
        mine = tuple(sorted(shares[c.id], key=lambda s: order[s.funder]))
        open_money = tuple(u for u in unsplit if c.id in u.conventions)
        amount = force.convention_amount[c.id]
        rest = amount - sum((s.amount for s in mine), Decimal(0))
        split.append(ConventionSplit(
            c.id, amount, mine, open_money, max(rest, Decimal(0)),
            bool(open_money) or any(s.at_least for s in mine)))
    named = set(by_pair) | set(force.contribution_amount)
    pairs = tuple(FunderConvention(f, c, force.contribution_amount.get((f, c)),
                                   by_pair.get((f, c), Flows()))
                  for f, c in sorted(named, key=lambda pair: (order.get(pair[0], len(order)),
                                                              pair[1])) if f in funders)
    return tuple(split), tuple(unsplit), pairs


def _flows(ledger: m.Ledger, as_of: date
           ) -> tuple[dict[str, Flows], dict[str, Flows], Flows, Flows,
                      dict[tuple[str, str], Flows]]:
    """Flows of the live transactions by convention, by funder, without a funder, in all,
    and by (funder, convention) for the transactions that name both.

    The same sums as adding up with Flows.add (exact decimals add up to the same value and
    exponent in any order), in one pass that adds each amount once.
    """
    zero = Decimal(0)
    sums: dict[tuple[str, str, str], Decimal] = {}
    for row in live_rows(ledger, m.TransactionEntry,
                         ("convention", "funder", "transaction_kind", "amount"), as_of):
        key = row[:3]
        sums[key] = sums.get(key, zero) + row[3]
    slots = {"commitment": 0, "disbursement": 1, "expenditure": 2}
    by_convention: dict[str, list[Decimal]] = defaultdict(lambda: [zero] * 3)
    by_funder: dict[str, list[Decimal]] = defaultdict(lambda: [zero] * 3)
    by_pair: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [zero] * 3)
    unnamed, everything = [zero] * 3, [zero] * 3
    for (convention, funder, kind), amount in sums.items():
        slot = slots.get(kind)
        if slot is None:
            continue
        for flows in (by_convention[convention], by_funder[funder] if funder else unnamed,
                      everything):
            flows[slot] += amount
        if funder:
            by_pair[(funder, convention)][slot] += amount
    return (defaultdict(Flows, {k: Flows(*v) for k, v in by_convention.items()}),
            defaultdict(Flows, {k: Flows(*v) for k, v in by_funder.items()}),
            Flows(*unnamed), Flows(*everything),
            {k: Flows(*v) for k, v in by_pair.items()})


# ---- achievements ------------------------------------------------------------------------


def achieved_by_series(target: m.Target, entries: list[m.ProgressEntry]
                       ) -> dict[tuple[tuple[str, str], ...], int]:
    """Achievement of one target per tag set (a series).

    increment: the values add up. cumulative: each series (same tags) holds its latest value
    (latest date; on the same date, the later entry in the file), and series add up.
    """
    cumulative = {target.id} if target.reporting == "cumulative" else set()
    return {tags: value for (_, tags), value in _series(
        [(target.id, e.tags, e.date, e.seq, e.value) for e in entries], cumulative).items()}


PROGRESS_ROW = ("target", "tags", "date", "seq", "value")


def _series(rows: Iterable[tuple], cumulative: set[str]
            ) -> dict[tuple[str, tuple[tuple[str, str], ...]], int]:
    """(target, tag set) -> achievement, over rows of PROGRESS_ROW in journal order: the
    values of a target add up unless it is in `cumulative`, where each series keeps its latest
    value (latest date; on the same date, the later entry in the file)."""
    sums: dict[tuple, int] = {}
    latest: dict[tuple, tuple[date, int, int]] = {}
    total, last = sums.get, latest.get
    for target, tags, day, seq, value in rows:
        key = (target, tags)
        if target in cumulative:
            before = last(key)
            if before is None or (day, seq) >= before[:2]:
                latest[key] = (day, seq, value)
        else:
            sums[key] = total(key, 0) + value
    for key, (_, _, value) in latest.items():
        sums[key] = value
    return sums


def _achievements(ledger: m.Ledger, as_of: date
                  ) -> dict[str, dict[tuple[tuple[str, str], ...], int]]:
    """Target id -> achievement per tag set, from the live progress entries.

    The same as `_series` over every live progress row, with less work per row: the rows
    (target, tags, value) are counted (a loop in C: a few thousand distinct rows among
    75,000), each distinct row adds value x count, and the series of cumulative targets, read
    alone, then replace their sums with their latest values."""
    cumulative = {t.id for t in ledger.targets if t.reporting == "cumulative"}
    sums: dict[tuple[str, tuple[tuple[str, str], ...]], int] = {}
    total = sums.get
    counted = live_counts(ledger, m.ProgressEntry, ("target", "tags", "value"), as_of)
    for (target, tags, value), times in counted.items():
        key = (target, tags)
        sums[key] = total(key, 0) + value * times
    if cumulative:
        sums.update(_series(live_rows(ledger, m.ProgressEntry, PROGRESS_ROW, as_of,
                                      only=("target", cumulative)), cumulative))
    by_target: dict[str, dict[tuple[tuple[str, str], ...], int]] = defaultdict(dict)
    for (target, tags), value in sums.items():
        by_target[target][tags] = value
    return by_target


def progress_entries(ledger: m.Ledger, as_of: date) -> dict[str, list[m.ProgressEntry]]:
    by_target: dict[str, list[m.ProgressEntry]] = defaultdict(list)
    for e in live(ledger, as_of):
        if isinstance(e, m.ProgressEntry):
            by_target[e.target].append(e)
    return by_target


def achieved(ledger: m.Ledger, as_of: date) -> dict[str, int]:
    """Target id -> what the journal says was achieved by as_of."""
    series = _achievements(ledger, as_of)
    return {t.id: sum(series.get(t.id, {}).values()) for t in ledger.targets}


class TargetLine(NamedTuple):
    """One target: its quantity in force, what has been achieved towards it, its pace
    (expected, status, rate needed...) and its cost per result."""

    id: str
    convention: str
    indicator: str
    label: str
    quantity: int | None
    original_quantity: int | None
    unit: str
    reporting: str
    achieved: int
    pace: pace.Pace
    cost: pace.Cost

    remaining = Progressing.remaining
    progress = Progressing.progress


def target_lines(ledger: m.Ledger, as_of: date, convention: str | None = None
                 ) -> list[TargetLine]:
    """The targets of the position (only one convention's, when given)."""
    return [t for t in position(ledger, as_of).targets if convention in (None, t.convention)]


class IndicatorLine(NamedTuple):
    """One indicator: its targets added up."""

    indicator: str
    unit: str
    targets: tuple[str, ...]
    quantity: int | None  # None when any of its targets is unquantified
    achieved: int
    original_quantity: int | None = None  # the same sum of the quantities first stated

    remaining = Progressing.remaining
    progress = Progressing.progress



def _total(quantities: list[int | None]) -> int | None:
    """The sum, or None when any part is unquantified (it never counts as 0)."""
    return None if any(q is None for q in quantities) else sum(
        q for q in quantities if q is not None)


def indicator_lines(lines: list[TargetLine]) -> list[IndicatorLine]:
    """Sum targets by indicator; an unquantified part makes the whole indicator unquantified."""
    groups: dict[str, list[TargetLine]] = {}
    for line in lines:
        groups.setdefault(line.indicator, []).append(line)
    result = []
    for indicator, group in groups.items():
        quantities = [g.quantity for g in group]
        quantity = _total(quantities)
        result.append(IndicatorLine(indicator, group[0].unit, tuple(g.id for g in group),
                                    quantity, sum(g.achieved for g in group),
                                    _total([g.original_quantity for g in group])))
    return result


class TagLine(NamedTuple):
    """What one target achieved for one value of a tag."""

    target: TargetLine
    tag: str
    tag_value: str | None
    achieved: int


def tag_lines(ledger: m.Ledger, as_of: date, tag: str, convention: str | None = None, *,
              lines: Iterable[TargetLine] | None = None) -> list[TagLine]:
    """Achievement of each target broken down by the value of one tag (None: untagged).
    `lines`: the position's targets, when already worked out."""
    series = _achievements(ledger, as_of)
    result = []
    if lines is None:
        lines = position(ledger, as_of).targets
    for line in lines:
        if convention not in (None, line.convention):
            continue
        split: dict[str | None, int] = defaultdict(int)
        for tags, value in series.get(line.id, {}).items():
            split[dict(tags).get(tag)] += value
        for tag_value in sorted(split, key=lambda v: (v is None, v or "")):
            result.append(TagLine(line, tag, tag_value, split[tag_value]))
    return result


# ---- sources that disagree ---------------------------------------------------------------


class Disagreement(NamedTuple):
    """A figure the ledger uses and another source's figure for the same thing."""

    kind: str  # "convention", "funder" or "target"
    id: str
    field: str  # "amount" or "quantity"
    value: Decimal | int | None  # the figure the ledger uses, as first stated
    source: str  # the source of that figure
    other: Decimal | int  # the other source's figure
    other_source: str


def alternatives(ledger: m.Ledger) -> tuple[Disagreement, ...]:
    """Every alternative that differs from the figure the ledger uses, in ledger order."""
    found = []
    items: list[tuple[str, str, str, Decimal | int | None, str,
                      tuple[m.Alternative, ...]]] = []
    items += [("convention", c.id, "amount", c.amount, c.source, c.alternatives)
              for c in ledger.conventions]
    items += [("funder", f.id, "amount", f.amount, f.source, f.alternatives)
              for f in ledger.funders]
    items += [("target", t.id, "quantity", t.quantity, t.source, t.alternatives)
              for t in ledger.targets]
    for kind, ident, key, value, source, others in items:
        for alt in others:
            other = alt.amount if key == "amount" else alt.quantity
            if other is not None and other != value:
                found.append(Disagreement(kind, ident, key, value, source, other, alt.source))
    return tuple(found)


# ---- the financing plan by year ----------------------------------------------------------

YEAR_STATES = ("behind", "met", "running", "future")


class YearLine(NamedTuple):
    """One fiscal year of the programme, of a convention or of one funder's contribution:
    what was planned, what flowed, and the state of its disbursements against the plan."""

    year: int  # named after the calendar year it starts in
    first: date
    last: date
    convention: str  # "" for the whole programme
    funder: str  # "" unless the line is a funder's contribution
    planned: Decimal | None  # None: no plan covers this line
    flows: Flows
    state: str  # behind, met, running, future; "" without a plan

    @property
    def execution(self) -> Decimal | None:
        """Disbursed / planned, in %."""
        return percent(self.flows.disbursed, self.planned) if self.planned else None


def fiscal_year(day: date, first_month: int) -> int:
    return day.year if day.month >= first_month else day.year - 1


def year_bounds(year: int, first_month: int) -> tuple[date, date]:
    """The first and last day of a fiscal year."""
    first = date(year, first_month, 1)
    after = date(year + 1, first_month, 1)
    return first, date.fromordinal(after.toordinal() - 1)


def _year_state(planned: Decimal | None, disbursed: Decimal, first: date, last: date,
                as_of: date) -> str:
    if planned is None:
        return ""
    if first > as_of:
        return "future"
    if last > as_of:
        return "running"
    return "met" if disbursed >= planned else "behind"


def year_lines(ledger: m.Ledger, as_of: date, force: InForce) -> tuple[YearLine, ...]:
    """Per fiscal year, from the programme's first to its last (in force) and every year a
    plan or a transaction names: the programme's line, then each convention's, then each
    contribution with a plan. A year has a plan when a plan names it (a convention with no
    plan adds nothing to the programme's planned figure; the programme's line is planned
    only when some convention has a plan)."""
    fm = ledger.programme.fiscal_year_start
    zero = Decimal(0)
    sums: dict[tuple[int, str, str, str], Decimal] = {}
    for convention, funder, kind, amount, day in live_rows(
            ledger, m.TransactionEntry,
            ("convention", "funder", "transaction_kind", "amount", "date"), as_of):
        key = (fiscal_year(day, fm), convention, funder, kind)
        sums[key] = sums.get(key, zero) + amount
    years = set(range(fiscal_year(ledger.programme.start, fm),
                      fiscal_year(force.end, fm) + 1))
    years |= {k[0] for k in sums}
    plans: dict[tuple[str, str], dict[int, Decimal]] = {}
    for c in ledger.conventions:
        if force.convention_plan.get(c.id):
            plans[(c.id, "")] = {t.year: t.amount for t in force.convention_plan[c.id]}
    for (f_id, c_id), plan in force.contribution_plan.items():
        if plan:
            plans[(c_id, f_id)] = {t.year: t.amount for t in plan}
    for plan in plans.values():
        years |= set(plan)

    def flows(year: int, convention: str | None, funder: str | None) -> Flows:
        result = Flows()
        for (y, c, f, kind), amount in sums.items():
            if y == year and convention in (None, c) and funder in (None, f):
                result = result.add(kind, amount)
        return result

    any_plan = any(not f for (_, f) in plans)
    lines = []
    for year in sorted(years):
        first, last = year_bounds(year, fm)
        total_flows = flows(year, None, None)
        planned = (sum((p.get(year, zero) for (c, f), p in plans.items() if not f), zero)
                   if any_plan else None)
        lines.append(YearLine(year, first, last, "", "", planned, total_flows,
                              _year_state(planned, total_flows.disbursed, first, last, as_of)))
        for c in ledger.conventions:
            plan = plans.get((c.id, ""))
            got = flows(year, c.id, None)
            planned = plan.get(year, zero) if plan is not None else None
            lines.append(YearLine(year, first, last, c.id, "", planned, got,
                                  _year_state(planned, got.disbursed, first, last, as_of)))
        for (c_id, f_id), plan in plans.items():
            if not f_id:
                continue
            got = flows(year, c_id, f_id)
            planned = plan.get(year, zero)
            lines.append(YearLine(year, first, last, c_id, f_id, planned, got,
                                  _year_state(planned, got.disbursed, first, last, as_of)))
    return tuple(lines)


# ---- results by year ---------------------------------------------------------------------


class Actual(NamedTuple):
    """What the journal says one tag series of a target achieved in a period: the period's sum
    for an increment target, the series' latest value by the period's end for a cumulative
    one (an untagged series has no tags)."""

    tags: tuple[tuple[str, str], ...]
    value: int


class ResultPeriod(NamedTuple):
    """One fiscal year of a target (clipped to the programme's and its schedule's dates): the
    target the ledger states for it, when it states one, and the actuals of the journal."""

    year: int
    first: date
    last: date
    target: int | None  # None: the ledger states no figure due in this period
    actuals: tuple[Actual, ...]  # one per tag series; () when nothing is recorded

    @property
    def actual(self) -> int | None:
        """The actuals added up (None when nothing is recorded)."""
        return sum(a.value for a in self.actuals) if self.actuals else None


def stated_points(sched: pace.Schedule) -> list[tuple[date, int]]:
    """The running totals the ledger states for a target, with their due dates: its milestones
    (those pace reads) and its quantity on its last day. None for an unquantified target."""
    if sched.quantity is None:
        return []
    inner = [(ms.date, ms.value) for ms in sched.milestones if sched.start <= ms.date < sched.end]
    return [*inner, (sched.end, sched.quantity)]


def result_periods(ledger: m.Ledger, as_of: date, line: TargetLine,
                   entries: list[m.ProgressEntry], end: date) -> tuple[ResultPeriod, ...]:
    """A target's fiscal years, from the earliest of the programme's start, its schedule's and
    its first entry to the latest of their ends (`end`: the programme's, in force), each with
    the figure the ledger states as due in it and the journal's actuals. An increment target's
    period target is the increase between two stated running totals (the first period's from
    0 at the schedule's start), None when the previous period has no stated total; a cumulative
    target's is the running total due in the period."""
    fm = ledger.programme.fiscal_year_start
    sched = line.pace.schedule
    days = [e.date for e in entries]
    low = min([ledger.programme.start, sched.start, *days])
    high = max([end, sched.end, *days])
    points = stated_points(sched)
    increment = line.reporting == "increment"
    periods = []
    previous: int | None = 0
    for year in range(fiscal_year(low, fm), fiscal_year(high, fm) + 1):
        first, last = year_bounds(year, fm)
        first, last = max(first, low), min(last, high)
        due = [value for day, value in points if first <= day <= last]
        stated = due[-1] if due else None
        target = stated
        if increment and stated is not None:
            target = None if previous is None else stated - previous
        previous = stated if last >= sched.start else 0
        counted = min(last, as_of)
        series: dict[tuple[tuple[str, str], ...], int] = {}
        for e in sorted(entries, key=attrgetter("date", "seq")):
            if e.date > counted or (increment and e.date < first):
                continue
            series[e.tags] = series.get(e.tags, 0) + e.value if increment else e.value
        actuals = () if first > as_of else tuple(
            Actual(tags, value) for tags, value in sorted(series.items()))
        periods.append(ResultPeriod(year, first, last, target, actuals))
    return tuple(periods)


# ---- the position ------------------------------------------------------------------------


class PositionValues(NamedTuple):
    """The figures of one programme in force on one date that `position` works out."""

    ledger: m.Ledger
    as_of: date
    end: date  # the programme's end in force
    funding: Funding
    targets: tuple[TargetLine, ...]
    indicators: tuple[IndicatorLine, ...]
    amendments: tuple[m.AmendmentEntry, ...]  # in force, in the order they apply
    disagreements: tuple[Disagreement, ...] = ()  # figures two sources give differently
    force: InForce | None = None


class Position(PositionValues):
    """Every figure of one programme in force on one date: those `position` works out, and
    those worked out when first asked for (kept in the `__dict__` this subclass of the named
    tuple has)."""

    def __repr__(self) -> str:
        return f"Position(as_of={self.as_of!r}, ledger={self.ledger.path!r})"

    @cached_property
    def values_in_force(self) -> InForce:
        """The values in force on `as_of` (amendments applied)."""
        return self.force or in_force(self.ledger, self.as_of)

    @property
    def plans(self) -> dict[str, tuple[m.Tranche, ...]]:
        """Convention id -> its financing plan in force (plan amendments applied)."""
        return self.values_in_force.convention_plan

    @cached_property
    def years(self) -> tuple[YearLine, ...]:
        """Plan against flows per fiscal year (worked out when first asked for)."""
        return year_lines(self.ledger, self.as_of, self.values_in_force)

    @cached_property
    def transactions(self) -> tuple[m.TransactionEntry, ...]:
        """The live transactions (dated by `as_of`, not void), by date then file order."""
        return tuple(sorted((e for e in live(self.ledger, self.as_of)
                             if isinstance(e, m.TransactionEntry)),
                            key=attrgetter("date", "seq")))

    @cached_property
    def results(self) -> dict[str, tuple[ResultPeriod, ...]]:
        """Target id -> its fiscal years with targets stated and actuals recorded."""
        entries = progress_entries(self.ledger, self.as_of)
        return {line.id: result_periods(self.ledger, self.as_of, line,
                                        entries.get(line.id, []), self.end)
                for line in self.targets}

    @property
    def programme(self) -> m.Programme:
        """The programme as defined (its `end` as first stated; `self.end` is in force)."""
        return self.ledger.programme

    @property
    def paces(self) -> list[pace.Pace]:
        return [t.pace for t in self.targets]

    @property
    def counts(self) -> dict[str, int]:
        """How many targets are in each status, in attention order."""
        return {state: sum(t.pace.status == state for t in self.targets)
                for state in pace.STATUSES}


def position(ledger: m.Ledger, as_of: date) -> Position:
    """The programme of `ledger` as it stands on `as_of`: the one computation of its figures."""
    force = in_force(ledger, as_of)
    money = funding(ledger, as_of, force)
    series = _achievements(ledger, as_of)
    done = {t.id: sum(series.get(t.id, {}).values()) for t in ledger.targets}
    conventions = {c.id: c for c in ledger.conventions}
    lines = {line.id: line for line in money.conventions}
    programme = ledger.programme
    targets = []
    for t in ledger.targets:
        quantity = force.target_quantity[t.id]
        line = lines[t.convention]
        cost = pace.cost_of(t, conventions[t.convention], line.amount, line.flows.disbursed,
                            line.flows.spent, done[t.id], quantity)
        sched = pace.schedule(t, programme.schedule_start, force.end, quantity,
                              programme.first_report, programme.fiscal_year_start)
        targets.append(TargetLine(
            t.id, t.convention, t.indicator, t.label, quantity, t.quantity, t.unit,
            t.reporting, done[t.id],
            pace.pace_of(t, sched, done[t.id], as_of, recorded=t.id in series), cost))
    return Position(ledger, as_of, force.end, money, tuple(targets),
                    tuple(indicator_lines(targets)), force.amendments,
                    alternatives(ledger), force)


# ---- the journal as a list ---------------------------------------------------------------

HISTORY_KINDS = ("progress", "transaction", "commitment", "disbursement", "expenditure", "void",
                 "amendment", "assertion", "lock", "profile")


class HistoryLine(NamedTuple):
    """One journal entry as history shows it."""

    entry: m.JournalEntry
    kind: str  # progress, commitment, disbursement, expenditure, void, amendment, ...
    subject: str
    value: int | None
    amount: Decimal | None
    funder: str
    text: str  # note, reason or period
    source: str
    tags: tuple[tuple[str, str], ...]
    voided_by: str


HistoryLines = Iterable[HistoryLine]  # a list, or lines made as they are read


def entry_kind(e: m.JournalEntry) -> str:
    return e.transaction_kind if isinstance(e, m.TransactionEntry) else e.kind


def history_lines(ledger: m.Ledger, as_of: date | None = None, *, target: str | None = None,
                  convention: str | None = None, kind: str | None = None,
                  since: date | None = None, until: date | None = None,
                  recorded_since: datetime | None = None, recorded_by: str | None = None
                  ) -> list[HistoryLine]:
    """The journal, oldest first (by date, then file order), filtered: `iter_history_lines`
    as a list."""
    return list(iter_history_lines(
        ledger, as_of, target=target, convention=convention, kind=kind, since=since,
        until=until, recorded_since=recorded_since, recorded_by=recorded_by))


def iter_history_lines(ledger: m.Ledger, as_of: date | None = None, *,
                       target: str | None = None, convention: str | None = None,
                       kind: str | None = None, since: date | None = None,
                       until: date | None = None, recorded_since: datetime | None = None,
                       recorded_by: str | None = None) -> HistoryLines:
    """The journal, oldest first (by date, then file order), filtered, one line at a time (to
    be read once: no list of 100,000 lines). Entries without provenance (written by hand)
    never match --recorded-since or --by."""
    voided_by = {e.entry: e.id for e in ledger.entries(m.VoidEntry)}
    targets_of = {c.id: {t.id for t in c.targets} for c in ledger.conventions}
    for e in sorted(ledger.journal, key=attrgetter("date", "seq")):
        if as_of is not None and e.date > as_of:
            continue
        if since is not None and e.date < since:
            continue
        if until is not None and e.date > until:
            continue
        stamp = e.provenance
        if recorded_since is not None and (stamp.recorded_at is None or _utc(
                stamp.recorded_at) < recorded_since):
            continue
        if recorded_by is not None and stamp.recorded_by != recorded_by:
            continue
        k = entry_kind(e)
        if kind and not (kind == k or (kind == "transaction" and e.kind == "transaction")):
            continue
        e_target = getattr(e, "target", "")
        e_convention = getattr(e, "convention", "")
        if target and e_target != target:
            continue
        if convention and not (e_convention == convention
                               or e_target in targets_of.get(convention, set())):
            continue
        yield _history_line(e, k, voided_by.get(e.id, ""))


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _history_line(e: m.JournalEntry, kind: str, voided_by: str) -> HistoryLine:
    value: int | None = None
    amount: Decimal | None = None
    funder = source = ""
    tags: tuple[tuple[str, str], ...] = ()
    if isinstance(e, m.ProgressEntry):
        subject, value, text, source, tags = e.target, e.value, e.note, e.source, e.tags
    elif isinstance(e, m.TransactionEntry):
        subject, amount, funder, text, source = (e.convention, e.amount, e.funder, e.note,
                                                 e.source)
    elif isinstance(e, m.VoidEntry):
        subject, text = e.entry, e.reason
    elif isinstance(e, m.AmendmentEntry):
        subject = e.convention or e.funder or e.target or "programme.end"
        value, amount, funder = e.quantity, e.amount, e.funder
        text = f"{e.reference}: {e.reason}" + (f" (end {e.end.isoformat()})" if e.end else "")
        text += f" (plan {e.year})" if e.year is not None else ""
    elif isinstance(e, m.AssertionEntry):
        subject = e.target or e.convention
        value, amount, funder, source = e.value, e.amount, e.funder, e.source
        text = e.transaction_kind
    elif isinstance(e, m.LockEntry):
        subject, text = e.period, f"{e.action}" + (f": {e.reason}" if e.reason else "")
    else:
        subject, text = e.name, e.entry_kind
    return HistoryLine(e, kind, subject, value, amount, funder, text, source, tags, voided_by)

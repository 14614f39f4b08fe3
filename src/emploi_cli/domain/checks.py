"""`emploi check`: rules over a loaded ledger, each a small function returning problems.

Structural problems (syntax, types, missing keys, duplicate ids, unknown references) come from
loading (store/reading.py). The rules here are findings about a well-formed ledger: totals that
do not add up, money past its amount, dates in the future or outside the period, cumulative
figures that go down, copies left by a merge, failed reconciliations, entries inside closed
periods. Each finding names its code, the entry and field it concerns, and its place.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from . import model as m
from .closing import closed_through
from .position import (
    Funding,
    InForce,
    achieved_by_series,
    alternatives,
    funding,
    in_force,
    live,
)


@dataclass(frozen=True)
class Context:
    """What the checks look at: the ledger, its text and today."""

    ledger: m.Ledger
    today: date
    entry_lines: dict[str, int]  # key path of an entry ("progress[3]") -> line in the file

    @cached_property
    def force(self) -> InForce:
        """The values in force today, worked out once per check."""
        return in_force(self.ledger, self.today)

    @cached_property
    def funding(self) -> Funding:
        """The money in force today, worked out once per check."""
        return funding(self.ledger, self.today, self.force)

    @cached_property
    def entry_paths(self) -> dict[int, str]:
        """seq -> key path ("progress[3]") of every entry, worked out once per check."""
        return m.journal_paths(self.ledger)


Rule = Callable[[Context], list[m.Problem]]


def _place(ctx: Context, path: str) -> m.Place:
    return m.Place(ctx.ledger.path, path)


def _entry_place(ctx: Context, entry: m.JournalEntry, key: str = "") -> m.Place:
    path = ctx.entry_paths[entry.seq]
    return m.Place(ctx.ledger.path, f"{path}.{key}" if key else path)


def mdh(value) -> str:
    return f"{m.money_text(Decimal(value))} MDH"


def totals(ctx: Context) -> list[m.Problem]:
    f = ctx.funding
    problems = []
    if not f.total_matches:
        problems.append(m.error(
            "total-mismatch", "stated total {stated} differs from the sum of the conventions, "
                              "{conventions}", _place(ctx, "programme.total"),
            entry=ctx.ledger.programme.id, field="total",
            args={"stated": mdh(f.total), "conventions": mdh(f.original_conventions_total)}))
    named = sum((line.amount for line in f.funders if line.amount is not None), 0)
    if named > f.total_in_force:
        problems.append(m.error(
            "funders-above-total", "funders' commitments ({funders}) exceed the programme total "
                                   "({total})", _place(ctx, "funders"), field="amount",
            args={"funders": mdh(named), "total": mdh(f.total_in_force)}))
    return problems


def overspending(ctx: Context) -> list[m.Problem]:
    f = ctx.funding
    problems = []
    for i, line in enumerate(f.conventions):
        if line.amount is not None and line.flows.disbursed > line.amount:
            problems.append(m.warning(
                "over-disbursed", "disbursements to {convention} ({disbursed}) pass its amount "
                                  "({amount})", _place(ctx, f"conventions[{i}].amount"),
                entry=line.id, field="amount",
                args={"convention": line.id, "disbursed": mdh(line.flows.disbursed),
                      "amount": mdh(line.amount)}))
    for i, line in enumerate(f.funders):
        if line.amount is not None and line.flows.disbursed > line.amount:
            problems.append(m.warning(
                "over-disbursed", "disbursements from {funder} ({disbursed}) pass its commitment "
                                  "({amount})", _place(ctx, f"funders[{i}].amount"),
                entry=line.id, field="amount",
                args={"funder": line.id, "disbursed": mdh(line.flows.disbursed),
                      "amount": mdh(line.amount)}))
    return problems


def dates(ctx: Context) -> list[m.Problem]:
    problems = []
    start = ctx.ledger.programme.start
    end = ctx.force.end
    for e in ctx.ledger.journal:
        if e.kind in ("amendment", "profile", "lock"):
            continue  # amendments may be scheduled ahead; locks and profiles are not events
        if e.date > ctx.today:
            problems.append(m.error(
                "future-date", "{kind} {id} is dated {date}, after today ({today})",
                    _entry_place(ctx, e, "date"), entry=e.id,
                field="date", args={"kind": e.kind, "id": e.id, "date": e.date.isoformat(),
                                    "today": ctx.today.isoformat()}))
        elif e.kind in ("progress", "transaction") and not start <= e.date <= end:
            problems.append(m.warning(
                "outside-period", "{kind} {id} is dated {date}, outside the programme period "
                                  "{start} to {end}",
                _entry_place(ctx, e, "date"), entry=e.id, field="date",
                args={"kind": e.kind, "id": e.id, "date": e.date.isoformat(),
                      "start": start.isoformat(), "end": end.isoformat()}))
    return problems


def cumulative_decreases(ctx: Context) -> list[m.Problem]:
    problems = []
    cumulative = {t.id for t in ctx.ledger.targets if t.reporting == "cumulative"}
    series: dict[tuple[str, tuple], list[m.ProgressEntry]] = defaultdict(list)
    voided = ctx.ledger.voided_ids
    for e in ctx.ledger.journal:
        if isinstance(e, m.ProgressEntry) and e.target in cumulative and e.id not in voided:
            series[(e.target, e.tags)].append(e)
    for (target, _), entries in series.items():
        entries.sort(key=lambda e: (e.date, e.seq))
        for before, after in itertools.pairwise(entries):
            if after.value < before.value:
                problems.append(m.warning(
                    "cumulative-decrease", "{target} is reported cumulatively but goes down from "
                                           "{before} ({before_entry}, {date}) to {after} ({id2}, "
                                           "{date2})",
                    _entry_place(ctx, after, "value"), entry=after.id, field="value",
                    args={"target": target, "before": before.value, "before_entry": before.id,
                          "date": before.date.isoformat(), "after": after.value, "id2": after.id,
                          "date2": after.date.isoformat()}))
    return problems


def _content(e: m.JournalEntry) -> tuple:
    fields = e._asdict()
    for key in ("id", "seq", "provenance"):
        fields.pop(key, None)
    return (type(e).__name__, tuple(sorted((k, repr(v)) for k, v in fields.items())))


def merge_leftovers(ctx: Context) -> list[m.Problem]:
    """What a git merge can leave: the same entry twice under two ids, dates out of order."""
    problems = []
    seen: dict[tuple, m.JournalEntry] = {}
    voided = ctx.ledger.voided_ids
    for e in ctx.ledger.journal:
        if e.kind not in ("progress", "transaction") or e.id in voided:
            continue
        key = _content(e)
        if key in seen:
            problems.append(m.warning(
                "same-entry-twice", "{kind} {id} repeats {first} (same date, figures, note and "
                                    "tags): void one of them if it was recorded twice",
                _entry_place(ctx, e), entry=e.id, args={"kind": e.kind, "id": e.id,
                                                        "first": seen[key].id}))
        else:
            seen[key] = e
    previous: dict[tuple[str, str], m.JournalEntry] = {}
    out_of_order: dict[str, list[m.JournalEntry]] = defaultdict(list)
    for e in ctx.ledger.journal:  # per target (progress) or convention (money)
        if isinstance(e, m.ProgressEntry | m.TransactionEntry):
            series = (e.kind, getattr(e, "target", "") or getattr(e, "convention", ""))
            before = previous.get(series)
            if before is not None and e.date < before.date:
                out_of_order[e.kind].append(e)
            if before is None or e.date >= before.date:
                previous[series] = e
    for kind, entries in out_of_order.items():
        first = entries[0]
        template = ("{count} {kind} entry is dated before an entry of the same target or "
                    "convention above it (first: {id}, {date}); harmless, reports sort by date"
                    if len(entries) == 1 else
                    "{count} {kind} entries are dated before an entry of the same target or "
                    "convention above it (first: {id}, {date}); harmless, reports sort by date")
        problems.append(m.warning(
            "out-of-order", template, _entry_place(ctx, first, "date"),
            entry=first.id, field="date", args={"count": len(entries), "kind": kind,
                                                "id": first.id, "date": first.date.isoformat()}))
    return problems


def sources_cited(ctx: Context) -> list[m.Problem]:
    problems = []
    for i, c in enumerate(ctx.ledger.conventions):
        if not c.source:
            problems.append(m.warning("no-source", "convention {id} cites no source",
                                      _place(ctx, f"conventions[{i}]"), entry=c.id,
                                      field="source", args={"id": c.id}))
        for j, t in enumerate(c.targets):
            if not t.source:
                problems.append(m.warning(
                    "no-source", "target {id} cites no source",
                    _place(ctx, f"conventions[{i}].targets[{j}]"), entry=t.id, field="source",
                    args={"id": t.id}))
    for i, f in enumerate(ctx.ledger.funders):
        if not f.source:
            problems.append(m.warning("no-source", "funder {id} cites no source",
                                      _place(ctx, f"funders[{i}]"), entry=f.id, field="source",
                                      args={"id": f.id}))
    return problems


class Comparison(NamedTuple):
    """A partner's cumulative figure (an assertion) against what the journal says by its date."""

    assertion: m.AssertionEntry
    expected: int | Decimal  # what the partner said
    found: int | Decimal  # what the journal says
    unit: str
    counted: tuple[str, ...]  # ids of the entries counted
    hints: m.Phrase | str  # the usual causes of a difference: "; a; b" ("" when none)

    @property
    def difference(self) -> int | Decimal:
        """Journal minus partner: positive when the journal holds more."""
        return self.found - self.expected

    @property
    def matches(self) -> bool:
        return self.found == self.expected


def compare(ledger: m.Ledger, a: m.AssertionEntry) -> Comparison | None:
    """What the journal says of the assertion's subject by its date (None: nothing to compare,
    e.g. an unknown target)."""
    pool = [e for e in live(ledger, a.date)]
    if a.target:
        target = ledger.target(a.target)
        if target is None or a.value is None:
            return None
        involved = [e for e in pool if isinstance(e, m.ProgressEntry) and e.target == a.target]
        found: int | Decimal = sum(achieved_by_series(target, involved).values())
        expected: int | Decimal = a.value
        after = [e for e in live(ledger, date.max)
                 if isinstance(e, m.ProgressEntry) and e.target == a.target
                 and e.date > a.date]
        values = [(e, e.value) for e in involved]
        later = [(e, e.value) for e in after]
        unit = target.unit
    else:
        if a.amount is None:
            return None
        involved = [e for e in pool if isinstance(e, m.TransactionEntry)
                    and e.convention == a.convention
                    and e.transaction_kind == a.transaction_kind
                    and (not a.funder or e.funder == a.funder)]
        found = Decimal(sum((e.amount for e in involved), 0))
        expected = a.amount
        after = [e for e in live(ledger, date.max) if isinstance(e, m.TransactionEntry)
                 and e.convention == a.convention
                 and e.transaction_kind == a.transaction_kind
                 and (not a.funder or e.funder == a.funder) and e.date > a.date]
        values = [(e, e.amount) for e in involved]
        later = [(e, e.amount) for e in after]
        unit = "MDH"
    hints = "" if found == expected else _reconcile_hints(found - expected, values, later)
    return Comparison(a, expected, found, unit, tuple(e.id for e, _ in values), hints)


def reconciliations(ctx: Context) -> list[m.Problem]:
    """Every assertion (a partner's cumulative figure) must equal what the journal says."""
    problems = []
    ledger = ctx.ledger
    for a in ledger.entries(m.AssertionEntry):
        if a.id in ledger.voided_ids:
            continue
        found = compare(ledger, a)
        if found is None or found.matches:
            continue
        problems.append(mismatch(found, _entry_place(ctx, a)))
    return problems


def mismatch(c: Comparison, place: m.Place | None = None) -> m.Problem:
    """A failed reconciliation as a problem: both figures, the difference, the entries."""
    a, unit = c.assertion, c.unit
    expected, found, difference = (str(c.expected), str(c.found), str(c.difference))
    if unit == "MDH":
        expected, found = m.money_text(Decimal(c.expected)), m.money_text(Decimal(c.found))
        difference = m.money_text(Decimal(c.difference))
    ids = ", ".join(c.counted) or m.phrase("none")
    return m.error(
        "reconcile", "assertion {id} ({source}): {subject} as of {date} is {expected} {unit} "
        "by the partner but {found} {unit} in the journal (difference {difference}); entries "
        "counted: {ids}{hints}", place, entry=a.id,
        field="value" if a.target else "amount",
        args={"id": a.id, "source": a.source, "subject": a.target or a.convention,
              "date": a.date.isoformat(), "expected": expected, "found": found,
              "unit": unit, "difference": _signed(difference), "ids": ids,
              "entries": ids, "hints": c.hints})


def matched(c: Comparison) -> m.Problem:
    """A reconciliation that holds, as a note to show: the figure and the entries counted."""
    a = c.assertion
    figure = m.money_text(Decimal(c.found)) if c.unit == "MDH" else str(c.found)
    ids = ", ".join(c.counted) or m.phrase("none")
    return m.note("reconcile-matches",
                  "assertion {id} ({source}): {subject} as of {date} matches the journal: "
                  "{found} {unit}; entries counted: {entries}", entry=a.id,
                  field="value" if a.target else "amount",
                  args={"id": a.id, "source": a.source, "subject": a.target or a.convention,
                        "date": a.date.isoformat(), "found": figure, "unit": c.unit,
                        "entries": ids})


def _signed(value) -> str:
    text = str(value)
    return text if text.startswith("-") else f"+{text}"


def _reconcile_hints(difference, values, later) -> str:
    """What may explain the difference, as a phrase ("" when nothing does)."""
    hints: list[m.Phrase] = []
    counts: dict[tuple, list[str]] = defaultdict(list)
    for e, value in values:
        counts[(e.date, value, getattr(e, "tags", ()))].append(e.id)
    for (_, value, _), ids in counts.items():
        if len(ids) > 1 and value == difference:
            hints.append(m.phrase("recorded twice? {ids}", ids=", ".join(ids)))
    if difference > 0 and not hints:
        hints += [m.phrase("{id} ({date}) may belong after the date", id=e.id,
                           date=e.date.isoformat()) for e, value in values if value == difference]
    if difference < 0:
        hints += [m.phrase("{id} ({date}) may belong on or before the date", id=e.id,
                           date=e.date.isoformat()) for e, value in later
                  if value == -difference]
        if not hints:
            hints.append(m.phrase("an entry may be missing"))
    return _chained(hints)


def _chained(hints: list[m.Phrase]) -> m.Phrase | str:
    """`; first; second...` as nested phrases ("" for none)."""
    if not hints:
        return ""
    return m.phrase("; {hint}{more}", hint=hints[0], more=_chained(hints[1:]))


def closed_periods(ctx: Context) -> list[m.Problem]:
    """Entries dated inside a closed period but written below its lock (edited by hand)."""
    problems = []
    locks = [e for e in ctx.ledger.entries(m.LockEntry) if e.id not in ctx.ledger.voided_ids]
    if not locks:
        return problems
    line_of = {e.seq: ctx.entry_lines.get(ctx.entry_paths[e.seq]) for e in
               ctx.ledger.journal}
    for e in ctx.ledger.journal:
        if e.kind in ("lock", "profile", "amendment", "assertion"):
            continue
        line = line_of.get(e.seq)
        if line is None:
            continue
        earlier = [lock for lock in locks if (line_of.get(lock.seq) or 0) < line]
        through = closed_through(earlier, ctx.ledger.programme.fiscal_year_start)
        if through is not None and e.date <= through:
            lock = max(earlier, key=lambda x: line_of.get(x.seq) or 0)
            problems.append(m.error(
                "closed-period", "{kind} {id} dated {date} was added after the period was closed "
                                 "through {through} (lock {lock}, {period})", _entry_place(ctx, e,
                                     "date"), entry=e.id, field="date",
                args={"kind": e.kind, "id": e.id, "date": e.date.isoformat(),
                      "through": through.isoformat(), "lock": lock.id, "period": lock.period}))
    return problems


RULES: tuple[Rule, ...] = (totals, overspending, dates, cumulative_decreases, merge_leftovers,
                           sources_cited, reconciliations, closed_periods)


def check(ledger: m.Ledger, today: date, entry_lines: dict[str, int] | None = None
          ) -> list[m.Problem]:
    ctx = Context(ledger, today, entry_lines or {})
    problems: list[m.Problem] = []
    for rule in RULES:
        problems = problems + rule(ctx)
    return problems


# ---- target budgets and schedules (what pace and the reports rely on) --------------------


def _target_paths(ledger: m.Ledger) -> dict[str, str]:
    return {t.id: f"conventions[{ci}].targets[{ti}]"
            for ci, c in enumerate(ledger.conventions) for ti, t in enumerate(c.targets)}


def target_budgets(ctx: Context) -> list[m.Problem]:
    """The budgets of a convention's targets (MDH) must not add up to more than its amount."""
    problems = []
    amounts = ctx.force.convention_amount
    for i, c in enumerate(ctx.ledger.conventions):
        budgets = [t.budget for t in c.targets if t.budget is not None]
        if budgets and sum(budgets) > amounts[c.id]:
            problems.append(m.error(
                "budgets-above-amount", "the budgets of {convention}'s targets add up to "
                                        "{budgets} MDH, more than its amount ({amount} MDH)",
                _place(ctx, f"conventions[{i}].amount"), entry=c.id, field="amount",
                args={"convention": c.id, "budgets": sum(budgets), "amount": amounts[c.id]}))
    return problems


def target_schedules(ctx: Context) -> list[m.Problem]:
    """A target's own start/end and its milestones must make a schedule pace can follow."""
    problems = []
    paths = _target_paths(ctx.ledger)
    force = ctx.force
    programme = ctx.ledger.programme
    for t in ctx.ledger.targets:
        path = paths[t.id]
        start, end = t.start or programme.schedule_start, t.end or force.end
        if end < start:
            problems.append(m.error(
                "target-period", "target {id} ends ({end}) before it starts ({start})",
                    _place(ctx, f"{path}.end" if t.end else
                                                 f"{path}.start"),
                entry=t.id, field="end" if t.end else "start",
                args={"id": t.id, "end": end.isoformat(), "start": start.isoformat()}))
            continue
        for key, day in (("start", t.start), ("end", t.end)):
            if day is not None and not programme.start <= day <= force.end:
                problems.append(m.warning(
                    "target-period", "target {id} {key} {day} is outside the programme period "
                                     "{start} to {end}", _place(ctx, f"{path}.{key}"), entry=t.id,
                    field=key,
                    args={"id": t.id, "key": key, "day": day.isoformat(),
                          "start": programme.start.isoformat(), "end": force.end.isoformat()}))
        quantity = force.target_quantity[t.id]
        previous = 0
        for i, ms in enumerate(t.milestones):
            where = _place(ctx, f"{path}.milestones[{i}]")
            if quantity is None:
                problems.append(m.warning(
                    "milestone-unquantified", "target {id} has milestones but no quantity; they "
                                              "are ignored", where, entry=t.id,
                                                  field="milestones", args={"id": t.id}))
                break
            if not start <= ms.date < end:
                problems.append(m.warning(
                    "milestone-outside", "milestone {date} of {id} is not before the target's "
                                         "end ({end}) or is before its start ({start}); it is "
                                         "ignored", where, entry=t.id,
                    field="milestones",
                    args={"date": ms.date.isoformat(), "id": t.id, "end": end.isoformat(),
                          "start": start.isoformat()}))
                continue
            if ms.value < previous or ms.value > quantity:
                template = ("milestone {date} of {id} ({value}) is below an earlier one ({limit})"
                            if ms.value < previous else
                            "milestone {date} of {id} ({value}) is above the quantity ({limit})")
                problems.append(m.warning(
                    "milestone-order", template, where, entry=t.id, field="milestones",
                    args={"date": ms.date.isoformat(), "id": t.id, "value": ms.value,
                          "limit": previous if ms.value < previous else quantity}))
            previous = max(previous, ms.value)
    return problems


# ---- co-financing, plans and sources -----------------------------------------------------


def contributions(ctx: Context) -> list[m.Problem]:
    """A funder's contributions add up to its amount or less; a convention receives no more
    from its funders than its amount (all as in force)."""
    problems = []
    force = ctx.force
    given: dict[str, Decimal] = defaultdict(Decimal)
    received: dict[str, Decimal] = defaultdict(Decimal)
    for (funder, convention), amount in force.contribution_amount.items():
        given[funder] += amount
        received[convention] += amount
    for i, f in enumerate(ctx.ledger.funders):
        amount = force.funder_amount[f.id]
        if f.id in given and amount is not None and not f.at_least and given[f.id] > amount:
            problems.append(m.error(
                "contributions-above-funder", "funder {funder}'s contributions add up to "
                "{contributions}, more than its amount ({amount})",
                _place(ctx, f"funders[{i}].contributions"), entry=f.id, field="contributions",
                args={"funder": f.id, "contributions": mdh(given[f.id]),
                      "amount": mdh(amount)}))
    for i, c in enumerate(ctx.ledger.conventions):
        amount = force.convention_amount[c.id]
        if received.get(c.id, 0) > amount:
            problems.append(m.error(
                "convention-overfunded", "funders contribute {contributions} to "
                "{convention}, more than its amount ({amount})",
                _place(ctx, f"conventions[{i}].amount"), entry=c.id, field="amount",
                args={"convention": c.id, "contributions": mdh(received[c.id]),
                      "amount": mdh(amount)}))
    return problems


def plans(ctx: Context) -> list[m.Problem]:
    """A financing plan (as amended) adds up to its amount (in force) or less; the plan of a
    contribution not in force adds up to 0."""
    problems = []
    force = ctx.force
    items = [(f"conventions[{i}]", c.id, c.id, force.convention_plan[c.id],
              force.convention_amount[c.id]) for i, c in enumerate(ctx.ledger.conventions)]
    stated = {(f.id, x.convention): f"funders[{i}].contributions[{j}]"
              for i, f in enumerate(ctx.ledger.funders) for j, x in enumerate(f.contributions)}
    funders = {f.id: f"funders[{i}]" for i, f in enumerate(ctx.ledger.funders)}
    items += [(stated.get((f, c), f"{funders.get(f, 'funders')}.contributions"), f, f"{f}/{c}",
               plan, force.contribution_amount.get((f, c), Decimal(0)))
              for (f, c), plan in force.contribution_plan.items()]
    for path, entry, subject, plan, amount in items:
        planned = sum((t.amount for t in plan), Decimal(0))
        if plan and planned > amount:
            problems.append(m.error(
                "plan-above-amount", "the plan of {subject} adds up to {planned}, more "
                "than its amount ({amount})", _place(ctx, f"{path}.plan"), entry=entry,
                field="plan", args={"subject": subject, "planned": mdh(planned),
                                    "amount": mdh(amount)}))
    return problems


# The words of a disagreement between sources, worded apart (present/ translates them).
SUBJECTS = {"convention": m.phrase("convention"), "funder": m.phrase("funder"),
            "target": m.phrase("target")}
FIELDS = {"amount": m.phrase("amount"), "quantity": m.phrase("quantity")}


def _figure(value) -> str:
    return mdh(value) if isinstance(value, Decimal) else str(value)


def sources_disagree(ctx: Context) -> list[m.Problem]:
    """Two sources give one figure differently: the ledger uses one, the other is kept."""
    problems = []
    paths = {("convention", c.id): f"conventions[{i}]"
             for i, c in enumerate(ctx.ledger.conventions)}
    paths |= {("funder", f.id): f"funders[{i}]" for i, f in enumerate(ctx.ledger.funders)}
    paths |= {("target", tid): path for tid, path in _target_paths(ctx.ledger).items()}
    for d in alternatives(ctx.ledger):
        problems.append(m.warning(
            "sources-disagree", "{subject} {id}: {field} is {value} by {source} but {other} by "
            "{other_source}",
            _place(ctx, f"{paths[(d.kind, d.id)]}.alternatives"), entry=d.id, field=d.field,
            args={"subject": SUBJECTS[d.kind], "id": d.id, "field": FIELDS[d.field],
                  "value": m.phrase("none") if d.value is None else _figure(d.value),
                  "source": d.source or m.phrase("an unnamed source"),
                  "other": _figure(d.other), "other_source": d.other_source}))
    return problems


def source_citations(ctx: Context) -> list[m.Problem]:
    """Sources are cited as a reader finds them, not by a path on the writer's machine; a
    signing date outside the programme period is likely a typo."""
    problems = []
    for i, source in enumerate(ctx.ledger.sources):
        if source.file:
            problems.append(m.warning(
                "source-path", "source {source} names a file ({file}), which "
                "readers of the ledger do not have: cite it by title, publisher, date and url",
                _place(ctx, f"sources[{i}].file"), entry=source.id, field="file",
                args={"source": source.id, "file": source.file}))
    p = ctx.ledger.programme
    if p.signed_date is not None and not p.signed_date <= ctx.force.end:
        problems.append(m.warning(
            "signed-outside", "the programme is signed on {signed}, after its end ({end}): "
            "pace cannot start there",
            _place(ctx, "programme.signed"), entry=p.id, field="signed",
            args={"signed": p.signed_date, "end": ctx.force.end}))
    return problems


RULES = (*RULES, target_budgets, target_schedules, contributions, plans, sources_disagree,
         source_citations)

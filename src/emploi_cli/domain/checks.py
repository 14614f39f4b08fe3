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
from datetime import date
from decimal import Decimal
from functools import cached_property

from . import model as m
from .closing import closed_through
from .model import record
from .position import (
    Funding,
    InForce,
    achieved_by_series,
    alternatives,
    funding,
    in_force,
    live,
)


@record
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
            "total-mismatch", f"stated total {mdh(f.total)} differs from the sum of the "
            f"conventions, {mdh(f.original_conventions_total)}", _place(ctx, "programme.total"),
            entry=ctx.ledger.programme.id, field="total",
            args={"stated": f.total, "conventions": f.original_conventions_total}))
    named = sum((line.amount for line in f.funders if line.amount is not None), 0)
    if named > f.total_in_force:
        problems.append(m.error(
            "funders-above-total", f"funders' commitments ({mdh(named)}) exceed the programme "
            f"total ({mdh(f.total_in_force)})", _place(ctx, "funders"), field="amount",
            args={"funders": named, "total": f.total_in_force}))
    return problems


def overspending(ctx: Context) -> list[m.Problem]:
    f = ctx.funding
    problems = []
    for i, line in enumerate(f.conventions):
        if line.amount is not None and line.flows.disbursed > line.amount:
            problems.append(m.warning(
                "over-disbursed", f"disbursements to {line.id} ({mdh(line.flows.disbursed)}) "
                f"pass its amount ({mdh(line.amount)})", _place(ctx, f"conventions[{i}].amount"),
                entry=line.id, field="amount",
                args={"convention": line.id, "disbursed": line.flows.disbursed,
                      "amount": line.amount}))
    for i, line in enumerate(f.funders):
        if line.amount is not None and line.flows.disbursed > line.amount:
            problems.append(m.warning(
                "over-disbursed", f"disbursements from {line.id} ({mdh(line.flows.disbursed)}) "
                f"pass its commitment ({mdh(line.amount)})", _place(ctx, f"funders[{i}].amount"),
                entry=line.id, field="amount",
                args={"funder": line.id, "disbursed": line.flows.disbursed,
                      "amount": line.amount}))
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
                "future-date", f"{e.kind} {e.id} is dated {e.date.isoformat()}, after today "
                f"({ctx.today.isoformat()})", _entry_place(ctx, e, "date"), entry=e.id,
                field="date", args={"kind": e.kind, "date": e.date, "today": ctx.today}))
        elif e.kind in ("progress", "transaction") and not start <= e.date <= end:
            problems.append(m.warning(
                "outside-period", f"{e.kind} {e.id} is dated {e.date.isoformat()}, outside the "
                f"programme period {start.isoformat()} to {end.isoformat()}",
                _entry_place(ctx, e, "date"), entry=e.id, field="date",
                args={"kind": e.kind, "date": e.date, "start": start, "end": end}))
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
                    "cumulative-decrease", f"{target} is reported cumulatively but goes down "
                    f"from {before.value} ({before.id}, {before.date.isoformat()}) to "
                    f"{after.value} ({after.id}, {after.date.isoformat()})",
                    _entry_place(ctx, after, "value"), entry=after.id, field="value",
                    args={"target": target, "before": before.value, "before_entry": before.id,
                          "after": after.value}))
    return problems


def _content(e: m.JournalEntry) -> tuple:
    fields = dict(vars(e))
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
                "same-entry-twice", f"{e.kind} {e.id} repeats {seen[key].id} (same date, "
                "figures, note and tags): void one of them if it was recorded twice",
                _entry_place(ctx, e), entry=e.id, args={"kind": e.kind, "first": seen[key].id}))
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
        verb = "entry is" if len(entries) == 1 else "entries are"
        problems.append(m.warning(
            "out-of-order", f"{len(entries)} {kind} {verb}"
            " dated before an entry of the same target or convention above it"
            f" (first: {first.id}, {first.date.isoformat()}); "
            "harmless, reports sort by date", _entry_place(ctx, first, "date"),
            entry=first.id, field="date", args={"kind": kind, "count": len(entries)}))
    return problems


def sources_cited(ctx: Context) -> list[m.Problem]:
    problems = []
    for i, c in enumerate(ctx.ledger.conventions):
        if not c.source:
            problems.append(m.warning("no-source", f"convention {c.id} cites no source",
                                      _place(ctx, f"conventions[{i}]"), entry=c.id,
                                      field="source"))
        for j, t in enumerate(c.targets):
            if not t.source:
                problems.append(m.warning(
                    "no-source", f"target {t.id} cites no source",
                    _place(ctx, f"conventions[{i}].targets[{j}]"), entry=t.id, field="source"))
    for i, f in enumerate(ctx.ledger.funders):
        if not f.source:
            problems.append(m.warning("no-source", f"funder {f.id} cites no source",
                                      _place(ctx, f"funders[{i}]"), entry=f.id, field="source"))
    return problems


@record
class Comparison:
    """A partner's cumulative figure (an assertion) against what the journal says by its date."""

    assertion: m.AssertionEntry
    expected: int | Decimal  # what the partner said
    found: int | Decimal  # what the journal says
    unit: str
    counted: tuple[str, ...]  # ids of the entries counted
    hints: str  # the usual causes of a difference, in words ("" when none applies)

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
    a, unit, hints = c.assertion, c.unit, c.hints
    expected, found, difference = (str(c.expected), str(c.found), str(c.difference))
    if unit == "MDH":
        expected, found = m.money_text(Decimal(c.expected)), m.money_text(Decimal(c.found))
        difference = m.money_text(Decimal(c.difference))
    ids = ", ".join(c.counted) or "none"
    return m.error(
        "reconcile", f"assertion {a.id} ({a.source}): {a.target or a.convention} as of "
        f"{a.date.isoformat()} is {expected} {unit} by the partner but {found} {unit} in the "
        f"journal (difference {_signed(difference)}); entries counted: {ids}"
        + (f"; {hints}" if hints else ""), place, entry=a.id,
        field="value" if a.target else "amount",
        args={"source": a.source, "subject": a.target or a.convention, "date": a.date,
              "expected": expected, "found": found, "unit": unit,
              "difference": _signed(difference), "entries": ids, "hints": hints})


def matched(c: Comparison) -> m.Problem:
    """A reconciliation that holds, as a note to show: the figure and the entries counted."""
    a = c.assertion
    figure = m.money_text(Decimal(c.found)) if c.unit == "MDH" else str(c.found)
    ids = ", ".join(c.counted) or "none"
    return m.note("reconcile-matches",
                  f"assertion {a.id} ({a.source}): {a.target or a.convention} as of "
                  f"{a.date.isoformat()} matches the journal: {figure} {c.unit}; entries "
                  f"counted: {ids}", entry=a.id, field="value" if a.target else "amount",
                  args={"source": a.source, "subject": a.target or a.convention,
                        "date": a.date, "found": figure, "unit": c.unit, "entries": ids})


def _signed(value) -> str:
    text = str(value)
    return text if text.startswith("-") else f"+{text}"


def _reconcile_hints(difference, values, later) -> str:
    hints = []
    counts: dict[tuple, list[str]] = defaultdict(list)
    for e, value in values:
        counts[(e.date, value, getattr(e, "tags", ()))].append(e.id)
    for (_, value, _), ids in counts.items():
        if len(ids) > 1 and value == difference:
            hints.append(f"recorded twice? {' and '.join(ids)}")
    if difference > 0 and not hints:
        hints += [f"{e.id} ({e.date.isoformat()}) may belong after the date"
                  for e, value in values if value == difference]
    if difference < 0:
        hints += [f"{e.id} ({e.date.isoformat()}) may belong on or before the date"
                  for e, value in later if value == -difference]
        if not hints:
            hints.append("an entry may be missing")
    return "; ".join(hints)


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
                "closed-period", f"{e.kind} {e.id} dated {e.date.isoformat()} was added after "
                f"the period was closed through {through.isoformat()} (lock {lock.id}, "
                f"{lock.period})", _entry_place(ctx, e, "date"), entry=e.id, field="date",
                args={"kind": e.kind, "date": e.date, "through": through, "lock": lock.id}))
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
                "budgets-above-amount", f"the budgets of {c.id}'s targets add up to "
                f"{sum(budgets)} MDH, more than its amount ({amounts[c.id]} MDH)",
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
                "target-period", f"target {t.id} ends ({end.isoformat()}) before it starts "
                f"({start.isoformat()})", _place(ctx, f"{path}.end" if t.end else
                                                 f"{path}.start"),
                entry=t.id, field="end" if t.end else "start"))
            continue
        for key, day in (("start", t.start), ("end", t.end)):
            if day is not None and not programme.start <= day <= force.end:
                problems.append(m.warning(
                    "target-period", f"target {t.id} {key} {day.isoformat()} is outside the "
                    f"programme period {programme.start.isoformat()} to "
                    f"{force.end.isoformat()}", _place(ctx, f"{path}.{key}"), entry=t.id,
                    field=key))
        quantity = force.target_quantity[t.id]
        previous = 0
        for i, ms in enumerate(t.milestones):
            where = _place(ctx, f"{path}.milestones[{i}]")
            if quantity is None:
                problems.append(m.warning(
                    "milestone-unquantified", f"target {t.id} has milestones but no quantity; "
                    "they are ignored", where, entry=t.id, field="milestones"))
                break
            if not start <= ms.date < end:
                problems.append(m.warning(
                    "milestone-outside", f"milestone {ms.date.isoformat()} of {t.id} is not "
                    f"before the target's end ({end.isoformat()}) or is before its start "
                    f"({start.isoformat()}); it is ignored", where, entry=t.id,
                    field="milestones"))
                continue
            if ms.value < previous or ms.value > quantity:
                problems.append(m.warning(
                    "milestone-order", f"milestone {ms.date.isoformat()} of {t.id} ({ms.value})"
                    f" is {'below an earlier one' if ms.value < previous else 'above the quantity'}"
                    f" ({previous if ms.value < previous else quantity})", where, entry=t.id,
                    field="milestones"))
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
                "contributions-above-funder", f"funder {f.id}'s contributions add up to "
                f"{mdh(given[f.id])}, more than its amount ({mdh(amount)})",
                _place(ctx, f"funders[{i}].contributions"), entry=f.id, field="contributions",
                args={"funder": f.id, "contributions": given[f.id], "amount": amount}))
    for i, c in enumerate(ctx.ledger.conventions):
        amount = force.convention_amount[c.id]
        if received.get(c.id, 0) > amount:
            problems.append(m.error(
                "convention-overfunded", f"funders contribute {mdh(received[c.id])} to "
                f"{c.id}, more than its amount ({mdh(amount)})",
                _place(ctx, f"conventions[{i}].amount"), entry=c.id, field="amount",
                args={"convention": c.id, "contributions": received[c.id],
                      "amount": amount}))
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
                "plan-above-amount", f"the plan of {subject} adds up to {mdh(planned)}, more "
                f"than its amount ({mdh(amount)})", _place(ctx, f"{path}.plan"), entry=entry,
                field="plan", args={"subject": subject, "planned": planned, "amount": amount}))
    return problems


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
        used = "none" if d.value is None else _figure(d.value)
        problems.append(m.warning(
            "sources-disagree", f"{d.kind} {d.id}: {d.field} is {used} by "
            f"{d.source or 'an unnamed source'} but {_figure(d.other)} by {d.other_source}",
            _place(ctx, f"{paths[(d.kind, d.id)]}.alternatives"), entry=d.id, field=d.field,
            args={"kind": d.kind, "value": "" if d.value is None else d.value,
                  "source": d.source, "other": d.other, "other_source": d.other_source}))
    return problems


def source_citations(ctx: Context) -> list[m.Problem]:
    """Sources are cited as a reader finds them, not by a path on the writer's machine; a
    signing date outside the programme period is likely a typo."""
    problems = []
    for i, source in enumerate(ctx.ledger.sources):
        if source.file:
            problems.append(m.warning(
                "source-path", f"source {source.id} names a file ({source.file}), which "
                "readers of the ledger do not have: cite it by title, publisher, date and url",
                _place(ctx, f"sources[{i}].file"), entry=source.id, field="file",
                args={"source": source.id, "file": source.file}))
    p = ctx.ledger.programme
    if p.signed_date is not None and not p.signed_date <= ctx.force.end:
        problems.append(m.warning(
            "signed-outside", f"the programme is signed on {p.signed_date.isoformat()}, after "
            f"its end ({ctx.force.end.isoformat()}): pace cannot start there",
            _place(ctx, "programme.signed"), entry=p.id, field="signed",
            args={"signed": p.signed_date, "end": ctx.force.end}))
    return problems


RULES = (*RULES, target_budgets, target_schedules, contributions, plans, sources_disagree,
         source_citations)

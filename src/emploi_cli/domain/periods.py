"""Achievements per month, quarter or year, and the running total over time. Pure.

Periods are named as `locks.period_bounds` reads them: `2021-06`, `2021-Q2`, `2021`. Quarters and
years follow `programme.fiscal_year_start` (a fiscal year is named after the calendar year it
starts in: with a July start, 2021-Q1 is July to September 2021).

For an `increment` target a period's value is the sum of its entries; for a `cumulative` one it
is the increase of the running total over the period (the total at the period's end, each tag
series holding its latest figure, minus the total at the previous period's end), so it can be
negative when a partner revises a total down.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from . import model as m
from . import position
from .pace import Schedule, schedule

KINDS = ("month", "quarter", "year")


def period_start(day: date, kind: str, fiscal_start: int = 1) -> date:
    """First day of the period containing `day`."""
    if kind == "month":
        return date(day.year, day.month, 1)
    index = day.year * 12 + day.month - 1 - (fiscal_start - 1)
    size = 3 if kind == "quarter" else 12
    first = index - index % size + (fiscal_start - 1)
    return date(first // 12, first % 12 + 1, 1)


def next_start(first: date, kind: str) -> date:
    index = first.year * 12 + first.month - 1 + {"month": 1, "quarter": 3, "year": 12}[kind]
    return date(index // 12, index % 12 + 1, 1)


def period_name(first: date, kind: str, fiscal_start: int = 1) -> str:
    """`2021-06`, `2021-Q2` or `2021` for the period starting on `first`."""
    if kind == "month":
        return f"{first.year}-{first.month:02d}"
    index = first.year * 12 + first.month - 1 - (fiscal_start - 1)
    year = index // 12
    if kind == "year":
        return f"{year}"
    return f"{year}-Q{index % 12 // 3 + 1}"


class PeriodRow(NamedTuple):
    """What one target achieved in one period."""

    target: str
    period: str
    start: date
    end: date  # the period's last day
    partial: bool  # the period contains the as-of date and is counted up to it
    value: int
    cumulative: int
    expected: int | None  # by the period's end (or by the as-of date when partial)


def running_totals(target: m.Target, entries: list[m.ProgressEntry]) -> list[tuple[date, int]]:
    """(date, running total at the end of that date), one point per date with entries."""
    ordered = sorted(entries, key=lambda e: (e.date, e.seq))
    points: list[tuple[date, int]] = []
    total = 0
    latest: dict[tuple[tuple[str, str], ...], int] = {}
    for e in ordered:
        if target.reporting == "cumulative":
            total += e.value - latest.get(e.tags, 0)
            latest[e.tags] = e.value
        else:
            total += e.value
        if points and points[-1][0] == e.date:
            points[-1] = (e.date, total)
        else:
            points.append((e.date, total))
    return points


def period_rows(ledger: m.Ledger, as_of: date, kind: str, *, targets: list[str] | None = None,
                since: date | None = None, until: date | None = None,
                schedules: dict[str, Schedule] | None = None) -> list[PeriodRow]:
    """One row per target and period, from the period of the schedule's start (or of the first
    entry, if earlier) to the period of the as-of date or of the schedule's end, if earlier.
    `schedules`: target id -> its schedule in force, when the position is already known."""
    fiscal = ledger.programme.fiscal_year_start
    if schedules is None:
        force = position.in_force(ledger, as_of)
        schedules = {t.id: schedule(t, ledger.programme.schedule_start, force.end,
                                    force.target_quantity[t.id], ledger.programme.first_report,
                                    fiscal) for t in ledger.targets}
    entries = position.progress_entries(ledger, as_of)
    rows = []
    for t in ledger.targets:
        if targets is not None and t.id not in targets:
            continue
        sched = schedules[t.id]
        points = running_totals(t, entries.get(t.id, []))
        rows += _rows(t, sched, points, as_of, kind, fiscal, since, until)
    return rows


def _rows(t: m.Target, sched: Schedule, points: list[tuple[date, int]], as_of: date, kind: str,
          fiscal: int, since: date | None, until: date | None) -> list[PeriodRow]:
    first_day = min([sched.start, *(d for d, _ in points[:1])])
    last_day = min(as_of, max([sched.end, *(d for d, _ in points[-1:])]))
    if last_day < first_day:
        return []
    rows = []
    first = period_start(first_day, kind, fiscal)
    index = 0
    previous = total = 0
    while first <= last_day:
        after = next_start(first, kind)
        end = after - timedelta(days=1)
        counted = min(end, as_of)
        while index < len(points) and points[index][0] <= counted:
            total = points[index][1]
            index += 1
        if (since is None or end >= since) and (until is None or first <= until):
            rows.append(PeriodRow(t.id, period_name(first, kind, fiscal), first, end,
                                  as_of < end, total - previous, total,
                                  sched.expected(counted)))
        previous = total
        first = after
    return rows

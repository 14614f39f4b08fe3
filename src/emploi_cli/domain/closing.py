"""Periods (`2021-Q2`, `2021-06`, `2021`, a date) and the closed-through date of a ledger."""

from __future__ import annotations

import re
from datetime import date, timedelta

from . import model as m


def period_bounds(text: str, fiscal_start: int = 1) -> tuple[date, date]:
    """First and last day of a period written as YYYY, YYYY-QN, YYYY-MM or YYYY-MM-DD.

    Quarters and years follow the fiscal year when the ledger sets `fiscal_year_start`
    (a year is named after the calendar year it starts in).
    """
    text = text.strip()
    if found := re.fullmatch(r"(\d{4})", text):
        first = date(int(found.group(1)), fiscal_start, 1)
        return first, _add_months(first, 12) - timedelta(days=1)
    if found := re.fullmatch(r"(\d{4})-[QqTt]([1-4])", text):
        first = _add_months(date(int(found.group(1)), fiscal_start, 1),
                            3 * (int(found.group(2)) - 1))
        return first, _add_months(first, 3) - timedelta(days=1)
    if found := re.fullmatch(r"(\d{4})-(\d{2})", text):
        first = date(int(found.group(1)), int(found.group(2)), 1)
        return first, _add_months(first, 1) - timedelta(days=1)
    day = date.fromisoformat(text)
    return day, day


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def closed_through(locks: list[m.LockEntry], fiscal_start: int = 1) -> date | None:
    """Apply close/reopen entries in file order: the last date that is closed, or None.

    A close extends the closed range to its date; a reopen pulls it back to the day before the
    reopened period starts (the entry's date is that period's last day, its `period` says which).
    """
    through: date | None = None
    for lock in sorted(locks, key=lambda e: e.seq):
        if lock.action == "close":
            through = lock.date if through is None else max(through, lock.date)
        elif through is not None:
            try:
                first, _ = period_bounds(lock.period, fiscal_start)
            except ValueError:
                first = lock.date
            if through >= first:
                through = first - timedelta(days=1)
    return through

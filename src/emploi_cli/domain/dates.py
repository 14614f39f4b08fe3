"""Why a text is not a date: the one explanation every date a user types or a file holds gets
("February 2021 has 28 days", "there is no month 13"), rather than "not a date"."""

from __future__ import annotations

import re

from .model import Phrase, phrase

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

_ISO = r"\s*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})\s*"  # compiled when first used (re keeps it)
_FIELDS = {"%Y": r"(?P<year>[0-9]{4})", "%m": r"(?P<month>[0-9]{1,2})",
           "%d": r"(?P<day>[0-9]{1,2})"}


def impossible(year: int, month: int, day: int) -> Phrase | None:
    """Why this year, month and day make no date, as a phrase (None: they do). The month is
    named in English; present/ words it in the reader's language (a `month` field)."""
    if year < 1:
        return phrase("there is no year 0")
    if not 1 <= month <= 12:
        return phrase("there is no month {number}", number=month)
    import calendar  # only to explain a wrong date (start-up time)

    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return phrase("{month} {year} has {days} days", month=MONTHS[month - 1], year=year,
                      days=last)
    return None


def why_not_iso(text: str) -> Phrase:
    """Why `text` is not a YYYY-MM-DD date: the impossible day or month, else the form."""
    return impossible_iso(text) or phrase("dates are written YYYY-MM-DD")


def impossible_iso(text: str) -> Phrase | None:
    """Why a text of the form YYYY-MM-DD names no day (None: it is not of that form, or fine)."""
    found = re.fullmatch(_ISO, text)
    return impossible(*(int(part) for part in found.groups())) if found else None


def why_not(text: str, form: str) -> Phrase | None:
    """Why `text` written in the strptime `form` (e.g. %d/%m/%Y) is not a date, when it has
    the form but names an impossible day (None: it does not have the form)."""
    pattern = ""
    rest = form
    while rest:
        code = rest[:2]
        if code in _FIELDS and _FIELDS[code] not in pattern:
            pattern += _FIELDS[code]
            rest = rest[2:]
        elif code.startswith("%"):
            return None  # a form with names of months or days: strptime's word stands
        else:
            pattern += re.escape(rest[0])
            rest = rest[1:]
    found = re.fullmatch(pattern, text.strip())
    if not found or len(found.groupdict()) != 3:
        return None
    return impossible(int(found["year"]), int(found["month"]), int(found["day"]))

"""Building new journal entries from what a user typed, checked against the ledger.

Pure: each builder takes the ledger (as read under the write lock) and returns the TOML table of
the entry to append, or raises EmploiError with one clear line. Nothing here touches files.
"""

from __future__ import annotations

import difflib
import os
import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from . import model as m
from .locks import closed_through

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def new_id(now_ms: int | None = None) -> str:
    """16 characters that sort by time: 10 of milliseconds since 1970, 6 random (30 bits).

    No counter: two clones appending at the same moment still get different ids.
    """
    stamp = int(time.time() * 1000) if now_ms is None else now_ms
    head = "".join(_CROCKFORD[(stamp >> shift) & 31] for shift in range(45, -1, -5))
    tail_bits = int.from_bytes(os.urandom(4), "big") >> 2
    tail = "".join(_CROCKFORD[(tail_bits >> shift) & 31] for shift in range(25, -1, -5))
    return head + tail


@dataclass(frozen=True)
class Stamp:
    """Provenance of an entry the tool writes."""

    recorded_at: datetime
    recorded_by: str

    @staticmethod
    def now(user: str) -> Stamp:
        return Stamp(datetime.now(UTC).replace(microsecond=0), user)


def _refuse(code: str, message: str) -> m.EmploiError:
    return m.EmploiError(m.error(code, message))


def did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        folded = {c.casefold(): c for c in choices}
        close = [folded[word.casefold()]] if word.casefold() in folded else []
    return f" (did you mean {close[0]!r}?)" if close else ""


def _require(kind: str, ident: str, known: list[str]) -> None:
    if ident not in known:
        raise _refuse("unknown-ref", f"unknown {kind} {ident!r}{did_you_mean(ident, known)}; "
                      f"known: {', '.join(known) or 'none'}")


def check_date(ledger: m.Ledger, day: date, today: date, what: str) -> list[m.Problem]:
    """Future dates are refused; dates outside the programme period are a warning."""
    if day > today:
        raise _refuse("future-date", f"{what} date {day.isoformat()} is in the future "
                      f"(today is {today.isoformat()})")
    if day.year < 1900:
        raise _refuse("bad-date", f"{what} date {day.isoformat()} is before 1900")
    p = ledger.programme
    if not p.start <= day <= p.end:
        return [m.warning("outside-period", f"{day.isoformat()} is outside the programme "
                          f"period {p.start.isoformat()} to {p.end.isoformat()}")]
    return []


def check_open(ledger: m.Ledger, day: date) -> None:
    """Refuse an entry dated inside a closed period, naming the lock."""
    voided = ledger.voided_ids
    locks = [e for e in ledger.entries(m.LockEntry) if e.id not in voided]
    through = closed_through(locks)
    if through is not None and day <= through:
        last = max((lk for lk in locks if lk.action == "close"), key=lambda lk: lk.seq)
        raise _refuse("closed-period", f"{day.isoformat()} is in a closed period: the ledger "
                      f"is closed through {through.isoformat()} (lock {last.id}, period "
                      f"{last.period}); `emploi reopen` first")


def _stamp(fields: dict, stamp: Stamp) -> dict:
    fields["recorded_at"] = stamp.recorded_at
    fields["recorded_by"] = stamp.recorded_by
    return fields


def _text_fields(**values: str | None) -> dict:
    return {k: v for k, v in values.items() if v}


def progress(ledger: m.Ledger, *, target: str, value: int, day: date, today: date,
             stamp: Stamp, note: str = "", source: str = "",
             tags: tuple[tuple[str, str], ...] = (), import_key: str = "",
             entry_id: str = "") -> tuple[dict, list[m.Problem]]:
    _require("target", target, [t.id for t in ledger.targets])
    if value < 0:
        raise _refuse("negative", f"value must not be negative ({value})")
    warnings = check_date(ledger, day, today, "progress")
    check_open(ledger, day)
    fields = {"id": entry_id or new_id(), "date": day, "target": target, "value": value,
              **_text_fields(note=note, source=source)}
    if tags:
        fields["tags"] = dict(tags)
    if import_key:
        fields["import_key"] = import_key
    return _stamp(fields, stamp), warnings


def transaction(ledger: m.Ledger, *, convention: str, amount: Decimal, kind: str, day: date,
                today: date, stamp: Stamp, funder: str = "", note: str = "", source: str = "",
                import_key: str = "", entry_id: str = "") -> tuple[dict, list[m.Problem]]:
    _require("convention", convention, [c.id for c in ledger.conventions])
    if funder:
        _require("funder", funder, [f.id for f in ledger.funders])
    if kind not in m.TRANSACTION_KINDS:
        raise _refuse("bad-value", f"kind must be one of {', '.join(m.TRANSACTION_KINDS)}")
    if not amount.is_finite() or amount <= 0:
        raise _refuse("bad-amount", f"amount must be a positive finite number of MDH, not "
                      f"{amount}")
    warnings = check_date(ledger, day, today, "transaction")
    check_open(ledger, day)
    fields = {"id": entry_id or new_id(), "date": day, "convention": convention,
              "amount": amount, "kind": kind, **_text_fields(funder=funder, note=note,
                                                              source=source)}
    if import_key:
        fields["import_key"] = import_key
    return _stamp(fields, stamp), warnings


def find_entry(ledger: m.Ledger, ident: str) -> m.JournalEntry:
    """An entry by id or by a unique prefix of its id (like git's short hashes)."""
    exact = [e for e in ledger.journal if e.id == ident]
    if exact:
        return exact[0]
    found = [e for e in ledger.journal if ident and e.id.startswith(ident)]
    if len(found) == 1:
        return found[0]
    if found:
        raise _refuse("ambiguous", f"{ident!r} matches {len(found)} entries: "
                      f"{', '.join(e.id for e in found[:5])}; give more characters")
    raise _refuse("unknown-ref", f"no entry with id {ident!r}")


def void(ledger: m.Ledger, *, entry: str, reason: str, today: date, stamp: Stamp
         ) -> tuple[dict, list[m.Problem]]:
    if not reason.strip():
        raise _refuse("empty", "a reason is required (--reason)")
    target = find_entry(ledger, entry)
    if target.kind == "void":
        raise _refuse("bad-value", f"{target.id} is itself a void; record the entry again "
                      "instead of voiding a void")
    if target.id in ledger.voided_ids:
        raise _refuse("already-void", f"{target.id} is already void")
    check_open(ledger, target.date)
    fields = {"id": new_id(), "date": today, "entry": target.id, "reason": reason}
    return _stamp(fields, stamp), []


_PROFILE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")


def profile(ledger: m.Ledger, *, name: str, fields: dict, today: date, stamp: Stamp,
            entry_id: str = "") -> tuple[dict, list[m.Problem]]:
    """A `[[profiles]]` entry saving an import mapping under `name` (a newer one replaces an
    older one of the same name). `fields` are the profile's keys without id, date, name."""
    if not _PROFILE_NAME.match(name):
        raise _refuse("bad-id", f"profile name {name!r} must be lower-case ASCII letters, "
                      "digits, '_', '-' or '.', starting with a letter or digit")
    out = {"id": entry_id or new_id(), "date": today, "name": name,
           **{k: v for k, v in fields.items() if k != "name"}}
    return _stamp(out, stamp), []

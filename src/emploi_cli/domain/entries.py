"""Building new journal entries from what a user typed, checked against the ledger.

Pure: each builder takes the ledger (as read under the write lock) and returns the TOML table of
the entry to append, or raises EmploiError with one clear line. Nothing here touches files.
"""

from __future__ import annotations

import difflib
import os
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import NamedTuple

from . import dates, limits
from . import model as m
from .closing import closed_through

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_PAIRS: list[str] = []  # the 1,024 pairs of characters (10 bits), made on first use


def new_id(now_ms: int | None = None) -> str:
    """16 characters that sort by time: 10 of milliseconds since 1970, 6 random (30 bits).

    No counter: two clones appending at the same moment still get different ids.
    """
    stamp = int(time.time() * 1000) if now_ms is None else now_ms
    bits = (stamp & (1 << 50) - 1) << 30 | int.from_bytes(os.urandom(4), "big") >> 2
    pairs = _PAIRS or _pairs()
    return (pairs[bits >> 70 & 1023] + pairs[bits >> 60 & 1023] + pairs[bits >> 50 & 1023]
            + pairs[bits >> 40 & 1023] + pairs[bits >> 30 & 1023] + pairs[bits >> 20 & 1023]
            + pairs[bits >> 10 & 1023] + pairs[bits & 1023])


def _pairs() -> list[str]:
    _PAIRS.extend([first + second for first in _CROCKFORD for second in _CROCKFORD])
    return _PAIRS


class Stamp(NamedTuple):
    """Provenance of an entry the tool writes."""

    recorded_at: datetime
    recorded_by: str

    @staticmethod
    def now(user: str) -> Stamp:
        return Stamp(datetime.now(UTC).replace(microsecond=0), user)


def did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        folded = {c.casefold(): c for c in choices}
        close = [folded[word.casefold()]] if word.casefold() in folded else []
    return m.phrase(" (did you mean {suggestion}?)", suggestion=repr(close[0])) if close else ""


def require_known(kind: str, ident: str, known: list[str]) -> None:
    """Refuse an id that names no `kind` (target, convention, funder) of the ledger; the
    refusal's field is `kind`, the key that holds the id."""
    if ident not in known:
        raise m.refusal("unknown-ref", "unknown {kind} {id}{did_you_mean}; known: {known}",
                        entry=ident, field=kind,
                        args={"kind": kind, "id": repr(ident),
                              "did_you_mean": did_you_mean(ident, known),
                              "known": ", ".join(known) or m.phrase("none")})


def check_limits(*, count: int | None = None, amount: Decimal | None = None,
                 field: str = "", entry: str = "") -> None:
    """Refuse a count or an amount beyond what a ledger may hold (as reading it would)."""
    if count is not None and count > limits.MAX_COUNT:
        raise m.refusal("too-large", "{field} {value} is beyond any plausible count",
                        entry=entry, field=field, args={"field": field, "value": count})
    if amount is not None and amount.is_finite() and amount > limits.MAX_MONEY:
        raise m.refusal("too-large", "{field} {value} MDH is beyond any plausible amount",
                        entry=entry, field=field, args={"field": field, "value": amount})


def check_date(ledger: m.Ledger, day: date, today: date, what: str) -> list[m.Problem]:
    """Future dates are refused; dates outside the programme period are a warning."""
    if day > today:
        raise m.refusal("future-date", "{kind} date {date} is in the future (today is {today})",
                        field="date",
                        args={"kind": what, "date": day.isoformat(), "today": today.isoformat()})
    if day.year < limits.MIN_YEAR:
        raise m.refusal("bad-date", "{kind} date {date} is before {MIN_YEAR}",
                        field="date", args={"kind": what, "date": day.isoformat(),
                                            "MIN_YEAR": limits.MIN_YEAR})
    p = ledger.programme
    if not p.start <= day <= p.end:
        return [m.warning("outside-period", "{date} is outside the programme period {start} to "
                                            "{end}", field="date",
                          args={"date": day.isoformat(), "start": p.start.isoformat(),
                                "end": p.end.isoformat()})]
    return []


def check_open(ledger: m.Ledger, day: date) -> None:
    """Refuse an entry dated inside a closed period, naming the lock."""
    locks = ledger.entries(m.LockEntry)
    if not locks:  # the usual ledger: nothing was ever closed
        return
    voided = ledger.voided_ids
    locks = [e for e in locks if e.id not in voided]
    through = closed_through(locks, ledger.programme.fiscal_year_start)
    if through is not None and day <= through:
        last = max((lk for lk in locks if lk.action == "close"), key=lambda lk: lk.seq)
        raise m.refusal("closed-period", "{date} is in a closed period: the ledger is closed "
                                         "through {through} (lock {lock}, period {period}); "
                                         "`emploi reopen` first", field="date",
                        args={"date": day.isoformat(), "through": through.isoformat(),
                              "lock": last.id, "period": last.period})


def _stamp(fields: dict, stamp: Stamp) -> dict:
    fields["recorded_at"] = stamp.recorded_at
    fields["recorded_by"] = stamp.recorded_by
    return fields


def _text_fields(**values: str | None) -> dict:
    return {k: v for k, v in values.items() if v}


class Plausibility:
    """What has been achieved towards each target (every live entry, whatever its date), kept
    up to date entry by entry, to warn about a figure that looks like a slip: a value that
    alone exceeds half of its target, or takes the achieved total past it (`20.815` read as
    twenty thousand). The journal is read once (its increment rows counted, its cumulative
    targets' rows walked in file order), then each new entry is added in constant time."""

    def __init__(self, ledger: m.Ledger) -> None:
        from .position import PROGRESS_ROW, in_force, live_counts, live_rows

        self.quantity = in_force(ledger, date.max).target_quantity
        self.cumulative = {t.id for t in ledger.targets if t.reporting == "cumulative"}
        self.sums: dict[str, int] = {}
        self.latest: dict[tuple, tuple[date, int]] = {}  # (target, tags) -> (date, value)
        self.series: dict[str, int] = {}  # cumulative target -> sum of its series' latest
        for (target, value), times in live_counts(ledger, m.ProgressEntry,
                                                  ("target", "value"), date.max).items():
            if target not in self.cumulative:
                self.sums[target] = self.sums.get(target, 0) + value * times
        if self.cumulative:
            for target, tags, day, _, value in live_rows(
                    ledger, m.ProgressEntry, PROGRESS_ROW, date.max,
                    only=("target", self.cumulative)):
                self._add(target, tags, day, value)

    def _add(self, target: str, tags: tuple, day: date, value: int) -> int:
        """Count one entry; the increase of the target's achieved total."""
        if target not in self.cumulative:
            self.sums[target] = self.sums.get(target, 0) + value
            return value
        before = self.latest.get((target, tags))
        if before is not None and day < before[0]:
            return 0  # an older figure of a series: its latest one stands
        step = value - (before[1] if before else 0)
        self.latest[(target, tags)] = (day, value)
        self.series[target] = self.series.get(target, 0) + step
        return step

    def total(self, target: str) -> int:
        return (self.series if target in self.cumulative else self.sums).get(target, 0)

    def check(self, target: str, tags: tuple, day: date, value: int) -> list[m.Problem]:
        """Count the entry; a warning when it looks like a slip (none for an unquantified
        target)."""
        quantity = self.quantity.get(target)
        before = self.total(target)
        step = self._add(target, tags, day, value)
        if not quantity:
            return []
        after = before + step
        args = {"target": target, "value": value, "quantity": quantity, "before": before,
                "after": after}
        if before <= quantity < after:
            return [m.warning(
                "total-past-target", "value {value} takes {target} from {before} to {after}, "
                "past its target of {quantity}: is the figure right (a thousands separator "
                "read as a decimal point)?", entry=target, field="value", args=args)]
        if 2 * step > quantity:
            return [m.warning(
                "value-over-half-target", "value {value} alone is more than half of "
                "{target}'s target of {quantity}: is the figure right?", entry=target,
                field="value", args=args)]
        return []


PLAUSIBILITY_CODES = ("total-past-target", "value-over-half-target")


def progress(ledger: m.Ledger, *, target: str, value: int, day: date, today: date,
             stamp: Stamp, note: str = "", source: str = "",
             tags: tuple[tuple[str, str], ...] = (), import_key: str = "",
             entry_id: str = "", plausibility: Plausibility | None = None,
             strict: bool = False) -> tuple[dict, list[m.Problem]]:
    """`plausibility`: the running totals, when entries are built one after another (an
    import); `strict`: a figure that looks like a slip is refused instead of warned about."""
    require_known("target", target, [t.id for t in ledger.targets])
    if value < 0:
        raise m.refusal("negative", "value must not be negative ({value})", field="value",
                        args={"value": value})
    check_limits(count=value, field="value")
    warnings = check_date(ledger, day, today, "progress")
    check_open(ledger, day)
    slips = (plausibility or Plausibility(ledger)).check(target, tags, day, value)
    if slips and strict:
        raise m.EmploiError([p._replace(severity="error", message=p.message + " (refused: "
                                     "--strict)") for p in slips])
    warnings = [*warnings, *slips]
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
    require_known("convention", convention, [c.id for c in ledger.conventions])
    if funder:
        require_known("funder", funder, [f.id for f in ledger.funders])
    if kind not in m.TRANSACTION_KINDS:
        raise m.refusal("bad-value", "kind must be one of {TRANSACTION_KINDS}",
                        field="kind", args={"TRANSACTION_KINDS": ', '.join(m.TRANSACTION_KINDS)})
    if not amount.is_finite() or amount <= 0:
        raise m.refusal("bad-amount", "amount must be a positive finite number of MDH, not "
                                      "{amount}", field="amount", args={"amount": amount})
    check_limits(amount=amount, field="amount")
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
        raise m.refusal("ambiguous", "{id} matches {count} entries: {items}; give more "
                        "characters", entry=ident, field="entry",
                        args={"id": repr(ident), "count": len(found),
                              "items": ", ".join(e.id for e in found[:5])
                              + (", …" if len(found) > 5 else "")})
    raise m.refusal("unknown-ref", "no entry with id {id}", entry=ident, field="entry",
                    args={"id": repr(ident)})


def void(ledger: m.Ledger, *, entry: str, reason: str, today: date, stamp: Stamp
         ) -> tuple[dict, list[m.Problem]]:
    if not reason.strip():
        raise m.refusal("empty", "a reason is required (--reason)", field="reason")
    target = find_entry(ledger, entry)
    if target.kind == "void":
        raise m.refusal("bad-value", "{id} is itself a void; record the entry again instead of "
                                     "voiding a void", entry=target.id, field="entry",
                        args={"id": target.id})
    if target.id in ledger.voided_ids:
        raise m.refusal("already-void", "{id} is already void", entry=target.id,
                        field="entry", args={"id": target.id})
    check_open(ledger, target.date)
    fields = {"id": new_id(), "date": today, "entry": target.id, "reason": reason}
    return _stamp(fields, stamp), []


def amendment(ledger: m.Ledger, *, day: date, reference: str, reason: str, stamp: Stamp,
              convention: str = "", funder: str = "", target: str = "",
              amount: Decimal | None = None, quantity: int | None = None,
              end: date | None = None, year: int | None = None
              ) -> tuple[dict, list[m.Problem]]:
    """A change of one value from `day` on (an avenant). May be dated in the future. With
    `year`: the tranche of that fiscal year in a convention's plan (with `funder` too, in
    that funder's contribution's plan)."""
    subjects = [name for name, given in (("--convention", convention), ("--funder", funder),
                                         ("--target", target), ("--end", end)) if given]
    contribution = subjects == ["--convention", "--funder"]
    if year is not None and subjects not in (["--convention"], ["--convention", "--funder"]):
        raise m.refusal("amendment", "--year amends a plan: name --convention (or --funder "
                        "with --convention, a contribution's plan), not {subjects}",
                        field="year", args={"subjects": ", ".join(subjects) or "none"})
    if len(subjects) != 1 and not contribution:
        raise m.refusal("amendment", "name exactly one of --convention, --funder, --funder "
                        "with --convention (a contribution), --target or --end (got "
                        "{subjects})",
                        args={"subjects": ", ".join(subjects) or m.phrase("none")})
    if not reference.strip() or not reason.strip():
        raise m.refusal("empty", "an amendment needs --reference and --reason",
                        field="reason" if reference.strip() else "reference")
    fields: dict = {"id": new_id(), "date": day, "reference": reference, "reason": reason}
    if contribution:
        require_known("funder", funder, [f.id for f in ledger.funders])
        require_known("convention", convention, [c.id for c in ledger.conventions])
        named = ledger.funder(funder)
        if named is not None and named.conventions and convention not in named.conventions:
            raise m.refusal("unknown-ref", "funder {funder} does not fund {convention} "
                            "(its `conventions` leave it out)", entry=funder,
                            field="convention", args={"funder": repr(funder),
                                                      "convention": repr(convention)})
        if amount is None or quantity is not None:
            raise m.refusal("amendment", "amending a contribution takes --amount (MDH)",
                            entry=funder, field="amount", args={"kind": "contribution"})
        if not amount.is_finite() or amount < 0:
            raise m.refusal("bad-amount", "the new amount must be a finite number of MDH, 0 "
                            "or more", entry=funder, field="amount", args={"amount": amount})
        check_limits(amount=amount, field="amount", entry=funder)
        fields |= {"convention": convention, "funder": funder}
        if year is not None:
            _require_contribution(ledger, funder, convention, day)
            fields["year"] = _plan_year(ledger, year, funder)
        fields["amount"] = amount
    elif convention or funder:
        kind, ident = ("convention", convention) if convention else ("funder", funder)
        known = [c.id for c in ledger.conventions] if convention else [
            f.id for f in ledger.funders]
        require_known(kind, ident, known)
        if amount is None or quantity is not None:
            raise m.refusal("amendment", "amending a {kind} takes --amount (MDH)",
                            entry=ident, field="amount", args={"kind": kind})
        if not amount.is_finite() or amount < 0:
            raise m.refusal("bad-amount", "the new amount must be a finite number of MDH, 0 "
                            "or more", entry=ident, field="amount", args={"amount": amount})
        check_limits(amount=amount, field="amount", entry=ident)
        fields[kind] = ident
        if year is not None:
            fields["year"] = _plan_year(ledger, year, ident)
        fields["amount"] = amount
    elif target:
        require_known("target", target, [t.id for t in ledger.targets])
        if quantity is None or amount is not None:
            raise m.refusal("amendment", "amending a target takes --quantity", entry=target,
                            field="quantity")
        if quantity < 0:
            raise m.refusal("negative", "quantity must not be negative ({quantity})",
                            entry=target, field="quantity", args={"quantity": quantity})
        check_limits(count=quantity, field="quantity", entry=target)
        fields |= {"target": target, "quantity": quantity}
    else:
        assert end is not None
        if amount is not None or quantity is not None:
            raise m.refusal("amendment", "amending the end date takes no --amount or "
                            "--quantity", entry=ledger.programme.id, field="end")
        if end < ledger.programme.start:
            raise m.refusal("period", "the new end {end} is before the programme starts ({start})",
                            entry=ledger.programme.id, field="end",
                            args={"end": end.isoformat(),
                                  "start": ledger.programme.start.isoformat()})
        fields["end"] = end
    check_open(ledger, day)
    _refuse_new_findings(ledger, fields, day)
    return _stamp(fields, stamp), []


def _plan_year(ledger: m.Ledger, year: int, entry: str) -> int:
    """A fiscal year of the programme (from its start to its end, as amended by any
    amendment): the year a plan amendment may name."""
    from .position import fiscal_year, in_force

    fm = ledger.programme.fiscal_year_start
    first = fiscal_year(ledger.programme.start, fm)
    last = fiscal_year(max(ledger.programme.end, in_force(ledger, date.max).end), fm)
    if not first <= year <= last:
        raise m.refusal("plan-year", "{year} is not a fiscal year of the programme ({first} "
                        "to {last})", entry=entry, field="year",
                        args={"year": year, "first": first, "last": last})
    return year


def _require_contribution(ledger: m.Ledger, funder: str, convention: str, day: date) -> None:
    """Refuse a plan amendment of a contribution that is neither stated nor made by an
    amendment in force on `day`."""
    from .position import in_force

    if (funder, convention) not in in_force(ledger, day).contribution_amount:
        raise m.refusal("unknown-ref", "funder {funder} has no contribution to {convention} "
                        "on {date}: amend its contribution first (--amount without --year)",
                        entry=funder, field="convention",
                        args={"funder": funder, "convention": convention, "date": day})


def _refuse_new_findings(ledger: m.Ledger, fields: dict, day: date) -> None:
    """An amendment must not make the money inconsistent (funders above the total, budgets,
    contributions or plans above an amount) at its date or after: check the ledger with it
    added."""
    from . import checks

    amended = ledger._replace(journal=(*ledger.journal, m.AmendmentEntry(
        id=fields["id"], date=day, seq=len(ledger.journal), provenance=m.Provenance(),
        reference=fields["reference"], reason=fields["reason"],
        convention=fields.get("convention", ""), funder=fields.get("funder", ""),
        target=fields.get("target", ""), amount=fields.get("amount"),
        quantity=fields.get("quantity"), end=fields.get("end"), year=fields.get("year"))))
    rules = (checks.totals, checks.target_budgets, checks.contributions, checks.plans)
    moment = max(day, date.today())
    before = {_finding(p) for rule in rules
              for p in rule(checks.Context(ledger, moment, {})) if p.is_error}
    for rule in rules:
        for problem in rule(checks.Context(amended, moment, {})):
            if problem.is_error and _finding(problem) not in before:
                raise m.refusal(problem.code, "this amendment would leave the ledger "
                                "inconsistent: {problem}", entry=problem.entry,
                                field=problem.field, args={"problem": m.restated(problem)})


def _finding(problem: m.Problem) -> tuple:
    """What a finding is, as data (its code, what it concerns and its figures): the same
    finding before and after an amendment is not a new one."""
    return (problem.code, problem.entry, problem.field, problem.args)


def assertion(ledger: m.Ledger, *, day: date, today: date, source: str, stamp: Stamp,
              target: str = "", value: int | None = None, convention: str = "",
              amount: Decimal | None = None, kind: str = "", funder: str = ""
              ) -> tuple[dict, list[m.Problem]]:
    """A partner's reported cumulative figure as of `day`, which the journal must match."""
    if not source.strip():
        raise m.refusal("empty", "a reconciliation needs --source (who reported the figure)",
                        field="source")
    if day > today:
        raise m.refusal("future-date", "date {date} is in the future",
                        field="date", args={"date": day.isoformat()})
    fields: dict = {"id": new_id(), "date": day, "source": source}
    if bool(target) == bool(convention):
        raise m.refusal("assertion", "reconcile either TARGET VALUE, or --convention with "
                        "--amount and --kind")
    if target:
        require_known("target", target, [t.id for t in ledger.targets])
        if value is None or value < 0:
            raise m.refusal("bad-value", "VALUE must be a whole number, 0 or more",
                            entry=target, field="value")
        check_limits(count=value, field="value", entry=target)
        fields |= {"target": target, "value": value}
    else:
        require_known("convention", convention, [c.id for c in ledger.conventions])
        if funder:
            require_known("funder", funder, [f.id for f in ledger.funders])
        if amount is None or not amount.is_finite() or amount < 0:
            raise m.refusal("bad-amount", "--amount must be a finite number of MDH, 0 or more",
                            entry=convention, field="amount")
        check_limits(amount=amount, field="amount", entry=convention)
        if kind not in m.TRANSACTION_KINDS:
            raise m.refusal("bad-value", "--kind must be one of {TRANSACTION_KINDS}",
                            entry=convention,
                            field="kind",
                                args={"TRANSACTION_KINDS": ', '.join(m.TRANSACTION_KINDS)})
        fields |= {"convention": convention, "amount": amount, "kind": kind}
        if funder:
            fields["funder"] = funder
    return _stamp(fields, stamp), []


def lock(ledger: m.Ledger, *, action: str, period: str, today: date, stamp: Stamp,
         reason: str = "") -> tuple[dict, list[m.Problem]]:
    """Close a period (every date up to its last day), or reopen one."""
    from .closing import period_bounds

    try:
        first, last = period_bounds(period, ledger.programme.fiscal_year_start)
    except ValueError:
        reason = dates.impossible_iso(period) or dates.impossible_iso(f"{period}-01")
        raise m.refusal("bad-period", "{period} is not a period (2021, 2021-Q2, 2021-06 or "
                        "2021-06-30){reason}", field="period",
                        args={"period": repr(period),
                              "reason": m.phrase(": {reason}", reason=reason) if reason
                              else ""}) from None
    voided = ledger.voided_ids
    through = closed_through([e for e in ledger.entries(m.LockEntry) if e.id not in voided],
                             ledger.programme.fiscal_year_start)
    if action == "close":
        if last >= today:
            raise m.refusal("open-period", "{period} ends on {last}, which is not over yet "
                                           "(today is {today})", field="period",
                            args={"period": period, "last": last.isoformat(),
                                  "today": today.isoformat()})
        if through is not None and last <= through:
            raise m.refusal("already-closed", "{period} is already closed (closed through "
                                              "{through})", field="period",
                            args={"period": period, "through": through.isoformat()})
    else:
        if not reason.strip():
            raise m.refusal("empty", "reopening needs --reason", field="reason")
        if through is None or through < first:
            raise m.refusal("not-closed", "{period} is not closed", field="period",
                            args={"period": period})
    fields = {"id": new_id(), "date": last, "action": action, "period": period}
    if reason:
        fields["reason"] = reason
    return _stamp(fields, stamp), []


def profile(ledger: m.Ledger, *, name: str, fields: dict, today: date, stamp: Stamp,
            entry_id: str = "") -> tuple[dict, list[m.Problem]]:
    """A `[[profiles]]` entry saving an import mapping under `name` (a newer one replaces an
    older one of the same name). `fields` are the profile's keys without id, date, name."""
    if not limits.ID.match(name):
        raise m.refusal("bad-id", "profile name {name} must be {ID_RULE}",
                        entry=name, field="name", args={"name": repr(name),
                                                        "ID_RULE": limits.ID_RULE})
    out = {"id": entry_id or new_id(), "date": today, "name": name,
           **{k: v for k, v in fields.items() if k != "name"}}
    return _stamp(out, stamp), []

"""Roll-up across programmes: several ledgers, one national view.

Pure: takes loaded ledgers and a date, returns each programme's position (position.position)
and the sums of their figures, by indicator and in money. Nothing here prints, reads files or exits.

In a roll-up every convention, funder and target id is qualified by its programme,
`programme:id` (`fes-meknes:c1.insertion`, from `programme.id`), so that ids stay unique across
ledgers; indicators are the key the programmes share and stay as they are.

What cannot be added up is refused, never summed: two ledgers with the same programme id,
programmes kept in different currencies or money units, the same indicator counted in different
units. Each refusal names both files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from . import model as m
from . import pace, position

SEPARATOR = ":"


def qualify(programme: str, ident: str) -> str:
    """`fes-meknes`, `c1.insertion` -> `fes-meknes:c1.insertion` ("" stays "")."""
    return f"{programme}{SEPARATOR}{ident}" if ident else ident


# ---- refusals ----------------------------------------------------------------------------


def problems(ledgers: list[m.Ledger]) -> list[m.Problem]:
    """Why these ledgers cannot be rolled up together ([] when they can). Each problem is
    placed in the later file (with its key path) and names the earlier one."""
    found: list[m.Problem] = []
    if not ledgers:
        return found
    first = ledgers[0]
    ids: dict[str, m.Ledger] = {}
    units: dict[str, tuple[str, str, m.Ledger]] = {}  # indicator -> (unit, target, ledger)
    told: set[tuple[str, str]] = set()  # (file, indicator) already refused
    for ledger in ledgers:
        p = ledger.programme
        if p.id in ids:
            found.append(m.error(
                "duplicate-programme", "programme id {id} is also the id of {path}; each ledger "
                                       "of a roll-up needs its own programme.id",
                m.Place(ledger.path, "programme.id"),
                args={"id": repr(p.id), "path": ids[p.id].path}))
        ids.setdefault(p.id, ledger)
        for key, value, other in (("currency", p.currency, first.programme.currency),
                                  ("unit", p.unit, first.programme.unit)):
            if value != other:
                template = ("programme.currency is {value} here but {other} in {path}; amounts "
                            "in different currencies are never added up" if key == "currency"
                            else "programme.unit is {value} here but {other} in {path}; amounts "
                            "in different units are never added up")
                found.append(m.error(
                    f"{key}-mismatch", template, m.Place(ledger.path, f"programme.{key}"),
                    args={"value": repr(value), "other": repr(other), "path": first.path}))
        for ci, c in enumerate(ledger.conventions):
            for ti, t in enumerate(c.targets):
                seen = units.get(t.indicator)
                if seen is None:
                    units[t.indicator] = (t.unit, t.id, ledger)
                elif seen[0] != t.unit and (ledger.path, t.indicator) not in told:
                    told.add((ledger.path, t.indicator))
                    found.append(m.error(
                        "unit-mismatch", "indicator {indicator} is counted in {unit} here "
                                         "(target {id}) but in {seen} in {path} (target "
                                         "{seen2}); different units are never added up",
                        m.Place(ledger.path, f"conventions[{ci}].targets[{ti}].unit"),
                        args={"indicator": repr(t.indicator), "unit": repr(t.unit), "id": t.id,
                              "seen": repr(seen[0]), "path": seen[2].path, "seen2": seen[1]}))
    return found


# ---- qualified ids -----------------------------------------------------------------------

_REFERENCES = ("target", "convention", "funder")  # fields of journal entries that name ids


def qualified(ledger: m.Ledger) -> m.Ledger:
    """The same ledger with its convention, funder and target ids (and every reference to
    them) written `programme:id`. Entry ids, sources and indicators are left as they are."""
    pid = ledger.programme.id

    def q(ident: str) -> str:
        return qualify(pid, ident)

    conventions = tuple(c._replace(id=q(c.id), targets=tuple(
        t._replace(id=q(t.id), convention=q(t.convention)) for t in c.targets))
        for c in ledger.conventions)
    funders = tuple(f._replace(id=q(f.id), conventions=tuple(q(x) for x in f.conventions),
                           contributions=tuple(x._replace(convention=q(x.convention))
                                                for x in f.contributions))
                    for f in ledger.funders)
    journal = []
    for e in ledger.journal:
        changes = {k: q(getattr(e, k)) for k in _REFERENCES if k in e._fields}
        journal.append(e._replace(**changes) if changes else e)
    return ledger._replace(conventions=conventions, funders=funders, journal=tuple(journal))


# ---- figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Programme:
    """One programme of a roll-up: its position, with qualified ids."""

    position: position.Position

    @property
    def id(self) -> str:
        return self.ledger.programme.id

    @property
    def ledger(self) -> m.Ledger:
        return self.position.ledger

    @property
    def funding(self) -> position.Funding:
        return self.position.funding

    @property
    def targets(self) -> tuple[position.TargetLine, ...]:
        return self.position.targets

    @property
    def indicators(self) -> tuple[position.IndicatorLine, ...]:
        return self.position.indicators


@dataclass(frozen=True)
class Part:
    """One programme's share of an indicator total."""

    programme: str
    line: position.IndicatorLine


@dataclass(frozen=True)
class IndicatorTotal:
    """An indicator summed over every programme that has it. Like `position.indicator_lines`,
    an unquantified part makes the total unquantified (never counted as 0)."""

    indicator: str
    unit: str
    parts: tuple[Part, ...]

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(t for p in self.parts for t in p.line.targets)

    @property
    def programmes(self) -> tuple[str, ...]:
        return tuple(p.programme for p in self.parts)

    @property
    def quantity(self) -> int | None:
        quantities = [p.line.quantity for p in self.parts]
        if any(q is None for q in quantities):
            return None
        return sum(q for q in quantities if q is not None)

    @property
    def achieved(self) -> int:
        return sum(p.line.achieved for p in self.parts)

    @property
    def remaining(self) -> int | None:
        q = self.quantity
        return None if q is None else max(q - self.achieved, 0)

    @property
    def progress(self) -> Decimal | None:
        return position.percent(self.achieved, self.quantity)


@dataclass(frozen=True)
class Money:
    """The programmes' money added up (one currency and unit, checked)."""

    currency: str
    unit: str
    total: Decimal  # the stated totals
    total_in_force: Decimal
    conventions_total: Decimal
    total_matches: bool  # in every programme, stated total = its conventions as first stated
    flows: position.Flows
    unattributed: Decimal
    unattributed_flows: position.Flows

    @property
    def execution(self) -> Decimal | None:
        """Disbursed / total as amended, in % (as `execution` everywhere: disbursed / amount)."""
        return position.percent(self.flows.disbursed, self.total_in_force)

    @property
    def unattributed_share(self) -> Decimal | None:
        return position.percent(self.unattributed, self.total_in_force)

    def share(self, amount: Decimal) -> Decimal | None:
        """`amount` (a programme's total in force) as % of the national total in force."""
        return position.percent(amount, self.total_in_force)


@dataclass(frozen=True)
class Rollup:
    as_of: date
    programmes: tuple[Programme, ...]
    indicators: tuple[IndicatorTotal, ...]
    money: Money


def _add(a: position.Flows, b: position.Flows) -> position.Flows:
    return position.Flows(a.committed + b.committed, a.disbursed + b.disbursed,
                         a.spent + b.spent)


def indicator_totals(programmes: list[tuple[str, list[position.IndicatorLine]]]
                     ) -> list[IndicatorTotal]:
    """Indicators in order of first appearance (programme order, then ledger order)."""
    parts: dict[str, list[Part]] = {}
    units: dict[str, str] = {}
    for pid, lines in programmes:
        for line in lines:
            parts.setdefault(line.indicator, []).append(Part(pid, line))
            units.setdefault(line.indicator, line.unit)
    return [IndicatorTotal(i, units[i], tuple(p)) for i, p in parts.items()]


def rollup(ledgers: list[m.Ledger], as_of: date) -> Rollup:
    """Each programme's funding and targets (ids qualified) and the totals across them.

    Raises EmploiError (every reason, each naming both files) when the ledgers cannot be added
    up; see `problems`."""
    found = problems(ledgers)
    if found:
        raise m.EmploiError(found)
    result = [Programme(position.position(qualified(ledger), as_of)) for ledger in ledgers]
    zero = position.Flows()
    flows, unnamed = zero, zero
    for p in result:
        flows = _add(flows, p.funding.total_flows)
        unnamed = _add(unnamed, p.funding.unattributed_flows)
    money = Money(
        ledgers[0].programme.currency if ledgers else "",
        ledgers[0].programme.unit if ledgers else "",
        sum((p.funding.total for p in result), Decimal(0)),
        sum((p.funding.total_in_force for p in result), Decimal(0)),
        sum((p.funding.conventions_total for p in result), Decimal(0)),
        all(p.funding.total_matches for p in result),
        flows,
        sum((p.funding.unattributed for p in result), Decimal(0)),
        unnamed)
    totals = indicator_totals([(p.id, list(p.indicators)) for p in result])
    return Rollup(as_of, tuple(result), tuple(totals), money)


# ---- pace (status) -----------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorPace(position.Progressing):
    """An indicator's achievement against what the schedules expected, over every programme.
    No status of its own: statuses belong to targets (docs/pace.md), counted in `counts`."""

    indicator: str
    unit: str
    programmes: tuple[str, ...]
    targets: tuple[str, ...]
    quantity: int | None  # None when any part is unquantified
    achieved: int
    expected: int | None  # None when any part is unquantified
    counts: dict[str, int]

    @property
    def gap(self) -> int | None:
        return None if self.expected is None else self.achieved - self.expected


    @property
    def expected_progress(self) -> Decimal | None:
        return position.percent(self.expected, self.quantity) if self.expected is not None \
            else None


def indicator_paces(programmes: list[tuple[str, list[pace.Pace]]]) -> list[IndicatorPace]:
    """Paces of every target (qualified ids) summed by indicator, in order of first appearance.
    `expected` adds the targets' rounded expected values."""
    groups: dict[str, list[tuple[str, pace.Pace]]] = {}
    for pid, items in programmes:
        for p in items:
            groups.setdefault(p.target.indicator, []).append((pid, p))
    result = []
    for indicator, group in groups.items():
        quantities = [p.quantity for _, p in group]
        expected = [p.expected for _, p in group]
        unquantified = any(q is None for q in quantities) or any(x is None for x in expected)
        result.append(IndicatorPace(
            indicator, group[0][1].target.unit,
            tuple(dict.fromkeys(pid for pid, _ in group)),
            tuple(p.target.id for _, p in group),
            None if any(q is None for q in quantities) else sum(
                q for q in quantities if q is not None),
            sum(p.achieved for _, p in group),
            None if unquantified else sum(x for x in expected if x is not None),
            {s: sum(p.status == s for _, p in group) for s in pace.STATUSES}))
    return result


def paces(r: Rollup) -> dict[str, list[pace.Pace]]:
    """Every target's pace, per programme (qualified ids), in ledger order."""
    return {p.id: p.position.paces for p in r.programmes}

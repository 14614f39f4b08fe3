"""Are we on track? Pace, projection, status and cost per result of each target. Pure.

Everything is exact: counts are `int`, intermediate ratios are `Fraction`, and what is shown is
rounded half-up once, at the end (counts to whole numbers, rates and percents to 2 decimals,
money per result to the centime). The rules are written out in docs/pace.md; in short:

- A target's schedule runs from its own `start`/`end` when the ledger gives them, else from the
  programme's start to its end in force (amendments apply). Days are counted inclusively and a
  date means "at the end of that day": as of the start day, one day has elapsed; as of the end
  day, all of them.
- Expected by a date: linear between (start, 0) and (end, quantity), or, when the target lists
  `milestones`, linear between (start, 0), each milestone, and (end, quantity).
- A month is 30.4375 days (365.25 / 12) for the rates per month.
"""


from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import pairwise
from typing import NamedTuple

from . import model as m

MONTH_DAYS = Fraction(487, 16)  # 30.4375 days: a year of 365.25 days over 12
DH_PER_MDH = 1_000_000

# Attention order: what needs attention first. Values are the json/csv spellings.
STATUSES = ("missed", "at-risk", "behind", "on-track", "awaiting-data", "not-started",
            "achieved", "met", "unquantified")
# The states of money once the programme's end has passed (None before).
MONEY_STATUSES = ("missed", "met")
BEHIND_BELOW = Fraction(9, 10)  # of expected
AT_RISK_BELOW = Fraction(7, 10)  # of expected
ACCELERATION = 2  # needed rate above twice the rate so far (relative to the schedule's own)

# --fail-on: a state and every state worse than it (missed, at risk, behind).
FAIL_ON = {"missed": frozenset({"missed"}), "at-risk": frozenset({"missed", "at-risk"}),
           "behind": frozenset({"missed", "at-risk", "behind"})}


# ---- exact rounding ----------------------------------------------------------------------

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def percent(part: Decimal | int, whole: Decimal | int | None) -> Decimal | None:
    """part / whole in %, rounded half-up to 2 decimals; None when whole is 0 or unknown."""
    if whole is None or whole == 0:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, ROUND_HALF_UP)


class Progressing:
    """What is left of `quantity` once `achieved` (never below 0), and the progress in %;
    both None for an unquantified target. The line classes that carry both take these
    properties (`remaining = Progressing.remaining`: a NamedTuple has no other base)."""

    @property
    def remaining(self) -> int | None:
        return None if self.quantity is None else max(self.quantity - self.achieved, 0)

    @property
    def progress(self) -> Decimal | None:
        return percent(self.achieved, self.quantity)



def round_int(value: Fraction) -> int:
    """Round half-up (away from zero on .5) to a whole number, exactly."""
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    return sign * ((magnitude.numerator * 2 + magnitude.denominator)
                   // (magnitude.denominator * 2))


def round_dec(value: Fraction, places: int = 2) -> Decimal:
    """Round half-up to `places` decimals, exactly, as a Decimal."""
    scale = 10 ** places
    scaled = round_int(value * scale)
    return Decimal(scaled).scaleb(-places)


def per_month(count: int | Fraction, days: int) -> Decimal | None:
    """`count` over `days`, per 30.4375-day month, 2 decimals; None when no day has elapsed."""
    if days <= 0:
        return None
    return round_dec(Fraction(count) * MONTH_DAYS / days)


# ---- schedules ---------------------------------------------------------------------------


def first_full_quarter_end(start: date, fiscal_start: int = 1) -> date:
    """The last day of the first quarter that begins on or after `start` (quarters of the
    fiscal year, which begins in month `fiscal_start`): when a first report is due."""
    offset = (start.month - fiscal_start) % 3  # months since the quarter containing start began
    index = start.year * 12 + start.month - 1 - offset  # that quarter's first month
    if offset or start.day > 1:
        index += 3
    index += 3  # the month after the quarter
    return date(index // 12, index % 12 + 1, 1) - timedelta(days=1)


class Schedule(NamedTuple):
    """When a target is due and how: from `start` to `end` (inclusive), to `quantity`; its
    first report is due on `first_report` (None: at the end of the first full quarter)."""

    start: date
    end: date
    quantity: int | None
    milestones: tuple[m.Milestone, ...] = ()
    first_report: date | None = None

    @property
    def first_report_due(self) -> date:
        return self.first_report or first_full_quarter_end(self.start)

    @property
    def days(self) -> int:
        return max((self.end - self.start).days + 1, 1)

    @property
    def kind(self) -> str:
        return "milestones" if self.points()[1:-1] else "linear"

    def elapsed(self, day: date) -> int:
        """Days of the schedule elapsed at the end of `day`, between 0 and `days`."""
        return min(max((day - self.start).days + 1, 0), self.days)

    def points(self) -> list[tuple[int, int]]:
        """(elapsed days, value) corners of the expected line; milestones outside are ignored."""
        total = self.quantity or 0
        inner = [(self.elapsed(ms.date), ms.value) for ms in self.milestones
                 if self.start <= ms.date < self.end]
        return [(0, 0), *inner, (self.days, total)]

    def expected_exact(self, day: date) -> Fraction | None:
        if self.quantity is None:
            return None
        x = self.elapsed(day)
        points = self.points()
        for (x0, y0), (x1, y1) in pairwise(points):
            if x <= x1:
                if x1 == x0:
                    return Fraction(y1)
                return y0 + Fraction(y1 - y0) * (x - x0) / (x1 - x0)
        return Fraction(points[-1][1])

    def expected(self, day: date) -> int | None:
        exact = self.expected_exact(day)
        return None if exact is None else round_int(exact)


def schedule(target: m.Target, start: date, end: date, quantity: int | None,
             first_report: date | None = None, fiscal_start: int = 1) -> Schedule:
    """The target's own dates when it has them, else the programme's `start` and `end` (in
    force), to `quantity` (in force). The first report is due on the target's `first_report`,
    else the programme's (`first_report`), else at the end of the first full (fiscal) quarter
    of the schedule."""
    begins = target.start or start
    due = target.first_report or first_report or first_full_quarter_end(begins, fiscal_start)
    return Schedule(begins, target.end or end, quantity, target.milestones, due)


# ---- status ------------------------------------------------------------------------------


def status(quantity: int | None, achieved: int, expected: int | None,
           expected_exact: Fraction | None, over: bool, awaiting: bool = False) -> str:
    """The rule of docs/pace.md. `over`: the schedule's last day has passed (as of >= end);
    `awaiting`: nothing is recorded yet and the first report is not due yet."""
    if quantity is None or expected is None or expected_exact is None:
        return "unquantified"
    if over:
        return "met" if achieved >= quantity else "missed"
    if achieved >= quantity:
        return "achieved"
    if awaiting:
        return "awaiting-data"
    if expected == 0:
        return "not-started" if achieved == 0 else "on-track"
    if achieved < AT_RISK_BELOW * expected:
        return "at-risk"
    if achieved > 0 and 0 < expected_exact < quantity and (
        (quantity - achieved) * expected_exact
        > ACCELERATION * (quantity - expected_exact) * achieved
    ):
        # needed / so far > 2 x (planned ahead / planned so far); with a linear schedule the
        # planned ratio is 1: the rate still needed is more than twice the rate so far.
        return "at-risk"
    if achieved < BEHIND_BELOW * expected:
        return "behind"
    return "on-track"


# ---- pace --------------------------------------------------------------------------------


class Pace(NamedTuple):
    """How one target is doing against its schedule on a date."""

    target: m.Target
    quantity: int | None
    achieved: int
    schedule: Schedule
    as_of: date
    elapsed: int  # days
    expected: int | None
    expected_exact: Fraction | None
    status: str
    recorded: bool = True  # some progress is recorded for it (on or before as_of)

    remaining = Progressing.remaining
    progress = Progressing.progress

    @property
    def shortfall(self) -> int | None:
        """What the target missed by, once its end has passed (None unless `missed`)."""
        return self.remaining if self.status == "missed" else None

    @property
    def start(self) -> date:
        return self.schedule.start

    @property
    def end(self) -> date:
        return self.schedule.end

    @property
    def over(self) -> bool:
        return self.elapsed >= self.schedule.days

    @property
    def gap(self) -> int | None:
        return None if self.expected is None else self.achieved - self.expected


    @property
    def expected_progress(self) -> Decimal | None:
        if self.expected_exact is None or not self.quantity:
            return None
        return round_dec(self.expected_exact * 100 / self.quantity)

    @property
    def ratio(self) -> Fraction | None:
        """achieved / expected (None when nothing is expected yet or unquantified)."""
        if not self.expected:
            return None
        return Fraction(self.achieved, self.expected)

    @property
    def rate_so_far(self) -> Decimal | None:
        """Per month, since the schedule's start."""
        return per_month(self.achieved, self.elapsed)

    @property
    def rate_needed(self) -> Decimal | None:
        """Per month, from now to the end, to finish on time; None once the end has passed."""
        if self.remaining is None or self.over:
            return None
        return per_month(self.remaining, self.schedule.days - self.elapsed)

    @property
    def projected(self) -> int | None:
        """Value at the end at the rate so far; None before the start and after the end."""
        if self.elapsed == 0 or self.as_of > self.end:
            return None
        return round_int(Fraction(self.achieved * self.schedule.days, self.elapsed))

    @property
    def projected_completion(self) -> date | None:
        """The day the quantity is reached at the rate so far (may be after the end).

        None when achieved already, when nothing is achieved yet (never, at that rate), after
        the end, or beyond the calendar."""
        q = self.quantity
        if q is None or self.achieved >= q or self.achieved == 0 or self.elapsed == 0 \
                or self.as_of > self.end:
            return None
        days = -(-q * self.elapsed // self.achieved)  # ceiling
        try:
            return self.start + timedelta(days=days - 1)
        except OverflowError:
            return None

    @property
    def attention(self) -> tuple:
        ratio = self.ratio
        return (STATUSES.index(self.status), ratio is None, ratio or 0)


def pace_of(target: m.Target, sched: Schedule, achieved: int, as_of: date,
            recorded: bool = True) -> Pace:
    """How `target` is doing on `as_of` against its schedule; `recorded`: some progress on it
    is in the journal (on or before `as_of`)."""
    exact = sched.expected_exact(as_of)
    expected = None if exact is None else round_int(exact)
    elapsed = sched.elapsed(as_of)
    awaiting = not recorded and elapsed > 0 and as_of <= sched.first_report_due
    state = status(sched.quantity, achieved, expected, exact, elapsed >= sched.days, awaiting)
    return Pace(target, sched.quantity, achieved, sched, as_of, elapsed, expected, exact, state,
                recorded)


def money_status(amount: Decimal | None, disbursed: Decimal, over: bool
                 ) -> tuple[str | None, Decimal | None]:
    """Once the programme's end has passed: `met` when the amount is disbursed in full, else
    `missed` with the shortfall (MDH not disbursed). Before the end, or without an amount:
    (None, None)."""
    if not over or amount is None:
        return None, None
    if disbursed >= amount:
        return "met", None
    return "missed", amount - disbursed


def by_attention(items: list[Pace]) -> list[Pace]:
    """What needs attention first: status order, then the lowest achieved/expected ratio."""
    return sorted(items, key=lambda p: p.attention)  # stable: ledger order breaks ties


def failing(items: list[Pace], fail_on: str) -> list[Pace]:
    states = FAIL_ON[fail_on]
    return [p for p in items if p.status in states]


# ---- money against results ---------------------------------------------------------------


class Cost(NamedTuple):
    """Money of a convention set against what one target achieved (DH per unit).

    basis: "convention" (the convention has this single target and no budget is given) or
    "budget" (the target's `budget` says what part of the convention's amount is its own); None:
    not attributable, and nothing is computed.
    """

    target: str
    basis: str | None
    budget: Decimal | None  # MDH attributed (None: not attributable)
    disbursed: Decimal | None  # MDH attributed, 6 decimals
    spent: Decimal | None
    achieved: int
    per_result_disbursed: Decimal | None  # DH per unit
    per_result_spent: Decimal | None
    planned_per_result: Decimal | None  # attributed amount / quantity, DH per unit


def _share(target: m.Target, convention: m.Convention, amount: Decimal | None
           ) -> tuple[str | None, Fraction | None, Decimal | None]:
    if target.budget is not None:
        if not amount:
            return None, None, None
        return "budget", Fraction(target.budget) / Fraction(amount), target.budget
    if len(convention.targets) == 1:
        return "convention", Fraction(1), amount
    return None, None, None


def cost_of(target: m.Target, convention: m.Convention, amount: Decimal | None,
            disbursed: Decimal, spent: Decimal, achieved: int, quantity: int | None) -> Cost:
    """The target's cost per result, from its convention's amount in force (`amount`) and the
    money disbursed and spent under it; basis None when not attributable."""
    basis, share, budget = _share(target, convention, amount)
    if basis is None or share is None:
        return Cost(target.id, None, None, None, None, achieved, None, None, None)
    disbursed_part = Fraction(disbursed) * share
    spent_part = Fraction(spent) * share

    def per(mdh: Fraction, count: int | None) -> Decimal | None:
        return round_dec(mdh * DH_PER_MDH / count) if count else None
    return Cost(target.id, basis, budget, round_dec(disbursed_part, 6),
                round_dec(spent_part, 6), achieved, per(disbursed_part, achieved),
                per(spent_part, achieved), per(Fraction(budget or 0), quantity))


def budget_totals(ledger: m.Ledger) -> dict[str, Decimal]:
    """Convention id -> the sum of its targets' budgets (only conventions that give any)."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for t in ledger.targets:
        if t.budget is not None:
            totals[t.convention] += t.budget
    return dict(totals)

"""Pace arithmetic, statuses at their boundaries, milestones, cost per result, periods."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emploi_cli.domain import checks, pace, periods, position
from emploi_cli.domain import model as m
from emploi_cli.domain.closing import period_bounds
from emploi_cli.store import reading

from .pace_data import money, progress, small_ledger, target


def load(path) -> m.Ledger:
    loaded = reading.load(path)
    assert not loaded.errors, loaded.errors
    return loaded.ledger


def costs_of(ledger: m.Ledger, day: date) -> dict[str, pace.Cost]:
    return {t.id: t.cost for t in position.position(ledger, day).targets}


def one(ledger: m.Ledger, day: date, ident: str = "c1.a") -> pace.Pace:
    return next(p for p in position.position(ledger, day).paces if p.target.id == ident)


# ---- exact rounding and months -----------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    (Fraction(1, 2), 1), (Fraction(3, 2), 2), (Fraction(5, 2), 3), (Fraction(-1, 2), -1),
    (Fraction(49, 100), 0), (Fraction(1999, 2), 1000), (Fraction(7), 7)])
def test_round_int_is_half_up(value, expected):
    assert pace.round_int(value) == expected


def test_round_dec_and_per_month_are_exact():
    assert pace.round_dec(Fraction(1, 8)) == Decimal("0.13")
    assert pace.round_dec(Fraction(-1, 8)) == Decimal("-0.13")
    assert str(pace.round_dec(Fraction(2))) == "2.00"
    # 100 in 365 days, per month of 30.4375 days: 8.339041... -> 8.34
    assert pace.per_month(100, 365) == Decimal("8.34")
    assert pace.per_month(487, 16) == Decimal("926.44")  # 487 x 30.4375 / 16 = 926.4414
    assert pace.per_month(5, 0) is None


# ---- linear schedule on fixed dates ------------------------------------------------------

LEAP = pace.Schedule(date(2020, 1, 1), date(2022, 12, 31), 1096)  # 1,096 days: one a day


@pytest.mark.parametrize(("day", "elapsed", "expected"), [
    (date(2019, 12, 31), 0, 0),  # before the start
    (date(2020, 1, 1), 1, 1),  # the start day counts
    (date(2020, 2, 29), 60, 60),  # leap day
    (date(2020, 3, 1), 61, 61),
    (date(2020, 12, 31), 366, 366),  # 2020 has 366 days
    (date(2021, 7, 2), 549, 549),  # the middle
    (date(2022, 12, 31), 1096, 1096),  # the end
    (date(2023, 6, 30), 1096, 1096),  # after the end: the full target
])
def test_linear_schedule_on_fixed_dates(day, elapsed, expected):
    assert LEAP.days == 1096
    assert LEAP.elapsed(day) == elapsed
    assert LEAP.expected(day) == expected
    assert LEAP.kind == "linear"


def test_leap_february_and_common_february():
    leap = pace.Schedule(date(2024, 2, 1), date(2024, 2, 29), 29)
    common = pace.Schedule(date(2023, 2, 1), date(2023, 2, 28), 28)
    assert (leap.days, common.days) == (29, 28)
    assert leap.expected(date(2024, 2, 28)) == 28
    assert common.expected(date(2023, 2, 28)) == 28
    assert common.expected(date(2023, 3, 1)) == 28


def test_expected_rounds_half_up():
    half = pace.Schedule(date(2021, 1, 1), date(2021, 1, 2), 1)  # half a unit on day one
    assert half.expected_exact(date(2021, 1, 1)) == Fraction(1, 2)
    assert half.expected(date(2021, 1, 1)) == 1


# ---- milestones --------------------------------------------------------------------------

MILESTONES = pace.Schedule(date(2021, 1, 1), date(2021, 12, 31), 1000, (
    m.Milestone(date(2020, 6, 30), 50),  # before the start: ignored
    m.Milestone(date(2021, 3, 31), 100),  # day 90
    m.Milestone(date(2021, 6, 30), 600),  # day 181
    m.Milestone(date(2021, 12, 31), 10),  # on the end: ignored, the quantity rules there
))


@pytest.mark.parametrize(("day", "expected"), [
    (date(2020, 12, 31), Fraction(0)),
    (date(2021, 2, 14), Fraction(50)),  # day 45 of 90, towards 100
    (date(2021, 3, 31), Fraction(100)),
    (date(2021, 5, 15), 100 + Fraction(500 * 45, 91)),  # day 135: 347.25...
    (date(2021, 6, 30), Fraction(600)),
    (date(2021, 9, 30), Fraction(800)),  # day 273: half way from 600 (day 181) to 1000 (365)
    (date(2021, 12, 31), Fraction(1000)),
    (date(2022, 3, 1), Fraction(1000)),
])
def test_milestones_are_interpolated(day, expected):
    assert MILESTONES.kind == "milestones"
    assert MILESTONES.expected_exact(day) == expected
    assert MILESTONES.expected(date(2021, 5, 15)) == 347


def test_milestones_from_the_ledger(tmp_path):
    path = small_ledger(tmp_path / "l.toml", targets=target(
        "c1.a", 1000, extra="milestones = [{date = 2021-06-30, value = 600}, "
        "{date = 2021-03-31, value = 100}]"))
    ledger = load(path)
    p = one(ledger, date(2021, 5, 15))
    assert p.schedule.kind == "milestones"
    assert p.expected == 347
    assert checks.check(ledger, date(2022, 1, 1)) == []


@given(st.lists(st.tuples(st.integers(0, 400), st.integers(0, 1000)), max_size=5),
       st.integers(0, 500), st.integers(0, 500))
def test_expected_is_monotonic_and_bounded_with_ordered_milestones(raw, d1, d2):
    start = date(2021, 1, 1)
    ordered = sorted(raw)
    values = sorted(v for _, v in ordered)
    milestones = tuple(m.Milestone(start + timedelta(days=x), v)
                       for (x, _), v in zip(ordered, values, strict=True))
    sched = pace.Schedule(start, date(2021, 12, 31), 1000, milestones)
    a, b = sorted((start + timedelta(days=d1 - 50), start + timedelta(days=d2 - 50)))
    ea, eb = sched.expected_exact(a), sched.expected_exact(b)
    assert 0 <= ea <= eb <= 1000


# ---- pace on a ledger: start, middle, end, after the end ----------------------------------


@pytest.fixture
def year(tmp_path):
    """3,650 over 2021 (365 days): ten a day expected."""
    return load(small_ledger(tmp_path / "l.toml", targets=target("c1.a", 3650), journal=(
        progress("p1", "2021-01-01", "c1.a", 10) + progress("p2", "2021-06-30", "c1.a", 990))))


def test_pace_on_the_start_day(year):
    p = one(year, date(2021, 1, 1))
    assert (p.elapsed, p.expected, p.achieved, p.gap) == (1, 10, 10, 0)
    assert p.rate_so_far == Decimal("304.38")  # 10 a day x 30.4375
    assert p.status == "on-track"
    assert p.progress == Decimal("0.27")
    assert p.expected_progress == Decimal("0.27")


def test_pace_in_the_middle(year):
    p = one(year, date(2021, 7, 2))  # day 183
    assert (p.elapsed, p.expected, p.achieved, p.gap) == (183, 1830, 1000, -830)
    assert p.rate_so_far == Decimal("166.33")  # 1000 x 30.4375 / 183
    assert p.rate_needed == Decimal("443.18")  # 2650 x 30.4375 / 182
    assert p.projected == 1995  # 1000 x 365 / 183 = 1994.54
    assert p.projected_completion == date(2022, 10, 30)  # day ceil(3650 x 183 / 1000) = 668
    assert p.status == "at-risk"  # 54.6 % of expected


def test_pace_on_the_end_day(year):
    p = one(year, date(2021, 12, 31))
    assert (p.elapsed, p.expected, p.remaining) == (365, 3650, 2650)
    assert p.rate_needed is None  # no time left
    assert p.projected == 1000
    assert p.over
    assert p.status == "missed" and p.shortfall == 2650  # the end day: met or missed


def test_pace_after_the_end_stops_projecting(year):
    p = one(year, date(2022, 3, 1))
    assert p.expected == 3650
    assert p.projected is None and p.projected_completion is None and p.rate_needed is None
    assert p.rate_so_far == Decimal("83.39")  # 1000 over the whole 365 days


def test_pace_before_the_start(year):
    p = one(year, date(2020, 12, 1))
    assert (p.elapsed, p.expected, p.achieved) == (0, 0, 0)
    assert p.rate_so_far is None and p.projected is None
    assert p.rate_needed == Decimal("304.38")
    assert p.status == "not-started"


def test_target_period_and_programme_end_amendment(tmp_path):
    journal = ('[[amendments]]\nid = "am1"\ndate = 2021-03-01\nreference = "avenant 1"\n'
               'reason = "prolongation"\nend = 2022-12-31\n\n')
    ledger = load(small_ledger(tmp_path / "l.toml", targets=target("c1.a", 730) + target(
        "c1.b", 100, extra="start = 2021-07-01\nend = 2021-07-10"), journal=journal))
    a = one(ledger, date(2021, 12, 31))
    assert (a.end, a.schedule.days, a.expected) == (date(2022, 12, 31), 730, 365)
    before = one(ledger, date(2021, 2, 1))
    assert before.end == date(2021, 12, 31)  # the amendment is not in force yet
    b = one(ledger, date(2021, 7, 5), "c1.b")
    assert (b.start, b.schedule.days, b.expected) == (date(2021, 7, 1), 10, 50)


# ---- statuses at their boundaries ----------------------------------------------------------


@pytest.mark.parametrize(("quantity", "achieved", "expected", "over", "state"), [
    (None, 5, None, False, "unquantified"),
    (1000, 1000, 500, False, "achieved"),
    (1000, 1200, 500, False, "achieved"),
    (1000, 1000, 0, False, "achieved"),  # even before the start
    (0, 0, 0, False, "achieved"),
    (1000, 0, 0, False, "not-started"),
    (1000, 3, 0, False, "on-track"),  # ahead of a schedule that has not begun
    (1000, 450, 500, False, "on-track"),  # exactly 90 %
    (1000, 449, 500, False, "behind"),
    (1000, 350, 500, False, "behind"),  # exactly 70 %
    (1000, 349, 500, False, "at-risk"),
    (1000, 0, 1, False, "at-risk"),
    (1000, 700, 1000, True, "missed"),  # the end has passed: met or missed, nothing else
    (1000, 999, 1000, True, "missed"),
    (1000, 1000, 1000, True, "met"),
    (1000, 1200, 1000, True, "met"),
    (0, 0, 0, True, "met"),
    (None, 5, None, True, "unquantified"),
])
def test_status_ratio_boundaries(quantity, achieved, expected, over, state):
    exact = None if expected is None else Fraction(expected)
    assert pace.status(quantity, achieved, expected, exact, over) == state


@given(st.integers(0, 10_000), st.integers(0, 12_000), st.integers(0, 10_000), st.booleans(),
       st.booleans())
def test_status_agrees_with_its_ratios(quantity, achieved, expected_raw, over, awaiting):
    expected = min(expected_raw, quantity)
    state = pace.status(quantity, achieved, expected, Fraction(expected), over, awaiting)
    assert state in pace.STATUSES
    if over:  # after the end: met or missed, nothing else
        assert state == ("met" if achieved >= quantity else "missed")
        return
    assert state not in ("met", "missed")
    if state == "on-track":
        assert achieved < quantity and 10 * achieved >= 9 * expected
    if state == "behind":
        assert achieved < quantity and 10 * achieved < 9 * expected
        assert 10 * achieved >= 7 * expected
    if state == "not-started":
        assert achieved == 0 and expected == 0
    if state == "awaiting-data":
        assert awaiting and achieved < quantity
    if 10 * achieved < 7 * expected and achieved < quantity and not awaiting:
        assert state == "at-risk"


@pytest.mark.parametrize(("achieved", "state"), [(819, "on-track"), (818, "at-risk")])
def test_status_needed_rate_boundary(achieved, state):
    # 90 % of the time gone, 900 expected of 1000: the rate needed for the last 10 % is more
    # than twice the rate so far from 818 down (182 x 900 = 163,800 > 2 x 100 x 818).
    assert pace.status(1000, achieved, 900, Fraction(900), False) == state


def test_status_needed_rate_is_relative_to_milestones():
    # A back-loaded plan: 100 of 1000 by half time. On plan, the rate must rise 9-fold, as
    # planned: not at risk. At 99 (99 %, on track by the ratios) the needed speed-up is
    # 901/99 / (900/100) = 1.011, far from 2.
    assert pace.status(1000, 100, 100, Fraction(100), False) == "on-track"
    assert pace.status(1000, 99, 100, Fraction(100), False) == "on-track"
    assert pace.status(1000, 53, 100, Fraction(100), False) == "at-risk"  # ratio 53 %


def test_attention_order(tmp_path):
    targets = "".join(target(f"c1.{n}", 3650) for n in "abcde") + target("c1.u", None)
    journal = (progress("p1", "2021-06-30", "c1.a", 1810) + progress("p2", "2021-06-30", "c1.b",
                                                                     1500)
               + progress("p3", "2021-06-30", "c1.c", 3650)
               + progress("p4", "2021-06-30", "c1.d", 100)
               + progress("p5", "2021-06-30", "c1.e", 1000))
    ledger = load(small_ledger(tmp_path / "l.toml", targets=targets, journal=journal))
    ordered = pace.by_attention(position.position(ledger, date(2021, 6, 30)).paces)
    assert [(p.target.id, p.status) for p in ordered] == [
        ("c1.d", "at-risk"), ("c1.e", "at-risk"), ("c1.b", "behind"), ("c1.a", "on-track"),
        ("c1.c", "achieved"), ("c1.u", "unquantified")]
    assert [p.target.id for p in pace.failing(ordered, "behind")] == ["c1.d", "c1.e", "c1.b"]
    assert [p.target.id for p in pace.failing(ordered, "at-risk")] == ["c1.d", "c1.e"]


# ---- money against results -----------------------------------------------------------------


def test_cost_per_result_single_target(tmp_path):
    ledger = load(small_ledger(tmp_path / "l.toml", targets=target("c1.a", 1000), journal=(
        progress("p1", "2021-03-01", "c1.a", 400) + money("d1", "2021-02-01", "c1", "10.00")
        + money("x1", "2021-02-01", "c1", "6.00", "expenditure"))))
    cost = costs_of(ledger, date(2021, 6, 30))["c1.a"]
    assert cost.basis == "convention"
    assert cost.per_result_disbursed == Decimal("25000.00")  # 10 MDH / 400
    assert cost.per_result_spent == Decimal("15000.00")
    assert cost.planned_per_result == Decimal("100000.00")  # 100 MDH / 1000


def test_cost_per_result_not_attributable_between_several_targets(tmp_path):
    ledger = load(small_ledger(tmp_path / "l.toml", targets=target("c1.a") + target("c1.b"),
                               journal=progress("p1", "2021-03-01", "c1.a", 400)
                               + money("d1", "2021-02-01", "c1", "10.00")))
    costs = costs_of(ledger, date(2021, 6, 30))
    for ident in ("c1.a", "c1.b"):
        assert costs[ident].basis is None
        assert costs[ident].per_result_disbursed is None
        assert costs[ident].planned_per_result is None


def test_cost_per_result_with_budgets(tmp_path):
    ledger = load(small_ledger(
        tmp_path / "l.toml",
        targets=target("c1.a", 1000, extra="budget = 60.00") + target("c1.b")
        + target("c1.c", 7, extra="budget = 40.00"),
        journal=progress("p1", "2021-03-01", "c1.a", 1500) + money("d1", "2021-02-01", "c1",
                                                                    "50.00")))
    costs = costs_of(ledger, date(2021, 6, 30))
    a = costs["c1.a"]
    assert (a.basis, a.budget, a.disbursed) == ("budget", Decimal("60.00"), Decimal("30.000000"))
    assert a.per_result_disbursed == Decimal("20000.00")  # 30 MDH / 1500
    assert a.planned_per_result == Decimal("60000.00")
    assert costs["c1.b"].basis is None  # no budget of its own: not attributable
    c = costs["c1.c"]
    assert c.basis == "budget" and c.per_result_disbursed is None  # nothing achieved yet
    assert c.planned_per_result == Decimal("5714285.71")  # 40 MDH / 7, to the centime


def test_budgets_above_the_amount_are_an_error(tmp_path):
    ledger = load(small_ledger(tmp_path / "l.toml", targets=target(
        "c1.a", extra="budget = 60.00") + target("c1.b", extra="budget = 40.01")))
    found = checks.check(ledger, date(2022, 1, 1))
    assert [(p.severity, p.code, p.place.path) for p in found] == [
        ("error", "budgets-above-amount", "conventions[0].amount")]
    assert "100.01 MDH" in found[0].message


def test_schedule_checks(tmp_path):
    ledger = load(small_ledger(tmp_path / "l.toml", targets=target(
        "c1.a", 100, extra="milestones = [{date = 2020-06-30, value = 5}, "
        "{date = 2021-05-01, value = 50}, {date = 2021-06-01, value = 40}, "
        "{date = 2021-07-01, value = 200}]") + target("c1.b", extra="start = 2021-06-01\n"
                                                      "end = 2021-05-01")
        + target("c1.c", None, extra="milestones = [{date = 2021-06-30, value = 5}]")))
    codes = [(p.code, p.place.path) for p in checks.check(ledger, date(2022, 1, 1))]
    assert codes == [
        ("milestone-outside", "conventions[0].targets[0].milestones[0]"),
        ("milestone-order", "conventions[0].targets[0].milestones[2]"),
        ("milestone-order", "conventions[0].targets[0].milestones[3]"),
        ("target-period", "conventions[0].targets[1].end"),
        ("milestone-unquantified", "conventions[0].targets[2].milestones[0]"),
    ]


# ---- periods -----------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "kind", "fiscal", "name", "first"), [
    (date(2021, 5, 17), "month", 1, "2021-05", date(2021, 5, 1)),
    (date(2021, 5, 17), "quarter", 1, "2021-Q2", date(2021, 4, 1)),
    (date(2021, 5, 17), "year", 1, "2021", date(2021, 1, 1)),
    (date(2021, 8, 15), "quarter", 7, "2021-Q1", date(2021, 7, 1)),
    (date(2022, 2, 1), "quarter", 7, "2021-Q3", date(2022, 1, 1)),
    (date(2022, 6, 30), "year", 7, "2021", date(2021, 7, 1)),
    (date(2022, 1, 10), "quarter", 2, "2021-Q4", date(2021, 11, 1)),
])
def test_period_names(day, kind, fiscal, name, first):
    start = periods.period_start(day, kind, fiscal)
    assert start == first
    assert periods.period_name(start, kind, fiscal) == name


@given(st.dates(date(1990, 1, 1), date(2090, 12, 31)), st.sampled_from(periods.KINDS),
       st.integers(1, 12))
def test_period_names_read_back_by_locks(day, kind, fiscal):
    first = periods.period_start(day, kind, fiscal)
    last = periods.next_start(first, kind) - timedelta(days=1)
    assert first <= day <= last
    assert period_bounds(periods.period_name(first, kind, fiscal), fiscal) == (first, last)


def test_period_rows_increment_and_cumulative(tmp_path):
    ledger = load(small_ledger(
        tmp_path / "l.toml", targets=target("c1.a", 3650) + target("c1.s", 10, "cumulative"),
        journal=(progress("p1", "2021-02-10", "c1.a", 100) + progress("p2", "2021-03-05", "c1.a",
                                                                      50)
                 + progress("p3", "2021-08-01", "c1.a", 25)
                 + progress("s1", "2021-02-01", "c1.s", 3, 'province = "Fès"')
                 + progress("s2", "2021-03-01", "c1.s", 2, 'province = "Ifrane"')
                 + progress("s3", "2021-05-01", "c1.s", 5, 'province = "Fès"')
                 + progress("s4", "2021-08-01", "c1.s", 4, 'province = "Fès"'))))
    rows = periods.period_rows(ledger, date(2021, 8, 15), "quarter")
    got = [(r.target, r.period, r.value, r.cumulative, r.expected, r.partial) for r in rows]
    assert got == [
        ("c1.a", "2021-Q1", 150, 150, 900, False),
        ("c1.a", "2021-Q2", 0, 150, 1810, False),
        ("c1.a", "2021-Q3", 25, 175, 2270, True),  # counted up to 2021-08-15 (day 227)
        ("c1.s", "2021-Q1", 5, 5, 2, False),
        ("c1.s", "2021-Q2", 2, 7, 5, False),  # Fès 3 -> 5: +2
        ("c1.s", "2021-Q3", -1, 6, 6, True),  # Fès revised down to 4: -1
    ]
    assert rows[0].start == date(2021, 1, 1) and rows[0].end == date(2021, 3, 31)


def test_period_rows_start_at_the_first_entry_when_earlier(tmp_path):
    ledger = load(small_ledger(tmp_path / "l.toml", targets=target(
        "c1.a", 100, extra="start = 2021-03-01\nend = 2021-04-30"), journal=progress(
        "p1", "2021-01-20", "c1.a", 7)))
    rows = periods.period_rows(ledger, date(2021, 12, 31), "month")
    assert [(r.period, r.value, r.cumulative, r.expected) for r in rows] == [
        ("2021-01", 7, 7, 0), ("2021-02", 0, 7, 0), ("2021-03", 0, 7, 51),
        ("2021-04", 0, 7, 100)]


# ---- --period on the command line ----------------------------------------------------------


@pytest.fixture
def period_ledger(tmp_path):
    return small_ledger(tmp_path / "l.toml", targets=target("c1.a", 3650) + target("c1.b", 365),
                        journal=progress("p1", "2021-02-10", "c1.a", 100)
                        + progress("p2", "2021-05-05", "c1.b", 20))


def test_targets_period_json(emploi, period_ledger):
    result = emploi("targets", "-l", str(period_ledger), "--period", "quarter", "--as-of",
                    "2021-06-30", "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows[0] == {"target": "c1.a", "period": "2021-Q1", "start": "2021-01-01",
                       "end": "2021-03-31", "partial": False, "value": 100, "cumulative": 100,
                       "expected": 900}
    assert [(r["target"], r["period"], r["value"], r["cumulative"], r["expected"])
            for r in rows] == [("c1.a", "2021-Q1", 100, 100, 900),
                               ("c1.a", "2021-Q2", 0, 100, 1810),
                               ("c1.b", "2021-Q1", 0, 0, 90), ("c1.b", "2021-Q2", 20, 20, 181)]


def test_targets_period_table_and_csv(emploi, period_ledger):
    result = emploi("targets", "-l", str(period_ledger), "--period", "year", "--as-of",
                    "2021-06-30", "--lang", "fr", "-c", "c1")
    assert result.stdout == (
        "Réalisations par période\n"
        "Objectif  Période  Valeur  Cumul  Attendu\n"
        "c1.a      2021 *      100    100    1.810\n"
        "c1.b      2021 *       20     20      181\n"
        "\n* période en cours, comptée jusqu'au 30 juin 2021.\n")
    result = emploi("targets", "-l", str(period_ledger), "--period", "quarter", "--as-of",
                    "2021-05-01", "-f", "csv")
    assert result.stdout.splitlines() == [
        "target,period,start,end,partial,value,cumulative,expected",
        "c1.a,2021-Q1,2021-01-01,2021-03-31,false,100,100,900",
        "c1.a,2021-Q2,2021-04-01,2021-06-30,true,0,100,1210",
        "c1.b,2021-Q1,2021-01-01,2021-03-31,false,0,0,90",
        "c1.b,2021-Q2,2021-04-01,2021-06-30,true,0,0,121"]


def test_history_period_filters(emploi, period_ledger):
    result = emploi("history", "-l", str(period_ledger), "--period", "month", "-t", "c1.b",
                    "--since", "2021-04-01", "--as-of", "2021-06-30", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "target,period,start,end,partial,value,cumulative,expected",
        "c1.b,2021-04,2021-04-01,2021-04-30,false,0,0,120",
        "c1.b,2021-05,2021-05-01,2021-05-31,false,20,20,151",
        "c1.b,2021-06,2021-06-01,2021-06-30,false,0,20,181"]


def test_period_fiscal_year(emploi, tmp_path):
    path = small_ledger(tmp_path / "l.toml", start="2021-07-01", end="2022-06-30", fiscal=7,
                        targets=target("c1.a", 365), journal=progress("p1", "2021-08-01",
                                                                      "c1.a", 9))
    result = emploi("targets", "-l", str(path), "--period", "quarter", "--as-of", "2022-06-30",
                    "-f", "csv")
    assert [line.split(",")[1] for line in result.stdout.splitlines()[1:]] == [
        "2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4"]
    result = emploi("targets", "-l", str(path), "--period", "year", "--as-of", "2022-06-30",
                    "--lang", "en")
    assert "c1.a    FY 2021      9           9       365" in result.stdout


@pytest.mark.parametrize("args", [
    ("targets", "--period", "quarter", "--by", "indicator"),
    ("targets", "--period", "quarter", "--tag", "province"),
    ("history", "--period", "quarter", "--kind", "disbursement"),
    ("targets", "--period", "week"),
])
def test_period_usage_errors(emploi, period_ledger, args):
    result = emploi(*args, "-l", str(period_ledger))
    assert result.exit_code == 2
    assert result.stdout == ""

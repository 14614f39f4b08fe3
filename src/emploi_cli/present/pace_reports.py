"""Reports of pace: `status` (funding execution, pace of every target) and per-period rows.

Same shape as reports.py: computed rows shaped once into a `Report` that every format renders;
the json payloads are documented in docs/formats.md.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ..domain import pace, position
from ..domain.periods import PeriodRow
from . import i18n, reports
from .render import Column, PaceBar, Report, Table, bar

if TYPE_CHECKING:
    from ..domain import rollup

STATUS_LABELS = {"achieved": "achieved_status", "unquantified": "unquantified_status"}
STATUS_STYLES = (("missed", "bold red"), ("at-risk", "bold red"), ("behind", "yellow"),
                 ("on-track", "green"), ("awaiting-data", "dim"), ("not-started", "dim"),
                 ("achieved", "bold green"), ("met", "bold green"), ("unquantified", "dim"))


def status_label(state: str) -> str:
    """The i18n key of a status."""
    return STATUS_LABELS.get(state, state)


STATUS_LABEL_STYLES = tuple((status_label(s), style) for s, style in STATUS_STYLES)


# ---- status ------------------------------------------------------------------------------


def pace_row(p: pace.Pace, cost: pace.Cost) -> dict:
    """One target's pace and cost, as json writes it (docs/formats.md)."""
    t = p.target
    return {
        "id": t.id, "convention": t.convention, "indicator": t.indicator, "label": t.label,
        "unit": t.unit, "reporting": t.reporting, "status": p.status,
        "schedule": p.schedule.kind, "start": p.start, "end": p.end,
        "first_report": p.schedule.first_report_due,
        "target": p.quantity, "achieved": p.achieved, "expected": p.expected, "gap": p.gap,
        "shortfall": p.shortfall,
        "remaining": p.remaining, "progress": p.progress,
        "expected_progress": p.expected_progress, "rate_so_far": p.rate_so_far,
        "rate_needed": p.rate_needed, "projected": p.projected,
        "projected_completion": p.projected_completion,
        "cost_basis": cost.basis, "budget": cost.budget,
        "disbursed_attributed": cost.disbursed, "spent_attributed": cost.spent,
        "cost_per_result_disbursed": cost.per_result_disbursed,
        "cost_per_result_spent": cost.per_result_spent,
        "planned_cost_per_result": cost.planned_per_result,
    }


def _execution_row(line: position.FundingLine, record: str, name_key: str) -> dict:
    return {"record": record, "id": line.id, name_key: line.name, "amount": line.amount,
            "committed": line.flows.committed, "disbursed": line.flows.disbursed,
            "spent": line.flows.spent, "execution": line.execution, "status": line.status,
            "shortfall": line.shortfall}


def funding_data(f: position.Funding) -> tuple[dict, list[dict]]:
    """The json of funding execution, and its rows (total, conventions, funders)."""
    total = {"record": "total", "id": "", "amount": f.total_in_force,
             "committed": f.total_flows.committed, "disbursed": f.total_flows.disbursed,
             "spent": f.total_flows.spent, "execution": f.execution, "status": f.status,
             "shortfall": f.shortfall}
    conventions = [_execution_row(c, "convention", "title") for c in f.conventions]
    funders = [{**_execution_row(x, "funder", "name"), "estimated": x.estimated}
               for x in f.funders]
    data = {"total": f.total, "total_in_force": f.total_in_force,
            **{key: total[key] for key in ("committed", "disbursed", "spent", "execution",
                                           "status", "shortfall")}}
    data["conventions"] = [_strip(r) for r in conventions]
    data["funders"] = [_strip(r) for r in funders]
    return data, [total, *conventions, *funders]


def _strip(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "record"}


STATUS_CSV = (
    Column("record"), Column("id"), Column("title"), Column("name"), Column("label"),
    Column("status"),
    Column("amount", "money"), Column("committed", "money"), Column("disbursed", "money"),
    Column("spent", "money"), Column("execution", "percent"), Column("target", "int"),
    Column("achieved", "int"), Column("expected", "int"), Column("gap", "int"),
    Column("shortfall", "money"), Column("first_report", "date"),
    Column("progress", "percent"), Column("expected_progress", "percent"),
    Column("rate_so_far", "money"), Column("rate_needed", "money"),
    Column("projected", "int"), Column("projected_completion", "date"),
    Column("cost_basis"), Column("cost_per_result_disbursed", "money"),
    Column("cost_per_result_spent", "money"), Column("planned_cost_per_result", "money"),
    Column("year"), Column("convention"), Column("funder"), Column("planned", "money"))


def by_attention(lines: tuple[position.TargetLine, ...]) -> list[position.TargetLine]:
    """The targets, what needs attention first (pace.by_attention)."""
    return sorted(lines, key=lambda t: t.pace.attention)  # stable: ledger order breaks ties


def status(pos: position.Position, lang: str) -> Report:
    """`emploi status`: funding execution, then every target, what needs attention first."""
    as_of = pos.as_of
    rows = [pace_row(t.pace, t.cost) for t in by_attention(pos.targets)]
    funding, funding_rows = funding_data(pos.funding)
    counts = pos.counts
    years = [r for r in reports.year_rows(pos) if r["planned"] is not None]
    data = {"programme": {"id": pos.programme.id, "title": pos.programme.title},
            "as_of": as_of, "funding": funding, "counts": counts, "targets": rows,
            "years": years}
    csv_rows = [*funding_rows, *({"record": "target", **r} for r in rows),
                *({"record": "year", **r, "status": r["state"]} for r in years)]
    human_funding = [{**r, "bar": bar(r["execution"]),
                      "status_text": r["status"] and status_label(r["status"])}
                     for r in funding_rows]
    over = pos.funding.status is not None  # the end has passed: money is met or missed
    funding_table = Table("status_funding", (
        Column("record", "label", "record"), Column("id"), Column("amount", "money"),
        Column("committed", "money", drop=2), Column("disbursed", "money"),
        Column("spent", "money", drop=1), Column("execution", "percent"),
        *money_state_columns(over), Column("bar", "bar", drop=3)), tuple(human_funding))
    human_targets = [{
        **r, "status_text": status_label(r["status"]),
        "pace_bar": PaceBar(r["progress"], r["expected_progress"], r["status"]),
        "cost_per_result": r["cost_per_result_disbursed"] if r["cost_basis"]
        else i18n.label("not_attributable", lang)} for r in rows]
    target_table = Table("status_targets", (
        Column("status_text", "label", "status", STATUS_LABEL_STYLES),
        Column("id"), Column("achieved", "int"), Column("target", "int"),
        Column("progress", "percent"),
        Column("pace_bar", "pace_bar", "expected_marker", STATUS_STYLES, drop=10),
        Column("expected", "int"), Column("gap", "int", drop=4),
        *shortfall_columns(rows),
        Column("rate_so_far", "money", drop=8), Column("rate_needed", "money", drop=5),
        Column("projected", "int", drop=7), Column("projected_completion", "date", drop=6),
        Column("cost_per_result", "money", drop=9)), tuple(human_targets))
    summary = i18n.label("list_separator", lang).join(f"{n} {i18n.label(status_label(s), lang)}"
                        for s, n in counts.items() if n)
    behind = sorted({str(y.year) for y in reports.years_behind(pos)})
    notes = (i18n.label("as_of", lang, date=i18n.day(as_of, lang)) + (f" · {summary}" if summary
                                                                    else ""),
             i18n.label("pace_rule", lang), *state_notes(pos, lang), i18n.label("cost_note", lang),
             *((i18n.label("years_behind", lang, years=", ".join(behind)),) if behind else ()))
    tables = [funding_table, target_table]
    if years:
        table = reports.year_table(pos, lang)
        tables.append(table._replace(rows=tuple(r for r in table.rows
                                                if r["planned"] is not None)))
    return Report(data, Table("", STATUS_CSV, tuple(csv_rows)), tuple(tables), notes)


def money_state_columns(over: bool) -> tuple[Column, ...]:
    """Once the programme's end has passed: whether each amount was disbursed (met) or not
    (missed), and by how much it fell short. Before, nothing (the columns would be empty)."""
    if not over:
        return ()
    return (Column("status_text", "label", "status", STATUS_LABEL_STYLES),
            Column("shortfall", "money"))


def shortfall_columns(rows: list[dict]) -> tuple[Column, ...]:
    """What a missed target fell short by, when a target is missed."""
    return (Column("shortfall", "int"),) if any(r["status"] == "missed" for r in rows) else ()


def state_notes(pos: position.Position, lang: str) -> tuple[str, ...]:
    """The rule of the states the table shows beyond the pace rule: after the end (met,
    missed) and before the first report (awaiting data)."""
    states = {t.pace.status for t in pos.targets}
    notes = []
    if pos.funding.status is not None or states & {"met", "missed"}:
        notes.append(i18n.label("end_rule", lang))
    if "awaiting-data" in states:
        notes.append(i18n.label("awaiting_rule", lang))
    return tuple(notes)


# ---- periods -----------------------------------------------------------------------------

PERIOD_COLUMNS = (Column("target"), Column("period"), Column("start", "date"),
                  Column("end", "date"), Column("partial", "bool"), Column("value", "int"),
                  Column("cumulative", "int"), Column("expected", "int"))


def period_label(row: PeriodRow, kind: str, lang: str, fiscal_start: int = 1) -> str:
    """How people name a period: `2021-06`, `T2 2021` / `Q2 2021`, `2021` (or `FY 2021`)."""
    if kind == "quarter":
        year, quarter = row.period.split("-Q")
        return i18n.label("quarter_label", lang, q=quarter, year=year)
    if kind == "year" and fiscal_start != 1:
        return i18n.label("fiscal_year_label", lang, year=row.period)
    return row.period


def period_dict(row: PeriodRow) -> dict:
    return {"target": row.target, "period": row.period, "start": row.start, "end": row.end,
            "partial": row.partial, "value": row.value, "cumulative": row.cumulative,
            "expected": row.expected}


def periods(rows: list[PeriodRow], kind: str, as_of: date, lang: str,
            fiscal_start: int = 1) -> Report:
    """`targets --period` and `history --period`: one row per target and period."""
    data = [period_dict(r) for r in rows]
    human = [{**d, "period": period_label(r, kind, lang, fiscal_start)
              + (" *" if r.partial else "")} for d, r in zip(data, rows, strict=True)]
    columns = (Column("target", label="target_id"), Column("period"), Column("value", "int"),
               Column("cumulative", "int"), Column("expected", "int"))
    notes: tuple[str, ...] = ()
    if any(r.partial for r in rows):
        notes = (i18n.label("partial_note", lang, date=i18n.day(as_of, lang)),)
    if not rows:
        notes = (i18n.label("no_entries", lang),)
    return Report(data, Table("", PERIOD_COLUMNS, tuple(data)),
                  (Table("periods", columns, tuple(human)),), notes)


# ---- roll-up across programmes -------------------------------------------------------------


def counts_text(counts: dict[str, int], lang: str) -> str:
    return i18n.label("list_separator", lang).join(
        f"{n} {i18n.label(status_label(s), lang)}" for s, n in counts.items() if n)


def _indicator_pace_row(i: rollup.IndicatorPace) -> dict:
    return {"targets": list(i.targets), "target": i.quantity, "achieved": i.achieved,
            "expected": i.expected, "gap": i.gap, "remaining": i.remaining,
            "progress": i.progress, "expected_progress": i.expected_progress,
            "counts": dict(i.counts)}


def status_rollup(r: rollup.Rollup, lang: str) -> Report:
    """`emploi status` over several ledgers: each programme's status as with one ledger (ids
    qualified), then national funding execution and achievement by indicator."""
    from ..domain import rollup as ru
    from .reports import in_programme

    as_of = r.as_of
    items = ru.paces(r)
    parts = [(p, status(p.position, lang)) for p in r.programmes]
    money = r.money
    flows = {"committed": money.flows.committed, "disbursed": money.flows.disbursed,
             "spent": money.flows.spent}
    execution = money.execution
    by_programme = [{"programme": p.id, "total": p.funding.total,
                     "total_in_force": p.funding.total_in_force,
                     "committed": p.funding.total_flows.committed,
                     "disbursed": p.funding.total_flows.disbursed,
                     "spent": p.funding.total_flows.spent,
                     "execution": p.funding.execution, "status": p.funding.status,
                     "shortfall": p.funding.shortfall} for p, _ in parts]
    funding = {"currency": money.currency, "unit": money.unit, "total": money.total,
               "total_in_force": money.total_in_force, **flows, "execution": execution,
               "programmes": by_programme}
    everything = [x for p in r.programmes for x in items[p.id]]
    counts = {state: sum(x.status == state for x in everything) for state in pace.STATUSES}
    totals = ru.indicator_paces([(p.id, items[p.id]) for p in r.programmes])
    own = {p.id: {i.indicator: i for i in ru.indicator_paces([(p.id, items[p.id])])}
           for p in r.programmes}
    indicators = [{"indicator": i.indicator, "unit": i.unit, **_indicator_pace_row(i),
                   "programmes": [{"programme": pid, **_indicator_pace_row(own[pid][i.indicator])}
                                  for pid in i.programmes]} for i in totals]
    data = {"as_of": as_of, "programmes": [report.data for _, report in parts],
            "totals": {"funding": funding, "counts": counts, "indicators": indicators}}
    csv_rows = [{"programme": p.id, **row} for p, report in parts for row in report.csv.rows]
    csv_rows.append({"record": "total", "programme": "", "amount": money.total_in_force,
                     **flows, "execution": execution})
    csv_rows += [{"record": "indicator", "programme": "", "id": i["indicator"],
                  **{k: i[k] for k in ("target", "achieved", "expected", "gap", "progress",
                                       "expected_progress", "unit")}} for i in indicators]
    national_funding = [{**row, "id": row["programme"], "amount": row["total_in_force"],
                         "bar": bar(row["execution"])} for row in by_programme]
    national_funding.append({"id": i18n.label("national_total", lang),
                             "amount": money.total_in_force, **flows, "execution": execution,
                             "bar": bar(execution)})
    funding_table = Table("national_funding", (
        Column("id", label="programme"), Column("amount", "money"),
        Column("committed", "money", drop=2), Column("disbursed", "money"),
        Column("spent", "money", drop=1), Column("execution", "percent"),
        Column("bar", "bar", drop=3)), tuple(national_funding))
    human = tuple({**i, "pace_bar": PaceBar(i["progress"], i["expected_progress"]),
                   "statuses": counts_text(i["counts"], lang)} for i in indicators)
    indicator_table = Table("national_status", (
        Column("indicator"), Column("achieved", "int"), Column("target", "int"),
        Column("unit", drop=5), Column("progress", "percent"),
        Column("pace_bar", "pace_bar", "expected_marker", STATUS_STYLES, drop=10),
        Column("expected", "int"), Column("gap", "int", drop=4),
        Column("statuses", label="status", drop=6)), human)
    sections = tuple(in_programme(t, p.id, lang) for p, report in parts
                     for t in report.sections)
    summary = counts_text(counts, lang)
    notes = (i18n.label("as_of", lang, date=i18n.day(as_of, lang)) + (f" · {summary}" if summary
                                                                    else ""),
             i18n.label("pace_rule", lang), i18n.label("cost_note", lang),
             i18n.label("rollup_note", lang, n=len(parts)))
    columns = (Column("programme"), *STATUS_CSV, Column("unit"))
    return Report(data, Table("", columns, tuple(csv_rows)),
                  (*sections, funding_table, indicator_table), notes)

"""`emploi report`: the document to send, built once from the ledger, rendered as md or html.

`build` is pure: it computes every figure and shapes the document as sections of blocks (facts,
paragraphs, tables, charts). Texts are plain and already in the report's language; the renderers
(report_md.py, report_html.py) escape them. Charts carry the data they draw; in md the table
beside each chart gives the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import PurePath
from typing import TYPE_CHECKING

from ..domain import model as m
from ..domain import pace, periods, position
from . import i18n, pace_reports, reports
from .render import Column, PaceBar, Table, human_text

if TYPE_CHECKING:
    from ..domain import rollup


@dataclass(frozen=True)
class Produced:
    """When and from what the report was produced."""

    generated_at: datetime | date
    ledger: str
    sha256: str
    entries: int
    version: str


@dataclass(frozen=True)
class Facts:
    items: tuple[tuple[str, str], ...]  # (label, value), plain text


@dataclass(frozen=True)
class Paragraph:
    text: str
    role: str = ""  # "note", "status-line" or "" (a hint for html)


@dataclass(frozen=True)
class BarGroup:
    label: str  # short (an id)
    name: str  # long (title or name)
    values: tuple[Decimal | None, ...]  # one per series; None: not stated
    unnamed: bool = False  # the part with no named funder: drawn apart from the funders


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    series: tuple[tuple[str, str], ...]  # (key, label)
    groups: tuple[BarGroup, ...]
    unit: str = "MDH"


@dataclass(frozen=True)
class LineChart:
    """A target's running total (steps) against its expected line, over its schedule."""

    id: str
    title: str
    description: str
    unit: str
    first: date  # the chart starts at the end of the day before this one
    last: date
    as_of: date
    expected: tuple[tuple[date, int], ...]  # corners, each at the end of its day
    achieved: tuple[tuple[date, int], ...]  # running total after each day with entries
    quantity: int | None


Block = Facts | Paragraph | Table | BarChart | LineChart


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: tuple[Block | Section, ...]
    level: int = 2


@dataclass(frozen=True)
class Document:
    lang: str
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    produced: Produced
    labels: dict = field(default_factory=dict)  # chart legends etc., in the language


# ---- building ----------------------------------------------------------------------------


def _labeler(lang: str):
    """`t("key", **values)`: the label in the document's language."""
    def t(key: str, **values: object) -> str:
        return i18n.label(key, lang, **values)
    return t


def _mdh(value: Decimal | None, lang: str) -> str:
    return i18n.label("not_stated", lang) if value is None else (
        f"{i18n.money(value, lang)} {i18n.label('mdh', lang)}")


def _day_text(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value.isoformat()


def build(pos: position.Position, lang: str, *, problems: list[m.Problem],
          produced: Produced) -> Document:
    """The report of one programme: every figure from its position on the as-of date."""
    t = _labeler(lang)
    p, as_of = pos.programme, pos.as_of
    sections = (
        _programme(pos, lang),
        _funding(pos, lang),
        _targets(pos, lang),
        _quarters(pos, lang),
        _problems(problems, lang),
        _produced(produced, as_of, lang),
    )
    labels = {"expected": t("expected_line"), "achieved": t("achieved_line"),
              "as_of": t("as_of_marker", date=i18n.day(as_of, lang)), "contents": t("contents"),
              "report": t("report_title")}
    return Document(lang, p.title, _subtitle(as_of, produced.generated_at, lang), sections,
                    produced, labels)


def _subtitle(as_of: date, generated_at: date | datetime, lang: str) -> str:
    """`Progress report · Position as of <as-of> · Produced <day>`: the date the figures
    stand at and the day the report was made, never one for the other (dates in prose)."""
    t = _labeler(lang)
    day = generated_at.date() if isinstance(generated_at, datetime) else generated_at
    return (f"{t('report_title')} · {t('report_as_of')} {i18n.day(as_of, lang)} · "
            f"{t('generated_at')} {i18n.day(day, lang)}")


def _programme(pos: position.Position, lang: str) -> Section:
    ledger, p = pos.ledger, pos.programme
    t = _labeler(lang)
    period = f"{i18n.day(p.start, lang)} {t('to')} {i18n.day(pos.end, lang)}"
    if pos.end != p.end:
        period += f" ({t('amended_from', value=i18n.day(p.end, lang))})"
    total = _mdh(pos.funding.total_in_force, lang)
    if pos.funding.total_in_force != p.total:
        total += f" ({t('amended_from', value=_mdh(p.total, lang))})"
    items = [(t("region"), p.region), (t("framework"), p.framework),
             (t("programme_period"), period), (t("programme_total"), total)]
    partners = "; ".join(f"{x.name} ({x.full_name})" if x.full_name else x.name
                         for x in ledger.partners)
    if partners:
        items.append((t("partners"), partners))
    sources = "; ".join(_citation(s) for s in ledger.sources)
    if sources:
        items.append((t("sources"), sources))
    signed = t("list_separator").join(x for x in (p.signed_place, i18n.day(p.signed_date, lang)
                                   if p.signed_date else "", p.signed_note) if x)
    if signed:
        items.append((t("signed"), signed))
    return Section("programme", t("programme"),
                   (Facts(tuple((k, v) for k, v in items if v)),))


FLOW = (Column("committed", "money"), Column("disbursed", "money"), Column("spent", "money"),
        Column("execution", "percent"))


def _citation(source: m.Source) -> str:
    """A source as a reader finds it: title (kind, publisher, date, url), what is known."""
    known = [x for x in (source.kind, source.publisher,
                         source.date.isoformat() if source.date else "", source.url) if x]
    return f"{source.title} ({', '.join(known)})" if known else source.title


def _funding(pos: position.Position, lang: str) -> Section:
    f = pos.funding
    t = _labeler(lang)
    series = (("amount", t("amount_short")), ("committed", t("committed")),
              ("disbursed", t("disbursed")), ("spent", t("spent")))

    def flows(line: position.FundingLine) -> dict:
        return {"committed": line.flows.committed, "disbursed": line.flows.disbursed,
                "spent": line.flows.spent, "execution": line.execution,
                "status_text": line.status and pace_reports.status_label(line.status),
                "shortfall": line.shortfall}
    conventions = tuple({"id": c.id, "title": c.name, "amount": c.amount, "share": c.share,
                         **flows(c)} for c in f.conventions)
    total_row = {"id": "", "title": t("total"), "amount": f.total_in_force,
                 "share": f.conventions_share,
                 "committed": f.total_flows.committed, "disbursed": f.total_flows.disbursed,
                 "spent": f.total_flows.spent, "execution": f.execution,
                 "status_text": f.status and pace_reports.status_label(f.status),
                 "shortfall": f.shortfall}
    funders = tuple({"id": x.id, "name": x.name, "amount": x.amount, "share": x.share,
                     "estimated": x.estimated, **flows(x)} for x in f.funders)
    bounded = reports.bounded
    unattributed = {"id": "", "name": t("unattributed"), "short": t("unattributed_short"),
                    "unnamed": True, "amount": f.unattributed,
                    "share": f.unattributed_share, "estimated": None,
                    "committed": f.unattributed_flows.committed,
                    "disbursed": f.unattributed_flows.disbursed,
                    "spent": f.unattributed_flows.spent, "execution": None}
    states = pace_reports.money_state_columns(f.status is not None)
    convention_table = Table("funding_by_convention", (
        Column("id"), Column("title"), Column("amount", "money"), Column("share", "percent"),
        *FLOW, *states), (*conventions, total_row))
    funder_table = Table("funding_by_funder", (
        Column("id"), Column("name"), Column("amount", "money"), Column("share", "percent"),
        Column("estimated", "bool"), *FLOW, *states), (
            *({**x, "amount": bounded(x["amount"], lang, at_least=line.at_least)}
              for x, line in zip(funders, f.funders, strict=True)),
            {**unattributed, "amount": bounded(f.unattributed, lang,
                                               at_most=f.unattributed_at_most)}))

    def chart(ident: str, what: str, rows: tuple[dict, ...], name_key: str) -> BarChart:
        groups = tuple(BarGroup(r.get("short") or r["id"], r[name_key],
                                tuple(r[k] for k, _ in series), r.get("unnamed", False))
                       for r in rows)
        title = t(f"funding_by_{what}")
        return BarChart(ident, title, t("chart_funding_desc", what=t(f"{what}_word")) + " "
                        + _bars_summary(groups, series, lang), series, groups)
    blocks: list[Block] = [convention_table,
                           chart("chart-funding-conventions", "convention", conventions,
                                 "title"),
                           funder_table,
                           chart("chart-funding-funders", "funder", (*funders, unattributed),
                                 "name")]
    if any(split.funding for split in f.split):
        blocks.append(Table("split", reports.SPLIT_COLUMNS,
                            tuple(reports.split_rows(f, lang))))
    if any(y.planned is not None for y in pos.years):
        table = reports.year_table(pos, lang)
        blocks.append(table._replace(rows=tuple(r for r in table.rows
                                                if r["planned"] is not None)))
    blocks += [Paragraph(note, "note") for note in reports.disagreement_notes(pos, lang)]
    if not f.total_matches:
        blocks.insert(0, Paragraph(
            f"{t('stated_total')} {_mdh(f.total, lang)} · {t('conventions_total')} "
            f"{_mdh(f.conventions_total, lang)}: {t('differs')}", "note"))
    return Section("funding", t("summary"), tuple(blocks))


def _bars_summary(groups: tuple[BarGroup, ...], series: tuple[tuple[str, str], ...],
                  lang: str) -> str:
    parts = []
    for g in groups:
        values = i18n.label("list_separator", lang).join(
            f"{label} {human_text(v, 'money', lang)}"
            for (_, label), v in zip(series, g.values, strict=True))
        parts.append(f"{g.label}: {values}")
    return "; ".join(parts) + "."


def _targets(pos: position.Position, lang: str) -> Section:
    t = _labeler(lang)
    rows = []
    for line in pace_reports.by_attention(pos.targets):
        p = line.pace
        row = pace_reports.pace_row(p, line.cost)
        row["status_text"] = pace_reports.status_label(p.status)
        row["bar"] = PaceBar(p.progress, p.expected_progress, p.status)
        row["schedule_text"] = p.schedule.kind
        row["basis_text"] = (f"basis_{row['cost_basis']}" if row["cost_basis"]
                             else "not_attributable")
        rows.append(row)
    status_table = Table("status_targets", (
        Column("status_text", "label", "status", pace_reports.STATUS_LABEL_STYLES),
        Column("id"), Column("label"), Column("achieved", "int"), Column("target", "int"),
        Column("bar", "pace_bar", "progress"), Column("expected", "int"), Column("gap", "int"),
        *pace_reports.shortfall_columns(rows)), tuple(rows))
    pace_table = Table("pace", (
        Column("id"), Column("schedule_text", "label", "schedule"), Column("start", "date"),
        Column("end", "date"),
        Column("rate_so_far", "money"), Column("rate_needed", "money"),
        Column("projected", "int"), Column("projected_completion", "date")), tuple(rows))
    cost_table = Table("costs", (
        Column("id"), Column("basis_text", "label", "cost_basis"), Column("budget", "money"),
        Column("disbursed_attributed", "money", "disbursed_mdh"),
        Column("spent_attributed", "money", "spent_mdh"), Column("achieved", "int"),
        Column("cost_per_result_disbursed", "money"), Column("cost_per_result_spent", "money"),
        Column("planned_cost_per_result", "money")), tuple(rows))
    notes = tuple(Paragraph(text, "note") for text in pace_reports.state_notes(pos, lang))
    return Section("targets", t("targets"), (
        status_table, Paragraph(t("pace_rule"), "note"), *notes, pace_table, cost_table,
        Paragraph(t("cost_note"), "note")))


def _quarters(pos: position.Position, lang: str) -> Section:
    t = _labeler(lang)
    ledger, as_of = pos.ledger, pos.as_of
    fiscal = ledger.programme.fiscal_year_start
    items = pos.paces
    rows = periods.period_rows(ledger, as_of, "quarter",
                               schedules={p.target.id: p.schedule for p in items})
    entries = position.progress_entries(ledger, as_of)
    subsections = []
    for p in items:
        target = p.target
        mine = [r for r in rows if r.target == target.id]
        table_rows = tuple({
            "period": pace_reports.period_label(r, "quarter", lang, fiscal)
            + (" *" if r.partial else ""), "value": r.value, "cumulative": r.cumulative,
            "expected": r.expected,
            "gap": None if r.expected is None else r.cumulative - r.expected} for r in mine)
        table = Table("", (Column("period"), Column("value", "int"),
                           Column("cumulative", "int"), Column("expected", "int"),
                           Column("gap", "int")), table_rows)
        points = periods.running_totals(target, entries.get(target.id, []))
        sched = p.schedule
        first = min([sched.start, *(d for d, _ in points[:1])])
        last = max([sched.end, *(d for d, _ in points[-1:])])
        expected: tuple[tuple[date, int], ...] = ()
        if p.quantity is not None:
            corners = [(sched.start + timedelta(days=x - 1), y) for x, y in sched.points()]
            if first < sched.start:
                corners.insert(0, (first - timedelta(days=1), 0))
            if last > sched.end:
                corners.append((last, p.quantity))
            expected = tuple(corners)
        figures = {"achieved": i18n.number(p.achieved, lang), "unit": target.unit,
                   "date": i18n.day(as_of, lang),
                   "status": t(pace_reports.status_label(p.status))}
        if p.quantity is None:
            description = t("chart_target_desc_unquantified", **figures)
            line = t("target_line_unquantified", **figures)
        else:
            figures.update(expected=i18n.number(p.expected or 0, lang),
                           target=i18n.number(p.quantity, lang), end=i18n.day(sched.end, lang),
                           progress=human_text(p.progress, "percent", lang),
                           schedule=t(sched.kind))
            description = t("chart_target_desc", **figures)
            line = t("target_line", **figures)
        chart = LineChart(f"chart-{_slug(target.id)}", t("chart_target_title", target=target.id),
                          description, target.unit, first, last, as_of, expected,
                          tuple(points), p.quantity)
        subsections.append(Section(f"q-{_slug(target.id)}", f"{target.id} — {target.label}",
                                   (Paragraph(line, "status-line"), chart, table), 3))
    note = (Paragraph(t("partial_note", date=i18n.day(as_of, lang)), "note"),) if any(
        r.partial for r in rows) else ()
    return Section("quarters", t("quarters"), (*note, *subsections))


def _slug(ident: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in ident)


def _problems(found: list[m.Problem], lang: str) -> Section:
    from .reports import place_text

    t = _labeler(lang)
    if not found:
        return Section("problems", t("problems"), (Paragraph(t("no_problems")),))
    errors = sum(p.is_error for p in found)
    rows = tuple({"severity": p.severity, "place": place_text(_file_name_only(p)),
                  "code": p.code, "message": i18n.problem_text(p, lang)} for p in found)
    return Section("problems", t("problems"), (
        Paragraph(t("n_problems", errors=errors, warnings=len(found) - errors)),
        Table("", (Column("severity", "label", "severity"), Column("place"), Column("code"),
                   Column("message")), rows)))


def _file_name_only(problem: m.Problem) -> m.Problem:
    """A problem placed by the ledger's file name: a report goes out, its folder stays in."""
    return problem._replace(place=problem.place._replace(file=PurePath(problem.place.file).name))


def _produced(produced: Produced, as_of: date, lang: str) -> Section:
    t = _labeler(lang)
    return Section("produced", t("produced"), (Facts((
        (t("generated_at"), _day_text(produced.generated_at)),
        (t("produced_by"), f"emploi {produced.version}"),
        (t("report_as_of"), as_of.isoformat()),
        (t("ledger"), produced.ledger),
        (t("ledger_sha256"), produced.sha256),
        (t("entries"), i18n.number(produced.entries, lang)),
    )),))


# ---- roll-up across programmes -------------------------------------------------------------
# Several ledgers: a national section first, then one section per programme holding that
# programme's report (its sections one level down, their ids prefixed with the programme's),
# then one "produced" section listing every ledger.


def build_rollup(r: rollup.Rollup, lang: str, *, problems: list[list[m.Problem]],
                 produced: list[Produced]) -> Document:
    """The report over several ledgers; `problems` and `produced` are per programme, in order."""
    from ..domain.rollup import paces

    t = _labeler(lang)
    items = paces(r)
    sections: list[Section] = [_national(r, items, lang)]
    for p, found, made in zip(r.programmes, problems, produced, strict=True):
        doc = build(p.position, lang, problems=found, produced=made)
        prefix = f"p-{_slug(p.id)}"
        inner = tuple(_nested(s, prefix, f"{p.id}:") for s in doc.sections
                      if s.id != "produced")
        sections.append(Section(prefix, f"{p.id} — {p.ledger.programme.title}", inner))
    sections.append(_produced_rollup(r, produced, lang))
    labels = {"expected": t("expected_line"), "achieved": t("achieved_line"),
              "as_of": t("as_of_marker", date=i18n.day(r.as_of, lang)),
              "contents": t("contents"), "report": t("report_title")}
    subtitle = _subtitle(r.as_of, produced[0].generated_at, lang)
    overall = Produced(produced[0].generated_at, ", ".join(x.ledger for x in produced), "",
                       sum(x.entries for x in produced), produced[0].version)
    return Document(lang, t("rollup_title"), subtitle, tuple(sections), overall, labels)


def _nested(s: Section, prefix: str, qualifier: str) -> Section:
    """A programme's section inside the roll-up: one level down, ids prefixed; bar labels
    (short, under the programme's heading) without the `programme:` qualifier."""
    blocks: list[Block | Section] = []
    for b in s.blocks:
        if isinstance(b, Section):
            blocks.append(_nested(b, prefix, qualifier))
        elif isinstance(b, BarChart):
            groups = tuple(replace(g, label=g.label.removeprefix(qualifier)) for g in b.groups)
            blocks.append(replace(b, id=f"{prefix}-{b.id}", groups=groups))
        elif isinstance(b, LineChart):
            blocks.append(replace(b, id=f"{prefix}-{b.id}"))
        else:
            blocks.append(b)
    return Section(f"{prefix}-{s.id}", s.title, tuple(blocks), s.level + 1)


def _national(r: rollup.Rollup, items: dict[str, list[pace.Pace]], lang: str) -> Section:
    from ..domain.rollup import indicator_paces
    from .pace_reports import counts_text

    t = _labeler(lang)
    money = r.money
    rows = [{"id": p.id, "title": p.ledger.programme.title,
             "amount": p.funding.total_in_force, "share": money.share(p.funding.total_in_force),
             "committed": p.funding.total_flows.committed,
             "disbursed": p.funding.total_flows.disbursed,
             "spent": p.funding.total_flows.spent, "execution": p.funding.execution}
            for p in r.programmes]
    total = {"id": "", "title": t("national_total"), "amount": money.total_in_force,
             "share": money.share(money.total_in_force),
             "committed": money.flows.committed, "disbursed": money.flows.disbursed,
             "spent": money.flows.spent, "execution": money.execution}
    funding = Table("national_funding", (
        Column("id", label="programme"), Column("title"), Column("amount", "money"),
        Column("share", "percent"), *FLOW), (*rows, total))
    series = (("amount", t("amount_short")), ("committed", t("committed")),
              ("disbursed", t("disbursed")), ("spent", t("spent")))
    groups = tuple(BarGroup(row["id"], row["title"], tuple(row[k] for k, _ in series))
                   for row in rows)
    chart = BarChart("chart-funding-programmes", t("national_funding"),
                     t("chart_funding_desc", what=t("programme_word")) + " "
                     + _bars_summary(groups, series, lang), series, groups)
    indicators = tuple({
        "indicator": i.indicator, "unit": i.unit, "achieved": i.achieved, "target": i.quantity,
        "bar": PaceBar(i.progress, i.expected_progress), "expected": i.expected, "gap": i.gap,
        "statuses": counts_text(i.counts, lang)}
        for i in indicator_paces([(p.id, items[p.id]) for p in r.programmes]))
    status = Table("national_status", (
        Column("indicator"), Column("achieved", "int"), Column("target", "int"),
        Column("unit"), Column("bar", "pace_bar", "progress"), Column("expected", "int"),
        Column("gap", "int"), Column("statuses", label="status")), indicators)
    facts = Facts(((t("programmes"), ", ".join(p.id for p in r.programmes)),
                   (t("programme_total"), _mdh(money.total_in_force, lang))))
    return Section("national", t("national"), (facts, funding, chart, status,
                                               Paragraph(t("pace_rule"), "note")))


def _produced_rollup(r: rollup.Rollup, produced: list[Produced], lang: str) -> Section:
    t = _labeler(lang)
    first = produced[0]
    rows = tuple({"id": p.id, "ledger": x.ledger, "sha256": x.sha256,
                  "entries": x.entries} for p, x in zip(r.programmes, produced, strict=True))
    return Section("produced", t("produced"), (
        Facts(((t("generated_at"), _day_text(first.generated_at)),
               (t("produced_by"), f"emploi {first.version}"),
               (t("report_as_of"), r.as_of.isoformat()))),
        Table("rollup_ledgers", (Column("id", label="programme"), Column("ledger"),
                                 Column("sha256", label="ledger_sha256"),
                                 Column("entries", "int")), rows)))

"""Reports: computed figures shaped once into a `Report` that every format renders.

The json payloads here are the documented machine formats (docs/formats.md): keys are stable,
money is exact, ids are as in the ledger, `null` marks what the ledger does not state.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from ..domain import model as m
from ..domain import position
from . import i18n
from .render import Column, Report, Table, bar

if TYPE_CHECKING:
    from ..domain import rollup

# ---- summary -----------------------------------------------------------------------------

FLOW_COLUMNS = (Column("committed", "money", drop=5), Column("disbursed", "money"),
                Column("spent", "money", drop=6), Column("execution", "percent"))


def _flows(line: position.FundingLine | None, flows: position.Flows) -> dict:
    return {"committed": flows.committed, "disbursed": flows.disbursed, "spent": flows.spent,
            "execution": line.execution if line else None}


def bounded(amount, lang: str, *, at_least: bool = False, at_most: bool = False):
    """An amount as a table shows it: `> 200.00` for a floor, `≤ 374.80` for a ceiling."""
    if amount is None or not (at_least or at_most):
        return amount
    return i18n.label("at_least_value" if at_least else "at_most_value", lang,
                      value=i18n.money(amount, lang))


def _plan(plan) -> list[dict]:
    return [{"year": t.year, "amount": t.amount} for t in plan]


def _alternatives(alternatives) -> list[dict]:
    return [{"amount": a.amount, "source": a.source} if a.quantity is None
            else {"quantity": a.quantity, "source": a.source} for a in alternatives]


def disagreement_rows(pos: position.Position) -> list[dict]:
    """Figures two sources give differently, as json lists them."""
    return [{"kind": d.kind, "id": d.id, "field": d.field, "value": d.value,
             "source": d.source or None, "other": d.other, "other_source": d.other_source}
            for d in pos.disagreements]


def disagreement_notes(pos: position.Position, lang: str) -> tuple[str, ...]:
    """One line per figure two sources give differently, for under the tables."""
    def figure(value) -> str:
        if value is None:
            return i18n.label("not_stated", lang)
        return (f"{i18n.money(value, lang)} MDH" if isinstance(value, Decimal)
                else i18n.number(value, lang))
    return tuple(i18n.label(
        "disagreement", lang, kind=i18n.label(f"{d.kind}_word", lang), id=d.id,
        field=i18n.label(f"field_{d.field}", lang), value=figure(d.value),
        source=d.source or i18n.label("unnamed_source", lang), other=figure(d.other),
        other_source=d.other_source) for d in pos.disagreements)


def _split_data(f: position.Funding) -> dict[str, dict]:
    """conventions[].funding, .unsplit, .unattributed as json gives them, by convention id."""
    result = {}
    for split in f.split:
        result[split.convention] = {
            "funding": [{"funder": s.funder, "amount": s.amount,
                         "original_amount": s.original_amount, "at_least": s.at_least,
                         "estimated": s.estimated, "source": s.source or None,
                         "plan": _plan(s.plan),
                         "committed": s.flows.committed, "disbursed": s.flows.disbursed,
                         "spent": s.flows.spent} for s in split.funding],
            "unsplit": [{"funder": u.funder, "amount": u.amount, "at_least": u.at_least,
                         "estimated": u.estimated, "conventions": list(u.conventions)}
                        for u in split.unsplit],
            "unattributed": split.unattributed,
            "unattributed_at_most": split.unattributed_at_most,
        }
    return result


def split_rows(f: position.Funding, lang: str) -> list[dict]:
    """The table a convention is read by: each funder's contribution, the money not split
    among conventions that may go to it, and the part with no named funder."""
    rows = []
    for split in f.split:
        for s in split.funding:
            rows.append({"convention": split.convention, "part": i18n.label(
                "contribution_part", lang), "funder": s.funder,
                "amount": bounded(s.amount, lang, at_least=s.at_least),
                "estimated": s.estimated, "source": s.source})
        for u in split.unsplit:
            rows.append({"convention": split.convention, "part": i18n.label(
                "unsplit_part", lang, conventions=", ".join(u.conventions)),
                "funder": u.funder, "amount": bounded(u.amount, lang, at_least=u.at_least),
                "estimated": u.estimated, "source": ""})
        rows.append({"convention": split.convention,
                     "part": i18n.label("unattributed_part", lang), "funder": "",
                     "amount": bounded(split.unattributed, lang,
                                       at_most=split.unattributed_at_most),
                     "estimated": None, "source": ""})
    return rows


SPLIT_COLUMNS = (Column("convention"), Column("part"), Column("funder"),
                 Column("amount", "money"), Column("estimated", "bool", drop=2),
                 Column("source", drop=1))
PAIR_COLUMNS = (Column("funder"), Column("convention"), Column("contribution", "money"),
                Column("committed", "money"), Column("disbursed", "money"),
                Column("spent", "money"))


def summary(pos: position.Position, lang: str, by: str = "convention") -> Report:
    """`emploi summary`: the money of the position (`by="year"`: the plan against the flows
    per fiscal year)."""
    if by == "year":
        return summary_by_year(pos, lang)
    f, as_of = pos.funding, pos.as_of
    p = pos.programme
    split = _split_data(f)
    plans = {c.id: c for c in pos.ledger.conventions}
    conventions = [{"id": c.id, "title": c.name, "amount": c.amount,
                    "original_amount": c.original_amount, "share": c.share,
                    **_flows(c, c.flows), **split[c.id],
                    "plan": _plan(pos.plans[c.id]),
                    "alternatives": _alternatives(plans[c.id].alternatives)}
                   for c in f.conventions]
    unsplit = {u.funder: u.amount for u in f.unsplit}
    pairs = [{"funder": x.funder, "convention": x.convention, "contribution": x.contribution,
              "committed": x.flows.committed, "disbursed": x.flows.disbursed,
              "spent": x.flows.spent} for x in f.funder_conventions]
    funders = [{"id": x.id, "name": x.name, "amount": x.amount,
                "original_amount": x.original_amount, "share": x.share,
                "estimated": x.estimated, "conventions": list(x.conventions),
                **_flows(x, x.flows), "at_least": x.at_least, "source": x.source or None,
                "unsplit": unsplit.get(x.id),
                "by_convention": [{k: v for k, v in r.items() if k != "funder"}
                                  for r in pairs if r["funder"] == x.id],
                "alternatives": _alternatives(x.alternatives)} for x in f.funders]
    data = {
        "programme": {"id": p.id, "title": p.title, "currency": p.currency, "unit": p.unit},
        "as_of": as_of,
        "total": f.total,
        "total_in_force": f.total_in_force,
        "conventions_total": f.conventions_total,
        "total_matches": f.total_matches,
        "conventions": conventions,
        "funders": funders,
        "unattributed": f.unattributed,
        "unattributed_at_most": f.unattributed_at_most,
        "original_unattributed": f.original_unattributed,
        "unattributed_flows": {"committed": f.unattributed_flows.committed,
                               "disbursed": f.unattributed_flows.disbursed,
                               "spent": f.unattributed_flows.spent},
        "alternatives": disagreement_rows(pos),
    }
    unattributed_row = {"record": "unattributed", "id": "", "name": i18n.label(
        "unattributed", lang), "amount": f.unattributed, "at_most": f.unattributed_at_most,
        "original_amount": f.original_unattributed, "share": f.unattributed_share,
        **_flows(None, f.unattributed_flows)}
    csv_rows = [
        {"record": "total", "amount": f.total_in_force, "original_amount": f.total,
         **_flows(None, f.total_flows)},
        {"record": "conventions_total", "amount": f.conventions_total},
        *({"record": "convention", **c} for c in conventions),
        *({"record": "funder", **x} for x in funders),
        {**unattributed_row, "name": ""},
        *({"record": "contribution", "convention": c["id"], **s, "source": s["source"]}
          for c in conventions for s in c["funding"]),
        *({"record": "unsplit", "funder": u.funder, "convention": ";".join(u.conventions),
           "amount": u.amount, "at_least": u.at_least, "estimated": u.estimated}
          for u in f.unsplit),
        *({"record": "convention_unattributed", "convention": c["id"],
           "amount": c["unattributed"], "at_most": c["unattributed_at_most"]}
          for c in conventions),
        *({"record": "funder_convention", **r, "amount": r["contribution"]} for r in pairs),
    ]
    csv_columns = (Column("record"), Column("id"), Column("title"), Column("name"),
                   Column("amount", "money"), Column("original_amount", "money"),
                   Column("share", "percent"),
                   Column("estimated", "bool"), *FLOW_COLUMNS, Column("convention"),
                   Column("funder"), Column("at_least", "bool"), Column("at_most", "bool"),
                   Column("source"))
    amended = any(c["amount"] != c["original_amount"] for c in conventions + funders)
    original = (Column("original_amount", "money", drop=3),) if amended else ()
    in_force = ({"item": i18n.label("total_in_force", lang), "amount": f.total_in_force,
                 "state": ""},) if f.total_in_force != f.total else ()
    totals = Table("totals", (Column("item", label="item"), Column("amount", "money"),
                              Column("state", label="check")), (
        {"item": i18n.label("stated_total", lang), "amount": f.total, "state": ""},
        *in_force,
        {"item": i18n.label("conventions_total", lang), "amount": f.conventions_total,
         "state": i18n.label("matches" if f.total_matches else "differs", lang)},
    ))
    convention_table = Table("conventions", (
        Column("id"), Column("title", drop=1), *original, Column("amount", "money"),
        Column("share", "percent", drop=4), *FLOW_COLUMNS), tuple(conventions))
    funder_table = Table("funders", (
        Column("id"), Column("name"), *original, Column("amount", "money"),
        Column("share", "percent", drop=4), Column("estimated", "bool"),
        *FLOW_COLUMNS),
        (*({**x, "amount": bounded(x["amount"], lang, at_least=x["at_least"])}
           for x in funders),
         {**unattributed_row, "amount": bounded(f.unattributed, lang,
                                                at_most=f.unattributed_at_most)}))
    tables = [totals, convention_table, funder_table]
    if f.funders:
        tables.append(Table("split", SPLIT_COLUMNS, tuple(split_rows(f, lang))))
    if pairs:
        tables.append(Table("funder_conventions", PAIR_COLUMNS, tuple(pairs)))
    notes = (i18n.label("as_of", lang, date=i18n.day(as_of, lang)),
             *disagreement_notes(pos, lang))
    return Report(data, Table("", csv_columns, tuple(csv_rows)), tuple(tables), notes)


YEAR_COLUMNS = (Column("year"), Column("convention"), Column("funder", drop=3),
                Column("planned", "money"), Column("committed", "money", drop=2),
                Column("disbursed", "money"), Column("spent", "money", drop=1),
                Column("execution", "percent"), Column("state", "label", "plan_state"))


def year_rows(pos: position.Position) -> list[dict]:
    """The plan against the flows per fiscal year, as json gives it."""
    return [{"year": y.year, "start": y.first, "end": y.last,
             "convention": y.convention or None, "funder": y.funder or None,
             "planned": y.planned, "committed": y.flows.committed,
             "disbursed": y.flows.disbursed, "spent": y.flows.spent,
             "execution": y.execution, "state": y.state or None} for y in pos.years]


def year_table(pos: position.Position, lang: str) -> Table:
    rows = [{**r, "convention": r["convention"] or i18n.label("programme_word", lang),
             "funder": r["funder"] or "", "state": f"plan_{r['state']}" if r["state"] else ""}
            for r in year_rows(pos)]
    return Table("years", YEAR_COLUMNS, tuple(rows))


def years_behind(pos: position.Position) -> list[position.YearLine]:
    return [y for y in pos.years if y.state == "behind"]


def summary_by_year(pos: position.Position, lang: str) -> Report:
    """`emploi summary --by year`: planned, committed, disbursed and spent per fiscal year,
    for the programme, each convention and each contribution with a plan."""
    rows = year_rows(pos)
    data = {"programme": {"id": pos.programme.id, "title": pos.programme.title,
                          "currency": pos.programme.currency, "unit": pos.programme.unit},
            "as_of": pos.as_of, "years": rows}
    csv_columns = (Column("year"), Column("start", "date"), Column("end", "date"),
                   Column("convention"), Column("funder"), Column("planned", "money"),
                   Column("committed", "money"), Column("disbursed", "money"),
                   Column("spent", "money"), Column("execution", "percent"), Column("state"))
    notes = (i18n.label("as_of", lang, date=i18n.day(pos.as_of, lang)),)
    return Report(data, Table("", csv_columns, tuple(rows)), (year_table(pos, lang),), notes)


# ---- targets -----------------------------------------------------------------------------

TARGET_JSON_KEYS = ("id", "convention", "indicator", "label", "target", "original_target",
                    "unit", "reporting", "achieved", "remaining", "progress")


def _target_row(line: position.TargetLine) -> dict:
    return {"id": line.id, "convention": line.convention, "indicator": line.indicator,
            "label": line.label, "target": line.quantity,
            "original_target": line.original_quantity, "unit": line.unit,
            "reporting": line.reporting, "achieved": line.achieved,
            "remaining": line.remaining, "progress": line.progress}


def targets(pos: position.Position, lang: str, *, by: str = "target",
            convention: str | None = None, tag: str | None = None) -> Report:
    """`emploi targets`: the targets of the position, by target, indicator or tag."""
    as_of = pos.as_of
    lines = [t for t in pos.targets if convention in (None, t.convention)]
    notes = (i18n.label("as_of", lang, date=i18n.day(as_of, lang)),)
    if tag:
        return _tag_report(pos, lang, tag, convention, notes)
    if by == "indicator":
        indicators = pos.indicators if convention is None else position.indicator_lines(lines)
        rows = [{"indicator": i.indicator, "unit": i.unit, "targets": list(i.targets),
                 "target": i.quantity, "original_target": i.original_quantity,
                 "achieved": i.achieved, "remaining": i.remaining,
                 "progress": i.progress} for i in indicators]
        amended = any(r["target"] != r["original_target"] for r in rows)
        columns = (Column("indicator"), Column("targets_list", "text", "targets_list"),
                   *((Column("original_target", "int", drop=7),) if amended else ()),
                   Column("target", "int"), Column("unit"), Column("achieved", "int"),
                   Column("remaining", "int"), Column("progress", "percent"))
        human = [{**r, "targets_list": ", ".join(r["targets"]), "bar": bar(r["progress"])}
                 for r in rows]
        csv_rows = [{**r, "targets": ";".join(r["targets"])} for r in rows]
        csv_columns = (Column("indicator"), Column("unit"), Column("targets"),
                       Column("target", "int"), Column("original_target", "int"),
                       Column("achieved", "int"),
                       Column("remaining", "int"), Column("progress", "percent"))
        return Report(rows, Table("", csv_columns, tuple(csv_rows)),
                      (Table("indicators", (*columns, Column("bar", "bar")), tuple(human)),),
                      notes)
    rows = [_target_row(line) for line in lines]
    amended = any(r["target"] != r["original_target"] for r in rows)
    columns = (Column("id"), Column("convention", drop=6), Column("indicator", drop=5),
               Column("label", drop=2),
               *((Column("original_target", "int", drop=7),) if amended else ()),
               Column("target", "int"), Column("unit", drop=4), Column("achieved", "int"),
               Column("remaining", "int", drop=3), Column("progress", "percent"))
    csv_columns = tuple(Column(k, _kind(k)) for k in TARGET_JSON_KEYS)
    human = [{**r, "bar": bar(r["progress"])} for r in rows]
    return Report(rows, Table("", csv_columns, tuple(rows)),
                  (Table("targets", (*columns, Column("bar", "bar")), tuple(human)),), notes)


def _kind(key: str) -> str:
    if key in ("target", "original_target", "achieved", "remaining", "value"):
        return "int"
    if key == "progress":
        return "percent"
    return "text"


def _tag_report(pos: position.Position, lang: str, tag: str, convention: str | None,
                notes: tuple[str, ...]) -> Report:
    rows = [{"id": t.target.id, "convention": t.target.convention,
             "indicator": t.target.indicator, "unit": t.target.unit, "tag": t.tag,
             "tag_value": t.tag_value, "achieved": t.achieved}
            for t in position.tag_lines(pos.ledger, pos.as_of, tag, convention,
                                        lines=pos.targets)]
    columns = (Column("id"), Column("convention"), Column("indicator"),
               Column("tag_value", heading=tag), Column("achieved", "int"), Column("unit"))
    human = [{**r, "tag_value": r["tag_value"] if r["tag_value"] is not None
              else i18n.label("none", lang)} for r in rows]
    csv_columns = (Column("id"), Column("convention"), Column("indicator"), Column("unit"),
                   Column("tag"), Column("tag_value"), Column("achieved", "int"))
    return Report(rows, Table("", csv_columns, tuple(rows)),
                  (Table("breakdown", columns, tuple(human), {"tag": tag}),), notes)


# ---- history -----------------------------------------------------------------------------

HISTORY_COLUMNS = (
    Column("id"), Column("date", "date"), Column("kind", "entry_kind"), Column("subject"),
    Column("value", "int"), Column("amount", "money"), Column("funder"), Column("text"),
    Column("source"), Column("tags", "tags"), Column("void", "bool"), Column("voided_by"),
    Column("recorded_at", "datetime"), Column("recorded_by"))


def history_row(line: position.HistoryLine) -> dict:
    e = line.entry
    return {"id": e.id, "date": e.date, "kind": line.kind, "subject": line.subject,
            "value": line.value, "amount": line.amount, "funder": line.funder,
            "text": line.text, "source": line.source, "tags": line.tags,
            "void": bool(line.voided_by), "voided_by": line.voided_by or None,
            "recorded_at": e.provenance.recorded_at, "recorded_by": e.provenance.recorded_by}


def history(lines: position.HistoryLines, lang: str) -> Report:
    """The journal as a Report whose rows are made as the writer reads them: `lines` may be
    an iterator (position.iter_history_lines), and the Report is then rendered once."""
    from itertools import chain

    made = map(history_row, lines)
    first = next(made, None)  # "no entries" is a note, known before anything is written
    rows = chain((first,), made) if first is not None else iter(())
    # given up first to last; the id, date, kind, subject, figures and void mark never go
    drops = {"recorded_at": 9, "recorded_by": 8, "text": 7, "source": 6, "tags": 5,
             "funder": 4}
    shown = ("id", "date", "kind", "subject", "value", "amount", "funder", "text", "source",
             "tags", "void", "recorded_at", "recorded_by")
    human_columns = tuple(c._replace(drop=drops.get(c.key, 0)) for c in HISTORY_COLUMNS
                          if c.key in shown)
    notes = () if first is not None else (i18n.label("no_entries", lang),)
    # one stream of rows, read by whichever format is written (json: tags as an object)
    return Report(map(_history_data, rows), Table("", HISTORY_COLUMNS, rows),
                  (Table("history", human_columns, rows),), notes)


def _history_data(row: dict) -> dict:
    return {**row, "tags": dict(row["tags"])}


# ---- a written entry and problems --------------------------------------------------------


def written(entry: dict, kind: str, path: str, dry_run: bool, warnings: list[m.Problem],
            lang: str, extra: dict | None = None) -> Report:
    """What `record`, `disburse`, `void`, ... print: the entry (written or would-be); `extra`:
    more keys after the entry's (reconcile's verdict)."""
    data = {"written": not dry_run, "ledger": path, "kind": kind, "entry": entry,
            **(extra or {}), "warnings": [problem_data(p) for p in warnings]}
    rows = tuple({"item": k, "value": _as_text(v)}
                 for k, v in {**entry, **(extra or {})}.items())
    columns = (Column("item", label="item"), Column("value", label="value"))
    notes = (i18n.label("dry_run", lang),) if dry_run else ()
    return Report(data, Table("", columns, rows), (Table("entry", columns, rows),), notes)


def _as_text(value: object) -> str:
    from .render import machine_text
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    return machine_text(value, "text")


def problem_data(p: m.Problem) -> dict:
    return {"severity": p.severity, "code": p.code, "entry": p.entry, "field": p.field,
            "message": p.message,
            "file": p.place.file, "path": p.place.path, "line": p.place.line,
            "column": p.place.column}


def problems(found: list[m.Problem], lang: str) -> Report:
    rows = [problem_data(p) for p in found]
    errors = sum(p.is_error for p in found)
    data = {"ok": errors == 0, "errors": errors, "warnings": len(found) - errors,
            "problems": rows}
    columns = (Column("severity"), Column("code"), Column("file"), Column("path"),
               Column("line", "int"), Column("column", "int"), Column("message"))
    human = [{"severity": i18n.label(r["severity"], lang), "place": place_text(p),
              "message": i18n.problem_text(p, lang), "code": r["code"]} for r, p in zip(rows, found,
                                                                         strict=True)]
    human_columns = (Column("severity", label="severity"), Column("place"),
                     Column("code"), Column("message"))
    summary_line = i18n.label("n_problems", lang, errors=errors, warnings=len(found) - errors)
    notes = (summary_line,) if found else (i18n.label("ok", lang),)
    sections = (Table("problems", human_columns, tuple(human)),) if found else ()
    return Report(data, Table("", columns, tuple(rows)), sections, notes)


def place_text(p: m.Problem) -> str:
    """file:line:column: path — the one way a place is written."""
    place = p.place
    text = place.file
    if place.line is not None:
        text += f":{place.line}"
        if place.column is not None:
            text += f":{place.column}"
    if place.path:
        text += f" [{place.path}]"
    return text


def problem_line(p: m.Problem, lang: str = "en") -> str:
    """One line for stderr: `file:3:5 [key.path]: error: message`."""
    where = place_text(p)
    return (f"{where + ': ' if where else ''}{i18n.label(p.severity, lang)}: "
            f"{i18n.problem_text(p, lang)}")


# ---- import ------------------------------------------------------------------------------

IMPORT_CSV_COLUMNS = (
    Column("row", "int"), Column("status"), Column("id"), Column("date", "date"),
    Column("subject"), Column("value", "int"), Column("amount", "money"), Column("kind"),
    Column("funder"), Column("tags", "tags"), Column("note"), Column("source"),
    Column("import_key"), Column("reason"))


def imported(plan, *, ledger: str, dry_run: bool, written: bool, lang: str) -> Report:
    """What `import` prints: one row per data row of the file, with its status and reason.
    The rows (40,000 in a partner's yearly sheet) are made from the plan as the one format
    asked for reads them, never held all at once."""
    transactions = plan.kind == "transaction"

    def rows(for_json: bool = False):
        """The rows of csv and the table; of json (`for_json`), with the problems as data and
        the tags as a table instead of the reason."""
        for o in plan.outcomes:
            v = o.values
            row = {
                "row": o.row, "status": o.status,
                "id": (o.entry or {}).get("id") or o.present_as or None,
                "date": v.get("date"), "subject": v.get("target") or v.get("convention") or None,
                "value": v.get("value"), "amount": v.get("amount"),
                "kind": v.get("kind") if transactions else None,
                "funder": v.get("funder") or None, "note": v.get("note") or None,
                "source": v.get("source") or None, "import_key": o.key or None}
            if for_json:
                row["problems"] = [problem_data(p) for p in o.problems]
                row["tags"] = dict(v.get("tags", ()))
            else:
                row["tags"] = tuple(v.get("tags", ()))
                row["reason"] = "; ".join(_cell_reason(p) for p in o.problems) or None
            yield row
    counts = {"rows": len(plan.outcomes), "new": plan.count("new"),
              "present": plan.count("present"), "refused": plan.count("refused")}
    saved = plan.profile[1] if plan.profile else None
    data = {"file": plan.file, "ledger": ledger, "kind": plan.kind, "dry_run": dry_run,
            "written": written, "counts": counts, "profile": saved,
            "rows": rows(for_json=True),
            "warnings": [problem_data(w) for w in plan.warnings]}
    human = ({**r, "row": str(r["row"]), "status": i18n.label(r["status"], lang),
              "reason": "; ".join(_cell_reason(p, lang) for p in o.problems) or None}
             for r, o in zip(rows(), plan.outcomes, strict=True))
    figure = Column("value", "int") if plan.kind == "progress" else Column("amount", "money")
    extra = (Column("tags", "tags"),) if plan.kind == "progress" else (
        Column("kind"), Column("funder"))
    columns = (Column("row"), Column("status"), Column("id"), Column("date", "date"),
               Column("subject"), figure, *extra, Column("reason"))
    notes = [i18n.label("import_counts", lang, **counts)]
    if plan.profile_note and not plan.refused:
        notes.append(i18n.label(plan.profile_note, lang, name=plan.profile_name))
    if plan.refused:
        notes.append(i18n.label("import_refused", lang, refused=counts["refused"]))
    elif dry_run:
        notes.append(i18n.label("import_dry_run", lang))
    elif written:
        notes.append(i18n.label("import_written", lang, ledger=ledger))
    else:
        notes.append(i18n.label("import_nothing", lang))
    return Report(data, Table("", IMPORT_CSV_COLUMNS, rows()),
                  (Table("import", columns, human),), tuple(notes))


def _cell_reason(p: m.Problem, lang: str = "en") -> str:
    """`column 'Nombre': message` from a row problem placed at `row 5, column 'Nombre'`."""
    _, _, column = p.place.path.partition(", ")
    text = i18n.problem_text(p, lang)
    return f"{column}: {text}" if column else text


# ---- roll-up across programmes -----------------------------------------------------------
# Several ledgers: each programme's report as with one ledger (ids qualified `programme:id`),
# then the national totals. Shapes documented in docs/formats.md, "Roll-up across programmes".


def in_programme(table: Table, programme: str, lang: str) -> Table:
    """A programme's table in a roll-up: its title prefixed with the programme id."""
    title = i18n.label(table.name, lang, **table.title_values) if table.name else ""
    return Table("programme_section", table.columns, table.rows,
                 {"programme": programme, "title": title})


def programme_refs(r: rollup.Rollup) -> list[dict]:
    """`programmes` of a roll-up's json: which programmes, from which files, in order."""
    return [{"id": p.id, "title": p.ledger.programme.title, "region": p.ledger.programme.region,
             "ledger": p.ledger.path} for p in r.programmes]


def summary_rollup(r: rollup.Rollup, lang: str) -> Report:
    """`emploi summary` over several ledgers: each programme's summary, then national money."""
    as_of, money = r.as_of, r.money
    parts = [(p, summary(p.position, lang)) for p in r.programmes]
    flows = {"committed": money.flows.committed, "disbursed": money.flows.disbursed,
             "spent": money.flows.spent}
    unnamed = {"committed": money.unattributed_flows.committed,
               "disbursed": money.unattributed_flows.disbursed,
               "spent": money.unattributed_flows.spent}
    totals = {"currency": money.currency, "unit": money.unit, "programmes": len(parts),
              "total": money.total, "total_in_force": money.total_in_force,
              "conventions_total": money.conventions_total,
              "total_matches": money.total_matches, **flows, "execution": money.execution,
              "unattributed": money.unattributed, "unattributed_flows": unnamed}
    data = {"as_of": as_of, "programmes": [report.data for _, report in parts],
            "totals": totals}
    csv_rows = [{"programme": p.id, **row} for p, report in parts for row in report.csv.rows]
    csv_rows += [
        {"record": "total", "programme": "", "amount": money.total_in_force,
         "original_amount": money.total, **flows, "execution": money.execution},
        {"record": "conventions_total", "programme": "", "amount": money.conventions_total},
        {"record": "unattributed", "programme": "", "amount": money.unattributed,
         "share": money.unattributed_share, **unnamed},
    ]
    csv_columns = (Column("programme"), *parts[0][1].csv.columns)
    national = [{"id": p.id, "title": p.ledger.programme.title,
                 "amount": p.funding.total_in_force,
                 "share": money.share(p.funding.total_in_force),
                 "committed": p.funding.total_flows.committed,
                 "disbursed": p.funding.total_flows.disbursed,
                 "spent": p.funding.total_flows.spent,
                 "execution": p.funding.execution} for p, _ in parts]
    national.append({"id": "", "title": i18n.label("national_total", lang),
                     "amount": money.total_in_force,
                     "share": money.share(money.total_in_force),
                     **flows, "execution": money.execution})
    national_table = Table("national_funding", (
        Column("id", label="programme"), Column("title"), Column("amount", "money"),
        Column("share", "percent"), *FLOW_COLUMNS), tuple(national))
    sections = tuple(in_programme(t, p.id, lang) for p, report in parts
                     for t in report.sections)
    notes = (i18n.label("as_of", lang, date=i18n.day(as_of, lang)),
             i18n.label("rollup_note", lang, n=len(parts)))
    return Report(data, Table("", csv_columns, tuple(csv_rows)), (*sections, national_table),
                  notes)


def _indicator_part(line: position.IndicatorLine) -> dict:
    return {"targets": list(line.targets), "target": line.quantity, "achieved": line.achieved,
            "remaining": line.remaining, "progress": line.progress}


def indicator_total_rows(r: rollup.Rollup) -> list[dict]:
    """`indicators` of a roll-up's json: the national total of each indicator and its parts."""
    return [{"indicator": i.indicator, "unit": i.unit, "targets": list(i.targets),
             "target": i.quantity, "achieved": i.achieved, "remaining": i.remaining,
             "progress": i.progress,
             "programmes": [{"programme": part.programme, **_indicator_part(part.line)}
                            for part in i.parts]} for i in r.indicators]


ROLLUP_TARGET_CSV = (
    Column("programme"), Column("record"), *(Column(k, _kind(k)) for k in TARGET_JSON_KEYS),
    Column("targets"))


def targets_rollup(r: rollup.Rollup, lang: str, by: str = "target") -> Report:
    """`emploi targets` over several ledgers: each programme's targets (or indicators), then
    the national totals by indicator."""
    as_of = r.as_of
    indicators = indicator_total_rows(r)
    data: dict = {"as_of": as_of, "programmes": programme_refs(r)}
    sections: list[Table] = []
    csv_rows: list[dict] = []
    for p in r.programmes:
        report = targets(p.position, lang, by=by)
        sections += [in_programme(t, p.id, lang) for t in report.sections]
        if by == "indicator":
            csv_rows += [{**row, "record": "indicator", "programme": p.id}
                         for row in report.csv.rows]
        else:
            csv_rows += [{**row, "record": "target", "programme": p.id}
                         for row in report.csv.rows]
    if by != "indicator":
        data["targets"] = [{"programme": p.id, **_target_row(line)}
                           for p in r.programmes for line in p.targets]
    data["indicators"] = indicators
    csv_rows += [{"record": "indicator", "programme": "", "indicator": i["indicator"],
                  "unit": i["unit"], "targets": ";".join(i["targets"]), "target": i["target"],
                  "achieved": i["achieved"], "remaining": i["remaining"],
                  "progress": i["progress"]} for i in indicators]
    human = tuple({**i, "programmes_list": ", ".join(p["programme"] for p in i["programmes"]),
                   "bar": bar(i["progress"])} for i in indicators)
    national = Table("national_indicators", (
        Column("indicator"), Column("programmes_list", label="programmes"),
        Column("target", "int"), Column("unit"), Column("achieved", "int"),
        Column("remaining", "int"), Column("progress", "percent"), Column("bar", "bar")),
        human)
    notes = (i18n.label("as_of", lang, date=i18n.day(as_of, lang)),
             i18n.label("rollup_note", lang, n=len(r.programmes)))
    return Report(data, Table("", ROLLUP_TARGET_CSV, tuple(csv_rows)), (*sections, national),
                  notes)

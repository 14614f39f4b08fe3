"""`emploi export --format iati`: the programme as IATI 2.03 activities, for the aid world.

One `iati-activities` document: for each ledger, the programme is an activity
(`hierarchy="1"`) and each convention an activity (`hierarchy="2"`), linked both ways with
`related-activity`. Identifiers and codes come from the ledger's `[programme.iati]` table; every
figure from the position (domain.position): this module renders, it computes nothing. Money is
written in dirhams (the ledger's MDH x 1,000,000, exact). docs/iati.md gives the mapping key by
key, and what is left out and why. Written with the standard library's ElementTree.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from ..domain import model as m
from ..domain import position
from . import iati_codes as codes
from .sqlite import dirhams

VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
REQUIRED = ("reporting_org_ref", "reporting_org_type", "identifier_prefix", "sector")
# Codes the export writes itself (tests/test_iati.py checks each against the codelists).
ROLE_FUNDING, ROLE_IMPLEMENTING = "1", "4"  # OrganisationRole
TRANSACTION_TYPES = {"commitment": "2", "disbursement": "3", "expenditure": "4"}
STATUS_PIPELINE, STATUS_IMPLEMENTATION, STATUS_FINALISATION = "1", "2", "3"  # ActivityStatus
DATE_PLANNED_START, DATE_ACTUAL_START, DATE_PLANNED_END = "1", "2", "3"  # ActivityDateType
RELATED_PARENT, RELATED_CHILD = "1", "2"  # RelatedActivityType
BUDGET_ORIGINAL, BUDGET_REVISED = "1", "2"  # BudgetType
DESCRIPTION_GENERAL = "1"  # DescriptionType
RESULT_OUTPUT = "1"  # ResultType
MEASURE_UNIT = "1"  # IndicatorMeasure
SECTOR_DAC = "1"  # SectorVocabulary: OECD DAC CRS purpose codes, 5 digits
COUNTRY_OF_CURRENCY = {"MAD": "MA"}  # Country: the country a programme in this currency is in
CURRENCY = "MAD"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


# ---- what the ledger must declare --------------------------------------------------------


def _key(ledger: m.Ledger, key: str) -> dict:
    """Where a problem with a key of `[programme.iati]` is: the refusal's entry, field, place."""
    return {"entry": ledger.programme.id, "field": key,
            "place": m.Place(ledger.path, f"programme.iati.{key}")}


def identity(ledger: m.Ledger) -> tuple[m.Iati, str]:
    """The ledger's `[programme.iati]` and the language of its texts; refuses (one line, naming
    the key to add) when a key is missing, and when a code is not in the IATI codelists."""
    iati = ledger.programme.iati or m.Iati()
    missing = [key for key in REQUIRED if not getattr(iati, key)]
    if missing:  # every key still to add, in one line: one run tells them all
        raise m.refusal("iati-missing", "add {key} to [programme.iati] to export IATI "
                        "(docs/iati.md)", args={"key": ", ".join(missing)},
                        **_key(ledger, missing[0]))
    checks = [("reporting_org_type", iati.reporting_org_type, codes.ORGANISATION_TYPES,
               "OrganisationType"), ("sector", iati.sector, codes.SECTORS, "Sector")]
    for o in iati.organisations:
        checks += [("organisations.role", o.role, codes.ORGANISATION_ROLES, "OrganisationRole"),
                   ("organisations.type", o.type, codes.ORGANISATION_TYPES, "OrganisationType")]
    for key, value, allowed, name in checks:
        if value and value not in allowed:
            raise m.refusal("iati-code", "{key} {value} is not in the IATI {codelist} codelist",
                            args={"key": key, "value": repr(value), "codelist": name},
                            **_key(ledger, key))
    sources = {s.id: s for s in ledger.sources}
    cited = sources.get(ledger.programme.source)
    language = iati.language or (cited.language if cited else "")
    if not language:
        raise m.refusal("iati-missing", "add language (of the ledger's titles, e.g. \"fr\") "
                        "to [programme.iati] to export IATI (docs/iati.md)",
                        args={"key": "language"}, **_key(ledger, "language"))
    if language not in codes.LANGUAGES:
        raise m.refusal("iati-code", "language {value} is not in the IATI Language "
                        "codelist", args={"key": "language", "value": repr(language),
                                          "codelist": "Language"},
                        **_key(ledger, "language"))
    if ledger.programme.currency not in COUNTRY_OF_CURRENCY:
        raise m.refusal("iati-currency", "IATI export knows the country of MAD programmes "
                        "only, not of {currency}",
                        entry=ledger.programme.id, field="currency",
                        place=m.Place(ledger.path, "programme.currency"),
                        args={"currency": repr(ledger.programme.currency)})
    return iati, language


# ---- the document ------------------------------------------------------------------------


def document(positions: Sequence[position.Position]) -> bytes:
    """One `iati-activities` document (UTF-8, with its declaration) for the positions given:
    refuses before writing anything when one ledger lacks an identifier or a code, or when two
    ledgers give the same activity identifier."""
    made = [(pos, *identity(pos.ledger)) for pos in positions]
    seen: dict[str, str] = {}
    for pos, iati, _ in made:
        prefix = iati.identifier_prefix
        if prefix in seen:
            raise m.refusal("duplicate-identifier", "identifier_prefix {identifier} is in both "
                            "{first} and {second}",
                            entry=pos.programme.id, field="identifier_prefix",
                            place=m.Place(pos.ledger.path, "programme.iati.identifier_prefix"),
                            args={"identifier": repr(prefix), "first": seen[prefix],
                                  "second": pos.ledger.path})
        seen[prefix] = pos.ledger.path
    root = ET.Element("iati-activities", {"version": VERSION})
    for pos, iati, language in made:
        root.extend(Activities(pos, iati, language).all())
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _text(value: str) -> str:
    """Ledger text as XML 1.0 can hold it: control characters become U+FFFD."""
    return _CONTROL.sub("\ufffd", value)


def _day(value: date) -> str:
    return value.isoformat()


class Activities:
    """The activities of one programme: its own and its conventions'."""

    def __init__(self, pos: position.Position, iati: m.Iati, language: str):
        self.pos, self.iati, self.lang = pos, iati, language
        self.ledger = pos.ledger
        self.organisations = {o.id: o for o in iati.organisations}
        self.names = {f.id: f.name for f in self.ledger.funders}

    def all(self) -> list[ET.Element]:
        return [self.programme(), *(self.convention(c) for c in self.ledger.conventions)]

    def identifier(self, convention: str = "") -> str:
        prefix = self.iati.identifier_prefix
        return f"{prefix}-{convention}" if convention else prefix

    # -- pieces --

    def narrative(self, parent: ET.Element, text: str) -> None:
        ET.SubElement(parent, "narrative", {XML_LANG: self.lang}).text = _text(text)

    def texts(self, parent: ET.Element, tag: str, text: str, attrib: dict | None = None
              ) -> ET.Element:
        element = ET.SubElement(parent, tag, attrib or {})
        self.narrative(element, text)
        return element

    def organisation(self, ident: str, default_role: str) -> dict[str, str]:
        """The attributes of a funder or partner as a participating organisation."""
        declared = self.organisations.get(ident, m.IatiOrganisation(ident))
        attrib = {"role": declared.role or default_role}
        if declared.ref:
            attrib["ref"] = declared.ref
        if declared.type:
            attrib["type"] = declared.type
        return attrib

    def provider(self, parent: ET.Element, tag: str, funder: str) -> None:
        """A funder as provider-org (its ref and type when declared)."""
        attrib = self.organisation(funder, ROLE_FUNDING)
        del attrib["role"]
        self.texts(parent, tag, self.names.get(funder, funder), attrib)

    def money(self, parent: ET.Element, amount: Decimal, day: date) -> None:
        ET.SubElement(parent, "value", {"value-date": _day(day)}).text = str(dirhams(amount))

    def period(self, parent: ET.Element, first: date, last: date) -> None:
        ET.SubElement(parent, "period-start", {"iso-date": _day(first)})
        ET.SubElement(parent, "period-end", {"iso-date": _day(last)})

    def head(self, ident: str, hierarchy: str, title: str, description: str
             ) -> ET.Element:
        """iati-identifier to description: the start every activity has."""
        activity = ET.Element("iati-activity", {
            XML_LANG: self.lang, "default-currency": self.ledger.programme.currency,
            "hierarchy": hierarchy})
        ET.SubElement(activity, "iati-identifier").text = _text(ident)
        reporting = ET.SubElement(activity, "reporting-org", {
            "ref": _text(self.iati.reporting_org_ref), "type": self.iati.reporting_org_type})
        self.narrative(reporting, self.iati.reporting_org_name or self.iati.reporting_org_ref)
        self.texts(activity, "title", title)
        self.texts(activity, "description", description, {"type": DESCRIPTION_GENERAL})
        return activity

    def status_and_dates(self, activity: ET.Element) -> None:
        """activity-status, activity-date, recipient-country and sector."""
        p, pos = self.ledger.programme, self.pos
        state = (STATUS_PIPELINE if pos.as_of < p.start else STATUS_IMPLEMENTATION
                 if pos.as_of < pos.end else STATUS_FINALISATION)
        ET.SubElement(activity, "activity-status", {"code": state})
        ET.SubElement(activity, "activity-date", {"type": DATE_PLANNED_START,
                                                  "iso-date": _day(p.start)})
        if p.signed_date is not None and p.signed_date <= pos.as_of:
            ET.SubElement(activity, "activity-date", {"type": DATE_ACTUAL_START,
                                                      "iso-date": _day(p.signed_date)})
        ET.SubElement(activity, "activity-date", {"type": DATE_PLANNED_END,
                                                  "iso-date": _day(pos.end)})
        ET.SubElement(activity, "recipient-country",
                      {"code": COUNTRY_OF_CURRENCY[p.currency]})
        ET.SubElement(activity, "sector", {"vocabulary": SECTOR_DAC, "code": self.iati.sector})

    # -- the activities --

    def programme(self) -> ET.Element:
        p = self.ledger.programme
        activity = self.head(self.identifier(), "1", p.title, p.framework or p.title)
        for f in self.ledger.funders:
            self.texts(activity, "participating-org", f.name,
                       self.organisation(f.id, ROLE_FUNDING))
        for x in self.ledger.partners:
            self.texts(activity, "participating-org", x.full_name or x.name,
                       self.organisation(x.id, ROLE_IMPLEMENTING))
        if not self.ledger.funders and not self.ledger.partners:
            raise m.refusal("iati-no-organisation", "IATI needs a participating organisation: "
                            "the ledger names no funder and no partner",
                            entry=p.id, field="funders", place=m.Place(self.ledger.path))
        self.status_and_dates(activity)
        for c in self.ledger.conventions:
            ET.SubElement(activity, "related-activity", {"ref": self.identifier(c.id),
                                                         "type": RELATED_CHILD})
        return activity

    def convention(self, c: m.Convention) -> ET.Element:
        activity = self.head(self.identifier(c.id), "2", c.title, c.title)
        split = next(s for s in self.pos.funding.split if s.convention == c.id)
        giving = {share.funder for share in split.funding}
        funders = [f for f in self.ledger.funders
                   if not f.conventions or c.id in f.conventions or f.id in giving]
        if not funders:
            raise m.refusal("iati-no-organisation", "IATI needs a participating organisation "
                            "for convention {convention}: no funder names it (add it to a "
                            "funder's conventions)", entry=c.id, field="funders",
                            place=m.Place(self.ledger.path), args={"convention": repr(c.id)})
        for f in funders:
            self.texts(activity, "participating-org", f.name,
                       self.organisation(f.id, ROLE_FUNDING))
        self.status_and_dates(activity)
        fm = self.ledger.programme.fiscal_year_start
        force = self.pos.values_in_force
        original = {t.year: t.amount for t in c.plan}
        for tranche in force.convention_plan[c.id]:
            first, last = position.year_bounds(tranche.year, fm)
            if tranche.year in original:
                budget = ET.SubElement(activity, "budget", {"type": BUDGET_ORIGINAL})
                self.period(budget, first, last)
                self.money(budget, original[tranche.year], first)
            amended = force.tranche_amendments.get(("", c.id, tranche.year))
            if amended is not None:
                budget = ET.SubElement(activity, "budget", {"type": BUDGET_REVISED})
                self.period(budget, first, last)
                self.money(budget, tranche.amount, amended.date)
        for share in split.funding:
            for tranche in share.plan:
                first, last = position.year_bounds(tranche.year, fm)
                amended = force.tranche_amendments.get((share.funder, c.id, tranche.year))
                planned = ET.SubElement(activity, "planned-disbursement", {
                    "type": BUDGET_ORIGINAL if amended is None else BUDGET_REVISED})
                self.period(planned, first, last)
                self.money(planned, tranche.amount, first if amended is None else amended.date)
                self.provider(planned, "provider-org", share.funder)
        for e in self.pos.transactions:
            if e.convention != c.id:
                continue
            transaction = ET.SubElement(activity, "transaction")
            ET.SubElement(transaction, "transaction-type",
                          {"code": TRANSACTION_TYPES[e.transaction_kind]})
            ET.SubElement(transaction, "transaction-date", {"iso-date": _day(e.date)})
            self.money(transaction, e.amount, e.date)
            if e.note:
                self.texts(transaction, "description", e.note)
            if e.funder:
                self.provider(transaction, "provider-org", e.funder)
        ET.SubElement(activity, "related-activity", {"ref": self.identifier(),
                                                     "type": RELATED_PARENT})
        for line in self.pos.targets:
            if line.convention == c.id:
                self.result(activity, line)
        return activity

    def result(self, activity: ET.Element, line: position.TargetLine) -> None:
        result = ET.SubElement(activity, "result", {"type": RESULT_OUTPUT})
        self.texts(result, "title", line.label)
        indicator = ET.SubElement(result, "indicator", {"measure": MEASURE_UNIT,
                                                        "ascending": "1"})
        self.texts(indicator, "title", line.label)
        self.texts(indicator, "description", line.unit)
        target = self.ledger.target(line.id)
        if target is not None and target.baseline is not None:
            attrib = {"year": str(target.baseline.year), "value": str(target.baseline.value)}
            if target.baseline.date is not None:
                attrib["iso-date"] = _day(target.baseline.date)
            ET.SubElement(indicator, "baseline", attrib)
        for row in self.pos.results[line.id]:
            if row.target is None and not row.actuals:
                continue
            period = ET.SubElement(indicator, "period")
            self.period(period, row.first, row.last)
            if row.target is not None:
                ET.SubElement(period, "target", {"value": str(row.target)})
            for actual in row.actuals:
                element = ET.SubElement(period, "actual", {"value": str(actual.value)})
                for name, value in actual.tags:
                    ET.SubElement(element, "dimension", {"name": _text(name),
                                                         "value": _text(value)})

"""`Builder.references` walks the journal entry by entry only when a quick look at
sets says it would find something; the quick look must never miss what the walk finds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from emploi_cli.domain import model as m
from emploi_cli.store import reading

from .conftest import SHIPPED

_DAY = date(2021, 1, 1)
_ids = st.sampled_from(["a", "A", "b", "c", "", "x.1", "X.1", "é", "É", "ß", "ss"])
_targets = st.sampled_from(["c1.insertion", "c2.espaces", "c9.none", ""])
_conventions = st.sampled_from(["c1", "c2", "c9", ""])
_funders = st.sampled_from(["region", "nobody", ""])


@st.composite
def _entry(draw) -> m.JournalEntry:
    eid, seq, prov = draw(_ids), 0, m.Provenance()
    kind = draw(st.sampled_from(["progress", "transaction", "void", "amendment", "assertion",
                                 "lock"]))
    if kind == "progress":
        return m.ProgressEntry(eid, _DAY, seq, prov, draw(_targets), 1)
    if kind == "transaction":
        return m.TransactionEntry(eid, _DAY, seq, prov, draw(_conventions), Decimal(1),
                                  "disbursement", draw(_funders))
    if kind == "void":
        return m.VoidEntry(eid, _DAY, seq, prov, draw(_ids), "r")
    if kind == "amendment":
        return m.AmendmentEntry(eid, _DAY, seq, prov, "ref", "r", draw(_conventions),
                                draw(_funders), draw(_targets))
    if kind == "assertion":
        return m.AssertionEntry(eid, _DAY, seq, prov, "s", draw(_targets), 1,
                                draw(_conventions), None, "", draw(_funders))
    return m.LockEntry(eid, _DAY, seq, prov, "close", "2020")


@settings(max_examples=200, deadline=None)
@given(st.lists(_entry(), max_size=6))
def test_quick_look_agrees_with_the_walk(entries):
    shipped = reading.load(SHIPPED).ledger
    journal = tuple(e._replace(seq=i) for i, e in enumerate(entries))
    ledger = m.Ledger(shipped.path, shipped.format, shipped.programme, shipped.sources,
                      shipped.partners, shipped.funders, shipped.conventions, journal)
    targets = {t.id for t in ledger.targets}
    conventions = {c.id for c in ledger.conventions}
    funders = {f.id for f in ledger.funders}
    walk = reading.Builder("x")
    walk._journal_references(ledger, targets, conventions, funders)
    assert reading._journal_references_hold(journal, targets, conventions, funders) == (
        not walk.problems)

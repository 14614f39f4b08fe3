"""The model's records: named tuples; the Ledger a subclass that keeps what it works out."""

from __future__ import annotations

import pickle
from datetime import date
from decimal import Decimal

import pytest

from emploi_cli.domain import model as m

PROVENANCE = m.Provenance()


def _progress(**changes) -> m.ProgressEntry:
    return m.ProgressEntry("p1", date(2021, 3, 31), 0, PROVENANCE, "c1.insertion", 120)._replace(
        **changes)


def test_records_are_values():
    assert _progress() == _progress() and hash(_progress()) == hash(_progress())
    assert _progress() != _progress(value=121)
    assert len({_progress(), _progress(), _progress(seq=1)}) == 2
    assert _progress(note="x")._replace(note="") == _progress()
    assert pickle.loads(pickle.dumps(m.Place("f", "a.b", 1, 2))) == m.Place("f", "a.b", 1, 2)
    assert m.Problem("error", "c", "text").place == m.Place()  # a default, shared: immutable


def test_records_are_immutable():
    entry = _progress()
    with pytest.raises(AttributeError):
        entry.value = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        entry.extra = 3  # type: ignore[attr-defined]


def test_entries_of_different_kinds_never_compare_equal():
    """Tuples compare by value: every entry ends with its own `kind`, so two entries of
    different kinds differ even where their other values are the same."""
    transaction = m.TransactionEntry("p1", date(2021, 3, 31), 0, PROVENANCE, "c1",
                                     Decimal("1"), "commitment")
    void = m.VoidEntry("p1", date(2021, 3, 31), 0, PROVENANCE, "x", "y")
    lock = m.LockEntry("p1", date(2021, 3, 31), 0, PROVENANCE, "x", "y")
    assert len({_progress(), transaction, void, lock}) == 4
    for kind, cls in m.ENTRY_CLASSES.items():
        assert cls._fields[:4] == m.ENTRY_FIELDS and cls._fields[-1] == "kind"
        assert cls._field_defaults["kind"] == kind


def test_repr_names_every_field():
    assert repr(m.Place("f", "a", 1, 2)) == "Place(file='f', path='a', line=1, column=2)"


def test_every_model_value_is_a_named_tuple():
    values = [cls for cls in vars(m).values() if isinstance(cls, type)
              and cls.__module__ == m.__name__ and cls not in (m.EmploiError, m.Phrase)]
    assert len(values) >= 20
    for cls in values:
        assert issubclass(cls, tuple) and cls._fields, cls


def test_a_ledger_keeps_what_it_works_out_and_a_changed_one_starts_afresh():
    ledger = m.Ledger("x.toml", 1, None, (), (), (), (), (_progress(),))
    assert ledger.entries(m.ProgressEntry) == [_progress()] and ledger.targets == ()
    assert "_entries_by_kind" in vars(ledger) and "targets" in vars(ledger)
    changed = ledger._replace(journal=())
    assert type(changed) is m.Ledger and vars(changed) == {}
    assert changed.entries(m.ProgressEntry) == [] and changed != ledger
    assert ledger == m.Ledger("x.toml", 1, None, (), (), (), (), (_progress(),))

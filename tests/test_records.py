"""model.record: the semantics of dataclass(frozen=True)."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from emploi_cli.domain import model as m
from emploi_cli.domain.model import record


@record
class Pair:
    """Two values."""

    left: int
    right: str = "x"
    hidden: bytes = dataclasses.field(default=b"", repr=False)


@record
class Nothing:
    """No fields."""


@record
class Child(Pair):
    """A pair with one more field."""

    extra: tuple = ()


@dataclasses.dataclass(frozen=True)
class PairDataclass:
    left: int
    right: str = "x"
    hidden: bytes = dataclasses.field(default=b"", repr=False)


def test_equality_and_hash_follow_the_fields():
    assert Pair(1, "a") == Pair(1, "a")
    assert Pair(1, "a") != Pair(1, "b")
    assert Pair(1, "a", b"z") != Pair(1, "a")
    assert len({Pair(1, "a"), Pair(1, "a"), Pair(2, "a")}) == 2
    assert Nothing() == Nothing() and hash(Nothing()) == hash(Nothing())


def test_instances_of_other_classes_are_never_equal():
    assert Pair(1, "a") != Child(1, "a")
    assert Pair(1, "a") != PairDataclass(1, "a")
    assert Pair(1, "a") != (1, "a", b"")
    assert Pair(1, "a").__eq__(object()) is NotImplemented


def test_repr_is_the_dataclass_repr():
    assert repr(Pair(1, "a", b"secret")) == "Pair(left=1, right='a')"
    assert repr(Pair(1, "a")) == repr(PairDataclass(1, "a")).replace("PairDataclass", "Pair")
    assert repr(Child(1)) == "Child(left=1, right='x', extra=())"
    assert repr(Nothing()) == "Nothing()"


def test_frozen_and_still_a_dataclass():
    pair = Pair(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        pair.left = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del pair.right
    assert dataclasses.is_dataclass(pair)
    assert [f.name for f in dataclasses.fields(Child)] == ["left", "right", "hidden", "extra"]
    assert dataclasses.replace(pair, right="b") == Pair(1, "b")
    assert dataclasses.asdict(Child(1, extra=(2,))) == {"left": 1, "right": "x", "hidden": b"",
                                                        "extra": (2,)}
    assert pickle.loads(pickle.dumps(m.Place("f", "a.b", 1, 2))) == m.Place("f", "a.b", 1, 2)


def test_every_model_class_is_a_record():
    for cls in (m.Place, m.Problem, m.Programme, m.Target, m.ProgressEntry, m.Ledger):
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen

"""A journal held as columns: one list per field and entry kind, built into entries only when
they are read one by one. The store's cache gives a ledger this journal; the reports that add
up the journal (position.live_rows) read the few columns they need from it."""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable, Container, Iterable, Sequence
from datetime import date
from itertools import compress
from operator import attrgetter

from . import model as m

KIND_CLASSES: dict[str, type] = m.ENTRY_CLASSES
KINDS = tuple(kind for kind in m.ENTRY_TABLES if kind in KIND_CLASSES)
_CLASS_KINDS = {cls: kind for kind, cls in KIND_CLASSES.items()}


def column_names(cls: type) -> list[str]:
    """The stored columns of an entry class: its fields, the provenance's as
    `provenance.recorded_at`, and no `seq` (an entry's seq is its place in the journal)."""
    names = []
    for name in cls._fields:
        if name == "provenance":
            names += [f"provenance.{p}" for p in m.Provenance._fields]
        elif name != "seq":
            names.append(name)
    return names


class Part:
    """The entries of one kind: `columns` maps each column name to its values, or to a
    function that gives them when first read; such a function may also have a `coded()`
    that gives the column as a table of its distinct values and each entry's index into it
    (or None). `voided` holds the indexes of the entries a void names, `last` the latest
    date."""

    def __init__(self, kind: str, count: int, offset: int,
                 columns: dict[str, list | Callable[[], list]], voided: set[int],
                 last: date | None):
        self.kind, self.cls, self.count, self.offset = kind, KIND_CLASSES[kind], count, offset
        self.columns, self.voided, self.last = columns, voided, last
        self.built: list | None = None

    def column(self, name: str) -> list:
        if name == "seq":
            return list(range(self.offset, self.offset + self.count))
        value = self.columns[name]
        if not isinstance(value, list):
            value = self.columns[name] = value()
            if len(value) != self.count:
                raise ValueError(f"column {self.kind}.{name} has {len(value)} values")
        return value

    def coded(self, name: str) -> tuple[list, Sequence[int]] | None:
        """The column as (table, indexes): `table[indexes[i]]` is entry i's value; None when
        it is not held so (or already read as values)."""
        coded = getattr(self.columns[name], "coded", None) if name != "seq" else None
        found = None if coded is None else coded()
        if found is not None and len(found[1]) != self.count:
            raise ValueError(f"column {self.kind}.{name} has {len(found[1])} indexes")
        return found

    def kept(self, name: str, keep: list[bool]) -> list:
        """The values of the entries `keep` marks, in order: from the indexes where the
        column is held as a table and indexes, so that only those values are looked up."""
        coded = self.coded(name)
        if coded is None:
            return list(compress(self.column(name), keep))
        return list(map(coded[0].__getitem__, compress(coded[1], keep)))

    def marks(self, name: str, test: Callable[[object], bool]) -> Iterable[bool]:
        """For each entry, whether `test` holds for its value: tested once per distinct value
        where the column is held as a table and indexes."""
        coded = self.coded(name)
        if coded is None:
            return map(test, self.column(name))
        passing = [bool(test(value)) for value in coded[0]]
        return map(passing.__getitem__, coded[1])

    def entries(self) -> list:
        if self.built is None:
            values = []
            for name in self.cls._fields:
                if name == "provenance":
                    values.append(map(m.Provenance, *[self.column(f"provenance.{p}")
                                                      for p in m.Provenance._fields]))
                elif name == "seq":
                    values.append(range(self.offset, self.offset + self.count))
                else:
                    values.append(self.column(name))
            self.built = list(map(self.cls, *values))
        return self.built


class ColumnJournal(Sequence):
    """A journal as `Part`s, one per entry kind in the order the reader builds the journal
    (kind by kind, then file order). Equal to the tuple of its entries; answers `of_kind`,
    `voided_ids` and `live_rows` (model.Ledger and position.live_rows ask for them) from the
    columns."""

    def __init__(self, parts: dict[str, Part]):
        self.parts = parts
        self.count = sum(part.count for part in parts.values())
        self._entries: tuple[m.JournalEntry, ...] | None = None

    def entries(self) -> tuple[m.JournalEntry, ...]:
        if self._entries is None:
            self._entries = tuple(e for part in self.parts.values() for e in part.entries())
        return self._entries

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):  # type: ignore[override]
        return self.entries()[index]

    def __iter__(self):
        return iter(self.entries())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ColumnJournal | tuple):
            return self.entries() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.entries())

    def __repr__(self) -> str:
        return repr(self.entries())

    def _part(self, cls: type) -> Part | None:
        kind = _CLASS_KINDS.get(cls)
        return None if kind is None else self.parts[kind]

    def of_kind(self, cls: type) -> tuple | None:
        """The entries of one kind; None for a class that is not one kind's."""
        part = self._part(cls)
        return None if part is None else tuple(part.entries())

    def voided_ids(self) -> frozenset[str]:
        return frozenset(self.parts["void"].column("entry"))

    def ids_among(self, wanted: set[str]) -> set[str]:
        """Those of `wanted` that are ids of entries here (a pass over each id column)."""
        return {i for part in self.parts.values() if part.count
                for i in wanted.intersection(part.column("id"))}

    def live_rows(self, cls: type, names: tuple[str, ...], as_of: date,
                  only: tuple[str, Container] | None = None) -> Iterable[tuple]:
        """position.live_rows from the columns: the named fields of the entries of one kind
        dated on or before as_of and not voided (and whose field `only[0]` is in `only[1]`),
        in journal order (read once, lazily)."""
        part = self._part(cls)
        if part is None:
            voided = self.voided_ids()
            get = attrgetter(*names)
            return [get(e) for e in self if isinstance(e, cls) and e.date <= as_of
                    and e.id not in voided
                    and (only is None or getattr(e, only[0]) in only[1])]
        if not part.count:
            return []
        keep = _live(part, as_of, only)
        if keep is None:
            return zip(*[range(part.offset, part.offset + part.count) if n == "seq"
                         else part.column(n) for n in names], strict=True)
        keep = list(keep)
        return zip(*[list(compress(range(part.offset, part.offset + part.count), keep))
                     if n == "seq" else part.kept(n, keep) for n in names], strict=True)

    def live_counts(self, cls: type, names: tuple[str, ...], as_of: date
                    ) -> dict[tuple, int]:
        """How many live entries of one kind (as live_rows) hold each distinct combination
        of the named fields' values: counted on the stored indexes where every column is
        held as a table and indexes (comparing small numbers, not texts and tag tuples)."""
        part = self._part(cls)
        coded = ([part.coded(n) for n in names] if part is not None and part.count
                 else [None])
        if any(c is None for c in coded):
            return Counter(self.live_rows(cls, names, as_of))
        rows = zip(*[numbers for _, numbers in coded], strict=True)  # type: ignore[misc]
        keep = _live(part, as_of)  # type: ignore[arg-type]
        tables = [table for table, _ in coded]  # type: ignore[misc]
        counts: dict[tuple, int] = {}
        for key, times in Counter(rows if keep is None else compress(rows, keep)).items():
            values = tuple(map(list.__getitem__, tables, key))
            counts[values] = counts.get(values, 0) + times  # a table may hold a value twice
        return counts


def _live(part: Part, as_of: date, only: tuple[str, Container] | None = None
          ) -> Iterable[bool] | None:
    """Which entries of `part` are dated on or before as_of, not voided and (`only`) have
    their field `only[0]` among `only[1]`; None: all of them."""
    keep: Iterable[bool] | None = None
    if part.last is None or as_of < part.last:
        keep = part.marks("date", as_of.__ge__)
    if only is not None:
        wanted = part.marks(only[0], only[1].__contains__)
        keep = wanted if keep is None else map(operator.and_, keep, wanted)
    if part.voided:
        live = [True] * part.count
        for index in part.voided:
            live[index] = False
        keep = live if keep is None else map(operator.and_, keep, live)
    return keep

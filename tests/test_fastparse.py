"""The fast journal reader and the column-held ledger give exactly what reading.load
and the entry-by-entry computations give, for journals written by emploi and by hand,
valid or not."""

from __future__ import annotations

from collections import Counter, defaultdict, namedtuple
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emploi_cli.domain import model as m
from emploi_cli.domain import position
from emploi_cli.store import cache, fastparse, reading

from .conftest import SHIPPED

HEAD = SHIPPED.read_text(encoding="utf-8")


def _both(text: str, tmp_path: Path):
    """(fast result, ledger.load result): a Loaded-like tuple or the problems raised."""
    path = tmp_path / "l.toml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    data = path.read_bytes()
    try:
        ledger, problems, _, _ = fastparse.parse(data, str(path))
        fast = (ledger, reading.bom_warnings(data, str(path)) + tuple(problems))  # as cache.loaded
    except m.EmploiError as exc:
        fast = exc.problems
    try:
        loaded = reading.load(path)
        slow = (loaded.ledger, loaded.problems)
    except m.EmploiError as exc:
        slow = exc.problems
    return fast, slow


# ---- entries written in many ways -------------------------------------------------------

# Each strategy mostly draws what emploi writes (read directly), sometimes an edge.
_odd_strings = st.sampled_from(["", " lead", "tab\there", "quote\\\"d", "back\\\\slash",
                                "[[progress]]", "# not a comment", "=", "{ }", "\\u0007bell"])
_strings = st.one_of(st.sampled_from(["x", "Fès", "a b", "ünïcode ✓"]), _odd_strings)
_ids = st.one_of(st.from_regex(r"[0-9a-z]{16}", fullmatch=True),
                 st.from_regex(r"[0-9a-z]{16}", fullmatch=True),
                 st.sampled_from(["", " ", "x" * 65, "x" * 64, "dup", "dup", "a b", " a",
                                  "\\u0001"]))
_days = st.one_of(st.integers(0, 1200).map(lambda n: (date(2020, 1, 1) + timedelta(n))
                                           .isoformat()),
                  st.integers(0, 1200).map(lambda n: (date(2020, 1, 1) + timedelta(n))
                                           .isoformat()),
                  st.sampled_from(["1899-12-31", "2021-02-29", '"2021-01-01"',
                                   "2021-01-01T10:00:00"]))
_stamps = st.sampled_from(["2022-01-02 03:04:05+00:00", "2022-01-02T03:04:05Z",
                           "2022-01-02 03:04:05+01:00", "2022-01-02T03:04:05",
                           "2022-01-02T03:04:05.250Z", "2022-01-02", '"now"',
                           "2022-13-02T00:00:00Z"])
_targets = st.sampled_from(["c1.insertion", "c1.employabilite", "c2.espaces",
                            "c2.unites_mobiles", "c9.unknown", "", " "])
_values = st.sampled_from(["0", "3", "120", "3", "120", "-4", "10000000000000", "1_000", "+7",
                           "2.5", '"12"', "true", "1000000000000", "1000000000001", "007"])
_amounts = st.sampled_from(["25.5", "3", "25.5", "3", "0.000001", "0.0000001", "0", "0.0",
                            "-1", "1e3", "2E+1", "1000000001", "1000000000", '"2.5"', "374.80",
                            "nan", "1_000.5", "01.5"])
_kinds = st.sampled_from(["disbursement", "commitment", "expenditure", "disbursement",
                          "gift", "", " disbursement"])
_tags = st.one_of(st.just(None), st.dictionaries(
    st.sampled_from(["province", "sexe", "a-b"]), st.sampled_from(["Fès", "Taza", "x"]),
    max_size=2), st.dictionaries(st.sampled_from(["province", "sexe", "with space"]), _strings,
                                 max_size=2))


def _string(value: str) -> str:
    return f'"{value}"'


def _tags_text(tags: dict) -> str:
    parts = [f'{k if " " not in k else _string(k)} = {_string(v)}' for k, v in tags.items()]
    return "{ " + ", ".join(parts) + " }"


@st.composite
def _progress(draw) -> str:
    lines = [("id", _string(draw(_ids))), ("date", draw(_days)),
             ("target", _string(draw(_targets))), ("value", draw(_values))]
    for key in ("note", "source", "import_key"):
        if draw(st.booleans()):
            lines.append((key, _string(draw(_strings))))
    tags = draw(_tags)
    if tags is not None:
        lines.append(("tags", _tags_text(tags)))
    if draw(st.booleans()):
        lines.append(("recorded_at", draw(_stamps)))
    if draw(st.booleans()):
        lines.append(("recorded_by", _string(draw(_strings))))
    return "progress", lines


@st.composite
def _transaction(draw) -> str:
    lines = [("id", _string(draw(_ids))), ("date", draw(_days)),
             ("convention", _string(draw(st.sampled_from(["c1", "c2", "c3", ""])))),
             ("amount", draw(_amounts)), ("kind", _string(draw(_kinds)))]
    for key in ("funder", "note", "source", "import_key"):
        if draw(st.booleans()):
            value = draw(st.sampled_from(["region", "nobody"])) if key == "funder" else \
                draw(_strings)
            lines.append((key, _string(value)))
    if draw(st.booleans()):
        lines.append(("recorded_at", draw(_stamps)))
        lines.append(("recorded_by", _string(draw(_strings))))
    return "transactions", lines


@st.composite
def _other(draw) -> str:
    table = draw(st.sampled_from(["voids", "amendments", "locks"]))
    lines = [("id", _string(draw(_ids))), ("date", draw(_days))]
    if table == "voids":
        lines += [("entry", _string(draw(st.sampled_from(["dup", "missing"])))),
                  ("reason", _string("erreur"))]
    elif table == "amendments":
        lines += [("reference", '"avenant"'), ("reason", '"r"'), ("target", '"c1.insertion"'),
                  ("quantity", "21000")]
    else:
        lines += [("action", '"close"'), ("period", '"2020"')]
    return table, lines


@st.composite
def _entry(draw) -> str:
    table, lines = draw(st.one_of(_progress(), _transaction(), _other()))
    mess = draw(st.sampled_from(["none"] * 12 + [
        "shuffle", "comment", "unknown", "spaces", "literal", "header-comment", "duplicate"]))
    if mess == "shuffle":
        lines = draw(st.permutations(lines))
    text = [f"{key} = {value}" for key, value in lines]
    if mess == "comment":
        text.insert(1, "# by hand")
    elif mess == "unknown":
        text.append('colour = "blue"')
    elif mess == "spaces":
        text = [line.replace(" = ", "=") for line in text]
    elif mess == "literal":
        text = [line.replace('"', "'") if "\\" not in line else line for line in text]
    elif mess == "duplicate":
        text.append(text[0])
    header = f"[[{table}]]" + (" # by hand" if mess == "header-comment" else "")
    blank = draw(st.sampled_from(["\n", "", "\n\n"]))
    return blank + header + "\n" + "\n".join(text) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(st.lists(_entry(), max_size=8), st.sampled_from(["", "\n", "tail"]))
def test_fast_reader_equals_tomllib_and_the_builder(tmp_path, items, end):
    text = HEAD + "".join(items)
    if end == "tail":
        text = text.rstrip("\n")
    fast, slow = _both(text, tmp_path)
    assert fast == slow


def _direct_kinds(text: str) -> list[str]:
    """The kind of each journal entry of `text`, in file order; fails unless every one is
    built directly."""
    builder = fastparse.FastBuilder("x", text.encode())
    builder.document()
    kinds = []
    for chunk in fastparse._chunks(builder.data, builder.start):
        at = 0
        while at < len(chunk):
            kind, found = fastparse._matched(chunk, at)
            assert found is not None
            assert fastparse._DIRECT[kind](builder.shared, found.groups(), 0) is not None
            kinds.append(kind)
            at = found.end()
    return kinds


def test_journal_entries_are_read_directly(tmp_path):
    """The direct path is on for progress and transactions (ledger.py and model.py have the
    keys and fields it was written for), and used for entries as emploi writes them."""
    assert set(fastparse._DIRECT) == {"progress", "transaction"}
    text = HEAD + ('\n[[progress]]\nid = "01fa0000000000p1"\ndate = 2021-03-31\n'
                   'target = "c1.insertion"\nvalue = 120\ntags = { province = "Fès" }\n'
                   'recorded_at = 2021-04-02 09:15:00+00:00\nrecorded_by = "amina"\n')
    assert _direct_kinds(text) == ["progress"]
    fast, slow = _both(text, tmp_path)
    assert fast == slow


def test_the_direct_path_fills_every_field_of_the_model():
    """The fields the direct path fills are the model's, in its order: a field added to an
    entry class and forgotten here fails, rather than making the reader quietly slow."""
    text = HEAD + ('\n[[progress]]\nid = "p1"\ndate = 2021-03-31\ntarget = "c1.insertion"\n'
                   'value = 120\n\n[[transactions]]\nid = "t1"\ndate = 2021-03-31\n'
                   'convention = "c1"\namount = 1.5\nkind = "commitment"\n')
    ledger, _, _, _ = fastparse.parse(text.encode(), "x")
    assert [type(e) for e in ledger.journal] == [m.ProgressEntry, m.TransactionEntry]
    for entry in ledger.journal:
        assert entry == type(entry)(**entry._asdict())
    for kind in (m.ProgressEntry, m.TransactionEntry):  # the model with one more field
        longer = namedtuple(kind.__name__, (*kind._fields, "added"),
                            defaults=(*kind._field_defaults.values(), ""))
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(m, kind.__name__, longer)
            with pytest.raises(TypeError, match=r"Expected 1[23] arguments"):
                fastparse.parse(text.encode(), "x")


def test_entries_written_by_emploi_are_read_directly(tmp_path):
    """What writing.serialise writes (fences included) takes the direct path."""
    from datetime import UTC, datetime
    from decimal import Decimal

    from emploi_cli.store import writing

    stamp = datetime(2022, 1, 2, 3, 4, 5, tzinfo=UTC)
    written = writing.serialise([
        ("progress", {"id": "01fa0000000000p1", "date": date(2021, 3, 31),
                      "target": "c1.insertion", "value": 120, "note": "n", "source": "s",
                      "tags": {"province": "Fès", "sexe": "f"}, "import_key": "k",
                      "recorded_at": stamp, "recorded_by": "amina"}),
        ("transaction", {"id": "01fa0000000000t1", "date": date(2021, 5, 10),
                         "convention": "c1", "amount": Decimal("25.50"), "kind": "commitment",
                         "funder": "region", "recorded_at": stamp, "recorded_by": "y"}),
        ("progress", {"id": "01fa0000000000p2", "date": date(2021, 3, 31),
                      "target": "c2.espaces", "value": 3, "recorded_at": stamp,
                      "recorded_by": "amina"})])
    assert "# end 01fa0000000000p1" in written
    assert _direct_kinds(HEAD + written) == ["progress", "transaction", "progress"]
    fast, slow = _both(HEAD + written, tmp_path)
    assert fast == slow


@pytest.mark.parametrize("text", [
    HEAD.replace("\n", "\r\n") + '\r\n[[progress]]\r\nid = "a"\r\ndate = 2021-01-01\r\n'
                                 'target = "c1.insertion"\r\nvalue = 1\r\n',
    "\ufeff" + HEAD + '\n[[progress]]\nid = "a"\ndate = 2021-01-01\ntarget = "c1.insertion"\n'
                      'value = 1\n',
    HEAD + '\n[[progress]]\nid = "a"\ndate = 2021-01-01\ntarget = "c1.insertion"\nvalue = 1\n'
           'note = """deux\nlignes"""\n',
    HEAD + '\nprogress = [{id = "a", date = 2021-01-01, target = "c1.insertion", value = 1}]\n'
           '\n[[progress]]\nid = "b"\ndate = 2021-01-01\ntarget = "c1.insertion"\nvalue = 1\n',
    HEAD + '\n[[progress]]\nid = "a"\ndate = 2021-01-01\ntarget = "c1.insertion"\nvalue = 1\n'
           '[programme.extra]\nx = 1\n',
    HEAD + '\n[[progress]]\nid = "a"\ndate = 2021-01-01\ntarget = "c1.insertion"\nvalue = 1\n'
           '[progress.sub]\nx = 1\n',
    HEAD + '\n  [[progress]]\nid = "a"\ndate = 2021-01-01\ntarget = "c1.insertion"\n'
           'value = 1\n',
    HEAD + '\n[[progress]]\nid = "a"\ndate = 2021-01-01\ntarget = "c1.insertion"\nvalue = 1\n'
           'x = [\n[[1]]]\n',
    HEAD + '\n[[progress]]\nid = "a"\ndate = 2021-01-01\ntarget = "c1.insertion"\nvalue =\n',
    HEAD + '\n[[progress]]\n',
    HEAD + '\n[[progress]]',
    '[[progress]]\nid = "a"\ndate = 2021-01-01\ntarget = "c1.insertion"\nvalue = 1\n' + HEAD,
    HEAD.replace('title = "Programme', 'title = """Programme\n[[progress]]\n'),
    (HEAD + '\n[[progress]]\nid = "a"\ndate = 2021-01-01\ntarget = "c1.insertion"\nvalue = 1\n'
     'note = "caf\xe9"\n').encode("latin-1", "replace"),
    (HEAD + '\n[[progress]]\nid = "a"\ndate = 2021-01-01\ntarget = "c1.insertion"\nvalue = 1\n'
     ).encode("utf-16"),
    HEAD.replace("format = 1", "format = 2", 1) + '\n[[progress]]\nid = "a"\nvalue = = 1\n',
    HEAD.replace("format = 1", "format = 2", 1) + '\n[[progress]]\nid = "a"\nvalue = 1\n',
    HEAD.replace("format = 1", "format = true", 1) + '\n[[progress]]\nid = "a"\nvalue = = 1\n',
])
def test_unusual_files_give_what_tomllib_gives(tmp_path, text):
    fast, slow = _both(text, tmp_path)
    assert fast == slow


# ---- the column-held ledger computes as the entries do -----------------------------------


def _journal_text(count: int) -> str:
    import random

    rng = random.Random(count)
    parts = []
    for i in range(count):
        day = (date(2020, 1, 1) + timedelta(rng.randrange(1100))).isoformat()
        if rng.random() < 0.25:
            parts.append(f'\n[[transactions]]\nid = "t{i}"\ndate = {day}\n'
                         f'convention = "{rng.choice(["c1", "c2"])}"\n'
                         f'amount = {rng.choice(["1.5", "2.25", "3", "0.125", "1.50"])}\n'
                         f'kind = "{rng.choice(["commitment", "disbursement", "expenditure"])}"\n'
                         + ('funder = "region"\n' if rng.random() < 0.5 else ""))
        else:
            target = rng.choice(["c1.insertion", "c1.employabilite", "c2.espaces",
                                 "c2.unites_mobiles"])
            tags = rng.choice(["", 'tags = { province = "Fès" }\n',
                               'tags = { province = "Taza" }\n',
                               'tags = { province = "Taza", sexe = "f" }\n'])
            parts.append(f'\n[[progress]]\nid = "p{i}"\ndate = {day}\ntarget = "{target}"\n'
                         f'value = {rng.randrange(0, 40)}\n{tags}')
    for i in range(0, count, 7):
        victim = rng.choice(["p", "t"]) + str(rng.randrange(count))
        if victim in "".join(parts):
            parts.append(f'\n[[voids]]\nid = "v{i}"\ndate = 2021-06-01\nentry = "{victim}"\n'
                         'reason = "erreur"\n')
    parts.append('\n[[amendments]]\nid = "a1"\ndate = 2021-01-01\nreference = "av"\n'
                 'reason = "r"\nconvention = "c2"\namount = 40.5\n')
    return HEAD + "".join(parts)


@pytest.mark.parametrize("count", [0, 5, 120])
def test_column_ledger_computes_as_entries(tmp_path, monkeypatch, count):
    monkeypatch.delenv("EMPLOI_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    path = tmp_path / "l.toml"
    path.write_text(_journal_text(count), encoding="utf-8")
    plain = reading.load(path).ledger
    cache.load(path)
    columns = cache.load(path).ledger
    assert isinstance(columns.journal, cache.ColumnJournal) and columns == plain
    for day in (date(2019, 1, 1), date(2020, 6, 30), date(2021, 6, 1), date(2030, 1, 1)):
        assert position.funding(columns, day) == position.funding(plain, day)
        assert position.achieved(columns, day) == position.achieved(plain, day)
        assert position.in_force(columns, day) == position.in_force(plain, day)
        for tag in ("province", "sexe"):
            assert position.tag_lines(columns, day, tag) == position.tag_lines(plain, day, tag)
        for kind in (m.ProgressEntry, m.TransactionEntry):
            names = ("id", "date", "seq", "tags" if kind is m.ProgressEntry else "amount")
            assert list(columns.journal.live_rows(kind, names, day)) == list(
                position.live_rows(plain, kind, names, day))
        some = ("target", {t.id for t in plain.targets[::2]})
        assert list(columns.journal.live_rows(m.ProgressEntry, position.PROGRESS_ROW, day,
                                              some)) == list(position.live_rows(
            plain, m.ProgressEntry, position.PROGRESS_ROW, day, only=some))
        for kind, names in ((m.ProgressEntry, ("target", "tags", "value")),
                            (m.TransactionEntry, ("convention", "funder", "amount"))):
            assert columns.journal.live_counts(kind, names, day) == Counter(
                position.live_rows(plain, kind, names, day))
        cumulative = {t.id for t in plain.targets if t.reporting == "cumulative"}
        assert {target: dict(series) for target, series in position._achievements(
            columns, day).items()} == {target: dict(series) for target, series in
                                      _series_by_target(plain, day, cumulative).items()}
    for kind in m.ENTRY_CLASSES.values():
        assert columns.entries(kind) == plain.entries(kind)
        # one kind is read from its own columns, without building the others' entries
        assert columns.journal.of_kind(kind) == tuple(plain.entries(kind))
    assert columns.journal.of_kind(m.Provenance) is None
    fresh = cache.load(path).ledger.journal
    for kind in m.ENTRY_CLASSES.values():
        assert fresh.of_kind(kind) == tuple(plain.entries(kind))
    assert fresh._entries is None  # no kind asked for built the whole journal
    assert columns.voided_ids == plain.voided_ids
    assert columns.journal == plain.journal


def test_counts_from_the_indexes_of_an_extended_cache(tmp_path, monkeypatch):
    """A cache extended by an append adds the new rows' values to its tables without reading
    them: a value may then stand twice in a table, and rows counted by their indexes still
    add up by value."""
    monkeypatch.delenv("EMPLOI_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    path = tmp_path / "l.toml"
    rows = "".join(f'\n[[progress]]\nid = "p{i}"\ndate = 2021-0{1 + i % 6}-1{i % 9}\n'
                   f'target = "c1.insertion"\nvalue = {1 + i % 3}\n'
                   f'tags = {{ province = "{("Fès", "Taza")[i % 2]}" }}\n' for i in range(12))
    path.write_text(HEAD + rows, encoding="utf-8")
    cache.load(path)
    assert cache.load(path).ledger.journal.parts["progress"].coded("value") is not None
    with path.open("a", encoding="utf-8") as stream:
        stream.write('\n[[progress]]\nid = "again"\ndate = 2021-02-11\n'
                     'target = "c1.insertion"\nvalue = 2\ntags = { province = "Taza" }\n')
    extended = cache.load(path).ledger.journal
    assert isinstance(extended, cache.ColumnJournal)
    table = extended.parts["progress"].coded("target")[0]
    assert table.count("c1.insertion") == 2  # the extension added it again
    plain = reading.load(path).ledger
    names = ("target", "tags", "value")
    for day in (date(2021, 2, 11), date(2021, 4, 1), date(2030, 1, 1)):
        assert extended.live_counts(m.ProgressEntry, names, day) == Counter(
            position.live_rows(plain, m.ProgressEntry, names, day))
        assert list(extended.live_rows(m.ProgressEntry, position.PROGRESS_ROW, day)) == list(
            position.live_rows(plain, m.ProgressEntry, position.PROGRESS_ROW, day))


def _series_by_target(ledger, day, cumulative):
    """position._series over every live progress row, per target: what _achievements gives."""
    found: dict = {}
    rows = position.live_rows(ledger, m.ProgressEntry, position.PROGRESS_ROW, day)
    for (target, tags), value in position._series(rows, cumulative).items():
        found.setdefault(target, {})[tags] = value
    return found


def test_flows_add_up_as_flows_add_does():
    """position._flows sums per key then per line; Flows.add sums entry by entry."""
    amounts = ["1.5", "0.25", "3", "1.50", "0.000001", "7E+1"]
    ledger = reading.load(SHIPPED).ledger
    journal = tuple(
        m.TransactionEntry(f"t{i}", date(2021, 1, 1), i, m.Provenance(), ["c1", "c2"][i % 2],
                           cache.Decimal(a), ["commitment", "disbursement",
                                              "expenditure"][i % 3], ["", "region"][i % 2])
        for i, a in enumerate(amounts * 3))
    ledger = m.Ledger(**{f: getattr(ledger, f) for f in ("path", "format", "programme",
                                                         "sources", "partners", "funders",
                                                         "conventions")}, journal=journal)
    found = position._flows(ledger, date(2022, 1, 1))
    by_convention: dict = defaultdict(position.Flows)  # the loop position.funding had
    by_funder: dict = defaultdict(position.Flows)
    unnamed = everything = position.Flows()
    for e in journal:
        by_convention[e.convention] = by_convention[e.convention].add(e.transaction_kind,
                                                                      e.amount)
        everything = everything.add(e.transaction_kind, e.amount)
        if e.funder:
            by_funder[e.funder] = by_funder[e.funder].add(e.transaction_kind, e.amount)
        else:
            unnamed = unnamed.add(e.transaction_kind, e.amount)
    by_pair: dict = defaultdict(position.Flows)
    for e in journal:
        if e.funder:
            by_pair[(e.funder, e.convention)] = by_pair[(e.funder, e.convention)].add(
                e.transaction_kind, e.amount)
    expected = (by_convention, by_funder, unnamed, everything, by_pair)
    assert repr((dict(found[0]), dict(found[1]), *found[2:4], dict(found[4]))) == repr(
        (dict(expected[0]), dict(expected[1]), *expected[2:4], dict(expected[4])))
    # repr: same exponents too


_PROGRESS_TEXT = ('\n[[progress]]\nid = "01fa0000000000p1"\ndate = 2021-03-31\n'
                  'target = "c1.insertion"\nvalue = 120\nnote = "n"\nsource = "s"\n'
                  'tags = { province = "Fès" }\nimport_key = "k"\n'
                  'recorded_at = 2021-04-02 09:15:00+00:00\nrecorded_by = "amina"\n')
_TRANSACTION_TEXT = ('\n[[transactions]]\nid = "01fa0000000000t1"\ndate = 2021-05-10\n'
                     'convention = "c1"\namount = 25.5\nkind = "disbursement"\n'
                     'funder = "region"\nnote = "n"\nsource = "s"\nimport_key = "k"\n'
                     'recorded_at = 2021-05-11 08:00:00+00:00\nrecorded_by = "youssef"\n')
_EDGES = [  # (template, text to replace, replacement): each at the edge of the direct path
    *[(_PROGRESS_TEXT, "value = 120", f"value = {v}")
      for v in ("0", "1000000000000", "1000000000001", "9999999999999", "00")],
    *[(_PROGRESS_TEXT, '"c1.insertion"', v) for v in ('""', '" "', '"c9"')],
    *[(_PROGRESS_TEXT, '"01fa0000000000p1"', v)
      for v in ('""', '" a"', '"a "', f'"{"x" * 64}"', f'"{"x" * 65}"', '"a\x85b"',
                '"a\u2028b"')],
    *[(_PROGRESS_TEXT, "2021-03-31", v)
      for v in ("1899-12-31", "1900-01-01", "2021-02-29", "2020-02-29", "0001-01-01")],
    *[(_PROGRESS_TEXT, "2021-04-02 09:15:00+00:00", v)
      for v in ("2021-04-02T09:15:00Z", "2021-04-02 09:15:00", "2021-04-02 09:15:00+01:30",
                "2021-04-02 09:15:00-23:59", "2021-04-02 09:15:00+24:00",
                "2021-04-02 09:15:60+00:00", "2021-04-02 24:00:00+00:00",
                "2021-04-02 09:15:00+01:75", "2021-04-02t09:15:00z")],
    *[(_PROGRESS_TEXT, '{ province = "Fès" }', v)
      for v in ("{ }", "{}", '{ a = "x", a = "y" }', '{ b = "2", a = "1" }',
                '{ province = "Fès", }', '{province = "Fès"}')],
    *[(_PROGRESS_TEXT, 'note = "n"', v)
      for v in ('note = ""', 'note = "\t"', 'note = "a\\u0000b"', "note = 'lit'")],
    *[(_PROGRESS_TEXT, 'recorded_by = "amina"\n', v)
      for v in ('recorded_by = "amina"\n# end x\n', 'recorded_by = "amina"\n# end x\n\n# e',
                'recorded_by = "amina"\n#\n', 'recorded_by = "amina"\n# bell\x07\n',
                'recorded_by = "amina"\n  # indented\n', 'recorded_by = "amina"\n#\x7f\n',
                'recorded_by = "amina" # after\n')],
    *[(_TRANSACTION_TEXT, "amount = 25.5", f"amount = {v}")
      for v in ("0", "0.0", "1000000000", "1000000000.000001", "1000000001", "0.000001",
                "0.0000001", "1.0000000", "00.5", "5", "5.")],
    *[(_TRANSACTION_TEXT, '"disbursement"', v)
      for v in ('"gift"', '""', '"Disbursement"', '"expenditure"', '"commitment"')],
    *[(_TRANSACTION_TEXT, '"c1"', v) for v in ('""', '" "', '"c3"')],
    *[(_TRANSACTION_TEXT, 'funder = "region"', v) for v in ('funder = ""', 'funder = "x"')],
]


@pytest.mark.parametrize(("template", "old", "new"), _EDGES)
def test_direct_path_edges(tmp_path, template, old, new):
    assert old in template
    fast, slow = _both(HEAD + template.replace(old, new, 1), tmp_path)
    assert fast == slow


def test_direct_entries_are_the_objects_their_constructor_makes():
    """The direct path builds each entry from its values in the model's order: the same
    object as its constructor makes from its named fields, same repr, hash and pickle."""
    import pickle

    text = HEAD + _PROGRESS_TEXT + _TRANSACTION_TEXT
    assert _direct_kinds(text) == ["progress", "transaction"]
    ledger, _, _, _ = fastparse.parse(text.encode(), "x")
    for entry in ledger.journal:
        made = type(entry)(**{name: getattr(entry, name) for name in type(entry)._fields})
        assert type(made) is type(entry) and made._asdict() == entry._asdict()
        assert (entry, repr(entry), hash(entry)) == (made, repr(made), hash(made))
        assert pickle.loads(pickle.dumps(entry)) == made

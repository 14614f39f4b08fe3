"""`emploi export --format sqlite`: ledgers and journals as relational tables, for SQL tools.

One database holds one or more ledgers; every table has a `programme` column (the ledger's
`programme.id`). Money is stored twice: `*_mdh` TEXT, the exact decimal in MDH as the ledger
writes it, and `*_dh` INTEGER, whole dirhams (exact: the ledger keeps money to the dirham), for
sums in SQL. Dates are ISO 8601 TEXT. The tables `targets_achieved` and `funding_execution`
hold the figures of each programme's position (domain.position) as of the export's date
(`export_info.as_of`, repeated in their `as_of` column): the figures of `emploi targets` and
`emploi summary`, computed once, never a second time in SQL. The file is written beside the
target and renamed over it. docs/sqlite.md documents the schema.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

from ..domain import model as m
from ..domain import position
from ..store.files import atomic_write

SCHEMA_VERSION = 3
SQLITE_MAGIC = b"SQLite format 3\x00"
DH_PER_MDH = 1_000_000

TABLES = """
CREATE TABLE export_info (
    schema_version INTEGER NOT NULL,
    as_of TEXT NOT NULL,
    emploi_version TEXT NOT NULL
);
CREATE TABLE programmes (
    programme TEXT PRIMARY KEY,
    ord INTEGER NOT NULL,
    ledger TEXT NOT NULL,
    title TEXT NOT NULL,
    region TEXT,
    framework TEXT,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    total_mdh TEXT NOT NULL,
    total_dh INTEGER NOT NULL,
    currency TEXT NOT NULL,
    unit TEXT NOT NULL,
    signed_place TEXT,
    signed_date TEXT,
    signed_note TEXT,
    source TEXT,
    fiscal_year_start INTEGER NOT NULL
);
CREATE TABLE sources (
    programme TEXT NOT NULL REFERENCES programmes(programme),
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT,
    file TEXT,
    PRIMARY KEY (programme, id)
);
CREATE TABLE partners (
    programme TEXT NOT NULL REFERENCES programmes(programme),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    full_name TEXT,
    PRIMARY KEY (programme, id)
);
CREATE TABLE funders (
    programme TEXT NOT NULL REFERENCES programmes(programme),
    id TEXT NOT NULL,
    ord INTEGER NOT NULL,
    name TEXT NOT NULL,
    amount_mdh TEXT,
    amount_dh INTEGER,
    estimated INTEGER NOT NULL,
    source TEXT,
    PRIMARY KEY (programme, id)
);
CREATE TABLE funder_conventions (
    programme TEXT NOT NULL,
    funder TEXT NOT NULL,
    convention TEXT NOT NULL,
    PRIMARY KEY (programme, funder, convention)
);
CREATE TABLE conventions (
    programme TEXT NOT NULL REFERENCES programmes(programme),
    id TEXT NOT NULL,
    ord INTEGER NOT NULL,
    title TEXT NOT NULL,
    amount_mdh TEXT NOT NULL,
    amount_dh INTEGER NOT NULL,
    source TEXT,
    PRIMARY KEY (programme, id)
);
CREATE TABLE targets (
    programme TEXT NOT NULL REFERENCES programmes(programme),
    id TEXT NOT NULL,
    ord INTEGER NOT NULL,
    convention TEXT NOT NULL,
    indicator TEXT NOT NULL,
    label TEXT NOT NULL,
    quantity INTEGER,
    unit TEXT NOT NULL,
    reporting TEXT NOT NULL,
    start_date TEXT,
    end_date TEXT,
    budget_mdh TEXT,
    budget_dh INTEGER,
    source TEXT,
    PRIMARY KEY (programme, id)
);
CREATE TABLE milestones (
    programme TEXT NOT NULL,
    target TEXT NOT NULL,
    date TEXT NOT NULL,
    value INTEGER NOT NULL
);
CREATE TABLE entries (
    programme TEXT NOT NULL REFERENCES programmes(programme),
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    date TEXT NOT NULL,
    target TEXT,
    value INTEGER,
    convention TEXT,
    funder TEXT,
    amount_mdh TEXT,
    amount_dh INTEGER,
    transaction_kind TEXT,
    note TEXT,
    source TEXT,
    series TEXT,
    import_key TEXT,
    voided_entry TEXT,
    reason TEXT,
    reference TEXT,
    quantity INTEGER,
    end_date TEXT,
    plan_year INTEGER,
    action TEXT,
    period TEXT,
    name TEXT,
    voided_by TEXT,
    recorded_at TEXT,
    recorded_by TEXT,
    PRIMARY KEY (programme, id)
);
CREATE INDEX entries_kind ON entries (programme, kind, date);
CREATE TABLE tags (
    programme TEXT NOT NULL,
    entry TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (programme, entry, key)
);
CREATE TABLE profiles (
    programme TEXT NOT NULL,
    entry TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    decimal TEXT NOT NULL,
    thousands TEXT NOT NULL,
    date_format TEXT NOT NULL,
    delimiter TEXT NOT NULL,
    encoding TEXT NOT NULL,
    sheet TEXT,
    header_row INTEGER NOT NULL,
    PRIMARY KEY (programme, entry)
);
CREATE TABLE profile_columns (
    programme TEXT NOT NULL,
    entry TEXT NOT NULL,
    field TEXT NOT NULL,
    column_name TEXT NOT NULL,
    PRIMARY KEY (programme, entry, field)
);
CREATE TABLE targets_achieved (
    programme TEXT NOT NULL REFERENCES programmes(programme),
    as_of TEXT NOT NULL,
    id TEXT NOT NULL,
    ord INTEGER NOT NULL,
    convention TEXT NOT NULL,
    indicator TEXT NOT NULL,
    label TEXT NOT NULL,
    target INTEGER,
    original_target INTEGER,
    unit TEXT NOT NULL,
    reporting TEXT NOT NULL,
    achieved INTEGER NOT NULL,
    remaining INTEGER,
    progress REAL
);
CREATE TABLE funding_execution (
    programme TEXT NOT NULL REFERENCES programmes(programme),
    as_of TEXT NOT NULL,
    record TEXT NOT NULL,
    id TEXT,
    title TEXT,
    name TEXT,
    amount_mdh TEXT,
    amount_dh INTEGER,
    original_amount_mdh TEXT,
    original_amount_dh INTEGER,
    share REAL,
    estimated INTEGER,
    committed_mdh TEXT NOT NULL,
    committed_dh INTEGER NOT NULL,
    disbursed_mdh TEXT NOT NULL,
    disbursed_dh INTEGER NOT NULL,
    spent_mdh TEXT NOT NULL,
    spent_dh INTEGER NOT NULL,
    execution REAL
);
"""


# ---- values ------------------------------------------------------------------------------


def dirhams(amount: Decimal | None) -> int | None:
    """MDH to whole dirhams; exact, since the ledger keeps money to the dirham."""
    if amount is None:
        return None
    value = amount * DH_PER_MDH
    if value != value.to_integral_value():
        raise ValueError(f"{amount} MDH is finer than one dirham")
    return int(value)


def mdh_text(dh: int | None) -> str | None:
    """Whole dirhams as exact MDH text with at least two decimals."""
    if dh is None:
        return None
    sign = "-" if dh < 0 else ""
    whole, rest = divmod(abs(dh), DH_PER_MDH)
    if rest % 10000 == 0:
        return f"{sign}{whole}.{rest // 10000:02d}"
    return f"{sign}{whole}.{rest:06d}".rstrip("0")


def _money(amount: Decimal | None) -> tuple[str | None, int | None]:
    dh = dirhams(amount)
    return mdh_text(dh), dh


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _text(value: str) -> str | None:
    return value or None


def series(tags: tuple[tuple[str, str], ...]) -> str:
    """The tag set of a progress entry as one value (JSON), for grouping cumulative series."""
    return json.dumps([list(pair) for pair in sorted(tags)], ensure_ascii=False)


# ---- writing -----------------------------------------------------------------------------


def export(target: Path, ledgers: list[m.Ledger], as_of: date, version: str) -> dict[str, int]:
    """Write `ledgers` into a new SQLite database and rename it over `target`.

    Refuses (EmploiError) two ledgers with the same programme id, and an existing `target`
    that is not a SQLite database (it is never replaced by mistake)."""
    file = str(target)
    seen: dict[str, str] = {}
    for ledger in ledgers:
        pid = ledger.programme.id
        if pid in seen:
            raise m.refusal("duplicate-programme", "programme id {pid} is in both {seen} and "
                                                   "{path}; each ledger needs its own "
                                                   "programme.id to be exported together",
                            entry=pid, field="id", place=m.Place(ledger.path),
                            args={"pid": repr(pid), "seen": seen[pid], "path": ledger.path})
        seen[pid] = ledger.path
    if target.is_dir():
        raise m.refusal("output-dir", "is a directory", place=m.Place(file))
    if target.exists():
        try:
            with open(target, "rb") as handle:
                head = handle.read(len(SQLITE_MAGIC))
        except OSError as exc:
            raise m.refusal("unreadable", "{reason}",
                        args={"reason": exc.strerror or m.phrase("cannot read")},
                            place=m.Place(file)) from None
        if head and head != SQLITE_MAGIC:
            raise m.refusal("not-sqlite", "exists and is not a SQLite database; refusing to "
                            "replace it", place=m.Place(file))
    counts: dict[str, int] = {}

    def fill(temp: Path) -> None:
        connection = sqlite3.connect(temp)
        try:
            counts.update(_fill(connection, ledgers, as_of, version))
            connection.commit()
        finally:
            connection.close()
    real = Path(os.path.realpath(target))
    try:
        atomic_write(real, fill)
    except (OSError, sqlite3.Error) as exc:
        temp = real.with_name(f".{real.name}.{os.getpid()}.tmp")
        for suffix in ("-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(f"{temp}{suffix}").unlink(missing_ok=True)
        reason = getattr(exc, "strerror", None) or str(exc)
        raise m.refusal("write-failed", "cannot write the database ({reason}); the file is "
                                        "unchanged", place=m.Place(file),
                                            args={"reason": reason}) from None
    return counts


def _fill(db: sqlite3.Connection, ledgers: list[m.Ledger], as_of: date, version: str
          ) -> dict[str, int]:
    db.executescript(TABLES)
    db.execute("INSERT INTO export_info VALUES (?, ?, ?)",
               (SCHEMA_VERSION, as_of.isoformat(), version))
    counts = {"programmes": 0, "conventions": 0, "targets": 0, "entries": 0}
    for ord_, ledger in enumerate(ledgers):
        _ledger(db, ledger, ord_)
        _figures(db, position.position(ledger, as_of))
        counts["programmes"] += 1
        counts["conventions"] += len(ledger.conventions)
        counts["targets"] += len(ledger.targets)
        counts["entries"] += len(ledger.journal)
    return counts


def _real(value: Decimal | None) -> float | None:
    """A percentage (2 decimals) as SQLite REAL."""
    return None if value is None else float(value)


def _figures(db: sqlite3.Connection, pos: position.Position) -> None:
    """The position's figures: one row per target, and per total, convention, funder and the
    part with no named funder."""
    pid, day, f = pos.programme.id, pos.as_of.isoformat(), pos.funding
    db.executemany("INSERT INTO targets_achieved VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", [
        (pid, day, t.id, i, t.convention, t.indicator, t.label, t.quantity, t.original_quantity,
         t.unit, t.reporting, t.achieved, t.remaining, _real(t.progress))
        for i, t in enumerate(pos.targets)])

    def line(record: str, ident: str | None, title: str | None, name: str | None,
             amount: Decimal | None, original: Decimal | None, share: Decimal | None,
             estimated: bool | None, flows: position.Flows, execution: Decimal | None
             ) -> tuple:
        return (pid, day, record, ident, title, name, *_money(amount), *_money(original),
                _real(share), None if estimated is None else int(estimated),
                *_money(flows.committed), *_money(flows.disbursed), *_money(flows.spent),
                _real(execution))

    rows = [line("total", None, pos.programme.title, None, f.total_in_force, f.total,
                 position.percent(f.total_in_force, f.total_in_force), None, f.total_flows,
                 f.execution)]
    rows += [line("convention", c.id, c.name, None, c.amount, c.original_amount, c.share,
                  None, c.flows, c.execution) for c in f.conventions]
    rows += [line("funder", x.id, None, x.name, x.amount, x.original_amount, x.share,
                  x.estimated, x.flows, x.execution) for x in f.funders]
    rows.append(line("unattributed", None, None, None, f.unattributed, f.original_unattributed,
                     f.unattributed_share, None, f.unattributed_flows, None))
    db.executemany(f"INSERT INTO funding_execution VALUES ({','.join('?' * 19)})", rows)


def _ledger(db: sqlite3.Connection, ledger: m.Ledger, ord_: int) -> None:
    p = ledger.programme
    pid = p.id
    total = _money(p.total)
    db.execute("INSERT INTO programmes VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (
        pid, ord_, ledger.path, p.title, _text(p.region), _text(p.framework),
        p.start.isoformat(), p.end.isoformat(), *total, p.currency, p.unit,
        _text(p.signed_place), _day(p.signed_date), _text(p.signed_note), _text(p.source),
        p.fiscal_year_start))
    db.executemany("INSERT INTO sources VALUES (?,?,?,?,?)", [
        (pid, s.id, s.title, _text(s.kind), _text(s.file)) for s in ledger.sources])
    db.executemany("INSERT INTO partners VALUES (?,?,?,?)", [
        (pid, x.id, x.name, _text(x.full_name)) for x in ledger.partners])
    db.executemany("INSERT INTO funders VALUES (?,?,?,?,?,?,?,?)", [
        (pid, f.id, i, f.name, *_money(f.amount), int(f.estimated), _text(f.source))
        for i, f in enumerate(ledger.funders)])
    every = tuple(c.id for c in ledger.conventions)
    db.executemany("INSERT OR IGNORE INTO funder_conventions VALUES (?,?,?)", [
        (pid, f.id, c) for f in ledger.funders for c in (f.conventions or every)])
    db.executemany("INSERT INTO conventions VALUES (?,?,?,?,?,?,?)", [
        (pid, c.id, i, c.title, *_money(c.amount), _text(c.source))
        for i, c in enumerate(ledger.conventions)])
    db.executemany("INSERT INTO targets VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", [
        (pid, t.id, i, t.convention, t.indicator, t.label, t.quantity, t.unit, t.reporting,
         _day(t.start), _day(t.end), *_money(t.budget), _text(t.source))
        for i, t in enumerate(ledger.targets)])
    db.executemany("INSERT INTO milestones VALUES (?,?,?,?)", [
        (pid, t.id, ms.date.isoformat(), ms.value) for t in ledger.targets
        for ms in t.milestones])
    voided_by: dict[str, str] = {}
    for e in sorted(ledger.entries(m.VoidEntry), key=lambda v: v.seq):
        voided_by.setdefault(e.entry, e.id)
    db.executemany(f"INSERT INTO entries VALUES ({','.join('?' * 28)})",
                   [_entry_row(pid, e, voided_by.get(e.id)) for e in ledger.journal])
    db.executemany("INSERT INTO tags VALUES (?,?,?,?)", [
        (pid, e.id, k, v) for e in ledger.entries(m.ProgressEntry) for k, v in e.tags])
    profiles = ledger.entries(m.ProfileEntry)
    db.executemany("INSERT INTO profiles VALUES (?,?,?,?,?,?,?,?,?,?,?)", [
        (pid, e.id, e.name, e.entry_kind, e.decimal, e.thousands, e.date_format, e.delimiter,
         e.encoding, _text(e.sheet), e.header_row) for e in profiles])
    db.executemany("INSERT INTO profile_columns VALUES (?,?,?,?)", [
        (pid, e.id, name, column) for e in profiles for name, column in e.columns])


def _entry_row(pid: str, e: m.JournalEntry, voided_by: str | None) -> tuple:
    row: dict = {"target": None, "value": None, "convention": None, "funder": None,
                 "amount": None, "transaction_kind": None, "note": None, "source": None,
                 "series": None, "import_key": None, "voided_entry": None, "reason": None,
                 "reference": None, "quantity": None, "end_date": None, "plan_year": None,
                 "action": None,
                 "period": None, "name": None}
    if isinstance(e, m.ProgressEntry):
        row.update(target=e.target, value=e.value, note=_text(e.note), source=_text(e.source),
                   series=series(e.tags), import_key=_text(e.import_key))
    elif isinstance(e, m.TransactionEntry):
        row.update(convention=e.convention, funder=_text(e.funder), amount=e.amount,
                   transaction_kind=e.transaction_kind, note=_text(e.note),
                   source=_text(e.source), import_key=_text(e.import_key))
    elif isinstance(e, m.VoidEntry):
        row.update(voided_entry=e.entry, reason=e.reason)
    elif isinstance(e, m.AmendmentEntry):
        row.update(reference=e.reference, reason=e.reason, convention=_text(e.convention),
                   funder=_text(e.funder), target=_text(e.target), amount=e.amount,
                   quantity=e.quantity, end_date=_day(e.end), plan_year=e.year)
    elif isinstance(e, m.AssertionEntry):
        row.update(source=e.source, target=_text(e.target), value=e.value,
                   convention=_text(e.convention), amount=e.amount,
                   transaction_kind=_text(e.transaction_kind), funder=_text(e.funder))
    elif isinstance(e, m.LockEntry):
        row.update(action=e.action, period=e.period, reason=_text(e.reason))
    elif isinstance(e, m.ProfileEntry):
        row.update(name=e.name)
    amount = _money(row.pop("amount"))
    recorded_at = e.provenance.recorded_at
    return (pid, e.id, e.seq, e.kind, e.date.isoformat(), row["target"], row["value"],
            row["convention"], row["funder"], *amount, row["transaction_kind"], row["note"],
            row["source"], row["series"], row["import_key"], row["voided_entry"],
            row["reason"], row["reference"], row["quantity"], row["end_date"], row["plan_year"],
            row["action"], row["period"], row["name"], voided_by,
            recorded_at.isoformat().replace("+00:00", "Z") if recorded_at else None,
            _text(e.provenance.recorded_by))

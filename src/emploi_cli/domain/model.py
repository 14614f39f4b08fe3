"""The ledger's data: definitions, journal entries and problems, as named tuples.

Nothing here reads files, prints or exits. Money is `Decimal` (MDH), counts are `int`.

Every value is a `typing.NamedTuple`: immutable, compared and hashed by value, changed with
`_replace`, its field names in `_fields`. A named tuple costs about a seventh of a frozen
dataclass to define, and a command defines all of these at start-up (docs/performance.md).
Being tuples, two records of different classes with the same values compare equal: nothing
compares records of different classes (journal entries differ in their `kind`). The
`Ledger` subclasses its named tuple (`LedgerValues`) to keep what it works out.

The annotations are evaluated where they stand (no `from __future__ import annotations`):
`typing.NamedTuple` compiles each annotation written as a string, a third of its cost. A
field named `date` with a default is annotated as a string, its name being taken by then.
"""

from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

FORMAT_VERSION = 1

REPORTING_MODES = ("increment", "cumulative")
TRANSACTION_KINDS = ("commitment", "disbursement", "expenditure")
ENTRY_KINDS = ("progress", "transaction", "void", "amendment", "assertion", "lock", "profile")
# The TOML array-of-tables name of each journal entry kind.
ENTRY_TABLES = {
    "progress": "progress",
    "transaction": "transactions",
    "void": "voids",
    "amendment": "amendments",
    "assertion": "assertions",
    "lock": "locks",
    "profile": "profiles",
}
TABLE_KINDS = {table: kind for kind, table in ENTRY_TABLES.items()}


# ---- records -----------------------------------------------------------------------------


class Place(NamedTuple):
    """Where a problem is: file, TOML key path, line and column (1-based) when known."""

    file: str = ""
    path: str = ""
    line: int | None = None
    column: int | None = None


class Problem(NamedTuple):
    """One finding about a ledger or an input: an error or a warning, with its place.

    `code` says what it is (stable, for scripts and for a catalogue of messages); `entry` is the
    id of what it concerns (a journal entry, a convention, target, funder...; "" when none);
    `field` the key (`quantity`, `amount`, `date`); `template` the English text with a
    `{name}` field for each value, and `args` those values as (name, text) pairs: present/
    words the problem in the user's language from the two (the catalogs' msgid is the
    template). `message` is the English text, the template filled; no code reads it to
    decide anything.
    """

    severity: str  # "error" | "warning"
    code: str
    message: str
    place: Place = Place()
    entry: str = ""
    field: str = ""
    args: tuple[tuple[str, str], ...] = ()
    template: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def money_text(value: Decimal, places: int = 2) -> str:
    """Exact decimal text with at least `places` decimals: 406.8 -> 406.80, 0.755 -> 0.755."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        return f"{value:f}"
    return f"{value:.{places}f}"


class EmploiError(Exception):
    """Raised by the library for anything a user can cause; carries problems, never a traceback."""

    def __init__(self, problems: list[Problem] | Problem, exit_code: int = 1):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        self.exit_code = exit_code
        super().__init__("; ".join(p.message for p in self.problems))


Args = dict[str, object] | None


class Phrase(str):
    """A part of a message worded apart (a hint, a suggestion): its English text, with its
    template and values, so that present/ can word it in another language too. As an arg it
    becomes `name` (the English text), `name.template` and `name.<field>` pairs."""

    template: str
    values: dict

    def __new__(cls, template: str, values: dict) -> "Phrase":
        made = super().__new__(cls, fill(template, _args(values)))
        made.template, made.values = template, values
        return made


def phrase(template: str, **values: object) -> Phrase:
    """`phrase(" (did you mean {suggestion}?)", suggestion="'c1'")`: a translatable part."""
    return Phrase(template, values)


def restated(problem: Problem) -> Phrase:
    """A problem's text as a phrase of another message ("would leave: {problem}")."""
    return Phrase(problem.template or problem.message, dict(problem.args))


def _args(values: Args) -> tuple[tuple[str, str], ...]:
    if not values:
        return ()
    pairs: list[tuple[str, str]] = []
    for name, value in values.items():
        pairs.append((name, str(value)))
        if isinstance(value, Phrase):
            pairs.append((f"{name}.template", value.template))
            pairs += [(f"{name}.{inner}", text) for inner, text in _args(value.values)]
    return tuple(pairs)


def fill(template: str, args: tuple[tuple[str, str], ...]) -> str:
    """A template's `{name}` fields filled from args (the template as it is without args)."""
    if not args:
        return template
    try:
        return template.format_map(dict(args))
    except (KeyError, IndexError, ValueError, AttributeError):
        return template


def _problem(severity: str, code: str, template: str, place: Place | None, entry: str,
             field: str, args: Args) -> Problem:
    pairs = _args(args)
    return Problem(severity, code, fill(template, pairs), place or Place(), entry, field, pairs,
                   template)


def error(code: str, template: str, place: Place | None = None, *, entry: str = "",
          field: str = "", args: Args = None) -> Problem:
    """An error: the ledger or the input is wrong and nothing is computed or written from it.
    `template` is English, one `{name}` field for each of `args` (the catalogs translate it)."""
    return _problem("error", code, template, place, entry, field, args)


def warning(code: str, template: str, place: Place | None = None, *, entry: str = "",
            field: str = "", args: Args = None) -> Problem:
    """A warning: worth a look, but the figures stand."""
    return _problem("warning", code, template, place, entry, field, args)


def note(code: str, template: str, place: Place | None = None, *, entry: str = "",
         field: str = "", args: Args = None) -> Problem:
    """A note: nothing wrong, worth saying (a reconciliation that holds)."""
    return _problem("note", code, template, place, entry, field, args)


def refusal(code: str, template: str, *, entry: str = "", field: str = "",
            place: Place | None = None, args: Args = None, exit_code: int = 1) -> EmploiError:
    """The one way the library refuses something a user asked: an EmploiError holding one error.

    `raise refusal("negative", "value must not be negative ({value})", field="value",
    args={"value": -3})`."""
    return EmploiError(error(code, template, place, entry=entry, field=field, args=args),
                       exit_code)


# ---- definitions -------------------------------------------------------------------------


class Source(NamedTuple):
    """A document the figures come from, cited as a reader would find it: title, publisher,
    date, language and url. `file` is only read from older ledgers (`check` warns about it)."""

    id: str
    title: str
    kind: str = ""
    file: str = ""
    publisher: str = ""
    date: "date | None" = None
    language: str = ""
    url: str = ""


class Alternative(NamedTuple):
    """A figure another source gives differently from the one the ledger uses."""

    source: str
    amount: Decimal | None = None  # for a convention or a funder
    quantity: int | None = None  # for a target


class Tranche(NamedTuple):
    """One year of a financing plan: the amount planned for a fiscal year."""

    year: int
    amount: Decimal


class Contribution(NamedTuple):
    """What one funder gives to one convention, as a source states it."""

    convention: str
    amount: Decimal
    source: str = ""
    plan: tuple[Tranche, ...] = ()


class Partner(NamedTuple):
    """An organisation that carries out the programme."""

    id: str
    name: str
    full_name: str = ""


class IatiOrganisation(NamedTuple):
    """How an IATI document names one funder or partner: its role (an OrganisationRole code),
    and its organisation identifier and type when the ledger gives them."""

    id: str  # the funder's or partner's id
    role: str = ""  # "" : the default (funders 1 Funding, partners 4 Implementing)
    ref: str = ""
    type: str = ""


class Iati(NamedTuple):
    """What an IATI activity file needs that the rest of the ledger does not say: who reports,
    the programme's activity identifier, its DAC sector, and its organisations' roles."""

    reporting_org_ref: str = ""
    reporting_org_type: str = ""
    reporting_org_name: str = ""
    identifier_prefix: str = ""
    sector: str = ""
    language: str = ""  # the language of the ledger's titles ("": its source's language)
    organisations: tuple[IatiOrganisation, ...] = ()


class Programme(NamedTuple):
    """The programme: its period, total and where it was signed."""

    id: str
    title: str
    start: date
    end: date
    total: Decimal
    currency: str
    unit: str
    region: str = ""
    framework: str = ""
    signed_place: str = ""
    signed_date: date | None = None
    signed_note: str = ""
    source: str = ""
    fiscal_year_start: int = 1
    first_report: date | None = None  # when the first report on every target is due
    iati: Iati | None = None  # [programme.iati], when the ledger has it

    @property
    def schedule_start(self) -> date:
        """Where pace schedules start: the signing when a source dates it, else `start`."""
        return self.signed_date or self.start


class Funder(NamedTuple):
    """Who pays, how much (None when the source does not say) and for which conventions."""

    id: str
    name: str
    amount: Decimal | None
    estimated: bool = False
    conventions: tuple[str, ...] = ()
    source: str = ""
    at_least: bool = False  # the source gives the amount as a floor ("more than 200 MDH")
    contributions: tuple[Contribution, ...] = ()
    alternatives: tuple[Alternative, ...] = ()


class Milestone(NamedTuple):
    """A value a target should reach by a date."""

    date: date
    value: int


class Baseline(NamedTuple):
    """Where a target's indicator stood before the programme: a value in a year (and on a
    date, when the source gives one)."""

    year: int
    value: int
    date: "date | None" = None


class Target(NamedTuple):
    """A number to reach under a convention (None when the source states none)."""

    id: str
    convention: str
    indicator: str
    label: str
    quantity: int | None  # None: the source states no quantity (never 0)
    unit: str
    reporting: str  # "increment" | "cumulative"
    start: date | None = None
    end: date | None = None
    milestones: tuple[Milestone, ...] = ()
    budget: Decimal | None = None  # MDH of the convention's amount attributed to this target
    source: str = ""
    first_report: date | None = None  # when its first report is due (else the programme's)
    alternatives: tuple[Alternative, ...] = ()
    baseline: Baseline | None = None  # the value before the programme, when a source gives it


class Convention(NamedTuple):
    """A partnership convention: its amount, partners and targets."""

    id: str
    title: str
    amount: Decimal
    targets: tuple[Target, ...] = ()
    source: str = ""
    plan: tuple[Tranche, ...] = ()
    alternatives: tuple[Alternative, ...] = ()


# ---- journal entries ---------------------------------------------------------------------
# Every entry's first fields are ENTRY_FIELDS: its id, date, `seq` (its position in the file's
# journal, 0-based) and provenance; its last is `kind`.

ENTRY_FIELDS = ("id", "date", "seq", "provenance")


class Provenance(NamedTuple):
    """When and by whom `emploi` wrote an entry."""

    recorded_at: datetime | None = None
    recorded_by: str = ""


class ProgressEntry(NamedTuple):
    """Progress reported on a target."""

    id: str
    date: date
    seq: int
    provenance: Provenance
    target: str
    value: int
    note: str = ""
    source: str = ""
    tags: tuple[tuple[str, str], ...] = ()
    import_key: str = ""
    kind: str = "progress"


class TransactionEntry(NamedTuple):
    """Money committed, disbursed or spent under a convention."""

    id: str
    date: date
    seq: int
    provenance: Provenance
    convention: str
    amount: Decimal
    transaction_kind: str  # commitment | disbursement | expenditure
    funder: str = ""
    note: str = ""
    source: str = ""
    import_key: str = ""
    kind: str = "transaction"


class VoidEntry(NamedTuple):
    """Cancels an earlier entry, which stays in the file."""

    id: str
    date: date
    seq: int
    provenance: Provenance
    entry: str
    reason: str
    kind: str = "void"


class AmendmentEntry(NamedTuple):
    """Changes one value from `date` on: convention amount, funder amount, a funder's
    contribution to a convention (both set), target quantity, or the programme's end date;
    with `year`, the tranche of that fiscal year in a convention's plan (or, funder and
    convention set, in a contribution's plan)."""

    id: str
    date: date
    seq: int
    provenance: Provenance
    reference: str
    reason: str
    convention: str = ""
    funder: str = ""
    target: str = ""
    amount: Decimal | None = None
    quantity: int | None = None
    end: date | None = None
    year: int | None = None  # a plan's tranche of this fiscal year, not the whole amount
    kind: str = "amendment"

    @property
    def subject(self) -> str:
        if self.year is not None and self.funder and self.convention:
            return (f"funder {self.funder}: plan of its contribution to {self.convention}, "
                    f"{self.year}")
        if self.year is not None and self.convention:
            return f"convention {self.convention}: plan, {self.year}"
        if self.funder and self.convention:
            return f"funder {self.funder}: contribution to {self.convention}"
        if self.convention:
            return f"convention {self.convention}: amount"
        if self.funder:
            return f"funder {self.funder}: amount"
        if self.target:
            return f"target {self.target}: quantity"
        return "programme: end"


class AssertionEntry(NamedTuple):
    """A partner's reported cumulative figure as of `date` (reconciliation)."""

    id: str
    date: date
    seq: int
    provenance: Provenance
    source: str
    target: str = ""
    value: int | None = None
    convention: str = ""
    amount: Decimal | None = None
    transaction_kind: str = ""
    funder: str = ""
    kind: str = "assertion"


class LockEntry(NamedTuple):
    """`action = "close"` locks every date up to `date` (inclusive); "reopen" lifts it."""

    id: str
    date: date
    seq: int
    provenance: Provenance
    action: str
    period: str
    reason: str = ""
    kind: str = "lock"


class ProfileEntry(NamedTuple):
    """A saved import profile: column mapping and declared number and date styles."""

    id: str
    date: date
    seq: int
    provenance: Provenance
    name: str
    entry_kind: str  # "progress" | "transaction"
    columns: tuple[tuple[str, str], ...]
    decimal: str = "."
    thousands: str = ""
    date_format: str = "%Y-%m-%d"
    delimiter: str = ","  # CSV only
    encoding: str = "utf-8"  # CSV only
    sheet: str = ""  # XLSX/ODS: the sheet's name ("": the first sheet)
    header_row: int = 1  # the row holding the column names (1-based)
    kind: str = "profile"


JournalEntry = (
    ProgressEntry
    | TransactionEntry
    | VoidEntry
    | AmendmentEntry
    | AssertionEntry
    | LockEntry
    | ProfileEntry
)
# Each entry kind's class, in the order of ENTRY_KINDS.
ENTRY_CLASSES: dict[str, type] = {
    "progress": ProgressEntry,
    "transaction": TransactionEntry,
    "void": VoidEntry,
    "amendment": AmendmentEntry,
    "assertion": AssertionEntry,
    "lock": LockEntry,
    "profile": ProfileEntry,
}


class LedgerValues(NamedTuple):
    """A whole ledger's values: definitions and the journal in file order.

    The journal is a tuple of entries, or a sequence equal to it that holds them as columns
    (store/cache.py) and answers `of_kind(cls)`, `voided_ids()` and
    `live_rows(cls, names, as_of)` without building every entry."""

    path: str
    format: int
    programme: Programme
    sources: tuple[Source, ...]
    partners: tuple[Partner, ...]
    funders: tuple[Funder, ...]
    conventions: tuple[Convention, ...]
    journal: tuple[JournalEntry, ...] = ()
    # The ledger's texts in other languages: (lang, key, text) (domain/translations.py).
    translations: tuple[tuple[str, str, str], ...] = ()


class Ledger(LedgerValues):
    """A whole ledger (its values: `LedgerValues`), which works out once, when first asked,
    its targets, the entries of each kind and the voided ids: a subclass of the named tuple
    with a `__dict__` (no `__slots__`) to keep them in. `_replace` gives a new ledger, with
    nothing worked out yet."""

    @cached_property
    def targets(self) -> tuple[Target, ...]:
        return tuple(t for c in self.conventions for t in c.targets)

    def target(self, target_id: str) -> Target | None:
        return next((t for t in self.targets if t.id == target_id), None)

    def convention(self, convention_id: str) -> Convention | None:
        return next((c for c in self.conventions if c.id == convention_id), None)

    def funder(self, funder_id: str) -> Funder | None:
        return next((f for f in self.funders if f.id == funder_id), None)

    def entries(self, kind: type) -> list:
        # Cached per kind: the ledger is frozen, and builders ask once per row of an import.
        # A journal held as columns (the cache's) gives one kind without building the others.
        cache = self.__dict__.setdefault("_entries_by_kind", {})
        if kind not in cache:
            of_kind = getattr(self.journal, "of_kind", None)
            found = None if of_kind is None else of_kind(kind)
            cache[kind] = (tuple(e for e in self.journal if isinstance(e, kind))
                           if found is None else found)
        return list(cache[kind])

    @cached_property
    def voided_ids(self) -> frozenset[str]:
        from_columns = getattr(self.journal, "voided_ids", None)
        if from_columns is not None:
            return from_columns()
        return frozenset(e.entry for e in self.journal if isinstance(e, VoidEntry))


def journal_paths(ledger: Ledger) -> dict[int, str]:
    """seq -> `progress[3]`-style key path of each journal entry."""
    counters: dict[str, int] = {}
    paths = {}
    for e in ledger.journal:
        table = ENTRY_TABLES[e.kind]
        index = counters.get(table, 0)
        counters[table] = index + 1
        paths[e.seq] = f"{table}[{index}]"
    return paths

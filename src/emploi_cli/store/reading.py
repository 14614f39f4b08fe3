"""Reading a ledger: finding it, decoding it, parsing TOML, building the model.

Loading never raises for bad data: it returns the ledger (when one could be built) and a list of
problems, each with its place. Only a file that cannot be read or parsed at all gives no ledger.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from ..domain import dates, limits
from ..domain import model as m
from .files import ledger_stat, refusing_os_errors
from .locate import first_repeat, key_lines, locate

SHIPPED_NAME = "conventions.toml"


class Loaded:
    """The result of reading one ledger file. `text` may be given as a function that reads and
    decodes it when first asked for (a ledger read from the cache: reports never ask)."""

    __slots__ = ("_text", "ledger", "path", "problems")

    def __init__(self, path: str, text: str | Callable[[], str], ledger: m.Ledger | None,
                 problems: tuple[m.Problem, ...]):
        self.path, self.ledger, self.problems, self._text = path, ledger, problems, text

    @property
    def text(self) -> str:
        if not isinstance(self._text, str):
            self._text = self._text()
        return self._text

    @property
    def errors(self) -> list[m.Problem]:
        return [p for p in self.problems if p.is_error]

    def _values(self) -> tuple:
        return (self.path, self.text, self.ledger, self.problems)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Loaded):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return f"Loaded(path={self.path!r}, ledger={self.ledger!r}, problems={self.problems!r})"


# ---- finding the ledger ------------------------------------------------------------------


def shipped_ledger() -> Path:
    """The copy installed with the package (or, in a source checkout, the repository's)."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "data" / SHIPPED_NAME
    if packaged.is_file():
        return packaged
    return package.parent.parent / "data" / SHIPPED_NAME


def resolve_ledger(option: str | None, env: dict[str, str], cwd: Path) -> Path:
    """--ledger > EMPLOI_LEDGER > ./data/conventions.toml > the shipped copy."""
    if option is not None:
        return Path(option)
    if env.get("EMPLOI_LEDGER"):
        return Path(env["EMPLOI_LEDGER"])
    local = cwd / "data" / SHIPPED_NAME
    if local.is_file():
        return local
    return shipped_ledger()


def writable_ledger(option: str | None, env: dict[str, str], cwd: Path) -> Path:
    """The ledger a writing command appends to: as resolve_ledger, but never the copy that
    came with the package (an upgrade would replace it and lose what was written)."""
    path = resolve_ledger(option, env, cwd)
    chosen = option is not None or bool(env.get("EMPLOI_LEDGER")) or (
        cwd / "data" / SHIPPED_NAME).is_file()
    if not chosen:
        raise m.refusal(
            "shipped-ledger", "this is the ledger shipped with emploi, which is read-only: "
            "copy it (or start one with `emploi init FILE`) and name it with --ledger or "
            "EMPLOI_LEDGER", place=m.Place(str(path)))
    return path


def resolve_ledgers(options: list[str] | None, folder: str | None, env: dict[str, str],
                    cwd: Path) -> list[Path]:
    """Several ledgers (roll-up, export): each `--ledger` in order, then every `*.toml` file in
    `--ledger-dir` (sorted by name, not recursive); neither: the one `resolve_ledger` finds.
    The same file named twice counts once."""
    paths = [Path(p) for p in options or []]
    if folder is not None:
        where = m.Place(folder)
        if not Path(folder).is_dir():
            raise m.refusal("not-a-folder", "--ledger-dir is not a folder", place=where)
        found = sorted((p for p in Path(folder).glob("*.toml") if p.is_file()),
                       key=lambda p: p.name)
        if not found:
            raise m.refusal("no-ledger", "no *.toml ledger in this folder", place=where)
        paths += found
    if not paths:
        paths = [resolve_ledger(None, env, cwd)]
    unique: dict[str, Path] = {}
    for path in paths:
        unique.setdefault(os.path.realpath(path), path)
    return list(unique.values())


# ---- reading -----------------------------------------------------------------------------


def read_text(path: Path) -> str:
    """Read and decode a ledger; raise EmploiError with the file's name for anything wrong."""
    return decode(read_bytes(path), str(path))


def read_bytes(path: Path) -> bytes:
    """The ledger's bytes; EmploiError with the file's name for anything wrong."""
    file = str(path)
    ledger_stat(path, file)
    with refusing_os_errors(file):
        return path.read_bytes()


def decode(data: bytes, file: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise m.refusal(
            "encoding", "file is UTF-16; save it as UTF-8", place=m.Place(file, "", 1, 1))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise m.refusal(
            "encoding",
            "byte 0x{data} is not UTF-8 (the ledger must be UTF-8; Latin-1 or Windows-1252 files "
            "must be converted)",
            place=m.Place(file, "", line, column), args={"data": format(data[exc.start],
                                                                        '02x')}) from None


# The patterns of this module are compiled when a problem needs them (re keeps them), not
# when it is imported (start-up time).
_AT = r"\s*\(at line (\d+), column (\d+)\)$"
_AT_END = r"\s*\(at end of document\)$"


def _token_at(text: str, line: int, column: int) -> str:
    """The word at a line and column (both from 1) of `text`."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    return re.split(r"[\s,\]}#]", lines[line - 1][column - 1:], maxsplit=1)[0]


def parse_toml(text: str, file: str) -> dict:
    """tomllib with Decimal floats; syntax errors become problems with file, line and column."""
    import tomllib  # not needed when the cache answers (start-up time)

    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = column = None
        found = re.search(_AT, message)
        if found:
            line, column = int(found.group(1)), int(found.group(2))
            message = message[: found.start()]
        elif re.search(_AT_END, message):
            message = re.sub(_AT_END, "", message)
            repeat = first_repeat(text) if "overwrite" in message else None
            if repeat:
                message = f"{message}: {repeat[0]} is written twice"
                line, column = repeat[1], repeat[2]
            else:
                line = text.count("\n") + 1
                column = len(text) - text.rfind("\n")
        reason = ""
        if line is not None and column is not None and "date" in message:
            found = dates.impossible_iso(_token_at(text, line, column))
            reason = m.phrase(": {reason}", reason=found) if found else ""
        raise m.refusal("toml-syntax", "TOML syntax: {message}{reason}{hint}",
                        place=m.Place(file, "", line, column),
                        args={"message": tomllib_phrase(message), "reason": reason,
                              "hint": toml_hint(text, line)}) from None
    except RecursionError:
        raise m.refusal(
            "toml-syntax", "TOML syntax: nesting too deep", place=m.Place(file)) from None
    except ValueError:  # Python reads no integer of more than 4,300 digits
        found = re.search(r"[0-9][0-9_]{4300,}", text)
        start = found.start() if found else 0
        line = text.count("\n", 0, start) + 1
        raise m.refusal("toml-syntax", "TOML syntax: a number of {digits} digits, too long to "
                                       "read", place=m.Place(file, "", line,
                                                             start - text.rfind("\n", 0, start)),
                        args={"digits": len(found.group().replace("_", "")) if found else 0}
                        ) from None


# tomllib's commonest messages, as phrases the catalogs translate (others stay as tomllib
# words them).
_TOMLLIB = {phrase: phrase for phrase in (
    m.phrase("Invalid value"), m.phrase("Expected newline or end of document after a statement"),
    m.phrase("Invalid statement"), m.phrase("Unclosed array"), m.phrase("Unterminated string"),
    m.phrase("Cannot overwrite a value"), m.phrase("Invalid date or datetime"),
    m.phrase("Expected '=' after a key in a key/value pair"),
    m.phrase("Expected ']]' at the end of an array declaration"),
    m.phrase("Unescaped '\\' in a string"))}
_ILLEGAL = r"Illegal character (.+)"
_DECLARED_TWICE = r"Cannot declare (.+) twice"


def tomllib_phrase(message: str) -> str:
    """tomllib's message as a phrase the catalogs translate, when it is a known one."""
    known = _TOMLLIB.get(message)
    if known is not None:
        return known
    if found := re.fullmatch(_ILLEGAL, message):
        return m.phrase("Illegal character {char}", char=found.group(1))
    if found := re.fullmatch(_DECLARED_TWICE, message):
        return m.phrase("Cannot declare {table} twice", table=found.group(1))
    return message
_DECIMAL_COMMA = r"=\s*([+-]?\d+),(\d+)\s*(#.*)?$"
_SPACED_NUMBER = r"=\s*[+-]?\d+([ \u00a0\u202f]\d+)+([.,]\d+)?\s*(#.*)?$"


def toml_hint(text: str, line: int | None) -> m.Phrase | str:
    """What a French-speaking writer of TOML may have meant, for the line of a syntax error:
    a decimal comma (406,80), French or curly quotes (« », “ ”), a space in a number."""
    if line is None:
        return ""
    lines = text.splitlines()
    found = lines[line - 1] if 0 < line <= len(lines) else ""
    comma = re.search(_DECIMAL_COMMA, found)
    if comma:
        return m.phrase(" (TOML writes decimals with a point: {fixed}, not {written})",
                        fixed=f"{comma.group(1)}.{comma.group(2)}",
                        written=f"{comma.group(1)},{comma.group(2)}")
    if any(quote in found for quote in "«»“”„‘’"):
        return m.phrase(' (TOML strings take straight quotes: "text" or \'text\', not « », “ ” '
                        "or ‘ ’)")
    if re.search(_SPACED_NUMBER, found):
        return m.phrase(" (a number in TOML has no spaces: write 1406.80 or 1_406.80)")
    return ""


def load(path: Path) -> Loaded:
    """Read, parse and build; raises EmploiError only when no ledger can be built at all."""
    file = str(path)
    text = read_text(path)
    doc = parse_toml(text, file)
    loaded = build(doc, text, file)
    with open(path, "rb") as handle:
        head = handle.read(3)
    return Loaded(file, text, loaded.ledger, (*bom_warnings(head, file), *loaded.problems))


def parse_entry(kind: str, piece: str) -> dict:
    """One journal entry's table as tomllib reads it, from its text after the opening `[[`;
    ValueError unless the text is exactly one entry of that kind."""
    import tomllib

    try:
        doc = tomllib.loads("[[" + piece, parse_float=Decimal)
    except (ValueError, RecursionError):  # a TOML error, an integer too long to read
        raise ValueError("not one entry") from None
    items = doc.get(m.ENTRY_TABLES[kind])
    if len(doc) != 1 or not isinstance(items, list) or len(items) != 1:
        raise ValueError("not one entry")
    return items[0]


def bom_warnings(data: bytes, file: str) -> tuple[m.Problem, ...]:
    """A warning when the bytes start with a UTF-8 byte order mark (read, but unusual)."""
    if not data.startswith(b"\xef\xbb\xbf"):
        return ()
    return (m.warning("bom", "the file starts with a UTF-8 byte order mark; emploi reads it, "
                      "other TOML tools may not", m.Place(file, "", 1, 1)),)


def build(doc: dict, text: str, file: str) -> Loaded:
    builder = Builder(file)
    ledger = builder.ledger(doc)
    return Loaded(file, text, ledger, tuple(place_all(builder.problems, text)))


def place_all(problems: list[m.Problem], text: str) -> list[m.Problem]:
    """Fill in line and column from the key path of each problem (scans the text once)."""
    if not problems:
        return problems
    places = key_lines(text)
    return [_placed(p, places) for p in problems]


def _placed(problem: m.Problem, places: dict[str, tuple[int, int]]) -> m.Problem:
    found = locate(places, problem.place.path) if problem.place.path else None
    if not found:
        return problem
    return problem._replace(place=problem.place._replace(line=found[0], column=found[1]))


# ---- building the model ------------------------------------------------------------------


READ_WARNINGS = ("unknown-key",)  # what every command that reads a ledger warns about


def read_warnings(problems) -> list[m.Problem]:
    """The warnings every command that reads a ledger shows: keys the format does not know,
    each with its place and the key it likely means (`check` shows them all)."""
    return [p for p in problems if p.code in READ_WARNINGS and not p.is_error]


def likely_key(key: object, known) -> str:
    """The known key a mistyped one most likely means ("" when none is close)."""
    import difflib

    if not isinstance(key, str):
        return ""
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    if not close:
        folded = {k.casefold(): k for k in known}
        close = [folded[key.casefold()]] if key.casefold() in folded else []
    return close[0] if close else ""


class _Fields:
    """Typed access to one TOML table; every mistake becomes a problem with its key path."""

    def __init__(self, builder: Builder, table: object, path: str, known: tuple[str, ...],
                 entry: str | None = None):
        self.b = builder
        self.path = path
        self.ok = isinstance(table, dict)
        self.table: dict = table if isinstance(table, dict) else {}
        ident = self.table.get("id")
        self.entry = entry if entry is not None else ident if isinstance(ident, str) else ""
        if not self.ok:
            builder.err("type", "must be a table, not {type}", path, entry=self.entry,
                        args={"type": _tname(table)})
        for key in self.table:
            if key not in known:
                likely = likely_key(key, known)
                self.warn("unknown-key", "unknown key {key} (ignored{likely})", f"{path}.{key}",
                          args={"key": repr(key), "likely": m.phrase(
                              "; did you mean {key}?", key=repr(likely)) if likely else ""})

    def err(self, code: str, message: str, path: str, args: m.Args = None) -> None:
        """An error at `path` (a key of this table), naming the table's id as its entry."""
        self.b.err(code, message, path, entry=self.entry, args=args)

    def warn(self, code: str, message: str, path: str, args: m.Args = None) -> None:
        self.b.warn(code, message, path, entry=self.entry, args=args)

    def _get(self, key: str, required: bool):
        if key not in self.table:
            if required and self.ok:
                self.err("missing", "missing required key {key}", f"{self.path}.{key}",
                         args={"key": repr(key)})
            return None
        return self.table[key]

    def text(self, key: str, required: bool = False, default: str = "") -> str:
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, str):
            self.err("type", "{key} must be a string, not {type}",
                     f"{self.path}.{key}", args={"key": key, "type": _tname(value)})
            return default
        if required and not value.strip():
            self.err("empty", "{key} must not be empty", f"{self.path}.{key}", args={"key": key})
        return value

    def ident(self, key: str = "id", required: bool = True) -> str:
        value = self.text(key, required)
        if value and not limits.ID.match(value):
            self.err("bad-id", "{key} {value} must be {ID_RULE}", f"{self.path}.{key}",
                     args={"key": key, "value": repr(value), "ID_RULE": limits.ID_RULE})
        return value

    def money(self, key: str, required: bool = False, positive: bool = False) -> Decimal | None:
        value = self._get(key, required)
        if value is None:
            return None
        where = f"{self.path}.{key}"
        return money_value(value, key, where, self, positive)

    def count(self, key: str, required: bool = False) -> int | None:
        value = self._get(key, required)
        if value is None:
            return None
        where = f"{self.path}.{key}"
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            self.err("type", "{key} must be a whole number, not {type}", where,
                     args={"key": key, "type": _tname(value)})
            return None
        if isinstance(value, Decimal):
            if not value.is_finite():
                self.err("not-finite", "{key} must be a finite whole number, not {value}",
                         where, args={"key": key, "value": value})
            else:
                self.err("not-integer", "{key} must be a whole number, not {value}", where,
                         args={"key": key, "value": value})
            return None
        if value < 0:
            self.err("negative", "{key} must not be negative ({value})", where,
                     args={"key": key, "value": value})
            return None
        if value > limits.MAX_COUNT:
            self.err("too-large", "{key} {value} is beyond any plausible count", where,
                     args={"key": key, "value": value})
            return None
        return value

    def day(self, key: str, required: bool = False) -> date | None:
        value = self._get(key, required)
        if value is None:
            return None
        where = f"{self.path}.{key}"
        if isinstance(value, datetime) or not isinstance(value, date):
            hint = m.phrase(" (write it unquoted: 2021-06-30)") if isinstance(value, str) else ""
            if isinstance(value, str) and (reason := dates.impossible_iso(value)):
                hint = m.phrase(" ({value} is not a date either: {reason})", value=value,
                                reason=reason)
            self.err("type", "{key} must be a date, not {type}{hint}", where,
                     args={"key": key, "type": _tname(value), "hint": hint})
            return None
        if value.year < limits.MIN_YEAR:
            self.err("bad-date", "{key} {value} is before {MIN_YEAR}", where,
                     args={"key": key, "value": value.isoformat(), "MIN_YEAR": limits.MIN_YEAR})
            return None
        return value

    def timestamp(self, key: str) -> datetime | None:
        value = self._get(key, False)
        if value is None:
            return None
        if not isinstance(value, datetime):
            self.err("type", "{key} must be a date-time (e.g. 2021-06-30T09:15:00Z), not {type}",
                     f"{self.path}.{key}",
                     args={"key": key, "type": _tname(value)})
            return None
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.err("type", "{key} must be true or false, not {type}",
                     f"{self.path}.{key}", args={"key": key, "type": _tname(value)})
            return default
        return value

    def choice(self, key: str, choices: tuple[str, ...], required: bool = False,
               default: str = "") -> str:
        value = self.text(key, required, default)
        if value and value not in choices:
            self.err("bad-value", "{key} must be one of {choices}, not {value}",
                     f"{self.path}.{key}",
                     args={"key": key, "choices": ', '.join(choices), "value": repr(value)})
            return default
        return value

    def ids(self, key: str) -> tuple[str, ...]:
        value = self._get(key, False)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.err("type", "{key} must be a list of ids", f"{self.path}.{key}",
                     args={"key": key})
            return ()
        return tuple(value)

    def string_table(self, key: str) -> tuple[tuple[str, str], ...]:
        value = self._get(key, False)
        if value is None:
            return ()
        if not isinstance(value, dict) or not all(
            isinstance(v, str) for v in value.values()
        ):
            self.err("type", "{key} must be a table of strings (key = \"value\")",
                     f"{self.path}.{key}", args={"key": key})
            return ()
        return tuple(sorted(value.items()))


def _code(f: _Fields, key: str) -> str:
    """A code or identifier as text: a TOML string, or a whole number written bare."""
    value = f.table.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return f.text(key).strip()


def money_value(value: object, key: str, where: str, b: _Fields,
                positive: bool = False) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        hint = m.phrase(" (write it unquoted: 374.80)") if isinstance(value, str) else ""
        b.err("type", "{key} must be a number in MDH, not {type}{hint}", where,
              args={"key": key, "type": _tname(value), "hint": hint})
        return None
    amount = Decimal(value)
    if not amount.is_finite():
        b.err("not-finite", "{key} must be a finite amount, not {value}", where,
              args={"key": key, "value": value})
        return None
    if abs(amount) > limits.MAX_MONEY:
        b.err("too-large", "{key} {value} MDH is beyond any plausible amount", where,
              args={"key": key, "value": value})
        return None
    if amount < 0 or (positive and amount == 0):
        b.err("negative", "{key} must be positive, not {value}" if positive else
              "{key} must be zero or more, not {value}", where, args={"key": key, "value": value})
        return None
    if amount.is_zero():
        amount = abs(amount)  # -0.0 reads as 0
    if amount.as_tuple().exponent < -limits.MONEY_PLACES:  # type: ignore[operator]
        b.err("precision", "{key} {value} is finer than one dirham ({MONEY_PLACES} decimals in "
                           "MDH)", where,
              args={"key": key, "value": value, "MONEY_PLACES": limits.MONEY_PLACES})
        return None
    return amount


def _tname(value: object) -> str:
    if isinstance(value, bool):
        return m.phrase("a boolean")
    if isinstance(value, str):
        return m.phrase("a string")
    if isinstance(value, int):
        return m.phrase("an integer")
    if isinstance(value, Decimal):
        return m.phrase("a decimal number")
    if isinstance(value, datetime):
        return m.phrase("a date-time")
    if isinstance(value, date):
        return m.phrase("a date")
    if isinstance(value, list):
        return m.phrase("an array")
    if isinstance(value, dict):
        return m.phrase("a table")
    return type(value).__name__


PROGRAMME_KEYS = ("id", "title", "region", "framework", "start", "end", "total", "currency",
                  "unit", "signed_place", "signed", "signed_date", "signed_note", "source",
                  "fiscal_year_start", "first_report", "iati")
IATI_KEYS = ("reporting_org_ref", "reporting_org_type", "reporting_org_name",
             "identifier_prefix", "sector", "language", "organisations")
PROVENANCE_KEYS = ("recorded_at", "recorded_by")
ENTRY_KEYS = {
    "progress": ("id", "date", "target", "value", "note", "source", "tags", "import_key"),
    "transaction": ("id", "date", "convention", "amount", "kind", "funder", "note", "source",
                    "import_key"),
    "void": ("id", "date", "entry", "reason"),
    "amendment": ("id", "date", "reference", "reason", "convention", "funder", "target",
                  "amount", "quantity", "end", "year"),
    "assertion": ("id", "date", "source", "target", "value", "convention", "amount", "kind",
                  "funder"),
    "lock": ("id", "date", "action", "period", "reason"),
    "profile": ("id", "date", "name", "kind", "columns", "decimal", "thousands", "date_format",
                "delimiter", "encoding", "sheet", "header_row"),
}
TOP_KEYS = ("format", "programme", "sources", "partners", "funders", "conventions",
            "translations", *m.ENTRY_TABLES.values())


def _flat(table: dict, prefix: str = "") -> list[tuple[str, object]]:
    """A table's values by dotted key: `programme.title = ...` and `"programme.title" = ...`
    are the same key."""
    found: list[tuple[str, object]] = []
    for key, value in table.items():
        if isinstance(value, dict):
            found += _flat(value, f"{prefix}{key}.")
        else:
            found.append((f"{prefix}{key}", value))
    return found


def key_of(path: str) -> str:
    """The key a key path ends with: `conventions[1].targets[0].quantity` -> `quantity`;
    "" when it ends at a table of an array (`progress[3]`)."""
    last = path.rpartition(".")[2]
    return "" if last.endswith("]") else last


class Builder:
    """Builds the model from a parsed TOML document, collecting every problem with its place
    (the fast reader and the cache build with it too)."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[m.Problem] = []

    def err(self, code: str, message: str, path: str, *, entry: str = "",
            field: str | None = None, args: m.Args = None) -> None:
        """An error at a key path; its field is the path's last key unless given."""
        self.problems.append(m.error(code, message, m.Place(self.file, path), entry=entry,
                                     field=key_of(path) if field is None else field,
                                     args=args))

    def warn(self, code: str, message: str, path: str, *, entry: str = "",
             field: str | None = None, args: m.Args = None) -> None:
        self.problems.append(m.warning(code, message, m.Place(self.file, path), entry=entry,
                                       field=key_of(path) if field is None else field,
                                       args=args))

    def array(self, doc: dict, key: str) -> list:
        value = doc.get(key, [])
        if not isinstance(value, list):
            self.err("type", "{key} must be an array of tables ([[{key}]]), not {type}", key,
                     args={"key": key, "type": _tname(value)})
            return []
        return value

    def ledger(self, doc: dict) -> m.Ledger | None:
        for key in doc:
            if key not in TOP_KEYS:
                likely = likely_key(key, TOP_KEYS)
                self.warn("unknown-key", "unknown top-level key {key} (ignored{likely})", key,
                          args={"key": repr(key), "likely": m.phrase(
                              "; did you mean {key}?", key=repr(likely)) if likely else ""})
        version = doc.get("format")
        if version is None:
            self.err("missing", "missing required key 'format' (the ledger format version, "
                                "currently {FORMAT_VERSION})", "format",
                     args={"FORMAT_VERSION": m.FORMAT_VERSION})
        elif isinstance(version, bool) or not isinstance(version, int):
            self.err("type", "format must be an integer, not {type}", "format",
                     args={"type": _tname(version)})
        elif version != m.FORMAT_VERSION:
            self.err("format-version", "unknown ledger format {version}; this emploi reads "
                                       "format {FORMAT_VERSION}", "format",
                     args={"version": version, "FORMAT_VERSION": m.FORMAT_VERSION})
            return None
        programme = self.programme(doc.get("programme"))
        sources = tuple(self.source(t, f"sources[{i}]")
                        for i, t in enumerate(self.array(doc, "sources")))
        partners = tuple(self.partner(t, f"partners[{i}]")
                         for i, t in enumerate(self.array(doc, "partners")))
        funders = tuple(self.funder(t, f"funders[{i}]")
                        for i, t in enumerate(self.array(doc, "funders")))
        conventions = tuple(self.convention(t, f"conventions[{i}]")
                            for i, t in enumerate(self.array(doc, "conventions")))
        journal = self.journal(doc)
        if programme is None:
            return None
        ledger = m.Ledger(self.file, m.FORMAT_VERSION, programme, sources, partners, funders,
                          conventions, journal)
        if "translations" in doc:
            ledger = ledger._replace(translations=self.translations(doc["translations"], ledger))
        self.references(ledger)
        return ledger

    def translations(self, table: object, ledger: m.Ledger) -> tuple[tuple[str, str, str], ...]:
        """`[translations.<lang>]` tables: a known text's key = that text in `lang`."""
        from ..domain.translations import keys

        if not isinstance(table, dict):
            self.err("type", "{key} must be a table, not {type}", "translations",
                     args={"key": "translations", "type": _tname(table)})
            return ()
        known, found = keys(ledger), []
        for lang, texts in table.items():
            path = f"translations.{lang}"
            if not isinstance(texts, dict):
                self.err("type", "{key} must be a table, not {type}", path,
                         args={"key": path, "type": _tname(texts)})
                continue
            for key, text in _flat(texts):
                if key not in known:
                    self.warn("unknown-key", "unknown key {key} (ignored)", f"{path}.{key}",
                              args={"key": repr(key)})
                elif not isinstance(text, str) or not text.strip():
                    self.err("type", "{key} must be a string, not {type}", f"{path}.{key}",
                             args={"key": key, "type": _tname(text)})
                else:
                    found.append((lang, key, text))
        return tuple(found)

    def programme(self, table: object) -> m.Programme | None:
        if table is None:
            self.err("missing", "missing required table [programme]", "programme")
            return None
        f = _Fields(self, table, "programme", PROGRAMME_KEYS)
        if not f.ok:
            return None
        start, end = f.day("start", True), f.day("end", True)
        total = f.money("total", True)
        signed = f.day("signed")
        if "signed" in f.table and "signed_date" in f.table:
            f.err("signed-twice", "write the signing date once, as `signed` (`signed_date` is "
                  "its older name)", "programme.signed_date")
        signed = signed or f.day("signed_date")
        fiscal = f.count("fiscal_year_start") or 1
        if not 1 <= fiscal <= 12:
            f.err("bad-value", "fiscal_year_start must be a month number from 1 to 12",
                  "programme.fiscal_year_start")
            fiscal = 1
        result = m.Programme(
            id=f.ident("id", False) or "programme", title=f.text("title", True),
            start=start or date(1900, 1, 1), end=end or date(1900, 1, 1),
            total=total if total is not None else Decimal(0),
            currency=f.text("currency", True), unit=f.text("unit", True),
            region=f.text("region"), framework=f.text("framework"),
            signed_place=f.text("signed_place"), signed_date=signed,
            signed_note=f.text("signed_note"), source=f.text("source"), fiscal_year_start=fiscal,
            first_report=f.day("first_report"), iati=self.iati(f))
        if start and end and end < start:
            f.err("period", "programme ends ({end}) before it starts ({start})",
                  "programme.end", args={"end": end, "start": start})
        return result

    def iati(self, f: _Fields) -> m.Iati | None:
        """`[programme.iati]`: codes are read as text (`11` and `"11"` alike); whether they are
        in the IATI codelists is checked by the export that uses them."""
        if "iati" not in f.table:
            return None
        path = "programme.iati"
        t = _Fields(self, f.table["iati"], path, IATI_KEYS, f.entry)
        if not t.ok:
            return None
        organisations = []
        raw = t.table.get("organisations", {})
        if not isinstance(raw, dict):
            t.err("type", "organisations must be a table: { anapec = { role = 2 } }",
                  f"{path}.organisations")
            raw = {}
        for ident, item in raw.items():
            of = _Fields(self, item, f"{path}.organisations.{ident}", ("role", "ref", "type"),
                         ident)
            organisations.append(m.IatiOrganisation(
                ident, _code(of, "role"), _code(of, "ref"), _code(of, "type")))
        return m.Iati(*(_code(t, key) for key in IATI_KEYS[:-1]), tuple(organisations))

    def source(self, table: object, path: str) -> m.Source:
        f = _Fields(self, table, path, ("id", "title", "kind", "file", "url", "note",
                                        "publisher", "date", "language"))
        return m.Source(f.ident(), f.text("title", True), f.text("kind"), f.text("file"),
                        f.text("publisher"), f.day("date"), f.text("language"), f.text("url"))

    def partner(self, table: object, path: str) -> m.Partner:
        f = _Fields(self, table, path, ("id", "name", "full_name", "source", "note"))
        return m.Partner(f.ident(), f.text("name", True), f.text("full_name"))

    def funder(self, table: object, path: str) -> m.Funder:
        f = _Fields(self, table, path,
                    ("id", "name", "amount", "estimated", "conventions", "source", "note",
                     "at_least", "contributions", "alternatives"))
        return m.Funder(f.ident(), f.text("name", True), f.money("amount"),
                        f.flag("estimated"), f.ids("conventions"), f.text("source"),
                        f.flag("at_least"), self.contributions(f, path),
                        self.alternatives(f, path, "amount"))

    def convention(self, table: object, path: str) -> m.Convention:
        f = _Fields(self, table, path, ("id", "title", "amount", "targets", "source", "note",
                                        "plan", "alternatives"))
        cid = f.ident()
        targets = f.table.get("targets", [])
        if not isinstance(targets, list):
            f.err("type", "targets must be an array of tables ([[conventions.targets]])",
                  f"{path}.targets")
            targets = []
        return m.Convention(
            cid, f.text("title", True), f.money("amount", True) or Decimal(0),
            tuple(self.target(t, f"{path}.targets[{i}]", cid) for i, t in enumerate(targets)),
            f.text("source"), self.plan(f, path), self.alternatives(f, path, "amount"))

    def target(self, table: object, path: str, convention: str) -> m.Target:
        f = _Fields(self, table, path, (
            "id", "indicator", "label", "quantity", "unit", "reporting", "start", "end",
            "milestones", "budget", "source", "note", "first_report", "alternatives",
            "baseline"))
        milestones = []
        raw = f.table.get("milestones", [])
        if not isinstance(raw, list):
            f.err("type", "milestones must be an array of {date, value} tables",
                  f"{path}.milestones")
            raw = []
        for i, item in enumerate(raw):
            mf = _Fields(self, item, f"{path}.milestones[{i}]", ("date", "value"), f.entry)
            day, value = mf.day("date", True), mf.count("value", True)
            if day is not None and value is not None:
                milestones.append(m.Milestone(day, value))
        return m.Target(
            id=f.ident(), convention=convention, indicator=f.ident("indicator"),
            label=f.text("label", True), quantity=f.count("quantity"), unit=f.text("unit", True),
            reporting=f.choice("reporting", m.REPORTING_MODES, True, "increment"),
            start=f.day("start"), end=f.day("end"),
            milestones=tuple(sorted(milestones, key=lambda ms: ms.date)),
            budget=f.money("budget"), source=f.text("source"),
            first_report=f.day("first_report"),
            alternatives=self.alternatives(f, path, "quantity"),
            baseline=self.baseline(f, path))

    def baseline(self, f: _Fields, path: str) -> m.Baseline | None:
        """`baseline = { year = 2019, value = 1200 }` (and `date`, when the source gives it)."""
        if "baseline" not in f.table:
            return None
        where = f"{path}.baseline"
        bf = _Fields(self, f.table["baseline"], where, ("year", "value", "date"), f.entry)
        year, value = bf.count("year", True), bf.count("value", True)
        if year is not None and not limits.MIN_YEAR <= year <= 9999:
            bf.err("bad-value", "year {year} is not a year", f"{where}.year",
                   args={"year": year})
            return None
        if year is None or value is None:
            return None
        return m.Baseline(year, value, bf.day("date"))

    def _items(self, f: _Fields, key: str, path: str, shape: str) -> list:
        value = f.table.get(key, [])
        if not isinstance(value, list):
            f.err("type", "{key} must be an array of {shape} tables", f"{path}.{key}",
                  args={"key": key, "shape": shape})
            return []
        return value

    def plan(self, f: _Fields, path: str) -> tuple[m.Tranche, ...]:
        """A financing plan: `plan = [{year = 2021, amount = 120.00}, ...]`, one per year."""
        tranches: list[m.Tranche] = []
        for i, item in enumerate(self._items(f, "plan", path, "{year, amount}")):
            where = f"{path}.plan[{i}]"
            tf = _Fields(self, item, where, ("year", "amount"), f.entry)
            year, amount = tf.count("year", True), tf.money("amount", True)
            if year is not None and not limits.MIN_YEAR <= year <= 9999:
                tf.err("bad-value", "year {year} is not a year", f"{where}.year",
                       args={"year": year})
                continue
            if year is not None and any(t.year == year for t in tranches):
                tf.err("duplicate-year", "the plan gives {year} twice", f"{where}.year",
                       args={"year": year})
                continue
            if year is not None and amount is not None:
                tranches.append(m.Tranche(year, amount))
        return tuple(sorted(tranches, key=lambda t: t.year))

    def alternatives(self, f: _Fields, path: str, figure: str) -> tuple[m.Alternative, ...]:
        """Figures other sources give: `{amount = ..., source = "id"}` (or `quantity`)."""
        found = []
        for i, item in enumerate(self._items(f, "alternatives", path,
                                             f"{{{figure}, source}}")):
            af = _Fields(self, item, f"{path}.alternatives[{i}]", (figure, "source", "note"),
                         f.entry)
            source = af.text("source", True)
            value = af.money(figure, True) if figure == "amount" else af.count(figure, True)
            if value is not None:
                found.append(m.Alternative(source, **{figure: value}))
        return tuple(found)

    def contributions(self, f: _Fields, path: str) -> tuple[m.Contribution, ...]:
        """What a funder gives to each convention: `{convention, amount, source, plan}`."""
        found = []
        for i, item in enumerate(self._items(f, "contributions", path,
                                             "{convention, amount, source}")):
            where = f"{path}.contributions[{i}]"
            cf = _Fields(self, item, where, ("convention", "amount", "source", "plan", "note"),
                         f.entry)
            convention, amount = cf.text("convention", True), cf.money("amount", True)
            if any(c.convention == convention for c in found):
                cf.err("duplicate-id", "funder {funder} gives its contribution to "
                       "{convention} twice", f"{where}.convention",
                       args={"funder": repr(f.entry), "convention": repr(convention)})
                continue
            if convention and amount is not None:
                found.append(m.Contribution(convention, amount, cf.text("source"),
                                            self.plan(cf, where)))
        return tuple(found)

    # -- journal --

    def journal(self, doc: dict) -> tuple[m.JournalEntry, ...]:
        entries: list[m.JournalEntry] = []
        for kind, table in m.ENTRY_TABLES.items():
            for i, item in enumerate(self.array(doc, table)):
                entry = self.entry(kind, item, f"{table}[{i}]", len(entries))
                if entry is not None:
                    entries.append(entry)
        return tuple(entries)

    def entry(self, kind: str, table: object, path: str, seq: int) -> m.JournalEntry | None:
        f = _Fields(self, table, path, ENTRY_KEYS[kind] + PROVENANCE_KEYS)
        if not f.ok:
            return None
        eid = f.text("id", True)
        if eid and not limits.ENTRY_ID.match(eid):
            f.err("bad-id", "entry id {eid} must be {ENTRY_ID_RULE}", f"{path}.id",
                  args={"eid": repr(eid), "ENTRY_ID_RULE": limits.ENTRY_ID_RULE})
        day = f.day("date", True)
        if day is not None and day.year > 9999:
            day = None
        prov = m.Provenance(f.timestamp("recorded_at"), f.text("recorded_by"))
        common = dict(id=eid, date=day or date(1900, 1, 1), seq=seq, provenance=prov)
        if kind == "progress":
            value = f.count("value", True)
            entry: m.JournalEntry = m.ProgressEntry(
                **common, target=f.text("target", True), value=value or 0,
                note=f.text("note"), source=f.text("source"), tags=f.string_table("tags"),
                import_key=f.text("import_key"))
        elif kind == "transaction":
            entry = m.TransactionEntry(
                **common, convention=f.text("convention", True),
                amount=f.money("amount", True, positive=True) or Decimal(0),
                transaction_kind=f.choice("kind", m.TRANSACTION_KINDS, True, "disbursement"),
                funder=f.text("funder"), note=f.text("note"), source=f.text("source"),
                import_key=f.text("import_key"))
        elif kind == "void":
            entry = m.VoidEntry(**common, entry=f.text("entry", True),
                                reason=f.text("reason", True))
        elif kind == "amendment":
            entry = m.AmendmentEntry(
                **common, reference=f.text("reference", True), reason=f.text("reason", True),
                convention=f.text("convention"), funder=f.text("funder"),
                target=f.text("target"), amount=f.money("amount"),
                quantity=f.count("quantity"), end=f.day("end"), year=f.count("year"))
            subjects = [s for s in ("convention", "funder", "target", "end") if s in f.table]
            if subjects == ["convention", "funder"]:
                subjects = ["contribution"]
            if entry.year is not None and not limits.MIN_YEAR <= entry.year <= 9999:
                f.err("bad-value", "year {year} is not a year", f"{path}.year",
                      args={"year": entry.year})
            if "year" in f.table and subjects not in (["convention"], ["contribution"]):
                f.err("amendment", "a plan amendment (year) names a convention, or a funder "
                      "and a convention (a contribution's plan)", f"{path}.year",
                      args={"subjects": ", ".join(subjects)})
            elif len(subjects) != 1:
                f.err("amendment", "an amendment names exactly one of convention, funder, "
                      "funder and convention (a contribution), target or end (found "
                      "{subjects})", path,
                      args={"subjects": ", ".join(subjects) or m.phrase("none")})
            elif subjects[0] in ("convention", "funder", "contribution") and (
                    "amount" not in f.table):
                f.err("missing", "an amendment of a {subjects} needs an amount",
                      f"{path}.amount", args={"subjects": subjects[0]})
            elif subjects[0] == "target" and "quantity" not in f.table:
                f.err("missing", "an amendment of a target needs a quantity",
                      f"{path}.quantity")
        elif kind == "assertion":
            entry = m.AssertionEntry(
                **common, source=f.text("source", True), target=f.text("target"),
                value=f.count("value"), convention=f.text("convention"),
                amount=f.money("amount"),
                transaction_kind=f.choice("kind", m.TRANSACTION_KINDS, False, ""),
                funder=f.text("funder"))
            if bool(entry.target) == bool(entry.convention):
                f.err("assertion", "an assertion names either a target (with value) or a "
                      "convention (with amount and kind)", path)
            elif entry.target and "value" not in f.table:
                f.err("missing", "missing required key 'value'", f"{path}.value")
            elif entry.convention and ("amount" not in f.table or "kind" not in f.table):
                f.err("missing", "a money assertion needs amount and kind", path)
        elif kind == "lock":
            entry = m.LockEntry(**common, action=f.choice("action", ("close", "reopen"), True,
                                                          "close"),
                                period=f.text("period", True), reason=f.text("reason"))
        else:
            columns = f.string_table("columns")
            entry = m.ProfileEntry(
                **common, name=f.ident("name"),
                entry_kind=f.choice("kind", ("progress", "transaction"), True, "progress"),
                columns=columns, decimal=f.choice("decimal", limits.DECIMAL_MARKS, False, "."),
                thousands=f.choice("thousands", limits.THOUSANDS_SEPARATORS, False, ""),
                date_format=f.text("date_format", default="%Y-%m-%d"),
                delimiter=f.choice("delimiter", limits.DELIMITERS, False, ","),
                encoding=f.text("encoding", default="utf-8"),
                sheet=f.text("sheet"), header_row=f.count("header_row") or 1)
        return entry

    # -- references between parts of the ledger --

    def references(self, ledger: m.Ledger) -> None:
        self._unique("sources", [s.id for s in ledger.sources])
        self._unique("partners", [p.id for p in ledger.partners])
        self._unique("funders", [f.id for f in ledger.funders])
        self._unique("conventions", [c.id for c in ledger.conventions])
        target_paths = [f"conventions[{ci}].targets[{ti}]"
                        for ci, c in enumerate(ledger.conventions)
                        for ti, _ in enumerate(c.targets)]
        self._unique_paths([t.id for t in ledger.targets], target_paths)
        source_ids = {s.id for s in ledger.sources}
        conventions = {c.id for c in ledger.conventions}
        targets = {t.id for t in ledger.targets}
        funders = {f.id for f in ledger.funders}
        if ledger.programme.source and ledger.programme.source not in source_ids:
            self.err("unknown-ref", "source {source} is not in [[sources]]",
                     "programme.source", entry=ledger.programme.id,
                     args={"source": repr(ledger.programme.source)})
        organisations = funders | {p.id for p in ledger.partners}
        for o in ledger.programme.iati.organisations if ledger.programme.iati else ():
            if o.id not in organisations:
                self.err("unknown-ref", "[programme.iati] names {id}, which is neither a "
                         "funder nor a partner", f"programme.iati.organisations.{o.id}",
                         entry=o.id, args={"id": repr(o.id)})
        for i, f in enumerate(ledger.funders):
            for ref in f.conventions:
                if ref not in conventions:
                    self.err("unknown-ref", "funder {id} names unknown convention {ref}",
                             f"funders[{i}].conventions", entry=f.id,
                             args={"id": repr(f.id), "ref": repr(ref)})
            if f.source and f.source not in source_ids:
                self.err("unknown-ref", "source {source} is not in [[sources]]",
                         f"funders[{i}].source", entry=f.id, args={"source": repr(f.source)})
            for j, c in enumerate(f.contributions):
                where = f"funders[{i}].contributions[{j}]"
                if c.convention not in conventions:
                    self.err("unknown-ref", "funder {funder} contributes to unknown convention "
                             "{convention}", f"{where}.convention", entry=f.id,
                             args={"funder": repr(f.id), "convention": repr(c.convention)})
                elif f.conventions and c.convention not in f.conventions:
                    self.err("unknown-ref", "funder {funder} contributes to {convention}, "
                             "which is not in its `conventions`", f"{where}.convention",
                             entry=f.id,
                             args={"funder": repr(f.id), "convention": repr(c.convention)})
                if c.source and c.source not in source_ids:
                    self.err("unknown-ref", "source {source} is not in [[sources]]",
                             f"{where}.source", entry=f.id, args={"source": repr(c.source)})
        for ci, c in enumerate(ledger.conventions):
            if c.source and c.source not in source_ids:
                self.err("unknown-ref", "source {source} is not in [[sources]]",
                         f"conventions[{ci}].source", entry=c.id, args={"source": repr(c.source)})
            for ti, t in enumerate(c.targets):
                if t.source and t.source not in source_ids:
                    self.err("unknown-ref", "source {source} is not in [[sources]]",
                             f"conventions[{ci}].targets[{ti}].source", entry=t.id,
                             args={"source": repr(t.source)})
        cited = [(f"funders[{i}]", f.id, f.alternatives) for i, f in enumerate(ledger.funders)]
        cited += [(f"conventions[{ci}]", c.id, c.alternatives)
                  for ci, c in enumerate(ledger.conventions)]
        cited += [(f"conventions[{ci}].targets[{ti}]", t.id, t.alternatives)
                  for ci, c in enumerate(ledger.conventions) for ti, t in enumerate(c.targets)]
        for path, owner, alternatives in cited:
            for j, alt in enumerate(alternatives):
                if alt.source and alt.source not in source_ids:
                    self.err("unknown-ref", "source {source} is not in [[sources]]",
                             f"{path}.alternatives[{j}].source", entry=owner,
                             args={"source": repr(alt.source)})
        units: dict[str, tuple[str, str]] = {}
        for ci, c in enumerate(ledger.conventions):
            for ti, t in enumerate(c.targets):
                if t.indicator in units and units[t.indicator][0] != t.unit:
                    self.err("unit-mismatch", "indicator {indicator} is in {units} in target "
                                              "{units2} but in {unit} here",
                                                  f"conventions[{ci}].targets[{ti}].unit",
                             entry=t.id,
                             args={"indicator": repr(t.indicator),
                                   "units": repr(units[t.indicator][0]),
                                   "units2": repr(units[t.indicator][1]), "unit": repr(t.unit)})
                units.setdefault(t.indicator, (t.unit, t.id))
        if not _journal_references_hold(ledger.journal, targets, conventions, funders):
            self._journal_references(ledger, targets, conventions, funders)

    def _journal_references(self, ledger: m.Ledger, targets: set[str], conventions: set[str],
                            funders: set[str]) -> None:
        """A problem for each entry id used twice and each reference to nothing."""
        entry_ids = {e.id for e in ledger.journal}
        positions = m.journal_paths(ledger)
        seen: dict[str, str] = {}
        for e in ledger.journal:
            path = positions[e.seq]
            folded = e.id.casefold()
            if folded in seen:
                self.err("duplicate-id", "entry id {id} is used twice (also {seen}, ignoring "
                                         "case)", f"{path}.id", entry=e.id,
                         args={"id": repr(e.id), "seen": seen[folded]})
            seen.setdefault(folded, path)
            if isinstance(e, m.ProgressEntry | m.AssertionEntry) and e.target and (
                e.target not in targets
            ):
                self.err("unknown-ref", "unknown target {target}", f"{path}.target",
                         entry=e.id, args={"target": repr(e.target)})
            if isinstance(e, m.TransactionEntry | m.AssertionEntry | m.AmendmentEntry) and (
                e.convention and e.convention not in conventions
            ):
                self.err("unknown-ref", "unknown convention {convention}",
                         f"{path}.convention", entry=e.id, args={"convention": repr(e.convention)})
            if isinstance(e, m.TransactionEntry | m.AssertionEntry | m.AmendmentEntry) and (
                e.funder and e.funder not in funders
            ):
                self.err("unknown-ref", "unknown funder {funder}", f"{path}.funder",
                         entry=e.id, args={"funder": repr(e.funder)})
            if isinstance(e, m.AmendmentEntry) and e.target and e.target not in targets:
                self.err("unknown-ref", "unknown target {target}", f"{path}.target",
                         entry=e.id, args={"target": repr(e.target)})
            if isinstance(e, m.VoidEntry):
                if e.entry not in entry_ids:
                    self.err("unknown-ref", "voids unknown entry {entry}", f"{path}.entry",
                             entry=e.id, args={"entry": repr(e.entry)})
                elif e.entry == e.id:
                    self.err("bad-value", "an entry cannot void itself", f"{path}.entry",
                             entry=e.id)

    def _unique(self, table: str, ids: list[str]) -> None:
        self._unique_paths(ids, [f"{table}[{i}]" for i in range(len(ids))])

    def _unique_paths(self, ids: list[str], paths: list[str]) -> None:
        seen: dict[str, str] = {}
        for ident, path in zip(ids, paths, strict=True):
            if not ident:
                continue
            folded = ident.casefold()
            if folded in seen:
                self.err("duplicate-id", "id {ident} is already used at {seen}",
                         f"{path}.id", entry=ident,
                         args={"ident": repr(ident), "seen": seen[folded]})
            seen.setdefault(folded, path)


_NAMING_TARGETS = (m.ProgressEntry, m.AssertionEntry, m.AmendmentEntry)
_NAMING_CONVENTIONS = (m.TransactionEntry, m.AssertionEntry, m.AmendmentEntry)


def _journal_references_hold(journal: tuple[m.JournalEntry, ...], targets: set[str],
                             conventions: set[str], funders: set[str]) -> bool:
    """Whether `Builder._journal_references` would find nothing (the usual case), seen from
    sets alone: ids distinct ignoring case, every target, convention and funder named is
    defined, every void names another entry."""
    ids = {e.id for e in journal}
    if len(ids) != len(journal):
        return False
    joined = "".join(ids)
    if not (joined.isascii() and joined.lower() == joined) and len(
            {i.casefold() for i in ids}) != len(ids):  # ASCII, no capital: each folds to itself
        return False
    named = {e.target for e in journal if isinstance(e, _NAMING_TARGETS)}
    if not named <= targets | {""}:
        return False
    pairs = {(e.convention, e.funder) for e in journal if isinstance(e, _NAMING_CONVENTIONS)}
    if not {c for c, _ in pairs} <= conventions | {""} or not {
            f for _, f in pairs} <= funders | {""}:
        return False
    return all(e.entry in ids and e.entry != e.id
               for e in journal if isinstance(e, m.VoidEntry))


def parse_money_text(text: str) -> Decimal:
    """An amount typed by a user: plain decimal with '.' (e.g. 25.5), finite, to the dirham."""
    if not re.fullmatch(rf"\d{{1,12}}(\.\d{{1,{limits.MONEY_PLACES}}})?", text.strip(), re.ASCII):
        raise ValueError(
            f"{text!r} is not an amount in MDH (digits with an optional '.' and at most "
            f"{limits.MONEY_PLACES} decimals, e.g. 25.5)")
    return Decimal(text.strip())

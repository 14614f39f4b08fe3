"""Find the line and column of a TOML key path such as `conventions[1].targets[0].quantity`.

tomllib gives values, not places. This scanner reads the text line by line, follows table and
array-of-tables headers and records where each key is written. It understands what a hand
edited ledger contains (headers, `key = value` lines, multi-line strings); for anything it
cannot follow it answers None and the problem is reported without a line.
"""

from __future__ import annotations

import re
from functools import cache

_PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""


@cache
def _patterns() -> tuple[re.Pattern, re.Pattern]:
    """A table header's line and a key's, compiled when a place is first looked for (reading
    a ledger without problems looks for none)."""
    return (re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$"),
            re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*="))


def _clean_key(raw: str) -> str:
    parts = [p.strip().strip("\"'") for p in raw.split(".")]
    return ".".join(parts)


def key_lines(text: str) -> dict[str, tuple[int, int]]:
    """Map every key path written in `text` to its (line, column), 1-based."""
    return _scan(text)[0]


def first_repeat(text: str) -> tuple[str, int, int] | None:
    """The first key (or table) written twice: (path, line, column) of the second one."""
    repeats = _scan(text)[1]
    return repeats[0] if repeats else None


def _scan(text: str) -> tuple[dict[str, tuple[int, int]], list[tuple[str, int, int]]]:
    places: dict[str, tuple[int, int]] = {}
    repeats: list[tuple[str, int, int]] = []
    counters: dict[str, int] = {}
    current = ""
    in_multiline: str | None = None
    header_line, key_line = _patterns()
    for lineno, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        header = header_line.match(line)
        if header:
            name = _clean_key(header.group(2))
            if header.group(1) == "[[":
                parent, _, leaf = name.rpartition(".")
                parent_path = _indexed(parent, counters)
                full_name = f"{parent_path}.{leaf}" if parent_path else leaf
                index = counters.get(full_name, -1) + 1
                counters[full_name] = index
                current = f"{full_name}[{index}]"
            else:
                parent, _, leaf = name.rpartition(".")
                parent_path = _indexed(parent, counters)
                current = f"{parent_path}.{leaf}" if parent_path else leaf
                if current in places:
                    repeats.append((current, lineno, len(line) - len(line.lstrip()) + 1))
            places.setdefault(current, (lineno, len(line) - len(line.lstrip()) + 1))
            continue
        key = key_line.match(line)
        if key:
            path = f"{current}.{_clean_key(key.group(1))}" if current else _clean_key(key.group(1))
            if path in places:
                repeats.append((path, lineno, len(line) - len(line.lstrip()) + 1))
            places.setdefault(path, (lineno, len(line) - len(line.lstrip()) + 1))
            rest = line[key.end():]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_multiline = quote
    return places, repeats


def _indexed(name: str, counters: dict[str, int]) -> str:
    """`conventions.targets` -> `conventions[1].targets` using the latest index of each level."""
    if not name:
        return ""
    out = ""
    for part in name.split("."):
        out = f"{out}.{part}" if out else part
        if out in counters:
            out = f"{out}[{counters[out]}]"
    return out


def locate(places: dict[str, tuple[int, int]], path: str) -> tuple[int, int] | None:
    """The place of `path`, or of its longest written prefix."""
    probe = path
    while probe:
        if probe in places:
            return places[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    return None

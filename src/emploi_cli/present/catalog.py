"""Message catalogs: gettext `.po` files read as they are, without a compile step.

`locale/<lang>.po` holds, for each message, the English text (`msgid`, the source language),
its translation (`msgstr`) and, for the labels of tables and reports, the key the code asks
for (`msgctxt`). An entry marked `#, fuzzy` or with an empty `msgstr` is not translated yet:
the text falls back to the next language of `FALLBACK`, then to English. docs/translating.md
tells a translator how to work on these files.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

LOCALE = Path(__file__).parent / "locale"
# Languages with a catalog; English is the source and needs none.
TRANSLATED = ("fr", "ar")
# Where a message not yet translated is looked for next (then English).
FALLBACK = {"ar": ("fr",)}

Key = tuple[str, str]  # (msgctxt, msgid); "" for no context


@cache
def entries(lang: str) -> dict[Key, str]:
    """Every translated message of `lang` (empty for English or an unknown language)."""
    if lang not in TRANSLATED:
        return {}
    return {key: text for key, (text, fuzzy) in read(LOCALE / f"{lang}.po").items()
            if text and not fuzzy}


def translate(msgid: str, lang: str, context: str = "") -> str:
    """The text of `msgid` in `lang`, else in its fallback, else the English msgid."""
    for each in (lang, *FALLBACK.get(lang, ())):
        found = entries(each).get((context, msgid))
        if found:
            return found
    return msgid


def read(path: Path) -> dict[Key, tuple[str, bool]]:
    """A .po file as {(msgctxt, msgid): (msgstr, fuzzy)}; the header (msgid "") is left out."""
    found: dict[Key, tuple[str, bool]] = {}
    entry: dict[str, str] = {}
    fuzzy = False
    current = ""

    def close() -> None:
        nonlocal fuzzy
        if entry.get("msgid"):
            found[(entry.get("msgctxt", ""), entry["msgid"])] = (entry.get("msgstr", ""), fuzzy)
        entry.clear()
        fuzzy = False

    for line in path.read_text("utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            if "msgid" in entry:
                close()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue
        if line.startswith('"'):
            entry[current] += unquote(line)
            continue
        word, _, rest = line.partition(" ")
        if word in ("msgctxt", "msgid") and "msgid" in entry:
            close()
        current = word
        entry[word] = unquote(rest.strip())
    close()
    return found


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def unquote(text: str) -> str:
    """A .po string literal's text: `"a \\"b\\"\\n"` -> `a "b"` and a newline."""
    body = text[1:-1]
    if "\\" not in body:
        return body
    out, chars = [], iter(body)
    for char in chars:
        out.append(_ESCAPES.get(next(chars, ""), "") if char == "\\" else char)
    return "".join(out)


def quote(text: str) -> str:
    """`text` as a .po string literal (one line)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace(
        "\n", "\\n").replace("\t", "\\t") + '"'

"""The ledger `emploi init` writes: valid, documented, to be edited by hand.

Its comments and the texts of its example values are English here; `text(translate)` gives
them in another language, one comment or value at a time (each is a message of the catalogs,
context "starter", listed by `messages()`). Keys, ids and figures never change.
"""

import re
from collections.abc import Callable
from pathlib import Path

from ..domain import model as m

STARTER = '''\
# emploi ledger. Its format is documented in docs/ledger.md; `emploi check` validates it.
# Amounts are in the programme's unit (MDH = millions of dirhams), as plain decimals: 1250.50
# Counts are whole numbers. Dates are written unquoted: 2024-01-01
# Write only what a source states, and cite it: source = "<id of a [[sources]] entry>"

format = 1

[programme]
id = "my-programme"                 # short id, used when several ledgers are rolled up
title = "Programme name"
region = "Region"
start = 2024-01-01
end = 2026-12-31
total = 100.00                      # the stated total, in `unit`
currency = "MAD"
unit = "MDH"
source = "doc1"

[[sources]]
id = "doc1"
title = "Title of the document the figures come from"

[[partners]]
id = "partner"
name = "Partner agency"

[[funders]]
id = "funder"
name = "Main funder"
amount = 40.00                      # its commitment; leave the key out if no source states it
estimated = false
source = "doc1"

[[conventions]]
id = "c1"
title = "First convention"
amount = 100.00
source = "doc1"

[[conventions.targets]]
id = "c1.placements"
indicator = "placements"            # shared key: targets of one indicator add up
label = "Job seekers placed in work"
quantity = 1000                     # leave out when the source states no number
unit = "personnes"
reporting = "increment"             # "increment" (values add up) or "cumulative" (running total)
source = "doc1"

# ---- Journal: entries appended by emploi (record, disburse, void, ...) follow. ----
'''


# A comment, and a text value a person reads (not an id, a unit or a choice).
_COMMENT = re.compile(r"(#\s(?:---- )?)(.*?)((?: ----)?)$")
_VALUE = re.compile(r'^((?:title|region|name|label) = ")([^"]*)(")')


def messages() -> list[str]:
    """The starter ledger's texts that the catalogs translate, in order."""
    found: list[str] = []
    text(lambda english: found.append(english) or english)
    return list(dict.fromkeys(found))


def text(translate: Callable[[str], str] = str) -> str:
    """The starter ledger with each comment and text value passed through `translate`."""
    lines = []
    for line in STARTER.split("\n"):
        comment = _COMMENT.search(line)
        if comment and comment.group(2):
            line = (line[:comment.start()] + comment.group(1) + translate(comment.group(2))
                    + comment.group(3))
        value = _VALUE.match(line)
        if value:
            line = value.group(1) + translate(value.group(2)).replace('"', "'") + line[
                value.end(2):]
        lines.append(line)
    return "\n".join(lines)


def write(path: Path, *, force: bool = False,
          translate: Callable[[str], str] = str) -> Path:
    """Write the starter ledger to `path` (its texts through `translate`); an existing file
    only with `force`."""
    if path.exists() and not force:
        raise m.refusal("exists", "file exists; use --force to overwrite it",
                        place=m.Place(str(path)))
    if path.is_dir():
        raise m.refusal("not-a-file", "is a directory", place=m.Place(str(path)))
    try:
        path.write_text(text(translate), encoding="utf-8")
    except OSError as exc:
        raise m.refusal("unwritable", "cannot write: {reason}",
                        place=m.Place(str(path)), args={"reason": exc.strerror}) from None
    return path


"""The limits of what a ledger, a command line or a partner's sheet may hold, defined once.

Reading a ledger, the fast reader, the entry builders and the importer all check against these;
none keeps its own copy.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .model import phrase

MAX_MONEY = Decimal("1e9")  # MDH: a million billion dirhams is a typo, not a budget
MONEY_PLACES = 6  # decimals of an amount in MDH: to the dirham
MAX_COUNT = 10**12  # a count beyond any plausible number of people or places
MIN_YEAR = 1900  # a date before it is a typo
MAX_LEDGER_BYTES = 32 * 1024 * 1024  # the largest ledger file read: about 350,000 entries
MAX_SHEET_BYTES = 64 * 1024 * 1024  # the largest partner's sheet imported

DECIMAL_MARKS = (".", ",")
SPACES = (" ", "\u00a0", "\u202f")  # space, no-break space, narrow no-break space
THOUSANDS_SEPARATORS = ("", ",", ".", " ", "\u00a0", "\u202f", "'")
DELIMITERS = (",", ";", "\t", "|")  # of a CSV file

ID_PATTERN = r"[a-z0-9][a-z0-9_.\-]*"  # the id of a definition, the name of a profile
ENTRY_ID_PATTERN = r"[A-Za-z0-9_.:\-]{1,64}"  # the id of a journal entry
# How an id must be written, as a phrase of the messages that refuse one (translated).
ID_RULE = phrase("lower-case ASCII letters, digits, '_', '-' or '.', starting with a letter or "
                 "digit")
ENTRY_ID_RULE = phrase("1 to 64 ASCII letters, digits, '_', '-', '.' or ':'")


def __getattr__(name: str) -> re.Pattern:
    """`ID` and `ENTRY_ID`, the two patterns compiled, made when first asked for (a command
    that reads its ledger from the cache never asks) and kept as the module's names."""
    patterns = {"ID": ID_PATTERN, "ENTRY_ID": ENTRY_ID_PATTERN}
    if name not in patterns:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    compiled = globals()[name] = re.compile(rf"^{patterns[name]}$")
    return compiled

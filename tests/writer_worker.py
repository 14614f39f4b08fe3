"""A separate process that appends N entries through the write path, for the process tests.

python -m tests.writer_worker LEDGER NAME COUNT [mixed]
Each entry's note is NAME-i and its value i, so a test can tell every entry apart. With
`mixed`, every third entry is a disbursement and every third a void of the entry before.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from emploi_cli.domain import entries
from emploi_cli.store import writing

DAY = date(2021, 5, 1)
TODAY = date(2022, 6, 30)


def main() -> None:
    ledger, name, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    mixed = len(sys.argv) > 4
    stamp = entries.Stamp.now("worker")
    last_id = ""
    for i in range(count):
        note = f"{name}-{i}"
        if mixed and i % 3 == 1:
            def build(current, note=note, i=i):
                fields, warnings = entries.transaction(
                    current, convention="c1", amount=Decimal(i + 1) / 1000, kind="disbursement",
                    day=DAY, today=TODAY, stamp=stamp, note=note)
                return [("transaction", fields)], warnings
        elif mixed and i % 3 == 2:
            def build(current, note=note, target=last_id):
                fields, warnings = entries.void(current, entry=target, reason=note, today=TODAY,
                                                stamp=stamp)
                return [("void", fields)], warnings
        else:
            def build(current, note=note, i=i):
                fields, warnings = entries.progress(
                    current, target="c1.insertion", value=i, day=DAY, today=TODAY, stamp=stamp,
                    note=note)
                return [("progress", fields)], warnings
        done = writing.append(ledger, build)
        last_id = done.entries[0][1]["id"]
        print(i, flush=True)


if __name__ == "__main__":
    main()

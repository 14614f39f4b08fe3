"""Test data for pace, status and report: a year of monthly entries for the shipped ledger.

Figures here are test figures, not from any source.
"""

from __future__ import annotations

import calendar
from pathlib import Path

MONTHS = [(2021, m) for m in range(7, 13)] + [(2022, m) for m in range(1, 7)]
# (target, monthly values); cumulative targets give their running total each month.
MONTHLY = {
    "c1.insertion": [1350] * 12,  # 16,200 by 2022-06-30: on track
    "c1.employabilite": [335] * 12,  # 4,020: behind
    "c2.employabilite": [60] * 12,  # 720: at risk
    "c2.espaces": [1, 2, 2, 3, 4, 5, 6, 8, 9, 10, 12, 17],  # cumulative: achieved
    "c2.unites_mobiles": [0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4],  # cumulative, unquantified
}


def _last_day(year: int, month: int) -> str:
    return f"{year}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def year_journal() -> str:
    """Progress every month end from 2021-07 to 2022-06, money every quarter end."""
    parts = []
    for i, (year, month) in enumerate(MONTHS):
        day = _last_day(year, month)
        for target, values in MONTHLY.items():
            parts.append(
                f'[[progress]]\nid = "p-{year}-{month:02d}-{target}"\ndate = {day}\n'
                f'target = "{target}"\nvalue = {values[i]}\nsource = "rapport mensuel"\n')
        if month % 3 == 0:
            for convention, amount, spent in (("c1", "25.00", "20.00"), ("c2", "2.50", "1.75")):
                parts.append(
                    f'[[transactions]]\nid = "d-{year}-{month:02d}-{convention}"\n'
                    f'date = {day}\nconvention = "{convention}"\namount = {amount}\n'
                    f'kind = "disbursement"\nfunder = "region"\n')
                parts.append(
                    f'[[transactions]]\nid = "x-{year}-{month:02d}-{convention}"\n'
                    f'date = {day}\nconvention = "{convention}"\namount = {spent}\n'
                    f'kind = "expenditure"\n')
    return "\n".join(parts)


def shipped_with_year(shipped: Path) -> str:
    return shipped.read_text(encoding="utf-8") + "\n" + year_journal()


def small_ledger(path: Path, *, start: str = "2021-01-01", end: str = "2021-12-31",
                 targets: str = "", journal: str = "", title: str = "Test programme",
                 conventions: str = "", fiscal: int | None = None) -> Path:
    """A minimal valid ledger: one convention c1 (100 MDH) with the given targets' TOML."""
    fiscal_line = f"fiscal_year_start = {fiscal}\n" if fiscal else ""
    text = f'''format = 1

[programme]
id = "test"
title = "{title}"
region = "Region"
start = {start}
end = {end}
total = 100.00
currency = "MAD"
unit = "MDH"
source = "doc"
{fiscal_line}
[[sources]]
id = "doc"
title = "Test document"

[[funders]]
id = "f1"
name = "Funder one"
amount = 100.00
source = "doc"

[[conventions]]
id = "c1"
title = "Convention one"
amount = 100.00
source = "doc"

{targets}
{conventions}
{journal}
'''
    path.write_text(text, encoding="utf-8")
    return path


def target(ident: str, quantity: int | None = 3650, reporting: str = "increment",
           extra: str = "") -> str:
    q = f"quantity = {quantity}\n" if quantity is not None else ""
    return (f'[[conventions.targets]]\nid = "{ident}"\nindicator = "{ident.split(".")[-1]}"\n'
            f'label = "Target {ident}"\n{q}unit = "personnes"\nreporting = "{reporting}"\n'
            f'source = "doc"\n{extra}\n')


def progress(ident: str, day: str, target_id: str, value: int, tags: str = "") -> str:
    tag_line = f"tags = {{ {tags} }}\n" if tags else ""
    return (f'[[progress]]\nid = "{ident}"\ndate = {day}\ntarget = "{target_id}"\n'
            f"value = {value}\n{tag_line}\n")


def money(ident: str, day: str, convention: str, amount: str, kind: str = "disbursement",
          funder: str = "") -> str:
    funder_line = f'funder = "{funder}"\n' if funder else ""
    return (f'[[transactions]]\nid = "{ident}"\ndate = {day}\nconvention = "{convention}"\n'
            f'amount = {amount}\nkind = "{kind}"\n{funder_line}\n')

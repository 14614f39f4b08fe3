"""Write a partner's yearly sheet as CSV: ROWS progress rows on the shipped ledger's targets.

Standard library only. `python benchmarks/import_sheet.py 40000 sheet.csv` writes it; import it
with `emploi import sheet.csv --kind progress --map target=Cible --map value=Valeur
--map date=Date --map tag.province=Province --map reference=Ref --dry-run` (IMPORT_MAPS).
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import date, timedelta
from pathlib import Path

TARGETS = ("c1.insertion", "c1.employabilite", "c2.employabilite")
PROVINCES = ("Fès", "Meknès", "El Hajeb", "Ifrane", "Moulay Yacoub", "Sefrou", "Boulemane",
             "Taounate", "Taza")
IMPORT_MAPS = ("--kind", "progress", "--map", "target=Cible", "--map", "value=Valeur",
               "--map", "date=Date", "--map", "tag.province=Province", "--map", "reference=Ref")


def write(rows: int, path: Path, seed: int = 2021) -> None:
    """`rows` rows dated through 2021, each with its own reference."""
    rng = random.Random(seed)
    start = date(2021, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as stream:
        out = csv.writer(stream)
        out.writerow(["Ref", "Date", "Cible", "Province", "Valeur"])
        for i in range(rows):
            day = start + timedelta(days=364 * i // max(rows, 1))
            out.writerow([f"R{i:06d}", day.isoformat(), rng.choice(TARGETS),
                          rng.choice(PROVINCES), rng.randint(1, 60)])


if __name__ == "__main__":
    write(int(sys.argv[1]), Path(sys.argv[2]))

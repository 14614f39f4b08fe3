"""Benchmark emploi at the shipped size and at 1,000, 10,000 and 100,000 journal entries.

Standard library only. Run from a checkout with emploi installed in the same interpreter:

    python benchmarks/bench.py                  # everything (a few minutes)
    python benchmarks/bench.py --sizes 1000     # a quick run
    python benchmarks/bench.py --generate 100000 big.toml   # only write a ledger

Every figure is a whole process (interpreter start included), the median of --runs runs, with
the peak resident memory of that process (ru_maxrss of the child). "cold" runs without the
cache (EMPLOI_NO_CACHE=1), "warm" with a cache built by a previous run. When `hledger` and/or
`ledger` are on PATH the same data is written as a journal and `bal` is timed on it.
docs/performance.md explains the figures.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # import_sheet.py beside this file

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "data" / "conventions.toml"
TODAY = "2022-12-31"

# The shipped ledger's targets and conventions, with a plausible weight and value range.
TARGETS = (  # id, weight, (low, high) per entry
    ("c1.insertion", 40, (1, 60)),
    ("c1.employabilite", 25, (1, 30)),
    ("c2.employabilite", 12, (1, 15)),
    ("c2.espaces", 3, (0, 17)),  # cumulative: a running count per province
    ("c2.unites_mobiles", 2, (0, 9)),  # cumulative
)
CONVENTIONS = ("c1", "c1", "c1", "c2")
KINDS = ("commitment", "disbursement", "disbursement", "expenditure", "expenditure")
PROVINCES = ("Fès", "Meknès", "El Hajeb", "Ifrane", "Moulay Yacoub", "Sefrou", "Boulemane",
             "Taounate", "Taza")
SOURCES = ("ANAPEC rapport mensuel", "ADS rapport trimestriel", "Région, service financier", "")
NOTES = ("", "", "", "", "rattrapage du mois précédent", "chiffres provisoires",
         "session de formation à Fès", "données consolidées par l'agence")
USERS = ("amina", "youssef", "khadija", "import")
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


# ---- generating ledgers ------------------------------------------------------------------


def _id(rng: random.Random, stamp: datetime) -> str:
    ms = int(stamp.timestamp() * 1000)
    head = "".join(_CROCKFORD[(ms >> shift) & 31] for shift in range(45, -1, -5))
    return head + "".join(rng.choice(_CROCKFORD) for _ in range(6))


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def entries(count: int, seed: int = 2022) -> list[dict]:
    """`count` journal entries (about 4 progress for 1 transaction, a few voids), dated
    2020-01-01 to 2022-12-31 in file order like a real journal, as plain dicts."""
    rng = random.Random(seed)
    start = date(2020, 1, 1)
    span = (date(2022, 12, 31) - start).days
    cumulative: dict[tuple[str, str], int] = {}
    result: list[dict] = []
    weights = [w for _, w, _ in TARGETS]
    for i in range(count):
        day = start + timedelta(days=span * i // max(count, 1))
        stamp = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC) + timedelta(
            seconds=rng.randrange(8 * 3600))
        common = {"id": _id(rng, stamp), "date": day}
        roll = rng.random()
        if roll < 0.002 and result:
            victim = result[rng.randrange(len(result))]
            if victim["kind"] != "void" and not victim.get("voided"):
                victim["voided"] = True
                result.append({"kind": "void", **common, "entry": victim["id"],
                               "reason": "saisie en double", "recorded_at": stamp,
                               "recorded_by": rng.choice(USERS)})
                continue
        if roll < 0.2:
            amount = f"{rng.randrange(5, 2500) / 1000:.3f}".rstrip("0").rstrip(".")
            entry = {"kind": "transaction", **common,
                     "convention": rng.choice(CONVENTIONS), "amount": amount,
                     "kind_": rng.choice(KINDS)}
            if rng.random() < 0.5:
                entry["funder"] = "region"
        else:
            target, _, (low, high) = rng.choices(TARGETS, weights)[0]
            province = rng.choice(PROVINCES)
            if target.startswith("c2.e") or target.startswith("c2.u"):
                key = (target, province)
                value = min(cumulative.get(key, 0) + rng.randrange(0, 2), high)
                cumulative[key] = value
            else:
                value = rng.randrange(low, high)
            entry = {"kind": "progress", **common, "target": target, "value": value,
                     "tags": {"province": province}}
        note, source = rng.choice(NOTES), rng.choice(SOURCES)
        if note:
            entry["note"] = note
        if source:
            entry["source"] = source
        entry["recorded_at"] = stamp
        entry["recorded_by"] = rng.choice(USERS)
        result.append(entry)
    return result


def toml_journal(items: list[dict]) -> str:
    """The entries as emploi's writer lays them out (one fenced `[[table]]` per entry)."""
    tables = {"progress": "progress", "transaction": "transactions", "void": "voids"}
    out = []
    for e in items:
        lines = [f"\n# entry {e['id']}", f"[[{tables[e['kind']]}]]", f"id = {_quote(e['id'])}",
                 f"date = {e['date'].isoformat()}"]
        if e["kind"] == "progress":
            lines += [f"target = {_quote(e['target'])}", f"value = {e['value']}"]
        elif e["kind"] == "transaction":
            lines += [f"convention = {_quote(e['convention'])}", f"amount = {e['amount']}",
                      f"kind = {_quote(e['kind_'])}"]
            if "funder" in e:
                lines.append(f"funder = {_quote(e['funder'])}")
        else:
            lines += [f"entry = {_quote(e['entry'])}", f"reason = {_quote(e['reason'])}"]
        for key in ("note", "source"):
            if key in e:
                lines.append(f"{key} = {_quote(e[key])}")
        if "tags" in e:
            inner = ", ".join(f"{k} = {_quote(v)}" for k, v in e["tags"].items())
            lines.append(f"tags = {{ {inner} }}")
        lines.append(f"recorded_at = {e['recorded_at'].strftime('%Y-%m-%dT%H:%M:%SZ')}")
        lines.append(f"recorded_by = {_quote(e['recorded_by'])}")
        lines.append(f"# end {e['id']}")  # the fences emploi writes around each entry
        out.append("\n".join(lines) + "\n")
    return "".join(out)


def write_ledger(path: Path, count: int, seed: int = 2022, journal: Path | None = None
                 ) -> list[dict]:
    """The shipped ledger plus `count` entries; the same data for hledger/ledger in `journal`."""
    items = entries(count, seed)
    text = SHIPPED.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + toml_journal(items),
                    encoding="utf-8")
    if journal is not None:
        journal.write_text(ledger_journal(items), encoding="utf-8")
    return items


def ledger_journal(items: list[dict]) -> str:
    """The same data for hledger and ledger-cli: one transaction per entry, commodities
    `P` (people), `E` (places), `U` (units) and `MDH`. Voided entries and voids are left out,
    as emploi leaves them out of every report."""
    unit = {"c1.insertion": "P", "c1.employabilite": "P", "c2.employabilite": "P",
            "c2.espaces": "E", "c2.unites_mobiles": "U"}
    out = []
    for e in items:
        if e["kind"] == "void" or e.get("voided"):
            continue
        day = e["date"].isoformat()
        note = f"  ; {e['note']}" if "note" in e else ""
        if e["kind"] == "progress":
            account = e["target"].replace(".", ":")
            province = e["tags"]["province"]
            out.append(f"{day} progress {e['id']}{note}\n"
                       f"    ; province: {province}\n"
                       f"    achieved:{account}    {e['value']} {unit[e['target']]}\n"
                       f"    targets:{account}\n")
        else:
            funder = e.get("funder", "unattributed")
            out.append(f"{day} {e['kind_']} {e['id']}{note}\n"
                       f"    conventions:{e['convention']}:{e['kind_']}    {e['amount']} MDH\n"
                       f"    funders:{funder}\n")
    return "\n".join(out)


# ---- timing ------------------------------------------------------------------------------

# The floor of any Typer CLI: two commands (so that, as in emploi, the first argument names
# one), each with one str option, printing a line.
EMPTY_TYPER = """
import typer
app = typer.Typer()
@app.command()
def main(name: str = "x"):
    print(name)
@app.command()
def other(name: str = "y"):
    print(name)
app()
"""
FLOOR = "typer, empty two-command app"
IMPORT_ROWS = 40_000


def timed(cmd: list[str], env: dict[str, str], runs: int, before=None) -> tuple[float, float]:
    """Median wall seconds and the largest peak RSS (MB) over `runs` whole-process runs."""
    walls, peaks = [], []
    for _ in range(runs):
        if before is not None:
            before()
        peak = _child_run(cmd, env)
        walls.append(peak[0])
        peaks.append(peak[1])
    return statistics.median(walls), max(peaks)


def _child_run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB (ru_maxrss of this child alone, from wait4)."""
    wall, peak, _ = _child_usage(cmd, env)
    return wall, peak


def _child_usage(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, peak resident MB and CPU seconds (user + system) of one run."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n"
                             + errors.read().decode("utf-8", "replace"))
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def paired(cmd: list[str], floor: list[str], env: dict[str, str], pairs: int,
           before=None) -> float:
    """The command's CPU time over the floor's, each pair run back to back: the median of
    the pairs' ratios. A shared machine's other jobs slow both runs of a pair alike, so this
    moves far less with the load than a ratio of two medians taken minutes apart."""
    ratios = []
    for _ in range(pairs):
        if before is not None:
            before()
        ratios.append(_child_usage(cmd, env)[2] / _child_usage(floor, env)[2])
    return statistics.median(ratios)


# ---- the run -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="comma-separated journal sizes (default 1000,10000,100000)")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--generate", nargs=2, metavar=("COUNT", "PATH"),
                        help="only write a generated ledger of COUNT entries to PATH")
    parser.add_argument("--journal", metavar="PATH",
                        help="with --generate: also write the data as an hledger/ledger journal")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--pairs", type=int, default=21,
                        help="pairs (command, floor) run back to back for the ratio targets")
    args = parser.parse_args(argv)
    if args.generate:
        write_ledger(Path(args.generate[1]), int(args.generate[0]), args.seed,
                     Path(args.journal) if args.journal else None)
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    return run(sizes, args.runs, args.seed, args.pairs)


def run(sizes: list[int], runs: int, seed: int, pairs: int = 21) -> int:
    emploi = shutil.which("emploi", path=str(Path(sys.executable).parent)) or "emploi"
    work = Path(tempfile.mkdtemp(prefix="emploi-bench-"))
    rows: list[tuple[str, str, float | None, float | None]] = []
    by_pairs: dict[tuple[str, str], float] = {}  # (label, size) -> paired CPU ratio
    try:
        base = {k: v for k, v in os.environ.items()
                if not k.startswith("EMPLOI_") and k != "PYTHONDONTWRITEBYTECODE"}
        base.update(EMPLOI_TODAY=TODAY, EMPLOI_USER="bench", XDG_CACHE_HOME=str(work / "cache"))
        cold = {**base, "EMPLOI_NO_CACHE": "1"}
        _child_run([emploi, "--version"], base)  # writes bytecode caches if missing

        def add(label: str, size: str, cmd: list[str], env: dict[str, str], before=None,
                count: int = runs) -> None:
            wall, peak = timed(cmd, env, count, before)
            rows.append((label, size, wall, peak))
            print(f"  {label:<34} {size:>8}  {wall:7.3f} s  {peak:6.1f} MB", file=sys.stderr)

        floor = [sys.executable, "-c", EMPTY_TYPER, "main", "--name", "x"]

        def against_floor(label: str, size: str, cmd: list[str], before=None) -> None:
            by_pairs[label, size] = paired(cmd, floor, base, pairs, before)
            print(f"  {label:<34} {size:>8}  {by_pairs[label, size]:.2f}x the floor's CPU "
                  f"(median of {pairs} pairs)", file=sys.stderr)

        add("python -c pass", "-", [sys.executable, "-c", "pass"], base)
        add(FLOOR, "-", floor, base)
        add("emploi --version", "-", [emploi, "--version"], base)
        against_floor("emploi --version", "-", [emploi, "--version"])
        ledgers = [("shipped", SHIPPED)]
        for size in sizes:  # in a child: this process stays small, and so does what its
            path = work / f"ledger-{size}.toml"  # children inherit (ru_maxrss counts it)
            subprocess.run([sys.executable, __file__, "--generate", str(size), str(path),
                            "--seed", str(seed), "--journal", str(work / f"journal-{size}")],
                           check=True)
            ledgers.append((f"{size:,}", path))
        for size, path in ledgers:
            for command in ("summary", "targets"):
                cmd = [emploi, command, "-l", str(path), "-f", "json"]
                add(f"{command} json cold", size, cmd, cold)
                if command == "summary":
                    add("summary json first (writes cache)", size, cmd, base,
                        before=lambda: shutil.rmtree(work / "cache", ignore_errors=True))
                _child_run(cmd, base)  # build the cache
                add(f"{command} json warm", size, cmd, base)
                if (command, size) in (("summary", "shipped"), ("targets", f"{max(sizes):,}")):
                    against_floor(f"{command} json warm", size, cmd)
            if size != "shipped":
                add("history csv warm", size, [emploi, "history", "-l", str(path), "-f", "csv"],
                    base)
                copy = work / f"record-{size.replace(',', '')}.toml"
                shutil.copyfile(path, copy)
                record = [emploi, "record", "c1.insertion", "3", "-l", str(copy),
                          "--tag", "province=Fès", "--date", "2022-06-30"]
                _child_run([emploi, "summary", "-l", str(copy), "-f", "json"], base)
                add("record (warm cache)", size, record, base)
                if size == f"{max(sizes):,}":
                    against_floor("record (warm cache)", size, record)
                add("record (no cache)", size, record, cold, count=max(1, runs // 2))
                appended = iter(range(10**6))

                def append_by_hand(copy: Path = copy, appended=appended) -> None:
                    with copy.open("a", encoding="utf-8") as stream:
                        stream.write(f'\n[[progress]]\nid = "hand{next(appended):012d}"\n'
                                     'date = 2022-06-30\ntarget = "c1.insertion"\nvalue = 1\n')
                add("summary json after a hand append", size,
                    [emploi, "summary", "-l", str(copy), "-f", "json"], base,
                    before=append_by_hand)
            peers = [p for p in ("hledger", "ledger") if shutil.which(p)]
            for tool in peers if size != "shipped" else ():
                journal = work / f"journal-{size.replace(',', '')}"
                add(f"{tool} bal", size, [tool, "-f", str(journal), "bal"], base)
        sheet = work / "sheet.csv"
        subprocess.run([sys.executable, str(Path(__file__).with_name("import_sheet.py")),
                        str(IMPORT_ROWS), str(sheet)], check=True)
        copy = work / "import.toml"
        shutil.copyfile(SHIPPED, copy)
        from import_sheet import IMPORT_MAPS

        for fmt in ("csv", "json"):
            add(f"import --dry-run {fmt}", f"{IMPORT_ROWS:,}", [
                emploi, "import", str(sheet), *IMPORT_MAPS, "--dry-run", "-f", fmt, "-l",
                str(copy)], base, count=max(1, runs // 2))
        print(table(rows))
        print()
        print(growth(rows))
        print()
        print(verdicts(rows, by_pairs))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def growth(rows: list[tuple[str, str, float | None, float | None]]) -> str:
    """How each figure grows from one size to the next ten times larger."""
    by_label: dict[str, dict[int, float]] = {}
    for label, size, wall, _ in rows:
        if size not in ("-", "shipped") and wall:
            by_label.setdefault(label, {})[int(size.replace(",", ""))] = wall
    lines = [f"{'growth per 10x entries':<34} {'1k->10k':>9} {'10k->100k':>10}", "-" * 56]
    for label, walls in by_label.items():
        cells = []
        for low in (1000, 10000):
            high = low * 10
            cells.append(f"{walls[high] / walls[low]:.1f}x" if low in walls and high in walls
                         else "")
        lines.append(f"{label:<34} {cells[0]:>9} {cells[1]:>10}")
    return "\n".join(lines)


def table(rows: list[tuple[str, str, float | None, float | None]]) -> str:
    lookup = {(label, size): wall for label, size, wall, _ in rows}
    lines = [f"{'command':<34} {'entries':>9} {'median s':>9} {'peak MB':>8}  ratio",
             "-" * 76]
    bare = lookup.get(("python -c pass", "-"))
    floor = lookup.get((FLOOR, "-"))
    for label, size, wall, peak in rows:
        ratio = ""
        if size == "shipped" and bare and floor and wall:
            ratio = f"{wall / bare:.1f}x python -c pass; {wall / floor:.2f}x the floor"
        elif size != "-" and floor and wall and label.startswith(("targets json", "record")):
            ratio = f"{wall / floor:.2f}x the floor"
        elif label.startswith("summary json warm") or label.startswith("targets json warm"):
            parts = []
            for tool in ("ledger", "hledger"):
                other = lookup.get((f"{tool} bal", size))
                if other and wall:
                    parts.append(f"{tool} bal / this = {other / wall:.1f}x")
            ratio = "; ".join(parts)
        elif label.endswith("json cold"):
            other = lookup.get(("hledger bal", size))
            if other and wall:
                ratio = f"hledger bal / this = {other / wall:.1f}x"
        lines.append(f"{label:<34} {size:>9} {wall:9.3f} {peak:8.1f}  {ratio}".rstrip())
    return "\n".join(lines)



def verdicts(rows: list[tuple[str, str, float | None, float | None]],
             by_pairs: dict[tuple[str, str], float] | None = None) -> str:
    """The targets, each as measured in this run: met / not met. A ratio to the floor is the
    paired CPU ratio where one was measured (`paired`), else the ratio of the medians."""
    lookup = {(label, size): wall for label, size, wall, _ in rows}
    floor = lookup.get((FLOOR, "-")) or 0.0
    big = "100,000"
    peak = max((p for label, _, _, p in rows if p and not label.startswith(
        ("hledger", "ledger", "python", "typer"))), default=None)

    def ratio(label: str, size: str, other: float | None = None) -> float | None:
        if other is None and (label, size) in (by_pairs or {}):
            return (by_pairs or {})[label, size]
        wall = lookup.get((label, size))
        base = floor if other is None else other
        return wall / base if wall and base else None

    targets_warm, targets_cold = (lookup.get(("targets json warm", big)),
                                  lookup.get(("targets json cold", big)))
    ledger_bal, hledger_bal = lookup.get(("ledger bal", big)), lookup.get(("hledger bal", big))
    checks = [
        ("shipped summary -f json (warm) <= 1.25x the floor",
         ratio("summary json warm", "shipped"), lambda r: r <= 1.25, "{:.2f}x"),
        ("100,000 warm targets -f json <= 2x the floor",
         ratio("targets json warm", big), lambda r: r <= 2, "{:.2f}x"),
        ("... and >= 4x faster than ledger bal",
         ledger_bal / targets_warm if ledger_bal and targets_warm else None,
         lambda r: r >= 4, "{:.1f}x"),
        ("100,000 cold targets -f json <= 2 s", targets_cold, lambda r: r <= 2, "{:.2f} s"),
        ("... and faster than hledger bal",
         hledger_bal / targets_cold if hledger_bal and targets_cold else None,
         lambda r: r > 1, "{:.1f}x"),
        ("record on 100,000 entries (warm cache) <= 3x the floor",
         ratio("record (warm cache)", big), lambda r: r <= 3, "{:.2f}x"),
        ("peak memory <= 150 MB", peak, lambda r: r <= 150, "{:.0f} MB"),
        *((f"import --dry-run -f {fmt} of {IMPORT_ROWS:,} rows <= 3 s",
           lookup.get((f"import --dry-run {fmt}", f"{IMPORT_ROWS:,}")), lambda r: r <= 3,
           "{:.2f} s") for fmt in ("csv", "json")),
    ]
    lines = [f"targets (the floor: {FLOOR}, {floor:.3f} s in this run)", "-" * 76]
    for name, value, good, shown in checks:
        verdict = "not measured" if value is None else "met" if good(value) else "not met"
        figure = "" if value is None else shown.format(value)
        lines.append(f"{name:<58} {figure:>9}  {verdict}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

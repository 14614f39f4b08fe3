"""What a command imports, and the benchmark's generator (the benchmark itself is
too slow for the suite: `python benchmarks/bench.py`, see docs/performance.md)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

from emploi_cli.store import cache, reading

from .conftest import REPO

RUN = """
import sys
sys.argv = ["emploi", *{args!r}]
try:
    from emploi_cli.cli.app import run
    run()
except SystemExit as exc:
    assert not exc.code, exc.code
loaded = sorted(name for name in sys.modules if name.split(".")[0] in {watch!r})
print("MODULES", loaded)
"""


def _modules(args: list[str], watch: set[str], env: dict[str, str] | None = None) -> list[str]:
    result = subprocess.run([sys.executable, "-c", RUN.format(args=args, watch=watch)],
                            capture_output=True, text=True, env={**os.environ, **(env or {})},
                            check=True)
    line = next(x for x in result.stdout.splitlines() if x.startswith("MODULES"))
    return json.loads(line.removeprefix("MODULES ").replace("'", '"'))


def test_machine_formats_never_import_rich():
    for fmt in ("json", "csv", "md"):
        assert _modules(["summary", "-f", fmt], {"rich"}) == []
    assert _modules(["targets", "-f", "json"], {"rich"}) == []


def test_a_warm_run_does_not_parse(tmp_path):
    env = {"EMPLOI_NO_CACHE": "", "XDG_CACHE_HOME": str(tmp_path)}
    assert "tomllib" in _modules(["summary", "-f", "json"], {"tomllib"}, env)
    # the shipped ledger last changed long ago: its stat proves the cached content, unhashed
    assert _modules(["summary", "-f", "json"], {"tomllib", "rich", "tomli_w", "hashlib"},
                    env) == []


def test_reports_define_no_dataclass(tmp_path):
    """A frozen dataclass costs a command about 0.7 ms to define (docs/performance.md): the
    model and the position are named tuples, and the reports load no module that defines
    dataclasses."""
    env = {"EMPLOI_NO_CACHE": "", "XDG_CACHE_HOME": str(tmp_path)}
    for args in (["summary", "-f", "json"], ["targets", "-f", "json"], ["--version"]):
        assert _modules(args, {"dataclasses"}, env) == []


def test_importing_the_package_imports_nothing_heavy():
    code = ("import sys, emploi_cli; print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'typer', 'rich', 'tomllib', 'tomli_w', 'decimal', 'json', 'emploi_cli'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "['emploi_cli']"


def _bench():
    spec = importlib.util.spec_from_file_location("bench", REPO / "benchmarks" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_generator_writes_a_sound_ledger(tmp_path):
    bench = _bench()
    path = tmp_path / "big.toml"
    items = bench.write_ledger(path, 300)
    loaded = reading.load(path)
    assert loaded.ledger is not None and not loaded.errors
    assert len(loaded.ledger.journal) == len(items) == 300
    kinds = {e.kind for e in loaded.ledger.journal}
    assert {"progress", "transaction"} <= kinds
    provinces = {dict(e.tags).get("province") for e in loaded.ledger.journal
                 if e.kind == "progress"}
    assert len(provinces) >= 5
    days = sorted(e.date for e in loaded.ledger.journal)
    assert days[0].year == 2020 and days[-1].year == 2022
    assert cache.load(path) == loaded
    journal = bench.ledger_journal(items)
    assert journal.count("\n    achieved:") + journal.count(" MDH\n") >= 290
    assert "summary json warm" in bench.table([("summary json warm", "1,000", 0.1, 30.0),
                                               ("ledger bal", "1,000", 0.5, 20.0)])


def test_ratio_targets_read_the_paired_ratio_where_one_was_measured():
    bench = _bench()
    rows = [(bench.FLOOR, "-", 0.100, 16.0), ("summary json warm", "shipped", 0.120, 20.0),
            ("targets json warm", "100,000", 0.300, 30.0)]
    plain = bench.verdicts(rows)
    assert "1.20x  met" in plain and "3.00x  not met" in plain  # ratios of the medians
    paired = bench.verdicts(rows, {("summary json warm", "shipped"): 1.4,
                                   ("targets json warm", "100,000"): 1.9})
    assert "1.40x  not met" in paired and "1.90x  met" in paired

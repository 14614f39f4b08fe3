"""Real processes writing at once, and writers killed at random moments."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import tomllib

from typer.testing import CliRunner

from emploi_cli.cli.app import app
from emploi_cli.store import cache, snapshot

from .conftest import REPO


def worker_env(ledger) -> dict[str, str]:
    """Writers use the parse cache, as people's do (in a folder of the test's own)."""
    env = {k: v for k, v in os.environ.items() if k != "EMPLOI_NO_CACHE"}
    return {**env, "XDG_CACHE_HOME": str(ledger.parent / "cache")}


def _worker(ledger, name: str, count: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.writer_worker", str(ledger), name,
                             str(count), *extra], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=worker_env(ledger))


def _check_clean(ledger) -> dict:
    result = CliRunner().invoke(app, ["check", "-l", str(ledger), "-f", "json"])
    data = json.loads(result.stdout)
    assert result.exit_code == 0, data
    return data


def test_two_writers_200_each_lose_nothing(ledger):
    workers = [_worker(ledger, name, 200) for name in ("a", "b")]
    for w in workers:
        _, err = w.communicate(timeout=300)
        assert w.returncode == 0, err
    doc = tomllib.loads(ledger.read_text())
    notes = sorted(p["note"] for p in doc["progress"])
    assert notes == sorted(f"{n}-{i}" for n in "ab" for i in range(200))
    assert len({p["id"] for p in doc["progress"]}) == 400
    _check_clean(ledger)


def test_sigkill_at_random_moments_leaves_whole_entries(ledger):
    """Writers killed wherever the kill lands (start-up, reading, the lock, the record, the
    write, the flush, the cache): what emploi reads is always whole entries, and the next
    write goes through. A kill inside the one `pwrite` of an entry is too rare to count on
    here; tests/test_faults.py puts a crash in the middle of an entry's write on purpose."""
    rng = random.Random(1234)
    kills = 0
    started = time.monotonic()
    while kills < 25 and time.monotonic() - started < 60:
        worker = _worker(ledger, f"k{kills}", 50)
        time.sleep(rng.uniform(0.1, 0.45))
        worker.send_signal(signal.SIGKILL)
        worker.communicate()
        kills += 1
        seen = cache.load(ledger)  # what every emploi command reads
        interrupted = [p for p in seen.problems if p.code == "interrupted"]
        if not interrupted:  # then the file itself is whole
            assert ledger.read_text() == seen.text
        doc = tomllib.loads(seen.text)  # always parses
        for entry in doc.get("progress", []):
            _, _, index = entry["note"].partition("-")
            assert entry["value"] == int(index), entry  # never a shorter number
            assert entry["recorded_by"] == "worker"
        _check_clean(ledger)
    assert kills == 25
    # the next write is not blocked by anything a killed writer left, and clears it
    result = CliRunner().invoke(app, ["record", "c1.insertion", "1", "-l", str(ledger)])
    assert result.exit_code == 0, result.stderr
    assert snapshot.pending_append(ledger.resolve()) is None
    tomllib.loads(ledger.read_text())

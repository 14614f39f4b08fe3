"""Crashes and failures at each step of the write path, disk full and I/O errors,
a ledger saved by someone else while emploi writes, and many concurrent writers."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emploi_cli.cli.app import app
from emploi_cli.store import cache, snapshot, writing

from .conftest import REPO
from .test_journal_processes import worker_env

STEPS = ["before-lock", "after-lock", "before-write", "after-intent", "during-write",
         "before-fsync", "after-append"]
WHOLE = ("before-fsync", "after-append")  # the entry is in the file, whole


def _record(ledger, env=None, *extra):
    return subprocess.run(
        [sys.executable, "-m", "emploi_cli", "record", "c1.insertion", "7", "--date",
         "2021-05-01", "--note", "crash test", "-l", str(ledger), *extra],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=REPO)


def _check_passes(ledger):
    result = CliRunner().invoke(app, ["check", "-l", str(ledger), "-f", "json"])
    assert result.exit_code == 0, result.stdout
    return json.loads(result.stdout)


def _leftovers(ledger):
    """Anything a writer leaves beside the ledger but its lock file with no append in it."""
    def idle_lock(path):
        return (path.name == f".{ledger.name}.lock"
                and snapshot.parse_lock(path.read_bytes())[0] >= 0
                and snapshot.parse_lock(path.read_bytes())[1] is None)
    return sorted(p.name for p in ledger.parent.iterdir() if p != ledger and not idle_lock(p))


@pytest.mark.parametrize("step", STEPS)
def test_crash_at_each_step_leaves_old_or_old_plus_entry(ledger, step):
    before = ledger.read_bytes()
    crashed = _record(ledger, {"EMPLOI_TEST_CRASH_AT": step})
    assert crashed.returncode == 86, crashed.stderr  # died where we said
    after = ledger.read_bytes()
    assert after.startswith(before)
    if step in WHOLE:
        assert b"crash test" in after[len(before):]
        assert len(tomllib.loads(after.decode())["progress"]) == 1
    elif step == "during-write":  # half an entry: every emploi command leaves it out
        assert len(before) < len(after) and b"# end " not in after[len(before):]
        seen = cache.load(ledger)
        assert seen.ledger.journal == () and seen.text.encode() == before
        assert [p.code for p in seen.problems] == ["interrupted"]
    else:
        assert after == before
    codes = [p["code"] for p in _check_passes(ledger)["problems"]]
    assert codes == (["interrupted"] if step == "during-write" else [])
    # nothing a dead writer left blocks the next one, which removes a part of an entry
    assert _record(ledger).returncode == 0
    assert _leftovers(ledger) == []
    text = ledger.read_text()
    assert len(tomllib.loads(text)["progress"]) == (2 if step in WHOLE else 1)
    assert text.startswith(before.decode())
    assert "interrupted" not in [p["code"] for p in _check_passes(ledger)["problems"]]


@pytest.mark.parametrize("step", ["before-write", "after-intent", "during-write",
                                  "before-fsync", "after-append"])
def test_disk_full_is_a_clear_error_and_changes_nothing(ledger, step):
    before = ledger.read_bytes()
    failed = _record(ledger, {"EMPLOI_TEST_FAIL_AT": step})
    assert failed.returncode == 1
    assert failed.stderr.strip() == (
        f"emploi: {ledger}: error: No space left on device (injected); the ledger is unchanged")
    assert ledger.read_bytes() == before
    assert _leftovers(ledger) == []


@pytest.mark.parametrize("call", ["pwrite", "fsync"])
def test_io_error_is_a_clear_error_and_changes_nothing(ledger, monkeypatch, call):
    """EIO from writing the entry into the ledger, or from flushing it (the lock file's record
    is written and flushed first, at offset 0, and works)."""
    before = ledger.read_bytes()
    real = getattr(writing.os, call)
    calls = []

    def broken(*args, **kwargs):
        calls.append(args)
        if (call == "pwrite" and args[2] > 0) or (call == "fsync" and len(calls) == 2):
            raise OSError(errno.EIO, "Input/output error")
        return real(*args, **kwargs)

    monkeypatch.setattr(writing.os, call, broken)
    result = CliRunner().invoke(app, ["record", "c1.insertion", "7", "-l", str(ledger)])
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.stderr.strip() == f"emploi: {ledger}: error: Input/output error; the ledger " \
        "is unchanged"
    assert ledger.read_bytes() == before
    assert cache.load(ledger).problems == ()
    assert _leftovers(ledger) == []
    assert _record(ledger).returncode == 0
    assert ledger.read_bytes().startswith(before)


def test_ctrl_c_while_writing_the_entry_takes_it_back(ledger, monkeypatch):
    before = ledger.read_bytes()
    real_fault = writing._fault

    def interrupt(step):
        if step == "during-write":
            raise KeyboardInterrupt
        real_fault(step)

    monkeypatch.setenv("EMPLOI_TEST_FAIL_AT", "during-write")  # so the entry is written in two
    monkeypatch.setattr(writing, "_fault", interrupt)
    result = CliRunner().invoke(app, ["record", "c1.insertion", "7", "-l", str(ledger)])
    assert result.exit_code != 0
    assert ledger.read_bytes() == before
    assert _leftovers(ledger) == []


def test_a_save_by_someone_else_meanwhile_is_never_overwritten(ledger, monkeypatch):
    real_fault = writing._fault
    edits = []

    def editor_saves(step):
        if step == "before-write" and not edits:  # after emploi read the file
            edits.append(step)
            with ledger.open("a") as out:
                out.write("# saved from an editor meanwhile\n")
        real_fault(step)

    monkeypatch.setattr(writing, "_fault", editor_saves)
    result = CliRunner().invoke(app, ["record", "c1.insertion", "7", "-l", str(ledger)])
    assert result.exit_code == 0, result.stderr
    text = ledger.read_text()
    assert "# saved from an editor meanwhile\n" in text  # the edit is kept ...
    assert text.index("# saved from an editor") < text.index("[[progress]]")  # ... and emploi
    assert len(tomllib.loads(text)["progress"]) == 1  # appended once, after it


def test_an_editor_that_keeps_saving_makes_emploi_refuse(ledger, monkeypatch):
    real_fault = writing._fault

    def editor_saves(step):
        if step == "before-write":
            with ledger.open("a") as out:
                out.write("# another save\n")
        real_fault(step)

    monkeypatch.setattr(writing, "_fault", editor_saves)
    result = CliRunner().invoke(app, ["record", "c1.insertion", "7", "-l", str(ledger)])
    assert result.exit_code == 1 and "kept changing" in result.stderr
    assert "[[progress]]" not in ledger.read_text()
    assert _leftovers(ledger) == []


def test_eight_writers_mixed_lose_nothing(ledger):
    workers = [subprocess.Popen([sys.executable, "-m", "tests.writer_worker", str(ledger),
                                 f"w{n}", "100", "mixed"], cwd=REPO, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=worker_env(ledger))
               for n in range(8)]
    for worker in workers:
        _, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err
    doc = tomllib.loads(ledger.read_text())
    written = ([p["note"] for p in doc["progress"]] + [t["note"] for t in doc["transactions"]]
               + [v["reason"] for v in doc["voids"]])
    assert sorted(written) == sorted(f"w{n}-{i}" for n in range(8) for i in range(100))
    ids = [e["id"] for table in ("progress", "transactions", "voids") for e in doc[table]]
    assert len(ids) == len(set(ids)) == 800
    data = _check_passes(ledger)
    assert data["errors"] == 0


def _half_written(ledger):
    """The ledger as a writer killed in the middle of its entry leaves it."""
    crashed = _record(ledger, {"EMPLOI_TEST_CRASH_AT": "during-write"})
    assert crashed.returncode == 86, crashed.stderr
    return snapshot.pending_append(ledger.resolve())


def test_a_part_of_an_entry_is_left_out_by_every_report(ledger, emploi):
    before = ledger.read_bytes()
    clean = {fmt: emploi("history", "-l", str(ledger), "-f", fmt).stdout
             for fmt in ("json", "csv")}
    offset, addition = _half_written(ledger)
    assert offset == len(before) and ledger.read_bytes()[offset:] != addition
    for fmt, out in clean.items():
        result = emploi("history", "-l", str(ledger), "-f", fmt)
        assert result.exit_code == 0 and result.stdout == out
    summary = emploi("summary", "-l", str(ledger), "-f", "json")
    assert summary.exit_code == 0
    found = emploi("check", "-l", str(ledger))
    assert found.exit_code == 0 and "interrupted" in found.stdout + found.stderr


def test_what_someone_added_after_a_crash_is_never_removed(ledger):
    assert _half_written(ledger) is not None
    with ledger.open("a") as out:  # an edit after the crash: the tail is no longer our part
        out.write("\n# written by hand after the crash\n")
    after = ledger.read_bytes()
    with pytest.raises(cache.m.EmploiError, match="TOML syntax"):  # to be mended by hand
        cache.load(ledger)
    refused = _record(ledger)
    assert refused.returncode == 1 and "TOML syntax" in refused.stderr
    assert ledger.read_bytes() == after  # nothing cut, nothing added


def test_an_interrupted_import_larger_than_a_mebibyte_is_left_out_then_removed(ledger):
    code = """
import sys
from datetime import date
from pathlib import Path
from emploi_cli.domain import entries
from emploi_cli.store import writing
stamp = entries.Stamp.now("importer")
def build(current):
    made = []
    for i in range(6000):
        fields, _ = entries.progress(current, target="c1.insertion", value=1,
            day=date(2021, 5, 1), today=date(2022, 6, 30), stamp=stamp,
            note="ligne importée " + str(i) + " " + "x" * 60, entry_id="imp%08d" % i)
        made.append(("progress", fields))
    return made, []
writing.append(Path(sys.argv[1]), build)
"""
    before = ledger.read_bytes()
    crashed = subprocess.run([sys.executable, "-c", code, str(ledger)], capture_output=True,
                             text=True, cwd=REPO,
                             env={**os.environ, "EMPLOI_TEST_CRASH_AT": "during-write"})
    assert crashed.returncode == 86, crashed.stderr
    assert len(snapshot.read_lock(ledger.resolve())) > 1 << 20
    assert len(ledger.read_bytes()) - len(before) > 500_000
    seen = cache.load(ledger)
    assert seen.ledger.journal == () and [p.code for p in seen.problems] == ["interrupted"]
    assert _record(ledger).returncode == 0
    doc = tomllib.loads(ledger.read_text())
    assert len(doc["progress"]) == 1 and ledger.read_bytes().startswith(before)


def test_a_lock_file_that_is_a_symlink_or_a_fifo_is_refused_and_never_written(ledger,
                                                                            tmp_path):
    lock = ledger.with_name(f".{ledger.name}.lock")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    lock.symlink_to(victim)
    before = ledger.read_bytes()
    refused = _record(ledger)
    assert refused.returncode == 1 and "lock file" in refused.stderr
    assert victim.read_text() == "keep me\n" and ledger.read_bytes() == before
    assert cache.load(ledger).problems == ()  # readers ignore it
    lock.unlink()
    os.mkfifo(lock)
    refused = _record(ledger)
    assert refused.returncode == 1 and "not a plain file" in refused.stderr
    assert cache.load(ledger).problems == ()  # and do not hang on it
    assert ledger.read_bytes() == before


def test_a_reader_never_takes_a_part_of_an_entry_for_data(ledger, monkeypatch):
    """A writer that begins, writes half, finishes and clears while a reader looks and reads:
    the lock file's generation changed, so the reader reads again (and gets it whole)."""
    from emploi_cli.domain import entries
    from emploi_cli.store import writing

    real = ledger.resolve()
    cache.load(ledger)
    fields, _ = entries.progress(cache.load(ledger).ledger, target="c1.insertion",
                                 value=1234, day=cache.date(2021, 5, 1),
                                 today=cache.date(2022, 6, 30),
                                 stamp=entries.Stamp.now("w"))
    addition = writing.serialise([("progress", fields)]).encode()
    offset = len(ledger.read_bytes())
    real_read_lock, steps = snapshot.read_lock, []

    def interleaved(path):
        raw = real_read_lock(path)
        if not steps:  # the reader's first look at the lock file: the writer begins after it
            steps.append("begun")
            with writing._locked(real, str(ledger)) as lock:
                lock.recover()
                lock.begin(offset, addition)
                fd = os.open(real, os.O_RDWR)
                os.pwrite(fd, addition[:len(addition) // 2], offset)  # reader stats: half
                os.close(fd)
                lock.generation_after = lock.generation
                steps.append(lock)
        elif len(steps) == 2:  # the reader has read; the writer finishes before its last look
            lock = steps.pop()
            fd = os.open(real, os.O_RDWR)
            os.pwrite(fd, addition[len(addition) // 2:], offset + len(addition) // 2)
            os.close(fd)
            with writing._locked(real, str(ledger)) as again:
                again.generation = lock.generation_after
                again.end()
            raw = real_read_lock(path)
        return raw
    monkeypatch.setattr(snapshot, "read_lock", interleaved)
    look = snapshot.Snapshot(real, str(ledger))
    data = look.read()
    monkeypatch.undo()
    assert b"value = 12\n" not in data
    assert data == ledger.read_bytes() and data.endswith(addition)


@pytest.mark.parametrize("make", ["fifo", "device"])
def test_a_ledger_that_is_a_fifo_or_a_device_is_refused_at_once(tmp_path, make):
    path = tmp_path / "ledger.toml"
    if make == "fifo":
        os.mkfifo(path)
    else:
        path = Path(os.devnull)
    for args in (["summary"], ["check"], ["record", "c1.insertion", "7"]):
        result = subprocess.run([sys.executable, "-m", "emploi_cli", *args, "-l", str(path)],
                                capture_output=True, text=True, timeout=30, cwd=REPO)
        assert result.returncode == 1
        said = "is not a regular file, not a ledger file"
        if args == ["check"]:  # check lists its problems as its report
            assert said in result.stdout and "Traceback" not in result.stderr
        else:
            assert result.stderr == f"emploi: {path}: error: {said}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == (["ledger.toml"] if make == "fifo"
                                                           else [])


def test_the_lock_file_removed_while_held_stops_the_write(ledger, monkeypatch):
    before = ledger.read_bytes()
    lock = ledger.with_name(f".{ledger.name}.lock")
    real_fault = writing._fault

    def tidy_up(step):
        if step == "after-intent":
            lock.unlink()  # someone tidies dotfiles: another writer could now lock a new one
        real_fault(step)

    monkeypatch.setattr(writing, "_fault", tidy_up)
    result = CliRunner().invoke(app, ["record", "c1.insertion", "7", "-l", str(ledger)])
    assert result.exit_code == 1
    assert result.stderr == f"emploi: {ledger}: error: the lock file .{ledger.name}.lock was " \
        "removed while emploi held it; nothing was written\n"
    assert ledger.read_bytes() == before


def test_a_lock_file_others_could_write_is_not_believed(ledger):
    """A record in a lock file that people who cannot write the ledger could write is ignored
    by readers and by the next writer, which gives the lock file the ledger's mode."""
    os.chmod(ledger, 0o644)
    offset, _ = _half_written(ledger)
    lock = ledger.with_name(f".{ledger.name}.lock")
    os.chmod(lock, 0o666)
    assert snapshot.pending_append(ledger.resolve()) is None  # not believed
    with pytest.raises(cache.m.EmploiError, match="TOML syntax"):
        cache.load(ledger)  # so the part is not left out
    assert _record(ledger).returncode == 0  # our own lock file: its mode is set, then believed
    assert stat.S_IMODE(lock.stat().st_mode) == 0o644
    assert tomllib.loads(ledger.read_text())["progress"][0]["note"] == "crash test"
    assert len(ledger.read_bytes()) > offset

"""The cache of loaded ledgers. Whatever happens to the ledger or to the cache,
every report equals the one a run without cache prints, and a cache is only ever an
optimisation: stale, corrupt, foreign or unwritable, it is ignored."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from emploi_cli.store import cache, fastparse, files, reading, snapshot

from .conftest import SHIPPED

COMMANDS = ("summary", "targets", "history", "check")
FORMATS = ("table", "json", "csv", "md")

# A journal as emploi writes it, plus entries written by hand in other ways (escapes, another
# key order, a comment, an unknown key, a literal string): those take tomllib's path.
JOURNAL = '''
[[progress]]
id = "01fa0000000000p1"
date = 2021-03-31
target = "c1.insertion"
value = 120
source = "ANAPEC rapport T1"
tags = { province = "Fès" }
recorded_at = 2021-04-02 09:15:00+00:00
recorded_by = "amina"

[[progress]]
id = "01fa0000000000p2"
date = 2021-06-30
target = "c1.insertion"
value = 80
note = "il a dit \\"oui\\""
tags = { province = "Meknès", sexe = "f" }
recorded_at = 2021-07-01 10:00:00+00:00
recorded_by = "amina"

[[transactions]]
id = "01fa0000000000t1"
date = 2021-05-10
convention = "c1"
amount = 25.5
kind = "disbursement"
funder = "region"
recorded_at = 2021-05-11 08:00:00+00:00
recorded_by = "youssef"

[[progress]]
date = 2021-09-30
id = "01fa0000000000p3"
# written by hand
target = "c2.espaces"
value = 4
tags = { province = "Taza" }
colour = 'blue'

[[transactions]]
id = "01fa0000000000t2"
date = 2021-11-02
convention = "c2"
amount = 3
kind = "commitment"
recorded_at = 2021-11-02T10:00:00Z

[[progress]]
id = "01fa0000000000p4"
date = 2021-12-31
target = "c2.espaces"
value = 6
tags = { province = "Taza" }
recorded_at = 2022-01-03 09:00:00+01:00
recorded_by = "khadija"

[[voids]]
id = "01fa0000000000v1"
date = 2022-01-05
entry = "01fa0000000000p2"
reason = "saisie en double"
recorded_at = 2022-01-05 09:00:00+00:00
recorded_by = "amina"

[[amendments]]
id = "01fa0000000000a1"
date = 2022-02-01
reference = "avenant 1"
reason = "révision"
target = "c1.insertion"
quantity = 21000
'''


@pytest.fixture
def cached(monkeypatch, tmp_path):
    """The cache on, in a folder of this test's own (conftest turns it off for all tests)."""
    monkeypatch.delenv("EMPLOI_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "emploi"


@pytest.fixture
def journal(tmp_path) -> Path:
    path = tmp_path / "ledger" / "conventions.toml"
    path.parent.mkdir()
    path.write_text(SHIPPED.read_text(encoding="utf-8") + JOURNAL, encoding="utf-8")
    return path


def _outputs(emploi, path: Path, *extra: str) -> dict:
    found = {}
    for command in COMMANDS:
        for fmt in FORMATS:
            result = emploi(command, "-l", str(path), "-f", fmt, *extra)
            found[command, fmt] = (result.exit_code, result.stdout, result.stderr)
    return found


def _same_as_without_cache(emploi, path: Path) -> dict:
    """Every command and format: first run, second run (from the cache), run without it."""
    first = _outputs(emploi, path)
    second = _outputs(emploi, path)
    plain = _outputs(emploi, path, "--no-cache")
    assert first == plain
    assert second == plain
    assert _loaded(path) == _loaded(path, cached=False)
    return plain


def _loaded(path: Path, cached: bool = True):
    """What loading gives, a Loaded or the problems of the error it raises."""
    try:
        return cache.load(path) if cached else reading.load(path)
    except cache.m.EmploiError as exc:
        return exc.problems


def _cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.cache")) if folder.exists() else []


def _header(path: Path) -> dict:
    stored = cache.Stored.read(path)
    assert stored is not None
    return stored.header


# ---- the cache is used, and is right -----------------------------------------------------


def test_reports_equal_without_cache_and_cache_is_written_outside_the_ledger_folder(
        emploi, cached, journal):
    plain = _same_as_without_cache(emploi, journal)
    assert plain["summary", "json"][0] == 0
    assert json.loads(plain["check", "json"][1])["warnings"] >= 1  # the unknown key 'colour'
    files = _cache_files(cached)
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(cached.stat().st_mode) == 0o700
    assert sorted(p.name for p in journal.parent.iterdir()) == ["conventions.toml"]
    header = _header(files[0])
    assert header["real"] == str(journal.resolve()) and header["append_safe"] is True


def test_second_run_reads_the_cache_not_the_ledger(emploi, cached, journal, monkeypatch):
    first = emploi("targets", "-l", str(journal), "-f", "json").stdout

    def refuse(*args):
        raise AssertionError("parsed although the cache holds this content")
    monkeypatch.setattr(fastparse, "parse", refuse)
    loaded = cache.load(journal)
    assert type(loaded.ledger.journal).__name__ == "ColumnJournal"
    assert emploi("targets", "-l", str(journal), "-f", "json").stdout == first


def test_cached_ledger_equals_parsed_one_both_ways(cached, journal):
    cache.load(journal)
    warm, cold = cache.load(journal), reading.load(journal)
    assert type(warm.ledger.journal) is cache.ColumnJournal
    assert warm == cold and cold == warm
    assert warm.ledger == cold.ledger and cold.ledger == warm.ledger
    assert hash(warm.ledger) == hash(cold.ledger)
    assert warm.text == cold.text and warm.problems == cold.problems
    assert warm.ledger.journal == cold.ledger.journal
    assert warm.ledger.voided_ids == cold.ledger.voided_ids == {"01fa0000000000p2"}


def test_no_cache_option_and_environment_write_nothing(emploi, cached, journal, monkeypatch):
    emploi("summary", "-l", str(journal), "--no-cache")
    assert _cache_files(cached) == []
    monkeypatch.setenv("EMPLOI_NO_CACHE", "1")
    emploi("summary", "-l", str(journal))
    emploi("record", "c1.insertion", "1", "-l", str(journal))
    assert _cache_files(cached) == []


def test_home_cache_when_no_xdg_and_relative_xdg_ignored(emploi, monkeypatch, tmp_path,
                                                         journal):
    monkeypatch.delenv("EMPLOI_NO_CACHE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    emploi("summary", "-l", str(journal))
    assert len(_cache_files(tmp_path / "home" / ".cache" / "emploi")) == 1
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert cache.directory() == tmp_path / "home" / ".cache" / "emploi"


# ---- any change to the ledger is seen ----------------------------------------------------


def test_one_byte_changed_with_the_same_size_and_mtime(emploi, cached, journal):
    before = _same_as_without_cache(emploi, journal)
    info = journal.stat()
    text = journal.read_text(encoding="utf-8")
    journal.write_text(text.replace("value = 120", "value = 920"), encoding="utf-8")
    os.utime(journal, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert journal.stat().st_size == info.st_size
    assert journal.stat().st_mtime_ns == info.st_mtime_ns
    after = _same_as_without_cache(emploi, journal)
    assert after["targets", "json"] != before["targets", "json"]


def test_truncated_ledger(emploi, cached, journal):
    _same_as_without_cache(emploi, journal)
    text = journal.read_text(encoding="utf-8")
    journal.write_text(text[: text.index("[[voids]]")], encoding="utf-8")
    _same_as_without_cache(emploi, journal)
    journal.write_text(text[: text.index("value = 80") + 7], encoding="utf-8")  # mid-entry
    plain = _same_as_without_cache(emploi, journal)
    assert plain["summary", "json"][0] == 1


def test_appended_outside_emploi(emploi, cached, journal):
    _same_as_without_cache(emploi, journal)
    with journal.open("a", encoding="utf-8") as stream:
        stream.write('\n[[progress]]\nid = "01fa0000000000p9"\ndate = 2022-03-01\n'
                     'target = "c1.employabilite"\nvalue = 7\n')
    plain = _same_as_without_cache(emploi, journal)
    assert "01fa0000000000p9" in plain["history", "csv"][1]


def test_record_extends_the_cache(emploi, cached, journal, monkeypatch):
    monkeypatch.setattr(snapshot, "SETTLE_FROM_BYTES", 0)  # wait for the clock, as for 1 MiB+
    _same_as_without_cache(emploi, journal)
    for args in (["record", "c1.insertion", "12", "--tag", "province=Ifrane"],
                 ["disburse", "c1", "1.25", "--funder", "region"],
                 ["void", "01fa0000000000p1", "--reason", "erreur"]):
        result = emploi(*args, "-l", str(journal), "--date", "2022-03-01") if args[0] != "void" \
            else emploi(*args, "-l", str(journal))
        assert result.exit_code == 0, result.stderr
    header = _header(_cache_files(cached)[0])
    assert len(header["digest"]) == 4  # the first load, then one [length, sha256] per append
    assert cache._matches(header["digest"], journal.read_bytes())
    assert header["settled"] is True  # record waited for the file clock to move on
    plain = _same_as_without_cache(emploi, journal)
    assert len(_header(_cache_files(cached)[0])["digest"]) == 4  # still used as it is
    rows = json.loads(plain["history", "json"][1])
    assert [r["kind"] for r in rows].count("void") == 2


def test_record_when_the_ledger_is_unusual_checks_the_whole_file(emploi, cached, journal):
    text = journal.read_text(encoding="utf-8")
    journal.write_text(text.replace('reason = "révision"', 'reason = """révision\nlongue"""'),
                       encoding="utf-8")
    _same_as_without_cache(emploi, journal)
    assert _header(_cache_files(cached)[0])["append_safe"] is False
    assert emploi("record", "c1.insertion", "3", "-l", str(journal)).exit_code == 0
    _same_as_without_cache(emploi, journal)


def test_another_file_renamed_over_the_ledger(emploi, cached, journal, tmp_path):
    before = _same_as_without_cache(emploi, journal)
    info = journal.stat()
    other = tmp_path / "other.toml"
    other.write_text(journal.read_text(encoding="utf-8").replace("value = 120", "value = 121"),
                     encoding="utf-8")
    os.utime(other, ns=(info.st_atime_ns, info.st_mtime_ns))
    os.replace(other, journal)
    assert journal.stat().st_size == info.st_size
    after = _same_as_without_cache(emploi, journal)
    assert after["targets", "json"] != before["targets", "json"]


def test_same_file_under_two_names(emploi, cached, journal):
    journal.write_text(journal.read_text(encoding="utf-8").replace(
        'format = 1', 'format = 1\nunknown = "x"'), encoding="utf-8")
    other = journal.parent / "alias.toml"
    other.symlink_to(journal)  # the same real file, so the same cache
    first = emploi("check", "-l", str(journal), "-f", "json").stdout
    second = emploi("check", "-l", str(other), "-f", "json").stdout
    assert json.loads(second)["problems"][0]["file"] == str(other)
    assert len(_cache_files(cached)) == 1
    assert second == emploi("check", "-l", str(other), "-f", "json", "--no-cache").stdout
    assert first == emploi("check", "-l", str(journal), "-f", "json", "--no-cache").stdout


def test_ledger_without_journal_and_ledger_without_programme(emploi, cached, tmp_path):
    bare = tmp_path / "bare.toml"
    shutil.copyfile(SHIPPED, bare)
    _same_as_without_cache(emploi, bare)
    broken = tmp_path / "broken.toml"
    broken.write_text("format = 1\n" + JOURNAL, encoding="utf-8")
    plain = _same_as_without_cache(emploi, broken)
    assert plain["check", "json"][0] == 1


# ---- the cache itself is never trusted ---------------------------------------------------


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "empty", "header"])
def test_corrupt_cache_is_ignored_and_rebuilt(emploi, cached, journal, damage):
    _same_as_without_cache(emploi, journal)
    target = _cache_files(cached)[0]
    data = bytearray(target.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
    elif damage == "truncate":
        data = data[: len(data) // 3]
    elif damage == "garbage":
        data = bytearray(os.urandom(len(data)))
    elif damage == "empty":
        data = bytearray()
    else:  # a well-formed file whose header says something else: checksum made to match
        body = bytes(data[:-4]).replace(f'"format":{cache.FORMAT}'.encode(), b'"format":7')
        data = bytearray(body + cache.zlib.crc32(body).to_bytes(4, "little"))
        assert b'"format":7' in body
    target.write_bytes(bytes(data))
    assert cache.Stored.read(target) is None or damage == "header"
    _same_as_without_cache(emploi, journal)
    assert cache.Stored.read(target) is not None  # rebuilt


def test_cache_with_valid_checksum_but_wrong_content_is_not_trusted(cached, journal):
    cache.load(journal)
    target = _cache_files(cached)[0]
    stored = cache.Stored.read(target)
    stored.write(target, definitions=stored.header["problems"])
    assert cache.load(journal) == reading.load(journal)


def test_cache_open_to_others_or_owned_by_someone_else_is_ignored(cached, journal,
                                                                   monkeypatch):
    cache.load(journal)
    target = _cache_files(cached)[0]
    target.chmod(0o644)
    assert cache.Stored.read(target) is None
    assert cache.load(journal) == reading.load(journal)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # replaced by our own
    real_uid = os.geteuid()
    monkeypatch.setattr(os, "geteuid", lambda: real_uid + 1)
    assert cache.Stored.read(target) is None and cache.directory() is None
    assert cache.load(journal) == reading.load(journal)


def test_cache_folder_writable_by_others_or_a_symlink_is_not_used(cached, journal, tmp_path):
    cache.load(journal)
    cached.chmod(0o777)
    assert cache.directory() is None
    assert cache.load(journal) == reading.load(journal)
    cached.chmod(0o700)
    target = _cache_files(cached)[0]
    elsewhere = tmp_path / "planted.cache"
    target.rename(elsewhere)
    target.symlink_to(elsewhere)
    assert cache.Stored.read(target) is None
    assert cache.load(journal) == reading.load(journal)


def test_unwritable_cache_only_costs_speed(emploi, cached, journal, monkeypatch, tmp_path):
    cached.parent.mkdir(parents=True)
    cached.write_text("a file where the folder should be")
    _same_as_without_cache(emploi, journal)
    cached.unlink()
    cached.mkdir(mode=0o700)
    cached.chmod(0o500)  # read-only (root writes anyway: see the failure forced below)
    try:
        _same_as_without_cache(emploi, journal)
    finally:
        cached.chmod(0o700)

    for entry in _cache_files(cached):
        entry.unlink()
    monkeypatch.setattr(cache.Stored, "write", lambda *a, **k: None)  # every write fails
    _same_as_without_cache(emploi, journal)
    assert emploi("record", "c1.insertion", "5", "-l", str(journal)).exit_code == 0
    assert _cache_files(cached) == []
    _same_as_without_cache(emploi, journal)


def test_cache_from_another_version_or_code_is_rebuilt(cached, journal, monkeypatch):
    cache.load(journal)
    target = _cache_files(cached)[0]
    monkeypatch.setattr(cache, "__version__", "9.9.9")
    assert not cache.Stored.read(target).made_here(journal.resolve())
    assert cache.load(journal) == reading.load(journal)
    assert _header(target)["emploi"] == "9.9.9"


def test_cache_holds_no_code(cached, journal):
    """Data only: JSON and arrays of numbers, read with json.loads and array()."""
    cache.load(journal)
    data = _cache_files(cached)[0].read_bytes()
    assert data.startswith(cache.MAGIC)
    assert b"pickle" not in data and b"\x80\x04\x95" not in data  # no pickle stream
    header = _header(_cache_files(cached)[0])
    assert set(header) >= {"emploi", "format", "code", "real", "stat", "digest", "settled",
                           "kinds"}
    assert set(header["stat"]) == {"size", "mtime_ns", "ctime_ns", "ino", "dev"}


@pytest.mark.parametrize("stamp", ["2021-04-02 09:15:00+00:00", "2021-04-02T09:15:00Z",
                                   "2021-04-02 09:15:00+01:30", "2021-04-02 09:15:00-05:00",
                                   "2021-04-02 09:15:00.250+01:00", "2021-04-02 09:15:00",
                                   "1969-12-31 23:59:59+00:00"])
def test_times_come_back_exactly(cached, tmp_path, stamp):
    path = tmp_path / "times.toml"
    entries = "".join(
        f'\n[[progress]]\nid = "p{i}"\ndate = 2021-03-31\ntarget = "c1.insertion"\n'
        f'value = {i}\nrecorded_at = {stamp[:18]}{i}{stamp[19:]}\nrecorded_by = "a"\n'
        for i in range(3))
    path.write_text(SHIPPED.read_text(encoding="utf-8") + entries, encoding="utf-8")
    cache.load(path)
    warm = cache.load(path)
    assert type(warm.ledger.journal) is cache.ColumnJournal
    assert warm == reading.load(path)
    assert [repr(e.provenance.recorded_at) for e in warm.ledger.journal] == [
        repr(e.provenance.recorded_at) for e in reading.load(path).ledger.journal]


# ---- the file's stat proves the content, once it has settled ("racy git") ---------------


def _settle(path: Path) -> None:
    """Wait until the file's last change is older than the margin the cache asks for."""
    info = path.stat()
    while snapshot.time.time_ns() <= max(info.st_mtime_ns, info.st_ctime_ns) + \
            snapshot.FINE_MARGIN_NS + 1_000_000:
        snapshot.time.sleep(0.005)


def _refuse_reading(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("read the ledger although its stat proves the cached content")
    monkeypatch.setattr(reading, "read_bytes", refuse)


def test_settled_ledger_is_not_even_read(emploi, cached, journal, monkeypatch):
    _settle(journal)
    expected = emploi("targets", "-l", str(journal), "-f", "json", "--no-cache").stdout
    cache.load(journal)
    assert _header(_cache_files(cached)[0])["settled"] is True
    _refuse_reading(monkeypatch)
    assert emploi("targets", "-l", str(journal), "-f", "json").stdout == expected
    assert emploi("summary", "-l", str(journal), "-f", "csv").exit_code == 0


def test_unsettled_cache_is_proven_by_hashing_then_stamped_settled(cached, journal,
                                                                    monkeypatch):
    monkeypatch.setattr(snapshot, "FINE_MARGIN_NS", 10**12)  # every change looks too recent
    cache.load(journal)
    target = _cache_files(cached)[0]
    assert _header(target)["settled"] is False
    # a change the stat cannot show (within one tick of the file clock): only the hash can
    info = journal.stat()
    text = journal.read_text(encoding="utf-8")
    journal.write_text(text.replace("value = 120", "value = 920"), encoding="utf-8")
    real_identity = files.identity
    monkeypatch.setattr(files, "identity", lambda i: {**real_identity(i),
                                                       "ctime_ns": info.st_ctime_ns,
                                                       "mtime_ns": info.st_mtime_ns})
    assert cache.load(journal) == reading.load(journal)
    journal.write_text(text, encoding="utf-8")
    monkeypatch.setattr(files, "identity", real_identity)
    cache.load(journal)
    assert _header(target)["settled"] is False
    monkeypatch.setattr(snapshot, "FINE_MARGIN_NS", 0)  # now the clock has moved on
    assert cache.load(journal) == reading.load(journal)
    assert _header(target)["settled"] is True  # stamped: the next load trusts the stat
    _refuse_reading(monkeypatch)
    assert type(cache.load(journal).ledger.journal) is cache.ColumnJournal


def test_any_change_after_settling_is_seen(emploi, cached, journal):
    _settle(journal)
    before = _same_as_without_cache(emploi, journal)
    assert _header(_cache_files(cached)[0])["settled"] is True
    info = journal.stat()
    text = journal.read_text(encoding="utf-8")
    with journal.open("r+", encoding="utf-8") as stream:  # in place: same inode, same size
        stream.write(text.replace("value = 120", "value = 920"))
    os.utime(journal, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert (journal.stat().st_ino, journal.stat().st_size) == (info.st_ino, info.st_size)
    after = _same_as_without_cache(emploi, journal)
    assert after["targets", "json"] != before["targets", "json"]


def test_coarse_file_times_ask_for_a_longer_wait():
    from types import SimpleNamespace

    fine = SimpleNamespace(st_mtime_ns=1_000_000_123, st_ctime_ns=1_000_000_123)
    coarse = SimpleNamespace(st_mtime_ns=2_000_000_000, st_ctime_ns=2_000_000_000)
    assert snapshot.settled(fine, 1_000_000_123 + snapshot.FINE_MARGIN_NS + 1)
    assert not snapshot.settled(fine, 1_000_000_123 + snapshot.FINE_MARGIN_NS)
    assert not snapshot.settled(coarse, 2_000_000_000 + snapshot.FINE_MARGIN_NS + 1)
    assert snapshot.settled(coarse, 2_000_000_000 + snapshot.COARSE_MARGIN_NS + 1)


def _build_progress(current):
    from emploi_cli.domain import entries

    fields, warnings = entries.progress(current, target="c1.insertion", value=4,
                                        day=cache.date(2022, 3, 1),
                                        today=cache.date(2022, 6, 30),
                                        stamp=entries.Stamp.now("test-user"))
    return [("progress", fields)], warnings


def test_record_on_a_settled_ledger_appends_without_reading_it(cached, journal, monkeypatch):
    from emploi_cli.store import writing

    monkeypatch.setattr(snapshot, "SETTLE_FROM_BYTES", 0)
    _settle(journal)
    cache.load(journal)
    before, inode = journal.read_bytes(), journal.stat().st_ino
    _settle(journal)
    with monkeypatch.context() as patch:
        patch.setattr(snapshot.Snapshot, "read", lambda self: (_ for _ in ()).throw(
            AssertionError("read the ledger into memory")))
        done = writing.append(journal, _build_progress)
    assert journal.read_bytes() == before + done.addition.encode()
    assert journal.stat().st_ino == inode  # appended in place
    assert _header(_cache_files(cached)[0])["settled"] is True
    assert type(cache.load(journal).ledger.journal) is cache.ColumnJournal
    assert cache.load(journal) == reading.load(journal)


def test_editor_saving_during_a_record_on_a_settled_ledger(cached, journal, monkeypatch):
    """The stat proof is asked again just before writing: a save in between is kept."""
    from emploi_cli.store import writing

    _settle(journal)
    cache.load(journal)
    _settle(journal)
    real_fault, saved = writing._fault, []

    def editor_saves(step):
        if step == "before-write" and not saved:
            saved.append(step)
            journal.write_text(journal.read_text(encoding="utf-8") + "# saved by an editor\n",
                               encoding="utf-8")
        real_fault(step)
    monkeypatch.setattr(writing, "_fault", editor_saves)
    done = writing.append(journal, _build_progress)
    text = journal.read_text(encoding="utf-8")
    assert "# saved by an editor\n" in text and text.endswith(done.addition)
    assert cache.load(journal) == reading.load(journal)


def test_a_save_just_after_an_append_is_not_taken_for_emploi_s_own(cached, journal,
                                                                     monkeypatch):
    from emploi_cli.store import writing

    _settle(journal)
    cache.load(journal)
    parts = len(_header(_cache_files(cached)[0])["digest"])
    real_settled_stat = snapshot.settled_stat

    def editor_saves_then_stat(real):
        with journal.open("a", encoding="utf-8") as out:
            out.write("# saved by an editor just after the append\n")
        return real_settled_stat(real)
    with monkeypatch.context() as patch:
        patch.setattr(cache, "settled_stat", editor_saves_then_stat)
        writing.append(journal, _build_progress)
    # not extended with the wrong identity: left as it was, for the content before
    assert len(_header(_cache_files(cached)[0])["digest"]) == parts
    assert cache.load(journal) == reading.load(journal)


def test_appends_one_after_another_extend_the_cache_without_parsing(cached, journal,
                                                                      monkeypatch):
    from emploi_cli.store import writing

    writing.append(journal, _build_progress)  # parses (no cache yet), then extends it
    parses = []
    real_parse = fastparse.parse
    with monkeypatch.context() as patch:
        patch.setattr(fastparse, "parse", lambda *a, **k: parses.append(1) or real_parse(
            *a, **k))
        for _ in range(4):
            writing.append(journal, _build_progress)
    assert parses == []
    header = _header(_cache_files(cached)[0])
    assert len(header["digest"]) == 6 and header["stat"]["size"] == journal.stat().st_size
    assert cache.load(journal) == reading.load(journal)


def test_a_small_ledger_is_hashed_after_an_append_instead_of_waited_for(cached, journal,
                                                                        monkeypatch):
    from emploi_cli.store import writing

    slept: list = []
    with monkeypatch.context() as patch:
        patch.setattr(snapshot.time, "sleep", slept.append)
        patch.setattr(snapshot, "FINE_MARGIN_NS", 10**12)  # however long the append took
        writing.append(journal, _build_progress)
    assert slept == [] and _header(_cache_files(cached)[0])["settled"] is False
    monkeypatch.setattr(snapshot, "FINE_MARGIN_NS", 0)  # the clock has moved on
    assert cache.load(journal) == reading.load(journal)  # hashed, and found to be this content
    assert _header(_cache_files(cached)[0])["settled"] is True  # then stamped


def test_a_save_while_the_entry_is_flushed_leaves_the_cache_alone(cached, journal,
                                                                 monkeypatch):
    from emploi_cli.store import writing

    monkeypatch.setattr(snapshot, "SETTLE_FROM_BYTES", 0)
    _settle(journal)
    cache.load(journal)
    parts = len(_header(_cache_files(cached)[0])["digest"])
    real_fault = writing._fault

    def editor_saves(step):
        if step == "before-fsync":  # after the entry is written, before it is flushed
            with journal.open("a", encoding="utf-8") as out:
                out.write("# saved by an editor while emploi flushed\n")
        real_fault(step)
    with monkeypatch.context() as patch:
        patch.setattr(writing, "_fault", editor_saves)
        writing.append(journal, _build_progress)
    assert len(_header(_cache_files(cached)[0])["digest"]) == parts  # not extended
    assert cache.load(journal) == reading.load(journal)


# ---- a ledger that grew by appending: only the appended text is parsed --------------------

_APPENDED = ('\n[[progress]]\nid = "01fa0000000000p9"\ndate = 2022-03-01\n'
             'target = "c1.insertion"\nvalue = 7\n')


@pytest.mark.parametrize("tail, alone", [
    (_APPENDED, True),  # by hand, as emploi writes it
    ("# a comment\n" + _APPENDED.replace("value = 7", "value = 7\nnote = 'à la main'"), True),
    ('\n[[voids]]\nid = "01fa0000000000v9"\ndate = 2022-03-02\nentry = "01fa0000000000p1"\n'
     'reason = "doublon"\n', True),  # the entry it names is left out from then on
    (_APPENDED + _APPENDED.replace("p9", "pa").replace("value = 7", "value = 8"), True),
    (_APPENDED.replace("c1.insertion", "c9.nothing"), False),  # a problem: parsed whole
    (_APPENDED.replace("p9", "p1"), False),  # an id taken
    ('\n[[progress]]\nid = "01fa0000000000p9"\ndate = 2022-03-01\ntarget = "c1.insertion"\n'
     'value = 7\ntext = """two\nlines"""\n', False),
    ('\n[funders]\nx = 1\n', False),  # not journal entries
    ("colour = 'red'\n", False),  # a key of the last entry
    ("[[progress]] # a comment\n", False),
])
def test_a_ledger_grown_by_appending_is_read_by_parsing_the_tail(emploi, cached, journal,
                                                                  monkeypatch, tail, alone):
    cache.load(journal)
    with journal.open("a", encoding="utf-8") as stream:
        stream.write(tail)
    parses: list = []
    real_parse = fastparse.parse
    with monkeypatch.context() as patch:
        patch.setattr(fastparse, "parse", lambda *a: parses.append(1) or real_parse(*a))
        warm = _loaded(journal)
    assert warm == _loaded(journal, cached=False)
    assert (parses == []) is alone
    assert len(_header(_cache_files(cached)[0])["digest"]) == (2 if alone else 1)
    assert _loaded(journal) == _loaded(journal, cached=False)  # and the cache it wrote
    for command in ("summary", "targets"):
        args = (command, "-l", str(journal), "-f", "json", "--as-of", "2022-06-30")
        assert emploi(*args).stdout == emploi(*args, "--no-cache").stdout


def test_a_ledger_whose_last_line_is_continued_is_parsed_whole(emploi, cached, journal):
    text = journal.read_text(encoding="utf-8")
    journal.write_text(text.rstrip("\n"), encoding="utf-8")  # ends with `quantity = 21000`
    cache.load(journal)
    with journal.open("a", encoding="utf-8") as stream:
        stream.write("5\n")
    assert _loaded(journal) == _loaded(journal, cached=False)
    assert _loaded(journal).ledger.journal[-1].quantity == 210005
    _same_as_without_cache(emploi, journal)


def test_a_ledger_rewritten_longer_is_parsed_whole(emploi, cached, journal):
    before = _same_as_without_cache(emploi, journal)
    text = journal.read_text(encoding="utf-8")
    journal.write_text(text.replace("value = 120", "value = 920") + _APPENDED, encoding="utf-8")
    after = _same_as_without_cache(emploi, journal)
    assert after["targets", "json"] != before["targets", "json"]
    assert len(_header(_cache_files(cached)[0])["digest"]) == 1


def test_after_many_appends_the_ledger_is_parsed_whole_once(cached, journal, monkeypatch):
    from emploi_cli.store import writing

    monkeypatch.setattr(cache, "MAX_PARTS", 3)
    cache.load(journal)
    for _ in range(3):
        writing.append(journal, _build_progress)
    assert len(_header(_cache_files(cached)[0])["digest"]) == 3  # the third not added
    assert cache.load(journal) == reading.load(journal)  # parsed whole
    assert len(_header(_cache_files(cached)[0])["digest"]) == 1

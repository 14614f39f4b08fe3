"""The one atomic write and the one stat check of store/files.py."""

from __future__ import annotations

import os

import pytest

from emploi_cli.domain import limits
from emploi_cli.domain import model as m
from emploi_cli.store import files


def test_atomic_write_keeps_the_mode_and_writes_through_a_symlink(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    files.atomic_write(link, ["né", b"w"])
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "néw"
    assert real.stat().st_mode & 0o777 == 0o640
    files.atomic_write(real, [b"x"], mode=0o600)
    assert real.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "real.txt"]


def test_atomic_write_leaves_the_file_as_it_was_on_any_error(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")

    def pieces():
        yield "new"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        files.atomic_write(target, pieces())
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["out.txt"]


def test_ledger_stat_refuses_what_is_not_a_ledger_file(tmp_path):
    codes = []
    for path in (tmp_path / "missing.toml", tmp_path):
        with pytest.raises(m.EmploiError) as caught:
            files.ledger_stat(path, str(path))
        codes.append(caught.value.problems[0].code)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(m.EmploiError) as caught:
        files.ledger_stat(fifo, str(fifo))
    assert [*codes, caught.value.problems[0].code] == ["not-found", "not-a-file", "not-a-file"]
    big = tmp_path / "big.toml"
    with big.open("wb") as stream:
        stream.truncate(limits.MAX_LEDGER_BYTES + 1)
    with pytest.raises(m.EmploiError) as caught:
        files.ledger_stat(big, str(big))
    assert caught.value.problems[0].code == "too-large"
    assert files.ledger_stat(big, str(big), size_limit=False).st_size == limits.MAX_LEDGER_BYTES + 1

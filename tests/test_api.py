"""The Python API (docs/api.md): its example runs, and what the CLI relies on holds."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from emploi_cli import api

from .conftest import REPO, SHIPPED

JUNE = date(2022, 6, 30)


def _python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def test_the_documented_example_runs(tmp_path, monkeypatch):
    blocks = _python_blocks(REPO / "docs" / "api.md")
    assert blocks
    (tmp_path / "data").mkdir()
    shutil.copyfile(SHIPPED, tmp_path / "data" / "conventions.toml")
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, "docs/api.md", "exec"), {"__name__": "docs_api"})


def test_the_api_imports_neither_typer_nor_rich():
    code = ("import sys, json; from datetime import date; from emploi_cli import api; "
            "o = api.open_ledgers(); api.summary(o, date(2022, 6, 30)); "
            "api.status(o, date(2022, 6, 30)); api.check(today=date(2022, 6, 30)); "
            "print(json.dumps(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('typer', 'rich', 'click', 'emploi_cli.cli'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO).stdout
    assert json.loads(out) == []


def test_one_ledger_or_a_rollup_is_decided_by_the_list(ledger, tmp_path):
    other = tmp_path / "other.toml"
    other.write_text(ledger.read_text().replace('id = "fes-meknes"', 'id = "autre"', 1))
    one = api.open_ledgers([ledger, ledger])  # the same file counts once
    assert len(one) == 1
    both = api.open_ledgers([ledger, other])
    assert [x.path for x in both] == [str(ledger), str(other)]
    single = api.summary(one, JUNE).data
    rolled = api.summary(both, JUNE).data
    assert "programmes" not in single and "programmes" in rolled
    with pytest.raises(api.BadOption) as refused:
        api.targets(both, JUNE, tag="province")
    assert refused.value.exit_code == 2


def test_check_is_one_function_for_a_name_and_an_opened_ledger(ledger):
    api.disburse(ledger, "c1", api.money("400"), day=date(2021, 1, 5), today=JUNE)
    by_name = api.check(ledger, today=JUNE)
    assert by_name == api.check(api.open_ledger(ledger), today=JUNE)
    assert by_name and all(p.place.file == str(ledger) for p in by_name)
    assert api.check(ledger.with_name("missing.toml"), today=JUNE)[0].code == "not-found"


def test_reconcile_names_the_mismatch_by_code_and_entry(ledger):
    api.record(ledger, "c1.insertion", 10, day=date(2021, 3, 1), today=JUNE)
    first = api.reconcile(ledger, target="c1.insertion", value=12, day=date(2021, 3, 31),
                          source="ANAPEC", today=JUNE)
    assert [p.code for p in first.mismatches] == ["reconcile"]
    second = api.reconcile(ledger, target="c1.insertion", value=10, day=date(2021, 3, 31),
                           source="ANAPEC", today=JUNE)
    assert second.matches  # the first figure's mismatch is not this one's
    dry = api.reconcile(ledger, target="c1.insertion", value=99, day=date(2021, 3, 31),
                        source="ANAPEC", today=JUNE, dry_run=True)
    assert dry.written.dry_run and dry.matches


def test_the_report_names_each_ledger_with_its_digest(ledger):
    import hashlib

    made = api.produced(api.open_ledgers([ledger]), JUNE)
    assert [p.sha256 for p in made] == [hashlib.sha256(ledger.read_bytes()).hexdigest()]
    assert api.production_time(None, JUNE) == JUNE

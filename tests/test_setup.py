"""Finding the ledger, starting a new one, the version, the README."""

from __future__ import annotations

import json
import os
import re
import shutil

from emploi_cli import __version__
from emploi_cli.store.reading import resolve_ledger, shipped_ledger

from .conftest import REPO, SHIPPED


def test_resolution_order(tmp_path):
    (tmp_path / "data").mkdir()
    local = tmp_path / "data" / "conventions.toml"
    assert resolve_ledger("x.toml", {"EMPLOI_LEDGER": "y.toml"}, tmp_path).name == "x.toml"
    assert resolve_ledger(None, {"EMPLOI_LEDGER": "y.toml"}, tmp_path).name == "y.toml"
    assert resolve_ledger(None, {}, tmp_path) == shipped_ledger()
    local.write_text("")
    assert resolve_ledger(None, {}, tmp_path) == local
    assert shipped_ledger().read_bytes() == SHIPPED.read_bytes()


def test_env_ledger_used_by_commands(emploi, ledger):
    ledger.write_text(ledger.read_text().replace("total = 406.80", "total = 406.8"))
    data = json.loads(emploi("summary", "-f", "json", env={"EMPLOI_LEDGER": str(ledger)}).stdout)
    assert data["total"] == 406.80


def test_version(emploi):
    result = emploi("--version")
    assert result.stdout == f"emploi {__version__}\n" and result.exit_code == 0


def test_init_writes_a_valid_starter_and_refuses_to_overwrite(emploi, tmp_path):
    path = tmp_path / "new.toml"
    assert emploi("init", str(path)).exit_code == 0
    check = emploi("check", "-l", str(path), "-f", "json")
    assert check.exit_code == 0 and json.loads(check.stdout)["problems"] == []
    assert emploi("summary", "-l", str(path)).exit_code == 0
    assert emploi("record", "c1.placements", "5", "-l", str(path), "--date",
                  "2022-06-01").exit_code == 0
    before = path.read_bytes()
    again = emploi("init", str(path))
    assert again.exit_code == 1 and "--force" in again.stderr
    assert path.read_bytes() == before
    assert emploi("init", str(path), "--force").exit_code == 0
    assert path.read_bytes() != before


def test_readme_quick_start_is_two_commands_and_ci_runs_the_second():
    readme = (REPO / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", readme.split("## Quick start")[1].split("##")[0],
                        re.S)
    assert [b.strip() for b in blocks] == ["python3 -m pip install . && emploi summary",
                                           "python3 -m pip install '.[test]' && python3 -m pip "
                                           "install --no-deps pyIATI==0.4.1 && python3 -m pytest"]
    assert blocks[1].strip() in (REPO / ".ci" / "run").read_text()


def test_docs_name_every_command():
    from emploi_cli.cli.app import app

    commands = (REPO / "docs" / "commands.md").read_text()
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert f"emploi {name}" in commands, name


def test_shipped_ledger_states_only_the_source(tmp_path):
    text = SHIPPED.read_text()
    assert "signed_date" not in text  # the article gives no date
    import tomllib

    doc = tomllib.loads(text)
    mobile = doc["conventions"][1]["targets"][2]
    assert mobile["id"] == "c2.unites_mobiles" and "quantity" not in mobile
    assert doc["funders"][0]["conventions"] == ["c1", "c2"]  # one amount, not split
    assert [str(c["amount"]) for c in doc["conventions"]] == ["374.8", "32.0"]
    article = (REPO.parent / "shared" / "sources" / "fes-meknes-conventions.fr.txt")
    if article.exists():
        source = article.read_text()
        for figure in ("406,80", "374,80", "32 MDH", "160 MDH", "20.815", "5.460", "1.500",
                       "17 espaces", "vendredi à Fès", "ANAPEC", "ADS"):
            assert figure in source
    copy = tmp_path / "x"
    shutil.copytree(REPO / "data", copy)
    assert os.listdir(copy) == ["conventions.toml"]

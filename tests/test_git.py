"""Many hands, one ledger: real git clones, the shipped .gitattributes, union merges, `check`."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from emploi_cli.store import reading

REPO = Path(__file__).resolve().parent.parent
LEDGER = Path("data") / "conventions.toml"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid",
         "-c", "init.defaultBranch=main", "-c", "merge.conflictStyle=merge", *args],
        cwd=cwd, capture_output=True, text=True, check=check,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(cwd),
             "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"})


@pytest.fixture
def clones(tmp_path: Path) -> tuple[Path, Path]:
    """An origin holding the shipped ledger and the shipped .gitattributes, cloned twice."""
    origin = tmp_path / "origin"
    (origin / "data").mkdir(parents=True)
    shutil.copyfile(REPO / "data" / "conventions.toml", origin / LEDGER)
    shutil.copyfile(REPO / ".gitattributes", origin / ".gitattributes")
    git(origin, "init", "-q")
    git(origin, "add", ".")
    git(origin, "commit", "-q", "-m", "ledger")
    for name in ("amina", "karim"):
        git(tmp_path, "clone", "-q", str(origin), name)
    return tmp_path / "amina", tmp_path / "karim"


def run(emploi, clone: Path, *args: str):
    """emploi in one clone, as its officer."""
    return emploi(*args, env={"EMPLOI_LEDGER": str(clone / LEDGER), "EMPLOI_USER": clone.name})


def record(emploi, clone: Path, *args: str) -> str:
    result = run(emploi, clone, "record", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def commit(clone: Path, message: str) -> None:
    git(clone, "commit", "-q", "-a", "-m", message)


def merge(into: Path, other: Path, *config: str) -> subprocess.CompletedProcess:
    """Bring `other`'s commits into `into`, as `git pull` would."""
    git(into, "fetch", "-q", str(other), "main")
    return git(into, *config, "merge", "--no-edit", "FETCH_HEAD", check=False)


def entries_by_id(path: Path) -> dict[str, list[dict]]:
    doc = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    found: dict[str, list[dict]] = {}
    for table in ("progress", "transactions", "voids", "profiles"):
        for entry in doc.get(table, []):
            found.setdefault(entry["id"], []).append(entry)
    return found


def check_json(emploi, clone: Path) -> tuple[int, dict]:
    result = run(emploi, clone, "check", "-f", "json")
    return result.exit_code, json.loads(result.stdout)


def test_the_shipped_gitattributes_union_merges_the_ledgers():
    assert "data/*.toml merge=union" in (REPO / ".gitattributes").read_text().splitlines()


def test_two_clones_record_then_merge(emploi, clones, tmp_path):
    amina, karim = clones
    ids = [record(emploi, amina, "c1.insertion", "120", "--date", "2021-06-30",
                  "--source", "ANAPEC T2", "--tag", "province=fes"),
           record(emploi, amina, "c2.espaces", "3", "--date", "2021-06-30")]
    disbursed = run(emploi, amina, "disburse", "c1", "25.5", "--funder", "region",
                    "--date", "2021-07-01")
    assert disbursed.exit_code == 0, disbursed.stderr
    ids.append(disbursed.stdout.strip())
    commit(amina, "T2 from ANAPEC")
    csv = tmp_path / "ads-t2.csv"
    csv.write_text("Indicateur;Nombre;Date\nc2.employabilite;40;30/06/2021\n"
                   "c1.employabilite;15;30/06/2021\n", encoding="utf-8")
    imported = run(emploi, karim, "import", str(csv), "--kind", "progress", "--delimiter", ";",
                   "--map", "target=Indicateur", "--map", "value=Nombre", "--map", "date=Date",
                   "--date-format", "%d/%m/%Y", "-f", "json")
    assert imported.exit_code == 0, imported.stderr
    ids += [row["id"] for row in json.loads(imported.stdout)["rows"]]
    ids.append(record(emploi, karim, "c1.insertion", "80", "--date", "2021-06-30",
                      "--source", "ANAPEC T2", "--tag", "province=meknes"))
    commit(karim, "T2 from ADS")
    before = {**entries_by_id(amina / LEDGER), **entries_by_id(karim / LEDGER)}

    merged = merge(karim, amina)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    text = (karim / LEDGER).read_text(encoding="utf-8")
    assert "<<<<<<<" not in text
    after = entries_by_id(karim / LEDGER)
    assert sorted(after) == sorted(ids)
    assert all(len(copies) == 1 for copies in after.values())
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}
    code, report = check_json(emploi, karim)
    assert code == 0, report
    assert report["errors"] == 0
    figures = json.loads(run(emploi, karim, "targets", "-f", "json").stdout)
    assert {t["id"]: t["achieved"] for t in figures}["c1.insertion"] == 200


def test_check_on_a_merge_that_left_entries_out_of_date_order(emploi, clones):
    amina, karim = clones
    late = record(emploi, amina, "c1.insertion", "120", "--date", "2021-06-30")
    commit(amina, "June")
    early = record(emploi, karim, "c1.insertion", "50", "--date", "2021-03-31")
    commit(karim, "March")
    assert merge(amina, karim).returncode == 0
    code, report = check_json(emploi, amina)
    assert code == 0
    assert [(p["severity"], p["code"]) for p in report["problems"]] == [
        ("warning", "out-of-order")]
    assert f"first: {early}, 2021-03-31" in report["problems"][0]["message"]
    assert list(entries_by_id(amina / LEDGER)) == [late, early]


def test_the_same_figure_recorded_in_both_clones(emploi, clones):
    """Two officers type the same partner figure. With merge.conflictStyle=diff3 (docs/git.md)
    union keeps each side's lines whole; check warns that the entry is there twice."""
    amina, karim = clones
    first = record(emploi, amina, "c1.insertion", "120", "--date", "2021-06-30",
                   "--source", "ANAPEC T2")
    commit(amina, "T2")
    second = record(emploi, karim, "c1.insertion", "120", "--date", "2021-06-30",
                    "--source", "ANAPEC T2")
    commit(karim, "T2")
    assert merge(karim, amina, "-c", "merge.conflictStyle=diff3").returncode == 0
    code, report = check_json(emploi, karim)
    assert code == 0
    assert [(p["severity"], p["code"]) for p in report["problems"]] == [
        ("warning", "same-entry-twice")]
    assert report["problems"][0]["message"].startswith(f"progress {first} repeats {second}")


def test_the_same_figure_spliced_by_the_default_conflict_style(emploi, clones):
    """Without diff3, git shortens the union chunk by the lines both sides share: four or more
    identical lines in a row (date, target, value, source) split the two entries. The file no
    longer parses and check names the line (documented in docs/git.md)."""
    amina, karim = clones
    record(emploi, amina, "c1.insertion", "120", "--date", "2021-06-30", "--source", "ANAPEC")
    commit(amina, "T2")
    record(emploi, karim, "c1.insertion", "120", "--date", "2021-06-30", "--source", "ANAPEC")
    commit(karim, "T2")
    assert merge(karim, amina).returncode == 0
    code, report = check_json(emploi, karim)
    assert code == 1
    problem = report["problems"][0]
    assert (problem["code"], problem["file"]) == ("toml-syntax", str(karim / LEDGER))
    assert problem["line"] is not None


def test_both_clones_change_the_same_definition(emploi, clones):
    """Union merge writes no conflict markers: both versions of the line are kept, which is a
    duplicate key; check names the file and line; keeping one line resolves it."""
    amina, karim = clones
    for clone, quantity in ((amina, "21000"), (karim, "20900")):
        path = clone / LEDGER
        path.write_text(path.read_text(encoding="utf-8").replace(
            "quantity = 20815", f"quantity = {quantity}", 1), encoding="utf-8")
        commit(clone, f"c1.insertion is {quantity}")
    assert merge(karim, amina).returncode == 0  # git reports no conflict
    path = karim / LEDGER
    text = path.read_text(encoding="utf-8")
    assert "quantity = 20900\nquantity = 21000\n" in text
    code, report = check_json(emploi, karim)
    assert code == 1
    line = text[: text.index("quantity = 21000")].count("\n") + 1
    assert [(p["code"], p["file"], p["line"]) for p in report["problems"]] == [
        ("toml-syntax", str(path), line)]
    assert report["problems"][0]["message"] == "TOML syntax: Cannot overwrite a value"
    path.write_text(text.replace("quantity = 20900\nquantity = 21000\n", "quantity = 21000\n"),
                    encoding="utf-8")
    code, report = check_json(emploi, karim)
    assert (code, report["errors"]) == (0, 0)
    assert reading.load(path).ledger.target("c1.insertion").quantity == 21000


def test_an_entry_pasted_into_another_clone_keeps_its_id(emploi, clones):
    """An entry copied by hand from one clone into the other (a mailed ledger, a paste) and then
    changed carries the same id: after the merge check reports the duplicate id as an error.
    (diff3 keeps both blocks whole; with the default style git splices two blocks this alike,
    and check reports the TOML error instead, as in the test above.)"""
    amina, karim = clones
    ident = record(emploi, amina, "c1.insertion", "120", "--date", "2021-06-30")
    commit(amina, "T2")
    text = (amina / LEDGER).read_text(encoding="utf-8")
    block = text[text.index(f"# entry {ident}"):]
    with (karim / LEDGER).open("a", encoding="utf-8") as out:
        out.write("\n" + block.replace("value = 120", "value = 125"))
    commit(karim, "T2, corrected by hand")
    assert merge(karim, amina, "-c", "merge.conflictStyle=diff3").returncode == 0
    code, report = check_json(emploi, karim)
    assert code == 1
    assert [(p["severity"], p["code"]) for p in report["problems"]] == [
        ("error", "duplicate-id")]
    assert report["problems"][0]["message"].startswith(f"entry id {ident!r} is used twice")

"""What a new officer meets in a week of ordinary work, driven as they drive it: a real
process with their environment where the process matters, CliRunner elsewhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# the console script installed beside this Python, as a user's shell finds it
EMPLOI = str(Path(sys.executable).with_name("emploi"))


def user(*args: str, ledger: Path | None = None, cwd: Path | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`emploi ARGS` as a user runs it: a process, the ledger in $EMPLOI_LEDGER."""
    environment = {**os.environ, **(env or {})}
    if ledger is not None:
        environment["EMPLOI_LEDGER"] = str(ledger)
    return subprocess.run([EMPLOI, *args], capture_output=True, text=True, env=environment,
                          cwd=cwd, timeout=60)


# ---- a command that fails says so --------------------------------------------------------


def test_a_reconcile_that_does_not_match_is_written_says_so_and_exits_4(ledger):
    recorded = user("record", "c1.insertion", "120", "--date", "2021-03-01", ledger=ledger)
    assert recorded.returncode == 0, recorded.stderr
    entry = recorded.stdout.strip()
    done = user("reconcile", "c1.insertion", "150", "--date", "2021-03-31", "--source",
                "ANAPEC", ledger=ledger)
    assert done.returncode == 4
    assertion = done.stdout.strip()
    assert f'id = "{assertion}"' in ledger.read_text()  # what the partner said is kept
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"emploi: {ledger} [assertions[0]]: error: assertion {assertion} ")
    assert "150 personnes by the partner but 120 personnes in the journal (difference -30); " \
        in line
    assert f"entries counted: {entry}" in line


def test_a_reconcile_in_json_gives_the_verdict(ledger):
    user("record", "c1.insertion", "120", "--date", "2021-03-01", ledger=ledger)
    differs = user("reconcile", "c1.insertion", "150", "--date", "2021-03-31", "--source",
                   "ANAPEC", "-f", "json", ledger=ledger)
    data = json.loads(differs.stdout)
    assert differs.returncode == 4
    assert (data["written"], data["matches"], data["expected"], data["found"],
            data["difference"]) == (True, False, 150, 120, -30)
    assert len(data["entries_counted"]) == 1
    money = user("reconcile", "--convention", "c1", "--amount", "0", "--kind", "disbursement",
                 "--date", "2021-03-31", "--source", "Trésor", "-f", "json", ledger=ledger)
    assert money.returncode == 0, money.stderr
    assert '"matches": true' in money.stdout and '"difference": 0.00' in money.stdout


def test_a_reconcile_that_matches_says_so(ledger):
    user("record", "c1.insertion", "120", "--date", "2021-03-01", ledger=ledger)
    done = user("reconcile", "c1.insertion", "120", "--date", "2021-03-31", "--source",
                "ANAPEC", ledger=ledger)
    assert done.returncode == 0
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"emploi: note: assertion {done.stdout.strip()} (ANAPEC): "
                           "c1.insertion as of 2021-03-31 matches the journal: 120 personnes;")


@pytest.mark.parametrize(("args", "line"), [
    (["summary", "--bogus"],
     "emploi: usage error: No such option: --bogus (try 'emploi summary -h' for help)"),
    (["summaryy"], "emploi: usage error: No such command 'summaryy'. Did you mean 'summary'? "
     "(try 'emploi -h' for help)"),
    (["record"], "emploi: usage error: Missing argument 'TARGET'. (try 'emploi record -h' for "
     "help)"),
    (["summary", "--as-of", "2021-02-30"],
     "emploi: usage error: --as-of '2021-02-30' is not a date: February 2021 has 28 days"),
])
def test_usage_errors_are_one_line_like_every_error(args, line):
    done = user(*args)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", line + "\n")


def test_usage_errors_are_one_line_in_process_too(emploi):
    result = emploi("history", "--kind", "gift")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("emploi: usage error:")


@pytest.mark.parametrize(("args", "reason"), [
    (["record", "c1.insertion", "5", "--date", "2021-02-29"], "February 2021 has 28 days"),
    (["record", "c1.insertion", "5", "--date", "2021-13-01"], "there is no month 13"),
    (["record", "c1.insertion", "5", "--date", "31/03/2021"], "dates are written YYYY-MM-DD"),
    (["history", "--since", "2021-06-31"], "June 2021 has 30 days"),
    (["amend", "--end", "2023-02-29", "--reference", "a", "--reason", "b"],
     "February 2023 has 28 days"),
    (["close", "2021-02-30"], "February 2021 has 28 days"),
])
def test_a_date_a_user_types_says_why_it_is_not_one(emploi, ledger, args, reason):
    result = emploi(*args, "-l", str(ledger))
    assert result.exit_code in (1, 2) and result.stderr.rstrip().endswith(reason)


def test_dates_a_file_holds_say_why_they_are_not_dates(ledger, tmp_path):
    text = ledger.read_text()
    bare = tmp_path / "bare.toml"
    bare.write_text(text + '\n[[progress]]\nid = "x1"\ntarget = "c1.insertion"\nvalue = 5\n'
                    'date = 2021-02-30\n')
    done = user("summary", ledger=bare)
    assert done.returncode == 1
    assert "TOML syntax: Invalid date or datetime: February 2021 has 28 days" in done.stderr
    quoted = tmp_path / "quoted.toml"
    quoted.write_text(bare.read_text().replace("date = 2021-02-30", 'date = "2021-02-30"'))
    assert ("date must be a date, not a string (2021-02-30 is not a date either: February "
            "2021 has 28 days)") in user("check", ledger=quoted).stdout
    sheet = tmp_path / "t2.csv"
    sheet.write_text("Indicateur,Nombre,Date\nc1.insertion,5,31/06/2021\n")
    done = user("import", str(sheet), "--kind", "progress", "--map", "target=Indicateur",
                "--map", "value=Nombre", "--map", "date=Date", "--date-format", "%d/%m/%Y",
                ledger=ledger)
    assert done.returncode == 1
    assert ("[row 2, column 'Date']: error: '31/06/2021' is not a date: June 2021 has 30 "
            "days") in done.stderr


# ---- what you see is what there is -------------------------------------------------------


@pytest.mark.parametrize("command", [["summary"], ["targets"], ["history"], ["status"],
                                     ["check"], ["targets", "--by", "indicator"]])
def test_output_takes_its_format_from_the_extension(emploi, tmp_path, ledger, command):
    for name, starts in (("out.csv", ("record,", "id,", "severity,", "indicator,")),
                         ("out.json", ("{", "[")), ("out.md", ("## ", "| ", "No problems.")),
                         ("out.txt", ("",))):
        target = tmp_path / name
        done = emploi(*command, "-l", str(ledger), "-o", str(target))
        assert done.exit_code == 0, done.stderr
        text = target.read_text()
        assert text.startswith(starts), (name, text[:40])
        if name == "out.json":
            json.loads(text)
        if name == "out.txt":  # anything else: the table, as a pipe shows it
            assert text == emploi(*command, "-l", str(ledger)).stdout


def test_a_format_the_extension_contradicts_is_refused(tmp_path, ledger):
    target = tmp_path / "x.json"
    done = user("summary", "-f", "csv", "-o", str(target), ledger=ledger)
    assert (done.returncode, target.exists()) == (2, False)
    assert done.stderr == (f"emploi: usage error: --format csv contradicts --output "
                           f"'{target}', whose extension says json; leave --format out, or "
                           "name the file for the format\n")
    assert user("summary", "-f", "md", "-o", str(tmp_path / "x.txt"), ledger=ledger
                ).returncode == 0
    assert user("report", "-f", "md", "-o", str(tmp_path / "r.html"), ledger=ledger
                ).returncode == 2
    assert user("report", "-o", str(tmp_path / "r.md"), ledger=ledger).returncode == 0
    assert (tmp_path / "r.md").read_text().startswith("# ")


def on_terminal(*args: str, ledger: Path, columns: int) -> str:
    """`emploi ARGS` in a terminal `columns` wide (a pseudo-terminal), colours removed."""
    import pty
    import re

    env = {**os.environ, "EMPLOI_LEDGER": str(ledger), "COLUMNS": str(columns),
           "TERM": "xterm"}
    env.pop("TERMINAL_WIDTH", None)
    main, child = pty.openpty()
    process = subprocess.Popen([EMPLOI, *args], stdout=child, stderr=child, env=env)
    os.close(child)
    out = b""
    while True:
        try:
            piece = os.read(main, 65536)
        except OSError:
            break
        if not piece:
            break
        out += piece
    os.close(main)
    assert process.wait(timeout=60) == 0
    return re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", out.decode()).replace("\r\n", "\n")


@pytest.fixture
def worked(ledger) -> Path:
    """The shipped ledger after a little work: progress, a void, money."""
    entry = user("record", "c1.insertion", "120", "--date", "2021-03-31", "--source",
                 "ANAPEC rapport T1", "--tag", "province=Fès", ledger=ledger).stdout.strip()
    user("void", entry, "--reason", "recorded twice", ledger=ledger)
    user("disburse", "c1", "25.5", "--funder", "region", "--date", "2021-02-01", ledger=ledger)
    return ledger


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux pseudo-terminal")
def test_a_narrow_terminal_never_hides_what_a_row_means(worked):
    history = on_terminal("history", ledger=worked, columns=60)
    assert max(len(line) for line in history.splitlines()) <= 60
    (voided,) = [block for block in history.split("\n\n") if "c1.insertion" in block]
    for line in ("  Value         120", "  Void          yes",
                 "  Source        ANAPEC rapport T1"):  # each row folded into a block
        assert line in voided.splitlines()
    wide = on_terminal("history", ledger=worked, columns=120)
    assert "Void" in wide and "Value" in wide and "Amount (MDH)" in wide
    assert "Columns hidden for lack of room: Note, Source, Tags, Recorded at, By (" in wide
    summary = on_terminal("summary", ledger=worked, columns=60)
    assert "  Estimated       yes" in summary.splitlines()
    status = on_terminal("status", ledger=worked, columns=60)
    assert "  Expected" in status and "  Progress" in status and "hidden" not in status


def test_targets_by_tag_heads_the_column_with_the_tag(worked):
    user("record", "c1.insertion", "7", "--date", "2021-04-30", "--tag", "province=Meknès",
         ledger=worked)
    table = user("targets", "--tag", "province", ledger=worked).stdout.splitlines()
    assert table[1].split() == ["Id", "Convention", "Indicator", "province", "Achieved", "Unit"]
    md = user("targets", "--tag", "province", "-f", "md", ledger=worked).stdout
    assert "| Id | Convention | Indicator | province | Achieved | Unit |" in md


def test_history_has_a_source_column(worked):
    table = user("history", ledger=worked).stdout.splitlines()
    assert "Source" in table[1].split()
    (row,) = [line for line in table if "c1.insertion" in line]
    assert "ANAPEC rapport T1" in row


@pytest.fixture
def typo(ledger) -> Path:
    """The shipped ledger with `quantity = 20815` mistyped `quantiy`."""
    text = ledger.read_text()
    assert text.count("\nquantity = 20815\n") == 1
    ledger.write_text(text.replace("\nquantity = 20815\n", "\nquantiy = 20815\n"))
    return ledger


TYPO_WARNING = ("emploi: {ledger}:75:1 [conventions[0].targets[0].quantiy]: warning: unknown "
                "key 'quantiy' (ignored; did you mean 'quantity'?)\n")


@pytest.mark.parametrize("command", [
    ["summary"], ["targets"], ["targets", "-f", "json"], ["history"], ["status"],
    ["report"], ["record", "c1.insertion", "5", "--date", "2021-03-01"],
    ["disburse", "c1", "1", "--date", "2021-03-01", "--source", "x"],
    ["close", "2020", "--dry-run"], ["import", "examples/anapec-t2.csv", "--kind", "progress",
                        "--header-row", "3", "--delimiter", ";", "--decimal", ",",
                        "--thousands", ".", "--date-format", "%d/%m/%Y", "--map",
                        "target=Indicateur", "--map", "value=Nombre", "--map", "date=Date"]])
def test_every_command_that_reads_a_ledger_warns_of_an_unknown_key(emploi, typo, command,
                                                                    monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    done = emploi(*command, "-l", str(typo))
    assert done.exit_code == 0, done.stderr
    assert done.stderr == TYPO_WARNING.format(ledger=typo)
    quiet = emploi(*command, "-l", str(typo), "--quiet")
    assert (quiet.exit_code, quiet.stderr) == (0, "")


def test_the_warning_reaches_a_users_terminal(typo):
    done = user("summary", ledger=typo)
    assert (done.returncode, done.stderr) == (0, TYPO_WARNING.format(ledger=typo))


def test_json_output_is_unchanged_by_the_warning(typo, ledger):
    warned = user("targets", "-f", "json", ledger=typo)
    assert json.loads(warned.stdout)[0]["target"] is None  # what the typo does: unquantified
    assert "quantiy" not in warned.stdout


def test_emploi_alone_still_prints_its_help():
    done = user()
    assert done.returncode == 2 and done.stderr.startswith("Usage: emploi [OPTIONS] COMMAND")

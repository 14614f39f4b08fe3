"""Generated ledgers with hostile Unicode through every command and format, and a
mutation fuzzer over the shipped ledger's bytes. Bounded here; EMPLOI_FUZZ_LONG=N runs N times
more examples (e.g. EMPLOI_FUZZ_LONG=20 python -m pytest tests/test_fuzz.py)."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from emploi_cli.cli.app import app
from emploi_cli.domain import position
from emploi_cli.store.reading import load

from .conftest import SHIPPED

LONG = int(os.environ.get("EMPLOI_FUZZ_LONG", "1"))
RUNNER = CliRunner()
HOSTILE = ["[bold]x[/]", "[/]", "[link=file:///etc/passwd]y[/link]", ":warning:", "\x1b[2J",
           "\x1b]0;title\x07", "\x1b]8;;http://evil/\x1b\\click\x1b]8;;\x1b\\", "مرحبا بالعالم",
           "e\u0301\u0308", "😀👩‍👩‍👧", "\u202egnp.exe", "=HYPERLINK(\"x\")", "+1", "-2",
           "@SUM(A1)",
           "\t\r\n", "\x00\x01\x7f\x9b", "<script>alert(1)</script>", '"><img onerror=x>',
           "a|b", "x" * 3000, "|---|", "\\", "'"]
text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40),
                 st.lists(st.sampled_from(HOSTILE), max_size=3).map("".join))
named = text.filter(lambda value: value.strip() != "")  # required texts are never blank
ids = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
days = st.integers(0, 1000).map(lambda n: date(2020, 1, 1) + timedelta(days=n))
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2)


@st.composite
def ledgers(draw) -> dict:
    n_conv = draw(st.integers(1, 3))
    conv_ids = draw(st.lists(ids, min_size=n_conv, max_size=n_conv, unique=True))
    conventions, targets = [], []
    for cid in conv_ids:
        ts = []
        for j in range(draw(st.integers(0, 3))):
            tid = f"{cid}.t{j}"
            target = {"id": tid, "indicator": draw(st.sampled_from(["a", "b", "c"])),
                      "label": draw(named), "unit": "u",
                      "reporting": draw(st.sampled_from(["increment", "cumulative"]))}
            quantity = draw(st.one_of(st.none(), st.integers(0, 10**6)))
            if quantity is not None:
                target["quantity"] = quantity
            ts.append(target)
            targets.append(tid)
        conventions.append({"id": cid, "title": draw(named), "amount": draw(money),
                            "targets": ts})
    total = sum(c["amount"] for c in conventions)
    doc = {"format": 1, "programme": {
        "id": "p", "title": draw(named), "region": draw(text), "start": date(2020, 1, 1),
        "end": date(2022, 12, 31), "total": total, "currency": "MAD", "unit": "MDH"},
        "funders": [{"id": "f", "name": draw(named), "amount": total / 2,
                     "estimated": draw(st.booleans())}],
        "conventions": conventions}
    progress, transactions = [], []
    for i in range(draw(st.integers(0, 8))):
        if targets:
            progress.append({"id": f"p{i}", "date": draw(days), "target": draw(
                st.sampled_from(targets)), "value": draw(st.integers(0, 5000)),
                "note": draw(text), "source": draw(text),
                "tags": {"province": draw(text)}})
        transactions.append({"id": f"t{i}", "date": draw(days), "convention": draw(
            st.sampled_from(conv_ids)), "amount": draw(money), "kind": draw(st.sampled_from(
                ["commitment", "disbursement", "expenditure"])), "note": draw(text)})
    if progress:
        doc["progress"] = progress
    if transactions:
        doc["transactions"] = transactions
    return doc


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
COMMANDS = [["summary"], ["targets"], ["targets", "--by", "indicator"],
            ["targets", "--tag", "province"], ["history"], ["check"], ["status"],
            ["targets", "--period", "quarter"]]


def _invoke(*args):
    result = RUNNER.invoke(app, list(args))
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, (
        args, result.stderr)
    return result


# No shrinking: each example runs 32 commands, and a failure is printed whole anyway.
@settings(max_examples=20 * LONG, deadline=None,
          phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(doc=ledgers())
def test_generated_ledgers_through_every_command_and_format(doc):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.toml"
        path.write_text(tomli_w.dumps(doc), encoding="utf-8")
        loaded = load(path)
        assert not loaded.errors, loaded.errors
        for command in COMMANDS:
            outputs = {}
            for fmt in ("table", "json", "csv", "md"):
                as_of = [] if command == ["check"] else ["--as-of", "2022-12-31"]
                result = _invoke(*command, "-l", str(path), "-f", fmt, *as_of)
                assert result.exit_code in ((0, 1) if command == ["check"] else (0,)), (
                    command, fmt, result.stderr)
                outputs[fmt] = result.stdout_bytes.decode("utf-8")  # keeps \r\n
            for fmt in ("table", "md"):
                assert not CONTROL.search(outputs[fmt]), (command, fmt)
            data = json.loads(outputs["json"])
            rows = list(csv.reader(io.StringIO(outputs["csv"], newline="")))
            assert len(rows) >= 1
            if command == ["targets"]:
                _same_targets(loaded.ledger, data, rows)
            if command == ["history"]:
                assert len(data) == len(rows) - 1 == len(loaded.ledger.journal)
                header = rows[0]
                for item, row in zip(data, rows[1:], strict=True):
                    cell = dict(zip(header, row, strict=True))
                    assert cell["id"] == item["id"]
                    assert _unneutralised(cell["text"]) == item["text"]


def _unneutralised(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


def _same_targets(ledger, data, rows):
    """json equals the computed model; csv parses back to the same rows."""
    lines = position.target_lines(ledger, date(2022, 12, 31))
    assert [(d["id"], d["target"], d["achieved"]) for d in data] == [
        (t.id, t.quantity, t.achieved) for t in lines]
    header = rows[0]
    for item, row in zip(data, rows[1:], strict=True):
        cell = dict(zip(header, row, strict=True))
        assert _unneutralised(cell["label"]) == item["label"]
        assert cell["achieved"] == str(item["achieved"])
        assert cell["target"] == ("" if item["target"] is None else str(item["target"]))


def _mutate(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 4)):
        choice = rng.randrange(5)
        if choice == 0 and data:
            position = rng.randrange(len(data))
            data = data[:position] + bytes([data[position] ^ (1 << rng.randrange(8))]) + \
                data[position + 1:]
            lines = data.split(b"\n")
        elif choice == 1 and lines:
            del lines[rng.randrange(len(lines))]
            data = b"\n".join(lines)
        elif choice == 2 and lines:
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            data = b"\n".join(lines)
        elif choice == 3 and len(lines) > 1:
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
        else:
            position = rng.randrange(len(data) + 1)
            data = data[:position] + bytes(rng.randrange(256) for _ in range(3)) + \
                data[position:]
            lines = data.split(b"\n")
    return data


JOURNAL = (b'\n[[progress]]\nid = "a1"\ndate = 2021-03-31\ntarget = "c1.insertion"\n'
           b'value = 120\ntags = { province = "F\xc3\xa8s" }\n\n[[transactions]]\nid = "t1"\n'
           b'date = 2021-02-01\nconvention = "c1"\namount = 25.5\nkind = "disbursement"\n'
           b'funder = "region"\n\n[[voids]]\nid = "v1"\ndate = 2021-04-01\nentry = "a1"\n'
           b'reason = "dup"\n')


def test_mutations_give_a_clean_error_or_a_valid_result(tmp_path):
    rng = random.Random(20221231)
    base = SHIPPED.read_bytes() + JOURNAL
    path = tmp_path / "mutant.toml"
    outcomes = {0: 0, 1: 0}
    for _ in range(150 * LONG):
        path.write_bytes(_mutate(base, rng))
        check = _invoke("check", "-l", str(path), "-f", "json")
        assert check.exit_code in (0, 1)
        problems = json.loads(check.stdout)["problems"]
        summary = _invoke("summary", "-l", str(path), "-f", "json")
        outcomes[summary.exit_code] = outcomes.get(summary.exit_code, 0) + 1
        if summary.exit_code == 0:
            assert json.loads(summary.stdout)["programme"]
            assert not any(p["severity"] == "error" and p["code"] not in _FINDINGS
                           for p in problems)
        else:
            assert summary.exit_code == 1 and summary.stdout == ""
            assert summary.stderr.startswith("emploi: ")
            assert check.exit_code == 1
    assert outcomes[0] and outcomes[1]  # the fuzzer reaches both sides


_FINDINGS = {"total-mismatch", "funders-above-total", "future-date", "reconcile",
             "closed-period", "budgets-above-amount"}

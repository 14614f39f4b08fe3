"""One programme, one set of figures: every surface shows the position's figures."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

STEPS = (
    ("disburse", "c1", "25.5", "--funder", "region", "--date", "2021-02-01"),
    ("disburse", "c2", "10", "--date", "2021-03-01"),
    ("amend", "--convention", "c2", "--amount", "35", "--reference", "A1", "--reason", "test",
     "--date", "2022-01-15"),
)
DAY = "2022-06-30"


def _json(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout, parse_float=Decimal)


@pytest.fixture
def amended(emploi, ledger):
    """The shipped ledger with a disbursement by the region, one without a funder, and c2's
    amount amended from 32 to 35."""
    for step in STEPS:
        result = emploi(*step, "-l", str(ledger))
        assert result.exit_code == 0, result.stderr
    return ledger


def test_summary_status_and_report_give_one_total(emploi, amended):
    summary = _json(emploi("summary", "-l", str(amended), "--as-of", DAY, "-f", "json"))
    status = _json(emploi("status", "-l", str(amended), "--as-of", DAY, "-f", "json"))
    report = emploi("report", "-l", str(amended), "--as-of", DAY, "-f", "md", "--lang", "en")
    assert report.exit_code == 0, report.stderr
    assert summary["total_in_force"] == Decimal("409.80")
    assert status["funding"]["total_in_force"] == summary["total_in_force"]
    assert status["funding"]["execution"] == Decimal("8.66")
    assert [c["title"] for c in status["funding"]["conventions"]] == [
        c["title"] for c in summary["conventions"]]
    text = report.stdout
    assert "**Total amount**: 409.80 MDH (amended, originally 406.80 MDH)" in text
    assert re.search(r"\|  \| Total \| 409\.80 \| 100\.00 % \| 0\.00 \| 35\.50 \| 0\.00 \| "
                     r"8\.66 % \|", text), text
    shares = [Decimal(s) for s in re.findall(r"\| (\d+\.\d\d) % \| (?:yes|no|) \|", text)]
    assert shares == [Decimal("39.04"), Decimal("60.96")]

"""Any valid sequence of record/disburse/void, then the reports equal sums computed
independently from the same sequence, and the file re-parses to exactly the entries written."""

from __future__ import annotations

import json
import shutil
import tempfile
import tomllib
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from emploi_cli.cli.app import app
from emploi_cli.domain import entries
from emploi_cli.store import writing

from .conftest import SHIPPED

TODAY = date(2022, 6, 30)
TARGETS = {"c1.insertion": "increment", "c1.employabilite": "increment",
           "c2.espaces": "cumulative", "c2.unites_mobiles": "cumulative"}
QUANTITY = {"c1.insertion": 20815, "c1.employabilite": 5460, "c2.espaces": 17,
            "c2.unites_mobiles": None}
days = st.integers(0, 900).map(lambda n: date(2020, 1, 1) + timedelta(days=n))
record = st.tuples(st.just("record"), st.sampled_from(sorted(TARGETS)),
                   st.integers(0, 10**6), days,
                   st.text(max_size=30))
disburse = st.tuples(st.just("disburse"), st.sampled_from(["c1", "c2"]),
                     st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("500"),
                                 places=6),
                     days, st.sampled_from(["", "region"]),
                     st.sampled_from(["commitment", "disbursement", "expenditure"]))
void = st.tuples(st.just("void"), st.integers(0, 10**6))
operations = st.lists(st.one_of(record, disburse, void), min_size=1, max_size=12)


def _apply(path: Path, ops) -> list[dict]:
    """Write the operations; return the entries as written (fields), in order."""
    stamp = entries.Stamp.now("prop")
    written: list[tuple[str, dict]] = []
    for op in ops:
        if op[0] == "record":
            _, target, value, day, note = op

            def build(cur, t=target, v=value, d=day, n=note):
                f, w = entries.progress(cur, target=t, value=v, day=d, today=TODAY,
                                        stamp=stamp, note=n)
                return [("progress", f)], w
        elif op[0] == "disburse":
            _, convention, amount, day, funder, kind = op

            def build(cur, c=convention, a=amount, d=day, f_=funder, k=kind):
                f, w = entries.transaction(cur, convention=c, amount=a, kind=k, day=d,
                                           today=TODAY, stamp=stamp, funder=f_)
                return [("transaction", f)], w
        else:
            live = [f["id"] for k, f in written if k != "void"
                    and f["id"] not in {g["entry"] for kk, g in written if kk == "void"}]
            if not live:
                continue
            chosen = live[op[1] % len(live)]

            def build(cur, e=chosen):
                f, w = entries.void(cur, entry=e, reason="prop", today=TODAY, stamp=stamp)
                return [("void", f)], w
        done = writing.append(path, build)
        written.extend(done.entries)
    return written


def _expected(written):
    voided = {f["entry"] for k, f in written if k == "void"}
    achieved = {}
    for target, mode in TARGETS.items():
        rows = [(f["date"], i, f["value"]) for i, (k, f) in enumerate(written)
                if k == "progress" and f["target"] == target and f["id"] not in voided]
        if mode == "increment":
            achieved[target] = sum(v for _, _, v in rows)
        else:
            achieved[target] = max(rows)[2] if rows else 0
    money = defaultdict(Decimal)
    for k, f in written:
        if k == "transaction" and f["id"] not in voided:
            money[(f["convention"], f["kind"])] += f["amount"]
            money[(f.get("funder", ""), f["kind"])] += f["amount"]
    return achieved, money


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=operations)
def test_reports_equal_independent_sums(ops):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "l.toml"
        shutil.copyfile(SHIPPED, path)
        written = _apply(path, ops)
        doc = tomllib.loads(path.read_text(), parse_float=Decimal)
        for kind, table in (("progress", "progress"), ("transaction", "transactions"),
                            ("void", "voids")):
            assert doc.get(table, []) == [f for k, f in written if k == kind]
        achieved, money = _expected(written)
        runner = CliRunner()
        targets = json.loads(runner.invoke(app, ["targets", "-l", str(path), "-f",
                                                 "json"]).stdout)
        for row in targets:
            if row["id"] in achieved:
                assert row["achieved"] == achieved[row["id"]]
                quantity = QUANTITY[row["id"]]
                if quantity is None:
                    assert row["progress"] is None
                else:
                    assert Decimal(str(row["progress"])) == (
                        Decimal(achieved[row["id"]]) * 100 / quantity).quantize(
                        Decimal("0.01"), rounding="ROUND_HALF_UP")
        summary = json.loads(runner.invoke(app, ["summary", "-l", str(path), "-f", "json"],
                                           ).stdout, parse_float=Decimal)
        for c in summary["conventions"]:
            assert c["committed"] == money[(c["id"], "commitment")]
            assert c["disbursed"] == money[(c["id"], "disbursement")]
            assert c["spent"] == money[(c["id"], "expenditure")]
        region = summary["funders"][0]
        assert region["disbursed"] == money[("region", "disbursement")]
        assert summary["unattributed_flows"]["spent"] == money[("", "expenditure")]

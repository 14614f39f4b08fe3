"""Nothing from a ledger is executed or interpreted, and nothing is written anywhere
but where the user pointed."""

from __future__ import annotations

import json
import os
import re

import pytest

from .conftest import SHIPPED

EVIL = {
    "osc8": "\x1b]8;;file:///etc/passwd\x1b\\click\x1b]8;;\x1b\\",
    "title": "\x1b]0;owned\x07",
    "clear": "\x1b[2J\x1b[H",
    "csi": "\x9b31m",
    "script": "<script>alert(1)</script>",
    "attr": '"><img src=x onerror=alert(1)>',
    "formula": "=cmd|' /C calc'!A0",
    "markup": "[link=https://evil.example]x[/link] [bold red]y",
}


def _escape(value: str) -> str:
    """A TOML basic-string body: JSON's escapes are all valid TOML escapes."""
    return json.dumps(value)[1:-1]


@pytest.fixture
def hostile(tmp_path):
    text = SHIPPED.read_text(encoding="utf-8")
    source = 'language = "fr"\n'
    assert source in text
    text = text.replace(source, source + 'file = "../../../../etc/passwd"\n'
                        'url = "file:///etc/shadow"\n', 1)
    text = text.replace("Programme régional de promotion de l'emploi", _escape(EVIL["title"] +
                                                                             EVIL["script"]))
    text = text.replace("Projet d'appui à la création d'opportunités d'emploi",
                        _escape(EVIL["osc8"] + EVIL["attr"]))
    text = text.replace("Région Fès-Meknès", _escape(EVIL["formula"]))
    text = text.replace("Insertion de chercheurs d'emploi", _escape(EVIL["clear"] + EVIL["csi"]
                                                                    + EVIL["markup"]))
    path = tmp_path / "ledger" / "hostile.toml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return path


COMMANDS = [["summary"], ["targets"], ["targets", "--by", "indicator"], ["history"], ["check"],
            ["status"]]


def _listing(*folders):
    return {f: sorted(os.listdir(f)) for f in folders}


def test_reports_interpret_nothing_and_write_nothing(emploi, hostile, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = _listing(tmp_path, hostile.parent)
    for command in COMMANDS:
        for fmt in ("table", "md", "csv", "json"):
            result = emploi(*command, "-l", str(hostile), "-f", fmt)
            assert result.exit_code == 0, (command, result.stderr)
            out = result.stdout
            if fmt in ("table", "md"):
                assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", out), command
            if fmt == "csv":
                assert "\n=cmd" not in out and ",=cmd" not in out
                assert "'=cmd" in out or command in (["targets", "--by", "indicator"],
                                                     ["check"], ["targets"], ["history"])
            if fmt == "md":
                assert "<script>" not in out and "<img" not in out, (command, out)
    assert _listing(tmp_path, hostile.parent) == before


def test_html_report_escapes_everything(emploi, hostile, tmp_path):
    out = tmp_path / "report.html"
    result = emploi("report", "-l", str(hostile), "-f", "html", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "onerror=" not in html.replace("onerror=alert",
                                                                              "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "\x1b" not in html and "\x07" not in html
    assert "root:x:" not in html


def test_terminal_tables_strip_escapes(hostile):
    from emploi_cli.domain.position import position
    from emploi_cli.present import reports
    from emploi_cli.present.render import to_rich
    from emploi_cli.store.reading import load

    loaded = load(hostile)
    from datetime import date

    now = position(loaded.ledger, date(2022, 6, 30))
    for report in (reports.summary(now, "en"), reports.targets(now, "en")):
        out = to_rich(report, "en", console_width=300)
        assert "\x1b]" not in out and "\x07" not in out and "\x1b[2J" not in out
        assert "\x9b" not in out
    assert "␛[2J␛[H\ufffd31m[link=https://evil.example]x[/link] [bold red]y" in out


def test_writes_go_only_to_the_ledger_and_its_sidecars(emploi, hostile, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outside = _listing(tmp_path)
    result = emploi("record", "c1.insertion", "5", "-l", str(hostile), "--note",
                    "../../../../tmp/evil", "--source", "/etc/passwd")
    assert result.exit_code == 0, result.stderr
    assert _listing(tmp_path) == outside
    assert sorted(os.listdir(hostile.parent)) == [".hostile.toml.lock", "hostile.toml"]

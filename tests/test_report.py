"""`emploi report`: golden md in both languages, html structure and escaping, byte-identical
re-runs, and a real print to PDF with headless Chromium.

Golden files: tests/golden/report.{fr,en,ar}.md, made from tests/golden/ledger.toml. After an
intended change, regenerate them with `EMPLOI_REGOLD=1 pytest tests/test_report.py` and
read the diff.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .pace_data import progress, small_ledger, target

GOLDEN = Path(__file__).resolve().parent / "golden"
FIXED = ("--as-of", "2022-06-30", "--generated-at", "2022-07-01T08:00:00Z")


@pytest.fixture
def in_golden(monkeypatch):
    """Run from tests/golden so the report names the ledger `ledger.toml`, as the goldens do."""
    monkeypatch.chdir(GOLDEN)
    return "ledger.toml"


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_golden_md_report(emploi, in_golden, lang):
    result = emploi("report", "-l", in_golden, "--lang", lang, *FIXED)
    assert result.exit_code == 0, result.stderr
    golden = GOLDEN / f"report.{lang}.md"
    if os.environ.get("EMPLOI_REGOLD"):
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_same_inputs_same_bytes(emploi, in_golden, fmt, monkeypatch):
    runs = [emploi("report", "-l", in_golden, "-f", fmt, "--as-of", "2022-06-30").stdout
            for _ in range(2)]
    assert runs[0] == runs[1]
    assert "2022-06-30" in runs[0]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1656662400")
    stamped = emploi("report", "-l", in_golden, "-f", fmt).stdout
    assert "2022-07-01T08:00:00Z" in stamped
    assert stamped == emploi("report", "-l", in_golden, "-f", fmt).stdout


def test_generation_time(emploi, in_golden):
    now = emploi("report", "-l", in_golden).stdout  # neither given: today ($EMPLOI_TODAY)
    assert "- **Produced**: 2022-06-30\n" in now
    day = emploi("report", "-l", in_golden, "--generated-at", "2022-07-05").stdout
    assert "- **Produced**: 2022-07-05\n" in day
    bad = emploi("report", "-l", in_golden, "--generated-at", "yesterday")
    assert bad.exit_code == 2
    assert "--generated-at" in bad.stderr and bad.stdout == ""


def test_the_report_says_both_its_date_and_the_day_it_was_made(tmp_path):
    """An officer in his home folder, on 5 July, reports the position at the end of June:
    the report shows both dates, and names the ledger by file name and digest only."""
    import hashlib
    import sys

    home = tmp_path / "home" / "amina.benali"
    home.mkdir(parents=True)
    ledger = home / "conventions.toml"
    ledger.write_bytes((GOLDEN / "ledger.toml").read_bytes())
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(HOME=str(home), EMPLOI_TODAY="2022-07-05")
    runs = {fmt: subprocess.run(
        [sys.executable, "-m", "emploi_cli", "report", "-l", str(ledger), "--lang", "fr",
         "--as-of", "2022-06-30", "-f", fmt], capture_output=True, text=True, env=env,
        cwd=home, timeout=60) for fmt in ("md", "html")}
    for fmt, done in runs.items():
        assert done.returncode == 0, done.stderr
        text = done.stdout
        assert "Situation au 30 juin 2022 · Produit le 5 juillet 2022" in text, fmt
        assert "amina" not in text and str(tmp_path) not in text, fmt
        assert hashlib.sha256(ledger.read_bytes()).hexdigest() in text
    md = runs["md"].stdout
    assert "- **Produit le** : 2022-07-05\n" in md
    assert "- **Situation au** : 2022-06-30\n" in md
    assert "- **Registre** : conventions.toml\n" in md


def test_the_funders_chart_adds_up_to_the_total(emploi, in_golden):
    """The part with no named funder is a group of its own, drawn apart: the amounts of the
    chart add up to the programme's total."""
    page = emploi("report", "-l", in_golden, "-f", "html", "--lang", "en", *FIXED).stdout
    chart = page[page.index('<svg class="chart" id="chart-funding-funders"'):]
    chart = chart[:chart.index("</svg>")]
    groups = re.findall(r"<g( class=\"unnamed\")?><title>([^<]*)</title>.*?</g>", chart, re.S)
    assert [(bool(css), name) for css, name in groups] == [
        (False, "Région Fès-Meknès"), (True, "No named funder")]
    unnamed = chart[chart.index('<g class="unnamed">'):]
    assert 'font-style="italic">unnamed</text>' in unnamed
    assert 'stroke-dasharray="3 2"' in unnamed  # drawn apart from the funders' bars
    amounts = re.findall(r"(\w+): Amount ([\d.]+)", chart[chart.index("<desc"):])
    assert amounts == [("region", "160.00"), ("unnamed", "246.80")]
    assert sum(Decimal(a) for _, a in amounts) == Decimal("406.80")


def test_output_file_and_format_inference(emploi, in_golden, tmp_path):
    html_file, md_file = tmp_path / "r.html", tmp_path / "r.md"
    assert emploi("report", "-l", in_golden, "-o", str(html_file), *FIXED).exit_code == 0
    assert emploi("report", "-l", in_golden, "-o", str(md_file), *FIXED).exit_code == 0
    assert html_file.read_text(encoding="utf-8").startswith("<!DOCTYPE html>\n")
    assert md_file.read_text(encoding="utf-8").startswith("# Programme régional")
    html_out = emploi("report", "-l", in_golden, "-f", "html", *FIXED).stdout
    assert html_out == html_file.read_text(encoding="utf-8")


# ---- html structure ----------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
FORBIDDEN = {"script", "iframe", "object", "embed", "link", "img", "base", "form", "input",
             "frame", "audio", "video", "image", "use", "foreignobject"}


class Checker(HTMLParser):
    """Well-formedness and self-containment, with the standard library's parser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doctype = ""
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.ids: list[str] = []
        self.text: list[str] = []
        self.svg_children: list[list[str]] = []

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def _start(self, tag: str, attrs: list, closed: bool) -> None:
        values = dict(attrs)
        self.tags.append((tag, values))
        if "id" in values:
            self.ids.append(values["id"])
        if tag in FORBIDDEN:
            self.errors.append(f"forbidden <{tag}>")
        for name, value in values.items():
            if name.startswith("on") or name in ("src", "srcset", "xlink:href", "action"):
                self.errors.append(f"forbidden attribute {name}={value!r}")
            if name == "href" and not (value or "").startswith("#"):
                self.errors.append(f"external link {value!r}")
            if "url(" in (value or ""):
                self.errors.append(f"url() in {name}")
        if tag == "svg":
            self.svg_children.append([])
        elif self.svg_children and "svg" in self.stack:
            self.svg_children[-1].append(tag)
        if not closed and tag not in VOID:
            self.stack.append(tag)

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, False)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, True)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]} ")
            return
        self.stack.pop()

    def handle_data(self, data):
        if not self.stack or self.stack[-1] != "style":
            self.text.append(data)


def parse(text: str) -> Checker:
    checker = Checker()
    checker.feed(text)
    checker.close()
    return checker


@pytest.fixture
def html_report(emploi, in_golden):
    return emploi("report", "-l", in_golden, "-f", "html", "--lang", "fr", *FIXED).stdout


def test_html_is_well_formed_and_self_contained(html_report):
    doc = parse(html_report)
    assert doc.errors == []
    assert doc.doctype == "DOCTYPE html"
    assert doc.stack == []
    assert doc.tags[0] == ("html", {"lang": "fr"})
    assert ("meta", {"charset": "utf-8"}) in doc.tags
    assert len(doc.ids) == len(set(doc.ids)), "ids are unique"
    ids = set(doc.ids)
    for _, attrs in doc.tags:
        for ref in (attrs.get("aria-labelledby") or "").split():
            assert ref in ids, ref
        if attrs.get("href"):
            assert attrs["href"][1:] in ids
    assert "http:" not in html_report and "https:" not in html_report
    assert "@import" not in html_report
    assert "@page { size: A4;" in html_report
    css = html_report[html_report.index("<style>"):html_report.index("</style>")]
    # no word is ever split: long labels wrap between words, columns are as wide as their
    # longest word; only codes (a digest, a key path) may break anywhere
    assert "table { width: 100%; table-layout: auto;" in css
    assert "hyphens: auto" not in css and "break-all" not in css
    assert "overflow-wrap: normal; word-break: normal; hyphens: manual;" in css
    assert css.count("overflow-wrap: anywhere") == 1
    assert ".digest { overflow-wrap: anywhere; }" in css


def test_html_has_an_svg_per_chart_with_text_alternatives(html_report):
    doc = parse(html_report)
    charts = [attrs for tag, attrs in doc.tags if tag == "svg" and attrs.get("class") == "chart"]
    # funding by convention, by funder, and one per target (5)
    assert [c["id"] for c in charts] == [
        "chart-funding-conventions", "chart-funding-funders", "chart-c1-insertion",
        "chart-c1-employabilite", "chart-c2-employabilite", "chart-c2-espaces",
        "chart-c2-unites_mobiles"]
    for chart in charts:
        assert chart["role"] == "img"
        assert chart["aria-labelledby"] == f"{chart['id']}-title {chart['id']}-desc"
    svgs = [children for (tag, attrs), children in zip(
        [t for t in doc.tags if t[0] == "svg"], doc.svg_children, strict=True)
        if attrs.get("class") == "chart"]
    for children in svgs:
        assert children[:2] == ["title", "desc"]
    bars = [attrs for tag, attrs in doc.tags if tag == "svg" and attrs.get("class") == "bar"]
    assert len(bars) == 4  # the quantified targets' progress bars
    assert all(b["role"] == "img" and b["aria-label"] for b in bars)


def test_html_contains_every_figure(emploi, in_golden, html_report):
    text = " ".join(parse(html_report).text)
    status = json.loads(emploi("status", "-l", in_golden, "--as-of", "2022-06-30",
                               "-f", "json").stdout)

    def fr(value) -> str:
        return f"{value:,}".replace(",", ".") if isinstance(value, int) else \
            f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    figures = []
    for t in status["targets"]:
        figures += [fr(t["achieved"])]
        if t["target"] is not None:
            figures += [fr(t["target"]), fr(t["expected"]), fr(t["gap"]), fr(t["projected"]),
                        t["projected_completion"] or ""]
        if t["cost_per_result_disbursed"] is not None:
            figures += [fr(t["cost_per_result_disbursed"]), fr(t["cost_per_result_spent"])]
    money = status["funding"]
    for line in [money, *money["conventions"], *money["funders"]]:
        figures += [fr(line.get("amount", line.get("total_in_force"))), fr(line["disbursed"]),
                    fr(line["spent"]),
                    fr(line["execution"]) + " %"]
    for figure in figures:
        assert figure in text, figure
    assert "reconcile" in text  # the problem `check` finds
    assert "7f5f8613f7cf" in text or re.search(r"[0-9a-f]{64}", text)


def test_report_sections_in_md(emploi, in_golden):
    md = emploi("report", "-l", in_golden, "--lang", "en", *FIXED).stdout
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings == ["## Programme", "## Funding", "## Targets",
                        "## Achievements per quarter", "## Problems", "## About this report"]


# ---- escaping ----------------------------------------------------------------------------

EVIL_TITLE = "<script>alert(1)</script> & co"
EVIL_LABEL = '"><img src=x onerror=alert(1)>'


@pytest.fixture
def evil(tmp_path):
    path = small_ledger(
        tmp_path / "evil.toml", title=EVIL_TITLE,
        targets=target("c1.a", 100).replace('label = "Target c1.a"',
                                           f"label = '{EVIL_LABEL}'")
        .replace('unit = "personnes"', 'unit = "</style><b>x"'),
        journal=progress("p1", "2021-03-01", "c1.a", 10))
    text = path.read_text(encoding="utf-8").replace(
        'name = "Funder one"', 'name = "Funder \\u001b[31m <svg onload=alert(1)>"')
    path.write_text(text, encoding="utf-8")
    return path


def test_html_escapes_ledger_text(emploi, evil):
    page = emploi("report", "-l", str(evil), "-f", "html", "--as-of", "2021-06-30").stdout
    lowered = page.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<svg onload" not in lowered
    assert "<b>" not in lowered and lowered.count("</style>") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "\x1b" not in page and "\u241b[31m" in page  # ESC made visible
    doc = parse(page)
    assert doc.errors == [] and doc.stack == []
    assert EVIL_TITLE in " ".join(doc.text)  # shown as text, exactly


def test_md_escapes_ledger_text(emploi, evil):
    md = emploi("report", "-l", str(evil), "--as-of", "2021-06-30").stdout
    assert re.findall(r"(?<!\\)[<>]", md) == []  # every angle bracket is escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in md and "<script" not in md
    assert "\x1b" not in md


# ---- a real browser ------------------------------------------------------------------------


def _tool(name: str) -> str | None:
    return shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists()
                                  else None)


def _print_to_pdf(emploi, ledger: str, lang: str, tmp_path: Path) -> tuple[Path, Path]:
    """The html report printed to an A4 PDF by headless Chromium: (page, pdf). Skipped when
    Chromium or pdftotext is missing, except in CI (CI=true), where that fails."""
    chromium, pdftotext = _tool("chromium"), _tool("pdftotext")
    if not chromium or not pdftotext:
        message = "needs chromium and pdftotext (poppler-utils); .ci/run installs them"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    page = tmp_path / "report.html"
    pdf = tmp_path / "report.pdf"
    assert emploi("report", "-l", ledger, "--lang", lang, "-o", str(page),
                  *FIXED).exit_code == 0
    done = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         f"--print-to-pdf={pdf}", "--no-pdf-header-footer", str(page)],
        capture_output=True, text=True, timeout=180)
    assert pdf.exists() and pdf.stat().st_size > 10_000, done.stderr[-2000:]
    return page, pdf


def test_html_prints_on_a4_in_chromium(emploi, in_golden, tmp_path):
    page, pdf = _print_to_pdf(emploi, in_golden, "en", tmp_path)
    pdftotext = _tool("pdftotext")
    raw = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", raw)
    assert boxes, "no page in the PDF"
    assert {round(float(w)) for w, _ in boxes} == {595}  # A4 width in points
    assert {round(float(h)) for _, h in boxes} == {842}
    text = subprocess.run([pdftotext, "-raw", str(pdf), "-"], capture_output=True,
                          text=True, timeout=60).stdout
    flat = " ".join(text.split())
    html_text = page.read_text(encoding="utf-8")
    headings = re.findall(r"<h[123][^>]*>([^<]*)</h[123]>", html_text)
    assert len(headings) >= 6 + 5
    for heading in headings:  # every section and target heading is rendered
        assert " ".join(heading.replace("&#x27;", "'").split()) in flat, heading
    for legend in ("Achieved", "Expected", "as of 2022-06-30", "Amount", "Disbursed"):
        assert legend in flat  # the charts' text is drawn
    last_headers = re.findall(r'<th scope="col"[^>]*>([^<]*)</th></tr></thead>', html_text)
    assert len(last_headers) >= 10
    for header in set(last_headers):  # the last column of every table is on the page
        assert " ".join(header.split()) in flat, header
    bbox = subprocess.run([pdftotext, "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, timeout=60).stdout
    right = max(float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox))
    assert right <= 595 - 12 * 72 / 25.4 + 1  # nothing past the right margin (12 mm)


def test_arabic_html_prints_right_to_left_in_chromium(emploi, in_golden, tmp_path):
    """The Arabic report, printed by Chromium with the Arabic font .ci/run installs: its
    headings are in the PDF's text, and they start on the right of the page."""
    import unicodedata

    pdftotext = _tool("pdftotext")
    fonts = subprocess.run(["fc-list", ":lang=ar", "family"], capture_output=True,
                           text=True).stdout if _tool("fc-list") else ""
    if "Amiri" not in fonts:
        message = ("needs chromium, pdftotext (poppler-utils) and the Amiri font "
                   "(fonts-hosny-amiri); .ci/run installs them")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    page, pdf = _print_to_pdf(emploi, in_golden, "ar", tmp_path)
    html_text = page.read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html_text
    text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True,
                          timeout=60).stdout

    def letters(found: str) -> str:  # pdftotext may split a word at a ligature, and marks
        return re.sub(r"[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]", "",  # directions
                      unicodedata.normalize("NFKC", found))

    headings = re.findall(r"<h2[^>]*>([^<]*)</h2>", html_text)
    assert "البرنامج" in headings and "التمويل" in headings
    for heading in headings:
        assert letters(heading) in letters(text), heading
    bbox = subprocess.run([pdftotext, "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, timeout=60).stdout
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" '
                       r'yMax="[\d.]+">([^<]*)</word>', bbox)
    right_margin = 595 - 12 * 72 / 25.4
    for heading in ("البرنامج", "الأهداف"):
        # -bbox gives each Arabic word's letters in the order they are drawn, right to left
        found = [(float(a), float(b)) for a, b, w in words
                 if heading in (letters(w), letters(w)[::-1])]
        assert len(found) >= 2, heading  # in the contents, and as the section's heading
        assert all(x_min > 595 / 2 for x_min, _ in found), (heading, found)
        assert max(x_max for _, x_max in found) > right_margin - 3, (heading, found)
    english = [float(a) for a, _, w in words if w == "Contrat-programme"]  # the ledger's text
    assert english and english[0] > 595 / 4  # a left-to-right run inside, also set right


class _Text(HTMLParser):
    """The words a reader sees: the text of the body and of the charts, not of <style> or
    the <title>s (tooltips), nor the numbers of an ordered list."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("style", "title", "desc")

    def handle_endtag(self, tag):
        self.hidden -= tag in ("style", "title", "desc")

    def handle_data(self, data):
        if not self.hidden:
            self.words += data.split()


def _whole(words: list[str]) -> set[str]:
    """Each word, and each run of its parts between hyphens (a line may end after a hyphen)."""
    found = set()
    for word in words:
        parts = [p for p in re.split(r"(?<=-)", word) if p]
        found.update("".join(parts[i:j]) for i in range(len(parts))
                     for j in range(i + 1, len(parts) + 1))
    return found


def test_no_word_is_split_on_the_a4_page(emploi, in_golden, tmp_path):
    """Narrow table cells wrap between words: every word Chromium draws on the A4 page is a
    whole word of the report (`c1.employab` + `ilite` is not)."""
    page, pdf = _print_to_pdf(emploi, in_golden, "fr", tmp_path)
    reader = _Text()
    reader.feed(page.read_text(encoding="utf-8"))
    whole = _whole(reader.words)
    bbox = subprocess.run([_tool("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, timeout=60).stdout
    drawn = [html.unescape(w) for w in re.findall(r"<word [^>]*>([^<]*)</word>", bbox)]
    assert len(drawn) > 500
    split = [w for w in drawn if w not in whole and not re.fullmatch(r"\d+\.", w)]
    assert split == []
    assert "c2.unites_mobiles" in drawn and "c1.employabilite" in drawn

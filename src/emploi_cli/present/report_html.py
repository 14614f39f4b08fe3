"""The report as one self-contained HTML5 file: inline CSS, inline SVG charts, no script, no
network, printable on A4. Every text from the ledger is escaped (`html.escape`) after its
control characters are made visible (`render.safe`). Coordinates are exact (`Fraction`), so the
same document gives the same bytes.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from ..domain.pace import round_dec
from . import i18n
from .document import BarChart, Document, Facts, LineChart, Paragraph, Section
from .render import NUMERIC, PaceBar, Table, heading, human_text, pace_bar_words, safe

CSS = """\
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif;
  font-size: 10pt; line-height: 1.35; color: #111827; background: #fff;
  max-width: 186mm; margin: 0 auto; padding: 0; }
@media screen { body { padding: 6mm 4mm 12mm; } }
header { border-bottom: 2pt solid #1e3a8a; margin-bottom: 4mm; }
h1 { font-size: 18pt; line-height: 1.2; margin: 0 0 1mm; }
.subtitle { font-size: 11pt; color: #374151; margin: 0 0 3mm; }
h2 { font-size: 13pt; color: #1e3a8a; border-bottom: 1pt solid #93a3c4; padding-bottom: 0.8mm;
  margin: 7mm 0 3mm; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11pt; margin: 5mm 0 1.5mm; break-after: avoid; page-break-after: avoid; }
h4 { font-size: 10pt; margin: 4mm 0 1.5mm; break-after: avoid; page-break-after: avoid; }
nav ol { columns: 2; margin: 0 0 3mm; padding-inline-start: 6mm; }
nav a, a { color: #1e3a8a; }
dl.facts { margin: 0 0 3mm; }
dl.facts > div { display: grid; grid-template-columns: 42mm 1fr; gap: 4mm; padding: 0.6mm 0;
  border-bottom: 0.5pt solid #e5e7eb; break-inside: avoid; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; overflow-wrap: normal; word-break: normal; hyphens: manual; }
table { width: 100%; table-layout: auto; border-collapse: collapse; margin: 1mm 0 4mm;
  font-size: 8.5pt; }
caption { caption-side: top; text-align: start; font-weight: bold; font-size: 10pt;
  padding: 0 0 1mm; }
th, td { border: 0.5pt solid #cbd5e1; padding: 0.8mm 1.2mm; vertical-align: top;
  overflow-wrap: normal; word-break: normal; hyphens: manual; }
.digest { overflow-wrap: anywhere; }
th { background: #e8edf5; text-align: start; font-weight: bold; font-size: 7.5pt; }
th.num, td.num { text-align: end; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #f7f8fa; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.neg { color: #991b1b; }
.status { display: inline-block; padding: 0 1.2mm; border-radius: 1mm; font-weight: bold;
  font-size: 8pt; }
.st-at-risk { background: #fee2e2; color: #991b1b; }
.st-behind { background: #fef3c7; color: #92400e; }
.st-on-track { background: #dcfce7; color: #166534; }
.st-achieved_status { background: #dbeafe; color: #1e40af; }
.st-not-started, .st-unquantified_status, .st-awaiting-data { background: #eef0f3;
  color: #374151; }
.st-missed { background: #fee2e2; color: #991b1b; }
.st-met { background: #dbeafe; color: #1e40af; }
.st-error { background: #fee2e2; color: #991b1b; }
.st-warning { background: #fef3c7; color: #92400e; }
svg.bar { display: block; width: 100%; height: 2.6mm; margin-bottom: 0.6mm; }
figure { margin: 1mm 0 3mm; break-inside: avoid; page-break-inside: avoid; }
figure svg.chart { display: block; width: 100%; height: auto; }
figcaption { font-size: 8.5pt; color: #4b5563; margin-top: 0.5mm; }
svg text { font-family: inherit; font-size: 10px; fill: #1f2937; }
.note { font-size: 8.5pt; color: #4b5563; }
.status-line { margin: 0 0 1mm; }
#produced { break-inside: avoid; page-break-inside: avoid; }
.status-line { break-after: avoid; page-break-after: avoid; }
.sub { display: block; font-size: 7.5pt; color: #4b5563; }
.mono { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 8.5pt; }
html[dir="rtl"] body { font-family: "Amiri", "Noto Naskh Arabic", "Noto Sans Arabic", "KacstBook",
  "DejaVu Sans", sans-serif; font-size: 11pt; }
html[dir="rtl"] table { font-size: 9.5pt; }
html[dir="rtl"] svg.bar { transform: scaleX(-1); }
"""

# Columns whose cells are ids, codes, places or dates: kept left to right inside Arabic text.
LTR_KEYS = ("id", "convention", "indicator", "subject", "record", "code", "target", "funder",
            "period", "place", "unit", "voided_by", "tag_value", "programme")

SERIES_COLOURS = ("#cbd5e1", "#94a3b8", "#2563eb", "#1e3a8a")
WIDE = ("title", "name", "label", "message", "place")
# Not words but codes (a SHA-256, a file and key path): the only cells that may break anywhere.
BREAKABLE = ("sha256", "place")


def esc(text: object) -> str:
    return html.escape(safe(str(text)), quote=True)


def num(value: Fraction | int) -> str:
    """An SVG coordinate: exact, one decimal, no trailing `.0`."""
    text = str(round_dec(Fraction(value), 1))
    return text[:-2] if text.endswith(".0") else text


class Ids:
    """Unique, safe element ids."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, wanted: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_-]", "-", wanted) or "x"
        ident, n = base, 1
        while ident in self.seen:
            n += 1
            ident = f"{base}-{n}"
        self.seen.add(ident)
        return ident


# ---- blocks ------------------------------------------------------------------------------


def facts(f: Facts) -> str:
    items = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>\n" for k, v in f.items)
    return f'<dl class="facts">\n{items}</dl>'


def _weight(column) -> Fraction:
    """Relative column widths: long texts, then ids and bars, then figures."""
    if column.key == "message":
        return Fraction(7)
    if column.key in WIDE:
        return Fraction(7, 2)
    if column.kind == "pace_bar":
        return Fraction(5, 2)
    if column.key == "status_text":
        return Fraction(9, 4)
    if column.key in ("id", "period", "basis_text", "execution"):
        return Fraction(2)
    return Fraction(8, 5)


def table(t: Table, lang: str) -> str:
    columns = [c for c in t.columns if c.kind != "bar"]
    total = sum(_weight(c) for c in columns)
    cols = "".join(f'<col style="width:{num(_weight(c) * 100 / total)}%">' for c in columns)
    head = "".join(
        f'<th scope="col"{_num_class(c)}>{esc(heading(c, lang))}</th>'
        for c in columns)
    body = []
    for row in t.rows:
        cells = "".join(_cell(row.get(c.key), c, lang) for c in columns)
        body.append(f"<tr>{cells}</tr>")
    caption = (f"<caption>{esc(i18n.label(t.name, lang, **t.title_values))}</caption>"
               if t.name else "")
    rows = "\n".join(body)
    return (f'<table>{caption}<colgroup>{cols}</colgroup>\n<thead><tr>{head}</tr></thead>\n'
            f"<tbody>\n{rows}\n</tbody></table>")


def _num_class(column) -> str:
    return ' class="num"' if column.kind in NUMERIC or column.kind == "pace_bar" else ""


def ltr(text: str, lang: str) -> str:
    """Escaped text kept left to right inside a right-to-left document (figures, ids)."""
    return f'<bdi dir="ltr">{text}</bdi>' if lang == "ar" and text else text


def _cell(value: object, column, lang: str) -> str:
    if column.kind == "pace_bar":
        if not isinstance(value, PaceBar) or value.progress is None:
            return '<td class="num">—</td>'
        expected = "" if value.expected is None else (
            f'<span class="sub">{esc(i18n.label("expected_short", lang))} '
            f'{ltr(esc(human_text(value.expected, "percent", lang)), lang)}</span>')
        return (f'<td class="num">{pace_bar_svg(value, lang)}'
                f'{ltr(esc(human_text(value.progress, "percent", lang)), lang)}{expected}</td>')
    text = esc(human_text(value, column.kind, lang))
    if column.kind in (*NUMERIC, "date", "datetime") or column.key in LTR_KEYS:
        text = ltr(text, lang)
    if column.kind == "label" and column.styles and isinstance(value, str):
        css = re.sub(r"[^a-z0-9_-]", "", value)
        return f'<td><span class="status st-{css}">{text}</span></td>'
    if column.key in BREAKABLE:
        return f'<td class="digest">{text}</td>'
    if column.kind in NUMERIC:
        negative = isinstance(value, int | Decimal) and not isinstance(value, bool) and value < 0
        return f'<td class="num{" neg" if negative else ""}">{text}</td>'
    return f"<td>{text}</td>"


def pace_bar_svg(value: object, lang: str) -> str:
    """A small progress bar with the expected marker; its text alternative is the label."""
    if not isinstance(value, PaceBar) or value.progress is None:
        return ""
    label = esc(pace_bar_words(value, lang))
    width = min(max(Fraction(value.progress), Fraction(0)), Fraction(100))
    colour = {"at-risk": "#dc2626", "behind": "#d97706", "achieved": "#2563eb"}.get(
        value.state, "#16a34a")
    marker = ""
    if value.expected is not None:
        x = min(max(Fraction(value.expected), Fraction(0)), Fraction(100))
        marker = (f'<rect x="{num(max(x - Fraction(3, 4), Fraction(0)))}" y="0" width="1.5" '
                  'height="10" fill="#111827"/>')
    return (f'<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" '
            f'aria-label="{label}"><title>{label}</title>'
            '<rect x="0" y="2" width="100" height="6" fill="#e5e7eb"/>'
            f'<rect x="0" y="2" width="{num(width)}" height="6" fill="{colour}"/>'
            f"{marker}</svg>")


def paragraph(p: Paragraph) -> str:
    css = f' class="{p.role}"' if p.role in ("note", "status-line") else ""
    return f"<p{css}>{esc(p.text)}</p>"


# ---- charts ------------------------------------------------------------------------------


def _svg_open(ident: str, width: int, height: int, title: str, description: str) -> str:
    return (f'<svg class="chart" id="{ident}" role="img" '
            f'aria-labelledby="{ident}-title {ident}-desc" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}">\n'
            f'<title id="{ident}-title">{esc(title)}</title>\n'
            f'<desc id="{ident}-desc">{esc(description)}</desc>\n')


def bar_chart(chart: BarChart, ids: Ids, lang: str) -> str:
    ident = ids(chart.id)
    width, left, right, top = 640, 80, 110, 30
    bar_h, gap, group_gap = 9, 2, 12
    n = len(chart.series)
    group_h = n * bar_h + (n - 1) * gap
    height = top + len(chart.groups) * (group_h + group_gap) + 6
    values = [v for g in chart.groups for v in g.values if v is not None]
    top_value = max([Fraction(v) for v in values] + [Fraction(0)]) or Fraction(1)
    area = width - left - right
    parts = [_svg_open(ident, width, height, chart.title, chart.description)]
    x = Fraction(left)
    for i, (_, label) in enumerate(chart.series):  # legend
        parts.append(f'<rect x="{num(x)}" y="8" width="10" height="10" '
                     f'fill="{SERIES_COLOURS[i % 4]}"/>'
                     f'<text x="{num(x + 14)}" y="17">{esc(label)}</text>\n')
        x += 14 + 7 * len(label) + 18
    y = top
    for g in chart.groups:
        # the part with no named funder: italic label, pale bars with a dashed outline
        group_css = ' class="unnamed"' if g.unnamed else ""
        label_style = ' font-style="italic"' if g.unnamed else ""
        bar_style = (' fill-opacity="0.45" stroke="#374151" stroke-width="0.8" '
                     'stroke-dasharray="3 2"') if g.unnamed else ""
        parts.append(f'<g{group_css}><title>{esc(g.name)}</title>'
                     f'<text x="{left - 6}" y="{num(y + Fraction(group_h, 2) + 4)}" '
                     f'text-anchor="end"{label_style}>{esc(_short(g.label))}</text>\n')
        for i, v in enumerate(g.values):
            by = y + i * (bar_h + gap)
            if v is None:
                parts.append(f'<text x="{left + 2}" y="{by + 8}" font-style="italic">'
                             f'{esc(i18n.label("not_stated", lang))}</text>\n')
                continue
            w = Fraction(v) * area / top_value
            parts.append(f'<rect x="{left}" y="{by}" width="{num(w)}" height="{bar_h}" '
                         f'fill="{SERIES_COLOURS[i % 4]}"{bar_style}/>'
                         f'<text x="{num(left + w + 4)}" y="{by + 8}">'
                         f'{esc(human_text(v, "money", lang))}</text>\n')
        parts.append("</g>\n")
        y += group_h + group_gap
    parts.append(f'<line x1="{left}" y1="{top - 4}" x2="{left}" y2="{y - group_gap + 4}" '
                 'stroke="#6b7280" stroke-width="1"/>\n</svg>')
    return _figure(ident, "".join(parts), chart.title)


def _short(text: str, limit: int = 12) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _nice_step(top: int) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving at most five intervals."""
    rough = max(Fraction(top, 5), Fraction(1))
    power = 1
    while power * 10 <= rough:
        power *= 10
    for factor in (1, 2, 5, 10):
        if factor * power >= rough:
            return factor * power
    return 10 * power


def line_chart(chart: LineChart, ids: Ids, labels: dict, lang: str) -> str:
    ident = ids(chart.id)
    width, height, left, right, top, bottom = 640, 200, 64, 16, 28, 24
    origin = chart.first - timedelta(days=1)
    span = max((chart.last - origin).days, 1)
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = max([chart.quantity or 0, *(v for _, v in chart.achieved),
                   *(v for _, v in chart.expected), 1])
    step = _nice_step(highest)
    y_max = step * -(-highest // step)

    def x_of(day: date) -> Fraction:
        days = min(max((day - origin).days, 0), span)
        return left + Fraction(days * plot_w, span)

    def y_of(value: int) -> Fraction:
        return top + plot_h - Fraction(value * plot_h, y_max)

    parts = [_svg_open(ident, width, height, chart.title, chart.description)]
    for tick in range(0, y_max + 1, step):  # horizontal grid and y labels
        y = num(y_of(tick))
        parts.append(f'<line x1="{left}" y1="{y}" x2="{width - right}" y2="{y}" '
                     f'stroke="#e5e7eb" stroke-width="1"/>'
                     f'<text x="{left - 5}" y="{num(y_of(tick) + 3)}" text-anchor="end">'
                     f"{esc(i18n.number(tick, lang))}</text>\n")
    for year in range(origin.year + 1, chart.last.year + 1):  # year ticks
        x = num(x_of(date(year, 1, 1) - timedelta(days=1)))
        parts.append(f'<line x1="{x}" y1="{top}" x2="{x}" y2="{top + plot_h}" '
                     f'stroke="#e5e7eb" stroke-width="1"/>'
                     f'<text x="{x}" y="{height - 8}" text-anchor="middle">{year}</text>\n')
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" '
                 f'y2="{top + plot_h}" stroke="#6b7280" stroke-width="1"/>\n')
    if chart.expected:
        points = " ".join(f"{num(x_of(d))},{num(y_of(v))}" for d, v in chart.expected)
        parts.append(f'<polyline points="{points}" fill="none" stroke="#6b7280" '
                     'stroke-width="1.5" stroke-dasharray="5 3"/>\n')
    if origin < chart.as_of <= chart.last:
        x = num(x_of(chart.as_of))
        parts.append(f'<line x1="{x}" y1="{top}" x2="{x}" y2="{top + plot_h}" '
                     'stroke="#9ca3af" stroke-width="1" stroke-dasharray="2 2"/>'
                     f'<text x="{x}" y="{top - 3}" text-anchor="middle">'
                     f'{esc(labels["as_of"])}</text>\n')
    path = [f"M{num(x_of(origin))} {num(y_of(0))}"]
    previous = 0
    for day, value in chart.achieved:
        x = num(x_of(day))
        path.append(f"L{x} {num(y_of(previous))}L{x} {num(y_of(value))}")
        previous = value
    path.append(f"L{num(x_of(min(chart.as_of, chart.last)))} {num(y_of(previous))}")
    parts.append(f'<path d="{"".join(path)}" fill="none" stroke="#2563eb" '
                 'stroke-width="2"/>\n')
    parts.append(  # legend
        f'<line x1="{left}" y1="12" x2="{left + 24}" y2="12" stroke="#2563eb" '
        f'stroke-width="2"/><text x="{left + 30}" y="16">{esc(labels["achieved"])}</text>'
        f'<line x1="{left + 130}" y1="12" x2="{left + 154}" y2="12" stroke="#6b7280" '
        f'stroke-width="1.5" stroke-dasharray="5 3"/>'
        f'<text x="{left + 160}" y="16">{esc(labels["expected"])}</text>\n</svg>')
    return _figure(ident, "".join(parts), chart.title)


def _figure(ident: str, svg: str, caption: str) -> str:
    return (f'<figure aria-labelledby="{ident}-caption">\n{svg}\n'
            f'<figcaption id="{ident}-caption">{esc(caption)}</figcaption>\n</figure>')


# ---- the document ------------------------------------------------------------------------


def section(s: Section, ids: Ids, doc: Document) -> str:
    ident = ids(s.id)
    heading = f'<h{s.level} id="{ident}-heading">{esc(s.title)}</h{s.level}>'
    parts = [heading]
    for block in s.blocks:
        if isinstance(block, Section):
            parts.append(section(block, ids, doc))
        elif isinstance(block, Facts):
            parts.append(facts(block))
        elif isinstance(block, Paragraph):
            parts.append(paragraph(block))
        elif isinstance(block, Table):
            parts.append(table(block, doc.lang))
        elif isinstance(block, BarChart):
            parts.append(bar_chart(block, ids, doc.lang))
        elif isinstance(block, LineChart):
            parts.append(line_chart(block, ids, doc.labels, doc.lang))
    css = ' class="target"' if s.level == 3 else ""
    body = "\n".join(parts)
    return f'<section id="{ident}"{css} aria-labelledby="{ident}-heading">\n{body}\n</section>'


def to_html(doc: Document) -> str:
    ids = Ids()
    sections = [section(s, ids, doc) for s in doc.sections]
    toc = "".join(f'<li><a href="#{esc(s.id)}">{esc(s.title)}</a></li>' for s in doc.sections)
    title = f"{doc.title} — {doc.subtitle}"
    direction = ' dir="rtl"' if doc.lang == "ar" else ""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(doc.lang)}"{direction}>\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="emploi {esc(doc.produced.version)}">\n'
        f"<title>{esc(title)}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n"
        f'<header>\n<h1>{esc(doc.title)}</h1>\n<p class="subtitle">{esc(doc.subtitle)}</p>\n'
        f'<nav aria-label="{esc(doc.labels["contents"])}"><ol>{toc}</ol></nav>\n</header>\n'
        "<main>\n" + "\n".join(sections) + "\n</main>\n</body>\n</html>\n")

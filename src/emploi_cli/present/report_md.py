"""The report as GitHub-flavoured Markdown: the document's sections, charts left to the tables
beside them. Every ledger text goes through `render.md_cell` (escaped, one line)."""

from __future__ import annotations

from . import i18n
from .document import BarChart, Document, Facts, LineChart, Paragraph, Section
from .render import NUMERIC, Table, heading, human_text, md_cell, pace_bar_words


def cell(row: dict, column, lang: str) -> str:
    value = row.get(column.key)
    if column.kind == "pace_bar":
        return pace_bar_words(value, lang)
    return human_text(value, column.kind, lang)


def table(t: Table, lang: str, level: int) -> str:
    columns = [c for c in t.columns if c.kind != "bar"]
    lines = []
    if t.name:
        lines += [f"{'#' * level} {md_cell(i18n.label(t.name, lang, **t.title_values))}", ""]
    lines.append("| " + " | ".join(md_cell(heading(c, lang))
                                  for c in columns) + " |")
    lines.append("| " + " | ".join("---:" if c.kind in NUMERIC else "---" for c in columns)
                 + " |")
    for row in t.rows:
        lines.append("| " + " | ".join(md_cell(cell(row, c, lang), c.kind in NUMERIC)
                                      for c in columns) + " |")
    return "\n".join(lines)


def facts(f: Facts, lang: str) -> str:
    colon = i18n.label("colon", lang)
    return "\n".join(f"- **{md_cell(k)}**{colon}{md_cell(v)}" for k, v in f.items)


def section(s: Section, lang: str) -> list[str]:
    parts = [f"{'#' * s.level} {md_cell(s.title)}"]
    for block in s.blocks:
        if isinstance(block, Section):
            parts += section(block, lang)
        elif isinstance(block, Facts):
            parts.append(facts(block, lang))
        elif isinstance(block, Paragraph):
            text = md_cell(block.text)
            parts.append(f"*{text}*" if block.role == "note" else text)
        elif isinstance(block, Table):
            parts.append(table(block, lang, s.level + 1))
        elif isinstance(block, BarChart | LineChart):
            continue  # the table next to each chart holds its figures
    return parts


def to_md(doc: Document) -> str:
    parts = [f"# {md_cell(doc.title)}", md_cell(doc.subtitle)]
    for s in doc.sections:
        parts += section(s, doc.lang)
    return "\n\n".join(parts) + "\n"

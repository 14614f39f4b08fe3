"""The report to send: a document (present/document.py) written as Markdown or html.

The one format switch of the report, one floor above the document model and its two
renderers, so that neither renderer and the model import each other in a circle."""

from __future__ import annotations

from .document import Document


def render(doc: Document, fmt: str) -> str:
    """`doc` as `md` or `html`."""
    if fmt == "html":
        from .report_html import to_html
        return to_html(doc)
    from .report_md import to_md
    return to_md(doc)

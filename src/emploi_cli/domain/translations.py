"""The ledger's own texts in another language, when the ledger gives them.

A ledger may hold `[translations.<lang>]` tables (docs/ledger.md): keys name a text of the
ledger (`programme.title`, `conventions.c1.title`, `targets.c1.insertion.label`,
`funders.region.name`, `partners.anapec.name`, `sources.doc1.title`...), values are that text
as the programme writes it in that language. `apply` gives the ledger with those texts in
place; every text the ledger does not give stays as written. Nothing is machine-translated.
"""

from __future__ import annotations

from . import model as m

# What can be given: the kind of thing, and which of its fields are texts.
TEXTS = {
    "programme": ("title", "region", "framework", "signed_place", "signed_note"),
    "conventions": ("title",),
    "targets": ("label",),
    "funders": ("name",),
    "partners": ("name", "full_name"),
    "sources": ("title",),
}


def keys(ledger: m.Ledger) -> set[str]:
    """Every key a `[translations.<lang>]` table of this ledger may hold."""
    found = {f"programme.{name}" for name in TEXTS["programme"]}
    for kind, items in (("conventions", ledger.conventions), ("targets", ledger.targets),
                        ("funders", ledger.funders), ("partners", ledger.partners),
                        ("sources", ledger.sources)):
        found |= {f"{kind}.{item.id}.{name}" for item in items for name in TEXTS[kind]}
    return found


def apply(ledger: m.Ledger, lang: str) -> m.Ledger:
    """The ledger with the texts it gives in `lang` in place of the ones written."""
    texts = {key: text for each, key, text in ledger.translations if each == lang}
    if not texts:
        return ledger

    def given(prefix: str, item, names: tuple[str, ...]):
        changes = {name: texts[f"{prefix}.{name}"] for name in names
                   if f"{prefix}.{name}" in texts}
        return item._replace(**changes) if changes else item

    conventions = tuple(
        given(f"conventions.{c.id}", c, TEXTS["conventions"])._replace(targets=tuple(
            given(f"targets.{t.id}", t, TEXTS["targets"]) for t in c.targets))
        for c in ledger.conventions)
    return ledger._replace(
        programme=given("programme", ledger.programme, TEXTS["programme"]),
        conventions=conventions,
        funders=tuple(given(f"funders.{f.id}", f, TEXTS["funders"]) for f in ledger.funders),
        partners=tuple(given(f"partners.{p.id}", p, TEXTS["partners"])
                       for p in ledger.partners),
        sources=tuple(given(f"sources.{s.id}", s, TEXTS["sources"]) for s in ledger.sources))

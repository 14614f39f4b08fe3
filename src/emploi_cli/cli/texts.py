"""The command line's own texts in the user's language: `--help` and usage errors."""

from __future__ import annotations


def messages() -> list[str]:
    """Every English text of the command line that the catalogs translate."""
    return []

"""The message catalogs' upkeep: which messages the code uses, and the .po files kept in step.

    python tools/catalogs.py update   # add every new message to every catalog, untranslated
    python tools/catalogs.py check    # what is missing, untranslated or no longer used

A message the code uses is one of: a label of present/i18n.py (msgctxt = its key), the
template of a problem (the English text given to `m.error`, `m.warning`, `m.refusal` or a
builder's `err`/`warn`), a text of the command line (`--help`, Typer's parser errors: cli/texts.py),
or a line of the starter ledger (store/starter.py). docs/translating.md says more.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "emploi_cli"
sys.path.insert(0, str(ROOT / "src"))

from emploi_cli.present import catalog  # noqa: E402

Key = catalog.Key
# Which messages each catalog must translate: Arabic covers what reports and tables show
# (labels); the rest falls back to French (catalog.FALLBACK) until someone translates it.
MUST_TRANSLATE = {"fr": ("label", "problem", "cli", "starter"), "ar": ("label",)}
# ... and in Arabic also the problems `check` finds in a ledger that reads (those a report
# lists), made in these files.
ARABIC_PROBLEMS = ("domain/checks.py",)
# The functions that take a problem's English template, and which argument it is: the
# second (after the code), or the first for a phrase (a part worded apart, `m.phrase`), a
# usage error (`BadOption`, `Usage`) and an option's fault (`ValueError(template, values)`).
PROBLEM_MAKERS = {"error": 1, "warning": 1, "note": 1, "refusal": 1, "err": 1, "warn": 1,
                  "phrase": 0, "BadOption": 0, "Usage": 0, "ValueError": 0}


def group(key: Key) -> str:
    """label, problem, cli or starter: what a message is, read from its context."""
    context = key[0]
    if context in ("problem", "cli", "starter"):
        return context
    return "label"


def used() -> dict[Key, str]:
    """Every message the code uses, with where it comes from (a comment for translators)."""
    from emploi_cli.present import i18n

    found: dict[Key, str] = {}
    for key, english in i18n.LABELS.items():
        if english:
            found.setdefault((key, english), "present/i18n.py")
    for path in sorted(SRC.rglob("*.py")):
        where = str(path.relative_to(SRC))
        for template in problem_templates(path):
            found.setdefault(("problem", template), where)
    from emploi_cli.cli import texts
    from emploi_cli.store import starter

    for text in texts.messages():
        found.setdefault(("cli", text), "cli")
    for template in texts.PARSER_ERRORS:
        found.setdefault(("problem", template), "cli/texts.py")
    for text in starter.messages():
        found.setdefault(("starter", text), "store/starter.py")
    return found


def problem_templates(path: Path) -> list[str]:
    """The templates of the problems made in one source file: string literals given to a
    maker, or assigned to a name `template` and given through it."""
    templates = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "template" for t in node.targets):
            templates += literals(node.value) or []
        argument = template_argument(node)
        if argument is not None:
            templates += literals(argument) or []
    return templates


def template_argument(node: ast.AST) -> ast.AST | None:
    """The argument of a problem maker's call that holds its template (None: not one)."""
    if not isinstance(node, ast.Call):
        return None
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
        node.func, "id", "")
    index = PROBLEM_MAKERS.get(name)
    if index is None or len(node.args) <= index:
        return None
    if name in ("error", "warning", "note", "refusal", "err", "warn") and not isinstance(
            node.args[0], ast.Constant | ast.Name | ast.Attribute | ast.JoinedStr):
        return None
    if name == "ValueError" and (len(node.args) < 2 or not isinstance(node.args[1], ast.Dict)):
        return None
    return node.args[index]


def literals(node: ast.AST) -> list[str] | None:
    """The texts a template argument can be: a string literal, or either branch of
    `a if test else b` of two; None when it is anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if node.value else []
    if isinstance(node, ast.IfExp):
        body, orelse = literals(node.body), literals(node.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def problem_calls_not_literal() -> list[str]:
    """Problems made from a text the catalogs cannot hold (an f-string, a variable...)."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            argument = template_argument(node)
            if argument is not None and literals(argument) is None and not (
                    isinstance(argument, ast.Name)
                    and argument.id in ("message", "template")):  # handed on by a helper
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def check() -> list[str]:
    """One line per fault: a message missing from a catalog, untranslated where it must be,
    present in one catalog and not another, or a translation whose {fields} differ."""
    wanted = used()
    faults = []
    for lang in catalog.TRANSLATED:
        path = catalog.LOCALE / f"{lang}.po"
        have = catalog.read(path)
        name = f"src/emploi_cli/present/locale/{lang}.po"
        for key in wanted:
            if key not in have:
                faults.append(f"{name}: missing {describe(key)} (run: python tools/catalogs.py "
                              "update, then translate it)")
            elif must_translate(key, wanted[key], lang) and (not have[key][0] or have[key][1]):
                faults.append(f"{name}: untranslated {describe(key)}")
            elif have[key][0] and fields(have[key][0]) != fields(key[1]):
                faults.append(f"{name}: {describe(key)} is translated with the fields "
                              f"{sorted(fields(have[key][0]))}, not {sorted(fields(key[1]))}")
        for key in have:
            if key not in wanted:
                faults.append(f"{name}: {describe(key)} is no longer used by the code (run: "
                              "python tools/catalogs.py update)")
    return faults


def must_translate(key: Key, where: str, lang: str) -> bool:
    return group(key) in MUST_TRANSLATE[lang] or (
        lang == "ar" and group(key) == "problem" and where in ARABIC_PROBLEMS)


def describe(key: Key) -> str:
    context, msgid = key
    return f"msgctxt {catalog.quote(context)} msgid {catalog.quote(msgid)}" if context else (
        f"msgid {catalog.quote(msgid)}")


def fields(text: str) -> set[str]:
    import string

    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<unbalanced braces>"}


def update() -> None:
    """Rewrite every catalog in the code's order: translations kept, new messages added
    untranslated, messages the code no longer uses dropped."""
    wanted = used()
    for lang in catalog.TRANSLATED:
        path = catalog.LOCALE / f"{lang}.po"
        have = catalog.read(path) if path.exists() else {}
        write(path, lang, [(key, where, *have.get(key, ("", False))) for key, where in
                           wanted.items()])


HEADER = ('msgid ""\nmsgstr ""\n"Project-Id-Version: emploi\\n"\n"Language: {lang}\\n"\n'
          '"MIME-Version: 1.0\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
          '"Content-Transfer-Encoding: 8bit\\n"\n')


def write(path: Path, lang: str, items: list[tuple[Key, str, str, bool]]) -> None:
    parts = [HEADER.format(lang=lang)]
    for (context, msgid), where, msgstr, fuzzy in items:
        lines = [f"#: {where}"]
        if fuzzy:
            lines.append("#, fuzzy")
        if context:
            lines.append(f"msgctxt {catalog.quote(context)}")
        lines += [f"msgid {catalog.quote(msgid)}", f"msgstr {catalog.quote(msgstr)}"]
        parts.append("\n".join(lines) + "\n")
    path.write_text("\n".join(parts), "utf-8")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    problems = check()
    print("\n".join(problems) or "The catalogs are complete.")
    sys.exit(1 if problems and command == "check" else 0)

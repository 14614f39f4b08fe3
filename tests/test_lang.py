"""Languages: the catalogs, French everywhere a person reads, Arabic for reports and tables,
machine formats that never change with the language (docs/translating.md)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest

from emploi_cli.domain import model as m
from emploi_cli.present import catalog, i18n

from .conftest import REPO, SHIPPED

sys.path.insert(0, str(REPO / "tools"))
import catalogs

GOLDEN_LEDGER = REPO / "tests" / "golden" / "ledger.toml"


# ---- the catalogs ------------------------------------------------------------------------


def test_catalogs_are_complete():
    """Every message the code uses is in every catalog, translated where it must be, with the
    same {fields}; no catalog holds a message the code no longer uses."""
    assert catalogs.check() == []


def test_every_problem_is_made_from_a_template_the_catalogs_can_hold():
    assert catalogs.problem_calls_not_literal() == []
    templates = {k[1] for k in catalogs.used() if k[0] == "problem"}
    assert "stated total {stated} differs from the sum of the conventions, {conventions}" in (
        templates)
    assert " (did you mean {suggestion}?)" in templates  # a phrase, worded apart


@pytest.fixture
def locale(tmp_path, monkeypatch):
    """A private copy of the catalogs, in use by catalog.py and tools/catalogs.py."""
    copy = tmp_path / "locale"
    shutil.copytree(catalog.LOCALE, copy)
    monkeypatch.setattr(catalog, "LOCALE", copy)
    catalog.entries.cache_clear()
    yield copy
    catalog.entries.cache_clear()


def _drop(po: Path, msgid: str) -> None:
    blocks = po.read_text("utf-8").split("\n\n")
    kept = [b for b in blocks if f"msgid {catalog.quote(msgid)}\n" not in b + "\n"]
    assert len(kept) == len(blocks) - 1
    po.write_text("\n\n".join(kept), "utf-8")


def test_a_message_missing_from_one_catalog_is_named(locale):
    _drop(locale / "ar.po", "Funding")
    assert catalogs.check() == [
        'src/emploi_cli/present/locale/ar.po: missing msgctxt "summary" msgid "Funding" (run: '
        "python tools/catalogs.py update, then translate it)"]


def test_a_message_of_the_code_missing_from_the_catalogs_is_named(locale, monkeypatch):
    monkeypatch.setitem(i18n.LABELS, "awaiting", "awaiting data")
    faults = catalogs.check()
    assert [f for f in faults if "awaiting" in f] == [
        f'src/emploi_cli/present/locale/{lang}.po: missing msgctxt "awaiting" msgid '
        '"awaiting data" (run: python tools/catalogs.py update, then translate it)'
        for lang in ("fr", "ar")]


def test_update_adds_the_new_message_untranslated_then_check_asks_for_it(locale, monkeypatch):
    monkeypatch.setitem(i18n.LABELS, "awaiting", "awaiting data")
    catalogs.update()
    assert catalogs.check() == [
        f'src/emploi_cli/present/locale/{lang}.po: untranslated msgctxt "awaiting" msgid '
        '"awaiting data"' for lang in ("fr", "ar")]
    assert i18n.label("awaiting", "fr") == "awaiting data"  # English until translated


def test_a_translation_with_other_fields_is_named(locale):
    po = locale / "fr.po"
    po.write_text(po.read_text("utf-8").replace('msgstr "Au {date}"', 'msgstr "Au {jour}"'),
                  "utf-8")
    assert catalogs.check() == [
        'src/emploi_cli/present/locale/fr.po: msgctxt "as_of" msgid "As of {date}" is '
        "translated with the fields ['jour'], not ['date']"]


def test_po_reader(tmp_path):
    po = tmp_path / "x.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
                  '#: here\nmsgctxt "k"\nmsgid "a \\"b\\""\nmsgstr ""\n"c \\"d\\"\\n"\n"e"\n\n'
                  '#, fuzzy\nmsgid "old"\nmsgstr "ancien"\n\nmsgid "new"\nmsgstr ""\n', "utf-8")
    assert catalog.read(po) == {("k", 'a "b"'): ('c "d"\ne', False),
                                ("", "old"): ("ancien", True), ("", "new"): ("", False)}
    assert catalog.unquote(catalog.quote('x "y" \\ \n')) == 'x "y" \\ \n'


# ---- French ------------------------------------------------------------------------------


def test_an_error_in_french(emploi, ledger):
    result = emploi("record", "c1.insertoin", "5", "-l", str(ledger),
                    env={"EMPLOI_LANG": "fr"})
    assert result.exit_code == 1
    assert result.stderr == (
        f"emploi: {ledger}: erreur: objectif inconnu(e) 'c1.insertoin' (vouliez-vous dire "
        "'c1.insertion' ?) ; connu(e)s : c1.insertion, c1.employabilite, c2.employabilite, "
        "c2.espaces, c2.unites_mobiles\n")


def test_the_language_from_the_locale(emploi, ledger):
    result = emploi("record", "c1.insertion", "-5", "-l", str(ledger),
                    env={"LANG": "fr_FR.UTF-8"})
    assert result.stderr == "emploi: erreur: la valeur ne doit pas être négative (-5)\n"


def test_a_usage_error_in_french(emploi):
    result = emploi("summary", "--as-of", "2022-13-01", env={"EMPLOI_LANG": "fr"})
    assert result.exit_code == 2
    assert result.stderr == ("emploi: erreur d'utilisation: --as-of '2022-13-01' n'est pas une "
                             "date : il n'y a pas de mois 13\n")


@pytest.mark.parametrize(("args", "line"), [
    (["summary", "--bogus"], "emploi: erreur d'utilisation: option inconnue : --bogus (voir "
     "'emploi summary -h' pour l'aide)"),
    (["summaryy"], "emploi: erreur d'utilisation: commande inconnue 'summaryy'. Vouliez-vous "
     "dire 'summary' ? (voir 'emploi -h' pour l'aide)"),
    (["record"], "emploi: erreur d'utilisation: argument 'TARGET' manquant. (voir 'emploi "
     "record -h' pour l'aide)"),
    (["summary", "--as-of", "2021-02-30"], "emploi: erreur d'utilisation: --as-of "
     "'2021-02-30' n'est pas une date : février 2021 compte 28 jours"),
])
def test_typer_parser_errors_in_french(emploi, args, line):
    result = emploi(*args, env={"EMPLOI_LANG": "fr"})
    assert (result.exit_code, result.stderr) == (2, line + "\n")


def test_check_problems_in_french_dates_in_prose(emploi, tmp_path):
    ledger = tmp_path / "l.toml"
    ledger.write_text(SHIPPED.read_text("utf-8") + '\n[[progress]]\nid = "p1"\n'
                      'date = 2023-01-01\ntarget = "c1.insertion"\nvalue = 5\n', "utf-8")
    fr = emploi("check", "-l", str(ledger), "--lang", "fr", "-f", "md")
    assert ("| erreur | " in fr.stdout and "| future-date | réalisation p1 : la date 1er janvier "
            "2023 est après aujourd'hui (30 juin 2022) |") in fr.stdout
    assert "1 erreur(s), 0 avertissement(s)" in fr.stdout


def test_machine_fields_never_change_with_the_language(emploi, tmp_path):
    ledger = tmp_path / "l.toml"
    ledger.write_text(SHIPPED.read_text("utf-8") + '\n[[progress]]\nid = "p1"\n'
                      'date = 2023-01-01\ntarget = "c1.insertion"\nvalue = 5\n', "utf-8")
    runs = {lang: emploi("check", "-l", str(ledger), "-f", "json", "--lang", lang)
            for lang in ("en", "fr", "ar")}
    assert {r.exit_code for r in runs.values()} == {1}
    assert runs["en"].stdout == runs["fr"].stdout == runs["ar"].stdout  # codes, keys, English
    problem = json.loads(runs["fr"].stdout)["problems"][0]
    assert problem["code"] == "future-date" and "after today" in problem["message"]
    for command in (["history"], ["summary"], ["status"]):
        outputs = {emploi(*command, "-l", str(GOLDEN_LEDGER), "-f", "csv", "--lang", lang,
                          "--as-of", "2022-06-30").stdout for lang in ("en", "fr", "ar")}
        assert len(outputs) == 1, command


def test_history_kinds_in_french(emploi):
    fr = emploi("history", "-l", str(GOLDEN_LEDGER), "--lang", "fr", "-f", "md").stdout
    assert "| réalisation |" in fr and "| décaissement |" in fr and "| progress |" not in fr
    csv_text = emploi("history", "-l", str(GOLDEN_LEDGER), "--lang", "fr", "-f", "csv").stdout
    assert ",progress," in csv_text


def test_prose_dates():
    day = date(2022, 6, 30)
    assert [i18n.day(day, lang) for lang in ("en", "fr", "ar")] == [
        "30 June 2022", "30 juin 2022", "30 يونيو 2022"]
    assert i18n.day(date(2022, 8, 1), "fr") == "1er août 2022"
    assert i18n.day(date(2022, 8, 1), "ar") == "1 غشت 2022"


def test_help_in_french(emploi):
    top = emploi("--help", env={"EMPLOI_LANG": "fr"}).stdout
    assert top.startswith("Utilisation : emploi [OPTIONS] COMMAND [ARGS]...\n\n  Suivi du "
                          "budget et des objectifs")
    assert "Commandes :" in top and "Afficher cette aide et quitter." in top
    assert "  summary    L'argent : montant global" in top
    record = emploi("record", "--help", env={"LANG": "fr_FR.UTF-8"}).stdout
    assert "Enregistrer une réalisation sur un objectif" in record
    assert "Id de l'objectif, p. ex. c1.insertion.  [obligatoire]" in record
    assert "Arguments :" in record and "Options :" in record
    english = emploi("record", "--help").stdout  # the command, built once, stays English
    assert "Record progress on a target" in english and "[required]" in english


@pytest.mark.parametrize(("line", "hint"), [
    ("total = 406,80", "(TOML écrit les décimales avec un point : 406.80, pas 406,80)"),
    ("title = «Programme»", "pas « », “ ” ni ‘ ’)"),
    ("total = 406\u00a080.50", "(un nombre TOML ne contient pas d'espace"),
])
def test_toml_hints_for_french_writers(emploi, tmp_path, line, hint):
    key = line.split(" = ")[0]
    text = SHIPPED.read_text("utf-8")
    start = text.index(f"\n{key} = ", text.index("[programme]")) + 1
    end = text.index("\n", start)
    ledger = tmp_path / "l.toml"
    ledger.write_text(text[:start] + line + text[end:], "utf-8")
    number = text[:start].count("\n") + 1
    result = emploi("summary", "-l", str(ledger), env={"EMPLOI_LANG": "fr"})
    assert result.exit_code == 1
    assert result.stderr.startswith(f"emploi: {ledger}:{number}:")
    assert "erreur: syntaxe TOML : " in result.stderr and hint in result.stderr


def test_init_in_french(emploi, tmp_path):
    fr, en = tmp_path / "fr.toml", tmp_path / "en.toml"
    assert emploi("init", "--lang", "fr", str(fr)).exit_code == 0
    assert emploi("init", "--lang", "en", str(en)).exit_code == 0
    text = fr.read_text("utf-8")
    assert text.startswith("# Registre emploi. Son format est décrit dans docs/ledger.md")
    assert 'title = "Nom du programme"' in text and "Programme name" not in text
    assert emploi("check", "-l", str(fr)).exit_code == 0

    def shape(value):
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        if isinstance(value, list):
            return [shape(v) for v in value]
        return type(value).__name__

    french, english = tomllib.loads(text), tomllib.loads(en.read_text("utf-8"))
    assert shape(french) == shape(english)  # the same keys; only texts change
    assert french["conventions"][0]["targets"][0]["quantity"] == 1000


def test_csv_fr_reads_back_with_semicolons(emploi):
    plain = emploi("summary", "-l", str(GOLDEN_LEDGER), "-f", "csv", "--as-of",
                   "2022-06-30").stdout
    result = emploi("summary", "-l", str(GOLDEN_LEDGER), "-f", "csv-fr", "--as-of",
                    "2022-06-30")
    assert result.stdout.startswith("\ufeffrecord;id;")
    french = list(csv.DictReader(io.StringIO(result.stdout.removeprefix("\ufeff"),
                                             newline=""), delimiter=";"))
    machine = list(csv.DictReader(io.StringIO(plain, newline="")))
    assert [r["id"] for r in french] == [r["id"] for r in machine]
    total = next(r for r in french if r["record"] == "total")
    assert total["amount"] == "406,80" and total["disbursed"] == "110,00"
    for f_row, m_row in zip(french, machine, strict=True):
        assert {k: v.replace(",", ".") for k, v in f_row.items()} == {
            k: v.replace(",", ".") for k, v in m_row.items()}
    assert plain.startswith("record,id,")  # -f csv stays the machine format


# ---- Arabic ------------------------------------------------------------------------------


def test_arabic_tables_in_a_pipe(emploi):
    result = emploi("status", "-l", str(GOLDEN_LEDGER), "--lang", "ar", "--as-of",
                    "2022-06-30")
    assert result.stdout.startswith("التنفيذ المالي\n")
    assert "معرّض للخطر" in result.stdout and "20.815" in result.stdout  # Western digits


def test_arabic_on_a_terminal_prints_french(emploi, monkeypatch):
    from emploi_cli.cli import output

    monkeypatch.setattr(output, "_isatty", lambda stream: True)
    result = emploi("summary", "-l", str(GOLDEN_LEDGER), "--lang", "ar", "--as-of",
                    "2022-06-30")
    assert result.exit_code == 0
    assert "Conventions" in result.stdout and "الاتفاقيات" not in result.stdout
    assert result.stderr == (
        "emploi: L'arabe s'écrit dans les fichiers et les tubes (-o FICHIER, -f md, "
        "report -f html) ; ce terminal affiche le français.\n")


def test_arabic_html_is_right_to_left_with_figures_left_to_right(emploi):
    html = emploi("report", "-l", str(GOLDEN_LEDGER), "--lang", "ar", "-f", "html",
                  "--as-of", "2022-06-30", "--generated-at", "2022-07-01").stdout
    assert '<html lang="ar" dir="rtl">' in html
    assert '<h2 id="funding-heading">التمويل</h2>' in html
    assert '<td class="num"><bdi dir="ltr">374,80</bdi></td>' in html
    assert '<td><bdi dir="ltr">c1</bdi></td>' in html
    french = emploi("report", "-l", str(GOLDEN_LEDGER), "--lang", "fr", "-f", "html",
                    "--as-of", "2022-06-30", "--generated-at", "2022-07-01").stdout
    assert '<html lang="fr">' in french and "<bdi" not in french


def test_arabic_report_keeps_ledger_text_unless_the_ledger_gives_it(emploi, tmp_path):
    ledger = tmp_path / "l.toml"
    base = GOLDEN_LEDGER.read_text("utf-8")
    ledger.write_text(base, "utf-8")
    plain = emploi("report", "-l", str(ledger), "--lang", "ar", "--as-of", "2022-06-30")
    assert "Insertion de chercheurs d'emploi" in plain.stdout  # as written: nothing invented
    ledger.write_text(base + '\n[translations.ar]\n"targets.c1.insertion.label" = '
                      '"إدماج الباحثين عن الشغل"\nprogramme.title = "برنامج جهوي"\n', "utf-8")
    codes = [[p["code"] for p in json.loads(emploi("check", "-l", str(x), "-f", "json").stdout)[
        "problems"]] for x in (ledger, GOLDEN_LEDGER)]
    assert codes[0] == codes[1]  # the translations are read without a problem
    given = emploi("report", "-l", str(ledger), "--lang", "ar", "--as-of", "2022-06-30").stdout
    assert given.startswith("# برنامج جهوي\n")
    assert "إدماج الباحثين عن الشغل" in given and "Insertion de chercheurs" not in given
    french = emploi("report", "-l", str(ledger), "--lang", "fr", "--as-of", "2022-06-30")
    assert "Insertion de chercheurs d'emploi" in french.stdout  # only Arabic changes


def test_the_ledgers_translations_through_the_cache(emploi, tmp_path, monkeypatch):
    monkeypatch.delenv("EMPLOI_NO_CACHE")
    ledger = tmp_path / "l.toml"
    ledger.write_text(GOLDEN_LEDGER.read_text("utf-8") + '\n[translations.ar]\n'
                      '"targets.c1.insertion.label" = "إدماج"\n', "utf-8")
    runs = [emploi("targets", "-l", str(ledger), "--lang", "ar", "-f", "md").stdout
            for _ in range(3)]  # the second and third read the cache
    assert runs[0] == runs[1] == runs[2] and "| c1.insertion | c1 | insertion | إدماج |" in (
        runs[2])


def test_an_unknown_translation_key_is_a_placed_warning(emploi, tmp_path):
    ledger = tmp_path / "l.toml"
    ledger.write_text(GOLDEN_LEDGER.read_text("utf-8") + '\n[translations.ar]\n'
                      '"targets.c9.label" = "x"\n', "utf-8")
    data = json.loads(emploi("check", "-l", str(ledger), "-f", "json").stdout)
    found = [p for p in data["problems"] if p["path"] == "translations.ar.targets.c9.label"]
    assert [p["code"] for p in found] == ["unknown-key"]


def test_problems_in_an_arabic_report(emploi, ledger):
    text = emploi("report", "-l", str(GOLDEN_LEDGER), "--lang", "ar", "--as-of",
                  "2022-06-30").stdout
    assert "## المشاكل" in text and "في 31 دجنبر 2021 يساوي 8.150 personnes" in text
    assert "؛ قد يكون قيد ناقصاً |" in text
    # standard error is a terminal: French, as tables on a terminal
    refused = emploi("record", "c1.insertion", "-5", "-l", str(ledger), "--lang", "ar")
    assert refused.stderr == "emploi: erreur: la valeur ne doit pas être négative (-5)\n"


def test_phrases_are_worded_in_the_language():
    problem = m.error("unknown-ref", "unknown {kind} {id}{did_you_mean}; known: {known}",
                      args={"kind": "target", "id": "'x'", "known": m.phrase("none"),
                            "did_you_mean": m.phrase(" (did you mean {suggestion}?)",
                                                     suggestion="'y'")})
    assert problem.message == "unknown target 'x' (did you mean 'y'?); known: none"
    assert i18n.problem_text(problem, "fr") == (
        "objectif inconnu(e) 'x' (vouliez-vous dire 'y' ?) ; connu(e)s : aucune")


def test_figures_in_french_messages_are_written_as_the_tables_write_them(emploi, ledger,
                                                                         monkeypatch):
    """A reconciliation read in French gives 2.500 and 30,00 MDH, as the tables do, not 2500
    and 30.00; years and ids stay as written."""
    monkeypatch.setenv("EMPLOI_TODAY", "2022-06-30")
    for args in (("record", "c1.insertion", "2380", "--date", "2021-06-30"),
                 ("disburse", "c1", "25.5", "--date", "2021-02-01")):
        assert emploi(*args, "-l", str(ledger)).exit_code == 0
    count = emploi("reconcile", "c1.insertion", "2500", "--date", "2021-12-31", "--source",
                   "ANAPEC", "--lang", "fr", "-l", str(ledger))
    assert count.exit_code == 4
    assert "vaut 2.500 personnes selon le partenaire mais 2.380 personnes" in count.stderr
    assert "au 31 décembre 2021" in count.stderr
    money = emploi("reconcile", "--convention", "c1", "--amount", "30", "--kind",
                   "disbursement", "--date", "2021-12-31", "--source", "ANAPEC", "--lang", "fr",
                   "-l", str(ledger))
    assert "vaut 30,00 MDH selon le partenaire mais 25,50 MDH" in money.stderr
    assert "(écart -4,50)" in money.stderr


def test_french_number_slips_get_a_hint_and_a_usage_exit(emploi, ledger):
    """What a French officer types after reading a French table: 6.000 for a count, 3,5 for
    an amount. Both are malformed values (exit 2), and the message says how to write them."""
    before = ledger.read_bytes()
    count = emploi("amend", "--target", "c1.employabilite", "--quantity", "6.000",
                   "--reference", "A", "--reason", "r", "--lang", "fr", "-l", str(ledger))
    assert count.exit_code == 2
    assert ("--quantity '6.000' n'est pas un nombre entier : écrivez-le sans séparateur de "
            "milliers, 6000") in count.stderr
    amount = emploi("disburse", "c2", "3,5", "--lang", "fr", "-l", str(ledger))
    assert amount.exit_code == 2
    assert "écrivez les décimales après un point, 3.5" in amount.stderr
    assert ledger.read_bytes() == before


def test_an_internal_error_is_one_line_in_french(emploi, ledger, monkeypatch):
    """Even a bug is said in the user's language, in one line, without a traceback."""
    from emploi_cli import api

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api, "summary", broken)
    monkeypatch.delenv("EMPLOI_DEBUG", raising=False)
    result = emploi("summary", "--lang", "fr", "-l", str(ledger))
    assert result.exit_code == 1
    assert result.stderr == ("emploi: erreur interne : RuntimeError: boom (EMPLOI_DEBUG=1 "
                             "affiche la trace ; merci de la signaler)\n")

"""Human labels and number formats in French and English. json and csv never use these."""

from __future__ import annotations

from decimal import Decimal

LANGS = ("fr", "en")

LABELS: dict[str, tuple[str, str]] = {
    # report titles and sections
    "summary": ("Financement", "Funding"),
    "totals": ("Totaux", "Totals"),
    "conventions": ("Conventions", "Conventions"),
    "funders": ("Bailleurs", "Funders"),
    "targets": ("Objectifs", "Targets"),
    "indicators": ("Objectifs par indicateur", "Targets by indicator"),
    "breakdown": ("Réalisations par {tag}", "Achievements by {tag}"),
    "history": ("Journal", "Journal"),
    "problems": ("Problèmes", "Problems"),
    "entry": ("Écriture", "Entry"),
    # columns
    "record": ("Ligne", "Record"),
    "id": ("Id", "Id"),
    "title": ("Intitulé", "Title"),
    "name": ("Nom", "Name"),
    "amount": ("Montant (MDH)", "Amount (MDH)"),
    "original_amount": ("Montant initial (MDH)", "Original amount (MDH)"),
    "share": ("Part", "Share"),
    "estimated": ("Estimé", "Estimated"),
    "committed": ("Engagé", "Committed"),
    "disbursed": ("Décaissé", "Disbursed"),
    "spent": ("Dépensé", "Spent"),
    "execution": ("Taux d'exécution", "Execution rate"),
    "convention": ("Convention", "Convention"),
    "indicator": ("Indicateur", "Indicator"),
    "label": ("Libellé", "Label"),
    "target": ("Cible", "Target"),
    "original_target": ("Cible initiale", "Original target"),
    "unit": ("Unité", "Unit"),
    "achieved": ("Réalisé", "Achieved"),
    "remaining": ("Reste", "Remaining"),
    "progress": ("Avancement", "Progress"),
    "bar": ("", ""),
    "targets_list": ("Objectifs", "Targets"),
    "tag_value": ("Valeur", "Value"),
    "date": ("Date", "Date"),
    "kind": ("Type", "Kind"),
    "subject": ("Objet", "Subject"),
    "value": ("Valeur", "Value"),
    "funder": ("Bailleur", "Funder"),
    "text": ("Note", "Note"),
    "source": ("Source", "Source"),
    "tags": ("Étiquettes", "Tags"),
    "void": ("Annulée", "Void"),
    "voided_by": ("Annulée par", "Voided by"),
    "recorded_at": ("Écrite le", "Recorded at"),
    "recorded_by": ("Par", "By"),
    "severity": ("Gravité", "Severity"),
    "code": ("Code", "Code"),
    "place": ("Emplacement", "Place"),
    "message": ("Message", "Message"),
    "item": ("Élément", "Item"),
    "check": ("Contrôle", "Check"),
    # values and rows
    "stated_total": ("Total annoncé", "Stated total"),
    "conventions_total": ("Somme des conventions", "Sum of conventions"),
    "matches": ("concorde", "matches"),
    "differs": ("ne concorde pas", "does not match"),
    "unattributed": ("Sans bailleur désigné", "No named funder"),
    "unquantified": ("non chiffré", "unquantified"),
    "none": ("(aucune)", "(none)"),
    "yes": ("oui", "yes"),
    "no": ("non", "no"),
    "as_of": ("Au {date}", "As of {date}"),
    "no_entries": ("Aucune écriture.", "No entries."),
    "ok": ("Aucun problème.", "No problems."),
    "error": ("erreur", "error"),
    "warning": ("avertissement", "warning"),
    "n_problems": ("{errors} erreur(s), {warnings} avertissement(s)",
                   "{errors} error(s), {warnings} warning(s)"),
    # import and export (issue 7)
    "import": ("Import", "Import"),
    "row": ("Ligne du fichier", "Row"),
    "status": ("État", "Status"),
    "reason": ("Motif", "Reason"),
    "import_key": ("Clé d'import", "Import key"),
    "new": ("nouvelle", "new"),
    "present": ("déjà présente", "already present"),
    "refused": ("refusée", "refused"),
    "import_counts": ("{new} nouvelle(s), {present} déjà présente(s), {refused} refusée(s)",
                      "{new} new, {present} already present, {refused} refused"),
    "import_dry_run": ("Simulation : rien n'a été écrit.", "Dry run: nothing was written."),
    "import_written": ("Écrit dans {ledger}.", "Written to {ledger}."),
    "import_refused": ("Rien n'a été écrit : {refused} ligne(s) refusée(s).",
                       "Nothing was written: {refused} row(s) refused."),
    "import_nothing": ("Rien à ajouter.", "Nothing to add."),
    "profile_saved": ("Profil {name} enregistré.", "Profile {name} saved."),
    "profile_would_save": ("Le profil {name} serait enregistré.", "Profile {name} would be saved."),
    "profile_unchanged": ("Profil {name} inchangé.", "Profile {name} unchanged."),
    "exported": ("{file} : {programmes} programme(s), {conventions} convention(s), "
                 "{targets} objectif(s), {entries} écriture(s).",
                 "{file}: {programmes} programme(s), {conventions} convention(s), "
                 "{targets} target(s), {entries} entries."),
}


def label(key: str, lang: str, **values: object) -> str:
    pair = LABELS.get(key)
    text = key if pair is None else pair[0 if lang == "fr" else 1]
    return text.format(**values) if values else text


def number(value: int | Decimal, lang: str, places: int | None = None) -> str:
    """Python's own grouping, with the French marks swapped in: 20.815 / 406,80."""
    text = f"{value:,.{places}f}" if places is not None else f"{value:,}"
    return text.translate(_FR) if lang == "fr" else text


_FR = str.maketrans({",": ".", ".": ","})


def money(value: Decimal, lang: str) -> str:
    places = max(2, -value.as_tuple().exponent) if value.as_tuple().exponent < 0 else 2  # type: ignore[operator]
    return number(value, lang, places)


def percent(value: Decimal, lang: str) -> str:
    return f"{number(value, lang, 2)} %"

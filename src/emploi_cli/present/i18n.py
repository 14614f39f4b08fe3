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
    "total_in_force": ("Total après avenants", "Total as amended"),
    "matches": ("concorde", "matches"),
    "differs": ("ne concorde pas", "does not match"),
    "unattributed": ("Sans bailleur désigné", "No named funder"),
    "unattributed_short": ("non désigné", "unnamed"),
    "unquantified": ("non chiffré", "unquantified"),
    "none": ("(aucune)", "(none)"),
    "yes": ("oui", "yes"),
    "no": ("non", "no"),
    "as_of": ("Au {date}", "As of {date}"),
    "no_entries": ("Aucune écriture.", "No entries."),
    "dry_run": ("Essai (--dry-run) : rien n'a été écrit.", "Dry run: nothing was written."),
    "ok": ("Aucun problème.", "No problems."),
    "error": ("erreur", "error"),
    "warning": ("avertissement", "warning"),
    "note": ("note", "note"),
    "n_problems": ("{errors} erreur(s), {warnings} avertissement(s)",
                   "{errors} error(s), {warnings} warning(s)"),
    # import and export
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


# ---- pace and reports --------------------------------------------------------------------

LABELS.update({
    # statuses (json/csv spell them as the keys)
    "at-risk": ("à risque", "at risk"),
    "behind": ("en retard", "behind"),
    "on-track": ("dans les temps", "on track"),
    "not-started": ("pas commencé", "not started"),
    "achieved_status": ("atteint", "achieved"),
    "unquantified_status": ("non chiffré", "unquantified"),
    "missed": ("non atteint", "missed"),
    "met": ("atteint à l'échéance", "met"),
    "awaiting-data": ("en attente de données", "awaiting data"),
    "shortfall": ("Manque", "Shortfall"),
    "first_report": ("Premier rapport", "First report"),
    "end_rule": ("Échéance passée : chaque objectif est atteint ou non atteint, avec ce qui "
                 "manque ; l'argent aussi (décaissé contre montant).",
                 "The end has passed: each target is met or missed, with its shortfall; money "
                 "likewise (disbursed against the amount)."),
    "awaiting_rule": ("En attente de données : rien n'est enregistré et le premier rapport "
                      "n'est pas encore dû (fin du premier trimestre complet, ou first_report).",
                      "Awaiting data: nothing is recorded and the first report is not due yet "
                      "(the end of the first full quarter, or first_report)."),
    # status screen
    "status_funding": ("Exécution financière", "Funding execution"),
    "status_targets": ("Objectifs : état, rythme et projection",
                       "Targets: status, pace and projection"),
    "status": ("État", "Status"),
    "total": ("Total", "Total"),
    "expected": ("Attendu", "Expected"),
    "expected_progress": ("Avancement attendu", "Expected progress"),
    "gap": ("Écart", "Gap"),
    "rate_so_far": ("Rythme/mois", "Rate/month"),
    "rate_needed": ("Requis/mois", "Needed/month"),
    "projected": ("Projection fin", "Projected at end"),
    "projected_completion": ("Atteinte prévue", "Projected completion"),
    "cost_per_result": ("DH/résultat", "DH/result"),
    "cost_per_result_disbursed": ("DH par résultat (décaissé)", "DH per result (disbursed)"),
    "cost_per_result_spent": ("DH par résultat (dépensé)", "DH per result (spent)"),
    "planned_cost_per_result": ("DH par résultat (prévu)", "DH per result (planned)"),
    "cost_basis": ("Base", "Basis"),
    "basis_convention": ("convention (objectif unique)", "convention (single target)"),
    "basis_budget": ("budget de l'objectif", "target's budget"),
    "not_attributable": ("non attribuable", "not attributable"),
    "budget": ("Budget (MDH)", "Budget (MDH)"),
    "disbursed_mdh": ("Décaissé (MDH)", "Disbursed (MDH)"),
    "spent_mdh": ("Dépensé (MDH)", "Spent (MDH)"),
    "schedule": ("Échéancier", "Schedule"),
    "linear": ("linéaire", "linear"),
    "milestones": ("jalons", "milestones"),
    "start": ("Début", "Start"),
    "end": ("Fin", "End"),
    "pace_rule": ("États : à risque sous 70 % de l'attendu, ou quand le rythme requis dépasse "
                  "le double du rythme actuel ; en retard sous 90 % ; sinon dans les temps "
                  "(règle complète : docs/pace.md).",
                  "Statuses: at risk below 70 % of expected, or when the rate needed is more "
                  "than twice the rate so far; behind below 90 %; else on track (full rule: "
                  "docs/pace.md)."),
    "expected_marker": ("┃ = attendu", "┃ = expected"),
    "cost_note": ("Coût par résultat : argent décaissé de la convention attribué à l'objectif, "
                  "en DH par unité réalisée.",
                  "Cost per result: money disbursed by the convention attributed to the "
                  "target, in DH per unit achieved."),
    # periods
    "periods": ("Réalisations par période", "Achievements per period"),
    "period": ("Période", "Period"),
    "target_id": ("Objectif", "Target"),
    "cumulative": ("Cumul", "Cumulative"),
    "partial_note": ("* période en cours, comptée jusqu'au {date}.",
                     "* period in progress, counted up to {date}."),
    "quarter_label": ("T{q} {year}", "Q{q} {year}"),
    "fiscal_year_label": ("exercice {year}", "FY {year}"),
    # the report
    "report_title": ("Rapport d'avancement", "Progress report"),
    "programme": ("Programme", "Programme"),
    "region": ("Région", "Region"),
    "framework": ("Cadre", "Framework"),
    "programme_period": ("Période", "Period"),
    "programme_total": ("Montant global", "Total amount"),
    "partners": ("Partenaires", "Partners"),
    "sources": ("Sources", "Sources"),
    "signed": ("Signature", "Signed"),
    "contents": ("Sommaire", "Contents"),
    "funding_by_convention": ("Financement par convention", "Funding by convention"),
    "funding_by_funder": ("Financement par bailleur", "Funding by funder"),
    "pace": ("Rythme et projection", "Pace and projection"),
    "costs": ("Coût par résultat", "Cost per result"),
    "quarters": ("Réalisations par trimestre", "Achievements per quarter"),
    "produced": ("Production du rapport", "About this report"),
    "generated_at": ("Produit le", "Produced"),
    "produced_by": ("Par", "By"),
    "ledger": ("Registre", "Ledger"),
    "ledger_sha256": ("Empreinte SHA-256 du registre", "Ledger SHA-256"),
    "entries": ("Écritures", "Entries"),
    "report_as_of": ("Situation au", "Position as of"),
    "to": ("au", "to"),
    "amended_from": ("modifié, initialement {value}", "amended, originally {value}"),
    "chart_funding_desc": ("Montant, engagé, décaissé et dépensé de chaque {what}, en MDH.",
                           "Amount, committed, disbursed and spent of each {what}, in MDH."),
    "chart_target_title": ("{target} : cumul réalisé et attendu",
                           "{target}: cumulative achieved and expected"),
    "chart_target_desc": ("Cumul réalisé {achieved} {unit} au {date}, attendu {expected}, "
                          "cible {target} au {end}.",
                          "Cumulative achieved {achieved} {unit} as of {date}, expected "
                          "{expected}, target {target} by {end}."),
    "chart_target_desc_unquantified": ("Cumul réalisé {achieved} {unit} au {date} ; pas de "
                                       "cible chiffrée, donc pas de ligne attendue.",
                                       "Cumulative achieved {achieved} {unit} as of {date}; no "
                                       "quantity, so no expected line."),
    "bar_label": ("Avancement {progress}, attendu {expected}",
                  "Progress {progress}, expected {expected}"),
    "convention_word": ("convention", "convention"),
    "funder_word": ("bailleur", "funder"),
    "amount_short": ("Montant", "Amount"),
    "no_problems": ("`emploi check` ne trouve aucun problème.", "`emploi check` finds no "
                    "problems."),
    "not_stated": ("non indiqué", "not stated"),
    "chart_data_note": ("Les graphiques reprennent les chiffres des tableaux.",
                        "The charts show the figures of the tables."),
    "expected_line": ("Attendu", "Expected"),
    "achieved_line": ("Réalisé", "Achieved"),
    "as_of_marker": ("au {date}", "as of {date}"),
    "target_line": ("{status} · réalisé {achieved} sur {target} {unit} ({progress}) · "
                    "attendu {expected} · {schedule}",
                    "{status} · achieved {achieved} of {target} {unit} ({progress}) · "
                    "expected {expected} · {schedule}"),
    "target_line_unquantified": ("{status} · réalisé {achieved} {unit} · pas de cible chiffrée",
                                 "{status} · achieved {achieved} {unit} · no quantity"),
})

LABELS.update({
    "bar_text": ("{progress} (attendu {expected})", "{progress} (expected {expected})"),
    "colon": (" : ", ": "),
    "expected_short": ("attendu", "expected"),
    "hidden_columns": ("Colonnes masquées faute de place : {columns} (élargir le terminal, ou "
                       "-f md).", "Columns hidden for lack of room: {columns} (widen the "
                       "terminal, or -f md)."),
})

# ---- roll-up across programmes -------------------------------------------------------------

LABELS.update({
    "programme_section": ("{programme} · {title}", "{programme} · {title}"),
    "programmes": ("Programmes", "Programmes"),
    "national_funding": ("Total national : financement par programme",
                         "National total: funding by programme"),
    "national_indicators": ("Total national par indicateur", "National total by indicator"),
    "national_status": ("Total national par indicateur : réalisé et attendu",
                        "National total by indicator: achieved and expected"),
    "national_total": ("Total national", "National total"),
    "national": ("Total national", "National total"),
    "rollup_title": ("Vue nationale", "National view"),
    "rollup_note": ("Vue nationale de {n} programmes ; les identifiants sont écrits "
                    "programme:id.", "National view of {n} programmes; ids are written "
                    "programme:id."),
    "rollup_ledgers": ("Registres", "Ledgers"),
    "targets_count": ("Objectifs", "Targets"),
})

LABELS.update({"programme_word": ("programme", "programme")})

# ---- co-financing, financing plan, sources -------------------------------------------------

LABELS.update({
    "split": ("Qui finance quoi, par convention", "Who pays what, by convention"),
    "funder_conventions": ("Bailleurs par convention", "Funders by convention"),
    "years": ("Plan de financement par année", "Financing plan by year"),
    "convention": ("Convention", "Convention"),
    "funder": ("Bailleur", "Funder"),
    "part": ("Part", "Part"),
    "source": ("Source", "Source"),
    "contribution": ("Contribution (MDH)", "Contribution (MDH)"),
    "contribution_part": ("contribution", "contribution"),
    "unsplit_part": ("non répartie entre {conventions}", "not split among {conventions}"),
    "unattributed_part": ("sans bailleur désigné", "no named funder"),
    "at_least_value": ("> {value}", "> {value}"),
    "at_most_value": ("≤ {value}", "≤ {value}"),
    "year": ("Année", "Year"),
    "planned": ("Prévu (MDH)", "Planned (MDH)"),
    "plan_state": ("Décaissements / plan", "Disbursements vs plan"),
    "plan_met": ("conforme", "met"),
    "plan_behind": ("en retard", "behind"),
    "plan_running": ("en cours", "running"),
    "plan_future": ("à venir", "future"),
    "programme_word": ("programme", "programme"),
    "alternatives": ("Sources divergentes", "Sources that disagree"),
    "disagreement": ("{kind} {id} : {field} {value} selon {source}, {other} selon "
                     "{other_source}",
                     "{kind} {id}: {field} {value} by {source}, {other} by {other_source}"),
    "field_amount": ("montant", "amount"),
    "field_quantity": ("quantité", "quantity"),
    "target_word": ("objectif", "target"),
    "unnamed_source": ("une source non nommée", "an unnamed source"),
    "years_behind": ("Années dont les décaissements sont en deçà du plan : {years}",
                     "Years whose disbursements lag the plan: {years}"),
})

"""Human labels, dates and number formats. json and csv never use these.

The code names each label by a key and gives its English text here (English is the source
language); the translations are in the catalogs, locale/<lang>.po, where the key is the
entry's `msgctxt` and the English text its `msgid` (present/catalog.py, docs/translating.md).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from ..domain.dates import MONTHS
from .catalog import translate

LANGS = ("fr", "en", "ar")

LABELS: dict[str, str] = {
    "summary": "Funding",
    "totals": "Totals",
    "conventions": "Conventions",
    "funders": "Funders",
    "targets": "Targets",
    "indicators": "Targets by indicator",
    "breakdown": "Achievements by {tag}",
    "history": "Journal",
    "problems": "Problems",
    "entry": "Entry",
    "record": "Record",
    "id": "Id",
    "title": "Title",
    "name": "Name",
    "amount": "Amount (MDH)",
    "original_amount": "Original amount (MDH)",
    "share": "Share",
    "estimated": "Estimated",
    "committed": "Committed",
    "disbursed": "Disbursed",
    "spent": "Spent",
    "execution": "Execution rate",
    "convention": "Convention",
    "indicator": "Indicator",
    "label": "Label",
    "target": "Target",
    "original_target": "Original target",
    "unit": "Unit",
    "achieved": "Achieved",
    "remaining": "Remaining",
    "progress": "Progress",
    "bar": "",
    "targets_list": "Targets",
    "tag_value": "Value",
    "date": "Date",
    "kind": "Kind",
    "subject": "Subject",
    "value": "Value",
    "funder": "Funder",
    "text": "Note",
    "source": "Source",
    "tags": "Tags",
    "void": "Void",
    "voided_by": "Voided by",
    "recorded_at": "Recorded at",
    "recorded_by": "By",
    "severity": "Severity",
    "code": "Code",
    "place": "Place",
    "message": "Message",
    "item": "Item",
    "check": "Check",
    "stated_total": "Stated total",
    "conventions_total": "Sum of conventions",
    "total_in_force": "Total as amended",
    "matches": "matches",
    "differs": "does not match",
    "unattributed": "No named funder",
    "unquantified": "unquantified",
    "none": "(none)",
    "yes": "yes",
    "no": "no",
    "as_of": "As of {date}",
    "no_entries": "No entries.",
    "dry_run": "Dry run: nothing was written.",
    "ok": "No problems.",
    "error": "error",
    "usage_error": "usage error",
    "aborted": "aborted",
    "internal_error": ("internal error: {error} (set EMPLOI_DEBUG=1 for a traceback, and "
                       "please report it)"),
    "arabic_on_terminal": ("Arabic is written to files and pipes (-o FILE, -f md, report -f "
                           "html); this terminal shows French."),
    "warning": "warning",
    "n_problems": "{errors} error(s), {warnings} warning(s)",
    "import": "Import",
    "row": "Row",
    "status": "Status",
    "reason": "Reason",
    "import_key": "Import key",
    "new": "new",
    "present": "already present",
    "refused": "refused",
    "import_counts": "{new} new, {present} already present, {refused} refused",
    "import_dry_run": "Dry run: nothing was written.",
    "import_written": "Written to {ledger}.",
    "import_refused": "Nothing was written: {refused} row(s) refused.",
    "import_nothing": "Nothing to add.",
    "profile_saved": "Profile {name} saved.",
    "profile_would_save": "Profile {name} would be saved.",
    "profile_unchanged": "Profile {name} unchanged.",
    "exported": (
        "{file}: {programmes} programme(s), {conventions} convention(s), {targets} "
        "target(s), {entries} entries."),
    "at-risk": "at risk",
    "behind": "behind",
    "on-track": "on track",
    "not-started": "not started",
    "achieved_status": "achieved",
    "unquantified_status": "unquantified",
    "status_funding": "Funding execution",
    "status_targets": "Targets: status, pace and projection",
    "total": "Total",
    "expected": "Expected",
    "expected_progress": "Expected progress",
    "gap": "Gap",
    "rate_so_far": "Rate/month",
    "rate_needed": "Needed/month",
    "projected": "Projected at end",
    "projected_completion": "Projected completion",
    "cost_per_result": "DH/result",
    "cost_per_result_disbursed": "DH per result (disbursed)",
    "cost_per_result_spent": "DH per result (spent)",
    "planned_cost_per_result": "DH per result (planned)",
    "cost_basis": "Basis",
    "basis_convention": "convention (single target)",
    "basis_budget": "target's budget",
    "not_attributable": "not attributable",
    "budget": "Budget (MDH)",
    "disbursed_mdh": "Disbursed (MDH)",
    "spent_mdh": "Spent (MDH)",
    "schedule": "Schedule",
    "linear": "linear",
    "milestones": "milestones",
    "start": "Start",
    "end": "End",
    "pace_rule": (
        "Statuses: at risk below 70 % of expected, or when the rate needed is more than "
        "twice the rate so far; behind below 90 %; else on track (full rule: docs/pace.md)."),
    "expected_marker": "┃ = expected",
    "cost_note": (
        "Cost per result: money disbursed by the convention attributed to the target, in DH "
        "per unit achieved."),
    "periods": "Achievements per period",
    "period": "Period",
    "target_id": "Target",
    "cumulative": "Cumulative",
    "partial_note": "* period in progress, counted up to {date}.",
    "quarter_label": "Q{q} {year}",
    "fiscal_year_label": "FY {year}",
    "report_title": "Progress report",
    "programme": "Programme",
    "region": "Region",
    "framework": "Framework",
    "programme_period": "Period",
    "programme_total": "Total amount",
    "partners": "Partners",
    "sources": "Sources",
    "signed": "Signed",
    "contents": "Contents",
    "funding_by_convention": "Funding by convention",
    "funding_by_funder": "Funding by funder",
    "pace": "Pace and projection",
    "costs": "Cost per result",
    "quarters": "Achievements per quarter",
    "produced": "About this report",
    "generated_at": "Produced",
    "produced_by": "By",
    "ledger": "Ledger",
    "ledger_sha256": "Ledger SHA-256",
    "entries": "Entries",
    "report_as_of": "Position as of",
    "to": "to",
    "amended_from": "amended, originally {value}",
    "chart_funding_desc": "Amount, committed, disbursed and spent of each {what}, in MDH.",
    "chart_target_title": "{target}: cumulative achieved and expected",
    "chart_target_desc": (
        "Cumulative achieved {achieved} {unit} as of {date}, expected {expected}, target "
        "{target} by {end}."),
    "chart_target_desc_unquantified": (
        "Cumulative achieved {achieved} {unit} as of {date}; no quantity, so no expected "
        "line."),
    "bar_label": "Progress {progress}, expected {expected}",
    "convention_word": "convention",
    "funder_word": "funder",
    "amount_short": "Amount",
    "no_problems": "`emploi check` finds no problems.",
    "not_stated": "not stated",
    "chart_data_note": "The charts show the figures of the tables.",
    "expected_line": "Expected",
    "achieved_line": "Achieved",
    "as_of_marker": "as of {date}",
    "target_line": (
        "{status} · achieved {achieved} of {target} {unit} ({progress}) · expected "
        "{expected} · {schedule}"),
    "target_line_unquantified": "{status} · achieved {achieved} {unit} · no quantity",
    "bar_text": "{progress} (expected {expected})",
    "colon": ": ",
    "list_separator": ", ",
    "mdh": "MDH",
    "expected_short": "expected",
    "hidden_columns": "Columns hidden for lack of room: {columns} (widen the terminal, or -f md).",
    "programme_section": "{programme} · {title}",
    "programmes": "Programmes",
    "national_funding": "National total: funding by programme",
    "national_indicators": "National total by indicator",
    "national_status": "National total by indicator: achieved and expected",
    "national_total": "National total",
    "national": "National total",
    "rollup_title": "National view",
    "rollup_note": "National view of {n} programmes; ids are written programme:id.",
    "rollup_ledgers": "Ledgers",
    "targets_count": "Targets",
    "programme_word": "programme",
    "month_1": "January",
    "month_2": "February",
    "month_3": "March",
    "month_4": "April",
    "month_5": "May",
    "month_6": "June",
    "month_7": "July",
    "month_8": "August",
    "month_9": "September",
    "month_10": "October",
    "month_11": "November",
    "month_12": "December",
    "first_of_month": "1",
    "kind_target": "target",
    "kind_convention": "convention",
    "kind_funder": "funder",
    "kind_progress": "progress",
    "kind_transaction": "transaction",
    "kind_commitment": "commitment",
    "kind_disbursement": "disbursement",
    "kind_expenditure": "expenditure",
    "kind_void": "void",
    "kind_amendment": "amendment",
    "kind_assertion": "assertion",
    "kind_lock": "lock",
    "kind_profile": "profile",
}


def label(key: str, lang: str, **values: object) -> str:
    """The label `key` in `lang`, its `{fields}` filled from `values`."""
    english = LABELS.get(key)
    if english is None:
        text = key
    elif lang == "en" or not english:
        text = english
    else:
        text = translate(english, lang, key)
    return text.format(**values) if values else text


def number(value: int | Decimal, lang: str, places: int | None = None) -> str:
    """Python's own grouping, with the French marks swapped in (also for Arabic, as Moroccan
    documents write figures, in Western digits): 20.815 / 406,80."""
    text = f"{value:,.{places}f}" if places is not None else f"{value:,}"
    return text.translate(_FR) if lang in ("fr", "ar") else text


_FR = str.maketrans({",": ".", ".": ","})


def money(value: Decimal, lang: str) -> str:
    places = max(2, -value.as_tuple().exponent) if value.as_tuple().exponent < 0 else 2  # type: ignore[operator]
    return number(value, lang, places)


def percent(value: Decimal, lang: str) -> str:
    return f"{number(value, lang, 2)} %"


def day(value: date, lang: str) -> str:
    """A date in prose: 30 June 2022, 30 juin 2022 (1er juin), 30 يونيو 2022. Tables and files
    keep ISO dates."""
    month = label(f"month_{value.month}", lang)
    first = label("first_of_month", lang) if value.day == 1 else str(value.day)
    return f"{first} {month} {value.year}"


def entry_kind(kind: str, lang: str) -> str:
    """A journal entry's kind (progress, disbursement...) in `lang`; json and csv keep it."""
    return label(f"kind_{kind}", lang) if f"kind_{kind}" in LABELS else kind


# ---- problems ----------------------------------------------------------------------------


def problem_text(problem, lang: str) -> str:
    """A problem's message in `lang`: its template from the catalog (context "problem"),
    filled with its args, each worded for the reader (dates in prose, decimal marks, entry
    kinds, phrases in `lang`). json keeps `message`, the English text."""
    if lang == "en" or not problem.template:
        return problem.message
    return worded(problem.template, dict(problem.args), lang)


def worded(template: str, args: dict[str, str], lang: str, prefix: str = "") -> str:
    """`template` in `lang`, its fields filled from args (a phrase's are `name.field`)."""
    from string import Formatter

    text = translate(template, lang, "problem")
    values = {}
    try:
        for _, name, _, _ in Formatter().parse(text):
            if name is not None and name not in values:
                values[name] = _arg(name, args, lang, prefix)
        return text.format_map(values)
    except (ValueError, KeyError, IndexError, AttributeError):
        return template


# Patterns compiled when a problem's text is worded (re keeps them), not at start-up.
_ISO_DAY = r"\d{4}-\d{2}-\d{2}"
_MDH = r"([+-]?\d+)\.(\d+) MDH"  # an amount; other decimals are left as written
_FIGURE = r"([+-]?)(\d+)(?:\.(\d+))?"
# The arguments of problems that are figures (counts or amounts, never years or ids): in
# French and Arabic they are written as the tables write them (2.380, 25,50).
FIGURE_ARGS = frozenset({"expected", "found", "difference", "value", "quantity", "achieved",
                         "total", "planned", "stated", "disbursed", "amount"})


def _arg(name: str, args: dict[str, str], lang: str, prefix: str) -> str:
    key = prefix + name
    if f"{key}.template" in args:
        return worded(args[f"{key}.template"], args, lang, f"{key}.")
    value = args.get(key)
    if value is None:
        return "{" + name + "}"
    if name == "kind":
        return entry_kind(value, lang)
    if name == "month" and value in MONTHS:  # an impossible date's month (domain/dates.py)
        return label(f"month_{MONTHS.index(value) + 1}", lang)
    if re.fullmatch(_ISO_DAY, value):
        try:
            return day(date.fromisoformat(value), lang)
        except ValueError:
            return value
    found = re.fullmatch(_MDH, value)
    if found and lang in ("fr", "ar"):
        return f"{found.group(1)},{found.group(2)} MDH"
    figure = re.fullmatch(_FIGURE, value) if name in FIGURE_ARGS else None
    if figure and lang in ("fr", "ar"):
        sign, whole, decimals = figure.groups()
        return sign + (number(int(whole), lang) if decimals is None
                       else number(Decimal(f"{whole}.{decimals}"), lang, len(decimals)))
    return value


# The states of the end and of the first report; co-financing, financing plans, sources.
LABELS.update({
    "unattributed_short": "unnamed",
    "note": "note",
    "missed": "missed",
    "met": "met",
    "awaiting-data": "awaiting data",
    "shortfall": "Shortfall",
    "first_report": "First report",
    "end_rule": ("The end has passed: each target is met or missed, with its shortfall; money "
                 "likewise (disbursed against the amount)."),
    "awaiting_rule": ("Awaiting data: nothing is recorded and the first report is not due yet "
                      "(the end of the first full quarter, or first_report)."),
    "split": "Who pays what, by convention",
    "funder_conventions": "Funders by convention",
    "years": "Financing plan by year",
    "part": "Part",
    "contribution": "Contribution (MDH)",
    "contribution_part": "contribution",
    "unsplit_part": "not split among {conventions}",
    "unattributed_part": "no named funder",
    "at_least_value": "> {value}",
    "at_most_value": "≤ {value}",
    "year": "Year",
    "planned": "Planned (MDH)",
    "plan_state": "Disbursements vs plan",
    "plan_met": "met",
    "plan_behind": "behind",
    "plan_running": "running",
    "plan_future": "future",
    "alternatives": "Sources that disagree",
    "disagreement": "{kind} {id}: {field} {value} by {source}, {other} by {other_source}",
    "field_amount": "amount",
    "field_quantity": "quantity",
    "target_word": "target",
    "unnamed_source": "an unnamed source",
    "years_behind": "Years whose disbursements lag the plan: {years}",
})

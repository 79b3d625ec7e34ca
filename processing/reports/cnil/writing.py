"""Writing a register document as the CNIL model register: a list sheet and a record sheet
per activity, in French."""

import datetime
import io
import re

import xlsxwriter
from django.utils import translation
from django.utils.translation import gettext as _

from inventory.reference import EEA
from processing.reports.cnil.countries import french_country_name
from processing.reports.cnil.retention_text import retention_text
from processing.reports.cnil.vocabulary import (
    ALL_DATA_LABEL,
    CATEGORY_ROWS,
    DEROGATIONS,
    EXACT_GUARANTEES,
    MEASURE_TYPES,
    MECHANISM_PREFIX,
    ORGANISATION_PREFIX,
    OTHER_SUBJECTS,
    RECIPIENT_TYPE_OF_KIND,
    RECIPIENT_TYPES,
    SAFEGUARDS_PREFIX,
    SCC,
    SUBJECT_TYPES,
    Category,
    CategoryRow,
    Kind,
    Mechanism,
    Special,
    _key,
)

CNIL_LAYOUT_LIMIT = 250  # activities in one written workbook: one sheet each


# --- Writing -------------------------------------------------------------------------------

LIST_SHEET = "Liste des traitements"
ACTOR_HEADINGS = ("Nom", "Adresse", "Code Postal", "Ville", "Pays", "Téléphone", "Adresse mél")
COLUMN_WIDTHS = (48, 40, 26, 22, 40, 30, 18, 30, 30)


class _SheetWriter:
    """Writes one sheet row after row: text always as text, numbers as numbers, ISO dates as dates."""

    def __init__(self, worksheet, formats: dict):
        self.worksheet, self.formats, self.row = worksheet, formats, 0
        for col, width in enumerate(COLUMN_WIDTHS):
            worksheet.set_column(col, col, width, formats["wrap"])

    def line(self, *cells, style: str = "wrap") -> None:
        """Write ``cells`` from column A (a label, bold when ``style`` says so), then go down a row."""
        for col, value in enumerate(cells):
            self.cell(col, value, self.formats[style] if col == 0 or style == "heading" else self.formats["wrap"])
        self.row += 1

    def cell(self, col: int, value, cell_format) -> None:
        if isinstance(value, bool) or value is None or value == "":
            return
        if isinstance(value, int | float):
            self.worksheet.write_number(self.row, col, value, cell_format)
        elif isinstance(value, datetime.date):
            self.worksheet.write_datetime(self.row, col, value, self.formats["date"])
        elif str(value).startswith("<r>") and str(value).endswith("</r>"):
            # XlsxWriter copies such a string into the file's XML as it is (it takes it for
            # rich text of its own): in escaped runs it stays the text it is.
            text = str(value)
            self.worksheet.write_rich_string(self.row, col, text[:1], text[1:2], text[2:], cell_format)
        else:
            self.worksheet.write_string(self.row, col, str(value), cell_format)

    def skip(self) -> None:
        self.row += 1


def _iso_date(value: str | None) -> datetime.date | str:
    try:
        return datetime.date.fromisoformat(value) if value else ""
    except ValueError:
        return value or ""


def cnil_workbook(document: dict) -> bytes:
    """The register document in the CNIL model's layout (.xlsx): the list of activities with
    the organisation's contacts, then one record sheet per activity named after its reference.

    Raises ValueError beyond CNIL_LAYOUT_LIMIT activities (one sheet each)."""
    activities = document.get("activities", [])
    if len(activities) > CNIL_LAYOUT_LIMIT:
        raise ValueError(
            _("The CNIL layout holds at most %(limit)s activities: export the register as XLSX or JSON instead.")
            % {"limit": CNIL_LAYOUT_LIMIT}
        )
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    formats = {
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "label": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
        "heading": workbook.add_format({"bold": True, "text_wrap": True, "bg_color": "#DCE6F1", "valign": "top"}),
        "date": workbook.add_format({"num_format": "dd/mm/yyyy", "valign": "top"}),
    }
    organisation = document.get("organisation") or {}
    _write_list(_SheetWriter(workbook.add_worksheet(LIST_SHEET), formats), organisation, activities)
    for activity, title in zip(activities, _sheet_titles(activities), strict=True):
        _write_record(_SheetWriter(workbook.add_worksheet(title), formats), organisation, activity)
    workbook.close()
    return output.getvalue()


def _sheet_titles(activities: list[dict]) -> list[str]:
    """Sheet names from the references, within Excel's rules: 31 characters at most, none of
    ``[]:*?/\\``, no apostrophe at either end, unique whatever the case."""
    used, titles = {_key(LIST_SHEET), "history"}, []
    for activity in activities:
        base = re.sub(r"[\[\]:*?/\\]", "-", activity.get("reference") or activity.get("name") or "Fiche")
        base = " ".join(base.split()).strip("'")[:31] or "Fiche"
        title, number = base, 1
        while _key(title) in used:
            number += 1
            suffix = f" ({number})"
            title = base[: 31 - len(suffix)] + suffix
        used.add(_key(title))
        titles.append(title)
    return titles


def _write_list(sheet: _SheetWriter, organisation: dict, activities: list[dict]) -> None:
    dpo, representative = organisation.get("dpo") or {}, organisation.get("representative") or {}
    sheet.line(
        "Coordonnées du responsable de l’organisme", "Nom :", organisation.get("name"), "Prénom :", "",
        "Adresse :", organisation.get("address"), "Adresse mél :", organisation.get("email"), style="label",
    )  # fmt: skip
    sheet.line(
        "", "Code postal :", organisation.get("postcode"), "Ville :", organisation.get("city"),
        "Téléphone :", organisation.get("phone"),
    )  # fmt: skip
    sheet.line(
        "Coordonnées du représentant", "Nom :", representative.get("name"), "Prénom :", "",
        "Adresse :", representative.get("contact"), style="label",
    )  # fmt: skip
    sheet.line("", "Code postal :", "", "Ville :", "", "Téléphone :", "")
    sheet.line(
        "Coordonnées du délégué à la protection des données (DPO)", "Nom :", dpo.get("name"), "Prénom :", "",
        "Société (si DPO externe) :", "", style="label",
    )  # fmt: skip
    sheet.line(
        "", "Code postal :", "", "Ville :", "", "Téléphone :", dpo.get("phone"), "Adresse mél :", dpo.get("email")
    )
    sheet.line(
        "Identification du traitement",
        "",
        "",
        "",
        "Finalité du traitement",
        "",
        "",
        "Données sensibles ?",
        style="heading",
    )
    sheet.line(
        "Nom du traitement", "N° / RÉF", "Date de création de la fiche", "Dernière mise à jour de la fiche",
        "", "", "", "Oui/non", style="heading",
    )  # fmt: skip
    for activity in activities:
        sensitive = activity.get("criterion_sensitive") or any(
            field.get("category") in (Category.SPECIAL, Category.CRIMINAL) for field in activity.get("data_fields", [])
        )
        sheet.line(
            activity.get("name"), activity.get("reference"), "", _iso_date(activity.get("last_reviewed_on")),
            activity.get("purpose"), "", "", "Oui" if sensitive else "Non",
        )  # fmt: skip


def _write_record(sheet: _SheetWriter, organisation: dict, activity: dict) -> None:
    sheet.worksheet.write_string(0, 7, activity.get("reference") or "")
    sheet.line(PROCESSOR_TITLE if activity.get("role") == "processor" else "Fiche de registre", style="label")
    sheet.skip()
    sheet.line("Description du traitement", style="heading")
    sheet.line("Nom du traitement", activity.get("name"), style="label")
    sheet.line("N° / RÉF", activity.get("reference"), style="label")
    sheet.line("Date de création du traitement", style="label")
    sheet.line("Mise à jour du traitement", _iso_date(activity.get("last_reviewed_on")), style="label")
    sheet.skip()
    _write_actors(sheet, organisation, activity)
    sheet.skip()
    sheet.line("Finalité(s) du traitement effectué", style="heading")
    sheet.line("Finalité principale", activity.get("purpose"), style="label")
    sub_purposes = [line for line in (activity.get("sub_purposes") or "").split("\n") if line.strip()]
    for number in range(max(5, len(sub_purposes))):
        sheet.line(
            f"Sous-finalité {number + 1}", sub_purposes[number] if number < len(sub_purposes) else "", style="label"
        )
    sheet.skip()
    _write_data(sheet, activity)
    _write_people_and_measures(sheet, activity)
    sheet.skip()
    _write_transfers(sheet, activity)


# A processor's record (Art. 30(2)(a)) names the processor and "each controller on behalf of which the processor is
# acting": the organisation is not "the controller" there, and its clients are not joint controllers (an Art. 26
# statement the register would wrongly make).
PROCESSOR_TITLE = "Fiche de registre du sous-traitant (art. 30.2 du RGPD)"
PROCESSOR_LABEL = "Sous-traitant"
CLIENTS_LABEL = "Responsable(s) du traitement pour le compte duquel (desquels) le sous-traitant agit"
# Under each other controller, where known: its representative and its DPO (Art. 30(1)(a), 30(2)(a)). The model has
# no row for them; these labels are read back onto the controller above them.
PARTY_REPRESENTATIVE_LABEL = "Représentant de ce responsable du traitement"
PARTY_DPO_LABEL = "Délégué à la protection des données de ce responsable du traitement"


def _write_actors(sheet: _SheetWriter, organisation: dict, activity: dict) -> None:
    dpo, representative = organisation.get("dpo") or {}, organisation.get("representative") or {}
    processor = activity.get("role") == "processor"
    sheet.line("Acteurs", *ACTOR_HEADINGS, style="heading")
    sheet.line(
        PROCESSOR_LABEL if processor else "Responsable du traitement", organisation.get("name"),
        organisation.get("address"), organisation.get("postcode"), organisation.get("city"), "",
        organisation.get("phone"), organisation.get("email"), style="label",
    )  # fmt: skip
    sheet.line(
        "Délégué à la protection des données", dpo.get("name"), "", "", "", "", dpo.get("phone"), dpo.get("email"),
        style="label",
    )  # fmt: skip
    sheet.line("Société du DPO (si celui-ci est externe)", style="label")
    sheet.line("Représentant", representative.get("name"), representative.get("contact"), style="label")
    parties_label = CLIENTS_LABEL if processor else "Responsable(s) conjoint(s)"
    for party in activity.get("controller_parties") or [{}]:
        sheet.line(parties_label, party.get("name"), party.get("contact"), style="label")
        if party.get("representative"):
            sheet.line(PARTY_REPRESENTATIVE_LABEL, party["representative"], style="label")
        if party.get("dpo_contact"):
            sheet.line(PARTY_DPO_LABEL, party["dpo_contact"], style="label")


def _write_data(sheet: _SheetWriter, activity: dict) -> None:
    """Data fields on their category's row, each retention period on its category's row."""
    fields = activity.get("data_fields", [])
    periods: dict[CategoryRow | None, list[str]] = {}
    for line in activity.get("retention_lines", []):
        periods.setdefault(_retention_row(line["data_category"], fields), []).append(retention_text(line))
    for sensitive, heading in ((False, "Catégories de données personnelles concernées"), (True, "Données sensibles")):
        sheet.line(heading, "Description", "", "", "Durée de conservation", style="heading")
        for row in (row for row in CATEGORY_ROWS if row.sensitive == sensitive):
            names = [
                f["name"]
                for f in fields
                if (f["category"], f["special_category"]) == (row.category, row.special_category)
            ]
            if row.in_model or names or row in periods:
                sheet.line(row.label, "\n".join(names), "", "", "\n".join(periods.get(row, [])), style="label")
        if not sensitive and None in periods:
            sheet.line(ALL_DATA_LABEL, "", "", "", "\n".join(periods[None]), style="label")
        sheet.skip()


def _retention_row(category: str, fields: list[dict]) -> CategoryRow | None:
    """The row a retention period goes on: its category's (for special categories, the first
    kind the activity has, else health); None when it covers all the data."""
    if not category:
        return None
    rows = [row for row in CATEGORY_ROWS if row.category == category]
    kinds = {field["special_category"] for field in fields if field["category"] == category}
    fallback = next((row for row in rows if row.special_category == Special.HEALTH), rows[0])
    return next((row for row in rows if row.special_category in kinds), fallback)


def _write_people_and_measures(sheet: _SheetWriter, activity: dict) -> None:
    subjects = [_subject_cells(subject) for subject in activity.get("data_subjects", [])]
    recipients = [(_recipient_type(r), r["name"]) for r in activity.get("recipients", [])]
    measure_words = {code: word for _keyword, code, word in MEASURE_TYPES}
    measures = [
        (measure_words.get(m["kind"], MEASURE_TYPES[-1][2]), m.get("details", ""))
        for m in activity.get("security_measures", [])
    ]
    sections = (
        ("Catégories de personnes concernées", "Description", "Catégorie de personnes", subjects, 2),
        ("Destinataires", "Type de destinataire", "Destinataire", recipients, 4),
        ("Mesures de sécurité", "Type de mesure de sécurité", "Mesure de sécurité", measures, 3),
    )
    for number, (heading, column, label, rows, minimum) in enumerate(sections):
        if number:
            sheet.skip()
        sheet.line(heading, column, "", "", "Précisions", style="heading")
        for index in range(max(minimum, len(rows))):
            kind, details = rows[index] if index < len(rows) else ("", "")
            sheet.line(f"{label} {index + 1}", kind, "", "", details, style="label")


def _subject_cells(subject: dict) -> tuple[str, str]:
    """A category of people the CNIL lists, with its details; any other under "Autres"."""
    cnil_name = next((name for name in SUBJECT_TYPES if _key(name) == _key(subject["name"])), None)
    return (cnil_name, subject.get("description", "")) if cnil_name else (OTHER_SUBJECTS, subject["name"])


def _recipient_type(recipient: dict) -> str:
    if recipient.get("kind") == Kind.OTHER and recipient.get("country") and recipient["country"] not in EEA:
        return RECIPIENT_TYPES[2][2]
    return RECIPIENT_TYPE_OF_KIND.get(recipient.get("kind"), RECIPIENT_TYPES[4][2])


def _write_transfers(sheet: _SheetWriter, activity: dict) -> None:
    sheet.line(
        "Transferts hors UE",
        "Destinataire",
        "Pays",
        "Type de Garanties",
        "",
        "Liens vers la documentation",
        style="heading",
    )
    transfers = activity.get("transfers", [])
    for index in range(max(4, len(transfers))):
        if index >= len(transfers):
            sheet.line(f"Organisme destinataire {index + 1}", style="label")
            continue
        transfer = transfers[index]
        destination = french_country_name(transfer["country"]) if transfer.get("country") else ""
        if transfer.get("international_organisation"):
            destination = ORGANISATION_PREFIX + transfer["international_organisation"]
        mechanism = transfer.get("mechanism") or ""
        sheet.line(
            f"Organisme destinataire {index + 1}", transfer.get("recipient") or transfer.get("system") or "",
            destination, _guarantee_word(mechanism), "", _transfer_documentation(transfer), style="label",
        )  # fmt: skip


def _guarantee_word(mechanism: str) -> str:
    """The CNIL's word closest to a Registre transfer tool."""
    if mechanism in EXACT_GUARANTEES:
        return EXACT_GUARANTEES[mechanism]
    if mechanism.startswith("derogation") or mechanism == Mechanism.COMPELLING_INTEREST:
        return DEROGATIONS
    return SCC if mechanism else ""


def _transfer_documentation(transfer: dict) -> str:
    lines = [transfer.get("documentation") or ""]
    mechanism = transfer.get("mechanism") or ""
    if mechanism and mechanism not in EXACT_GUARANTEES:
        with translation.override("fr"):
            lines.append(MECHANISM_PREFIX + str(Mechanism(mechanism).label))
    if transfer.get("safeguards"):
        lines.append(SAFEGUARDS_PREFIX + transfer["safeguards"])
    return "\n".join(line for line in lines if line)

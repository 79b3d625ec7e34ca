"""The CNIL model register ("registre simplifié", .ods or .xlsx), read into a register
document (see ``document.py``) and written from one.

Reading. DPOs copy the model's record sheet under names of their own, insert rows, move the
list sheet: sheets and rows are found by their French labels ("Finalité principale",
"Nom du traitement"…), never by sheet name or position. The tutorial and the drop-down lists
carry none of those labels; the model sheet left empty (no name, no purpose) is skipped; the
CNIL's example is skipped only while it still is the example as published ("Gestion de la
paie", reference "1 - Exemple"): a copy of it the DPO filled with a real activity is read,
with a warning. The creation and last-update dates of a record sheet are kept in the
activity's description (ISO dates), as the register document has no field for them.

Writing. The same layout, in French, one record sheet per activity, so that a DPO can hand
it to someone who only knows the CNIL model. The model cannot carry everything Registre
records (lawful basis, DPIA, systems, TIA…): ``read_cnil_workbook(cnil_workbook(document))``
gives back the activities' names, references, purposes, data, retention, people, recipients,
measures, joint controllers and transfers, and nothing more.

python-calamine reads both formats without evaluating formulas or expanding XML entities;
XlsxWriter writes every text with ``write_string`` so that a value starting with "=" stays
text.
"""

import dataclasses
import datetime
import enum
import functools
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from xml.parsers import expat

import xlsxwriter
from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries
from python_calamine import CalamineWorkbook, SheetTypeEnum

from core.text import normalise_key
from inventory.models import DataField, Recipient
from inventory.reference import EEA

from ..models import ProcessingActivity, RetentionLine, SecurityMeasure, Transfer
from .document import ACTIVITY_FIELDS, FORMAT, PART_FIELDS, VERSION
from .problems import ERROR, WARNING, Problem, UnreadableFile

CNIL_LAYOUT_LIMIT = 250  # activities in one written workbook: one sheet each
MAX_SHEETS = 300
MAX_ROWS = 5_000
MAX_COLUMNS = 200
# calamine loads a sheet whole, as a dense grid from A1 to its last cell (about 32 bytes a
# cell) and aborts the process when memory runs out: beyond these, the file is refused.
MAX_CELLS = 5_000_000
MAX_UNCOMPRESSED = 200 * 1024 * 1024

Category = DataField.Category
Special = DataField.SpecialCategory
Kind = Recipient.Kind
Measure = SecurityMeasure.Kind
Mechanism = Transfer.Mechanism
Trigger = RetentionLine.Trigger
Unit = RetentionLine.Unit


@dataclasses.dataclass
class CnilReading:
    document: dict
    problems: list[Problem]

    @property
    def has_errors(self) -> bool:
        return any(problem.is_error for problem in self.problems)


# --- The model's vocabulary ----------------------------------------------------------------
# Keywords are matched, accent- and case-insensitively, at the start of a word of a label, so
# that "Sous-traitants" and "sous traitant" or an older model's wording are all understood.


@dataclasses.dataclass(frozen=True)
class CategoryRow:
    keywords: tuple[str, ...]
    category: str
    special_category: str
    label: str  # the model's wording, written back
    field_name: str  # the data field made when a row gives a retention period but no data
    sensitive: bool = False
    in_model: bool = True  # the current model has the row (the others are written when used)


CATEGORY_ROWS = (
    CategoryRow(
        ("etat civil",),
        Category.IDENTIFICATION,
        "",
        "État civil, identité, données d'identification, images…",
        "Identité",
    ),
    CategoryRow(
        ("vie personnelle",),
        Category.PERSONAL_LIFE,
        "",
        "Vie personnelle (habitudes de vie, situation familiale, etc.)",
        "Vie personnelle",
    ),
    CategoryRow(
        ("vie professionnelle",),
        Category.PROFESSIONAL_LIFE,
        "",
        "Vie professionnelle (CV, scolarité, formation professionnelle, distinctions, etc.)",
        "Vie professionnelle",
        in_model=False,
    ),
    CategoryRow(
        ("economique",),
        Category.ECONOMIC,
        "",
        "Informations d'ordre économique et financier (revenus, situation financière, situation fiscale, etc.)",
        "Informations économiques et financières",
    ),
    CategoryRow(
        ("donnees de connexion",),
        Category.CONNECTION,
        "",
        "Données de connexion (adresse IP, logs, etc.)",
        "Données de connexion",
    ),
    CategoryRow(
        ("localisation",),
        Category.LOCATION,
        "",
        "Données de localisation (déplacements, données GPS, GSM, etc.)",
        "Données de localisation",
    ),
    CategoryRow(
        ("internet", "cookies"),
        Category.ONLINE_IDENTIFIERS,
        "",
        "Internet (cookies, traceurs, données de navigation, mesures d'audience, etc.)",
        "Identifiants en ligne",
        in_model=False,
    ),
    CategoryRow(
        ("securite sociale", "nir"),
        Category.NATIONAL_ID,
        "",
        "Numéro de Sécurité Sociale (ou NIR)",
        "Numéro de sécurité sociale (NIR)",
    ),
    CategoryRow(
        ("autres donnees",), Category.OTHER, "", "Autres données (à préciser)", "Autres données", in_model=False
    ),
    CategoryRow(
        ("origine raciale", "ethnique"),
        Category.SPECIAL,
        Special.RACIAL_ETHNIC,
        "Données révélant l'origine raciale ou ethnique",
        "Origine raciale ou ethnique",
        sensitive=True,
    ),
    CategoryRow(
        ("opinions politiques",),
        Category.SPECIAL,
        Special.POLITICAL,
        "Données révélant les opinions politiques",
        "Opinions politiques",
        sensitive=True,
    ),
    CategoryRow(
        ("religieuses", "philosophiques"),
        Category.SPECIAL,
        Special.RELIGIOUS,
        "Données révélant les convictions religieuses ou philosophiques",
        "Convictions religieuses ou philosophiques",
        sensitive=True,
    ),
    CategoryRow(
        ("syndicale",),
        Category.SPECIAL,
        Special.TRADE_UNION,
        "Données révélant l'appartenance syndicale",
        "Appartenance syndicale",
        sensitive=True,
    ),
    CategoryRow(
        ("genetiques",), Category.SPECIAL, Special.GENETIC, "Données génétiques", "Données génétiques", sensitive=True
    ),
    CategoryRow(
        ("biometriques",),
        Category.SPECIAL,
        Special.BIOMETRIC,
        "Données biométriques aux fins d'identifier une personne physique de manière unique",
        "Données biométriques",
        sensitive=True,
    ),
    CategoryRow(
        ("sante",), Category.SPECIAL, Special.HEALTH, "Données concernant la santé", "Données de santé", sensitive=True
    ),
    CategoryRow(
        ("vie sexuelle", "orientation sexuelle"),
        Category.SPECIAL,
        Special.SEX_LIFE,
        "Données concernant la vie sexuelle ou l'orientation sexuelle",
        "Vie sexuelle ou orientation sexuelle",
        sensitive=True,
    ),
    CategoryRow(
        ("condamnations", "infractions"),
        Category.CRIMINAL,
        "",
        "Données relatives à des condamnations pénales ou infractions",
        "Condamnations pénales et infractions",
        sensitive=True,
    ),
)
OTHER_ROW = next(row for row in CATEGORY_ROWS if row.category == Category.OTHER)
# Registre's own row for a retention period that covers all the activity's data.
ALL_DATA_LABEL = "Toutes les données du traitement"

SUBJECT_TYPES = ("Salariés", "Services internes", "Clients", "Fournisseurs", "Prestataires", "Prospects", "Candidats")
OTHER_SUBJECTS = "Autres (préciser)"

RECIPIENT_TYPES = (
    ("service interne", Kind.INTERNAL, "Service interne qui traite les données"),
    ("sous-traitant", Kind.PROCESSOR, "Sous-traitants"),
    ("pays tiers", Kind.OTHER, "Destinataires dans des pays tiers ou organisations internationales"),
    ("partenaires", Kind.CONTROLLER, "Partenaires institutionnels ou commerciaux"),
    ("autre", Kind.OTHER, "Autre (Préciser)"),
)
RECIPIENT_TYPE_OF_KIND = {
    Kind.INTERNAL: RECIPIENT_TYPES[0][2],
    Kind.PROCESSOR: RECIPIENT_TYPES[1][2],
    Kind.SUB_PROCESSOR: RECIPIENT_TYPES[1][2],
    Kind.CONTROLLER: RECIPIENT_TYPES[3][2],
    Kind.PUBLIC_AUTHORITY: RECIPIENT_TYPES[3][2],
    Kind.OTHER: RECIPIENT_TYPES[4][2],
}

MEASURE_TYPES = (
    ("tracabilite", Measure.TRACEABILITY, "Mesures de traçabilité"),
    ("protection des logiciels", Measure.SOFTWARE_PROTECTION, "Mesures de protection des logiciels"),
    ("sauvegarde", Measure.BACKUP, "Sauvegarde des données"),
    ("chiffrement", Measure.ENCRYPTION, "Chiffrement des données"),
    ("controle d'acces", Measure.ACCESS_CONTROL, "Contrôle d'accès des utilisateurs"),
    ("sous-traitants", Measure.PROCESSOR_CONTROL, "Contrôle des sous-traitants"),
    ("autres mesures", Measure.OTHER, "Autres mesures (à préciser)"),
)

# The CNIL's "Type de garanties" list. Its "Privacy shield" is read as such (invalidated in
# 2020) so that Registre's checks flag it; its "CCT" does not say which 2021 module.
SCC = "Clauses contractuelles types (CCT)"
DEROGATIONS = "Dérogations (art 49)"
GUARANTEES = (
    (("privacy shield",), Mechanism.PRIVACY_SHIELD, "Privacy shield"),
    (("pays adequat", "adequation", "adequacy"), Mechanism.ADEQUACY, "Pays adéquat"),
    (("regles d'entreprise", "bcr", "binding corporate"), Mechanism.BCR, "Règles d'entreprise contraignantes (BCR)"),
    (("clauses contractuelles", "cct", "scc", "standard contractual"), Mechanism.SCC_MODULE_2, SCC),
    (("code de conduite", "code of conduct"), Mechanism.CODE_OF_CONDUCT, "Code de conduite"),
    (("certification",), Mechanism.CERTIFICATION, "Certification"),
    (("derogation", "art 49", "article 49"), "", DEROGATIONS),
)
EXACT_GUARANTEES = {code: word for _keywords, code, word in GUARANTEES if code and code != Mechanism.SCC_MODULE_2}
# Written after the documentation when the CNIL word is not the exact transfer tool.
MECHANISM_PREFIX = "Outil de transfert (Registre) : "
SAFEGUARDS_PREFIX = "Garanties appropriées : "
LEGAL_REFERENCE_PREFIX = "Référence : "
ORGANISATION_PREFIX = "Organisation internationale : "

PLACEHOLDER = "selectionnez un element"  # the model's "Sélectionnez un élément dans cette liste déroulante ►"
EMPTY_MARKERS = {"n/a", "na", "-", "neant", "sans objet", "non applicable", "aucun", "aucune"}
CNIL_EXAMPLE = ("gestion de la paie", "1 - exemple")  # name and reference of the model's example


# --- Text of cells -------------------------------------------------------------------------


def _key(text: str) -> str:
    """A label's matching key: no case, no accents, no trailing colon."""
    return normalise_key(text.replace("’", "'")).rstrip(" :")


def _has_keyword(key: str, keywords) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(keyword)}", key) for keyword in keywords)


def _text(value) -> str:
    """A cell as text: numbers without a useless ".0", dates in ISO, placeholders and "N/A" as ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    text = "\n".join(line.strip() for line in lines).strip()
    key = _key(text)
    return "" if key in EMPTY_MARKERS or key.startswith(PLACEHOLDER) else text


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _postcode(value, country: str = "") -> str:
    """A postcode typed as a number loses its zeros ("01000" → 1000.0): French ones have five digits."""
    text = _text(value)
    is_french = _key(country) in ("", "france")
    if isinstance(value, int | float) and not isinstance(value, bool) and text.isdigit() and is_french:
        return text.zfill(5)
    return text


def _date(value) -> str | None:
    """An ISO date from a date cell, a spreadsheet serial number or "26/05/2018"; None if unreadable."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool) and 18_264 <= value <= 73_051:  # 1950-2100
        return (datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))).isoformat()
    text = _text(value)
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y"):
        try:
            return datetime.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return None


# --- Countries -----------------------------------------------------------------------------

# The CNIL list's names that django-countries spells otherwise, and common short forms.
COUNTRY_ALIASES = {
    "etats unis": "US",
    "usa": "US",
    "united states": "US",
    "kirghizstan": "KG",
    "macedoine": "MK",
    "marshall": "MH",
    "micronesie": "FM",
    "rep dem du congo": "CD",
    "swaziland": "SZ",
    "trinite et tobago": "TT",
    "uk": "GB",
    "angleterre": "GB",
    "coree": "KR",
}


def _country_key(name: str) -> str:
    return normalise_key(re.sub(r"[-'’.,()]", " ", name))


@functools.cache
def _country_codes() -> dict[str, str]:
    """Country names in French, then English, to ISO codes (French first: the CNIL's language)."""
    codes = dict(COUNTRY_ALIASES)
    for language in ("fr", "en"):
        with translation.override(language):
            for code, name in countries:
                codes.setdefault(_country_key(name), code)
    return codes


def country_code(name: str) -> str | None:
    if re.fullmatch(r"[A-Z]{2}", name) and name in countries:
        return name
    return _country_codes().get(_country_key(name))


def french_country_name(code: str) -> str:
    with translation.override("fr"):
        return str(countries.name(code) or code)


# --- Retention periods ---------------------------------------------------------------------

NUMBER_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20, "trente": 30,
}  # fmt: skip
UNIT_WORDS = (
    (r"ans?|annees?|years?", Unit.YEARS, 1),
    (r"mois|months?", Unit.MONTHS, 1),
    (r"semaines?|weeks?", Unit.DAYS, 7),
    (r"jours?|days?", Unit.DAYS, 1),
)
DURATION = re.compile(
    r"(?<!\w)(\d+|" + "|".join(NUMBER_WORDS) + r")\s*(" + "|".join(words for words, _u, _f in UNIT_WORDS) + r")(?!\w)"
)
CONNECTOR = re.compile(
    r"^[\s,;:(–-]*(?:a compter|a partir|apres|suivant|depuis|jusqu'a|jusqu'au|after|from|since)(?!\w)\s*"
    r"(?:(?:de la|de l'|du|des|de|d'|la|le|l'|les|the)(?:\s+|(?<=')))?"
)
ARTICLE = re.compile(r"^(?:de la|de l'|du|des|de|d'|la|le|l'|les|the)(?:\s+|(?<='))", re.IGNORECASE)
# "la fin du contrat" and "la durée du contrat + 5 ans" both count from the end of the contract.
TRIGGER_PHRASES = (
    (
        Trigger.END_OF_EMPLOYMENT,
        (
            "contrat de travail",
            "depart du salarie",
            "depart de l'employe",
            "depart du collaborateur",
            "depart de l'agent",
        ),
    ),
    (
        Trigger.END_OF_EMPLOYMENT,
        ("depart de l'entreprise", "relation de travail", "sortie des effectifs", "end of employment"),
    ),
    (
        Trigger.END_OF_CONTRACT,
        ("fin du contrat", "duree du contrat", "relation commerciale", "relation contractuelle", "terme du contrat"),
    ),
    (Trigger.END_OF_CONTRACT, ("end of the contract", "end of contract")),
    (Trigger.LAST_CONTACT, ("dernier contact", "last contact")),
    (Trigger.COLLECTION, ("collecte", "collection")),
    (Trigger.END_OF_FINANCIAL_YEAR, ("cloture de l'exercice", "fin de l'exercice", "end of the financial year")),
    (Trigger.PAYMENT, ("paiement", "payment")),
    (Trigger.CONSENT_WITHDRAWN, ("retrait du consentement", "withdrawal of consent")),
    (Trigger.CASE_CLOSED, ("cloture du dossier", "case closed")),
)
TRIGGER_WORDS = {
    Trigger.COLLECTION: "de la collecte",
    Trigger.LAST_CONTACT: "du dernier contact",
    Trigger.END_OF_CONTRACT: "de la fin du contrat",
    Trigger.END_OF_EMPLOYMENT: "du départ du salarié",
    Trigger.END_OF_FINANCIAL_YEAR: "de la clôture de l'exercice",
    Trigger.PAYMENT: "du paiement",
    Trigger.CASE_CLOSED: "de la clôture du dossier",
    Trigger.CONSENT_WITHDRAWN: "du retrait du consentement",
}


def _fold(text: str) -> str:
    """Lower case without accents, one character for one, so that positions found in the
    folded text cut the original text."""

    def fold_char(char: str) -> str:
        base = [part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part)]
        return (base[0] if base else char).lower()[:1] or char

    return "".join(fold_char(char) for char in text.replace("’", "'"))


def _duration(match: re.Match) -> tuple[int, str]:
    number, unit_word = match.group(1), match.group(2)
    count = int(number) if number.isdigit() else NUMBER_WORDS[number]
    for words, unit, factor in UNIT_WORDS:
        if re.fullmatch(words, unit_word):
            return count * factor, unit
    raise AssertionError(unit_word)  # DURATION only matches the words of UNIT_WORDS


def _trigger(text: str, folded: str, connector_required: bool) -> tuple[str, str]:
    """The event a period is counted from: a Registre code, or "other" with its words."""
    connector = CONNECTOR.match(folded)
    if connector is None and connector_required:
        return "", ""
    start = connector.end() if connector else len(folded) - len(folded.lstrip(" ,;:("))
    words = text[start:].strip(" ,;:.()")
    if not words:
        return "", ""
    for trigger, phrases in TRIGGER_PHRASES:
        if any(phrase in folded[start:] for phrase in phrases):
            return trigger, ""
    return Trigger.OTHER, ARTICLE.sub("", words, count=1)[:200]


def _end_action(folded: str) -> dict:
    if "archiv" in folded and (match := DURATION.search(folded)):
        duration, unit = _duration(match)
        return {"end_action": "archive", "archive_duration": duration, "archive_duration_unit": unit}
    if "anonymis" in folded:
        return {"end_action": "anonymise"}
    return {}


def parse_retention(text: str) -> dict:
    """The fields of a retention line read from French words.

    "5 ans à compter de la fin du contrat" → 5 years from the end of the contract; "13 mois
    après la collecte"; "jusqu'à la fin de la relation commerciale puis 3 ans" (or "durée du
    contrat + 3 ans") → 3 years from the end of the contract; "…, puis archivage intermédiaire
    5 ans" → an intermediate archive. Without a readable duration, the text is the criteria.
    """
    folded = _fold(text)
    cut = re.search(r"(?<!\w)puis(?!\w)|\+", folded)
    head, tail = (folded[: cut.start()], folded[cut.end() :]) if cut else (folded, "")
    fields: dict = {}
    if match := DURATION.search(head):
        fields["duration"], fields["duration_unit"] = _duration(match)
        fields["trigger"], fields["trigger_details"] = _trigger(text[match.end() :], head[match.end() :], True)
        fields |= _end_action(tail)
    elif (match := DURATION.search(tail)) and "archiv" not in tail[: match.start()]:
        fields["duration"], fields["duration_unit"] = _duration(match)
        fields["trigger"], fields["trigger_details"] = _trigger(text[: len(head)], head, False)
        fields |= _end_action(tail[match.end() :])
    else:
        fields["criteria"] = text
    return fields


def retention_text(line: dict) -> str:
    """A retention line in the words ``parse_retention`` reads back."""
    if line.get("duration") is None:
        text = line.get("criteria", "")
    else:
        text = _duration_words(line["duration"], line.get("duration_unit", ""))
        trigger = line.get("trigger", "")
        if trigger == Trigger.OTHER and line.get("trigger_details"):
            text += f" à compter de {line['trigger_details']}"
        elif trigger in TRIGGER_WORDS:
            text += f" à compter {TRIGGER_WORDS[trigger]}"
        if line.get("end_action") == "archive" and line.get("archive_duration") is not None:
            archive = _duration_words(line["archive_duration"], line.get("archive_duration_unit", ""))
            text += f", puis archivage intermédiaire {archive}"
        elif line.get("end_action") == "anonymise":
            text += ", puis anonymisation"
    if line.get("legal_reference"):
        text += f"\n{LEGAL_REFERENCE_PREFIX}{line['legal_reference']}"
    return text


def _duration_words(duration: int, unit: str) -> str:
    words = {Unit.YEARS: ("an", "ans"), Unit.MONTHS: ("mois", "mois"), Unit.DAYS: ("jour", "jours")}
    singular, plural = words.get(unit, ("", ""))
    return f"{duration} {singular if duration == 1 else plural}".strip()


# --- Reading: sheets, lines and problems ---------------------------------------------------


@dataclasses.dataclass
class _Sheet:
    name: str
    rows: list[list]


class _Problems(list):
    def add(self, sheet: str, row: int | None, column: int | None, message: str, level: str = WARNING):
        """Record a problem at 0-based ``row`` and ``column`` indexes (shown 1-based and as letters)."""
        letter = column_letter(column) if column is not None else None
        self.append(Problem(sheet, row + 1 if row is not None else None, letter, message, level))


@dataclasses.dataclass
class _Line:
    """One row of a record sheet, with the section it sits in and that section's columns."""

    sheet: _Sheet
    index: int
    section: str
    columns: dict[str, int]
    label: str
    cells: list
    label_col: int = 0

    @property
    def key(self) -> str:
        return _key(self.label)

    def column(self, header: str, offset: int) -> int:
        """The column under a heading of the section ("Précisions"), or where the model has it."""
        return next((col for key, col in self.columns.items() if key.startswith(header)), self.label_col + offset)

    def raw(self, col: int):
        return self.cells[col] if col < len(self.cells) else ""

    def text(self, col: int) -> str:
        return _text(self.raw(col))


SECTIONS = (
    ("description du traitement", "description"),
    ("acteurs", "actors"),
    ("finalite(s) du traitement", "purposes"),
    ("finalites du traitement", "purposes"),
    ("categories de donnees personnelles", "data"),
    ("donnees sensibles", "data"),
    ("categories de personnes concernees", "subjects"),
    ("destinataires", "recipients"),
    ("mesures de securite", "measures"),
    ("transferts hors ue", "transfers"),
)


def _open(data: bytes) -> CalamineWorkbook:
    _check_size(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:  # calamine says "Cannot detect file format", a zip or XML error…
        raise UnreadableFile(
            _("This file could not be read as a spreadsheet: save it as .ods or .xlsx and try again.")
        ) from error
    if len(workbook.sheet_names) > MAX_SHEETS:
        raise UnreadableFile(
            _("This workbook has %(count)s sheets; Registre reads at most %(limit)s.")
            % {"count": len(workbook.sheet_names), "limit": MAX_SHEETS}
        )
    return workbook


def _not_a_spreadsheet() -> UnreadableFile:
    return UnreadableFile(_("This file could not be read as a spreadsheet: save it as .ods or .xlsx and try again."))


def _too_large() -> UnreadableFile:
    return UnreadableFile(
        _("This file is too large to be read: keep only the register in it (its list and its record sheets).")
    )


def _check_size(data: bytes) -> None:
    """Refuse, before calamine loads it, a file that would exhaust the memory: more than
    MAX_UNCOMPRESSED bytes once unzipped, or a sheet of more than MAX_CELLS cells (counted
    from A1 to its last filled cell, as calamine lays them out). Only .ods and .xlsx (zip
    files) are accepted; the sheets' XML is scanned as a stream, without any DTD."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "content.xml" in names:
            scanned = {"content.xml"}
        elif "xl/workbook.xml" in names:
            scanned = {name for name in names if name.startswith("xl/worksheets/") and name.endswith(".xml")}
        else:
            raise _not_a_spreadsheet()
        budget = MAX_UNCOMPRESSED
        for info in archive.infolist():
            counter = _CellCounter(ods=info.filename == "content.xml") if info.filename in scanned else None
            with archive.open(info) as member:
                while chunk := member.read(1 << 20):
                    budget -= len(chunk)
                    if budget < 0:
                        raise _too_large()
                    if counter:
                        counter.feed(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError, expat.ExpatError) as error:
        raise _not_a_spreadsheet() from error


class _CellCounter:
    """Follows the rows and cells of the sheets' XML (ODS repeats included) and raises
    ``_too_large()`` as soon as a sheet reaches past MAX_CELLS cells."""

    def __init__(self, ods: bool):
        self.ods = ods
        self.parser = expat.ParserCreate(namespace_separator="}")
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.StartDoctypeDeclHandler = self.refuse
        self.parser.EntityDeclHandler = self.refuse
        self.new_sheet()

    def feed(self, chunk: bytes) -> None:
        self.parser.Parse(chunk, False)

    def refuse(self, *args):
        raise ValueError("no DTD in a spreadsheet")

    def new_sheet(self):
        self.row = self.col = self.height = self.width = self.cells = 0
        self.row_repeat = self.cell_repeat = 1
        self.row_width, self.in_cell, self.filled = 0, False, False

    def start(self, name: str, attributes: dict) -> None:
        local = name.rsplit("}", 1)[-1]
        if self.in_cell:
            self.filled = True  # a value, a text or a formula inside the cell
        elif local == "table" and self.ods:
            self.new_sheet()
        elif local in ("table-row", "row"):
            self.start_row(attributes)
        elif local in ("table-cell", "covered-table-cell", "c"):
            self.start_cell(attributes)

    def start_row(self, attributes: dict) -> None:
        self.row_width = self.col = 0
        if self.ods:
            self.row_repeat = self.repeat(attributes, "number-rows-repeated")
        elif reference := _attribute(attributes, "r"):
            self.row = int(reference) - 1

    def start_cell(self, attributes: dict) -> None:
        self.in_cell = True
        if self.ods:
            self.cell_repeat = self.repeat(attributes, "number-columns-repeated")
            self.filled = _attribute(attributes, "value-type") is not None
        else:
            self.filled = False
            if match := re.fullmatch(r"([A-Z]{1,3})(\d+)", _attribute(attributes, "r") or ""):
                self.col = _column_index(match.group(1))

    def end(self, name: str) -> None:
        local = name.rsplit("}", 1)[-1]
        if local in ("table-cell", "covered-table-cell", "c") and self.in_cell:
            self.in_cell = False
            if self.filled:
                self.row_width = self.col + self.cell_repeat
                self.cells += self.cell_repeat * self.row_repeat
            self.col += self.cell_repeat
        elif local in ("table-row", "row"):
            if self.row_width:
                self.height, self.width = self.row + self.row_repeat, max(self.width, self.row_width)
            self.row += self.row_repeat
        if self.height * self.width > MAX_CELLS or self.cells > MAX_CELLS:
            raise _too_large()

    @staticmethod
    def repeat(attributes: dict, name: str) -> int:
        return int(_attribute(attributes, name) or 1)


def _attribute(attributes: dict, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace."""
    return next((value for key, value in attributes.items() if key.rsplit("}", 1)[-1] == name), None)


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _load_sheets(workbook: CalamineWorkbook, problems: _Problems) -> list[_Sheet]:
    sheets = []
    for metadata in workbook.sheets_metadata:
        if metadata.typ != SheetTypeEnum.WorkSheet:
            continue  # chart and macro sheets hold no register
        try:
            sheets.append(_load_sheet(workbook, metadata.name, problems))
        except Exception as error:  # a damaged sheet: calamine raises its own errors, or ValueError
            raise UnreadableFile(
                _("The sheet “%(sheet)s” of this file is damaged: save the file again and retry.")
                % {"sheet": metadata.name}
            ) from error
    return sheets


def _load_sheet(workbook: CalamineWorkbook, name: str, problems: _Problems) -> _Sheet:
    """Up to MAX_ROWS rows of MAX_COLUMNS cells, a problem saying so if the sheet is larger."""
    sheet = workbook.get_sheet_by_name(name)
    # iter_rows counts rows from the first but columns from the first one used.
    padding = [""] * (sheet.start[1] if sheet.start else 0)
    rows, too_wide = [], False
    for index, row in enumerate(sheet.iter_rows()):
        if index == MAX_ROWS:
            problems.add(
                name, None, None, _("Only the first %(limit)s rows of this sheet were read.") % {"limit": MAX_ROWS}
            )
            break
        cells = padding + row if padding else row
        too_wide = too_wide or len(cells) > MAX_COLUMNS
        rows.append(cells[:MAX_COLUMNS])
    if too_wide:
        problems.add(
            name, None, None, _("Only the first %(limit)s columns of this sheet were read.") % {"limit": MAX_COLUMNS}
        )
    return _Sheet(name, rows)


def _find(sheet: _Sheet, predicate) -> tuple[int, int] | None:
    for row_index, row in enumerate(sheet.rows):
        for col, value in enumerate(row):
            if isinstance(value, str) and value and predicate(_key(value)):
                return row_index, col
    return None


def _is_reference_label(key: str) -> bool:
    return bool(re.fullmatch(r"(n°|no|numero)?\s*/?\s*ref(erence)?", key))


def _list_header_row(sheet: _Sheet) -> int | None:
    """The row of the list sheet that names its columns ("Nom du traitement", "N° / RÉF")."""
    for index, row in enumerate(sheet.rows):
        keys = {_key(value) for value in row if isinstance(value, str)}
        if "nom du traitement" in keys and any(_is_reference_label(key) for key in keys):
            return index
    return None


def _walk(sheet: _Sheet, label_col: int) -> Iterator[_Line]:
    """The rows of a record sheet, each with the section heading above it and its columns."""
    section, columns = "", {}
    for index, row in enumerate(sheet.rows):
        label = _text(row[label_col]) if label_col < len(row) else ""
        heading = next((name for prefix, name in SECTIONS if _key(label).startswith(prefix)), None)
        if heading:
            section = heading
            columns = {_key(_text(value)): col for col, value in enumerate(row) if col > label_col and _text(value)}
            continue
        yield _Line(sheet, index, section, columns, label, row, label_col)


# --- Reading: the list sheet ---------------------------------------------------------------

CONTACT_LABELS = {
    "nom": "last_name",
    "prenom": "first_name",
    "adresse": "address",
    "adresse mel": "email",
    "adresse mail": "email",
    "adresse e-mail": "email",
    "courriel": "email",
    "email": "email",
    "code postal": "postcode",
    "ville": "city",
    "pays": "country",
    "telephone": "phone",
    "societe (si dpo externe)": "company",
    "societe": "company",
}


def _contact_blocks(rows: list[list]) -> dict[str, dict]:
    """The contact blocks above the list of activities: "Nom :" then its value to the right."""
    blocks: dict[str, dict] = {}
    role = None
    for row in rows:
        heading = _key(_text(row[0])) if row else ""
        if heading.startswith("coordonnees du responsable"):
            role = "controller"
        elif heading.startswith("coordonnees du representant"):
            role = "representative"
        elif heading.startswith("coordonnees du delegue") or "(dpo)" in heading:
            role = "dpo"
        if role is None:
            continue
        for col, value in enumerate(row[1:-1], start=1):
            field = CONTACT_LABELS.get(_key(_text(value))) if isinstance(value, str) and value.strip() else None
            if field and not (isinstance(row[col + 1], str) and _key(row[col + 1]) in CONTACT_LABELS):
                raw = row[col + 1]
                blocks.setdefault(role, {})[field] = _postcode(raw) if field == "postcode" else _text(raw)
    return {role: _contact(fields) for role, fields in blocks.items() if any(fields.values())}


def _contact(fields: dict) -> dict:
    name = " ".join(part for part in (fields.get("first_name", ""), fields.get("last_name", "")) if part)
    contact = {key: fields.get(key, "") for key in ("address", "postcode", "city", "country", "phone", "email")}
    return {"name": name, "company": fields.get("company", ""), **contact}


@dataclasses.dataclass
class _ListEntry:
    index: int
    name: str
    reference: str
    purpose: str
    sensitive: bool
    dates: list[str]


def _read_list_sheet(sheet: _Sheet, problems: _Problems) -> tuple[dict[str, dict], list[_ListEntry]]:
    header = _list_header_row(sheet)
    columns = {_key(_text(value)): col for col, value in enumerate(sheet.rows[header]) if _text(value)}
    above = (
        {_key(_text(value)): col for col, value in enumerate(sheet.rows[header - 1]) if _text(value)} if header else {}
    )

    def find(prefixes, default=None):
        return next((col for key, col in {**above, **columns}.items() if key.startswith(prefixes)), default)

    name_col = columns["nom du traitement"]
    reference_col = next(col for key, col in columns.items() if _is_reference_label(key))
    purpose_col, sensitive_col = find("finalite"), find("donnees sensibles")
    date_cols = (find("date de creation"), find(("derniere mise a jour", "mise a jour")))
    entries = []
    for index in range(header + 1, len(sheet.rows)):
        line = _Line(sheet, index, "list", columns, "", sheet.rows[index])
        name, reference = line.text(name_col), line.text(reference_col)
        if not (name or reference) or _is_example(name, reference):
            continue
        purpose = line.text(purpose_col) if purpose_col is not None else ""
        sensitive = sensitive_col is not None and _key(line.text(sensitive_col)) in ("oui", "yes", "x")
        dates = [_date_text(line, col, problems) if col is not None else "" for col in date_cols]
        entries.append(_ListEntry(index, name, reference, purpose, sensitive, dates))
    return _contact_blocks(sheet.rows[:header]), entries


def _date_text(line: _Line, col: int, problems: _Problems) -> str:
    """A date cell as ISO text; an unreadable one is kept as written, with a problem."""
    raw, text = line.raw(col), line.text(col)
    if not text:
        return ""
    date = _date(raw)
    if date is None:
        message = _("“%(value)s” is not a date: expected a date such as 26/05/2018.") % {"value": text}
        problems.add(line.sheet.name, line.index, col, message)
    return date or text


def _is_example(name: str, reference: str) -> bool:
    """The model's example as the CNIL publishes it (the list row adds "(EXEMPLE)" to its name)."""
    name_key = _key(name)
    return name_key.startswith("(exemple)") or (name_key, _key(reference)) == CNIL_EXAMPLE


# --- Reading: a record sheet ---------------------------------------------------------------


@dataclasses.dataclass
class _Record:
    sheet: str
    activity: dict
    actors: dict[str, dict]
    dates: list[str]
    reference_cell: tuple[int | None, int | None]


def _read_record_sheet(sheet: _Sheet, label_col: int, problems: _Problems) -> _Record | None:
    lines = list(_walk(sheet, label_col))
    value_col = label_col + 1  # the model's values are right of their labels
    labelled = {line.key: line for line in reversed(lines) if line.key}  # the first of each label wins
    name = labelled["nom du traitement"].text(value_col) if "nom du traitement" in labelled else ""
    reference_line = next((line for line in lines if _is_reference_label(line.key)), None)
    reference = reference_line.text(value_col) if reference_line else ""
    purpose = labelled["finalite principale"].text(value_col)
    if not (name or purpose) or _is_example(name, reference):
        return None
    title = _key(_text(sheet.rows[0][0])) if sheet.rows and sheet.rows[0] else ""
    if title.startswith("exemple") or "exemple" in _key(reference):
        message = _("This sheet looks like the CNIL's example but was changed: it was read as one of your activities.")
        problems.add(sheet.name, None, None, message)
    activity = _blank_activity()
    activity |= {"name": name, "reference": reference, "purpose": purpose}
    activity["sub_purposes"] = "\n".join(
        line.text(value_col) for line in lines if line.key.startswith("sous-finalite") and line.text(value_col)
    )
    dates = [
        next((_date_text(line, value_col, problems) for line in lines if line.key.startswith(prefixes)), "")
        for prefixes in ("date de creation", ("mise a jour", "derniere mise a jour"))
    ]
    actors = _read_actors([line for line in lines if line.section == "actors"])
    activity["controller_parties"] = [
        _part("controller_parties", name=party["name"], contact=_contact_text(party)) for party in actors["joint"]
    ]
    if activity["controller_parties"]:
        activity["role"] = ProcessingActivity.Role.JOINT_CONTROLLER
    _read_data(activity, [line for line in lines if line.section == "data"], problems)
    activity["data_subjects"] = _read_subjects([line for line in lines if line.section == "subjects"], problems)
    activity["recipients"] = _read_recipients([line for line in lines if line.section == "recipients"], problems)
    activity["security_measures"] = _read_measures([line for line in lines if line.section == "measures"], problems)
    _read_transfers(activity, [line for line in lines if line.section == "transfers"], problems)
    reference_cell = (reference_line.index, value_col) if reference_line else (None, None)
    return _Record(sheet.name, activity, actors, dates, reference_cell)


ACTOR_ROLES = (
    ("responsable du traitement", "controller"),
    ("delegue", "dpo"),
    ("societe du dpo", "dpo_company"),
    ("representant", "representative"),
    ("responsable(s) conjoint", "joint"),
    ("responsables conjoint", "joint"),
    ("responsable conjoint", "joint"),
)
ACTOR_COLUMNS = (
    ("name", "nom", 1),
    ("address", "adresse", 2),
    ("postcode", "code postal", 3),
    ("city", "ville", 4),
    ("country", "pays", 5),
    ("phone", "telephone", 6),
    ("email", "adresse mel", 7),
)


def _read_actors(lines: list[_Line]) -> dict:
    actors: dict = {"joint": []}
    for line in lines:
        role = next((role for prefix, role in ACTOR_ROLES if line.key.startswith(prefix)), None)
        if role is None:
            continue
        fields = {field: line.text(line.column(header, default)) for field, header, default in ACTOR_COLUMNS}
        fields["postcode"] = _postcode(line.raw(line.column("code postal", 3)), fields["country"])
        if not any(fields.values()):
            continue
        if role == "joint":
            actors["joint"].append(fields)
        else:
            actors.setdefault(role, fields)
    if "dpo_company" in actors:
        actors.setdefault("dpo", {})["company"] = actors.pop("dpo_company")["name"]
    return actors


def _contact_text(contact: dict) -> str:
    place = " ".join(part for part in (contact.get("postcode", ""), contact.get("city", "")) if part)
    parts = (
        contact.get("address", ""),
        place,
        contact.get("country", ""),
        contact.get("phone", ""),
        contact.get("email", ""),
    )
    return "\n".join(part for part in parts if part)


def _split_names(description: str) -> list[str]:
    """One data field per item of a description ("Nom, prénom; adresse"), each once."""
    unique: dict[str, str] = {}
    for name in re.split(r"[\n;,]", description):
        if name := name.strip(" .•*-"):
            unique.setdefault(_key(name), name)
    return list(unique.values())


def _read_data(activity: dict, lines: list[_Line], problems: _Problems) -> None:
    """Each row of a category: its data fields and its retention period."""
    seen: dict[str, dict] = {}
    for line in lines:
        description_col = line.column("description", 1)
        retention_col = line.column("duree de conservation", 4)
        description, retention = line.text(description_col), line.text(retention_col)
        if not (description or retention):
            continue
        row = _category_row(line, problems)
        if row is not None:
            names = _split_names(description) or [row.field_name]
            for name in names:
                _add_data_field(activity, seen, name, row, line, description_col, problems)
            activity["criterion_sensitive"] = activity["criterion_sensitive"] or row.sensitive
        for text in _retention_periods(retention):
            _add_retention(activity, text, row.category if row else "", line, retention_col, problems)


def _category_row(line: _Line, problems: _Problems) -> CategoryRow | None:
    """The model's row a line is ("Données concernant la santé"); None for all the data."""
    if line.key.startswith(_key(ALL_DATA_LABEL)):
        return None
    row = next((row for row in CATEGORY_ROWS if _has_keyword(line.key, row.keywords)), None)
    if row is None:
        label = line.label or "—"
        message = _("The row “%(value)s” is not one of the model's categories of data: its data was read as “Other”.")
        problems.add(line.sheet.name, line.index, line.label_col, message % {"value": label})
        row = OTHER_ROW
    return row


def _add_data_field(activity, seen, name, row, line, col, problems) -> None:
    key = _key(name)
    if key in seen:
        if (seen[key]["category"], seen[key]["special_category"]) != (row.category, row.special_category):
            message = _("“%(value)s” is listed under two categories of data; it was kept under the first.")
            problems.add(line.sheet.name, line.index, col, message % {"value": name})
        return
    seen[key] = _part("data_fields", name=name[:200], category=row.category, special_category=row.special_category)
    activity["data_fields"].append(seen[key])


def _retention_periods(text: str) -> list[tuple[str, str]]:
    """A cell's periods, each with its legal reference: a new line starts a new period only
    when it has a duration of its own and so has the period before (Registre writes one
    period a line; DPOs often wrap one sentence over two)."""
    periods: list[list[str]] = []
    for line in (line for line in text.split("\n") if line.strip()):
        if re.match(r"\s*references?\s*:", _fold(line)) and periods:
            periods[-1][1] = line.split(":", 1)[1].strip()
        elif periods and not (DURATION.search(_fold(line)) and DURATION.search(_fold(periods[-1][0]))):
            periods[-1][0] += " " + line
        else:
            periods.append([line, ""])
    return [(period, reference) for period, reference in periods]


def _add_retention(activity, period: tuple[str, str], category: str, line: _Line, col: int, problems) -> None:
    text, legal_reference = period
    fields = parse_retention(text)
    if "criteria" in fields:
        message = _("No duration could be read in “%(value)s”: it was kept as the criteria of the retention period.")
        problems.add(line.sheet.name, line.index, col, message % {"value": text})
    retention = _part("retention_lines", data_category=category, legal_reference=legal_reference, **fields)
    activity["retention_lines"].append(retention)


def _read_subjects(lines: list[_Line], problems: _Problems) -> list[dict]:
    subjects: dict[str, dict] = {}
    for line in lines:
        kind_col = line.column("description", 1)
        kind, details = line.text(kind_col), line.text(line.column("precisions", 4))
        if not (kind or details):
            continue
        if not kind or _key(kind).startswith("autre"):
            name, description = details or kind, ""
            if not details:
                message = _("“%(value)s”: say which people these are in the “Précisions” column.") % {"value": kind}
                problems.add(line.sheet.name, line.index, kind_col, message)
        else:
            name, description = kind, details
        _merge(subjects, name, _part("data_subjects", name=name[:200], description=description), "description")
    return list(subjects.values())


def _merge(rows: dict[str, dict], name: str, row: dict, text_field: str) -> None:
    """Add ``row`` under ``name``, or join its text to the row of the same name already there."""
    key = _key(name)
    if key not in rows:
        rows[key] = row
    elif row[text_field] and row[text_field] not in rows[key][text_field]:
        rows[key][text_field] = "\n".join(filter(None, (rows[key][text_field], row[text_field])))


def _vocabulary_code(text: str, vocabulary, default, line: _Line, col: int, message: str, problems) -> str:
    """The code of a CNIL list value; an unknown one is read as ``default`` with a warning."""
    code = next((code for keyword, code, _label in vocabulary if _has_keyword(_key(text), (keyword,))), None)
    if code is None:
        problems.add(line.sheet.name, line.index, col, message % {"value": text})
        return default
    return code


def _read_recipients(lines: list[_Line], problems: _Problems) -> list[dict]:
    recipients: dict[str, dict] = {}
    for line in lines:
        kind_col = line.column("type de destinataire", 1)
        kind_text, details = line.text(kind_col), line.text(line.column("precisions", 4))
        if not (kind_text or details):
            continue
        message = _("“%(value)s” is not one of the CNIL's types of recipient: it was read as “Other”.")
        kind = (
            _vocabulary_code(kind_text, RECIPIENT_TYPES, Kind.OTHER, line, kind_col, message, problems)
            if kind_text
            else Kind.OTHER
        )
        name = (details or kind_text)[:200]
        _merge(recipients, name, _part("recipients", name=name, kind=kind), "description")
    return list(recipients.values())


def _read_measures(lines: list[_Line], problems: _Problems) -> list[dict]:
    """One measure per kind (Registre's rule): details of a kind given twice are joined."""
    measures: dict[str, dict] = {}
    for line in lines:
        kind_col = line.column("type de mesure", 1)
        kind_text, details = line.text(kind_col), line.text(line.column("precisions", 4))
        if not (kind_text or details):
            continue
        message = _("“%(value)s” is not one of the CNIL's security measures: it was read as “Other measures”.")
        kind = _vocabulary_code(kind_text, MEASURE_TYPES, Measure.OTHER, line, kind_col, message, problems)
        if kind == Measure.OTHER and kind_text and not _has_keyword(_key(kind_text), ("autres mesures",)):
            details = "\n".join(filter(None, (kind_text, details)))
        _merge(measures, kind, _part("security_measures", kind=kind, details=details), "details")
    return list(measures.values())


# --- Reading: transfers --------------------------------------------------------------------


@functools.cache
def _mechanism_labels() -> dict[str, str]:
    labels = {}
    for language in ("fr", "en"):
        with translation.override(language):
            labels |= {_key(str(label)): code for code, label in Mechanism.choices}
    return labels


def _read_transfers(activity: dict, lines: list[_Line], problems: _Problems) -> None:
    for line in lines:
        columns = {
            "recipient": line.column("destinataire", 1),
            "country": line.column("pays", 2),
            "guarantee": line.column("type de garantie", 3),
            "documentation": line.column("liens", 5),
        }
        texts = {field: line.text(col) for field, col in columns.items()}
        if not any(texts.values()):
            continue
        transfer = _part("transfers", recipient=texts["recipient"][:200] or None)
        transfer |= _destination(texts["country"], line, columns["country"], problems)
        transfer |= _documentation(texts["documentation"])
        if not transfer["mechanism"]:
            transfer["mechanism"] = _guarantee(texts["guarantee"], line, columns["guarantee"], problems)
        activity["transfers"].append(transfer)
        if transfer["recipient"]:
            _ensure_recipient(activity, transfer["recipient"], transfer["country"])


def _destination(text: str, line: _Line, col: int, problems: _Problems) -> dict:
    if _key(text).startswith(_key(ORGANISATION_PREFIX)):
        return {"international_organisation": text.split(":", 1)[1].strip()[:200]}
    if not text:
        problems.add(line.sheet.name, line.index, col, _("The country the data goes to is missing."), ERROR)
        return {}
    code = country_code(text)
    if code is None:
        message = _(
            "“%(value)s” is not a country Registre knows: give its name in French or English (“Inde”, “India”)."
        )
        problems.add(line.sheet.name, line.index, col, message % {"value": text}, ERROR)
    elif code in EEA:
        message = _("“%(value)s” is in the European Economic Area: data goes there without a transfer tool.")
        problems.add(line.sheet.name, line.index, col, message % {"value": text})
    return {"country": code}


def _documentation(text: str) -> dict:
    """The links, and the exact transfer tool and safeguards Registre writes below them."""
    fields: dict = {"documentation": [], "mechanism": "", "safeguards": ""}
    for line in text.split("\n"):
        key = _key(line)
        if key.startswith(_key(MECHANISM_PREFIX)) and _key(line.split(":", 1)[1]) in _mechanism_labels():
            fields["mechanism"] = _mechanism_labels()[_key(line.split(":", 1)[1])]
        elif key.startswith(_key(SAFEGUARDS_PREFIX)):
            fields["safeguards"] = line.split(":", 1)[1].strip()
        elif line:
            fields["documentation"].append(line)
    fields["documentation"] = "\n".join(fields["documentation"])[:500]
    return fields


def _guarantee(text: str, line: _Line, col: int, problems: _Problems) -> str:
    """The transfer tool a CNIL guarantee names, with what the DPO must still check."""
    if not text:
        return ""
    found = next((code for keywords, code, _word in GUARANTEES if _has_keyword(_key(text), keywords)), None)
    where = (line.sheet.name, line.index, col)
    if found is None:
        expected = ", ".join(word for _keywords, _code, word in GUARANTEES)
        message = _("“%(value)s” is not one of the CNIL's transfer guarantees (%(expected)s).")
        problems.add(*where, message % {"value": text, "expected": expected}, ERROR)
        return ""
    if found == Mechanism.SCC_MODULE_2:
        message = _("“%(value)s” was read as the 2021 clauses, module 2 (controller to processor): check the module.")
        problems.add(*where, message % {"value": text})
    elif found == Mechanism.PRIVACY_SHIELD:
        message = _("The Privacy Shield was invalidated in 2020: this transfer needs another transfer tool.")
        problems.add(*where, message)
    elif found == "":
        message = _("“%(value)s”: say which derogation of Art. 49(1) applies; the transfer tool was left empty.")
        problems.add(*where, message % {"value": text})
    return found


def _ensure_recipient(activity: dict, name: str, country: str | None) -> None:
    """The importer of a transfer is one of the activity's recipients, located in its country."""
    recipient = next((row for row in activity["recipients"] if _key(row["name"]) == _key(name)), None)
    if recipient is None:
        recipient = _part("recipients", name=name, kind=Kind.OTHER)
        activity["recipients"].append(recipient)
    if recipient["country"] is None:
        recipient["country"] = country


# --- Reading: the document -----------------------------------------------------------------

NONE_DEFAULTS = {
    "approximate_count", "country", "international_organisation", "recipient", "system", "tia_date",
    "duration", "archive_duration", "oldest_record_on", "hosting_provider",
}  # fmt: skip
FALSE_DEFAULTS = {"is_vulnerable", "has_processing_agreement", "is_dpf_certified", "adequacy_scope_confirmed"}


def _part(part: str, **values) -> dict:
    """A row of one of an activity's parts with every key of PART_FIELDS, empty unless given."""
    row = {
        name: None if name in NONE_DEFAULTS else False if name in FALSE_DEFAULTS else "" for name in PART_FIELDS[part]
    }
    if part == "systems":
        row["countries"] = []
    if part == "retention_lines":
        row["end_action"] = RetentionLine.EndAction.DELETE
    unknown = set(values) - set(row)
    if unknown:
        raise KeyError(f"not a field of {part}: {sorted(unknown)}")
    return row | values


def _blank_activity() -> dict:
    fields = {name: ProcessingActivity._meta.get_field(name).get_default() for name in ACTIVITY_FIELDS}
    return fields | {"status": ProcessingActivity.Status.DRAFT} | {part: [] for part in PART_FIELDS}


def read_cnil_workbook(data: bytes) -> CnilReading:
    """The register document a CNIL model register holds, and the problems found reading it.

    Raises ``UnreadableFile`` when the file is not a spreadsheet, has too many sheets, or
    holds neither the model's list of activities nor a record sheet.
    """
    problems = _Problems()
    sheets = _load_sheets(_open(data), problems)
    list_sheet = next((sheet for sheet in sheets if _list_header_row(sheet) is not None), None)
    record_sheets = [(sheet, found[1]) for sheet in sheets if (found := _find(sheet, "finalite principale".__eq__))]
    if list_sheet is None and not record_sheets:
        raise UnreadableFile(
            _(
                "This is not the CNIL model register: Registre found neither its list of processing activities "
                "nor a record sheet (“Fiche de registre”)."
            )
        )
    contacts, entries = _read_list_sheet(list_sheet, problems) if list_sheet else ({}, [])
    records = [record for sheet, col in record_sheets if (record := _read_record_sheet(sheet, col, problems))]
    activities = _merge_list_entries(records, entries, list_sheet, problems)
    _give_references(activities, problems)
    if not activities:
        problems.add("", None, None, _("No processing activity was found: the register's record sheets are empty."))
    document = {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": None,
        "language": "fr",
        "as_of": None,
        "scope": None,
        "organisation": _organisation(contacts, records[0].actors if records else {}),
        "activities": sorted((record.activity for record in activities), key=lambda activity: activity["reference"]),
    }
    return CnilReading(_plain(document), list(problems))


def _plain(value):
    """The document with plain strings where the vocabulary used the models' choices."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value.value if isinstance(value, enum.Enum) else value


def _merge_list_entries(records: list[_Record], entries: list[_ListEntry], list_sheet, problems) -> list[_Record]:
    """Each record sheet completed from its row of the list (matched by reference, then name);
    a row of the list without a record sheet becomes an activity of its own."""
    remaining, list_only = list(entries), []
    for record in records:
        activity = record.activity
        entry = next((e for e in remaining if e.reference and _key(e.reference) == _key(activity["reference"])), None)
        entry = entry or next((e for e in remaining if e.name and _key(e.name) == _key(activity["name"])), None)
        if entry:
            remaining.remove(entry)
            activity["reference"] = activity["reference"] or entry.reference
            activity["purpose"] = activity["purpose"] or entry.purpose
            activity["criterion_sensitive"] = activity["criterion_sensitive"] or entry.sensitive
            record.dates = [own or listed for own, listed in zip(record.dates, entry.dates, strict=True)]
        activity["description"] = _dates_description(record.dates)
    for entry in remaining:
        activity = _blank_activity() | {"name": entry.name, "reference": entry.reference, "purpose": entry.purpose}
        activity |= {"criterion_sensitive": entry.sensitive, "description": _dates_description(entry.dates)}
        message = _("“%(name)s” is in the list of activities but has no record sheet: only its list row was read.")
        problems.add(list_sheet.name, entry.index, None, message % {"name": entry.name or entry.reference})
        list_only.append(_Record(list_sheet.name, activity, {}, entry.dates, (entry.index, None)))
    return records + list_only


def _dates_description(dates: list[str]) -> str:
    """The record sheet's dates, which the register document has no field for."""
    created, updated = dates
    with translation.override("fr"):
        parts = [
            _("Record sheet created on %(date)s.") % {"date": created} if created else "",
            _("Record sheet last updated on %(date)s.") % {"date": updated} if updated else "",
        ]
    return " ".join(part for part in parts if part)


def _give_references(records: list[_Record], problems: _Problems) -> None:
    """A reference for each activity without one (CNIL-001…), and an error for duplicates."""
    used = {_key(record.activity["reference"]): record for record in reversed(records) if record.activity["reference"]}
    number = 0
    for record in records:
        activity = record.activity
        if activity["reference"]:
            first = used[_key(activity["reference"])]
            if first is not record:
                message = _("The reference “%(reference)s” is already used by the sheet “%(other)s”.")
                values = {"reference": activity["reference"], "other": first.sheet}
                problems.add(record.sheet, *record.reference_cell, message % values, ERROR)
            continue
        number += 1
        while _key(f"CNIL-{number:03d}") in used:
            number += 1
        activity["reference"] = f"CNIL-{number:03d}"
        used[_key(activity["reference"])] = record
        message = _("This activity has no reference: it was given “%(reference)s”.")
        problems.add(record.sheet, *record.reference_cell, message % {"reference": activity["reference"]})


def _organisation(contacts: dict[str, dict], actors: dict) -> dict:
    """The header of the document: the list sheet's contact blocks, else the first record's actors."""
    controller = contacts.get("controller") or actors.get("controller") or {}
    dpo = contacts.get("dpo") or actors.get("dpo") or {}
    representative = contacts.get("representative") or actors.get("representative") or {}
    dpo_name = dpo.get("name", "")
    if dpo.get("company"):
        dpo_name = f"{dpo_name} ({dpo['company']})" if dpo_name else dpo["company"]
    return {
        "name": controller.get("name", ""),
        "legal_identifier": "",
        **{field: controller.get(field, "") for field in ("address", "postcode", "city", "phone", "email")},
        "dpo": {"name": dpo_name, "email": dpo.get("email", ""), "phone": dpo.get("phone", "")},
        "representative": {"name": representative.get("name", ""), "contact": _contact_text(representative)},
    }


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
    sheet.line("Fiche de registre", style="label")
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


def _write_actors(sheet: _SheetWriter, organisation: dict, activity: dict) -> None:
    dpo, representative = organisation.get("dpo") or {}, organisation.get("representative") or {}
    sheet.line("Acteurs", *ACTOR_HEADINGS, style="heading")
    sheet.line(
        "Responsable du traitement", organisation.get("name"), organisation.get("address"),
        organisation.get("postcode"), organisation.get("city"), "", organisation.get("phone"),
        organisation.get("email"), style="label",
    )  # fmt: skip
    sheet.line(
        "Délégué à la protection des données", dpo.get("name"), "", "", "", "", dpo.get("phone"), dpo.get("email"),
        style="label",
    )  # fmt: skip
    sheet.line("Société du DPO (si celui-ci est externe)", style="label")
    sheet.line("Représentant", representative.get("name"), representative.get("contact"), style="label")
    for party in activity.get("controller_parties") or [{}]:
        sheet.line("Responsable(s) conjoint(s)", party.get("name"), party.get("contact"), style="label")


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

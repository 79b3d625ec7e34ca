"""The CNIL model's words: its labels, lists and drop-down choices, mapped to Registre's
choices, and how a cell of it reads as text."""

import dataclasses
import datetime
import re

from core.text import normalise_key
from inventory.models import DataField, Recipient
from processing.models import RetentionLine, SecurityMeasure, Transfer

Category = DataField.Category
Special = DataField.SpecialCategory
Kind = Recipient.Kind
Measure = SecurityMeasure.Kind
Mechanism = Transfer.Mechanism
Trigger = RetentionLine.Trigger
Unit = RetentionLine.Unit


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

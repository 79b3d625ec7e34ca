"""What personal data a column holds, told from its name, its type and a sample of its values.

``classify(name, type_name, values)`` weighs three kinds of evidence:

- the column's **name**, in English and French (``email``, ``courriel``, ``tel``, ``nir``, ``date_naissance``…),
  split into words (``customerEmail`` → customer, email) so that ``nombre`` is not ``nom``;
- its **type**: binary columns are not sampled, numbers are never taken for text;
- its **values**, each checked by what makes the datum what it is: an email's shape, a phone number valid in its plan
  (E.164, or French without the prefix; ``phonenumbers``), a French NIR with its key, an IBAN with its checksum, a
  payment card number with its Luhn digit (``python-stdnum``), an IP address, a date of birth at a plausible age,
  first names from the list shipped here (``data/first_names.txt``), free text naming health conditions, latitude
  and longitude pairs, device and cookie identifiers.

Values weigh only as a share of the sample (at least ``MOST`` of the non-empty ones, ``SOME`` for health terms in free
text), so a few odd rows neither make nor unmake a column. A value is only read here, in memory: nothing of it is kept,
returned or logged — the result names the kind of datum and the evidence ("name", "type", "values"), never a value.

The categories are the catalogue's (``inventory.models.DataField.Category``), so a finding can be set against what the
register declares. Confidence: a name alone 0.6, strong values alone 0.9 (weak ones 0.5), both 0.95; a column is
personal from ``PERSONAL`` up. Health is always flagged for review: a word in free text is a hint, not a diagnosis.
"""

import datetime
import functools
import ipaddress
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import phonenumbers
from stdnum import iban, luhn
from stdnum.fr import nir

MOST = 0.8  # share of the non-empty sampled values that must match for the values to count
SOME = 0.2  # for health terms in free text: a share of the notes mentioning one is enough to flag the column
PERSONAL = 0.5  # a column is classified from this confidence up
NAME_ONLY, VALUES_ONLY, WEAK_VALUES_ONLY, BOTH = 0.6, 0.9, 0.5, 0.95
MIN_VALUES = 5  # fewer non-empty values than this: the values say nothing either way


@dataclass(frozen=True)
class Kind:
    """A kind of personal datum: its catalogue category (and Art. 9 kind), the data field it suggests, how it shows."""

    code: str
    category: str
    special_category: str | None
    label: str  # the catalogue data field proposed when the organisation has none of this kind
    names: tuple[str, ...] = ()  # words (or word pairs "a b") of a column's name that say it
    value_test: Callable[[str], bool] | None = None
    strong_values: bool = True  # whether the values alone make the column (else they only confirm its name)
    needs_name: bool = False  # the values are too common to count without the name
    share: float = MOST
    review: bool = False  # to be looked at by the DPO before it is trusted
    group: str = ""  # kinds one catalogue data field may serve together (first, last and full names); default: code

    @property
    def field_group(self) -> str:
        return self.group or self.code


@dataclass
class Classification:
    kind: str | None = None
    category: str | None = None
    special_category: str | None = None
    data_field: str | None = None
    confidence: float = 0.0
    evidence: list[str] = field(default_factory=list)
    review: bool = False

    @property
    def personal(self) -> bool:
        return self.category is not None


# --- Checks of one value ------------------------------------------------------------------

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE_CHARS = re.compile(r"\+?[\d\s().-]{8,22}")
DIGITS = re.compile(r"\D")
PHONE_REGIONS = ("FR", "GB", "BE", "CH", "DE", "ES", "IT", "LU", "NL", "IE", "PT")  # national formats tried, in order
UUID = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")
TOKEN = re.compile(r"[A-Za-z0-9_\-.:]{16,200}")
LAT_LON = re.compile(r"\(?\s*(-?\d{1,2}\.\d{3,})\s*[,; ]\s*(-?\d{1,3}\.\d{3,})\s*\)?")
STREET = re.compile(
    r"\b\d{1,4}\s*(bis|ter)?,?\s+(rue|avenue|av\.|boulevard|bd|chemin|allée|allee|impasse|place|quai|route|cours|"
    r"street|st\.?|road|rd\.?|lane|avenue|drive|way|close|court|square|crescent|terrace)\b",
    re.IGNORECASE,
)
POSTCODE = re.compile(r"(\d{5}|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})", re.IGNORECASE)  # French, British
USER_AGENT = re.compile(r"^(Mozilla|Opera|curl|Dalvik)/\d")


def is_email(value: str) -> bool:
    return bool(EMAIL.fullmatch(value.strip()))


def is_phone(value: str) -> bool:
    value = value.strip()
    if not PHONE_CHARS.fullmatch(value) or len(DIGITS.sub("", value)) < 9:
        return False
    if value.startswith(("+", "00")):  # international: a number of its country's length (its ranges may be new)
        try:
            international = "+" + value[2:] if value.startswith("00") else value
            return phonenumbers.is_possible_number(phonenumbers.parse(international, None))
        except phonenumbers.NumberParseException:
            return False
    for region in PHONE_REGIONS:  # national: valid in one of the plans of the countries most likely here
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(value, region)):
                return True
        except phonenumbers.NumberParseException:
            return False
    return False


def is_nir(value: str) -> bool:
    compact = value.replace(" ", "").replace(".", "")
    return len(compact) == 15 and nir.is_valid(compact)  # its two-digit key checked


def is_iban(value: str) -> bool:
    return len(value) >= 15 and iban.is_valid(value)  # the checksum checked


def is_card_number(value: str) -> bool:
    compact = value.replace(" ", "").replace("-", "")
    return compact.isdigit() and 13 <= len(compact) <= 19 and compact[0] in "23456" and luhn.is_valid(compact)


def is_ip_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip())
    except ValueError:
        return False
    return "." in value or ":" in value


def is_street_address(value: str) -> bool:
    return bool(STREET.search(value))


def is_postcode(value: str) -> bool:
    return bool(POSTCODE.fullmatch(value.strip()))


def as_day(value) -> datetime.date | None:
    """A date read from a database: a date, a moment, or ISO text ("2019-04-02 10:00:00")."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def is_birth_date(value) -> bool:
    """A date between 14 and 110 years ago: someone of an age to be in a register, not an order last year."""
    day = as_day(value)
    if day is None:
        return False
    age = (datetime.date.today() - day).days / 365.25
    return 14 <= age <= 110


TITLES = frozenset({"m", "mme", "mlle", "mr", "mrs", "ms", "miss", "dr", "pr", "me", "sir", "madame", "monsieur"})


@functools.cache
def first_names() -> frozenset[str]:
    text = (Path(__file__).parent / "data" / "first_names.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def _is_first_name(word: str) -> bool:
    return word.lower() in first_names() or _fold(word) in first_names()


def is_first_name(value: str) -> bool:
    words = value.strip().split()
    return len(words) == 1 and _is_first_name(words[0].split("-")[0])


def is_full_name(value: str) -> bool:
    """Two to five words, the first (after a title) a first name: "Jean Dupont", "Mme Léa Martin"."""
    words = [word for word in value.strip().split() if _fold(word).rstrip(".") not in TITLES]
    return 2 <= len(words) <= 5 and _is_first_name(words[0].split("-")[0])


def is_lat_lon_pair(value: str) -> bool:
    match = LAT_LON.fullmatch(value.strip())
    return bool(match) and abs(float(match[1])) <= 90 and abs(float(match[2])) <= 180


def is_coordinate(value: str) -> bool:
    try:
        number = float(value)
    except ValueError:
        return False
    return -180 <= number <= 180 and "." in value and len(value.split(".")[1]) >= 3


def is_device_identifier(value: str) -> bool:
    value = value.strip()
    return bool(UUID.fullmatch(value) or (TOKEN.fullmatch(value) and any(c.isdigit() for c in value)))


def is_user_agent(value: str) -> bool:
    return bool(USER_AGENT.match(value))


# Health terms in English and French (folded: no accents), as words of free text.
HEALTH_TERMS = frozenset(
    {
        "allergy",
        "allergie",
        "allergique",
        "asthma",
        "asthme",
        "cancer",
        "chemotherapy",
        "chimiotherapie",
        "depression",
        "diabetes",
        "diabete",
        "diabetique",
        "diagnosis",
        "diagnostic",
        "epilepsy",
        "epilepsie",
        "hiv",
        "vih",
        "hypertension",
        "pregnancy",
        "pregnant",
        "grossesse",
        "enceinte",
        "surgery",
        "chirurgie",
        "operation",
        "medication",
        "medicament",
        "traitement",
        "treatment",
        "therapy",
        "therapie",
        "disability",
        "handicap",
        "illness",
        "maladie",
        "sick",
        "malade",
        "arret",
        "hospital",
        "hopital",
        "hospitalisation",
        "hospitalised",
        "hospitalized",
        "migraine",
        "fracture",
        "covid",
        "burnout",
        "anxiety",
        "anxiete",
        "insulin",
        "insuline",
        "psychiatric",
        "psychiatrique",
        "symptoms",
        "symptomes",
        "prescription",
        "ordonnance",
    }
)
WORD = re.compile(r"[a-z]+")


def mentions_health(value: str) -> bool:
    return not HEALTH_TERMS.isdisjoint(WORD.findall(_fold(value)))


# --- The kinds, most specific first ---------------------------------------------------------

IDENTIFICATION, NATIONAL_ID, ECONOMIC = "identification", "national_id", "economic"
CONNECTION, LOCATION, ONLINE, PROFESSIONAL = "connection", "location", "online_identifiers", "professional_life"

KINDS: tuple[Kind, ...] = (
    Kind(
        "national_id",
        NATIONAL_ID,
        None,
        "Social security number (NIR)",
        names=("nir", "ssn", "insee", "secu", "securite sociale", "social security", "national insurance", "nino"),
        value_test=is_nir,
    ),
    Kind(
        "payment_card",
        ECONOMIC,
        None,
        "Payment card number",
        names=("card number", "cc number", "pan", "numero carte", "carte bancaire", "credit card", "cb"),
        value_test=is_card_number,
    ),
    Kind("iban", ECONOMIC, None, "Bank account (IBAN)", names=("iban", "rib", "bank account"), value_test=is_iban),
    Kind(
        "email",
        IDENTIFICATION,
        None,
        "Email address",
        names=("email", "mail", "courriel", "adresse mail", "e mail"),
        value_test=is_email,
    ),
    Kind(
        "phone",
        IDENTIFICATION,
        None,
        "Phone number",
        names=("phone", "telephone", "tel", "mobile", "portable", "gsm", "msisdn", "fax", "cell"),
        value_test=is_phone,
    ),
    Kind(
        "ip_address",
        CONNECTION,
        None,
        "IP address",
        names=("ip", "ip address", "adresse ip", "remote addr", "client ip", "ip addr"),
        value_test=is_ip_address,
    ),
    Kind(
        "user_agent",
        CONNECTION,
        None,
        "Browser (user agent)",
        names=("user agent", "useragent", "navigateur"),
        value_test=is_user_agent,
    ),
    Kind(
        "geolocation",
        LOCATION,
        None,
        "Geolocation",
        names=("lat", "latitude", "lon", "lng", "longitude", "geo", "gps", "coordinates", "coordonnees", "geoloc"),
        value_test=is_lat_lon_pair,
    ),
    Kind(
        "birth_date",
        IDENTIFICATION,
        None,
        "Date of birth",
        names=("dob", "birth", "birthdate", "birthday", "naissance", "date naissance", "date de naissance", "ddn"),
        value_test=is_birth_date,
        strong_values=False,
        needs_name=True,
    ),
    Kind(
        "first_name",
        IDENTIFICATION,
        None,
        "First name",
        group="name",
        names=("first name", "firstname", "prenom", "given name", "forename", "prenoms"),
        value_test=is_first_name,
        share=0.6,
    ),
    Kind(
        "last_name",
        IDENTIFICATION,
        None,
        "Last name",
        group="name",
        names=("last name", "lastname", "surname", "family name", "nom famille", "nom de famille", "nom naissance"),
    ),
    Kind(
        "full_name",
        IDENTIFICATION,
        None,
        "Full name",
        group="name",
        names=("full name", "fullname", "nom complet", "customer name", "client name", "contact name", "nom client"),
        value_test=is_full_name,
        share=0.6,
    ),
    Kind(
        "postal_address",
        IDENTIFICATION,
        None,
        "Postal address",
        group="address",
        names=("address", "adresse", "street", "rue", "address line", "adresse postale", "voie"),
        value_test=is_street_address,
        strong_values=False,
    ),
    Kind(
        "postcode",
        IDENTIFICATION,
        None,
        "Postal address",
        group="address",
        names=("postcode", "zip", "zipcode", "postal code", "code postal", "cp", "post code"),
        value_test=is_postcode,
        strong_values=False,
        needs_name=True,
    ),
    Kind(
        "device_identifier",
        ONLINE,
        None,
        "Cookie or device identifier",
        names=(
            "cookie",
            "device id",
            "deviceid",
            "idfa",
            "gaid",
            "advertising id",
            "visitor id",
            "tracking id",
            "session id",
            "client id",
            "fingerprint",
        ),
        value_test=is_device_identifier,
        strong_values=False,
        needs_name=True,
    ),
    Kind(
        "salary",
        ECONOMIC,
        None,
        "Salary",
        names=("salary", "salaire", "income", "revenu", "remuneration", "wage", "gross pay"),
    ),
    Kind(
        "health",
        "special",
        "health",
        "Health data",
        names=(
            "health",
            "sante",
            "diagnosis",
            "diagnostic",
            "medical",
            "medicale",
            "allergy",
            "allergie",
            "pathology",
            "pathologie",
            "disability",
            "handicap",
            "treatment",
            "traitement",
            "symptoms",
        ),
        value_test=mentions_health,
        strong_values=False,
        share=SOME,
        review=True,
    ),
)
BY_CODE = {kind.code: kind for kind in KINDS}

# Words that make a "name" / "nom" column a person's: "nom" next to any other word (nom_produit) is not.
PERSON_WORDS = frozenset(
    {
        "client",
        "customer",
        "user",
        "utilisateur",
        "contact",
        "employee",
        "salarie",
        "patient",
        "person",
        "personne",
        "member",
        "membre",
        "adherent",
        "candidate",
        "candidat",
        "student",
        "eleve",
        "etudiant",
        "beneficiary",
        "beneficiaire",
        "owner",
        "titulaire",
        "holder",
        "guest",
        "visitor",
        "tenant",
        "locataire",
        "author",
        "auteur",
    }
)
# Words saying the column holds a digest or a code, not the datum itself: never personal by its name alone.
NOT_THE_DATUM = frozenset({"hash", "hashed", "digest", "sha", "sha1", "sha256", "md5", "checksum", "verified", "count"})
CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
BINARY_TYPES = ("BLOB", "BYTEA", "BINARY", "VARBINARY", "LARGEBINARY", "IMAGE", "RAW")
TEXT_ONLY = {"email", "phone", "iban", "user_agent", "first_name", "full_name", "postal_address", "health"}


def words_of(name: str) -> list[str]:
    """A column's name as lower-case words without accents: ``customerEmail`` → customer, email."""
    return [word for word in re.split(r"[^a-z0-9]+", _fold(CAMEL.sub("_", name))) if word]


def _names_match(kind: Kind, words: Sequence[str]) -> bool:
    joined = f" {' '.join(words)} "
    return any(f" {name} " in joined for name in kind.names)


def _kinds_named(words: Sequence[str]) -> list[Kind]:
    if NOT_THE_DATUM.intersection(words):
        return []
    named = [kind for kind in KINDS if _names_match(kind, words)]
    person = PERSON_WORDS.intersection(words)
    if not named and ("nom" in words or "name" in words) and (person or words in (["nom"], ["name"])):
        named.append(BY_CODE["full_name"] if "name" in words or person else BY_CODE["last_name"])
    return named


def _enough(values: Sequence, test: Callable, share: float) -> bool:
    """Whether at least ``share`` of the values pass ``test``. It stops as soon as the answer is certain: most columns
    fail most checks within their first values, and a check (a phone number parsed in eleven plans) is not cheap."""
    total, matches = len(values), 0
    for done, value in enumerate(values, start=1):
        if test(value):
            matches += 1
            if matches / total >= share:
                return True
        elif (matches + total - done) / total < share:
            return False
    return bool(total) and matches / total >= share


def _texts(values: Iterable) -> list[str]:
    return [value for value in (v if isinstance(v, str) else str(v) for v in values) if value.strip()]


# Kinds whose values may rightly differ from what a check expects (initials, free text, partial lines): their name
# is enough. For the others, values that contradict the name (a "tel" column of quantities) unmake it.
NAME_SUFFICES = frozenset({"first_name", "last_name", "full_name", "postal_address", "health", "salary"})


def _values_say(kind: Kind, raw: list, texts: list[str], is_text: bool, is_date: bool) -> bool | None:
    """Whether the sample shows the kind (None: it cannot tell, too few values or none of a checkable type)."""
    if kind.value_test is None or len(texts) < MIN_VALUES:
        return None
    if kind.code == "birth_date":
        sample = raw if is_date else texts if is_text else []
    elif kind.code in TEXT_ONLY and not is_text:
        return False
    else:
        sample = texts
    if not sample:
        return None
    if kind.code == "geolocation" and _enough(sample, is_coordinate, MOST):
        return True  # a latitude or a longitude on its own column
    return _enough(sample, kind.value_test, kind.share)


def classify(
    name: str, type_name: str, values: Iterable, comment: str | None = None, labels: dict | None = None
) -> Classification:
    """The kind of personal datum the column holds, or an empty ``Classification`` if none. ``values`` is the sample
    (read and let go); ``labels`` maps a kind's code to the organisation's own data field for it, if it has one."""
    type_name = (type_name or "").upper()
    if any(binary in type_name for binary in BINARY_TYPES):
        return Classification()  # not sampled, and its name alone would not tell what the bytes hold
    words = words_of(name) + (words_of(comment) if comment else [])
    raw = [value for value in values if value is not None]
    is_text = any(text in type_name for text in ("CHAR", "TEXT", "CLOB", "STRING", "JSON")) or (
        bool(raw) and all(isinstance(value, str) for value in raw)
    )
    is_date = any(kind in type_name for kind in ("DATE", "TIME")) and not is_text
    texts = _texts(raw)
    named = _kinds_named(words)
    best = Classification()
    for kind in KINDS:
        by_name = kind in named
        if kind.code == "geolocation" and not by_name:
            by_values = _values_say(kind, raw, texts, is_text, is_date) and _enough(texts, is_lat_lon_pair, MOST)
        else:
            by_values = _values_say(kind, raw, texts, is_text, is_date)
        if by_name and by_values:
            confidence, evidence = BOTH, ["name", "values"]
        elif by_name and (by_values is None or kind.code in NAME_SUFFICES):
            confidence, evidence = NAME_ONLY, ["name"]
        elif by_values and not by_name and not kind.needs_name:
            confidence, evidence = (VALUES_ONLY if kind.strong_values else WEAK_VALUES_ONLY), ["values"]
        else:
            continue
        if confidence > best.confidence:
            best = Classification(
                kind=kind.code,
                category=kind.category,
                special_category=kind.special_category,
                data_field=(labels or {}).get(kind.code, kind.label),
                confidence=confidence,
                evidence=evidence,
                review=kind.review,
            )
    return best if best.confidence >= PERSONAL else Classification()

"""Retention periods as DPOs write them in the CNIL model ("5 ans à compter de la fin du
contrat"), read into a retention line when possible, and written back as words."""

import re
import unicodedata

from processing.reports.cnil.vocabulary import LEGAL_REFERENCE_PREFIX, Trigger, Unit

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

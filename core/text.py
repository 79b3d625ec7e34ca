"""Text helpers shared by every app."""

import unicodedata

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def normalise_key(text: str) -> str:
    """A matching key that ignores case, accents and spacing.

    SQLite's ``iexact`` only folds ASCII, so names that must match whatever their case and
    accents ("Données de santé" = "donnees de sante") are compared on this stored key,
    which behaves the same on SQLite and PostgreSQL.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(without_accents.split())


def duration_text(number: int, unit: str) -> str:
    """3, "years" → "3 years", in the active language."""
    if unit == "days":
        return ngettext("%(number)d day", "%(number)d days", number) % {"number": number}
    if unit == "months":
        return ngettext("%(number)d month", "%(number)d months", number) % {"number": number}
    return ngettext("%(number)d year", "%(number)d years", number) % {"number": number}


def kept_text(kept: list) -> str:
    """[3, "years"] → "3 years"; [3, "years", 5, "years"] names the intermediate archive too."""
    text = duration_text(*kept[:2])
    if len(kept) == 4:
        text = _("%(duration)s, then %(archive)s in an intermediate archive") % {
            "duration": text,
            "archive": duration_text(*kept[2:]),
        }
    return text

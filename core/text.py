"""Text helpers shared by every app."""

import unicodedata


def normalise_key(text: str) -> str:
    """A matching key that ignores case, accents and spacing.

    SQLite's ``iexact`` only folds ASCII, so names that must match whatever their case and
    accents ("Données de santé" = "donnees de sante") are compared on this stored key,
    which behaves the same on SQLite and PostgreSQL.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(without_accents.split())

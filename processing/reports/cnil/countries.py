"""Country names as the CNIL model writes them (in French), to ISO codes and back."""

import functools
import re

from django.utils import translation
from django_countries import countries

from core.text import normalise_key

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

"""English and French ship complete: every marked string has a French translation, in French typography.

When you add or change a user-facing string:

1. mark it (``gettext``/``gettext_lazy`` as ``_`` in Python, outside f-strings, which xgettext cannot read;
   ``{% translate %}``/``{% blocktranslate %}`` in templates);
2. ``make messages`` (needs Debian's gettext) adds it to ``locale/fr/LC_MESSAGES/django.po``;
3. write its French ``msgstr`` (drop the ``#, fuzzy`` line if msgmerge guessed one);
4. ``.venv/bin/python -m tests.french_typography`` puts the typography right (U+2019 apostrophes, no-break spaces);
5. ``.venv/bin/python manage.py compile_translations -v0``, then run this file.

Dates are not translated by hand: the named formats (``|date:"DATE_FORMAT"``) follow ``config/formats``.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.urls import reverse

from .conftest import client_for, require_executable
from .french_typography import NBSP, NNBSP, fixed, problems, translations

ROOT = Path(__file__).resolve().parent.parent
FRENCH = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
SOURCES = ("accounts", "breaches", "config", "core", "discovery", "inventory", "processing", "templates", "manage.py")


def test_every_french_message_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(FRENCH))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    assert untranslated == [], f"Write their French in {FRENCH.relative_to(ROOT)}"
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert fuzzy == [], "Check msgmerge's guesses, then remove their `#, fuzzy` line"


def test_french_follows_french_typography():
    """A typographic apostrophe (U+2019), U+00A0 before « : » and inside « », U+202F before ; ! ?: a line
    never starts with a colon or a question mark (placeholders, HTML, addresses, times are left alone)."""
    wrong = {
        entry.msgid: problems(text)
        for entry in polib.pofile(str(FRENCH))
        if not entry.obsolete and "fuzzy" not in entry.flags  # a guess, still to translate
        for text in translations(entry)
        if problems(text)
    }
    assert wrong == {}, "Run `.venv/bin/python -m tests.french_typography` to fix the catalogue"


@pytest.mark.parametrize(
    ("typed", "french"),
    [
        ("Échéance : %(when)s", f"Échéance{NBSP}: %(when)s"),
        ("Échéance: demain", f"Échéance{NBSP}: demain"),
        ("%(label)s: %(value)s", f"%(label)s{NBSP}: %(value)s"),
        ("Mot de passe oublié ?", f"Mot de passe oublié{NNBSP}?"),
        ("Réessayez ; s'il échoue", f"Réessayez{NNBSP}; s’il échoue"),
        ("Attention!", f"Attention{NNBSP}!"),
        ("« %(name)s » a été ajouté.", f"«{NBSP}%(name)s{NBSP}» a été ajouté."),
        ("l'export", "l’export"),
        # Left alone: times, ratios, addresses, attributes, entities, code.
        ("à 02:26, ratio 3:1", "à 02:26, ratio 3:1"),
        ("voir https://cnil.fr/a?b=c;d", "voir https://cnil.fr/a?b=c;d"),
        ("<a href='%(url)s' title='x'>vos préférences</a>", "<a href='%(url)s' title='x'>vos préférences</a>"),
        ("A&amp;B", "A&amp;B"),
        ("envoyez Authorization: Token … ou", "envoyez Authorization: Token … ou"),
        ("{name} : {value}", f"{{name}}{NBSP}: {{value}}"),
    ],
)
def test_the_typography_fixer_leaves_code_alone(typed, french):
    assert fixed(typed) == french
    assert problems(french) == []
    assert fixed(french) == french


def test_french_uses_the_gdprs_own_terms():
    """The French text of the GDPR (Regulation (EU) 2016/679, JO L 119 of 4 May 2016) says « responsable du
    traitement » (Art. 4(7)), never « responsable de traitement »; Art. 10 speaks of « données à caractère personnel
    relatives aux condamnations pénales et aux infractions »; Art. 9(2)(j) of archiving « dans l'intérêt public »."""
    catalogue = {entry.msgid: entry.msgstr for entry in polib.pofile(str(FRENCH))}
    wrong = [text for text in catalogue.values() if "responsable de traitement" in text.lower()]
    assert wrong == []
    assert "condamnations pénales et aux infractions" in catalogue["Criminal data (Art. 10)"]
    assert "condamnations pénales et aux infractions" in catalogue["the legal basis for criminal-offence data"]
    archiving = catalogue["(j) Archiving in the public interest, scientific or historical research, statistics"]
    assert "dans l’intérêt public" in archiving


def test_french_catalogue_is_up_to_date_with_the_code(tmp_path):
    """A string marked for translation but missing from the .po would show in English."""
    require_executable("xgettext", "apt-get install gettext")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale" / "fr" / "LC_MESSAGES").mkdir(parents=True)
    environment = {**os.environ, "PYTHONPATH": str(tmp_path), "DEBUG": "true"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "-v0"],
        cwd=tmp_path,
        env=environment,
        check=True,
    )
    fresh = {entry.msgid for entry in polib.pofile(str(tmp_path / "locale/fr/LC_MESSAGES/django.po"))}
    committed = {entry.msgid for entry in polib.pofile(str(FRENCH)) if not entry.obsolete}
    missing, unused = sorted(fresh - committed), sorted(committed - fresh)
    assert missing == [], f"Run `make messages` and translate the new strings: {missing}"
    assert unused == [], f"Run `make messages` to drop strings no longer used: {unused}"


@pytest.mark.django_db
def test_organisation_pages_are_fully_french(dpo, organisation):
    dpo.language = "fr"
    dpo.save()
    page = client_for(dpo).get(reverse("organisations:members", args=[organisation.slug])).text
    for french in ("Registre", "Violations", "Constats", "Rapports", "Paramètres", "Membres", "Inviter quelqu’un"):
        assert french in page
    for english in (">Register<", ">Breaches<", ">Findings<", ">Settings<", "Add a member"):
        assert english not in page

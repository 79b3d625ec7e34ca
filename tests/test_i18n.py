"""English and French ship complete: every marked string has a French translation."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.urls import reverse

from .conftest import client_for, require_executable

ROOT = Path(__file__).resolve().parent.parent
FRENCH = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
SOURCES = ("accounts", "breaches", "config", "core", "inventory", "processing", "templates", "manage.py")


def test_every_french_message_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(FRENCH))
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


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
    assert sorted(fresh - committed) == [], "Run `make messages` and translate the new strings"
    assert sorted(committed - fresh) == [], "Run `make messages` to drop strings no longer used"


@pytest.mark.django_db
def test_organisation_pages_are_fully_french(dpo, organisation):
    dpo.language = "fr"
    dpo.save()
    page = client_for(dpo).get(reverse("organisations:members", args=[organisation.slug])).text
    for french in ("Registre", "Violations", "Constats", "Rapports", "Paramètres", "Membres", "Ajouter un membre"):
        assert french in page
    for english in (">Register<", ">Breaches<", ">Findings<", ">Settings<", "Add a member"):
        assert english not in page

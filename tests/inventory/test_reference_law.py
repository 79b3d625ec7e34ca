"""The reference data on adequacy decisions as the law has them (issue #18, items 10, 18, 24)."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from inventory.models import AdequacyDecision
from inventory.reference import reference_data_create_missing

from ..conftest import client_for

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("inventory.migrations.0003_adequacy_decisions_in_force")


def test_the_numbers_verified_are_stored_and_said_to_be_verified():
    """Commission Implementing Decisions (EU) 2025/1382 of 15 July 2025 (European Patent Organisation, C(2025) 4626,
    OJ L of 18 July 2025) and (EU) 2026/179 of 26 January 2026 (Brazil, OJ L of 28 January 2026), checked against
    their publication; the UK renewal of 19 December 2025 could not be, and says so instead of guessing a number."""
    epo = AdequacyDecision.objects.get(international_organisation__name="European Patent Organisation")
    assert (epo.reference, epo.in_force_from) == ("(EU) 2025/1382", datetime.date(2025, 7, 15))
    assert "Verified" in epo.notes and "C(2025) 4626" in epo.notes
    brazil = AdequacyDecision.objects.get(country="BR")
    assert (brazil.reference, brazil.in_force_from) == ("(EU) 2026/179", datetime.date(2026, 1, 26))
    assert "Verified" in brazil.notes
    renewal = AdequacyDecision.objects.get(country="GB", in_force_from=datetime.date(2025, 12, 28))
    assert "NOT VERIFIED" in renewal.notes and "/" not in renewal.reference.replace("(EU) 2021/1772", "")


def test_the_admin_tells_a_superuser_which_references_are_unverified(superuser):
    """The admin shows each decision's notes and explains that a reference not checked against the Official Journal
    is said to be unverified, never guessed."""
    renewal = AdequacyDecision.objects.get(country="GB", in_force_from=datetime.date(2025, 12, 28))
    page = client_for(superuser).get(reverse("admin:inventory_adequacydecision_change", args=[renewal.pk])).text
    assert "NOT VERIFIED" in page
    assert "is said to be unverified in the notes, never guessed" in page


def test_a_database_seeded_with_one_uk_row_gets_the_two_decisions():
    """Decision (EU) 2021/1772 (to 27 December 2025, immigration control excluded, Art. 1(2)) and its renewal of
    19 December 2025 (28 December 2025 to 27 December 2031): a database seeded with the single row of before is
    corrected by the data migration, the US scope gains the pending appeal (C-703/25 P)."""
    AdequacyDecision.objects.filter(country="GB").delete()
    AdequacyDecision.objects.create(country_id="GB", **MIGRATION.UK_SEEDED)
    AdequacyDecision.objects.filter(country="US").update(
        scope_description=MIGRATION.US_OLD, scope_description_fr=MIGRATION.US_OLD_FR
    )
    MIGRATION.correct(apps, None)
    uk = list(AdequacyDecision.objects.filter(country="GB").order_by("in_force_from"))
    assert [(each.reference, each.in_force_from, each.ends_on) for each in uk] == [
        ("(EU) 2021/1772", datetime.date(2021, 6, 28), datetime.date(2025, 12, 27)),
        (MIGRATION.UK_2025["reference"], datetime.date(2025, 12, 28), datetime.date(2031, 12, 27)),
    ]
    assert uk[0].scope == "partial" and "immigration control" in uk[0].scope_description
    assert "C-703/25 P" in AdequacyDecision.objects.get(country="US").scope_description
    reference_data_create_missing()  # the seeding after migrate adds nothing more
    assert AdequacyDecision.objects.filter(country="GB").count() == 2


def test_a_uk_row_a_superuser_changed_is_left_alone_and_not_doubled():
    """The data migration and the seeding only add what the law adds: a superuser's own record of the United
    Kingdom's decision for those days (here, ended early) is kept, and no second decision overlaps it."""
    AdequacyDecision.objects.filter(country="GB").delete()
    mine = AdequacyDecision.objects.create(
        country_id="GB", **{**MIGRATION.UK_SEEDED, "ends_on": datetime.date(2031, 1, 31)}
    )
    MIGRATION.correct(apps, None)
    reference_data_create_missing()
    assert list(AdequacyDecision.objects.filter(country="GB")) == [mine]

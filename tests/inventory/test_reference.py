import datetime

import pytest
from django.db import IntegrityError, transaction

from inventory.models import AdequacyDecision, Country

pytestmark = pytest.mark.django_db


def adequate_countries(day):
    return set(AdequacyDecision.objects.in_force_on(day).exclude(country=None).values_list("country_id", flat=True))


def test_the_eea_is_the_eu_plus_iceland_liechtenstein_and_norway():
    eea = set(Country.objects.filter(is_eea=True).values_list("code", flat=True))
    eu = set(Country.objects.filter(is_eu=True).values_list("code", flat=True))
    assert {"FR", "DE", "IE", "RE", "GP"} <= eu
    assert eea - eu == {"IS", "LI", "NO"}
    assert not {"GB", "CH", "US", "IN", "NC", "PF", "GL"} & eea


def test_adequacy_decisions_in_force_today():
    assert adequate_countries(datetime.date(2026, 11, 28)) == {
        "CH", "CA", "AR", "GG", "IM", "JE", "FO", "AD", "IL", "UY", "NZ", "JP", "KR", "GB", "US", "BR",
    }  # fmt: skip
    assert not AdequacyDecision.objects.in_force_on(datetime.date(2026, 11, 28)).filter(country="IN").exists()


@pytest.mark.parametrize(
    ("day", "adequate"),
    [("2031-12-27", True), ("2031-12-28", False), ("2021-06-27", False), ("2021-06-28", True)],
)
def test_the_uk_decision_applies_from_28_june_2021_to_27_december_2031(day, adequate):
    assert ("GB" in adequate_countries(datetime.date.fromisoformat(day))) is adequate


def test_the_european_patent_organisation_is_adequate_from_15_july_2025():
    decisions = AdequacyDecision.objects.filter(international_organisation__name="European Patent Organisation")
    assert not decisions.in_force_on(datetime.date(2025, 7, 14)).exists()
    assert decisions.in_force_on(datetime.date(2025, 7, 15)).get().reference == "(EU) 2025/1382"


def test_brazil_is_adequate_only_from_26_january_2026():
    assert "BR" not in adequate_countries(datetime.date(2026, 1, 25))
    assert "BR" in adequate_countries(datetime.date(2026, 1, 26))


def test_a_revoked_decision_stops_applying_from_its_end_date():
    decision = AdequacyDecision.objects.get(country="US")
    decision.ends_on = datetime.date(2027, 3, 31)
    decision.save()
    assert "US" in adequate_countries(datetime.date(2027, 3, 31))
    assert "US" not in adequate_countries(datetime.date(2027, 4, 1))


def test_us_decision_requires_dpf_certification_and_partial_ones_describe_their_scope():
    us = AdequacyDecision.objects.get(country="US")
    assert us.requires_dpf_certification and us.scope == "partial"
    for decision in AdequacyDecision.objects.filter(scope="partial"):
        assert decision.scope_description and decision.scope_description_fr


def test_a_decision_must_name_exactly_one_destination():
    with pytest.raises(IntegrityError), transaction.atomic():
        AdequacyDecision.objects.create(reference="X", in_force_from=datetime.date(2020, 1, 1))


def test_reference_data_is_only_added_never_overwritten():
    from inventory.reference import reference_data_create_missing

    us = AdequacyDecision.objects.get(country="US")
    us.ends_on = datetime.date(2027, 1, 31)  # say a superuser recorded its annulment
    us.save()
    Country.objects.filter(code="IN").delete()
    reference_data_create_missing()
    us.refresh_from_db()
    assert us.ends_on == datetime.date(2027, 1, 31)
    assert Country.objects.filter(code="IN", is_eea=False).exists()
    assert AdequacyDecision.objects.filter(country="US").count() == 1


def test_korea_is_adequate_for_public_and_private_controllers_but_three_exclusions():
    """Commission Implementing Decision (EU) 2022/254 (Republic of Korea, PIPA): it covers transfers to every
    controller subject to PIPA, public authorities included (recitals 6-9); only religious organisations'
    missionary activities, political parties' nomination of candidates and credit information processed by
    controllers supervised by the Financial Services Commission are left out. Not "private sector only"."""
    korea = AdequacyDecision.objects.get(country="KR")
    assert korea.scope == "partial" and korea.reference == "(EU) 2022/254"
    assert "public and private" in korea.scope_description and "private sector" not in korea.scope_description.lower()
    for excluded in ("missionary", "nomination of candidates", "Financial Services Commission"):
        assert excluded in korea.scope_description
    assert "public ou privé" in korea.scope_description_fr and "Secteur privé" not in korea.scope_description_fr


def test_a_database_seeded_with_the_old_korean_scope_is_corrected():
    """The data migration rewrites the seeded text of databases created before, not a superuser's own wording."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("inventory.migrations.0002_adequacy_scopes")
    korea = AdequacyDecision.objects.get(country="KR")
    AdequacyDecision.objects.filter(pk=korea.pk).update(scope_description=migration.OLD, scope_description_fr="Mine")
    migration.correct(apps, None)
    korea.refresh_from_db()
    assert "public and private" in korea.scope_description
    assert korea.scope_description_fr == "Mine", "a text changed in the admin is left as it is"


def test_aland_is_in_the_eu_but_not_an_outermost_region():
    """Art. 349 TFEU lists the outermost regions (Guadeloupe, French Guiana, Martinique, Réunion, Mayotte,
    Saint-Martin, the Azores, Madeira, the Canary Islands); Åland is part of Finland in the EU under Protocol No 2 to
    the 1994 Act of Accession, with its own ISO code, and is no outermost region."""
    from inventory.reference import EU, EU_OUTERMOST_REGIONS

    assert "AX" in EU and "AX" not in EU_OUTERMOST_REGIONS
    assert {"GP", "GF", "MQ", "RE", "YT", "MF"} == EU_OUTERMOST_REGIONS
    assert Country.objects.get(code="AX").is_eea


def test_israels_decision_is_partial():
    """Commission Decision 2011/61/EU, Art. 1: Israel is adequate "with regard to automated international transfers
    of personal data from the European Union or, where they are not automated, they are subject to further automated
    processing in the State of Israel", the State of Israel being understood "in accordance with international law".
    A DPO relying on it confirms the transfer is within that scope, as for the other partial decisions."""
    israel = AdequacyDecision.objects.get(country="IL")
    assert israel.scope == "partial"
    assert "Automated processing only" in israel.scope_description and "international law" in israel.scope_description
    assert "droit international" in israel.scope_description_fr


def test_an_israeli_transfer_under_adequacy_needs_its_scope_confirmed(organisation):
    """Decision 2011/61/EU being partial, a transfer to Israel on adequacy is flagged until the DPO confirms it is
    within the decision's scope (``transfer.adequacy_out_of_scope``), and no longer once confirmed."""
    from processing.compliance.check import check_organisation
    from processing.compliance.models import Finding
    from processing.services import activity_create, activity_update

    activity = activity_create(
        organisation=organisation, name="R&D", purpose="x", transfers=[{"country_id": "IL", "mechanism": "adequacy"}]
    )
    check_organisation(organisation, today=datetime.date(2026, 11, 28))
    assert "transfer.adequacy_out_of_scope" in set(Finding.objects.filter(status="open").values_list("rule", flat=True))
    activity_update(
        activity=activity,
        transfers=[{"country_id": "IL", "mechanism": "adequacy", "adequacy_scope_confirmed": True}],
    )
    check_organisation(organisation, today=datetime.date(2026, 11, 28))
    assert not Finding.objects.filter(status="open", rule="transfer.adequacy_out_of_scope").exists()

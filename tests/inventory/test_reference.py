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

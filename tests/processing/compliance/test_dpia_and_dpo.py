"""When the law requires a DPIA (the CNIL's list) and a DPO (public bodies)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.services import organisation_update
from processing.compliance.models import Finding
from processing.compliance.selectors import shown
from processing.history import activity_history
from processing.models import ProcessingActivity
from processing.services import activity_update

from ..test_views import form_data, url
from .test_compliance import draft, open_rules

pytestmark = pytest.mark.django_db


def test_one_type_on_the_cnil_list_requires_a_dpia_whatever_the_criteria_count(organisation):
    """CNIL, délibération n° 2018-327 of 11 October 2018 (Art. 35(4) GDPR): the list of the types of processing for
    which a DPIA is required. One type is enough, even with none of the EDPB's nine criteria ticked."""
    activity = draft(organisation)
    assert "data.dpia_missing" not in open_rules(organisation)
    activity_update(activity=activity, cnil_dpia_types=["whistleblowing"])
    assert open_rules(organisation) == ["data.dpia_missing"]
    message = shown(Finding.objects.all(), organisation)[0].message
    assert "a type of processing on the CNIL's list of those requiring a DPIA (délibération 2018-327)" in message
    activity_update(activity=activity, dpia_status="in_progress")
    assert open_rules(organisation) == []


def test_the_cnil_list_has_its_fourteen_types():
    """Délibération n° 2018-327, annex: fourteen types of processing (JORF of 6 November 2018)."""
    assert len(ProcessingActivity.CnilDpiaType.choices) == 14


def test_the_form_shows_the_cnil_list_and_the_record_and_history_name_the_ticked_types(
    dpo_client, organisation, catalogue
):
    """Délibération n° 2018-327: the DPO ticks the types on the activity's DPIA screening; the record page and the
    history read them by name."""
    page = dpo_client.get(url(organisation, "activity_create_all")).content.decode()
    assert 'value="employee_monitoring"' in page and "Constant monitoring of employees&#x27; activity" in page
    response = dpo_client.post(
        url(organisation, "activity_create"),
        form_data(catalogue, cnil_dpia_types=["employee_monitoring", "large_scale_location"]),
    )
    assert response.status_code == 302, response.context["form"].errors
    activity = ProcessingActivity.objects.get()
    assert activity.cnil_dpia_types == ["employee_monitoring", "large_scale_location"]
    detail = dpo_client.get(url(organisation, "activity_detail", pk=activity.pk)).content.decode()
    assert "Constant monitoring of employees&#x27; activity; Location data on a large scale" in detail
    activity_update(activity=activity, cnil_dpia_types=["employee_monitoring"])
    details = [line for change in activity_history(activity) for line in change.details]
    assert (
        "On the CNIL's list of processing requiring a DPIA: Constant monitoring of employees' activity, Location data "
        "on a large scale → Constant monitoring of employees' activity" in details
    )


def test_the_form_refuses_a_type_not_on_the_list(dpo_client, organisation, catalogue):
    response = dpo_client.post(url(organisation, "activity_create"), form_data(catalogue, cnil_dpia_types=["made_up"]))
    assert response.status_code == 200
    assert response.context["form"].errors["cnil_dpia_types"]
    assert not ProcessingActivity.objects.exists()


def test_the_service_refuses_an_unknown_or_repeated_type(organisation):
    with pytest.raises(ValidationError) as error:
        draft(organisation, cnil_dpia_types=["hr_profiling", "hr_profiling"])
    assert "cnil_dpia_types" in error.value.message_dict
    with pytest.raises(ValidationError):
        draft(organisation, cnil_dpia_types="hr_profiling")
    assert not ProcessingActivity.objects.exists()


def test_the_findings_page_says_why_the_dpia_is_required(dpo_client, organisation):
    draft(organisation, cnil_dpia_types=["social_housing"])
    open_rules(organisation)
    page = dpo_client.get(reverse("compliance:finding_list", kwargs={"organisation_slug": organisation.slug}))
    assert "CNIL&#x27;s list of those requiring a DPIA" in page.content.decode()


def test_a_public_body_without_a_dpo_is_told_to_designate_one(dpo_client, organisation):
    """Art. 37(1)(a) GDPR: a DPO must be designated where "the processing is carried out by a public authority or
    body"; a private organisation with no DPO is not flagged by this rule (Art. 37(1)(b), (c) turn on its core
    activities, which the register cannot judge alone)."""
    organisation_update(organisation=organisation, dpo_name="")
    assert "data.public_body_without_dpo" not in open_rules(organisation)
    organisation_update(organisation=organisation, is_public_body=True)
    assert open_rules(organisation) == ["data.public_body_without_dpo"]
    page = dpo_client.get(reverse("compliance:finding_list", kwargs={"organisation_slug": organisation.slug}))
    html = page.content.decode()
    assert "must designate a data protection officer (Art. 37(1)(a))" in html
    assert f"Organisation: {organisation.name}" in html
    settings_page = reverse("organisations:settings", kwargs={"organisation_slug": organisation.slug})
    assert f'href="{settings_page}#id_dpo_name"' in html
    organisation_update(organisation=organisation, dpo_name="Camille Martin", dpo_email="dpo@example.org")
    assert open_rules(organisation) == []

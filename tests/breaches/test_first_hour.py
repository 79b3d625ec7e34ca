"""The first hour of a breach: a short form that starts the clock, then the record says what
remains; and the form's "fill in from the register" adds only what the DPO chose."""

import datetime
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from breaches.forms import FirstHourBreachForm
from breaches.models import Breach, TimelineEntry
from processing.services import activity_create

from ..inventory.factories import DataFieldFactory, DataSubjectCategoryFactory, SystemFactory
from .factories import log_breach

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def local(hours_ago: float) -> str:
    moment = timezone.now() - datetime.timedelta(hours=hours_ago)
    return timezone.localtime(moment, PARIS).strftime("%Y-%m-%dT%H:%M")


def first_hour(**changes):
    data = {
        "form": "first_hour",
        "title": "Stolen laptop",
        "description": "A sales laptop was stolen from a car.",
        "detected_at": local(3),
        "aware_at": local(2),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def url(name, organisation, breach=None):
    return reverse(f"breaches:{name}", args=[organisation.slug] + ([breach.pk] if breach else []))


def test_the_first_hour_form_asks_fewer_than_ten_questions(dpo_client, organisation):
    response = dpo_client.get(url("breach_create", organisation))
    form = response.context["form"]
    assert isinstance(form, FirstHourBreachForm) and len(form.fields) < 10
    assert {"title", "description", "aware_at", "systems", "data_categories", "subject_categories"} <= set(form.fields)
    assert 'name="form" value="first_hour"' in response.content.decode()
    full = dpo_client.get(url("breach_create", organisation) + "?form=full").context["form"]
    assert len(full.fields) > 30  # the whole record, for those who know more already


def test_the_first_hour_starts_the_clock_and_the_record_says_what_remains(dpo_client, organisation):
    portal = SystemFactory(organisation=organisation, name="Customer portal")
    response = dpo_client.post(
        url("breach_create", organisation), first_hour(systems=[portal.pk], data_categories=["identification"])
    )
    breach = Breach.objects.get()
    assert response.status_code == 302 and response["Location"] == url("breach_detail", organisation, breach)
    assert breach.status == Breach.Status.OPEN and breach.role == Breach.Role.CONTROLLER
    assert list(breach.systems.all()) == [portal] and breach.data_categories == ["identification"]
    assert list(breach.timeline.values_list("text", flat=True)) == ["Breach logged."]
    page = dpo_client.get(response["Location"]).content.decode()
    assert "What remains to record" in page and "left" in page  # the clock runs
    remaining = page[page.index("What remains to record") : page.index("Timeline")]
    for section, anchor in (
        ("Nature and cause", "nature"),
        ("What is affected", "affected"),
        ("Supervisory authority", "authority"),
    ):
        assert section in remaining and f'/edit/#{anchor}"' in remaining
    assert "The categories of people concerned (Art. 33(3)(a))." in remaining
    assert "The categories of data concerned" not in remaining  # already known


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Give the breach a short title"),
        ({"description": "  "}, "description", "Say what happened, in a few words"),
        ({"aware_at": ""}, "aware_at", "Enter when you became aware of the breach"),
        ({"detected_at": ""}, "detected_at", "Enter when the breach was detected"),
        ({"aware_at": local(4)}, "aware_at", "cannot become aware of a breach before it was detected"),
        ({"started_at": local(1)}, "detected_at", "cannot be detected before it started"),
        ({"detected_at": local(-48), "aware_at": local(-49)}, "detected_at", "in the future"),
        ({"data_categories": ["gossip"]}, "data_categories", "Select a valid choice"),
    ],
)
def test_the_first_hour_refuses_bad_input_on_its_field_and_writes_nothing(
    dpo_client, organisation, changes, field, message
):
    response = dpo_client.post(url("breach_create", organisation), first_hour(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    page = response.content.decode()
    assert "There is a problem" in page and re.search(rf'<a href="#id_{field}(_0)?">', page)
    assert not Breach.objects.exists() and not TimelineEntry.objects.exists()


def test_the_first_hours_messages_are_in_the_readers_language(dpo, dpo_client, organisation):
    dpo.language = "fr"
    dpo.save(update_fields=["language"])
    response = dpo_client.post(url("breach_create", organisation), first_hour(title="", aware_at=""))
    page = response.content.decode()
    assert "Il y a un problème" in page
    assert "Donnez à la violation un titre court" in page and "Indiquez quand vous avez eu connaissance" in page
    assert not Breach.objects.exists()


def test_a_refused_closure_is_listed_at_the_top_with_a_link_to_the_status(dpo_client, organisation):
    breach = log_breach(organisation)
    data = {
        "title": breach.title,
        "description": breach.description,
        "detected_at": timezone.localtime(breach.detected_at, PARIS).strftime("%Y-%m-%dT%H:%M"),
        "aware_at": timezone.localtime(breach.aware_at, PARIS).strftime("%Y-%m-%dT%H:%M"),
        "role": "controller",
        "status": "closed",
    }
    response = dpo_client.post(url("breach_edit", organisation, breach), data)
    page = response.content.decode()
    summary = page[page.index("There is a problem") : page.index("</ul>", page.index("There is a problem"))]
    assert '<a href="#id_status">' in summary and "Assess the risk before closing the breach." in summary
    assert page.index("There is a problem") < page.index('id="facts"')  # above the form's first section
    breach.refresh_from_db()
    assert breach.status == Breach.Status.OPEN


# --- Fill in from the register: only what the DPO chose ----------------------------------------------------------


@pytest.fixture
def crm_on_shared_system(organisation):
    """Two activities on one system: the CRM (contact data of customers) and contracts (with health data)."""
    salesforce = SystemFactory(organisation=organisation, name="Salesforce")
    email = DataFieldFactory(organisation=organisation, name="Email", category="identification")
    health = DataFieldFactory(organisation=organisation, name="Health", category="special", special_category="health")
    prospects = DataSubjectCategoryFactory(organisation=organisation, name="Prospects")
    clients = DataSubjectCategoryFactory(organisation=organisation, name="Clients")
    crm = activity_create(
        organisation=organisation, reference="PA-001", name="CRM", purpose="P", systems=[salesforce],
        data_fields=[email], data_subjects=[{"category": prospects}],
    )  # fmt: skip
    contracts = activity_create(
        organisation=organisation, reference="PA-014", name="Contracts", purpose="P", systems=[salesforce],
        data_fields=[email, health], data_subjects=[{"category": clients}],
    )  # fmt: skip
    return {"system": salesforce, "crm": crm, "contracts": contracts, "prospects": prospects, "clients": clients}


def full(**changes):
    data = {
        "title": "Stolen laptop",
        "description": "A sales laptop was stolen.",
        "detected_at": local(3),
        "aware_at": local(2),
        "role": "controller",
        "status": "open",
    }
    data.update(changes)
    return data


def test_prefill_takes_the_chosen_activities_data_and_nothing_from_other_activities_on_the_system(
    dpo_client, organisation, crm_on_shared_system
):
    world = crm_on_shared_system
    response = dpo_client.post(
        url("breach_create", organisation),
        full(activities=[world["crm"].pk], systems=[world["system"].pk], prefill="1"),
    )
    form = response.context["form"]
    assert form["data_categories"].value() == ["identification"]
    assert form["special_categories"].value() == []
    assert form["subject_categories"].value() == [world["prospects"].pk]
    assert response.context["proposals"] == []
    assert not Breach.objects.exists()


def test_with_only_systems_chosen_what_they_hold_is_proposed_with_its_source_and_added_once_ticked(
    dpo_client, organisation, crm_on_shared_system
):
    world = crm_on_shared_system
    target = url("breach_create", organisation)
    asked = dpo_client.post(target, full(title="", systems=[world["system"].pk], prefill="1"))
    form = asked.context["form"]
    assert form["data_categories"].value() == [] and form["special_categories"].value() == []
    assert form["subject_categories"].value() == []
    proposals = {proposal.key: proposal for proposal in asked.context["proposals"]}
    assert set(proposals) == {
        "data_categories:identification",
        "data_categories:special",
        "special_categories:health",
        f"subject_categories:{world['prospects'].pk}",
        f"subject_categories:{world['clients'].pk}",
    }
    assert proposals["special_categories:health"].sources == ["PA-014 · Contracts (Salesforce)"]
    assert proposals["data_categories:identification"].sources == [
        "PA-001 · CRM (Salesforce)",
        "PA-014 · Contracts (Salesforce)",
    ]
    page = asked.content.decode()
    assert "From PA-014 · Contracts (Salesforce)" in page and "This field is required" not in page
    assert not re.search(r'name="proposed"[^>]* checked', page)  # nothing ticked for the DPO

    ticked = [
        "data_categories:identification",
        f"subject_categories:{world['prospects'].pk}",
        f"subject_categories:{world['clients'].pk + 999}",  # not proposed: ignored
    ]
    added = dpo_client.post(target, full(systems=[world["system"].pk], add_proposed="1", proposed=ticked))
    form = added.context["form"]
    assert form["data_categories"].value() == ["identification"]
    assert form["special_categories"].value() == []
    assert form["subject_categories"].value() == [world["prospects"].pk]
    assert not Breach.objects.exists()


def test_prefill_with_nothing_chosen_says_what_to_choose(dpo_client, organisation):
    response = dpo_client.post(url("breach_create", organisation), full(prefill="1"), follow=True)
    assert "Choose the processing activities affected first, or the systems." in response.content.decode()
    assert not Breach.objects.exists()

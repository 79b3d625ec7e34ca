"""The breach log pages: the DPO logs and completes a breach, everyone reads its clock and
timeline, bad input writes nothing."""

import datetime
import io
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from breaches.models import Breach, TimelineEntry
from breaches.services import timeline_entry_add
from inventory.services import catalogue_item_archive
from processing.services import activity_create

from ..inventory.factories import DataFieldFactory, DataSubjectCategoryFactory, SystemFactory
from .factories import log_breach

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def local(moment: datetime.datetime) -> str:
    """As a datetime-local input sends it, in the reader's time zone (the profile's: Paris)."""
    return timezone.localtime(moment, PARIS).strftime("%Y-%m-%dT%H:%M")


def form_data(**changes):
    now = timezone.now()
    data = {
        "title": "Misdirected email",
        "description": "Payslips sent to the wrong colleague.",
        "detected_at": local(now - datetime.timedelta(hours=3)),
        "aware_at": local(now - datetime.timedelta(hours=2)),
        "role": "controller",
        "status": "open",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def url(name, organisation, breach=None):
    args = [organisation.slug] + ([breach.pk] if breach else [])
    return reverse(f"breaches:{name}", args=args)


def test_the_dpo_logs_a_breach_in_their_time_zone_and_everyone_sees_its_clock(dpo_client, auditor_client, organisation):
    aware = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(hours=2)
    response = dpo_client.post(url("breach_create", organisation), form_data(aware_at=local(aware)))
    breach = Breach.objects.get()
    assert response.status_code == 302 and response["Location"] == url("breach_detail", organisation, breach)
    assert breach.aware_at == aware  # read in Paris time, stored in UTC
    page = auditor_client.get(url("breach_list", organisation)).content.decode()
    assert breach.reference in page and "2 days 21 hours left" in page  # 70 hours less a few seconds
    detail = auditor_client.get(url("breach_detail", organisation, breach)).content.decode()
    assert "Breach logged." in detail and "Add to the timeline" not in detail  # the auditor reads only


def test_overdue_and_near_breaches_come_first_and_say_so(auditor_client, organisation):
    log_breach(organisation, title="Calm", aware_hours_ago=2)
    log_breach(organisation, title="Late", aware_hours_ago=80)
    log_breach(organisation, title="Near", aware_hours_ago=60)
    log_breach(organisation, title="Done", aware_hours_ago=100, notified_at=timezone.now(), authority="CNIL",
               delay_reasons="Forensics took long")  # fmt: skip
    page = auditor_client.get(url("breach_list", organisation)).content.decode()
    order = [page.index(title) for title in ("Late", "Near", "Calm", "Done")]
    assert order == sorted(order)
    assert "Overdue" in page and "late by 8 hours" in page and "Deadline near" in page and "Notified late" in page


def test_a_late_notification_without_reasons_is_refused_on_its_field_and_nothing_changes(dpo_client, organisation):
    breach = log_breach(organisation, aware_hours_ago=80)
    data = form_data(
        title=breach.title,
        detected_at=local(breach.detected_at),
        aware_at=local(breach.aware_at),
        notified_at=local(timezone.now()),
        authority="CNIL",
    )
    response = dpo_client.post(url("breach_edit", organisation, breach), data)
    assert response.status_code == 200
    assert response.context["form"].errors["delay_reasons"][0].startswith("Notified more than 72 hours")
    breach.refresh_from_db()
    assert breach.notified_at is None and breach.timeline.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"aware_at": "yesterday"}, "aware_at"),
        ({"aware_at": "2026-02-30T10:00"}, "aware_at"),
        ({"detected_at": "0001-01-01T00:00", "aware_at": "0001-01-01T00:30"}, "detected_at"),  # not a 500
        ({"aware_at": ""}, "aware_at"),
        ({"description": ""}, "description"),
        ({"detected_at": local(timezone.now() + datetime.timedelta(days=2))}, "detected_at"),
        ({"data_categories": "gossip"}, "data_categories"),
        ({"risk": "high_risk"}, "risk_reasoning"),
    ],
)
def test_bad_input_is_shown_on_its_field_and_writes_nothing(dpo_client, organisation, changes, field):
    response = dpo_client.post(url("breach_create", organisation), form_data(**changes))
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not Breach.objects.exists() and not TimelineEntry.objects.exists()


def test_another_organisations_system_cannot_be_chosen(dpo_client, organisation, other_organisation):
    theirs = SystemFactory(organisation=other_organisation)
    response = dpo_client.post(url("breach_create", organisation), form_data(systems=[theirs.pk]))
    assert "systems" in response.context["form"].errors and not Breach.objects.exists()


def test_an_archived_system_is_not_offered_but_a_breach_keeps_the_one_it_names(dpo_client, organisation):
    old = SystemFactory(organisation=organisation, name="Old intranet")
    breach = log_breach(organisation, systems=[old])
    catalogue_item_archive(item=old)
    refused = dpo_client.post(url("breach_create", organisation), form_data(systems=[old.pk]))
    assert "systems" in refused.context["form"].errors and Breach.objects.count() == 1
    data = form_data(
        title="Still on the old intranet",
        detected_at=local(breach.detected_at),
        aware_at=local(breach.aware_at),
        systems=[old.pk],
    )
    other = SystemFactory(organisation=organisation, name="Older intranet")
    catalogue_item_archive(item=other)
    edit = url("breach_edit", organisation, breach)
    assert "systems" in dpo_client.post(edit, {**data, "systems": [old.pk, other.pk]}).context["form"].errors
    assert dpo_client.post(edit, data).status_code == 302
    assert list(breach.systems.all()) == [old]


def test_a_manager_posting_a_complete_form_changes_nothing(manager_client, outsider_client, organisation):
    breach = log_breach(organisation, title="Lost laptop")
    data = form_data(detected_at=local(breach.detected_at), aware_at=local(breach.aware_at))
    assert manager_client.post(url("breach_edit", organisation, breach), data).status_code == 403
    assert outsider_client.post(url("breach_edit", organisation, breach), data).status_code == 404
    assert manager_client.post(url("breach_create", organisation), data).status_code == 403
    assert list(Breach.objects.values_list("title", flat=True)) == ["Lost laptop"]


def test_prefill_reads_the_register_and_saves_nothing(dpo_client, organisation):
    portal = SystemFactory(organisation=organisation, name="Portal")
    health = DataFieldFactory(organisation=organisation, category="special", special_category="health")
    patients = DataSubjectCategoryFactory(organisation=organisation, name="Patients")
    appointments = activity_create(
        organisation=organisation,
        name="Appointments",
        purpose="P",
        systems=[portal],
        data_fields=[health],
        data_subjects=[{"category": patients}],
    )
    # Asked before the title is typed: no error yet, what was typed is kept; the chosen activity's data and people
    # are filled in (a chosen system adds only its activities the DPO also chose: tests/breaches/test_first_hour.py).
    chosen = {"systems": [portal.pk], "activities": [appointments.pk]}
    response = dpo_client.post(
        url("breach_create", organisation),
        form_data(title="", data_categories=["economic"], reported_by="Help desk", prefill="1", **chosen),
    )
    form = response.context["form"]
    assert not form.is_bound and "This field is required" not in response.content.decode()
    assert sorted(form["data_categories"].value()) == ["economic", "special"]
    assert form["special_categories"].value() == ["health"]
    assert form["subject_categories"].value() == [patients.pk]
    assert [str(pk) for pk in form["systems"].value()] == [str(portal.pk)]
    assert form["reported_by"].value() == "Help desk"
    page = response.content.decode()
    assert re.search(r'name="special_categories" value="health"[^>]* checked', page)
    assert not Breach.objects.exists()


def test_the_timeline_grows_by_the_dpos_entries_and_refuses_a_follow_up_before_notification(
    dpo_client, auditor_client, organisation
):
    breach = log_breach(organisation)
    target = url("timeline_add", organisation, breach)
    refused = dpo_client.post(target, {"kind": "follow_up", "text": "Logs sent"})
    assert refused.status_code == 200 and "kind" in refused.context["timeline_form"].errors
    assert dpo_client.post(target, {"kind": "note", "text": "Called the recipient"}).status_code == 302
    assert auditor_client.post(target, {"kind": "note", "text": "Me too"}).status_code == 403
    assert list(breach.timeline.values_list("text", flat=True)) == ["Breach logged.", "Called the recipient"]
    page = auditor_client.get(url("breach_detail", organisation, breach)).content.decode()
    assert "Called the recipient" in page and "dpo" in page


@pytest.mark.parametrize(
    "when",
    ["0001-01-01T00:00", "1969-12-31T23:59", "soon", local(timezone.now() + datetime.timedelta(days=1))],
    # Named, not by their value: tomorrow's would differ between the processes collecting at a minute's turn.
    ids=["year-1", "before-1970", "not-a-moment", "tomorrow"],
)
def test_a_timeline_entry_at_an_impossible_moment_is_refused_and_writes_nothing(dpo_client, organisation, when):
    breach = log_breach(organisation)
    response = dpo_client.post(
        url("timeline_add", organisation, breach), {"happened_at": when, "kind": "note", "text": "x"}
    )
    assert response.status_code == 200 and "happened_at" in response.context["timeline_form"].errors
    assert breach.timeline.count() == 1  # "Breach logged." alone


def test_the_history_says_who_changed_what(dpo_client, auditor_client, organisation, dpo):
    breach = log_breach(organisation, author=dpo)
    data = form_data(
        title="Lost laptop, found again", detected_at=local(breach.detected_at), aware_at=local(breach.aware_at)
    )
    assert dpo_client.post(url("breach_edit", organisation, breach), data).status_code == 302
    page = auditor_client.get(url("breach_history", organisation, breach)).content.decode()
    assert "Lost laptop, found again" in page and "dpo" in page


def test_the_notification_draft_follows_the_authoritys_form_in_the_language_asked(auditor_client, organisation):
    breach = log_breach(organisation, consequences="Payslips read by a colleague")
    page = auditor_client.get(url("notification_draft", organisation, breach) + "?lang=fr").content.decode()
    assert "Notification de violation de données personnelles" in page and "Mesures prises" in page
    assert "Payslips read by a colleague" in page
    english = auditor_client.get(url("notification_draft", organisation, breach) + "?lang=en")
    missing = [row.label for row in english.context["missing"]]
    assert "Measures taken" in missing and "Likely consequences" not in missing


def test_list_and_detail_cost_the_same_queries_however_long_the_log(auditor_client, organisation, dpo):
    def grow(count):
        while Breach.objects.count() < count:
            breach = log_breach(organisation)
            breach.systems.add(SystemFactory(organisation=organisation))
            timeline_entry_add(breach=breach, author=dpo, text="Note")

    grow(2)
    breach = Breach.objects.first()
    auditor_client.get(url("breach_list", organisation))  # caches warm (content types)
    auditor_client.get(url("breach_detail", organisation, breach))
    with CaptureQueriesContext(connection) as small_list:
        auditor_client.get(url("breach_list", organisation))
    with CaptureQueriesContext(connection) as small_detail:
        auditor_client.get(url("breach_detail", organisation, breach))
    grow(12)
    for _ in range(10):
        timeline_entry_add(breach=breach, author=dpo, text="More")
    with CaptureQueriesContext(connection) as large_list:
        auditor_client.get(url("breach_list", organisation))
    with CaptureQueriesContext(connection) as large_detail:
        auditor_client.get(url("breach_detail", organisation, breach))
    assert len(large_list) == len(small_list)
    assert len(large_detail) == len(small_detail)


def test_the_notification_draft_downloads_as_a_pdf_in_the_language_asked(auditor_client, organisation):
    breach = log_breach(organisation, consequences="Bulletins lus par un collègue")
    response = auditor_client.get(url("notification_draft_pdf", organisation, breach) + "?lang=fr")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"notification-{breach.reference}-fr.pdf" in response["Content-Disposition"]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Notification de violation de données personnelles" in text
    assert "Bulletins lus par un collègue" in text and breach.reference in text
    assert "À compléter" in text  # the measures taken, still missing


def test_the_record_says_a_public_communication_is_still_to_be_made(auditor_client, organisation):
    """Art. 34(3)(c): relying on disproportionate effort means informing the people by a public communication
    instead; until it is dated, the record says it is still to be made, not that the people are dealt with."""
    breach = log_breach(
        organisation,
        risk="high_risk",
        risk_reasoning="Contact data of 400,000 customers",
        communication_exception="public",
        exception_justification="No valid address for most of them",
    )
    url = reverse("breaches:breach_detail", args=[organisation.slug, breach.pk])
    assert "Public communication still to be made" in auditor_client.get(url).text
    Breach.objects.filter(pk=breach.pk).update(
        communicated_at=breach.aware_at, communication_means="Notice in the national press"
    )
    assert "Public communication still to be made" not in auditor_client.get(url).text

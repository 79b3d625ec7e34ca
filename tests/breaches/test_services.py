"""The breach record: what the service accepts, refuses and writes in the timeline."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from breaches.clock import State, breach_clock
from breaches.models import Breach, TimelineEntry
from breaches.selectors import affected_from_register
from breaches.services import breach_update, timeline_entry_add
from processing.services import activity_create

from ..inventory.factories import DataFieldFactory, DataSubjectCategoryFactory, SystemFactory
from .factories import log_breach

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> dict:
    return {field: [item.code for item in items] for field, items in error.error_dict.items()}


def test_a_logged_breach_gets_a_reference_and_starts_its_timeline(organisation, dpo):
    first = log_breach(organisation, author=dpo)
    second = log_breach(organisation, author=dpo)
    year = timezone.localtime(first.aware_at).year
    assert (first.reference, second.reference) == (f"BR-{year}-001", f"BR-{year}-002")
    (entry,) = first.timeline.all()
    assert (entry.kind, entry.author) == (TimelineEntry.Kind.LOGGED, dpo)
    assert first.history.count() == 1


def test_the_clock_counts_72_hours_from_awareness(organisation, settings):
    breach = log_breach(organisation, aware_hours_ago=60)
    clock = breach_clock(breach)
    assert clock.state == State.NEAR and clock.deadline == breach.aware_at + datetime.timedelta(hours=72)
    assert clock.words == "11 hours 59 minutes left"
    assert breach_clock(log_breach(organisation, aware_hours_ago=10)).state == State.RUNNING
    late = log_breach(organisation, aware_hours_ago=77.5)
    assert (breach_clock(late).state, breach_clock(late).words) == (State.OVERDUE, "late by 5 hours 30 minutes")
    settings.BREACH_NOTIFICATION_HOURS = 96  # the reform proposal
    assert (breach_clock(late).state, breach_clock(late).words) == (State.NEAR, "18 hours 29 minutes left")
    assert breach_clock(log_breach(organisation, aware_hours_ago=1)).words == "3 days 22 hours left"


def test_no_risk_stops_the_clock_but_the_reason_is_recorded(organisation, settings):
    breach = log_breach(organisation)
    with pytest.raises(ValidationError) as refused:
        breach_update(breach=breach, risk="no_risk", risk_reasoning="Encrypted disk")
    assert codes(refused.value) == {"not_notified_reason": ["required"]}
    breach = Breach.objects.get(pk=breach.pk)
    breach_update(breach=breach, risk="no_risk", risk_reasoning="Encrypted disk", not_notified_reason="Encrypted")
    assert breach_clock(breach).state == State.NOT_REQUIRED
    settings.BREACH_NOTIFICATION_THRESHOLD = "high_risk"
    breach_update(breach=breach, risk="risk", not_notified_reason="Only high risks are notified")
    assert breach_clock(breach).state == State.NOT_REQUIRED


def test_a_late_notification_needs_its_reasons_and_enters_the_timeline(organisation, dpo):
    breach = log_breach(organisation, aware_hours_ago=80)
    notified = {"notified_at": timezone.now(), "authority": "CNIL", "authority_reference": "N-1"}
    with pytest.raises(ValidationError) as refused:
        breach_update(breach=breach, author=dpo, **notified)
    assert codes(refused.value) == {"delay_reasons": ["required"]}
    breach = Breach.objects.get(pk=breach.pk)
    breach_update(breach=breach, author=dpo, delay_reasons="The forensic report came late", **notified)
    assert breach_clock(breach).state == State.NOTIFIED_LATE
    kinds = list(breach.timeline.values_list("kind", "text"))
    assert kinds[-1] == ("notified", "Notified to CNIL. Reference: N-1.")


def test_dates_must_follow_each_other_and_not_be_in_the_future(organisation):
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        log_breach(
            organisation,
            started_at=now - datetime.timedelta(hours=1),
            detected_at=now - datetime.timedelta(hours=2),
            aware_at=now - datetime.timedelta(hours=3),
            notified_at=now + datetime.timedelta(days=1),
            authority="CNIL",
        )
    assert codes(refused.value) == {
        "notified_at": ["future"],
        "detected_at": ["before_start"],
        "aware_at": ["before_detection"],
    }
    assert not Breach.objects.exists()


def test_a_high_risk_breach_closes_only_once_people_are_informed_or_an_exception_applies(organisation, dpo):
    breach = log_breach(organisation, risk="high_risk", risk_reasoning="Health data of 2,000 patients")
    notified = {"notified_at": timezone.now(), "authority": "CNIL"}
    with pytest.raises(ValidationError) as refused:
        breach_update(breach=breach, status="closed", **notified)
    assert codes(refused.value) == {"status": ["not_communicated"]}
    breach = Breach.objects.get(pk=breach.pk)
    with pytest.raises(ValidationError) as refused:
        breach_update(breach=breach, status="closed", communication_exception="unintelligible", **notified)
    assert codes(refused.value) == {"exception_justification": ["required"]}
    breach = Breach.objects.get(pk=breach.pk)
    breach_update(
        breach=breach,
        author=dpo,
        status="closed",
        communication_exception="unintelligible",
        exception_justification="AES-256 full-disk encryption, key not compromised",
        **notified,
    )
    assert breach.closed_at is not None
    # In the order they happened: the notification's date comes before the closing.
    assert [kind for (kind,) in breach.timeline.values_list("kind")] == ["logged", "notified", "status"]


def test_follow_ups_come_after_a_notification_and_the_timeline_is_dated(organisation, dpo):
    breach = log_breach(organisation)
    with pytest.raises(ValidationError) as refused:
        timeline_entry_add(breach=breach, author=dpo, text="Logs sent", kind="follow_up")
    assert codes(refused.value) == {"kind": ["not_notified"]}
    with pytest.raises(ValidationError) as refused:
        timeline_entry_add(
            breach=breach, author=dpo, text="  ", happened_at=timezone.now() + datetime.timedelta(days=1)
        )
    assert codes(refused.value) == {"text": ["required"], "happened_at": ["future"]}
    breach_update(breach=breach, notified_at=timezone.now(), authority="CNIL")
    entry = timeline_entry_add(breach=breach, author=dpo, text="Logs sent", kind="follow_up")
    assert (entry.kind, entry.author, entry.breach_id) == ("follow_up", dpo, breach.pk)


def test_links_must_be_the_organisations_own(organisation, other_organisation):
    theirs = SystemFactory(organisation=other_organisation)
    with pytest.raises(ValidationError) as refused:
        log_breach(organisation, systems=[theirs])
    assert codes(refused.value) == {"systems": ["invalid_choice"]}
    assert not Breach.objects.exists()


def test_what_is_affected_is_read_from_the_register(organisation):
    portal = SystemFactory(organisation=organisation)
    health = DataFieldFactory(organisation=organisation, category="special", special_category="health")
    email = DataFieldFactory(organisation=organisation, category="identification")
    patients = DataSubjectCategoryFactory(organisation=organisation)
    stored = activity_create(
        organisation=organisation,
        name="Appointments",
        purpose="P",
        systems=[portal],
        data_fields=[health],
        data_subjects=[{"category": patients}],
    )
    named = activity_create(organisation=organisation, name="Newsletter", purpose="P", data_fields=[email])
    activity_create(organisation=organisation, name="Unrelated", purpose="P", data_fields=[email, health])
    assert affected_from_register(organisation, systems=[portal]) == {
        "data_categories": ["special"],
        "special_categories": ["health"],
        "subject_categories": [patients.pk],
    }
    assert affected_from_register(organisation, activities=[named], systems=[portal])["data_categories"] == [
        "identification",
        "special",
    ]
    assert stored.pk != named.pk


def test_a_public_communication_instead_must_itself_be_made_before_closing(organisation, dpo):
    """Art. 34(3)(c) GDPR: where informing each person "would involve disproportionate effort", "there shall instead
    be a public communication or similar measure whereby the data subjects are informed in an equally effective
    manner". It changes the means, it does not dispense with informing: closing asks when and how it was made."""
    breach = log_breach(organisation, risk="high_risk", risk_reasoning="Contact data of 400,000 customers")
    notified = {"notified_at": timezone.now(), "authority": "CNIL"}
    public = {"communication_exception": "public", "exception_justification": "No valid address for most of them"}
    with pytest.raises(ValidationError) as refused:
        breach_update(breach=breach, status="closed", **notified, **public)
    assert codes(refused.value) == {"status": ["public_communication_missing"]}
    breach = Breach.objects.get(pk=breach.pk)
    breach_update(
        breach=breach,
        author=dpo,
        status="closed",
        communicated_at=timezone.now(),
        communication_means="Notice on the home page and in two national newspapers",
        **notified,
        **public,
    )
    assert Breach.objects.get(pk=breach.pk).closed_at is not None

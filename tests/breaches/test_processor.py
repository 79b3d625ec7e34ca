"""A breach the organisation suffered as a processor: it informs the controller without undue delay (Art. 33(2)); the
authority and the people are the controller's to tell (Art. 33(1), 34). Through the services, the checks, the pages,
the emails and the API."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from breaches.clock import State, breach_clock
from breaches.models import Breach
from breaches.rules import CONTROLLER_RULE
from breaches.services import breach_update, timeline_entry_add
from processing.compliance.check import check_organisation
from processing.compliance.models import Finding
from processing.compliance.rules.registry import load

from ..api.conftest import token_client
from .factories import log_breach
from .test_views import form_data, local, url

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
AUTHORITY_RULES = {"breach.notification_due", "breach.notification_overdue", "breach.people_not_informed"}


def codes(error: ValidationError) -> dict:
    return {field: [item.code for item in items] for field, items in error.error_dict.items()}


def log_processor_breach(organisation, **data):
    values = {"role": "processor", "controller_name": "Clinique du Parc", **data}
    return log_breach(organisation, **values)


def active_rules(organisation) -> set[str]:
    return set(
        Finding.objects.filter(organisation=organisation, rule__startswith="breach.")
        .exclude(status="resolved")
        .values_list("rule", flat=True)
    )


@pytest.fixture
def check(django_capture_on_commit_callbacks):
    """A breach check as the workers run it, with what follows its commit (the DPOs' emails)."""

    def run(organisation):
        with django_capture_on_commit_callbacks(execute=True):
            return check_organisation(organisation, families={"breaches"})

    return run


# --- The checks ---------------------------------------------------------------------------


def test_a_processors_breach_raises_controller_not_informed_at_once_and_no_authority_finding(organisation, check):
    """Art. 33(2): "The processor shall notify the controller without undue delay after becoming aware"; no hours, no
    risk threshold (EDPB Guidelines 9/2022, section II.A.4: the processor does not assess the risk first). Art. 33(1)
    and 34 bind the controller: no deadline, overdue or people finding, even long past 72 hours and at high risk."""
    with time_machine.travel(T0, tick=False):
        fresh = log_processor_breach(organisation, aware_hours_ago=0)
        check(organisation)
    assert active_rules(organisation) == {CONTROLLER_RULE}
    finding = Finding.objects.get(rule=CONTROLLER_RULE)
    assert (finding.subject_id, finding.severity) == (fresh.pk, "high")
    assert load()[CONTROLLER_RULE].article == "33(2)"
    message = load()[CONTROLLER_RULE].render(finding.params)
    assert "Clinique du Parc" in message and "without undue delay" in message
    with time_machine.travel(T0 + datetime.timedelta(hours=100), tick=False):
        breach_update(breach=fresh, risk="high_risk", risk_reasoning="Health data of 2,000 patients")
        check(organisation)
    assert active_rules(organisation) == {CONTROLLER_RULE}
    assert not active_rules(organisation) & AUTHORITY_RULES


def test_informing_the_controller_resolves_the_finding_and_enters_the_timeline(organisation, dpo, check):
    """Art. 33(2): once the controller is informed, the processor's duty is done; the date is in the timeline."""
    breach = log_processor_breach(organisation, author=dpo)
    check(organisation)
    informed = timezone.now() - datetime.timedelta(minutes=30)
    breach_update(breach=breach, author=dpo, controller_informed_at=informed)
    check(organisation)
    assert Finding.objects.get(rule=CONTROLLER_RULE).status == "resolved"
    assert breach_clock(breach).state == State.CONTROLLER_INFORMED
    entry = breach.timeline.get(kind="controller")
    assert (entry.happened_at, entry.text) == (informed, "Controller Clinique du Parc informed.")


def test_the_dpo_is_emailed_to_inform_the_controller(organisation, dpo, check):
    """Art. 33(2) "without undue delay": the warning goes out as soon as the breach is logged, with the notice to the
    controller and not the authority's deadline."""
    breach = log_processor_breach(organisation)
    check(organisation)
    check(organisation)  # nothing new: no second email
    (email,) = mail.outbox
    assert email.to == [dpo.email]
    assert email.subject.endswith(f"Breach {breach.reference}: inform the controller without undue delay")
    assert "Clinique du Parc" in email.body and "Deadline:" not in email.body
    assert reverse("breaches:notification_draft", args=[organisation.slug, breach.pk]) in email.body
    assert "supervisory authority:" not in email.body


# --- The services -----------------------------------------------------------------------


def test_a_processor_cannot_record_a_notification_or_an_information_of_the_people(organisation):
    """Art. 33(1) and 34 are the controller's duties: a processor "neither notifies the authority in its own name nor
    contacts the controller's people" (EDPB Guidelines 9/2022, section II.A.4). Each field is refused on itself."""
    breach = log_processor_breach(organisation)
    with pytest.raises(ValidationError) as refused:
        breach_update(
            breach=breach,
            notified_at=timezone.now(),
            authority="CNIL",
            communicated_at=timezone.now(),
            communication_means="Email",
        )
    assert codes(refused.value) == {
        "notified_at": ["controller_duty"],
        "authority": ["controller_duty"],
        "communicated_at": ["controller_duty"],
        "communication_means": ["controller_duty"],
    }
    assert "the controller does (Art. 33(1))" in refused.value.error_dict["notified_at"][0].messages[0]
    assert Breach.objects.get(pk=breach.pk).notified_at is None


def test_a_no_risk_processor_breach_needs_no_reason_for_not_notifying(organisation):
    """Art. 33(1) (and 33(5)'s record of why a breach is not notified) are the controller's: a processor that
    estimates the risk records its reasoning, not why it does not notify."""
    breach = log_processor_breach(organisation)
    breach_update(breach=breach, risk="no_risk", risk_reasoning="Encrypted backup, key safe")
    assert breach_clock(breach).state == State.INFORM_CONTROLLER


def test_closing_a_processors_breach_asks_for_the_controller_informed_not_the_authority(organisation, dpo):
    """Art. 33(2): closing requires the controller informed; not the risk, the notification (33(1)) nor the people
    (34), which are the controller's."""
    breach = log_processor_breach(organisation, risk="high_risk", risk_reasoning="Health data")
    with pytest.raises(ValidationError) as refused:
        breach_update(breach=breach, status="closed")
    assert codes(refused.value) == {"status": ["controller_not_informed"]}
    breach = Breach.objects.get(pk=breach.pk)
    breach_update(breach=breach, author=dpo, status="closed", controller_informed_at=timezone.now())
    breach.refresh_from_db()
    assert breach.closed_at is not None and breach.notified_at is None


def test_a_follow_up_to_the_controller_comes_after_the_first_notice(organisation, dpo):
    """Art. 33(4), applied to the processor's information of the controller "in phases" (EDPB Guidelines 9/2022,
    section II.A.4)."""
    breach = log_processor_breach(organisation)
    with pytest.raises(ValidationError) as refused:
        timeline_entry_add(breach=breach, author=dpo, text="Logs sent", kind="follow_up")
    assert codes(refused.value) == {"kind": ["controller_not_informed"]}
    breach_update(breach=breach, controller_informed_at=timezone.now())
    entry = timeline_entry_add(breach=breach, author=dpo, text="Logs sent", kind="follow_up")
    assert entry.get_kind_display() == "Further information sent (Art. 33(4))"


# --- The pages ------------------------------------------------------------------------------


def test_list_and_record_say_inform_the_controller_not_the_authoritys_clock(auditor_client, organisation):
    """Art. 33(2): a processor's breach shows "inform the controller without undue delay", first in the list (it is
    due at once), and no authority deadline; the record names the controller's duties (Art. 33(1), 34)."""
    log_breach(organisation, title="Controller near", aware_hours_ago=60)
    breach = log_processor_breach(organisation, title="Processor fresh", aware_hours_ago=1)
    page = auditor_client.get(url("breach_list", organisation)).content.decode()
    assert page.index("Processor fresh") < page.index("Controller near")
    assert "inform the controller without undue delay" in page
    detail = auditor_client.get(url("breach_detail", organisation, breach)).content.decode()
    assert "Information of the controller (Art. 33(2))" in detail
    assert "Notification to the supervisory authority" not in detail and "Deadline:" not in detail
    assert "Notice to the controller" in detail and "People concerned (Art. 34)" not in detail


def test_the_form_does_not_ask_a_processor_for_the_authority_or_the_people(dpo_client, organisation):
    """Art. 33(1), 34 are the controller's: a processor's breach form has no section on them, and says why."""
    breach = log_processor_breach(organisation)
    page = dpo_client.get(url("breach_edit", organisation, breach)).content.decode()
    assert 'name="notified_at"' not in page and 'name="communicated_at"' not in page
    assert 'name="controller_informed_at"' in page
    assert "As a processor, you neither notify the supervisory authority nor inform the people concerned" in page
    data = form_data(
        title=breach.title,
        detected_at=local(breach.detected_at),
        aware_at=local(breach.aware_at),
        role="processor",
        controller_name="Clinique du Parc",
        controller_informed_at=local(timezone.now()),
        status="closed",
    )
    assert dpo_client.post(url("breach_edit", organisation, breach), data).status_code == 302
    breach.refresh_from_db()
    assert breach.status == "closed" and breach.notified_at is None


def test_switching_to_processor_with_a_notification_is_refused_on_its_field(dpo_client, organisation):
    """Art. 33(1): the form of a controller's breach switched to the processor role refuses the authority's fields,
    with the reason, and writes nothing."""
    breach = log_breach(organisation)
    data = form_data(
        title=breach.title,
        detected_at=local(breach.detected_at),
        aware_at=local(breach.aware_at),
        role="processor",
        controller_name="Clinique du Parc",
        notified_at=local(timezone.now()),
        authority="CNIL",
    )
    response = dpo_client.post(url("breach_edit", organisation, breach), data)
    assert response.status_code == 200
    assert response.context["form"].errors["notified_at"][0].startswith("As a processor, you do not notify")
    breach.refresh_from_db()
    assert breach.role == "controller"


def test_closing_a_processors_breach_without_the_controller_informed_is_refused_in_the_form(dpo_client, organisation):
    """Art. 33(2): the closing is refused with a message saying what is missing."""
    breach = log_processor_breach(organisation)
    data = form_data(
        title=breach.title,
        detected_at=local(breach.detected_at),
        aware_at=local(breach.aware_at),
        role="processor",
        controller_name="Clinique du Parc",
        status="closed",
    )
    response = dpo_client.post(url("breach_edit", organisation, breach), data)
    assert response.status_code == 200
    assert response.context["form"].errors["status"] == [
        "Inform the controller (Art. 33(2)) and record when, before closing the breach."
    ]
    assert Breach.objects.get(pk=breach.pk).status == "open"


def test_the_notice_to_the_controller_carries_the_art_33_3_content_and_no_authority(auditor_client, organisation):
    """Art. 33(2) with the content of 33(3): (a) nature, categories and numbers of people and records, (b) contact
    point, (c) likely consequences, (d) measures; addressed to the controller, without the authority's deadline nor
    the people's information (EDPB Guidelines 9/2022, section II.A.4)."""
    breach = log_processor_breach(
        organisation,
        confidentiality=True,
        data_categories=["identification"],
        people_count=1200,
        records_count=3400,
        consequences="Appointments readable by another client",
        measures_taken="Access revoked",
        other_organisations="Hébergeur Nuage SAS, our subprocessor",
    )
    response = auditor_client.get(url("notification_draft", organisation, breach) + "?lang=en")
    page = response.content.decode()
    assert "Personal data breach: notice to the controller" in page
    assert "<strong>To:</strong> Clinique du Parc" in page
    assert "To:</strong> The supervisory authority" not in page
    for expected in (
        "confidentiality (disclosure or access)",
        "1,200",
        "3,400",
        "Claire Martin · dpo@example.org",
        "Appointments readable by another client",
        "Access revoked",
        "Hébergeur Nuage SAS, our subprocessor",
    ):
        assert expected in page, expected
    for absent in ("Deadline (72 hours", "Reasons for the delay", "Information of the people concerned"):
        assert absent not in page, absent
    pdf = auditor_client.get(url("notification_draft_pdf", organisation, breach) + "?lang=fr")
    assert f"notice-to-controller-{breach.reference}-fr.pdf" in pdf["Content-Disposition"]


# --- The API --------------------------------------------------------------------------------


def test_the_api_refuses_a_processors_notification_and_shows_its_clock(dpo, organisation):
    """Art. 33(1), 33(2): the API goes through the same services as the form; the clock has no deadline."""
    api = token_client(dpo)
    body = {
        "organisation": organisation.slug,
        "title": "Hosting misconfiguration",
        "description": "A bucket of our client's appointments was public.",
        "detected_at": (timezone.now() - datetime.timedelta(hours=3)).isoformat(),
        "aware_at": (timezone.now() - datetime.timedelta(hours=2)).isoformat(),
        "role": "processor",
        "controller_name": "Clinique du Parc",
    }
    refused = api.post("/api/v1/breaches/", {**body, "communicated_at": timezone.now().isoformat()}, format="json")
    assert refused.status_code == 400
    assert [(error["field"], error["code"]) for error in refused.json()["errors"]] == [
        ("communicated_at", "controller_duty")
    ]
    created = api.post("/api/v1/breaches/", body, format="json")
    assert created.status_code == 201, created.content
    clock = created.json()["clock"]
    assert clock == {
        "state": "inform_controller",
        "deadline": None,
        "seconds_left": None,
        "words": "inform the controller without undue delay",
    }


def test_the_breach_register_says_when_the_controller_was_informed_and_gives_no_deadline(auditor_client, organisation):
    """Art. 33(5) register and Art. 33(2): a processor's breach shows when the controller was informed and no
    authority deadline of its own."""
    informed = timezone.now().replace(second=0, microsecond=0)
    log_processor_breach(organisation, controller_informed_at=informed, other_organisations="Hébergeur Nuage SAS")
    response = auditor_client.get(reverse("breaches:breach_export", args=[organisation.slug]) + "?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Breaches"]
    row = {header.value.split(" (")[0]: cell.value for header, cell in zip(sheet[1], sheet[2], strict=True)}
    assert row["Controller"] == "Clinique du Parc" and row["Controller informed at"]
    assert row["Other organisations involved"] == "Hébergeur Nuage SAS"
    assert not row["Notification deadline"]

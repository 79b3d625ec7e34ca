"""Issue #19, the DPO's everyday journey: edit an active activity and save at once, save it unchanged without
polluting its history, activate the drafts of an import from the register list."""

import re

import pytest
from playwright.sync_api import expect

from inventory.models import DataField, DataSubjectCategory, Recipient, System
from inventory.services import catalogue_item_create
from processing.forms import EDITOR_SECTIONS
from processing.models import ProcessingActivity, RetentionLine, SecurityMeasure, Transfer
from processing.services import activity_create

from ..processing.test_everyday_edits import history_counts
from .harness import save_screenshot
from .test_register_journey import sign_in

pytestmark = pytest.mark.browser


def add(organisation, model, name, **fields):
    return catalogue_item_create(model=model, organisation=organisation, name=name, **fields)


def crm_activity(organisation) -> ProcessingActivity:
    """The demo's PA-001: a CRM hosted in the USA by Salesforce, which also receives the data, one transfer row
    naming the company."""
    salesforce = add(
        organisation, Recipient, "Salesforce, Inc.", kind="processor", country_id="US", is_dpf_certified=True
    )
    return activity_create(
        organisation=organisation,
        reference="PA-001",
        name="CRM et prospection commerciale",
        status=ProcessingActivity.Status.ACTIVE,
        purpose="Gérer les prospects et les clients B2B.",
        sub_purposes="Qualification des prospects\nSuivi des opportunités\nRelances commerciales",
        lawful_basis=ProcessingActivity.LawfulBasis.LEGITIMATE_INTERESTS,
        lawful_basis_evidence="Analyse d'intérêt légitime LIA-2024-01",
        data_fields=[add(organisation, DataField, "Adresse e-mail", category="identification")],
        data_subjects=[{"category": add(organisation, DataSubjectCategory, "Prospects"), "approximate_count": 12000}],
        recipients=[add(organisation, Recipient, "Équipe commerciale", kind="internal", country_id="FR"), salesforce],
        systems=[
            add(
                organisation,
                System,
                "Salesforce Sales Cloud",
                kind="saas",
                hosting_provider=salesforce,
                countries=["US"],
            )
        ],
        transfers=[
            {
                "country_id": "US",
                "recipient": salesforce,
                "importer_role": Transfer.ImporterRole.PROCESSOR,
                "mechanism": Transfer.Mechanism.ADEQUACY,
                "adequacy_scope_confirmed": True,
            }
        ],
        retention_lines=[
            {"duration": 3, "duration_unit": RetentionLine.Unit.YEARS, "trigger": RetentionLine.Trigger.LAST_CONTACT}
        ],
        security_measures=[
            {"kind": SecurityMeasure.Kind.ACCESS_CONTROL},
            {"kind": SecurityMeasure.Kind.TRACEABILITY, "details": "Logs kept a year\nReviewed monthly"},
            {"kind": SecurityMeasure.Kind.ENCRYPTION},
        ],
    )


def test_dpo_changes_only_the_retention_of_an_active_activity_and_saves_at_once(
    live_server, page, organisation, dpo, password
):
    activity = crm_activity(organisation)
    sign_in(page, live_server, "dpo", password)
    page.goto(f"{live_server.url}/o/{organisation.slug}/register/{activity.pk}/edit/")
    page.get_by_role("link", name="Retention (Art. 30(1)(f))").click()
    page.locator("#id_retention-0-duration").fill("5")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text("“CRM et prospection commerciale” has been saved.")).to_be_visible()
    expect(page.get_by_text("Transfer rows are proposed below")).to_have_count(0)
    activity.refresh_from_db()
    assert (activity.status, activity.version) == (ProcessingActivity.Status.ACTIVE, 2)
    assert activity.retention_lines.get().duration == 5
    assert activity.transfers.count() == 1


def test_saving_an_activity_unchanged_leaves_its_history_as_it_was(live_server, page, organisation, dpo, password):
    activity = crm_activity(organisation)
    before = history_counts(activity)
    sign_in(page, live_server, "dpo", password)
    # Every section saved as it is shown, then the whole form on one page.
    page.goto(f"{live_server.url}/o/{organisation.slug}/register/{activity.pk}/edit/")
    sections = page.get_by_role("navigation", name="Sections of the activity")
    for key, title in EDITOR_SECTIONS:
        sections.get_by_role("link", name=str(title), exact=True).click()
        expect(page).to_have_url(re.compile(f"/edit/{key}/$"))
        expect(sections.get_by_role("link", name=str(title), exact=True)).to_have_attribute("aria-current", "step")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_text("“CRM et prospection commerciale” has been saved.")).to_be_visible()
    page.get_by_role("link", name="Show every section on one page").click()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text("“CRM et prospection commerciale” has been saved.")).to_be_visible()
    activity.refresh_from_db()
    assert activity.version == 1
    assert history_counts(activity) == before
    page.goto(f"{live_server.url}/o/{organisation.slug}/register/{activity.pk}/history/")
    save_screenshot(page, "dpo-no-op-save-history")


def test_dpo_activates_two_drafts_from_the_register_and_reads_why_one_is_refused(
    live_server,
    page,
    organisation,
    dpo,
    password,
):
    complete = crm_activity(organisation)
    complete = activity_create(
        organisation=organisation,
        name="Newsletter",
        purpose="Send the monthly newsletter.",
        lawful_basis=ProcessingActivity.LawfulBasis.CONSENT,
        data_fields=list(complete.data_fields.all()),
        data_subjects=[{"category": link.category, "approximate_count": 900} for link in complete.subject_links.all()],
        recipients=[complete.recipients.get(name="Équipe commerciale")],
        retention_lines=[{"duration": 3, "duration_unit": RetentionLine.Unit.YEARS}],
        security_measures=[{"kind": SecurityMeasure.Kind.ACCESS_CONTROL}],
    )
    incomplete = activity_create(organisation=organisation, name="Visitors' badges", purpose="Let visitors in.")

    sign_in(page, live_server, "dpo", password)
    page.goto(f"{live_server.url}/o/{organisation.slug}/register/?status=draft")
    page.get_by_label(f"Choose {complete.reference} · Newsletter").check()
    page.get_by_label(f"Choose {incomplete.reference} · Visitors' badges").check()
    page.get_by_role("button", name="Activate the chosen drafts").click()

    expect(page.get_by_text("1 activity is now active.")).to_be_visible()
    refusal = page.locator(".message", has_text=f"{incomplete.reference} · Visitors' badges:")
    expect(refusal).to_contain_text("An active activity must record every mandatory item.")
    expect(refusal).to_contain_text("Art. 30(1)(g)")
    assert page.url.endswith("/register/?status=draft")  # back to the list as it was filtered
    save_screenshot(page, "dpo-bulk-activation")
    assert [ProcessingActivity.objects.get(pk=activity.pk).status for activity in (complete, incomplete)] == [
        "active",
        "draft",
    ]


def test_dpo_copies_an_answer_of_the_notification_draft(live_server, page, organisation, dpo, password):
    from ..breaches.factories import log_breach

    breach = log_breach(organisation, description="A laptop was left on a train.\nIts disk was encrypted.")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, live_server, "dpo", password)
    page.goto(f"{live_server.url}/o/{organisation.slug}/breaches/{breach.pk}/notification/?lang=en")
    answer = page.locator("dd[data-copy-answer]", has_text="A laptop was left on a train.")
    expect(answer.get_by_role("button", name="Copy What happened")).to_be_visible()  # named after its question
    button = answer.locator("button.copy-answer")
    button.click()
    expect(button).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == "A laptop was left on a train.\nIts disk was encrypted."

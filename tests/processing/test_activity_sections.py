"""Issue #19 item 1: the activity form in its Art. 30 sections, each saving on its own.

A draft needs only a name; each section then shows and saves its own fields (the others keep what is stored); the
list of sections says what each still needs for activation and its open findings; no blank row is shown, an "Add"
button adds one (without JavaScript, by asking the server); htmx gets the editor alone.
"""

import itertools
import re

import pytest

from processing.compliance.check import check_organisation
from processing.forms import SECTION_KEYS
from processing.models import ProcessingActivity, RetentionLine, SecurityMeasure
from processing.services import activity_create

from .test_everyday_edits import browser_post_data, crm_activity, history_counts, section_url
from .test_views import url


def editor_section_state(html: str, key: str) -> str:
    """The text of one entry of the list of sections, tags removed."""
    match = re.search(rf'<li id="{key}"[^>]*>(.*?)</li>', html, re.S)
    assert match, f"no entry for {key}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_a_new_activity_asks_only_for_the_first_section_and_needs_only_a_name(dpo_client, organisation):
    page = dpo_client.get(url(organisation, "activity_create")).content.decode()
    assert 'name="name"' in page and 'name="purpose"' not in page and 'name="retention-TOTAL_FORMS"' not in page
    # Only the name is required now: it says so in its label.
    assert re.search(r'<label for="id_name">Name <span class="mark">\(required\)</span>', page)

    data = browser_post_data(page)
    data.update({"name": ["Visitor badges"], "continue": ["1"]})
    response = dpo_client.post(url(organisation, "activity_create"), data)
    activity = ProcessingActivity.objects.get(organisation=organisation, name="Visitor badges")
    assert activity.status == ProcessingActivity.Status.DRAFT and activity.reference == "PA-001"
    assert response.status_code == 302
    assert response["Location"] == section_url(organisation, activity, "purposes")


def test_a_new_activity_without_a_name_is_refused_with_nothing_written(dpo_client, organisation):
    data = browser_post_data(dpo_client.get(url(organisation, "activity_create")).text)
    response = dpo_client.post(url(organisation, "activity_create"), {**data, "name": ["  "]})
    assert response.status_code == 200
    assert "There is a problem" in response.text and "This field is required." in response.text
    assert not ProcessingActivity.objects.filter(organisation=organisation).exists()


def test_saving_one_section_changes_only_that_section(dpo_client, organisation, catalogue, salesforce):
    activity = crm_activity(organisation, catalogue, salesforce)
    before = {
        "retention": list(activity.retention_lines.values_list("pk", "duration")),
        "security": list(activity.security_measures.values_list("pk", "kind", "details")),
        "transfers": list(activity.transfers.values_list("pk", "mechanism")),
        "fields": list(activity.data_fields.values_list("pk", flat=True)),
    }
    edit = section_url(organisation, activity, "purposes")
    page = dpo_client.get(edit).text
    assert 'name="purpose"' in page and 'name="name"' not in page and 'name="security-encryption"' not in page
    data = browser_post_data(page)
    data["purpose"] = ["Manage B2B prospects and customers."]
    response = dpo_client.post(edit, data)
    assert response.status_code == 302 and response["Location"] == edit

    activity.refresh_from_db()
    assert activity.purpose == "Manage B2B prospects and customers." and activity.version == 2
    assert activity.name == "CRM et prospection commerciale" and activity.status == ProcessingActivity.Status.ACTIVE
    assert list(activity.retention_lines.values_list("pk", "duration")) == before["retention"]
    assert list(activity.security_measures.values_list("pk", "kind", "details")) == before["security"]
    assert list(activity.transfers.values_list("pk", "mechanism")) == before["transfers"]
    assert list(activity.data_fields.values_list("pk", flat=True)) == before["fields"]
    # One record of the change in the history, naming the purpose.
    assert activity.history.count() == 2
    assert activity.history.first().purpose == "Manage B2B prospects and customers."


def test_save_and_continue_goes_to_the_next_section_in_the_order_of_article_30(dpo_client, organisation):
    activity = activity_create(organisation=organisation, name="Payroll")
    for current, following in itertools.pairwise(SECTION_KEYS):
        edit = section_url(organisation, activity, current)
        data = {**browser_post_data(dpo_client.get(edit).text), "continue": ["1"]}
        response = dpo_client.post(edit, data)
        assert (response.status_code, response["Location"]) == (302, section_url(organisation, activity, following))
    page = dpo_client.get(section_url(organisation, activity, SECTION_KEYS[-1])).text
    assert "Save and continue" not in page  # the last section


def test_the_list_of_sections_says_what_each_needs_and_its_findings(dpo_client, organisation, catalogue):
    # A draft storing data on a US system with no transfer row: once checked, the transfers section has a finding.
    activity = activity_create(
        organisation=organisation,
        name="Support tickets",
        purpose="Answer customers.",
        lawful_basis=ProcessingActivity.LawfulBasis.CONTRACT,
        systems=[catalogue["crm"]],
        security_measures=[{"kind": SecurityMeasure.Kind.ACCESS_CONTROL}],
    )
    check_organisation(organisation)
    page = dpo_client.get(section_url(organisation, activity, "identity")).text
    assert (
        editor_section_state(page, "purposes") == "Purposes and lawful basis (Art. 30(1)(b), Art. 6, 9 and 10) Complete"
    )
    assert editor_section_state(page, "data") == (
        "People and personal data (Art. 30(1)(c)) Missing: at least one category of people, "
        "at least one category of personal data"
    )
    assert editor_section_state(page, "retention") == "Retention (Art. 30(1)(f)) Missing: how long the data is kept"
    assert editor_section_state(page, "security") == "Security measures (Art. 30(1)(g)) Complete"
    transfers = editor_section_state(page, "transfers")
    assert transfers.startswith("Transfers outside the EEA (Art. 30(1)(e)) Complete 1 finding"), transfers
    assert f"?activity={activity.pk}" in re.search(r'<li id="transfers".*?</li>', page, re.S).group(0)
    # Items that activation requires are marked as such in their section.
    purposes = dpo_client.get(section_url(organisation, activity, "purposes")).text
    assert re.search(
        r'<label for="id_purpose">Main purpose <span class="mark">\(required to activate\)</span>', purposes
    )
    # Opening the editor takes the DPO to the first section that still needs something.
    response = dpo_client.get(url(organisation, "activity_edit", pk=activity.pk))
    assert response.context["current"] == "data"


def test_no_blank_row_is_shown_and_add_asks_the_server_for_one_without_saving(dpo_client, organisation):
    activity = activity_create(organisation=organisation, name="Payroll")
    edit = section_url(organisation, activity, "retention")
    page = dpo_client.get(edit).text
    assert 'name="retention-TOTAL_FORMS" value="0"' in page and 'id="id_retention-0-duration"' not in page
    assert 'name="add_row" value="retention"' in page

    data = {**browser_post_data(page), "add_row": ["retention"]}
    response = dpo_client.post(edit, data)
    assert response.status_code == 200
    assert 'id="id_retention-0-duration"' in response.text and "There is a problem" not in response.text
    activity.refresh_from_db()
    assert activity.version == 1 and not activity.retention_lines.exists()

    # The row filled in and saved.
    data = browser_post_data(response.text)
    data.update({"retention-0-duration": ["5"], "retention-0-duration_unit": [RetentionLine.Unit.YEARS]})
    data["retention-0-trigger"] = [RetentionLine.Trigger.END_OF_CONTRACT]
    assert dpo_client.post(edit, data).status_code == 302
    assert activity.retention_lines.get().duration == 5


def test_storage_outside_the_eea_saved_leads_to_the_transfers_with_a_row_proposed(dpo_client, organisation, catalogue):
    activity = activity_create(organisation=organisation, name="Support tickets")
    edit = section_url(organisation, activity, "recipients")
    data = browser_post_data(dpo_client.get(edit).text)
    data["systems"] = [str(catalogue["crm"].pk)]
    response = dpo_client.post(edit, data)
    transfers = section_url(organisation, activity, "transfers")
    assert (response.status_code, response["Location"]) == (302, transfers)
    assert list(activity.systems.all()) == [catalogue["crm"]] and not activity.transfers.exists()

    page = dpo_client.get(transfers).text
    assert "Transfer rows are proposed below" in page
    assert 'name="transfers-0-country"' in page and f'<option value="{catalogue["crm"].pk}" selected>' in page
    # Removed by the DPO, the proposal is saved away and not proposed again in that save.
    data = browser_post_data(page)
    data["transfers-0-DELETE"] = ["on"]
    assert dpo_client.post(transfers, data).status_code == 302
    assert not activity.transfers.exists()


def test_activation_refused_in_a_section_names_each_missing_item_with_a_link_to_its_section(dpo_client, organisation):
    activity = activity_create(organisation=organisation, name="Payroll")
    before = history_counts(activity)
    edit = section_url(organisation, activity, "purposes")
    data = {**browser_post_data(dpo_client.get(edit).text), "purpose": ["Pay the staff."], "activate": ["1"]}
    response = dpo_client.post(edit, data)
    assert response.status_code == 200
    page = response.text
    assert '<a href="#data">Art. 30(1)(c): at least one category of people</a>' in page
    assert '<a href="#retention">Art. 30(1)(f): how long the data is kept</a>' in page
    assert '<li id="data" tabindex="-1"' in page  # the link's target: the section in the list
    activity.refresh_from_db()
    assert (activity.status, activity.purpose, history_counts(activity)) == ("draft", "", before)
    # The page still shows the activity as stored: a draft, which may be activated.
    assert "<strong>Draft</strong>" in page and "Save and activate" in page


def test_activation_refused_on_the_record_page_is_summed_up_with_links_to_the_sections(dpo_client, organisation):
    activity = activity_create(organisation=organisation, name="Payroll")
    response = dpo_client.post(url(organisation, "activity_activate", pk=activity.pk))
    assert response.status_code == 200
    page = response.text
    assert "There is a problem" in page
    purposes = section_url(organisation, activity, "purposes")
    assert f'<a href="{purposes}">Art. 30(1)(b): the main purpose</a>' in page
    activity.refresh_from_db()
    assert activity.status == ProcessingActivity.Status.DRAFT


def test_htmx_gets_the_editor_alone_and_the_address_to_show(dpo_client, organisation):
    activity = activity_create(organisation=organisation, name="Payroll")
    edit = section_url(organisation, activity, "retention")
    response = dpo_client.get(edit, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="activity-editor"') and "<html" not in response.text
    assert response["HX-Push-Url"] == edit
    # Without htmx, the whole page, htmx pinned from PyPI (django-htmx) and served by the app itself.
    page = dpo_client.get(edit).text
    assert "<html" in page and '<script src="/static/django_htmx/htmx-2.min.js"' in page


@pytest.mark.parametrize("section", ["nowhere", "version"])
def test_an_unknown_section_is_not_found(dpo_client, organisation, section):
    activity = activity_create(organisation=organisation, name="Payroll")
    assert dpo_client.get(section_url(organisation, activity, section)).status_code == 404

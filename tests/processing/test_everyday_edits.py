"""Issue #19: editing a complete, active activity is saved at once, and saving it unchanged changes nothing.

The activity is built as the demo's PA-001: a CRM hosted in the USA by a company that also receives the data,
covered by one transfer row naming that company (or the system).
"""

from html.parser import HTMLParser

import pytest

from processing.forms import SECTION_KEYS
from processing.models import ProcessingActivity, RetentionLine, SecurityMeasure, Transfer
from processing.services import activity_create
from processing.transfer_proposals import destinations_outside_the_eea, uncovered

from .test_views import url

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """What a browser sends for the activity form: its fields as rendered, textareas' lines ended by CRLF."""

    def __init__(self):
        super().__init__()
        self.fields, self._in_form, self._textarea, self._select, self._option = [], False, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "activity-form" in (attrs.get("class") or ""):
            self._in_form = True
        if not self._in_form or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.fields.append((name, attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self.fields.append((name, text.removeprefix("\n").replace("\r\n", "\n").replace("\n", "\r\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None


def browser_post_data(html: str) -> dict:
    parser = _FormFields()
    parser.feed(html)
    data = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return data


def crm_activity(organisation, catalogue, salesforce, *, row_names="recipient"):
    company, crm = salesforce
    return activity_create(
        organisation=organisation,
        reference="PA-001",
        name="CRM et prospection commerciale",
        status=ProcessingActivity.Status.ACTIVE,
        purpose="Gérer les prospects et les clients B2B.",
        sub_purposes="Qualification des prospects\nSuivi des opportunités\nRelances commerciales",
        lawful_basis=ProcessingActivity.LawfulBasis.LEGITIMATE_INTERESTS,
        lawful_basis_evidence="Analyse d'intérêt légitime LIA-2024-01",
        data_fields=[catalogue["email"]],
        data_subjects=[{"category": catalogue["customers"], "approximate_count": 12000}],
        recipients=[catalogue["sales"], company],
        systems=[crm],
        transfers=[
            {
                "country_id": "US",
                row_names: company if row_names == "recipient" else crm,
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


def history_counts(activity) -> dict:
    return {
        "activity": activity.history.count(),
        **{
            model.__name__: model.history.filter(activity_id=activity.pk).count()
            for model in (Transfer, RetentionLine, SecurityMeasure)
        },
    }


@pytest.mark.parametrize("row_names", ["recipient", "system"])
def test_a_system_covered_by_a_row_naming_it_or_its_host_is_not_proposed_again(
    organisation, catalogue, salesforce, row_names
):
    activity = crm_activity(organisation, catalogue, salesforce, row_names=row_names)
    destinations = destinations_outside_the_eea(activity.systems.all(), activity.recipients.all())
    assert len(destinations) == 2  # the CRM in the USA, and its host in the USA
    rows = [
        {"country": row.country, "recipient": row.recipient, "system": row.system} for row in activity.transfers.all()
    ]
    assert uncovered(destinations, rows) == []
    # As the API and imports give them: keys rather than objects.
    rows = [
        {"country_id": row.country_id, "recipient": row.recipient_id, "system": row.system_id}
        for row in activity.transfers.all()
    ]
    assert uncovered(destinations, rows) == []


def test_a_system_and_its_host_in_one_country_get_one_proposal_naming_the_host(organisation, salesforce):
    company, crm = salesforce
    proposals = uncovered(destinations_outside_the_eea([crm], [company]), [])
    assert [(proposal.country.pk, proposal.recipient, proposal.system) for proposal in proposals] == [
        ("US", company, None)
    ]


def section_url(organisation, activity, section):
    return url(organisation, "activity_edit_section", pk=activity.pk, section=section)


@pytest.mark.parametrize("section", ["retention", "all"])
@pytest.mark.parametrize("row_names", ["recipient", "system"])
def test_changing_only_the_retention_of_an_active_activity_saves_at_once(
    dpo_client, organisation, catalogue, salesforce, row_names, section
):
    activity = crm_activity(organisation, catalogue, salesforce, row_names=row_names)
    edit_url = section_url(organisation, activity, section)
    data = browser_post_data(dpo_client.get(edit_url).text)
    data["retention-0-duration"] = ["5"]
    response = dpo_client.post(edit_url, data)
    assert response.status_code == 302, response.context and [
        response.context["form"].errors,
        [form.errors for form in response.context["formsets"]["transfers"].forms],
    ]
    activity.refresh_from_db()
    assert activity.status == ProcessingActivity.Status.ACTIVE
    assert activity.retention_lines.get().duration == 5
    assert activity.transfers.count() == 1
    assert activity.version == 2


@pytest.mark.parametrize("section", [*SECTION_KEYS, "all"])
def test_saving_an_unchanged_activity_keeps_its_version_and_history(
    dpo_client, organisation, catalogue, salesforce, section
):
    """Each section saved as shown, and the whole form, change nothing."""
    activity = crm_activity(organisation, catalogue, salesforce)
    edit_url = section_url(organisation, activity, section)
    before = history_counts(activity)
    measures = list(activity.security_measures.values_list("pk", "kind", "details"))
    response = dpo_client.post(edit_url, browser_post_data(dpo_client.get(edit_url).text))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.version == 1
    assert history_counts(activity) == before
    assert list(activity.security_measures.values_list("pk", "kind", "details")) == measures
    # The text kept as stored, not rewritten with the browser's line endings.
    assert activity.sub_purposes == "Qualification des prospects\nSuivi des opportunités\nRelances commerciales"


def test_changing_one_security_measure_keeps_the_others_rows(dpo_client, organisation, catalogue, salesforce):
    activity = crm_activity(organisation, catalogue, salesforce)
    edit_url = section_url(organisation, activity, "security")
    kept = dict(activity.security_measures.values_list("kind", "pk"))
    data = browser_post_data(dpo_client.get(edit_url).text)
    data["security-encryption_details"] = ["AES-256 at rest"]
    data.pop("security-traceability")
    assert dpo_client.post(edit_url, data).status_code == 302
    activity.refresh_from_db()
    assert activity.version == 2
    assert dict(activity.security_measures.values_list("kind", "pk")) == {
        "access_control": kept["access_control"],
        "encryption": kept["encryption"],
    }
    assert activity.security_measures.get(kind="encryption").details == "AES-256 at rest"
    # One historical record of the activity, one of the measure changed, one of the measure removed.
    assert activity.history.count() == 2
    assert SecurityMeasure.history.filter(activity_id=activity.pk, history_type="~").count() == 1
    assert SecurityMeasure.history.filter(activity_id=activity.pk, history_type="-").count() == 1
    assert SecurityMeasure.history.filter(activity_id=activity.pk, history_type="+").count() == 3


def test_an_update_with_the_same_values_through_the_services_keeps_the_version(organisation, complete_data):
    from processing.services import activity_update

    activity = activity_create(organisation=organisation, **complete_data)
    before = history_counts(activity)
    same = {**complete_data, "transfers": [{**complete_data["transfers"][0], "id": activity.transfers.get().pk}]}
    same["retention_lines"] = [{**complete_data["retention_lines"][0], "id": activity.retention_lines.get().pk}]
    activity_update(activity=activity, expected_version=1, **same)
    activity.refresh_from_db()
    assert activity.version == 1 and history_counts(activity) == before
    activity_update(activity=activity, expected_version=1, name="CRM")
    activity.refresh_from_db()
    assert activity.version == 2 and activity.history.count() == before["activity"] + 1

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from processing.completeness import missing_items
from processing.models import ProcessingActivity
from processing.services import activity_create

from ..inventory.factories import DataFieldFactory, DataSubjectCategoryFactory, RecipientFactory, SystemFactory
from .factories import ActivityFactory

pytestmark = pytest.mark.django_db


def url(organisation, name, **kwargs):
    return reverse(f"processing:{name}", kwargs={"organisation_slug": organisation.slug, **kwargs})


def formset(prefix, rows=(), initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def form_data(catalogue, *, transfers=(), retention=None, security=True, **fields):
    data = {
        "name": "Customer relationship management",
        "role": "controller",
        "purpose": "Manage our customers.",
        "lawful_basis": "contract",
        "data_fields": [catalogue["email"].pk],
        "recipients": [catalogue["sales"].pk],
        "systems": [catalogue["intranet"].pk],
        "dpia_status": "not_assessed",
        **formset("subjects", [{"category": catalogue["customers"].pk, "approximate_count": "5000"}]),
        **formset("parties"),
        **formset("transfers", transfers),
        **formset(
            "retention",
            retention
            if retention is not None
            else [{"duration": "3", "duration_unit": "years", "end_action": "delete"}],
        ),
    }
    if security:
        data.update({"security-access_control": "on", "security-access_control_details": "SSO"})
    data.update(fields)
    return data


def test_dpo_records_a_complete_activity_and_activates_it(dpo_client, organisation, catalogue):
    response = dpo_client.post(url(organisation, "activity_create"), {**form_data(catalogue), "activate": "1"})
    activity = ProcessingActivity.objects.get(organisation=organisation)
    assert response["Location"] == activity.get_absolute_url()
    assert activity.status == "active"
    assert activity.reference == "PA-001"
    assert activity.subject_links.get().approximate_count == 5000
    assert activity.retention_lines.get().summary == "3 years"
    assert activity.security_measures.get().details == "SSO"
    page = dpo_client.get(activity.get_absolute_url()).text
    assert "Every mandatory item is recorded" in page


def test_a_system_outside_the_eea_gets_a_transfer_row_proposed(dpo_client, organisation, catalogue):
    data = form_data(catalogue, systems=[catalogue["crm"].pk])
    response = dpo_client.post(url(organisation, "activity_create"), data)
    assert response.status_code == 200
    assert "Transfer rows are proposed below" in response.text
    assert not ProcessingActivity.objects.exists()
    transfers = response.context["formsets"]["transfers"]
    assert [form.initial for form in transfers.forms if form.initial] == [
        {"country": "US", "system": catalogue["crm"].pk}
    ]
    # The DPO fills in the proposed row: SCCs module 2 with a transfer impact assessment.
    data.update(
        **formset(
            "transfers",
            [{"country": "US", "system": catalogue["crm"].pk, "mechanism": "scc_2", "tia_date": "2026-10-01"}],
        ),
    )
    data["transfers_reviewed"] = f"US:system-{catalogue['crm'].pk}"
    response = dpo_client.post(url(organisation, "activity_create"), data)
    assert response.status_code == 302
    transfer = ProcessingActivity.objects.get().transfers.get()
    assert (transfer.country_id, transfer.system, transfer.mechanism) == ("US", catalogue["crm"], "scc_2")


def test_the_dpo_may_decline_a_proposed_transfer_row(dpo_client, organisation, catalogue):
    data = form_data(catalogue, systems=[catalogue["crm"].pk])
    proposed = dpo_client.post(url(organisation, "activity_create"), data)
    reviewed = proposed.context["transfers_reviewed"]
    assert reviewed == f"US:system-{catalogue['crm'].pk}"
    # The DPO removes the proposed row and saves: it is not proposed a second time.
    assert (
        dpo_client.post(url(organisation, "activity_create"), {**data, "transfers_reviewed": reviewed}).status_code
        == 302
    )
    assert not ProcessingActivity.objects.get().transfers.exists()


def test_a_destination_added_after_a_proposal_is_proposed_too(dpo_client, organisation, catalogue):
    data = form_data(catalogue, systems=[catalogue["crm"].pk])
    reviewed = dpo_client.post(url(organisation, "activity_create"), data).context["transfers_reviewed"]
    data.update(transfers_reviewed=reviewed, new_recipient="Payments Ltd", new_recipient_kind="processor")
    data["new_recipient_country"] = "IN"
    response = dpo_client.post(url(organisation, "activity_create"), data)
    assert response.status_code == 200
    assert [form.initial for form in response.context["formsets"]["transfers"].forms if form.initial] == [
        {"country": "IN"}
    ]


def test_activating_an_incomplete_activity_says_what_is_missing_and_saves_nothing(dpo_client, organisation, catalogue):
    data = form_data(catalogue, security=False, activate="1")
    response = dpo_client.post(url(organisation, "activity_create"), data)
    assert response.status_code == 200
    assert "Art. 30(1)(g): at least one security measure" in response.text
    assert not ProcessingActivity.objects.exists()


def test_a_bad_retention_row_is_explained_on_that_row(dpo_client, organisation, catalogue):
    data = form_data(catalogue, retention=[{"duration": "3", "end_action": "delete"}])
    response = dpo_client.post(url(organisation, "activity_create"), data)
    assert response.status_code == 200
    retention_form = response.context["formsets"]["retention"].forms[0]
    assert retention_form.errors["duration_unit"] == ["Give the unit of the duration."]
    assert not ProcessingActivity.objects.exists()


def test_dpo_edits_an_activity_and_rows_are_kept_or_removed(dpo_client, organisation, catalogue, complete_data):
    activity = activity_create(organisation=organisation, **complete_data)
    page = dpo_client.get(url(organisation, "activity_edit", pk=activity.pk))
    assert page.status_code == 200
    line = activity.retention_lines.get()
    transfer = activity.transfers.get()
    data = form_data(
        catalogue,
        name="CRM",
        systems=[catalogue["crm"].pk],
        recipients=[catalogue["sales"].pk, catalogue["crm_vendor"].pk],
        **formset(
            "transfers",
            [{"id": transfer.pk, "country": "US", "recipient": catalogue["crm_vendor"].pk, "mechanism": "scc_2"}],
            initial=1,
        ),
    )
    data.update(
        formset(
            "retention",
            [
                {"id": line.pk, "duration": "2", "duration_unit": "years", "end_action": "delete", "DELETE": "on"},
                {"criteria": "Until the end of the contract", "end_action": "delete"},
            ],
            initial=1,
        )
    )
    data["transfers_reviewed"] = f"US:system-{catalogue['crm'].pk}"  # the DPO declined that proposal
    response = dpo_client.post(url(organisation, "activity_edit", pk=activity.pk), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    activity.refresh_from_db()
    assert activity.name == "CRM"
    assert [line.summary for line in activity.retention_lines.all()] == ["Until the end of the contract"]
    assert activity.transfers.get().pk == transfer.pk


@pytest.mark.parametrize("persona", ["manager", "auditor"])
def test_readers_see_the_record_without_any_edit_control(request, persona, organisation, complete_data):
    client = request.getfixturevalue(f"{persona}_client")
    activity = activity_create(organisation=organisation, **complete_data)
    for page in (url(organisation, "activity_list"), activity.get_absolute_url()):
        text = client.get(page).text
        assert "Customer relationship management" in text
        for control in (
            "/edit/",
            "/activate/",
            "/archive/",
            "/clone/",
            "/register/new/",
        ):
            assert control not in text
        assert text.count('method="post"') == 2  # the header's language switcher and sign-out only


def test_activation_from_the_record_page_explains_what_is_missing(dpo_client, organisation):
    activity = ActivityFactory(organisation=organisation, name="Bare")
    response = dpo_client.post(url(organisation, "activity_activate", pk=activity.pk), follow=True)
    assert "Art. 30(1)(b): the main purpose" in response.text
    activity.refresh_from_db()
    assert activity.status == "draft"


def test_archive_restore_and_copy(dpo_client, organisation, complete_data):
    activity = activity_create(organisation=organisation, status="active", **complete_data)
    dpo_client.post(url(organisation, "activity_archive", pk=activity.pk))
    activity.refresh_from_db()
    assert activity.status == "archived"
    dpo_client.post(url(organisation, "activity_restore", pk=activity.pk))
    activity.refresh_from_db()
    assert activity.status == "draft"
    response = dpo_client.post(url(organisation, "activity_clone", pk=activity.pk))
    copy = ProcessingActivity.objects.exclude(pk=activity.pk).get()
    assert response["Location"] == url(organisation, "activity_edit", pk=copy.pk)
    assert copy.name == "Copy of Customer relationship management"


def test_another_organisations_activity_is_not_found_through_mine(dpo_client, organisation, other_organisation):
    foreign = ActivityFactory(organisation=other_organisation)
    for name in ("activity_detail", "activity_edit"):
        assert dpo_client.get(url(organisation, name, pk=foreign.pk)).status_code == 404
    assert dpo_client.post(url(organisation, "activity_archive", pk=foreign.pk)).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "draft"


def test_register_search_and_filters(auditor_client, organisation, catalogue, complete_data):
    crm = activity_create(organisation=organisation, **complete_data)
    health_data = {**complete_data, "name": "Occupational health", "data_fields": [catalogue["health"]]}
    health_data.update(systems=[catalogue["intranet"]], recipients=[catalogue["sales"]], transfers=[])
    health = activity_create(organisation=organisation, **health_data)

    def names(query):
        response = auditor_client.get(url(organisation, "activity_list") + query)
        return [activity.name for activity, *_details in response.context["rows"]]

    assert names("?q=email") == [crm.name]  # a data field's name
    assert names("?q=intranet") == [crm.name, health.name]  # a system's name
    assert names("?special=yes") == [health.name]
    assert names("?country=US") == [crm.name]
    assert names("?transfers=yes") == [crm.name]
    assert names("?transfers=no") == [health.name]
    assert names("?ordering=-name") == [health.name, crm.name]
    assert names("?status=active") == []


def test_register_rows_show_each_activity_escaped_with_its_storage_and_completeness(
    auditor_client, organisation, catalogue, complete_data
):
    crm = activity_create(organisation=organisation, **{**complete_data, "name": "CRM <script>alert(1)</script>"})
    draft = activity_create(organisation=organisation, name="Draft & co", purpose="")
    page = auditor_client.get(url(organisation, "activity_list")).content.decode()
    assert "<script>alert(1)" not in page
    assert "CRM &lt;script&gt;alert(1)&lt;/script&gt;" in page and "Draft &amp; co" in page
    assert f'href="{url(organisation, "activity_detail", pk=crm.pk)}"' in page
    # The CRM's systems store data in France and, outside the EEA, in the United States.
    assert '<span class="badge" title="France">FR</span> <span class="badge warn" title="United States' in page
    assert '<span class="badge ok">Complete</span>' in page
    missing = len(missing_items(draft))
    assert missing > 1 and f'<span class="badge warn">{missing} items missing</span>' in page

    french = auditor_client.get(url(organisation, "activity_list"), headers={"accept-language": "fr"})
    french_page = french.content.decode()
    assert 'title="États-Unis d&#x27;Amérique">US</span>' in french_page
    assert f"{missing} mentions manquantes" in french_page and '<span class="badge ok">Complète</span>' in french_page


def test_the_register_shows_and_filters_activities_with_open_findings(auditor_client, organisation):
    import datetime

    from processing.compliance.check import check_organisation

    late = activity_create(
        organisation=organisation, name="Late", purpose="P", next_review_on=datetime.date(2020, 1, 1)
    )
    activity_create(organisation=organisation, name="On time", purpose="P")
    check_organisation(organisation)
    page_url = url(organisation, "activity_list")

    def names(query):
        return [row[0].name for row in auditor_client.get(page_url + query).context["rows"]]

    assert names("?findings=yes") == ["Late"] and names("?findings=no") == ["On time"]
    findings_url = reverse("compliance:finding_list", args=[organisation.slug])
    page = auditor_client.get(page_url).text
    assert f'<a class="badge warn" href="{findings_url}?activity={late.pk}">1 finding</a>' in page


def test_register_filters_keep_what_was_chosen_and_escape_it(auditor_client, organisation, complete_data):
    activity_create(organisation=organisation, **complete_data)
    page = auditor_client.get(
        url(organisation, "activity_list"), {"q": '"><b>x', "status": "draft", "ordering": "-name", "country": "US"}
    ).content.decode()
    assert 'name="q" id="id_q" aria-describedby="id_q_helptext" value="&quot;&gt;&lt;b&gt;x"' in page
    assert '<option value="draft" selected>' in page and '<option value="active">' in page
    assert '<option value="-name" selected>' in page
    assert '<option value="US" selected>United States of America</option>' in page  # where the systems are
    assert '<label for="id_lawful_basis">Lawful basis</label>' in page


def _grow_register(organisation, catalogue, count):
    while ProcessingActivity.objects.filter(organisation=organisation).count() < count:
        activity_create(
            organisation=organisation,
            name="Activity",
            purpose="Purpose",
            data_fields=[DataFieldFactory(organisation=organisation) for _ in range(3)],
            recipients=[RecipientFactory(organisation=organisation, country_id="US")],
            systems=[SystemFactory(organisation=organisation, countries=["US", "FR"])],
            data_subjects=[{"category": DataSubjectCategoryFactory(organisation=organisation)}],
            transfers=[{"country_id": "US", "mechanism": "scc_2"}],
            retention_lines=[{"duration": 1, "duration_unit": "years"}],
            security_measures=[{"kind": "backup"}],
            controller_parties=[{"name": "Partner"}],
        )


def test_register_list_query_count_does_not_grow(dpo_client, organisation, catalogue, django_assert_num_queries):
    _grow_register(organisation, catalogue, 5)
    page_url = url(organisation, "activity_list")
    dpo_client.get(page_url)
    with CaptureQueriesContext(connection) as small:
        dpo_client.get(page_url)
    _grow_register(organisation, catalogue, 200)  # four pages of 50, each activity with many relations
    with django_assert_num_queries(len(small)):
        assert dpo_client.get(page_url).status_code == 200
    assert len(small) <= 25


def test_record_page_query_count_does_not_grow_with_its_links_and_rows(
    dpo_client, organisation, django_assert_num_queries
):
    def activity_with(count):
        fields = [DataFieldFactory(organisation=organisation) for _ in range(count)]
        recipients = [RecipientFactory(organisation=organisation, country_id="US") for _ in range(count)]
        systems = [SystemFactory(organisation=organisation, countries=["US", "IN"]) for _ in range(count)]
        return activity_create(
            organisation=organisation,
            name=f"{count} of each",
            data_fields=fields,
            recipients=recipients,
            systems=systems,
            data_subjects=[{"category": DataSubjectCategoryFactory(organisation=organisation)} for _ in range(count)],
            transfers=[{"country_id": "US", "recipient": recipient, "mechanism": "scc_2"} for recipient in recipients],
            retention_lines=[{"duration": n + 1, "duration_unit": "years"} for n in range(count)],
            security_measures=[{"kind": kind} for kind in ["backup", "encryption", "traceability"][:count]],
            controller_parties=[{"name": f"Partner {n}", "contact": "x"} for n in range(count)],
        )

    small, large = activity_with(1), activity_with(40)
    dpo_client.get(small.get_absolute_url())
    with CaptureQueriesContext(connection) as captured:
        dpo_client.get(small.get_absolute_url())
    with django_assert_num_queries(len(captured)):
        assert dpo_client.get(large.get_absolute_url()).status_code == 200
    assert len(captured) <= 25


def test_a_new_catalogue_entry_created_from_the_form_is_linked_or_the_reason_shown(dpo_client, organisation, catalogue):
    data = form_data(catalogue, new_data_field="Customer number", new_data_field_category="identification")
    assert dpo_client.post(url(organisation, "activity_create"), data).status_code == 302
    activity = ProcessingActivity.objects.get()
    assert {field.name for field in activity.data_fields.all()} == {"Email address", "Customer number"}

    # The same name again (whatever its case): refused next to the field, nothing written.
    data = form_data(catalogue, name="Other", new_data_field="CUSTOMER NUMBER", new_data_field_category="other")
    response = dpo_client.post(url(organisation, "activity_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["new_data_field"] == ["The catalogue already has an entry with this name."]
    assert ProcessingActivity.objects.count() == 1


def test_a_new_recipient_and_category_of_people_from_the_form(dpo_client, organisation, catalogue):
    data = form_data(
        catalogue,
        new_recipient="Payments Ltd",
        new_recipient_kind="processor",
        new_recipient_country="IN",
        new_subject="Partners",
        new_subject_count="40",
    )
    response = dpo_client.post(url(organisation, "activity_create"), data)
    # India is outside the EEA: a transfer row is proposed before anything is written.
    assert response.status_code == 200
    assert [form.initial for form in response.context["formsets"]["transfers"].forms if form.initial] == [
        {"country": "IN"}
    ]
    assert not ProcessingActivity.objects.exists()
    data.update(transfers_reviewed="IN:", **formset("transfers", [{"country": "IN", "mechanism": "scc_2"}]))
    assert dpo_client.post(url(organisation, "activity_create"), data).status_code == 302
    activity = ProcessingActivity.objects.get()
    assert {recipient.name for recipient in activity.recipients.all()} == {"Sales team", "Payments Ltd"}
    assert activity.transfers.get().recipient.name == "Payments Ltd"
    assert {(link.category.name, link.approximate_count) for link in activity.subject_links.all()} == {
        ("Customers", 5000),
        ("Partners", 40),
    }

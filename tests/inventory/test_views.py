import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.catalogue import KINDS
from inventory.models import DataField, System

from .factories import DataFieldFactory, RecipientFactory, SystemFactory

pytestmark = pytest.mark.django_db


def url(organisation, name, **kwargs):
    return reverse(f"inventory:{name}", kwargs={"organisation_slug": organisation.slug, **kwargs})


def test_dpo_adds_a_system_stored_in_two_countries(dpo_client, organisation):
    host = RecipientFactory(organisation=organisation, name="Salesforce, Inc.", country_id="US")
    response = dpo_client.post(
        url(organisation, "item_create", kind="systems"),
        {"name": "Sales Cloud", "kind": "saas", "hosting_provider": host.pk, "countries": ["US", "FR"]},
        follow=True,
    )
    assert "“Sales Cloud” has been added." in response.text
    system = System.objects.get(organisation=organisation, name="Sales Cloud")
    assert system.hosting_provider == host
    assert set(system.country_links.values_list("country_id", flat=True)) == {"US", "FR"}
    assert "United States of America" in response.text


def test_bad_input_is_explained_next_to_the_field_and_nothing_is_saved(dpo_client, organisation):
    DataFieldFactory(organisation=organisation, name="Adresse e-mail")
    response = dpo_client.post(
        url(organisation, "item_create", kind="data-fields"), {"name": "ADRESSE E-MAIL", "category": "identification"}
    )
    assert response.status_code == 200
    assert 'id="id_name_error"' in response.text
    assert "The catalogue already has an entry with this name." in response.text
    response = dpo_client.post(
        url(organisation, "item_create", kind="data-fields"), {"name": "Santé", "category": "special"}
    )
    assert 'id="id_special_category_error"' in response.text
    assert DataField.objects.filter(organisation=organisation).count() == 1


def test_another_organisations_recipient_cannot_be_chosen_as_host(dpo_client, organisation, other_organisation):
    foreign = RecipientFactory(organisation=other_organisation)
    response = dpo_client.post(
        url(organisation, "item_create", kind="systems"),
        {"name": "CRM", "kind": "saas", "hosting_provider": foreign.pk, "countries": ["FR"]},
    )
    assert 'id="id_hosting_provider_error"' in response.text
    assert not System.objects.exists()


def test_another_organisations_entry_is_not_found_through_mine(dpo_client, organisation, other_organisation):
    foreign = SystemFactory(organisation=other_organisation)
    assert dpo_client.get(url(organisation, "item_edit", kind="systems", pk=foreign.pk)).status_code == 404
    assert dpo_client.post(url(organisation, "item_archive", kind="systems", pk=foreign.pk)).status_code == 404
    foreign.refresh_from_db()
    assert not foreign.is_archived


def test_a_kind_of_entry_only_reaches_its_own_table(dpo_client, organisation):
    # Make sure a data field and a system share an id, so that only the kind can tell them apart.
    fields = {DataFieldFactory(organisation=organisation).pk for _ in range(5)}
    systems = {SystemFactory(organisation=organisation).pk for _ in range(5)}
    while not fields & systems:
        (fields if max(fields) < max(systems) else systems).add(
            (DataFieldFactory if max(fields) < max(systems) else SystemFactory)(organisation=organisation).pk
        )
    shared = min(fields & systems)
    assert dpo_client.get(url(organisation, "item_edit", kind="systems", pk=shared)).status_code == 200
    assert dpo_client.get(url(organisation, "item_edit", kind="data-fields", pk=shared)).status_code == 200
    only_field = DataFieldFactory(organisation=organisation).pk
    while only_field in systems:
        only_field = DataFieldFactory(organisation=organisation).pk
    assert dpo_client.get(url(organisation, "item_edit", kind="systems", pk=only_field)).status_code == 404


def test_dpo_archives_then_restores_an_entry(dpo_client, organisation):
    system = SystemFactory(organisation=organisation, name="Old CRM")
    archived_message = dpo_client.post(url(organisation, "item_archive", kind="systems", pk=system.pk), follow=True)
    assert "“Old CRM” is archived" in archived_message.text
    current = dpo_client.get(url(organisation, "item_list", kind="systems")).text
    assert "Old CRM" not in current
    archived = dpo_client.get(url(organisation, "item_list", kind="systems") + "?archived=1").text
    assert "Old CRM" in archived
    dpo_client.post(url(organisation, "item_restore", kind="systems", pk=system.pk))
    assert "Old CRM" in dpo_client.get(url(organisation, "item_list", kind="systems")).text


def test_search_ignores_case_and_accents(auditor_client, organisation):
    DataFieldFactory(organisation=organisation, name="Données de santé", category="special", special_category="health")
    DataFieldFactory(organisation=organisation, name="Adresse IP")
    page = auditor_client.get(url(organisation, "item_list", kind="data-fields") + "?q=DONNEES").text
    assert "Données de santé" in page
    assert "Adresse IP" not in page


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("persona", ["manager", "auditor"])
def test_readers_browse_the_catalogue_without_edit_controls(request, organisation, kind, persona):
    client = request.getfixturevalue(f"{persona}_client")
    SystemFactory(organisation=organisation)
    DataFieldFactory(organisation=organisation)
    page = client.get(url(organisation, "item_list", kind=kind)).text
    for control in ("/new/", "Edit", "Archive", "Restore", 'method="post" action="/o/'):
        assert control not in page


def test_dpo_loads_the_default_catalogue(dpo_client, organisation):
    response = dpo_client.post(url(organisation, "load_defaults"), {"language": "fr"}, follow=True)
    assert "entries were added to the catalogue" in response.text
    assert DataField.objects.filter(organisation=organisation, name="Numéro de sécurité sociale (NIR)").exists()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_list_query_count_does_not_grow_with_the_catalogue(
    dpo_client, organisation, kind, django_assert_max_num_queries
):
    page_url = url(organisation, "item_list", kind=kind)

    def fill(count):
        factory = {"data-fields": DataFieldFactory, "systems": SystemFactory, "recipients": RecipientFactory}.get(kind)
        if factory is None:
            from .factories import DataSubjectCategoryFactory as factory
        while KINDS[kind].model.objects.filter(organisation=organisation).count() < count:
            item = factory(organisation=organisation)
            if kind == "systems":
                item.hosting_provider = RecipientFactory(organisation=organisation)
                item.save()
                item.country_links.create(country_id="US")

    fill(5)
    with CaptureQueriesContext(connection) as small:
        dpo_client.get(page_url)
    fill(60)  # more than a page
    with django_assert_max_num_queries(len(small)):
        assert dpo_client.get(page_url).status_code == 200


def test_pagination_keeps_the_search(auditor_client, organisation):
    for number in range(55):
        DataFieldFactory(organisation=organisation, name=f"Zed {number:02d}")
    page = auditor_client.get(url(organisation, "item_list", kind="data-fields") + "?q=zed").text
    assert "?q=zed&amp;page=2" in page


def test_a_catalogue_entrys_history_shows_who_changed_which_field_and_country(dpo_client, auditor_client, organisation):
    dpo_client.post(
        url(organisation, "item_create", kind="systems"), {"name": "CRM", "kind": "saas", "countries": ["FR"]}
    )
    system = System.objects.get(organisation=organisation, name="CRM")
    dpo_client.post(
        url(organisation, "item_edit", kind="systems", pk=system.pk),
        {"name": "Sales Cloud", "kind": "saas", "countries": ["FR", "US"]},
    )
    dpo_client.post(url(organisation, "item_archive", kind="systems", pk=system.pk))

    page = auditor_client.get(url(organisation, "item_history", kind="systems", pk=system.pk))
    assert page.status_code == 200
    changes = page.context["changes"]  # newest first
    assert [change.kind for change in changes] == ["changed", "changed", "created"]
    assert {change.who for change in changes} == {"dpo"}
    archived, edited, created = (change.details for change in changes)
    assert any(detail.startswith("Archived at: — → ") for detail in archived)
    assert "Name: CRM → Sales Cloud" in edited
    assert "Storage countries: + United States of America" in edited  # the same save as the rename
    assert "Name: — → CRM" in created and "Storage countries: + France" in created
    assert "Storage countries: + United States of America" in page.text
    # The list links every entry to its history, for readers too.
    listing = auditor_client.get(url(organisation, "item_list", kind="systems") + "?archived=1")
    assert url(organisation, "item_history", kind="systems", pk=system.pk) in listing.text


def test_catalogue_history_query_count_does_not_grow_with_the_history(
    dpo_client, organisation, django_assert_num_queries
):
    system = SystemFactory(organisation=organisation, countries=["FR"])
    page = url(organisation, "item_history", kind="systems", pk=system.pk)
    dpo_client.get(page)
    with CaptureQueriesContext(connection) as few:
        dpo_client.get(page)
    queries = len(few)  # read now: the next requests empty the connection's query log
    for number in range(20):
        dpo_client.post(
            url(organisation, "item_edit", kind="systems", pk=system.pk),
            {"name": f"CRM {number}", "kind": "saas", "countries": ["FR", "US"] if number % 2 else ["DE"]},
        )
    with django_assert_num_queries(queries):
        assert len(dpo_client.get(page).context["changes"]) == 21


def test_another_organisations_entry_has_no_history_here(auditor_client, organisation, other_organisation):
    foreign = SystemFactory(organisation=other_organisation)
    assert auditor_client.get(url(organisation, "item_history", kind="systems", pk=foreign.pk)).status_code == 404

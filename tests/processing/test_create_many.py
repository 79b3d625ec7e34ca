"""Many new activities at once (what an import writes): the same checks, messages, content
and history as creating them one by one, all or nothing, in a number of queries that does
not grow with the number of activities."""

import copy

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.history import acting_as
from inventory.models import DataField, InternationalOrganisation
from inventory.services import catalogue_item_archive, catalogue_item_create
from processing.compliance.models import Finding
from processing.history import activity_history
from processing.models import ProcessingActivity
from processing.reports.loading import RegisterReader, Scope
from processing.services import activities_create_many, activity_create

pytestmark = pytest.mark.django_db


def one_by_one_error(organisation, entry) -> dict:
    """What ``activity_create`` says of ``entry`` (nothing kept)."""
    try:
        with transaction.atomic():
            activity_create(organisation=organisation, **copy.copy(entry))
    except ValidationError as error:
        return error.message_dict
    pytest.fail("activity_create accepted it")


def at_once_error(organisation, entries) -> dict:
    errors = activities_create_many(organisation=organisation, entries=entries)
    assert list(errors) == [len(entries) - 1], errors
    return errors[len(entries) - 1].message_dict


def with_rows(complete_data, name, rows):
    return {**complete_data, name: [*complete_data.get(name, []), *rows]}


BAD_ENTRIES = {
    "no name": lambda data, c, other: {**data, "name": ""},
    "a name too long": lambda data, c, other: {**data, "name": "x" * 300},
    "an unknown lawful basis": lambda data, c, other: {**data, "lawful_basis": "whim"},
    "reviews in the wrong order": lambda data, c, other: {
        **data,
        "last_reviewed_on": timezone.localdate(),
        "next_review_on": timezone.localdate() - timezone.timedelta(days=1),
    },
    "an archived data field": lambda data, c, other: {**data, "data_fields": [c["archived"]]},
    "another organisation's data field": lambda data, c, other: {**data, "data_fields": [other]},
    "the same people twice": lambda data, c, other: {**data, "data_subjects": data["data_subjects"] * 2},
    "more people than the world": lambda data, c, other: {
        **data,
        "data_subjects": [{"category": c["customers"], "approximate_count": 10**12}],
    },
    "a transfer inside the EEA": lambda data, c, other: with_rows(data, "transfers", [{"country_id": "FR"}]),
    "a transfer to an unknown country": lambda data, c, other: with_rows(data, "transfers", [{"country_id": "XX"}]),
    "a transfer to two destinations": lambda data, c, other: with_rows(
        data,
        "transfers",
        [{"country_id": "US", "international_organisation": InternationalOrganisation.objects.first()}],
    ),
    "a transfer to no destination": lambda data, c, other: with_rows(data, "transfers", [{"mechanism": "bcr"}]),
    "an importer that is not a recipient": lambda data, c, other: {
        **data,
        "recipients": [c["sales"]],
        "systems": [c["intranet"]],
    },
    "an importer system not linked": lambda data, c, other: (
        with_rows(data, "transfers", [{"country_id": "US", "system": c["crm"]}]) | {"systems": [c["intranet"]]}
    ),
    "one-off transfer without safeguards": lambda data, c, other: with_rows(
        data, "transfers", [{"country_id": "US", "mechanism": "compelling_interest"}]
    ),
    "a duration without unit": lambda data, c, other: with_rows(data, "retention_lines", [{"duration": 3}]),
    "a retention line saying nothing": lambda data, c, other: with_rows(data, "retention_lines", [{}]),
    "the same security measure twice": lambda data, c, other: with_rows(
        data, "security_measures", [{"kind": "access_control"}]
    ),
    "a row that names an id": lambda data, c, other: with_rows(data, "controller_parties", [{"id": 1, "name": "X"}]),
    "the same row id twice": lambda data, c, other: with_rows(
        data, "controller_parties", [{"id": 1, "name": "X"}, {"id": 1, "name": "Y"}]
    ),
    "a controller without name": lambda data, c, other: with_rows(data, "controller_parties", [{"contact": "Lyon"}]),
}


@pytest.mark.parametrize("case", list(BAD_ENTRIES))
def test_each_refusal_says_what_creating_it_alone_says(
    organisation, other_organisation, catalogue, complete_data, case
):
    catalogue["archived"] = catalogue_item_create(
        model=DataField, organisation=organisation, name="Old field", category="identification"
    )
    catalogue_item_archive(item=catalogue["archived"])
    other = catalogue_item_create(
        model=DataField, organisation=other_organisation, name="Theirs", category="identification"
    )
    entry = BAD_ENTRIES[case](complete_data, catalogue, other)
    expected = one_by_one_error(organisation, entry)
    assert at_once_error(organisation, [complete_data | {"name": "Good"}, entry]) == expected
    assert not ProcessingActivity.objects.exists()  # one refused: none written


def test_a_reference_taken_in_the_register_or_earlier_in_the_same_batch(organisation, complete_data):
    entry = complete_data | {"reference": "PA-007"}
    errors_alone = {}
    with transaction.atomic():
        activity_create(organisation=organisation, **entry)
        errors_alone = one_by_one_error(organisation, entry)
        transaction.set_rollback(True)
    assert "already has this reference" in str(errors_alone)
    assert at_once_error(organisation, [entry, entry]) == errors_alone
    activity_create(organisation=organisation, **entry)
    assert at_once_error(organisation, [entry]) == errors_alone


def test_activities_without_reference_take_the_next_free_ones(organisation, complete_data):
    activity_create(organisation=organisation, reference="PA-004", name="Existing", purpose="P")
    assert activities_create_many(organisation=organisation, entries=[complete_data, complete_data]) == {}
    references = ProcessingActivity.objects.filter(organisation=organisation).values_list("reference", flat=True)
    assert sorted(references) == ["PA-004", "PA-005", "PA-006"]


def document(organisation, reference, as_of=None) -> dict:
    reader = RegisterReader(organisation, Scope(active_only=False, as_of=as_of))
    found = [entry for chunk in reader.chunks() for entry in chunk if entry["reference"] == reference]
    return found[0] | {"reference": "same"}


def test_written_as_creating_them_one_by_one_with_the_same_history(organisation, dpo, complete_data):
    data = complete_data | {"controller_parties": [{"name": "Partner SA", "contact": "Lyon"}], "sub_purposes": "A\nB"}
    with acting_as(dpo, "import"):
        activity_create(organisation=organisation, reference="PA-001", **data)
        assert activities_create_many(organisation=organisation, entries=[data | {"reference": "PA-002"}]) == {}
    assert document(organisation, "PA-002") == document(organisation, "PA-001")
    # The register as of today, read from history, holds the same activity with its links and rows.
    today = timezone.localdate()
    assert document(organisation, "PA-002", as_of=today) == document(organisation, "PA-002")

    alone, at_once = (
        activity_history(ProcessingActivity.objects.get(reference=reference)) for reference in ("PA-001", "PA-002")
    )
    assert {(c.kind, c.who, c.via) for c in at_once} == {("created", dpo.username, "import")}

    def read(changes):
        return sorted((str(change.subject), sorted(change.details)) for change in changes)

    assert read(at_once) == read(alone)
    assert len(at_once) == 6  # the activity with its links; each person category and row


@pytest.mark.django_db(transaction=True)
def test_the_register_is_checked_once_they_are_written(organisation, complete_data):
    shielded = copy.deepcopy(complete_data)
    shielded["transfers"][0]["mechanism"] = "privacy_shield"
    assert activities_create_many(organisation=organisation, entries=[shielded]) == {}  # committed, then checked
    activity = ProcessingActivity.objects.get()
    finding = Finding.objects.get(organisation=organisation, rule="transfer.obsolete_instrument")
    assert finding.subject == activity


def test_queries_do_not_grow_with_the_number_of_activities(organisation, complete_data, django_assert_max_num_queries):
    def entries(count):
        return [complete_data | {"reference": f"B-{count}-{n}"} for n in range(count)]

    with CaptureQueriesContext(connection) as few:
        assert activities_create_many(organisation=organisation, entries=entries(2)) == {}
    # 20: as many as one statement takes on SQLite (999 parameters); beyond, a statement per batch.
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert activities_create_many(organisation=organisation, entries=entries(20)) == {}
    assert ProcessingActivity.objects.filter(organisation=organisation).count() == 22


def test_a_refused_activity_leaves_its_reference_to_the_next(organisation, complete_data):
    bad = with_rows(complete_data, "retention_lines", [{"duration": 3}]) | {"reference": "PA-009"}
    errors = activities_create_many(organisation=organisation, entries=[bad, complete_data | {"reference": "PA-009"}])
    assert list(errors) == [0]


def test_an_importer_given_by_its_key_is_accepted_as_alone(organisation, catalogue, complete_data):
    entry = copy.deepcopy(complete_data)
    entry["transfers"][0] |= {"recipient": None, "recipient_id": catalogue["crm_vendor"].pk}
    activity_create(organisation=organisation, reference="PA-001", **copy.deepcopy(entry))
    assert activities_create_many(organisation=organisation, entries=[entry | {"reference": "PA-002"}]) == {}
    assert ProcessingActivity.objects.get(reference="PA-002").transfers.get().recipient == catalogue["crm_vendor"]

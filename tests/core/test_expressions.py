"""core.expressions: a one-to-many link read as a list on its row, the same on SQLite and PostgreSQL."""

from types import SimpleNamespace

import pytest
from django.db import NotSupportedError, connection
from django.db.models import OuterRef
from django.test.utils import CaptureQueriesContext

from core.expressions import ListOf
from inventory.models import DataField, System
from inventory.services import catalogue_item_create
from processing.models import ProcessingActivity
from processing.services import activity_create

pytestmark = pytest.mark.django_db

THROUGH = ProcessingActivity.data_fields.through.objects


def test_each_row_has_the_ids_of_its_links_as_a_list_empty_where_it_has_none(organisation):
    fields = [
        catalogue_item_create(model=DataField, organisation=organisation, name=f"Field {n}", category="other")
        for n in range(3)
    ]
    many = activity_create(organisation=organisation, name="Many", data_fields=fields)
    one = activity_create(organisation=organisation, name="One", data_fields=fields[1:2])
    none = activity_create(organisation=organisation, name="None")
    links = ListOf(THROUGH.filter(processingactivity_id=OuterRef("id")).values("datafield_id"))
    with CaptureQueriesContext(connection) as queries:
        found = dict(ProcessingActivity.objects.annotate(fields=links).values_list("id", "fields"))
    assert len(queries) == 1
    assert sorted(found[many.pk]) == sorted(field.pk for field in fields)
    assert found[one.pk] == [fields[1].pk] and found[none.pk] == []
    assert all(isinstance(pk, int) for pk in found[many.pk])


def test_several_lists_on_one_row_each_its_own(organisation):
    field = catalogue_item_create(model=DataField, organisation=organisation, name="Email", category="other")
    systems = [
        catalogue_item_create(
            model=System, organisation=organisation, name=f"System {n}", kind="saas", countries=["FR"]
        )
        for n in range(2)
    ]
    activity = activity_create(organisation=organisation, name="Both", data_fields=[field], systems=systems)
    row = (
        ProcessingActivity.objects.annotate(
            fields=ListOf(THROUGH.filter(processingactivity_id=OuterRef("id")).values("datafield_id")),
            systems_ids=ListOf(
                ProcessingActivity.systems.through.objects.filter(processingactivity_id=OuterRef("id")).values(
                    "system_id"
                )
            ),
        )
        .values("fields", "systems_ids")
        .get(pk=activity.pk)
    )
    assert row["fields"] == [field.pk] and sorted(row["systems_ids"]) == sorted(system.pk for system in systems)


def test_a_column_named_by_its_field_or_across_a_relation_is_read_as_well(organisation):
    field = catalogue_item_create(model=DataField, organisation=organisation, name="Email", category="other")
    activity = activity_create(organisation=organisation, name="One", data_fields=[field])
    through = THROUGH.filter(processingactivity_id=OuterRef("id"))
    row = (
        ProcessingActivity.objects.annotate(
            by_field=ListOf(through.values("datafield")), names=ListOf(through.values("datafield__name"))
        )
        .values("by_field", "names")
        .get(pk=activity.pk)
    )
    assert row == {"by_field": [field.pk], "names": ["Email"]}


def test_a_queryset_of_several_columns_is_refused():
    with pytest.raises(ValueError, match="one column"):
        ListOf(THROUGH.filter(processingactivity_id=OuterRef("id")).values("datafield_id", "processingactivity_id"))


def test_another_database_is_told_plainly_that_it_has_no_such_list():
    links = ListOf(THROUGH.filter(processingactivity_id=OuterRef("id")).values("datafield_id"))
    with pytest.raises(NotSupportedError, match="not on mysql"):
        links.as_sql(None, SimpleNamespace(vendor="mysql"))

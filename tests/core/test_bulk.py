"""core.bulk: rows written in bulk read back as written, on SQLite (INSERTs) and PostgreSQL (COPY)."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from core.bulk import insert_rows
from processing.compliance.models import Finding
from processing.models import ProcessingActivity

pytestmark = pytest.mark.django_db


def test_rows_with_tabs_new_lines_backslashes_and_json_read_back_as_written(organisation):
    when = datetime.datetime(2026, 11, 28, 9, 30, 15, 123456, tzinfo=datetime.UTC)
    subject_type = ContentType.objects.get_for_model(ProcessingActivity)
    awkward = 'tab\there, line\nthere, \\N, back\\slash, "quoted", \r, é'
    params = {"note": awkward, "list": [1, 2.5, None, True], "empty": ""}
    shared = {"organisation_id": organisation.pk, "first_detected_at": when, "last_seen_at": when}
    shared |= {"created_at": when, "updated_at": when, "status": "open"}
    json_field = Finding._meta.get_field("params")
    written = insert_rows(
        Finding,
        ["rule", "subject_type_id", "subject_id", "severity", "params", "justification", "resolved_at"],
        [
            (awkward, subject_type.pk, 1, "high", json_field.get_db_prep_save(params, connection), awkward, None),
            ("plain", subject_type.pk, 2, "low", '{"a": 1}', "", when),
        ],
        same=shared,
    )
    assert written == 2
    first, second = Finding.objects.order_by("subject_id")
    assert (first.rule, first.justification, first.params, first.resolved_at) == (awkward, awkward, params, None)
    assert (second.rule, second.params, second.resolved_at, second.first_detected_at) == ("plain", {"a": 1}, when, when)
    assert first.organisation_id == organisation.pk and first.status == "open"


def test_many_rows_sent_in_pieces_all_arrive_whole(organisation):
    # On PostgreSQL the COPY's text is made as it is read, a thousand rows and 64 KB at a time: rows and values that
    # straddle those pieces arrive whole, every one of them.
    when = datetime.datetime(2026, 11, 28, 9, 30, tzinfo=datetime.UTC)
    subject_type = ContentType.objects.get_for_model(ProcessingActivity)
    shared = {"organisation_id": organisation.pk, "first_detected_at": when, "last_seen_at": when}
    shared |= {"created_at": when, "updated_at": when, "status": "open", "resolved_at": None}
    rows = [(f"rule.{n}", subject_type.pk, n, "low", "{}", "é\t" * (n % 97)) for n in range(2_500)]
    fields = ["rule", "subject_type_id", "subject_id", "severity", "params", "justification"]
    assert insert_rows(Finding, fields, iter(rows), same=shared) == 2_500
    written = Finding.objects.order_by("subject_id").values_list("rule", "subject_id", "justification")
    assert list(written) == [(rule, n, text) for rule, _type, n, _severity, _params, text in rows]

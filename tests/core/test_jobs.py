"""Issue #20: the outbox of background jobs (core.jobs). A job is written with the change that needs it, sent once that
commits; a broker that does not answer costs the request nothing but a notice; the dispatcher sends what waits and
takes back what a dead worker held; a job runs once however often it is delivered; a crash fails it with its reason."""

import datetime
import json
import time

import pytest
from django.contrib.messages import get_messages
from django.db import OperationalError, transaction
from django.urls import reverse
from django.utils import timezone

from config.celery_app import app as celery_app
from core import jobs
from core.models import Job
from processing.models import ProcessingActivity
from processing.reports.models import ExportLog, RegisterImport
from processing.reports.services import register_export_run
from processing.services import activity_create

from ..worker import app_pointed_at

pytestmark = pytest.mark.django_db

# A port nothing listens on: the broker is configured but does not answer.
DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down(monkeypatch, settings):
    """Celery as in production (not eager), its broker away."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    with app_pointed_at(DEAD_BROKER):  # pooled connections and producers forgotten
        yield


def test_a_job_is_written_with_the_change_and_never_without_it(organisation, django_capture_on_commit_callbacks):
    with pytest.raises(RuntimeError), transaction.atomic():
        activity_create(organisation=organisation, name="Payroll")
        raise RuntimeError  # the change rolled back: no job either
    assert not Job.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        activity = activity_create(organisation=organisation, name="Payroll")
    job = Job.objects.get()
    assert (job.task, job.args, job.status) == (
        "processing.check_organisation",
        [organisation.pk, [activity.pk]],
        "pending",
    )
    assert len(callbacks) == 1  # its dispatch, once the change commits


@pytest.mark.django_db(transaction=True)  # committed as in production: the dispatch runs within the request
def test_a_save_answers_at_once_when_the_broker_is_down_and_its_check_waits(dpo_client, organisation, broker_down):
    url = reverse("processing:activity_create", args=[organisation.slug])
    data = {
        "section": "identity",
        "name": "Visitor badges",
        "role": "controller",
        "parties-TOTAL_FORMS": "0",
        "parties-INITIAL_FORMS": "0",
    }
    started = time.monotonic()
    response = dpo_client.post(url, data)
    elapsed = time.monotonic() - started
    assert response.status_code == 302 and elapsed < 2, elapsed
    activity = ProcessingActivity.objects.get(name="Visitor badges")
    job = Job.objects.get(task="processing.check_organisation")
    assert (job.status, job.dispatched_at, job.args) == ("pending", None, [organisation.pk, [activity.pk]])
    notices = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("will run when the task queue is back" in notice for notice in notices), notices
    # The findings page says checks are waiting, once they have waited a minute.
    Job.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    page = dpo_client.get(reverse("compliance:finding_list", args=[organisation.slug])).text
    assert "1 check is waiting for the task queue" in page


def test_the_api_writes_when_the_cache_of_its_rate_limit_is_down(dpo, organisation, monkeypatch, broker_down):
    from rest_framework.test import APIClient

    def broken(*args, **kwargs):
        raise ConnectionError("Redis does not answer")

    monkeypatch.setattr("django.core.cache.backends.locmem.LocMemCache.get", broken)
    client = APIClient()
    client.force_authenticate(dpo)
    response = client.post("/api/v1/activities/", {"organisation": organisation.slug, "name": "Payroll"}, format="json")
    assert response.status_code == 201, response.content
    assert Job.objects.filter(task="processing.check_organisation", status="pending").count() == 1


def test_the_dispatcher_sends_what_waits_and_takes_back_what_a_dead_worker_held(organisation, settings):
    now = timezone.now()
    never_sent = Job.objects.create(task="core.record_worker_heartbeat", available_at=now)
    lost = Job.objects.create(
        task="core.record_worker_heartbeat", available_at=now, dispatched_at=now - datetime.timedelta(minutes=5)
    )
    just_sent = Job.objects.create(task="core.record_worker_heartbeat", available_at=now, dispatched_at=now)
    later = Job.objects.create(task="core.record_worker_heartbeat", available_at=now + datetime.timedelta(minutes=5))
    silent = now - datetime.timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT_SECONDS + 1)
    dead = Job.objects.create(
        task="core.record_worker_heartbeat", available_at=now, status="running", attempts=1, heartbeat_at=silent
    )
    beating = Job.objects.create(
        task="core.record_worker_heartbeat", available_at=now, status="running", attempts=1, heartbeat_at=now
    )
    worn = Job.objects.create(
        task="core.record_worker_heartbeat",
        available_at=now,
        status="running",
        attempts=settings.JOB_MAX_ATTEMPTS,
        heartbeat_at=silent,
    )

    report = jobs.dispatch_due()  # eager: what is sent runs here

    assert sorted(report["sent"]) == sorted([never_sent.pk, lost.pk, dead.pk])
    assert (report["taken_back"], report["given_up"]) == ([dead.pk], [worn.pk])
    status = dict(Job.objects.values_list("pk", "status"))
    assert status[never_sent.pk] == status[lost.pk] == status[dead.pk] == "done"
    assert status[just_sent.pk] == status[later.pk] == "pending" and status[beating.pk] == "running"
    assert status[worn.pk] == "failed" and Job.objects.get(pk=worn.pk).error == "The worker running it stopped."
    assert Job.objects.get(pk=dead.pk).attempts == 2


def test_a_job_delivered_twice_runs_once(organisation):
    activity = activity_create(organisation=organisation, name="Payroll", next_review_on=datetime.date(2020, 1, 1))
    job = Job.objects.create(
        task="processing.check_organisation", args=[organisation.pk, None], available_at=timezone.now()
    )
    assert jobs.run(job.pk) == {"job": job.pk, "ran": True}
    assert jobs.run(job.pk) == {"job": job.pk, "ran": False}
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 1)
    assert activity.pk in set(
        organisation.findings.filter(rule="retention.review_overdue").values_list("subject_id", flat=True)
    )


def test_a_crash_fails_the_job_with_its_reason_and_a_database_blip_retries_it(
    organisation, monkeypatch, settings, caplog
):
    job = Job.objects.create(
        task="processing.check_organisation", args=[organisation.pk, None], available_at=timezone.now()
    )

    def crash(*args, **kwargs):
        raise ValueError("Exceeds the limit (4300 digits)")

    monkeypatch.setattr("processing.compliance.tasks.check_organisation", crash)
    assert jobs.run(job.pk)["failed"] is True
    job.refresh_from_db()
    assert job.status == "failed" and job.error == "ValueError: Exceeds the limit (4300 digits)"
    assert f"Job {job.pk} (processing.check_organisation) failed" in caplog.text  # with its traceback

    def blip(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("processing.compliance.tasks.check_organisation", blip)
    again = Job.objects.create(
        task="processing.check_organisation", args=[organisation.pk, None], available_at=timezone.now()
    )
    assert jobs.run(again.pk)["retry"] is True
    again.refresh_from_db()
    assert again.status == "pending" and again.dispatched_at is None and again.available_at > timezone.now()


def csv_export(organisation, **fields) -> ExportLog:
    """An export of the whole register in CSV, as the worker finds it (``fields``: its state)."""
    return ExportLog.objects.create(
        organisation=organisation,
        report=ExportLog.Report.REGISTER,
        format="csv",
        language="en",
        options={"active_only": False, "as_of": None, "layout": "register"},
        **fields,
    )


def test_an_export_whose_worker_died_starts_again_and_says_so(dpo_client, organisation):
    activity_create(organisation=organisation, name="Payroll")
    export = csv_export(
        organisation,
        status=ExportLog.Status.RUNNING,
        attempts=1,
        steps_done=0,
        steps_total=1,
    )
    # Its first job's worker was killed: the running export is left alone by a plain delivery...
    assert register_export_run(export.pk) is False
    page = reverse("reports:export_status", args=[organisation.slug, export.pk])
    # ...and taken again by the job's second attempt, which the progress page reports while it runs.
    job = Job.objects.create(
        task="processing.export_register", args=[export.pk], available_at=timezone.now(), attempts=1, status="pending"
    )
    seen = {}

    def progress_seen(original):
        def wrapped(*args, **kwargs):
            seen.setdefault("state", json.loads(dpo_client.get(page).content))
            return original(*args, **kwargs)

        return wrapped

    from processing.reports import services

    original_write = services.register_export_write
    services.register_export_write = progress_seen(original_write)
    try:
        assert jobs.run(job.pk)["ran"] is True
    finally:
        services.register_export_write = original_write
    export.refresh_from_db()
    assert (export.status, export.attempts, export.rows) == ("ready", 2, 1)
    assert seen["state"]["progress"].startswith("Started again from the beginning: the worker running it stopped.")


def test_an_import_holding_a_huge_number_is_refused_at_reading_with_its_place(
    dpo_client, organisation, django_capture_on_commit_callbacks
):
    content = b'{"format": "registre-article-30", "version": 1,\n "activities": [{"count": ' + b"9" * 5000 + b"}]}"
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        dpo_client.post(
            reverse("reports:import_upload", args=[organisation.slug]),
            {"file": _upload("huge.json", content)},
        )
    register_import = RegisterImport.objects.get()
    assert time.monotonic() - started < 5
    assert register_import.status == "unreadable" and not register_import.file
    assert register_import.error == (
        "This file holds a number of 5000 digits at line 2, column 27: no number of a register is that long."
    )


def test_an_import_that_crashes_fails_with_a_reason_in_the_dpo_language_and_frees_its_upload(
    dpo, dpo_client, organisation, django_capture_on_commit_callbacks, monkeypatch, settings
):

    def crash(data):
        raise MemoryError

    monkeypatch.setattr("processing.reports.services.read_import_file", crash)
    dpo.language = "fr"
    dpo.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        dpo_client.post(
            reverse("reports:import_upload", args=[organisation.slug]), {"file": _upload("register.json", b"{}")}
        )
    register_import = RegisterImport.objects.get()
    assert register_import.status == "failed" and not register_import.file
    assert register_import.error.startswith("L’import s’est arrêté sur une erreur inattendue (MemoryError)")
    assert Job.objects.get(task="processing.preview_import").status == "failed"
    page = dpo_client.get(reverse("reports:import_detail", args=[organisation.slug, register_import.pk])).text
    assert "MemoryError" in page


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_healthz_answers_json_503_to_a_signed_in_probe_when_the_database_is_gone(dpo_client, monkeypatch):
    from django.db.backends.base.base import BaseDatabaseWrapper

    dpo_client.get("/")  # a session cookie, as a browser or a probe behind the login would carry

    def gone(self, *args, **kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", gone)
    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", gone)
    assert dpo_client.cookies.get("sessionid")
    response = dpo_client.get("/healthz")
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert response.json()["failed"] == ["database"]


def test_the_exports_housekeeping_writes_a_lost_export_again_through_the_outbox_once(organisation, settings):
    from processing.reports.services import exports_housekeeping

    activity_create(organisation=organisation, name="Payroll")
    long_ago = timezone.now() - datetime.timedelta(minutes=settings.EXPORT_REDISPATCH_MINUTES + 1)
    export = csv_export(
        organisation,
        status=ExportLog.Status.QUEUED,
        dispatched_at=long_ago,
    )
    assert exports_housekeeping()["resent"] == [export.pk]
    ExportLog.objects.filter(pk=export.pk).update(dispatched_at=long_ago)
    assert exports_housekeeping()["resent"] == [export.pk]  # sent again: its job still waits, it is the one
    job = Job.objects.get(task="processing.export_register")
    assert job.args == [export.pk] and job.status == "pending"
    jobs.dispatch_due()
    export.refresh_from_db()
    assert (export.status, export.rows) == ("ready", 1)


def test_a_callback_after_commit_that_fails_is_logged_not_raised_even_a_partial(
    django_capture_on_commit_callbacks, caplog
):
    """Django 5.2 names a failing robust callback by its ``__qualname__``, which a ``functools.partial`` lacks: given
    straight to ``on_commit(robust=True)`` it crashed the request it was meant to spare."""
    import functools

    def send(task_name):
        raise ConnectionError(f"{task_name}: the broker does not answer")

    with django_capture_on_commit_callbacks(execute=True):
        jobs.call_after_commit(functools.partial(send, "processing.export_register"))
    assert "the broker does not answer" in caplog.text


def test_a_job_given_up_marks_what_it_was_for_failed(organisation, settings, dpo_client):
    """Its workers kept stopping: the check run, the export and the import it was for say so, rather than wait."""
    from processing.compliance.models import ComplianceRun

    run = ComplianceRun.objects.create(organisation=organisation, origin="manual", status="running", attempts=5)
    export = ExportLog.objects.create(
        organisation=organisation, report=ExportLog.Report.REGISTER, format="pdf", language="en", status="running"
    )
    register_import = RegisterImport.objects.create(
        organisation=organisation, filename="register.json", language="fr", status="applying", steps_total=3
    )
    silent = timezone.now() - datetime.timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT_SECONDS + 1)
    for task, pk in (
        ("processing.run_compliance_check", run.pk),
        ("processing.export_register", export.pk),
        ("processing.apply_import", register_import.pk),
    ):
        Job.objects.create(
            task=task,
            args=[pk],
            available_at=silent,
            status="running",
            attempts=settings.JOB_MAX_ATTEMPTS,
            heartbeat_at=silent,
        )
    assert len(jobs.dispatch_due()["given_up"]) == 3
    run.refresh_from_db()
    export.refresh_from_db()
    register_import.refresh_from_db()
    assert run.status == "failed" and run.error.startswith("Gave up after 5 attempts")
    assert export.status == "failed" and export.error == "Given up: the workers preparing it kept stopping."
    assert register_import.status == "failed"
    assert register_import.error.startswith("L’import s’est arrêté\u00a0: les processus qui l’exécutaient")


def test_a_job_whose_last_attempt_meets_a_blip_is_given_up_and_its_export_says_so(organisation, monkeypatch, settings):
    """The database (or mail server) away on every attempt: the job fails at its last one, and the export it was for
    is marked failed too, rather than shown as being prepared for ever."""
    export = csv_export(organisation, status="running")
    job = Job.objects.create(
        task="processing.export_register",
        args=[export.pk],
        available_at=timezone.now(),
        attempts=settings.JOB_MAX_ATTEMPTS - 1,
    )

    def blip(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("processing.reports.tasks.register_export_run", blip)
    assert jobs.run(job.pk)["retry"] is True
    job.refresh_from_db()
    export.refresh_from_db()
    assert job.status == "failed" and job.attempts == settings.JOB_MAX_ATTEMPTS
    assert export.status == "failed" and export.error == "Given up: the workers preparing it kept stopping."

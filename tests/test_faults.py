"""Issue #20, against real services (round 2 of CI): a Redis of the test's own, on a spare port, stopped while the app
serves. A form save, an API write and an upload each answer at once; once that Redis is back, the re-check the save
wrote in the outbox runs on a real worker (its beat's dispatcher sends it) and its finding appears, nobody acting."""

import contextlib
import datetime
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from config.celery_app import app as celery_app
from core.models import Job
from processing.compliance.models import ComplianceRun, Finding
from processing.compliance.services import start_compliance_run
from processing.models import ProcessingActivity
from processing.reports.models import ExportLog, RegisterImport
from processing.reports.services import (
    RegisterExport,
    import_confirm,
    import_start,
    register_export_start,
    register_export_write,
)
from processing.services import activities_create_many, activity_create

from .conftest import require_executable, service_missing
from .core.test_worker import wait_for
from .worker import ARTIFACTS, PROJECT_ROOT, _database_url_for_worker, app_pointed_at, spawn_worker, stop_worker

pytestmark = pytest.mark.worker

ANSWER_WITHIN = 2  # seconds: a request never waits on a broker that is away
RECOVERED_WITHIN = 90  # seconds: from Redis back to the finding written


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A redis-server of the test's own (never the machine's 6379), in memory, that the test stops and starts."""

    def __init__(self, executable: str):
        self.executable, self.port, self.process = executable, _free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def own_redis():
    if not settings.REDIS_URL:
        service_missing("the fault tests run with the real services: set REDIS_URL and DATABASE_URL")
    redis = OwnRedis(require_executable("redis-server", "apt-get install redis-server"))
    redis.start()
    yield redis
    redis.stop()


class Workers:
    """Real Celery workers (each with its beat) on the test's own Redis and the test database, started and killed."""

    def __init__(self, redis_url: str, tmp_path, worker_id: str, **variables):
        self.redis_url, self.tmp_path, self.worker_id, self.variables = redis_url, tmp_path, worker_id, variables
        self.processes = []

    def start(self):
        ARTIFACTS.mkdir(exist_ok=True)
        node_name = f"registre-faults-{self.worker_id}-{uuid.uuid4().hex[:8]}@localhost"
        self.log_path = ARTIFACTS / f"celery-faults-{self.worker_id}-{len(self.processes)}.log"
        process = spawn_worker(
            self.redis_url,
            _database_url_for_worker(),
            node_name,
            self.log_path,
            "-B",
            "-s",
            str(self.tmp_path / f"beat-schedule-{len(self.processes)}"),
            MEDIA_ROOT=str(settings.MEDIA_ROOT),  # the uploads this process keeps
            **self.variables,
        )
        self.processes.append(process)
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(destination=[node_name], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"The Celery worker did not start.\n{self.log_path.read_text()}", pytrace=False)
        return process

    def kill(self, process):
        """SIGKILL to the worker, its child running the task and its beat: nothing is cleaned up."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def log(self) -> str:
        return self.log_path.read_text()[-4000:]

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                stop_worker(process)


@pytest.fixture
def workers(own_redis, settings, transactional_db, tmp_path, worker_id):
    """The app (broker, cache) on the test's own Redis, and workers to start there: jobs beat every second and are
    taken back after 5 silent seconds, the dispatcher runs every 2 (the defaults are 15, 60 and 30)."""
    settings.REDIS_URL = own_redis.url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": own_redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    pool = Workers(
        own_redis.url,
        tmp_path,
        worker_id,
        JOB_HEARTBEAT_SECONDS="1",
        JOB_HEARTBEAT_TIMEOUT_SECONDS="5",
        JOB_DISPATCH_EVERY_SECONDS="2",
    )
    with app_pointed_at(own_redis.url):
        try:
            yield pool
        finally:
            pool.stop_all()
            celery_app.conf.task_always_eager = previous


@pytest.fixture
def app_on_own_redis(own_redis, workers):
    """The app and a real worker with its beat, all on the test's own Redis."""
    workers.start()
    return own_redis, workers.log_path


def _timed(request):
    started = time.monotonic()
    response = request()
    return response, time.monotonic() - started


def test_with_redis_down_the_web_answers_and_the_checks_run_when_it_is_back(
    app_on_own_redis, organisation, dpo, dpo_client
):
    redis, log_path = app_on_own_redis
    activity = activity_create(organisation=organisation, name="Visitor badges")
    api = APIClient()
    api.force_authenticate(dpo)
    etag = api.get(f"/api/v1/activities/{activity.pk}/")["ETag"]
    # The creation's own re-check done first: a job still waiting would take in the writes below (one re-check per
    # organisation waits at a time) and be run by the worker that already holds its message.
    assert wait_for(lambda: not Job.objects.exclude(status=Job.Status.DONE).exists(), 30), list(
        Job.objects.values_list("task", "status", "error")
    )
    redis.stop()

    # An API write, conditional on the version read before.
    written, took = _timed(
        lambda: api.patch(
            f"/api/v1/activities/{activity.pk}/", {"purpose": "Let visitors in."}, format="json", HTTP_IF_MATCH=etag
        )
    )
    assert written.status_code == 200 and took < ANSWER_WITHIN, (written.content, took)
    # A form save: the review date set in the past (the check will find it overdue).
    review = reverse("processing:activity_edit_section", args=[organisation.slug, activity.pk, "review"])
    saved, took = _timed(
        lambda: dpo_client.post(review, {"section": "review", "version": "2", "next_review_on": "2020-01-01"})
    )
    assert saved.status_code == 302 and took < ANSWER_WITHIN, (saved.status_code, took)
    # An upload of a register to import.
    upload = reverse("reports:import_upload", args=[organisation.slug])
    uploaded, took = _timed(
        lambda: dpo_client.post(upload, {"file": SimpleUploadedFile("register.json", b'{"format": "x"}')})
    )
    assert uploaded.status_code == 302 and took < ANSWER_WITHIN, (uploaded.status_code, took)
    waiting = Job.objects.filter(status=Job.Status.PENDING).count()
    assert waiting >= 2, list(Job.objects.values_list("task", "status"))
    assert not Finding.objects.filter(rule="retention.review_overdue").exists()

    redis.start()  # nobody acts from here: the worker reconnects, its beat sends what waited
    found = wait_for(
        lambda: Finding.objects.filter(rule="retention.review_overdue", subject_id=activity.pk).exists(),
        RECOVERED_WITHIN,
    )
    assert found, f"{list(Job.objects.values_list('task', 'status', 'error'))}\n{log_path.read_text()[-4000:]}"
    assert wait_for(lambda: RegisterImport.objects.get().status == "unreadable", 30), (
        RegisterImport.objects.values_list("status", "error").get(),
        list(Job.objects.values_list("task", "status", "error", "dispatched_at", "attempts")),
        log_path.read_text()[-3000:],
    )
    assert wait_for(lambda: not Job.objects.exclude(status=Job.Status.DONE).exists(), 30), list(
        Job.objects.values_list("task", "status", "error")
    )
    assert activity.history.latest().next_review_on == datetime.date(2020, 1, 1)


# --- A worker killed in the middle of a job: the job completes once, on the next worker -----------------

KILLED_RECOVERED_WITHIN = 180  # seconds, from the new worker's start


def _register_of(organisation, count: int) -> list:
    """``count`` drafts whose review is overdue (each gets a finding), written in one go."""
    entries = [
        {"reference": f"K-{n:04d}", "name": f"Activity {n}", "next_review_on": datetime.date(2020, 1, 1)}
        for n in range(count)
    ]
    assert activities_create_many(organisation=organisation, entries=entries) == {}
    return entries


def _own_session(dbname: str):
    """A psycopg2 connection of its own to the test's PostgreSQL server (another session than Django's)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        service_missing("needs PostgreSQL: set DATABASE_URL")
    import psycopg2

    params = connection.get_connection_params()
    return psycopg2.connect(
        dbname=dbname, **{key: params[key] for key in ("host", "port", "user", "password") if params.get(key)}
    )


@contextlib.contextmanager
def _activities_held():
    """The register's activities locked from another session of the test's PostgreSQL database, so that a job which
    has claimed its work waits at its first read or write of them: the kill below always falls in the middle of the
    work, however fast the work has become (1,000 activities once took longer to export than a poll)."""
    from django.db import connection

    holder = _own_session(connection.settings_dict["NAME"])
    try:
        with holder.cursor() as cursor:  # psycopg2 opens the transaction that holds the lock until rollback
            cursor.execute(f"LOCK TABLE {ProcessingActivity._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        yield
    finally:
        holder.rollback()
        holder.close()


def _started_idle(workers):
    """A worker started, once it has done the jobs already waiting (the re-check of the register just written)."""
    worker = workers.start()
    assert wait_for(lambda: not Job.objects.exclude(status=Job.Status.DONE).exists(), 120), (
        list(Job.objects.values_list("task", "status", "error")),
        workers.log(),
    )
    return worker


def _kill_once_running(workers, worker, task: str, started=lambda: True):
    """Kill the worker once it runs the job of ``task`` and the job has ``started`` its work (call it with the
    activities held, so that the work cannot finish first)."""
    job = wait_for(lambda: Job.objects.filter(task=task, status=Job.Status.RUNNING).first() if started() else None, 120)
    assert job, (list(Job.objects.values_list("task", "status")), workers.log())
    workers.kill(worker)
    return job


def test_a_check_run_whose_worker_is_killed_completes_once_on_the_next(workers, organisation):
    _register_of(organisation, 1000)
    worker = _started_idle(workers)
    with _activities_held():
        run, _created = start_compliance_run(organisation, origin=ComplianceRun.Origin.MANUAL)
        job = _kill_once_running(
            workers,
            worker,
            "processing.run_compliance_check",
            started=lambda: ComplianceRun.objects.filter(pk=run.pk, status=ComplianceRun.Status.RUNNING).exists(),
        )
    assert ComplianceRun.objects.get(pk=run.pk).status == ComplianceRun.Status.RUNNING  # cut short

    workers.start()
    done = wait_for(
        lambda: ComplianceRun.objects.filter(pk=run.pk, status=ComplianceRun.Status.DONE).exists(),
        KILLED_RECOVERED_WITHIN,
    )
    assert done, (ComplianceRun.objects.values_list("status", "attempts", "error").get(pk=run.pk), workers.log())
    run.refresh_from_db()
    job.refresh_from_db()
    assert (run.attempts, job.status, job.attempts) == (2, Job.Status.DONE, 2)
    overdue = Finding.objects.filter(organisation=organisation, rule="retention.review_overdue")
    assert overdue.count() == overdue.values("subject_id").distinct().count() == 1000  # none twice


def test_an_export_whose_worker_is_killed_is_prepared_once_on_the_next(workers, organisation):
    _register_of(organisation, 1000)
    worker = _started_idle(workers)
    with _activities_held():
        export = register_export_start(
            organisation=organisation, user=None, request=RegisterExport(format="csv", language="en", active_only=False)
        )
        _kill_once_running(
            workers,
            worker,
            "processing.export_register",
            started=lambda: ExportLog.objects.filter(pk=export.pk, status=ExportLog.Status.RUNNING).exists(),
        )

    workers.start()
    ready = wait_for(
        lambda: ExportLog.objects.filter(pk=export.pk, status=ExportLog.Status.READY).exists(), KILLED_RECOVERED_WITHIN
    )
    assert ready, (ExportLog.objects.values_list("status", "attempts", "error").get(pk=export.pk), workers.log())
    export.refresh_from_db()
    assert (export.attempts, export.rows) == (2, 1000)
    with export.file.open("rb") as file:
        assert file.read().decode("utf-8-sig").count("\nK-") == 1000  # each activity once
    assert ExportLog.objects.count() == 1


def test_an_import_whose_worker_is_killed_is_applied_once_on_the_next(workers, organisation, other_organisation):
    _register_of(other_organisation, 1000)
    output = io.BytesIO()
    register_export_write(other_organisation, RegisterExport(format="json", language="en", active_only=False), output)
    worker = _started_idle(workers)
    register_import = import_start(
        organisation=organisation,
        user=None,
        upload=SimpleUploadedFile("register.json", output.getvalue()),
        language="en",
    )
    previewed = wait_for(
        lambda: RegisterImport.objects.filter(pk=register_import.pk, status=RegisterImport.Status.PREVIEWED).first(),
        120,
    )
    assert previewed and not previewed.has_errors, workers.log()
    with _activities_held():
        assert import_confirm(register_import=previewed)
        _kill_once_running(
            workers,
            worker,
            "processing.apply_import",
            started=lambda: RegisterImport.objects.filter(pk=register_import.pk, steps_total__gt=0).exists(),
        )

    workers.start()
    applied = wait_for(
        lambda: RegisterImport.objects.filter(pk=register_import.pk, status=RegisterImport.Status.APPLIED).first(),
        KILLED_RECOVERED_WITHIN,
    )
    assert applied, (RegisterImport.objects.values_list("status", "error").get(pk=register_import.pk), workers.log())
    assert applied.restarts == 1
    assert ProcessingActivity.objects.filter(organisation=organisation).count() == 1000  # none twice


# --- /healthz when the database is gone --------------------------------------------------------------


def test_healthz_answers_json_503_to_a_probe_with_a_session_when_its_database_is_dropped(transactional_db, tmp_path):
    """The app (gunicorn) on a PostgreSQL database of its own, which the test drops under it."""
    import urllib.error
    import urllib.request

    admin = _own_session("postgres")  # fails in CI without PostgreSQL, as every service test does
    name = f"registre_healthz_{uuid.uuid4().hex[:8]}"
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    database_url = _database_url_for_worker().rsplit("/", 1)[0] + f"/{name}"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "ENV_FILE": str(tmp_path / "none.env"),
        "SECRET_KEY": "healthz-test-" + uuid.uuid4().hex,
        "DEBUG": "false",
        "CONN_MAX_AGE": "0",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=environment, check=True, cwd=PROJECT_ROOT)
    session_key = subprocess.run(
        [*manage, "shell", "-c", SIGNED_IN_SESSION], env=environment, check=True, cwd=PROJECT_ROOT,
        capture_output=True, text=True,
    ).stdout.splitlines()[-1]  # fmt: skip
    port = _free_port()
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=environment, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip

    def probe():
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/healthz", headers={"Cookie": f"sessionid={session_key}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (http on loopback)
                return response.status, response.headers["Content-Type"], response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read()

    try:
        up = wait_for(lambda: _answers(probe), 30)
        assert up and up[0] == 200, up
        admin.cursor().execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        status, content_type, body = probe()
        assert (status, content_type) == (503, "application/json"), body[:300]
        assert json.loads(body)["failed"] == ["database"]
    finally:
        web.terminate()
        web.wait(timeout=15)
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


SIGNED_IN_SESSION = """
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
user = get_user_model().objects.create_user("probe", password="a long enough password 42")
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""


def _answers(probe):
    try:
        return probe()
    except OSError:
        return None  # not listening yet

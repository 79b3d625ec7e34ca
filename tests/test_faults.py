"""Issue #20, against real services (round 2 of CI): a Redis of the test's own, on a spare port, stopped while the app
serves. A form save, an API write and an upload each answer at once; once that Redis is back, the re-check the save
wrote in the outbox runs on a real worker (its beat's dispatcher sends it) and its finding appears, nobody acting."""

import datetime
import socket
import subprocess
import time
import uuid

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from config.celery_app import app as celery_app
from core.models import Job
from processing.compliance.models import Finding
from processing.reports.models import RegisterImport
from processing.services import activity_create

from .conftest import require_executable, service_missing
from .core.test_worker import wait_for
from .worker import ARTIFACTS, _database_url_for_worker, app_pointed_at, spawn_worker, stop_worker

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


@pytest.fixture
def app_on_own_redis(own_redis, settings, transactional_db, tmp_path, worker_id):
    """The app (broker, cache) and a real worker with its beat, all on the test's own Redis."""
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
    ARTIFACTS.mkdir(exist_ok=True)
    node_name = f"registre-faults-{worker_id}-{uuid.uuid4().hex[:8]}@localhost"
    log_path = ARTIFACTS / f"celery-faults-{worker_id}.log"
    with app_pointed_at(own_redis.url):
        worker = spawn_worker(
            own_redis.url,
            _database_url_for_worker(),
            node_name,
            log_path,
            "-B",
            "-s",
            str(tmp_path / "beat-schedule"),
            MEDIA_ROOT=str(settings.MEDIA_ROOT),  # the uploads this process keeps
        )
        try:
            deadline = time.monotonic() + 60
            while not celery_app.control.ping(destination=[node_name], timeout=0.5):
                if worker.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"The Celery worker did not start.\n{log_path.read_text()}", pytrace=False)
            yield own_redis, log_path
        finally:
            stop_worker(worker)
            celery_app.conf.task_always_eager = previous


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

"""Integration with a real Celery worker process, through Redis, on the test database."""

import os
import time

import pytest
from django.urls import reverse

from core.models import WorkerHeartbeat
from core.tasks import record_worker_heartbeat

pytestmark = pytest.mark.worker


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    return None


def test_the_worker_process_does_the_work_not_the_test_process(celery_worker):
    result = record_worker_heartbeat.delay().get(timeout=20)
    # The worker runs each task in a child process of its own (tests/worker.py).
    assert result["hostname"] == celery_worker.node_name and result["pid"] not in (os.getpid(), celery_worker.pid)
    heartbeat = wait_for(lambda: WorkerHeartbeat.objects.filter(hostname=celery_worker.node_name).first())
    assert heartbeat is not None, celery_worker.log()
    assert heartbeat.pid == result["pid"]


def test_healthz_sees_the_broker_and_the_worker(celery_worker, client, settings):
    settings.REDIS_URL = celery_worker.broker_url
    record_worker_heartbeat.delay().get(timeout=20)
    body = client.get(reverse("healthz")).json()
    assert body["checks"] == {"database": "ok", "broker": "ok", "worker": "ok"}
    assert body["worker_last_seen"] is not None

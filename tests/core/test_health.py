import datetime
import json

import pytest
from django.db import OperationalError
from django.urls import reverse

from core.models import WorkerHeartbeat
from core.services import worker_heartbeat_record

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_sign_in_and_names_its_checks(client, settings):
    settings.REDIS_URL = ""
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}, "failed": [], "worker_last_seen": None}


def test_healthz_reports_the_last_worker_heartbeat(client, settings):
    settings.REDIS_URL = ""
    heartbeat = worker_heartbeat_record(hostname="celery@web-1", pid=42)
    assert client.get(reverse("healthz")).json()["worker_last_seen"] == heartbeat.seen_at.isoformat()


def test_healthz_is_503_naming_the_database_when_it_fails(client, settings, monkeypatch):
    settings.REDIS_URL = ""

    def broken_cursor(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("core.health.connection.cursor", broken_cursor)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["failed"] == ["database"]
    assert body["checks"]["database"] == "unavailable"  # the detail goes to the log only
    assert "could not connect" not in response.text


def test_healthz_is_503_naming_the_broker_when_it_does_not_answer(client, settings, monkeypatch):
    # A port nothing listens on: the broker is configured but unreachable.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    from config.celery_app import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    worker_heartbeat_record(hostname="celery@worker-1", pid=7)  # a worker seen a moment ago
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"]
    assert body["checks"] == {"database": "ok", "broker": "unavailable", "worker": "ok"}


def test_healthz_is_503_naming_the_worker_when_none_was_seen_for_two_minutes(
    client, settings, monkeypatch, time_machine
):
    """With a broker, background work needs a worker: one silent for over two minutes is reported."""
    monkeypatch.setattr("core.health.broker_problem", lambda: None)
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    heartbeat = worker_heartbeat_record(hostname="celery@worker-1", pid=7)
    assert client.get(reverse("healthz")).status_code == 200
    time_machine.move_to(heartbeat.seen_at + datetime.timedelta(minutes=2, seconds=5))
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["failed"] == ["worker"] and response.json()["checks"]["worker"] == "not seen"


def test_heartbeat_is_one_row_per_worker():
    worker_heartbeat_record(hostname="celery@a", pid=1)
    worker_heartbeat_record(hostname="celery@a", pid=2)
    worker_heartbeat_record(hostname="celery@b", pid=3)
    assert sorted(WorkerHeartbeat.objects.values_list("hostname", "pid")) == [("celery@a", 2), ("celery@b", 3)]


def test_healthz_for_the_web_container_checks_only_the_database(client, settings, monkeypatch):
    """docker-compose's probe of the web: the worker and beat start once the web is healthy, so it does not wait
    for them."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    from config.celery_app import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    assert client.get("/healthz").status_code == 503
    response = client.get("/healthz?checks=database")
    assert response.status_code == 200 and response.json()["checks"] == {"database": "ok"}

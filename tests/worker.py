"""A real Celery worker process for integration tests.

The worker is started once per test session (per xdist process) against the test
database and its own Redis database number, and stopped by its PID at the end. Tests
that use it must commit their data (``transactional_db``) so the worker can see it.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from config.celery_app import app as celery_app
from config.celery_app import point_at

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
READY_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class WorkerProcess:
    node_name: str
    pid: int
    broker_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def _redis_url_or_gate() -> str:
    from .conftest import service_missing

    if not settings.REDIS_URL:
        service_missing("needs Redis and a Celery worker: set REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        service_missing(f"Redis at REDIS_URL does not answer: {error}")
    return settings.REDIS_URL


def _isolated_redis_url(redis_url: str, worker_id: str) -> str:
    """A Redis database number of this test process's own (15, 14, ... per xdist worker)."""
    index = int(worker_id[2:]) if worker_id.startswith("gw") else 0
    parts = urlsplit(redis_url)
    return urlunsplit(parts._replace(path=f"/{15 - index}"))


def _database_url_for_worker() -> str:
    """The URL of the *test* database this process uses, for the worker's environment."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError(f"No worker database URL for {db['ENGINE']}")
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def spawn_worker(redis_url: str, database_url: str, node_name: str, log_path: Path, *options: str, **variables):
    """A Celery worker process on ``redis_url`` and the test database (``options``: more of its command line;
    ``variables``: more of its environment)."""
    environment = {
        **os.environ,
        **variables,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # Close the database connection after each task, so that none is left open when the
        # session drops the test database.
        "CONN_MAX_AGE": "0",
    }
    with log_path.open("w") as log:
        return subprocess.Popen(
            # A fresh child per task: between transactional tests the database is flushed and
            # content types come back under new ids, which a long-lived process would have cached.
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1",
             "--max-tasks-per-child=1", "-n", node_name, "--without-gossip", "--without-mingle",
             "--loglevel=INFO", *options],
            cwd=PROJECT_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def stop_worker(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the worker and its child
        process.wait()


@contextlib.contextmanager
def app_pointed_at(broker_url: str):
    """This process's tasks sent to ``broker_url`` for a while, then to wherever they went before."""
    previous = (celery_app.conf.broker_url, celery_app.conf.result_backend)
    point_at(broker_url)
    try:
        yield
    finally:
        point_at(previous[0])
        celery_app.conf.result_backend = previous[1]
        celery_app._local.__dict__.pop("backend", None)


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, worker_id):
    redis_url = _isolated_redis_url(_redis_url_or_gate(), worker_id)
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    with django_db_blocker.unblock():
        database_url = _database_url_for_worker()
    ARTIFACTS.mkdir(exist_ok=True)
    node_name = f"registre-test-{worker_id}-{uuid.uuid4().hex[:8]}@localhost"
    log_path = ARTIFACTS / f"celery-worker-{worker_id}.log"
    process = spawn_worker(redis_url, database_url, node_name, log_path)
    worker = WorkerProcess(node_name=node_name, pid=process.pid, broker_url=redis_url, log_path=log_path)
    point_at(redis_url)
    try:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not celery_app.control.ping(destination=[node_name], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"The Celery worker did not start.\n{worker.log()}", pytrace=False)
        yield worker
    finally:
        stop_worker(process)
        point_at(None)


@pytest.fixture
def celery_worker(celery_worker_process, transactional_db):
    """The real worker, with this process sending tasks to it rather than running them."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield celery_worker_process
    celery_app.conf.task_always_eager = previous

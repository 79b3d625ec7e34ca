"""The Celery application.

Configured from Django settings (``CELERY_*``). Without ``REDIS_URL`` the settings make
Celery run tasks eagerly in-process, so a newcomer needs no broker.
"""

import os

from celery import Celery
from celery.signals import worker_process_init

from config.processes import settle

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("registre")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def settle_worker(**_kwargs):
    """A worker process tuned as a web process is (``config.processes``): a check or an export makes objects by the
    hundred thousand."""
    settle()


def point_at(broker_url: str | None) -> None:
    """Send this process's tasks to ``broker_url`` (None: back to the settings' broker) from now on: the tests and
    the bench's workers are on a Redis of their own."""
    from django.conf import settings
    from kombu import pools

    pools.reset()  # closes and forgets every cached broker connection pool
    app._pool = None
    app.amqp._producer_pool = None
    app.__dict__.pop("backend", None)  # the result backend is cached: on the app in older Celery,
    app._local.__dict__.pop("backend", None)  # per thread in Celery 5
    app.conf.broker_url = broker_url or settings.CELERY_BROKER_URL
    app.conf.result_backend = broker_url or settings.CELERY_RESULT_BACKEND

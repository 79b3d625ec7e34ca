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

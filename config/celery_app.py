"""The Celery application.

Configured from Django settings (``CELERY_*``). Without ``REDIS_URL`` the settings make
Celery run tasks eagerly in-process, so a newcomer needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("registre")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

"""Background jobs sent by name once the transaction that needs them has committed.

A service that needs a job (a check run, an export, an import) sends the Celery task by its registered name instead of
importing the tasks module, which itself calls the services: so no service imports a task, and no cycle exists between
them. Tasks are registered by their app's ``AppConfig.ready()``; in eager mode (no ``REDIS_URL``) they run in-process.
"""

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def send(task_name: str, *args, **options):
    """Send the task registered as ``task_name`` now (``apply_async`` with ``options``)."""
    return current_app.tasks[task_name].apply_async(args, **options)


def send_after_commit(task_name: str, *args) -> None:
    """Send the task once the current transaction has committed (at once outside one).

    Robust: a broker that is down must not turn the committed request into an error; the job's own row says it was
    not taken, and its reconcile sends it again.
    """

    def send_task():
        send(task_name, *args)

    send_task.__qualname__ = f"send_after_commit({task_name})"  # named in the log if sending fails
    transaction.on_commit(send_task, robust=True)

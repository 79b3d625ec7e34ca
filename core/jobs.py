"""Background jobs sent by name once the transaction that needs them has committed.

A service that needs a job (a check run, an export, an import) sends the Celery task by its registered name instead of
importing the tasks module, which itself calls the services: so no service imports a task, and no cycle exists between
them. Tasks are registered by their app's ``AppConfig.ready()``; in eager mode (no ``REDIS_URL``) they run in-process.
"""

from celery import current_app
from django.db import transaction


def send(task_name: str, *args, **options):
    """Send the task registered as ``task_name`` now (``apply_async`` with ``options``)."""
    return current_app.tasks[task_name].apply_async(args, **options)


def call_after_commit(function, *args, name: str | None = None) -> None:
    """``function(*args)`` once the current transaction has committed (at once outside one), robustly: its error is
    logged, never raised into the committed request. The callback has a name for that log (``name``, else the
    function's), which a ``functools.partial`` lacks: Django 5.2 reads ``__qualname__`` to log the error."""

    def call():
        function(*args)

    call.__qualname__ = name or getattr(function, "__qualname__", repr(function))
    transaction.on_commit(call, robust=True)


def send_after_commit(task_name: str, *args) -> None:
    """Send the task once the current transaction has committed. A broker that is down must not turn the committed
    request into an error: the job's own row says it was not taken, and its reconcile sends it again."""
    call_after_commit(send, task_name, *args, name=f"send_after_commit({task_name})")

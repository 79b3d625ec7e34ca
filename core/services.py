"""Writes of the core app."""

from django.utils import timezone

from .models import WorkerHeartbeat


def worker_heartbeat_record(*, hostname: str, pid: int) -> WorkerHeartbeat:
    """Record that the worker ``hostname`` is alive now (one row per worker, idempotent)."""
    heartbeat, _created = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"pid": pid, "seen_at": timezone.now()}
    )
    return heartbeat

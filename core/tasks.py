"""Periodic tasks of the core app."""

import os
import socket

from celery import shared_task

from .services import worker_heartbeat_record


@shared_task(name="core.record_worker_heartbeat", acks_late=True, reject_on_worker_lost=True)
def record_worker_heartbeat() -> dict:
    """Record which worker ran this and when; safe to run any number of times."""
    hostname = record_worker_heartbeat.request.hostname or f"eager@{socket.gethostname()}"
    heartbeat = worker_heartbeat_record(hostname=hostname, pid=os.getpid())
    return {"hostname": heartbeat.hostname, "pid": heartbeat.pid}

"""Registre project configuration: settings, URLs, WSGI/ASGI and the Celery app."""

from .celery_app import app as celery_app

__version__ = "0.1.0"
__all__ = ("__version__", "celery_app")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Operations")

    def ready(self):
        from . import (
            signals,  # noqa: F401 - connects the history's "came through" marker
            tasks,  # noqa: F401 - the outbox's runner and dispatcher, registered with Celery
        )

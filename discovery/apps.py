from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscoveryConfig(AppConfig):
    name = "discovery"
    verbose_name = _("Discovery")

    def ready(self):
        # Imported once the models are loaded, as Django's app loading requires: the tasks register with Celery, the
        # drift rules with the compliance watch.
        from . import rules, tasks  # noqa: F401

    def seed_demo(self) -> str:
        # Imported when called: an app's modules load models, which Django's app loading forbids at import time.
        from .demo import seed_demo_discovery

        return seed_demo_discovery()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import panels


class ProcessingConfig(AppConfig):
    """The register itself. Its compliance watch and its reports are apps of their own
    (``processing.compliance``, ``processing.reports``) whose models keep this app's label."""

    name = "processing"
    verbose_name = _("Register of processing activities")

    def ready(self):
        panels.add("organisation_home_cards", "processing/includes/home_card.html", order=10)

    def seed_demo(self) -> str:
        # Imported when called: an app's modules load models, which Django's app loading forbids at import time.
        from processing.demo import seed_demo_register

        return seed_demo_register()

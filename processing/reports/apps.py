from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import panels


class ReportsConfig(AppConfig):
    """The Article 30 report (exports in every format, the CNIL model register) and the import of registers. Its
    models keep the ``processing`` label (``processing.reports.models``)."""

    name = "processing.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # Imported once the models are loaded, as Django's app loading requires: the tasks register with Celery.
        from processing.reports import tasks  # noqa: F401

        panels.add("organisation_home_cards", "reports/includes/home_card.html", order=40)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import panels


class ComplianceConfig(AppConfig):
    """The compliance watch of the register: rules, checks and their runs, findings, what-if, digest, dashboard and
    the retention policy. Its models keep the ``processing`` label (``processing.compliance.models``)."""

    name = "processing.compliance"
    label = "compliance"
    verbose_name = _("Compliance watch")

    def ready(self):
        # Imported once the models are loaded, as Django's app loading requires: the rule families register their
        # rules, the receivers re-check the register after a change, the tasks register with Celery.
        from processing.compliance import receivers, tasks  # noqa: F401
        from processing.compliance.rules import data, retention, transfers  # noqa: F401

        # What the watch shows on the pages of the apps below it, which know nothing of it.
        panels.add("organisation_home_cards", "compliance/includes/home_card.html", order=30)
        panels.add("organisation_home", "compliance/includes/dashboard.html")
        panels.add("catalogue_item", "compliance/includes/catalogue_findings.html")

    def seed_demo(self) -> str:
        from processing.compliance.demo import seed_demo_compliance

        return seed_demo_compliance()

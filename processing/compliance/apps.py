from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import panels
from processing import extensions


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
        from processing.compliance.selectors import (
            activity_findings_by_section,
            activity_findings_page,
            activity_findings_panel,
            open_findings_of_activity,
            system_findings_panel,
        )

        # What the watch shows on the pages of the apps below it, which know nothing of it.
        panels.add("organisation_home_cards", "compliance/includes/home_card.html", order=30)
        panels.add("organisation_home", "compliance/includes/dashboard.html")
        panels.add("catalogue_item", "compliance/includes/findings_section.html", context=system_findings_panel)
        panels.add("activity_detail", "compliance/includes/findings_section.html", context=activity_findings_panel)
        extensions.watch_findings(
            extensions.Findings(
                of_activity=open_findings_of_activity,
                page=activity_findings_page,
                by_section=activity_findings_by_section,
            )
        )

    def seed_demo(self) -> str:
        # Imported when called: an app's modules load models, which Django's app loading forbids at import time.
        from processing.compliance.demo import seed_demo_compliance

        return seed_demo_compliance()

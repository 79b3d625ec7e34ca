from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import panels


class DiscoveryConfig(AppConfig):
    name = "discovery"
    verbose_name = _("Discovery")

    def ready(self):
        # Imported once the models are loaded, as Django's app loading requires: the tasks register with Celery, the
        # drift rules with the compliance watch.
        from . import rules, tasks  # noqa: F401
        from .selectors import home_card, system_panel

        # What discovery shows on the pages of the apps below it, which know nothing of it.
        panels.add("organisation_home_cards", "discovery/includes/home_card.html", order=35, context=home_card)
        panels.add("catalogue_item", "discovery/includes/system_panel.html", order=40, context=system_panel)

    def seed_demo(self) -> str:
        # Imported when called: an app's modules load models, which Django's app loading forbids at import time.
        from .demo import seed_demo_discovery

        return seed_demo_discovery()

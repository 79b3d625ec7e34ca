from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import panels


class BreachesConfig(AppConfig):
    name = "breaches"
    verbose_name = _("Breaches")

    def ready(self):
        # The breach checks join the compliance watch; the DPOs are warned of a deadline. Imported once the models
        # are loaded, as Django's app loading requires.
        from . import rules, tasks  # noqa: F401

        panels.add("organisation_home_cards", "breaches/includes/home_card.html", order=20)

    def seed_demo(self) -> str:
        # Imported when called: an app's modules load models, which Django's app loading forbids at import time.
        from .demo import seed_demo_breaches

        return seed_demo_breaches()

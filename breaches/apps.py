from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BreachesConfig(AppConfig):
    name = "breaches"
    verbose_name = _("Breaches")

    def ready(self):
        from . import rules  # noqa: F401 - registers the breach checks with the compliance watch

    def seed_demo(self) -> str:
        from .demo import seed_demo_breaches

        return seed_demo_breaches()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessingConfig(AppConfig):
    name = "processing"
    verbose_name = _("Register of processing activities")

    def ready(self):
        from . import signals  # noqa: F401 - re-check the register when the catalogue changes

    def seed_demo(self) -> str:
        from .demo import seed_demo_register

        return seed_demo_register()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessingConfig(AppConfig):
    name = "processing"
    verbose_name = _("Register of processing activities")

    def seed_demo(self) -> str:
        from .demo import seed_demo_register

        return seed_demo_register()

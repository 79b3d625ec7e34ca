from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Catalogue")

    def ready(self):
        # Imported once the models are loaded, as Django's app loading requires.
        from .reference import reference_data_create_missing

        post_migrate.connect(reference_data_create_missing, sender=self)

    def seed_demo(self) -> str:
        # Imported when called: an app's modules load models, which Django's app loading forbids at import time.
        from .demo import seed_demo_catalogue

        return seed_demo_catalogue()

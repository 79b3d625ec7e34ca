from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Create or refresh the demo data of every app. Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        # Each app that has demo data gives its AppConfig a seed_demo() method; they run in
        # INSTALLED_APPS order, so an app's seeder can rely on those below it.
        for app_config in apps.get_app_configs():
            seed = getattr(app_config, "seed_demo", None)
            if seed is not None:
                summary = seed()
                self.stdout.write(f"{app_config.verbose_name}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

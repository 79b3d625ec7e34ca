from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Add the demo organisations, users (password 'registre-demo', a superuser 'admin' among them), "
        "catalogue and register. Only what is missing is created: run it again safely."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off (a demo server): it creates accounts with a published password.",
        )

    @transaction.atomic
    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. The demo creates accounts with a published "
                "password; add --force if this really is a demo server."
            )
        # Each app that has demo data gives its AppConfig a seed_demo() method; they run in
        # INSTALLED_APPS order, so an app's seeder can rely on those below it.
        for app_config in apps.get_app_configs():
            seed = getattr(app_config, "seed_demo", None)
            if seed is not None:
                summary = seed()
                self.stdout.write(f"{app_config.verbose_name}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

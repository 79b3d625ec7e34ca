from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from discovery import secrets
from discovery.models import Source


class Command(BaseCommand):
    help = (
        "Encrypt every data source's credentials again with the first of DISCOVERY_KEYS (after a new key was put "
        "first; the old ones may be dropped once this has run)."
    )

    def handle(self, *args, **options):
        unreadable = []
        with transaction.atomic():
            sources = list(Source.objects.select_for_update().only("pk", "name", "credentials"))
            for source in sources:
                try:
                    source.credentials = secrets.rotate(source.credentials)
                except secrets.UnreadableSecret:
                    unreadable.append(source)
            if unreadable:
                names = ", ".join(f"{source.name} (#{source.pk})" for source in unreadable)
                raise CommandError(f"No key in DISCOVERY_KEYS reads these sources' credentials: {names}. Nothing done.")
            Source.objects.bulk_update(sources, ["credentials"])
        self.stdout.write(f"{len(sources)} source(s) encrypted with the first key.")

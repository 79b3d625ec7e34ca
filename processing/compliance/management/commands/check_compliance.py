"""Run the compliance checks now, in this process (what the workers do in the background)."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from processing.compliance.services import check_now


class Command(BaseCommand):
    help = "Check the register of every organisation (or one) and update its findings."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", metavar="SLUG", help="only this organisation")

    def handle(self, *args, organisation=None, **options):
        organisations = Organisation.objects.order_by("slug")
        if organisation:
            organisations = organisations.filter(slug=organisation)
            if not organisations.exists():
                raise CommandError(f"No organisation has the slug {organisation!r}.")
        for each in organisations:
            result = check_now(each)
            self.stdout.write(
                f"{each.slug}: {len(result.opened)} new, {len(result.reopened)} reopened, "
                f"{len(result.resolved)} resolved, {result.unchanged} unchanged"
            )

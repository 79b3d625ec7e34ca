from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Membership, Organisation
from accounts.services import member_grant


class Command(BaseCommand):
    help = "Give USERNAME the ROLE in the organisation ORG_SLUG, creating the account if needed."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("organisation_slug", metavar="ORG_SLUG")
        parser.add_argument("role", choices=Membership.Role.values)
        parser.add_argument("--password", help="Set this password (a new account without one cannot sign in).")
        parser.add_argument("--email", default="", help="The account's email address.")

    def handle(self, *args, username, organisation_slug, role, password, email, **options):
        organisation = Organisation.objects.filter(slug=organisation_slug).first()
        if organisation is None:
            raise CommandError(f"No organisation has the slug {organisation_slug!r}.")
        try:
            membership, created = member_grant(
                username=username, organisation=organisation, role=role, email=email, password=password
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {membership.user.username}: {membership.get_role_display()} of {organisation.slug}")

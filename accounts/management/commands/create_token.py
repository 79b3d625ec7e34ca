from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApiToken, Organisation, User
from accounts.services import API_TOKEN_DEFAULT_DAYS, api_token_create


class Command(BaseCommand):
    help = (
        "Create an API token for USERNAME and print it: its key alone on the last line (shown this once; only its "
        "hash is kept)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What uses it (default: 'command line' and the date).")
        parser.add_argument("--scope", choices=ApiToken.Scope.values, default=ApiToken.Scope.WRITE)
        parser.add_argument("--organisation", metavar="SLUG", help="Limit it to this organisation.")
        parser.add_argument("--expires-days", type=int, default=API_TOKEN_DEFAULT_DAYS, metavar="N")

    def handle(self, *args, username, name, scope, organisation, expires_days, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account has the username {username!r}.")
        only = None
        if organisation:
            only = Organisation.objects.filter(slug=organisation).first()
            if only is None:
                raise CommandError(f"No organisation has the slug {organisation!r}.")
        if not name:
            taken = set(user.api_tokens.values_list("name", flat=True))
            name = next(f"command line {n}" for n in range(1, len(taken) + 2) if f"command line {n}" not in taken)
        try:
            token, key = api_token_create(
                user=user, name=name, scope=scope, organisation=only, expires_days=expires_days
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        where = f"organisation {only.slug}" if only else "all the user's organisations"
        self.stdout.write(
            f"Token {token.name!r} for {user.username}: {token.get_scope_display().lower()}, {where}, "
            f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC."
        )
        self.stdout.write(key)

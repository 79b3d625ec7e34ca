"""Sign-in throttling: wrong passwords are limited per username at an address, and per address whatever the
usernames (password spraying: a few guesses at each of many accounts)."""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum

# AXES_LOCKOUT_PARAMETERS, in this order: the username at the address, then the address alone.
LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]


class SignInThrottle(AxesDatabaseHandler):
    """django-axes' database handler with two limits instead of one: ``AXES_FAILURE_LIMIT`` wrong passwords for a
    username from one address, and ``SIGN_IN_ADDRESS_FAILURE_LIMIT`` from one address over all usernames. Axes
    compares one number with one limit; the address's failures are scaled to it, so that reaching either limit
    reaches ``AXES_FAILURE_LIMIT``. A successful sign-in forgets that username's failures, not the address's:
    one good password does not wipe out a spray."""

    def get_failures(self, request, credentials=None) -> int:
        per_username, per_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        scaled = per_address * settings.AXES_FAILURE_LIMIT // settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
        return max(per_username, scaled)

    def reset_user_attempts(self, request, credentials=None) -> int:
        per_username = self.filter_user_attempts(request, credentials)[0]
        count, _ = per_username.delete()
        return count

import zoneinfo

from django.utils import timezone, translation


class UserPreferencesMiddleware:
    """Show pages in the signed-in user's language and time zone.

    Runs after ``LocaleMiddleware`` (which serves anonymous visitors from the language
    cookie or the browser) and after authentication. The API answers in the language the
    client asks for (Accept-Language), whoever the user is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            if user.language and not (request.path.startswith("/api/") and "accept-language" in request.headers):
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            activate_time_zone(user)
        else:
            timezone.deactivate()
        return self.get_response(request)


def zone_of(user):
    """The user's own time zone, the server's default if theirs is unknown."""
    try:
        return zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def activate_time_zone(user) -> None:
    """Dates and times in the user's own time zone (the server's default if theirs is unknown)."""
    timezone.activate(zone_of(user))

from django.conf import settings


def registre(request):
    """Values every page shows: the version in the footer (``REGISTRE_VERSION``, set by config)."""
    return {"registre_version": settings.REGISTRE_VERSION}

from config import __version__


def registre(request):
    """Values every page shows: the version in the footer."""
    return {"registre_version": __version__}

from .selectors import organisations_for


def organisations(request):
    """The switcher's organisations (evaluated only if shown) and the current access."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "switcher_organisations": organisations_for(user).only("name", "slug"),
        "access": getattr(request, "access", None),
    }

from django.shortcuts import render


def render_empty_section(request, organisation, *, section: str, title, empty_title, empty_message):
    """A section of an organisation with nothing in it yet: say so plainly, show no fake data."""
    return render(
        request,
        "core/empty_section.html",
        {
            "organisation": organisation,
            "section": section,
            "page_title": title,
            "empty_title": empty_title,
            "empty_message": empty_message,
        },
    )

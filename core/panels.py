"""Panels: places on a lower app's page that the apps above it fill, so that arrows keep pointing one way.

A page of a lower app names a place, ``{% load panels %}{% panels "organisation_home" %}``, and knows nothing of what
fills it. An app above adds its panel from its ``AppConfig.ready()``::

    panels.add("organisation_home", "compliance/includes/dashboard.html", order=50)

Each panel is a template rendered with the page's context, as ``{% include %}`` would, plus what ``context`` (if given)
returns for that context. Panels show in ``order``; a place nobody fills shows nothing.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    order: int
    context: Callable[[object], dict] | None = None


_PLACES: dict[str, list[Panel]] = defaultdict(list)


def add(place: str, template: str, *, order: int = 50, context: Callable[[object], dict] | None = None) -> None:
    """Show ``template`` at ``place`` (adding the same template twice keeps one)."""
    panels = _PLACES[place]
    if all(panel.template != template for panel in panels):
        panels.append(Panel(template, order, context))
        panels.sort(key=lambda panel: panel.order)


def at(place: str) -> list[Panel]:
    """The panels of a place, in their order."""
    return list(_PLACES.get(place, ()))

"""``{% panels "place" %}``: the panels the apps above have added to a place of this page (``core.panels``)."""

from django import template
from django.utils.safestring import mark_safe

from core import panels as registry

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, place):
    html = []
    for panel in registry.at(place):
        included = context.template.engine.get_template(panel.template)
        with context.push(**(panel.context(context) if panel.context else {})):
            html.append(included.render(context))
    return mark_safe("".join(html))  # noqa: S308 - each panel is a template, escaped as it renders

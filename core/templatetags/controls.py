"""Search-and-filter bars, written in Python.

Django renders each ``<select>`` through templates, one loop step per option: the register's
filter bar (seven controls, about forty options) took 3 ms of a 12 ms page. Lists render
their filter bar here instead; other widgets than text inputs and single selects fall back
to Django's own rendering.
"""

from html import escape  # the standard library's, as Django's own escape() uses, minus its lazy-string wrapper

from django import forms, template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


def _control(field) -> str:
    widget = field.field.widget
    name, value = escape(field.html_name), field.value()
    attributes = f'name="{name}" id="{escape(str(field.auto_id))}"'
    if field.help_text:
        attributes += f' aria-describedby="{escape(str(field.auto_id))}_helptext"'
    if isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
        # django-filter's ordering select holds a list of one, as comma-separated values.
        chosen = ",".join(map(str, value)) if isinstance(value, list | tuple) else "" if value is None else str(value)
        options = "".join(
            f'<option value="{escape(str(option))}"{" selected" if str(option) == chosen else ""}>'
            f"{escape(str(label))}</option>"
            for option, label in widget.choices
        )
        return f"<select {attributes}>{options}</select>"
    if type(widget) is forms.TextInput:
        return f'<input type="text" {attributes} value="{escape("" if value is None else str(value))}">'
    return str(field)


@register.simple_tag
def filter_controls(form) -> str:
    """Each field of ``form`` as ``<div class="filter">`` with its label and its control."""
    return mark_safe(  # noqa: S308 - every value went through escape(), or is Django's own rendering
        "".join(
            f'<div class="filter"><label for="{escape(str(field.id_for_label))}">{escape(str(field.label))}</label> '
            f"{_control(field)}</div>"
            for field in form
        )
    )


@register.simple_tag
def filter_bar(form) -> str:
    """A list's whole search-and-filter form: its controls, Apply, and Clear (back to no filter)."""
    label, apply, clear = gettext("Search and filters"), gettext("Apply"), gettext("Clear")
    return mark_safe(  # noqa: S308 - the controls are escaped above, the labels here
        f'<form method="get" class="filters register-filters" role="search" aria-label="{escape(label)}">'
        f"{filter_controls(form)}"
        f'<div class="filter-actions"><button type="submit" class="button secondary">{escape(apply)}</button> '
        f'<a href="?">{escape(clear)}</a></div></form>'
    )


@register.simple_tag
def marked_label(field, legend=False):
    """A field's label saying what it is required for: "(required)" now, or "(required to activate)" when a form
    marks it ``required_to_activate`` (the activity editor). Inside the label, so that it is read with the field."""
    mark = (
        gettext("required")
        if field.field.required and field.widget_type != "checkbox"
        else gettext("required to activate")
        if getattr(field.field, "required_to_activate", False)
        else ""
    )
    contents = format_html('{} <span class="mark">({})</span>', field.label, mark) if mark else field.label
    if legend:
        return format_html("<legend>{}</legend>", contents)
    return field.label_tag(contents)

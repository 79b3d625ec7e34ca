"""The error summary at the top of a form (the GOV.UK pattern): "There is a problem", then each
error as a link to the field it belongs to, rows of formsets included. The page's own script
(static/js/error-summary.js) moves the focus to it; without JavaScript it is there all the same."""

from dataclasses import dataclass

from django import template
from django.forms import BaseFormSet
from django.utils.translation import gettext

register = template.Library()


@dataclass(frozen=True)
class Problem:
    message: str
    target: str = ""  # the id of the control to jump to, or the address of another page; empty: no link

    @property
    def href(self) -> str:
        return self.target if self.target.startswith("/") else f"#{self.target}"


def _target(field) -> str:
    """The control a link should focus: the field itself, or the first box of a group of choices."""
    if field.is_hidden:
        return ""
    target = field.id_for_label
    if not target and field.auto_id:
        target = f"{field.auto_id}_0" if list(field.subwidgets) else f"{field.auto_id}_error"
    return target or ""


def _message(error) -> str:
    return str(error.message % error.params if error.params else error.message)


def _form_problems(form, prefix: str = "") -> list[Problem]:
    problems = []
    first = next((field for field in form.visible_fields()), None)
    for error in form.non_field_errors().as_data():
        message = f"{prefix} · {_message(error)}" if prefix else _message(error)
        # An error of the whole form may name the section that fixes it (``params={"section": "purposes"}``).
        section = (error.params or {}).get("section", "") if isinstance(error.params, dict) else ""
        target = _target(first) if prefix and first is not None else section
        problems.append(Problem(message, target))
    for field in form:
        label = f"{prefix} · {field.label}" if prefix else str(field.label)
        for error in field.errors:
            if field.is_hidden:
                problems.append(Problem(str(error)))
            else:
                message = gettext("%(field)s: %(message)s") % {"field": label, "message": error}
                problems.append(Problem(message, _target(field)))
    return problems


def form_problems(*forms, **row_labels) -> list[Problem]:
    """Every error of the forms and formsets given, in the order of the page. A formset's rows are
    named by ``row_labels[formset.prefix]`` and their number ("Transfer 2 · Country: …")."""
    problems = []
    for item in forms:
        if item is None or item == "":
            continue
        if isinstance(item, BaseFormSet):
            if not item.is_bound:
                continue
            problems.extend(Problem(str(error)) for error in item.non_form_errors())
            label = row_labels.get(item.prefix, "")
            for number, row in enumerate(item.forms, start=1):
                problems.extend(_form_problems(row, f"{label} {number}".strip()))
        elif getattr(item, "is_bound", False):
            problems.extend(_form_problems(item))
    return problems


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms, **row_labels):
    """``{% error_summary form formsets.transfers security transfers=_("Transfer") %}``."""
    return {"problems": form_problems(*forms, **row_labels)}

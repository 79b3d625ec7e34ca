"""Model fields of our own."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class ChoiceListField(models.JSONField):
    """A list of codes, each among ``item_choices``, stored as a JSON list (the same on SQLite and PostgreSQL).

    Validated item by item (``full_clean``, so the services and the API refuse an unknown code), shown as
    checkboxes in forms, and read by the history (``core.history.display``) with the choices' labels.
    """

    def __init__(self, *args, item_choices=(), **kwargs):
        self.item_choices = list(item_choices)
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["item_choices"] = self.item_choices
        return name, path, args, kwargs

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        known = {code for code, _label in self.item_choices}
        if not isinstance(value, list) or any(not isinstance(item, str) or item not in known for item in value):
            raise ValidationError(_("Choose among the listed items."), code="invalid_choice")
        if len(set(value)) != len(value):
            raise ValidationError(_("Each item can be chosen once."), code="duplicate")

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=self.item_choices,
            required=not self.blank,
            label=kwargs.get("label", capfirst(self.verbose_name)),
            help_text=self.help_text,
            widget=forms.CheckboxSelectMultiple,
        )

    @property
    def labels(self) -> dict:
        return dict(self.item_choices)

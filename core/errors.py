"""Validation errors that keep their code: the API reports it, scripts rely on it."""

from django.core.exceptions import ValidationError


def field_error(field: str, message, code: str) -> ValidationError:
    """An error on one field, with its code (``ValidationError({field: message}, code=…)``
    would drop the code: Django keeps codes only on the errors inside a dictionary)."""
    return ValidationError({field: ValidationError(message, code=code)})

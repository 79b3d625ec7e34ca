"""Emails Registre sends: plain text and HTML from one pair of templates."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def templated_email(*, subject: str, template: str, context: dict, to: str) -> EmailMultiAlternatives:
    """``template`` names ``<template>.txt`` and ``<template>.html``; rendered in the active
    language and time zone (the caller sets the recipient's)."""
    message = EmailMultiAlternatives(
        subject=f"[Registre] {subject}", body=render_to_string(f"{template}.txt", context), to=[to]
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message

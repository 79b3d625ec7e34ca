"""PDFs (the breach log, the Article 30 register), drawn by WeasyPrint from HTML with a locally installed font.

Nothing is fetched while drawing: the stylesheet is inline, and any URL a document might
name is refused (no network, no file outside the document).
"""

from django.template.loader import render_to_string


def _refuse(url, *args, **kwargs):
    raise ValueError(f"Registre's PDFs load nothing: {url}")


def pdf_from_template(template: str, context: dict, output=None) -> bytes | None:
    """The PDF as bytes, or written to the binary file ``output``."""
    from weasyprint import HTML  # loads Pango: only when a PDF is asked for

    return HTML(string=render_to_string(template, context), url_fetcher=_refuse).write_pdf(output)

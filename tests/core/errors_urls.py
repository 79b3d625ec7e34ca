"""The project's addresses, plus one that fails: for the 500 page (tests/core/test_error_pages.py)."""

from django.urls import path

from config import urls


def boom(request):
    raise RuntimeError("A view that fails")


urlpatterns = [path("boom/", boom), *urls.urlpatterns]

handler400 = urls.handler400
handler403 = urls.handler403
handler404 = urls.handler404
handler500 = urls.handler500

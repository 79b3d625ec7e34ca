"""The error pages: in the app's layout and the reader's language, with a way back; the API's
errors stay JSON; the 500 page needs neither the database nor the session."""

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from core.views import failed

from ..breaches.factories import log_breach

pytestmark = pytest.mark.django_db


@pytest.fixture
def french_manager(manager):
    manager.language = "fr"
    manager.save(update_fields=["language"])
    return manager


def test_a_refused_action_shows_the_403_page_in_french_in_the_layout(french_manager, organisation):
    client = Client()
    client.force_login(french_manager)
    breach = log_breach(organisation)
    origin = "http://testserver" + reverse("breaches:breach_detail", args=[organisation.slug, breach.pk])
    response = client.get(reverse("breaches:breach_edit", args=[organisation.slug, breach.pk]), HTTP_REFERER=origin)
    page = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="fr">' in page and "Vous n’avez pas le droit de faire cela" in page
    assert f'href="{origin}"' in page and "Revenir à la page précédente" in page  # the way back
    assert 'class="site-header"' in page and "Se déconnecter" in page  # the app's layout, signed in
    assert "403 Forbidden" not in page


def test_a_missing_page_is_shown_in_french_and_an_outside_referer_is_not_followed(french_manager):
    client = Client()
    client.force_login(french_manager)
    response = client.get("/no/such/page/", HTTP_REFERER="https://elsewhere.example/phish")
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="fr">' in page and "Page introuvable" in page
    assert "elsewhere.example" not in page and "Aller à la page d’accueil" in page


def test_an_outsider_gets_the_same_404_page_without_the_organisations_name(outsider_client, organisation):
    response = outsider_client.get(reverse("breaches:breach_list", args=[organisation.slug]))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode() and organisation.name not in response.content.decode()


def test_the_api_keeps_its_json_errors(dpo_client):
    response = dpo_client.get("/api/no-such-endpoint/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_bad_request_is_shown_in_the_readers_language(settings):
    settings.DEBUG = False
    response = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/", HTTP_HOST="not-ours.example")
    page = response.content.decode()
    assert response.status_code == 400
    assert '<html lang="fr">' in page and "La requête n’a pas pu être lue" in page


def test_the_500_page_is_in_french_and_needs_neither_database_nor_session(settings, french_manager):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.core.errors_urls"
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(french_manager)
    response = client.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="fr">' in page and "Un problème est survenu" in page and 'href="/"' in page


def test_the_500_page_is_drawn_when_the_database_is_down():
    def refuse(execute, sql, params, many, context):
        raise OperationalError("the database is down")

    request = RequestFactory().get("/o/hexagone/breaches/")  # no session, no user: they may be what failed
    with translation.override("fr"), connection.execute_wrapper(refuse):
        response = failed(request)
    assert response.status_code == 500 and "Un problème est survenu" in response.content.decode()


def test_a_form_sent_without_its_token_gets_the_apps_403_page(french_manager, organisation):
    client = Client(enforce_csrf_checks=True)
    client.force_login(french_manager)
    response = client.post(reverse("accounts:language"), {"language": "en"})
    page = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="fr">' in page and "Ce formulaire a expiré" in page
    assert "CSRF" not in page

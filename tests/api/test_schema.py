"""The OpenAPI schema is generated from the code and documents every endpoint's errors; the
interactive page is served from local assets only."""

import re

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(db):
    response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_operation_documents_the_errors_it_can_answer(schema):
    assert schema["openapi"].startswith("3.")
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        assert {"401", "403", "404"} <= codes, f"{method} {path}"
        if method in ("post", "put", "patch"):
            assert {"400", "413", "429"} <= codes, f"{method} {path}"
        if method in ("put", "patch"):
            assert {"412", "428"} <= codes, f"{method} {path}"
        for code, response in operation["responses"].items():
            if code.startswith("4"):
                assert response["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"


def test_the_schema_covers_every_resource_with_its_enums(schema):
    paths = set(schema["paths"])
    for resource in ("organisations", "activities", "data-fields", "data-subject-categories", "recipients", "systems"):
        assert f"/api/v1/{resource}/" in paths
    assert "/api/v1/activities/{id}/history/" in paths and "/api/v1/countries/{code}/" in paths
    mechanisms = schema["components"]["schemas"]["MechanismEnum"]["enum"]
    assert {"scc_2", "bcr", "adequacy", "privacy_shield"} <= set(mechanisms)
    listing = schema["paths"]["/api/v1/activities/"]["get"]
    parameters = {parameter["name"] for parameter in listing["parameters"]}
    assert {"organisation", "as_of", "q", "status", "country", "page", "page_size", "ordering"} <= parameters


def test_the_api_explorer_loads_nothing_from_elsewhere(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    urls = re.findall(r"""(?:src|href)=["']([^"']+)""", html)
    assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    for url in urls:
        if url.startswith((settings.STATIC_URL, "/" + settings.STATIC_URL)):
            assert finders.find(url.split(settings.STATIC_URL, 1)[1]), url  # shipped by a package
        else:
            assert client.get(url).status_code == 200, url


def test_only_the_api_explorer_allows_its_one_inline_style(client):
    def style_src(url):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        return directives["style-src"].split()

    docs = style_src("/api/docs/")
    assert docs[0] == "'self'" and len(docs) == 2 and docs[1].startswith("'sha256-")
    assert style_src("/account/login/") == ["'self'"]

"""Fixtures every test may use: personas, service gates, the real Celery worker, the browser.

Services (Redis, a Celery worker, Chromium, docker-compose) are optional for a newcomer:
a test that needs a missing one is skipped with the reason. In CI (``CI=true``) the same
test fails instead, so a broken service can never pass unnoticed.
"""

import os
import shutil
import uuid

import pytest
from django.test import Client
from django.utils import translation

from accounts import two_factor
from accounts.models import Membership
from config.celery_app import app as celery_app

from .accounts.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django must still let
# the test (and live_server) touch the database from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

IN_CI = os.environ.get("CI", "").lower() == "true"


def service_missing(reason: str):
    """Skip (newcomer) or fail (CI) a test whose service is not available."""
    if IN_CI:
        pytest.fail(f"CI requires this service: {reason}", pytrace=False)
    pytest.skip(reason)


def require_executable(name: str, hint: str) -> str:
    path = shutil.which(name)
    if path is None:
        service_missing(f"{name} is not installed ({hint})")
    return path


@pytest.fixture(autouse=True)
def default_language():
    """A page rendered in French leaves French active in the thread: start each test in English."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def media_in_a_temporary_folder(settings, tmp_path):
    """Files the app stores (prepared exports) go to the test's own folder, never to media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def own_rate_limit_counts(settings):
    """Each test counts its own requests: rate limits never carry over from another test (users' ids repeat)."""
    default = {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    if default["BACKEND"].endswith("LocMemCache"):
        default["LOCATION"] = default["KEY_PREFIX"]
    settings.CACHES = {**settings.CACHES, "default": default}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing passwords at production strength would dominate the suite's run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Personas ----------------------------------------------------------------------------


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Hexagone Logiciels SAS", slug="hexagone")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Autre Société SA", slug="autre")


def _member(organisation, username, role):
    return MembershipFactory(user=UserFactory(username=username), organisation=organisation, role=role).user


@pytest.fixture
def dpo(organisation):
    return _member(organisation, "dpo", Membership.Role.DPO)


@pytest.fixture
def manager(organisation):
    return _member(organisation, "manager", Membership.Role.MANAGER)


@pytest.fixture
def auditor(organisation):
    return _member(organisation, "auditor", Membership.Role.AUDITOR)


@pytest.fixture
def outsider(other_organisation):
    """A DPO, but of another organisation."""
    return _member(other_organisation, "outsider", Membership.Role.DPO)


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def password():
    return PASSWORD


def client_for(user) -> Client:
    """A client signed in as ``user``, as after the whole sign-in: password, and second factor where one is needed
    (tests/accounts/test_two_factor.py signs in through the pages)."""
    client = Client()
    if user is not None:
        client.force_login(user)
        session = client.session
        session[two_factor.SESSION_KEY] = two_factor.VERIFIED
        session.save()
    return client


@pytest.fixture
def dpo_client(dpo):
    return client_for(dpo)


@pytest.fixture
def manager_client(manager):
    return client_for(manager)


@pytest.fixture
def auditor_client(auditor):
    return client_for(auditor)


@pytest.fixture
def outsider_client(outsider):
    return client_for(outsider)


# --- Celery ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def celery_eager(request):
    """Unit tests run tasks in-process; only tests asking for the real worker use the broker."""
    if "celery_worker" in request.fixturenames:
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


# Fixtures defined in their own modules, made available to every test.
from .browser.harness import axe_script, browser_type_launch_args, chromium_path, demo_site  # noqa: E402, F401
from .worker import celery_worker, celery_worker_process  # noqa: E402, F401

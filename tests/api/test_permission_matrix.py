"""Every API route, for every kind of caller, for each method it may receive.

Callers authenticate with their token, as scripts do. The objects are real ones of the
organisation, so an outsider's 404 comes from the permission layer, never from a missing
id. A route nobody classified fails ``test_every_api_route_is_classified``.
"""

from dataclasses import dataclass, field

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Membership
from discovery.models import Scan, ScannedColumn, ScannedTable
from discovery.services import source_create

from ..breaches.factories import log_breach
from ..inventory.factories import DataFieldFactory, DataSubjectCategoryFactory, RecipientFactory, SystemFactory
from ..processing.factories import ActivityFactory
from ..test_permission_matrix import PERSONAS, open_finding, org_and_export, project_routes, statuses
from .conftest import token_client

ANONYMOUS_401 = 401
READ = statuses(401, 200, 200, 200, 200, 200)
READ_OBJECT = statuses(401, 404, 200, 200, 200, 200)
CREATE = statuses(401, 400, 403, 403, 201, 201)  # the outsider names an organisation not theirs
WRITE_OBJECT = statuses(401, 404, 403, 403, 200, 200)
# A write an endpoint does not support: roles that may write nowhere are refused before that.
NOT_ALLOWED = statuses(401, 405, 403, 403, 405, 405)
READ_ONLY = statuses(401, 405, 405, 405, 405, 405)  # reference data, the caller's organisations; GET on actions
PUBLIC = statuses(200, 200, 200, 200, 200, 200)


@dataclass
class ApiRoute:
    expected: dict  # method -> statuses
    kwargs: object = None  # callable(world) -> URL kwargs
    body: object = None  # callable(world) -> JSON body of POST / PATCH
    etag: bool = False  # PATCH sends If-Match with the object's current ETag


def catalogue_routes(basename, factory_attr, body):
    pk = lambda world: {"pk": getattr(world, factory_attr).pk}  # noqa: E731
    return {
        f"v1:{basename}-list": ApiRoute({"get": READ, "post": CREATE, "delete": NOT_ALLOWED}, body=body),
        f"v1:{basename}-detail": ApiRoute(
            {"get": READ_OBJECT, "patch": WRITE_OBJECT, "delete": NOT_ALLOWED, "post": NOT_ALLOWED},
            kwargs=pk,
            body=lambda world: {"description": "Changed"},
            etag=True,
        ),
        f"v1:{basename}-archive": ApiRoute({"post": WRITE_OBJECT, "get": READ_ONLY}, kwargs=pk),
        f"v1:{basename}-restore": ApiRoute({"post": WRITE_OBJECT, "get": READ_ONLY}, kwargs=pk),
    }


def activity(world):
    return {"pk": world.activity.pk}


API_ROUTES = {
    "api-schema": ApiRoute({"get": PUBLIC}),
    "api-docs": ApiRoute({"get": PUBLIC}),
    "v1:organisation-list": ApiRoute({"get": READ, "post": READ_ONLY}),
    "v1:organisation-detail": ApiRoute(
        {"get": READ_OBJECT, "patch": READ_ONLY}, kwargs=lambda world: {"slug": world.organisation.slug}
    ),
    "v1:country-list": ApiRoute({"get": READ, "post": READ_ONLY}),
    "v1:country-detail": ApiRoute({"get": READ, "patch": READ_ONLY}, kwargs=lambda world: {"pk": "US"}),
    **catalogue_routes(
        "data-field",
        "data_field",
        lambda world: {"organisation": "hexagone", "name": "Phone", "category": "identification"},
    ),
    **catalogue_routes(
        "data-subject-category", "subject_category", lambda world: {"organisation": "hexagone", "name": "Visitors"}
    ),
    **catalogue_routes(
        "recipient", "recipient", lambda world: {"organisation": "hexagone", "name": "Bank", "kind": "controller"}
    ),
    **catalogue_routes(
        "system",
        "system",
        lambda world: {"organisation": "hexagone", "name": "ERP", "kind": "saas", "countries": ["FR"]},
    ),
    "v1:activity-list": ApiRoute(
        {"get": READ, "post": CREATE, "delete": NOT_ALLOWED},
        body=lambda world: {"organisation": "hexagone", "name": "Visitor log"},
    ),
    "v1:activity-detail": ApiRoute(
        {"get": READ_OBJECT, "patch": WRITE_OBJECT, "delete": NOT_ALLOWED, "post": NOT_ALLOWED},
        kwargs=activity,
        body=lambda world: {"description": "Changed"},
        etag=True,
    ),
    # The factory's activity lacks mandatory items: activation is refused (400) past the permission checks.
    "v1:activity-activate": ApiRoute(
        {"post": statuses(401, 404, 403, 403, 400, 400), "get": READ_ONLY}, kwargs=activity
    ),
    "v1:activity-archive": ApiRoute({"post": WRITE_OBJECT, "get": READ_ONLY}, kwargs=activity),
    "v1:activity-restore": ApiRoute(  # it is not archived: refused past the permission checks
        {"post": statuses(401, 404, 403, 403, 400, 400), "get": READ_ONLY}, kwargs=activity
    ),
    "v1:activity-history": ApiRoute({"get": READ_OBJECT, "post": NOT_ALLOWED}, kwargs=activity),
    "v1:finding-list": ApiRoute({"get": READ, "post": NOT_ALLOWED}),
    "v1:finding-detail": ApiRoute(
        {"get": READ_OBJECT, "patch": NOT_ALLOWED, "delete": NOT_ALLOWED}, kwargs=lambda world: {"pk": world.finding.pk}
    ),
    "v1:finding-acknowledge": ApiRoute(
        {"post": WRITE_OBJECT, "get": READ_ONLY}, kwargs=lambda world: {"pk": world.finding.pk}
    ),
    "v1:finding-accept-risk": ApiRoute(  # managers accept risks too
        {"post": statuses(401, 404, 403, 200, 200, 200), "get": READ_ONLY},
        kwargs=lambda world: {"pk": world.finding.pk},
        body=lambda world: {"justification": "Accepted by the board"},
    ),
    "v1:breach-list": ApiRoute(
        {"get": READ, "post": CREATE, "delete": NOT_ALLOWED},
        body=lambda world: {
            "organisation": "hexagone",
            "title": "Misdirected email",
            "description": "Payslips sent to the wrong address.",
            "detected_at": "2026-11-27T09:00:00Z",
            "aware_at": "2026-11-27T10:00:00Z",
        },
    ),
    "v1:breach-detail": ApiRoute(
        {"get": READ_OBJECT, "patch": WRITE_OBJECT, "delete": NOT_ALLOWED, "post": NOT_ALLOWED},
        kwargs=lambda world: {"pk": world.breach.pk},
        body=lambda world: {"consequences": "Payslips read by a colleague"},
        etag=True,
    ),
    "v1:breach-history": ApiRoute(
        {"get": READ_OBJECT, "post": NOT_ALLOWED}, kwargs=lambda world: {"pk": world.breach.pk}
    ),
    # Every member may export (the outsider names an organisation not theirs).
    "v1:export-list": ApiRoute(
        {"get": READ, "post": statuses(401, 400, 202, 202, 202, 202), "delete": READ_ONLY},
        body=lambda world: {"organisation": "hexagone", "format": "csv", "language": "en"},
    ),
    "v1:export-detail": ApiRoute(
        {"get": READ_OBJECT, "patch": READ_ONLY, "delete": READ_ONLY},
        kwargs=lambda world: {"pk": org_and_export(world)["pk"]},
    ),
    "v1:export-download": ApiRoute(
        {"get": READ_OBJECT, "post": READ_ONLY}, kwargs=lambda world: {"pk": org_and_export(world)["pk"]}
    ),
    "v1:breach-timeline": ApiRoute(
        {"post": statuses(401, 404, 403, 403, 201, 201), "get": READ_ONLY},
        kwargs=lambda world: {"pk": world.breach.pk},
        body=lambda world: {"text": "Called the recipient, who deleted the email"},
    ),
    "v1:data-source-list": ApiRoute(
        {"get": READ, "post": CREATE, "delete": NOT_ALLOWED},
        body=lambda world: {
            "organisation": "hexagone",
            "system": world.system.pk,
            "name": "Payroll database",
            "url": "postgresql://scan:pw@db.example/payroll",
        },
    ),
    "v1:data-source-detail": ApiRoute(
        {"get": READ_OBJECT, "patch": NOT_ALLOWED, "delete": NOT_ALLOWED, "post": NOT_ALLOWED},
        kwargs=lambda world: {"pk": world.scan.source_id},
    ),
    # The scan started (202), queued: its job waits for the test's transaction to commit.
    "v1:data-source-scan": ApiRoute(
        {"post": statuses(401, 404, 403, 403, 202, 202), "get": READ_ONLY},
        kwargs=lambda world: {"pk": world.scan.source_id},
    ),
    "v1:scan-list": ApiRoute({"get": READ, "post": NOT_ALLOWED}),
    "v1:scan-detail": ApiRoute(
        {"get": READ_OBJECT, "patch": NOT_ALLOWED, "delete": NOT_ALLOWED}, kwargs=lambda world: {"pk": world.scan.pk}
    ),
    "v1:scan-cancel": ApiRoute({"post": WRITE_OBJECT, "get": READ_ONLY}, kwargs=lambda world: {"pk": world.scan.pk}),
    "v1:scanned-column-list": ApiRoute({"get": READ, "post": NOT_ALLOWED}),
    "v1:scanned-column-detail": ApiRoute(
        {"get": READ_OBJECT, "patch": NOT_ALLOWED, "delete": NOT_ALLOWED}, kwargs=lambda world: {"pk": world.column.pk}
    ),
    "v1:scanned-column-confirm": ApiRoute(
        {"post": WRITE_OBJECT, "get": READ_ONLY},
        kwargs=lambda world: {"pk": world.column.pk},
        body=lambda world: {"data_field": world.data_field.pk},
    ),
    "v1:scanned-column-reject": ApiRoute(
        {"post": WRITE_OBJECT, "get": READ_ONLY}, kwargs=lambda world: {"pk": world.column.pk}
    ),
}


def scanned(organisation, system):
    """A source scanned once, with one personal column to decide on."""
    source = source_create(organisation=organisation, system=system, name="Shop", url="sqlite:////tmp/shop.sqlite3")
    scan = Scan.objects.create(source=source, status=Scan.Status.DONE)
    table = ScannedTable.objects.create(scan=scan, name="customers")
    column = ScannedColumn.objects.create(
        table=table, name="email", type="TEXT", kind="email", category="identification", proposed_field_name="Email"
    )
    return scan, column


@dataclass
class World:
    organisation: object
    system: object
    data_field: object
    subject_category: object
    recipient: object
    activity: object
    finding: object
    breach: object
    scan: object
    column: object
    users: dict = field(default_factory=dict)


@pytest.fixture
def world(organisation, dpo, manager, auditor, outsider, superuser):
    activity = ActivityFactory(organisation=organisation)
    system = SystemFactory(organisation=organisation)
    scan, column = scanned(organisation, system)
    return World(
        organisation=organisation,
        system=system,
        data_field=DataFieldFactory(organisation=organisation),
        subject_category=DataSubjectCategoryFactory(organisation=organisation),
        recipient=RecipientFactory(organisation=organisation),
        activity=activity,
        finding=open_finding(activity),
        breach=log_breach(organisation),
        scan=scan,
        column=column,
        users={"outsider": outsider, "auditor": auditor, "manager": manager, "dpo": dpo, "superuser": superuser},
    )


def api_routes():
    return sorted({name for name, route in project_routes() if route.startswith("api/")})


def test_every_api_route_is_classified():
    assert [name for name in api_routes() if name not in API_ROUTES] == []
    assert set(API_ROUTES) - set(api_routes()) == set()


CASES = [(name, method) for name in sorted(API_ROUTES) for method in sorted(API_ROUTES[name].expected)]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "method"), CASES)
def test_api_route_answers_each_persona_as_classified(world, name, method, persona):
    route = API_ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world) if route.kwargs else None)
    user = world.users.get(persona)
    client = token_client(user) if user else APIClient()
    headers = {}
    if route.etag and method == "patch":
        read_by_the_dpo = token_client(world.users["dpo"]).get(url)
        headers["HTTP_IF_MATCH"] = read_by_the_dpo["ETag"]
    body = route.body(world) if route.body and method in ("post", "patch") else None
    response = getattr(client, method)(url, body, format="json", **headers)
    expected = route.expected[method][persona]
    assert response.status_code == expected, f"{method.upper()} {url} as {persona}: {response.content[:300]}"
    if response["Content-Type"].startswith("application/json") and expected >= 400:
        assert {"status", "code", "detail", "errors"} <= set(response.json())


def test_a_superuser_not_member_is_not_shown_as_a_member(world):
    superuser = world.users["superuser"]
    assert not Membership.objects.filter(user=superuser).exists()
    organisations = token_client(superuser).get(reverse("v1:organisation-list")).json()["results"]
    assert [(o["slug"], o["your_role"]) for o in organisations] == [("autre", None), ("hexagone", None)]

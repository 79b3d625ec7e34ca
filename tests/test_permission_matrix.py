"""Every URL of the project, for every kind of visitor, for GET and for POST.

Each route is classified below with the status each persona must get, using real objects
of the organisation: an outsider's 404 comes from the permission layer, never from an id
that does not exist. A route that nobody classified fails ``test_every_route_is_classified``.
"""

from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Membership, Organisation
from breaches.models import Breach
from core.models import WorkerHeartbeat
from inventory.models import System
from processing.compliance.models import ComplianceRun, Finding
from processing.models import ProcessingActivity

from .accounts.factories import UserFactory
from .breaches.factories import log_breach
from .conftest import client_for
from .inventory.factories import SystemFactory
from .processing.factories import ActivityFactory

PERSONAS = ("anonymous", "outsider", "auditor", "manager", "dpo", "superuser")


def statuses(anonymous, outsider, auditor, manager, dpo, superuser):
    return dict(zip(PERSONAS, (anonymous, outsider, auditor, manager, dpo, superuser), strict=True))


def every(status):
    return statuses(*([status] * len(PERSONAS)))


SIGNED_IN = statuses(302, 200, 200, 200, 200, 200)  # anonymous is sent to the sign-in page
SIGNED_IN_NOT_ALLOWED = statuses(302, 405, 405, 405, 405, 405)
# Organisation pages: outsiders 404 (existence never leaks), roles per the table. Editing the
# register and managing the organisation are both the DPO's (and a superuser's).
ORG_READ = statuses(302, 404, 200, 200, 200, 200)
DPO_ONLY_FORM = statuses(302, 404, 403, 403, 200, 200)  # the DPO sees the form (again, with errors)
DPO_ONLY_REDIRECT = statuses(302, 404, 403, 403, 302, 302)
ORG_NOT_ALLOWED = statuses(302, 404, 405, 405, 405, 405)


@dataclass
class Route:
    get: dict
    post: dict
    kwargs: object = None  # callable(world) -> dict of URL kwargs
    query: str = ""
    data: dict = field(default_factory=dict)


def org(world):
    return {"organisation_slug": world.organisation.slug}


def org_and_auditor_membership(world):
    return {**org(world), "membership_id": world.auditor_membership.pk}


def org_and_system(world):
    return {**org(world), "kind": "systems", "pk": world.system.pk}


def org_and_kind(world):
    return {**org(world), "kind": "systems"}


def org_and_activity(world):
    return {**org(world), "pk": world.activity.pk}


def org_activity_and_section(world):
    return {**org_and_activity(world), "section": "retention"}


def org_and_breach(world):
    return {**org(world), "pk": world.breach.pk}


def org_and_finding(world):
    return {**org(world), "pk": world.finding.pk}


def org_and_run(world):
    return {**org(world), "pk": world.run.pk}


def org_and_export(world):
    """A prepared export of the register, ready to download."""
    import datetime

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from processing.reports.models import ExportLog

    export = ExportLog(
        organisation=world.organisation,
        report="register",
        format="json",
        language="en",
        status="ready",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    export.file.save("register.json", ContentFile(b"{}"), save=True)
    return {**org(world), "pk": export.pk}


def org_and_import(world):
    """An import read and previewed, waiting for the DPO's decision."""
    from processing.reports.models import RegisterImport

    register_import = RegisterImport.objects.create(
        organisation=world.organisation,
        filename="registre.ods",
        language="en",
        status="previewed",
        document={"activities": []},
    )
    return {**org(world), "pk": register_import.pk}


def org_and_policy(world):
    from processing.compliance.models import RetentionPolicy

    policy, _created = RetentionPolicy.objects.get_or_create(
        organisation=world.organisation, name="Prospects", defaults={"maximum": 3, "maximum_unit": "years"}
    )
    return {**org(world), "pk": policy.pk}


POLICY = {"name": "Prospects", "maximum": 3, "maximum_unit": "years"}


def discovery_column(world):
    """A source of the world's system, scanned: one table, one personal column (made directly, no database read)."""
    from discovery.models import Scan, ScannedColumn, ScannedTable, Source
    from discovery.services import source_create

    source = source_create(
        organisation=world.organisation, system=world.system, name="Shop", url="postgresql://u:pw@db.example/shop"
    )
    scan = Scan.objects.create(source=source, status=Scan.Status.DONE)
    table = ScannedTable.objects.create(scan=scan, name="customers")
    column = ScannedColumn.objects.create(
        table=table, name="email", type="TEXT", kind="email", category="identification", proposed_field_name="Email"
    )
    Source.objects.filter(pk=source.pk).update(last_scan=scan)
    return column


def org_and_source(world):
    return {**org(world), "pk": discovery_column(world).table.scan.source_id}


def org_and_scan(world):
    return {**org(world), "pk": discovery_column(world).table.scan_id}


def org_and_scanned_table(world):
    return {**org(world), "pk": discovery_column(world).table_id}


def org_and_scanned_column(world):
    return {**org(world), "pk": discovery_column(world).pk}


def org_and_system_pk(world):
    return {**org(world), "pk": world.system.pk}


SOURCE = {"name": "Shop", "url": "sqlite:////tmp/no-such-file.sqlite3", "scan_every_days": 7}


def dpo_token(world):
    from accounts.models import ApiToken
    from accounts.services import api_token_create

    dpo = world.organisation.memberships.get(role="dpo").user
    token = ApiToken.objects.filter(user=dpo).first() or api_token_create(user=dpo, name="matrix")[0]
    return {"token_id": token.pk}


def invitation_link(world):
    from accounts.services import invitation_create

    dpo = world.organisation.memberships.get(role="dpo").user
    _invitation, key = invitation_create(
        organisation=world.organisation, email="new@example.org", role="auditor", invited_by=dpo
    )
    return {"key": key}


def org_and_invitation(world):
    from accounts.services import invitation_create

    dpo = world.organisation.memberships.get(role="dpo").user
    invitation, _key = invitation_create(
        organisation=world.organisation, email="new@example.org", role="auditor", invited_by=dpo
    )
    return {**org(world), "invitation_id": invitation.pk}


def reset_link(world):
    # Not one of the personas: signing in changes a user's last_login and so their token.
    user = UserFactory(username="forgetful")
    return {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}


ROUTES = {
    "home": Route(get=statuses(302, 302, 302, 302, 302, 302), post=every(405)),
    # Anyone, the same answer (its database part alone: whether a worker is up is no one's permission).
    "healthz": Route(get=every(200), post=every(405), query="checks=database"),
    "accounts:login": Route(get=statuses(200, 302, 302, 302, 302, 302), post=statuses(200, 302, 302, 302, 302, 302)),
    "accounts:logout": Route(get=every(405), post=every(302)),
    # Single sign-on: no provider set up in these tests (tests/browser/test_sso_journey.py sets one up).
    "accounts:sso": Route(get=every(404), post=every(405)),
    "accounts:sso_callback": Route(get=every(404), post=every(405)),
    "accounts:password_change": Route(get=SIGNED_IN, post=SIGNED_IN),
    "accounts:password_change_done": Route(get=SIGNED_IN, post=SIGNED_IN_NOT_ALLOWED),
    "accounts:password_reset": Route(get=every(200), post=every(200)),
    "accounts:password_reset_done": Route(get=every(200), post=every(405)),
    "accounts:password_reset_confirm": Route(get=every(302), post=every(302), kwargs=reset_link),
    "accounts:password_reset_complete": Route(get=every(200), post=every(405)),
    "accounts:profile": Route(get=SIGNED_IN, post=SIGNED_IN),
    "accounts:api_token_create": Route(
        get=SIGNED_IN_NOT_ALLOWED, post=SIGNED_IN, data={"name": "matrix", "scope": "read", "expires_days": 90}
    ),
    # Anyone's revoke of the DPO's token is answered alike: only its owner's removes it (tests/accounts/test_tokens).
    "accounts:api_token_revoke": Route(get=SIGNED_IN_NOT_ALLOWED, post=every(302), kwargs=dpo_token),
    # Two factors: one's own, for anyone signed in (the superuser persona has given their second factor).
    "accounts:two_factor": Route(get=SIGNED_IN, post=SIGNED_IN_NOT_ALLOWED),
    "accounts:two_factor_start": Route(get=SIGNED_IN_NOT_ALLOWED, post=SIGNED_IN),
    "accounts:two_factor_confirm": Route(get=SIGNED_IN_NOT_ALLOWED, post=every(302)),  # nothing being set up
    "accounts:two_factor_recovery_codes": Route(get=SIGNED_IN_NOT_ALLOWED, post=every(302)),  # no app yet
    "accounts:two_factor_remove": Route(get=SIGNED_IN_NOT_ALLOWED, post=statuses(302, 400, 400, 400, 400, 302)),
    "accounts:two_factor_verify": Route(get=every(302), post=every(302)),  # nothing to verify: on to the next page
    # Passkeys (django-otp-webauthn): one's own, signed in; never without a password (passwordless sign-in is off).
    "otp_webauthn:credential-registration-begin": Route(
        get=statuses(403, 405, 405, 405, 405, 405), post=statuses(403, 200, 200, 200, 200, 200)
    ),
    "otp_webauthn:credential-registration-complete": Route(
        get=statuses(403, 405, 405, 405, 405, 405), post=statuses(403, 400, 400, 400, 400, 400)
    ),
    "otp_webauthn:credential-authentication-begin": Route(
        get=statuses(403, 405, 405, 405, 405, 405), post=statuses(403, 200, 200, 200, 200, 200)
    ),
    "otp_webauthn:credential-authentication-complete": Route(
        get=statuses(403, 405, 405, 405, 405, 405), post=statuses(403, 400, 400, 400, 400, 400)
    ),
    "otp_webauthn:js-i18n-catalog": Route(get=every(200), post=every(405)),
    # An invitation's link: anyone holding it sees it (the key is the credential); the page answers each alike.
    "accounts:invitation": Route(get=every(200), post=every(200), kwargs=invitation_link),
    "accounts:language": Route(get=every(405), post=every(302), data={"language": "fr"}),
    "accounts:switch_organisation": Route(
        get=statuses(302, 404, 302, 302, 302, 302), post=every(405), query="organisation={slug}"
    ),
    "organisations:home": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org),
    "organisations:settings": Route(get=ORG_READ, post=DPO_ONLY_FORM, kwargs=org),
    "organisations:history": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org),
    "organisations:members": Route(get=ORG_READ, post=DPO_ONLY_FORM, kwargs=org),
    "organisations:member_role": Route(
        get=ORG_NOT_ALLOWED, post=DPO_ONLY_REDIRECT, kwargs=org_and_auditor_membership, data={"role": "auditor"}
    ),
    "organisations:member_sign_ins": Route(
        get=statuses(302, 404, 403, 403, 200, 200), post=ORG_NOT_ALLOWED, kwargs=org
    ),
    "organisations:invitation_cancel": Route(get=ORG_NOT_ALLOWED, post=DPO_ONLY_REDIRECT, kwargs=org_and_invitation),
    "organisations:member_remove": Route(get=DPO_ONLY_FORM, post=DPO_ONLY_REDIRECT, kwargs=org_and_auditor_membership),
    "inventory:catalogue": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org),
    "inventory:load_defaults": Route(get=ORG_NOT_ALLOWED, post=DPO_ONLY_REDIRECT, kwargs=org, data={"language": "fr"}),
    "inventory:item_list": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org_and_kind),
    "inventory:item_create": Route(get=DPO_ONLY_FORM, post=DPO_ONLY_FORM, kwargs=org_and_kind),
    "inventory:item_edit": Route(get=DPO_ONLY_FORM, post=DPO_ONLY_FORM, kwargs=org_and_system),
    "inventory:item_history": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org_and_system),
    "inventory:item_archive": Route(get=ORG_NOT_ALLOWED, post=DPO_ONLY_REDIRECT, kwargs=org_and_system),
    "inventory:item_restore": Route(get=ORG_NOT_ALLOWED, post=DPO_ONLY_REDIRECT, kwargs=org_and_system),
    "processing:activity_list": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org),
    "processing:activity_create": Route(get=DPO_ONLY_FORM, post=DPO_ONLY_FORM, kwargs=org),
    "processing:activity_create_all": Route(get=DPO_ONLY_FORM, post=DPO_ONLY_FORM, kwargs=org),
    "processing:activity_bulk": Route(get=ORG_NOT_ALLOWED, post=DPO_ONLY_REDIRECT, kwargs=org),
    "processing:activity_detail": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org_and_activity),
    "processing:activity_list_as_of": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org),
    "processing:change_log": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org),
    "processing:register_changes": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org),
    "processing:activity_detail_as_of": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org_and_activity),
    "processing:activity_history": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org_and_activity),
    "processing:activity_edit": Route(get=DPO_ONLY_FORM, post=DPO_ONLY_FORM, kwargs=org_and_activity),
    "processing:activity_edit_section": Route(get=DPO_ONLY_FORM, post=DPO_ONLY_FORM, kwargs=org_activity_and_section),
    # The activity is a draft missing items: the DPO is shown the record again, its refusal summed up on top.
    "processing:activity_activate": Route(get=ORG_NOT_ALLOWED, post=DPO_ONLY_FORM, kwargs=org_and_activity),
    "processing:activity_archive": Route(get=ORG_NOT_ALLOWED, post=DPO_ONLY_REDIRECT, kwargs=org_and_activity),
    "processing:activity_restore": Route(get=ORG_NOT_ALLOWED, post=DPO_ONLY_REDIRECT, kwargs=org_and_activity),
    "processing:activity_clone": Route(get=ORG_NOT_ALLOWED, post=DPO_ONLY_REDIRECT, kwargs=org_and_activity),
    "compliance:finding_list": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org),
    "compliance:rule_catalogue": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org),
    "compliance:finding_acknowledge": Route(get=ORG_NOT_ALLOWED, post=DPO_ONLY_REDIRECT, kwargs=org_and_finding),
    "compliance:finding_accept_risk": Route(
        get=ORG_NOT_ALLOWED,
        post=statuses(302, 404, 403, 302, 302, 302),  # managers accept risks too
        kwargs=org_and_finding,
        data={"justification": "Accepted by the board"},
    ),
    "compliance:compliance_run_start": Route(get=ORG_NOT_ALLOWED, post=DPO_ONLY_REDIRECT, kwargs=org),
    "compliance:compliance_run_detail": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org_and_run),
    "compliance:compliance_run_status": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org_and_run),
    "compliance:what_if": Route(
        get=statuses(302, 404, 403, 200, 200, 200),  # the DPO and managers, who plan for the risks (see whatif_views)
        post=ORG_NOT_ALLOWED,
        kwargs=org,
        query="change=ends&country=US&starts_on=2027-01-01",
    ),
    # Without a file the form comes back with its error (400); the DPO's choice is followed by a redirect.
    "reports:import_upload": Route(get=DPO_ONLY_FORM, post=statuses(302, 404, 403, 403, 400, 400), kwargs=org),
    "reports:import_detail": Route(get=DPO_ONLY_FORM, post=ORG_NOT_ALLOWED, kwargs=org_and_import),
    "reports:import_status": Route(get=DPO_ONLY_FORM, post=ORG_NOT_ALLOWED, kwargs=org_and_import),
    "reports:import_decide": Route(
        get=ORG_NOT_ALLOWED, post=DPO_ONLY_REDIRECT, kwargs=org_and_import, data={"decision": "discard"}
    ),
    "reports:report_list": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org),
    "reports:register_export": Route(
        get=ORG_READ, post=ORG_READ, kwargs=org, query="format=json&lang=en", data={"format": "json", "lang": "en"}
    ),
    "reports:export_detail": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org_and_export),
    "reports:export_status": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org_and_export),
    "reports:export_download": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org_and_export),
    "compliance:policy_list": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org),
    "compliance:policy_history": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org),
    "compliance:policy_create": Route(get=DPO_ONLY_FORM, post=DPO_ONLY_REDIRECT, kwargs=org, data=POLICY),
    "compliance:policy_edit": Route(get=DPO_ONLY_FORM, post=DPO_ONLY_REDIRECT, kwargs=org_and_policy, data=POLICY),
    "compliance:policy_delete": Route(get=ORG_NOT_ALLOWED, post=DPO_ONLY_REDIRECT, kwargs=org_and_policy),
    "compliance:policy_seed": Route(get=ORG_NOT_ALLOWED, post=DPO_ONLY_REDIRECT, kwargs=org, data={"language": "en"}),
    "breaches:breach_list": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org),
    "breaches:breach_export": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org),
    "breaches:breach_create": Route(get=DPO_ONLY_FORM, post=DPO_ONLY_FORM, kwargs=org),
    "breaches:breach_detail": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org_and_breach),
    "breaches:breach_edit": Route(get=DPO_ONLY_FORM, post=DPO_ONLY_FORM, kwargs=org_and_breach),
    "breaches:breach_history": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org_and_breach),
    "breaches:notification_draft": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org_and_breach),
    "breaches:notification_draft_pdf": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org_and_breach),
    "breaches:timeline_add": Route(
        get=ORG_NOT_ALLOWED, post=DPO_ONLY_REDIRECT, kwargs=org_and_breach, data={"kind": "note", "text": "Called"}
    ),
    # Discovery: every member reads what the scans found; the DPO (who edits the register) adds sources and decides.
    "discovery:system": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org_and_system_pk),
    "discovery:source_create": Route(get=DPO_ONLY_FORM, post=DPO_ONLY_REDIRECT, kwargs=org_and_system_pk, data=SOURCE),
    "discovery:source_edit": Route(get=DPO_ONLY_FORM, post=DPO_ONLY_REDIRECT, kwargs=org_and_source, data=SOURCE),
    "discovery:source_delete": Route(get=DPO_ONLY_FORM, post=DPO_ONLY_REDIRECT, kwargs=org_and_source),
    "discovery:scan_start": Route(get=ORG_NOT_ALLOWED, post=DPO_ONLY_REDIRECT, kwargs=org_and_source),
    "discovery:scan": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org_and_scan),
    "discovery:scan_status": Route(get=ORG_READ, post=ORG_NOT_ALLOWED, kwargs=org_and_scan),
    "discovery:scan_cancel": Route(get=ORG_NOT_ALLOWED, post=DPO_ONLY_REDIRECT, kwargs=org_and_scan),
    "discovery:table_decide": Route(
        get=ORG_NOT_ALLOWED, post=DPO_ONLY_REDIRECT, kwargs=org_and_scanned_table, data={"decision": "confirm"}
    ),
    "discovery:date_column": Route(
        get=ORG_NOT_ALLOWED, post=DPO_ONLY_REDIRECT, kwargs=org_and_scanned_table, data={"column": "email"}
    ),
    "discovery:column_decide": Route(
        get=DPO_ONLY_FORM, post=DPO_ONLY_REDIRECT, kwargs=org_and_scanned_column, data={"decision": "reject"}
    ),
}


def project_routes():
    """(name, route) of every URL pattern; unnamed ones are named by their route."""

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                yield (f"{namespace}{pattern.name}" if pattern.name else route), route

    return list(walk(get_resolver().url_patterns))


def is_admin(name, route):
    return route.startswith("admin/")


@dataclass
class World:
    organisation: Organisation
    auditor_membership: Membership
    system: System
    activity: ProcessingActivity
    finding: Finding
    run: ComplianceRun
    breach: Breach
    users: dict


def open_finding(activity):
    now = timezone.now()
    return Finding.objects.create(
        organisation=activity.organisation,
        rule="retention.review_overdue",
        subject_type=ContentType.objects.get_for_model(activity),
        subject_id=activity.pk,
        severity="low",
        params={"due": "2020-01-01"},
        first_detected_at=now,
        last_seen_at=now,
    )


@pytest.fixture
def world(organisation, dpo, manager, auditor, outsider, superuser):
    activity = ActivityFactory(organisation=organisation)
    return World(
        organisation=organisation,
        auditor_membership=Membership.objects.get(user=auditor, organisation=organisation),
        system=SystemFactory(organisation=organisation),
        activity=activity,
        finding=open_finding(activity),
        run=ComplianceRun.objects.create(organisation=organisation, origin=ComplianceRun.Origin.NIGHTLY),
        breach=log_breach(organisation),
        users={
            "anonymous": None,
            "outsider": outsider,
            "auditor": auditor,
            "manager": manager,
            "dpo": dpo,
            "superuser": superuser,
        },
    )


def is_api(name, route):
    return route.startswith("api/")  # classified in tests/api/test_permission_matrix.py


def test_every_route_is_classified():
    unclassified = [
        name
        for name, route in project_routes()
        if name not in ROUTES and not is_admin(name, route) and not is_api(name, route)
    ]
    assert unclassified == [], f"Classify these routes in ROUTES: {unclassified}"
    stale = set(ROUTES) - {name for name, _route in project_routes()}
    assert stale == set(), f"ROUTES lists routes that no longer exist: {stale}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_answers_each_persona_as_classified(world, name, method, persona):
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world) if route.kwargs else None)
    if route.query:
        url += "?" + route.query.format(slug=world.organisation.slug)
    client = client_for(world.users[persona])
    response = client.get(url) if method == "get" else client.post(url, route.data)
    expected = getattr(route, method)[persona]
    assert response.status_code == expected, f"{method.upper()} {url} as {persona}"
    if persona == "anonymous" and expected == 302 and name.split(":")[0] in ("organisations", "processing"):
        assert response["Location"].startswith(reverse("accounts:login"))


# --- The Django admin: superusers only -------------------------------------------------


def admin_url(name, route, world):
    """A URL for an admin pattern, with a real object where the pattern needs one."""
    if "<path:content_type_id>" in route:
        content_type = ContentType.objects.get_for_model(Organisation)
        return f"/admin/r/{content_type.pk}/{world.organisation.pk}/"
    if "(?P<app_label>" in route:
        return "/admin/accounts/"
    if "(?P<url>" in route:
        return "/admin/no-such-page/"
    if "<path:object_id>" not in route and "<id>" not in route:
        return "/" + route
    app_label, model_name = route.split("/")[1:3]
    model = apps.get_model(app_label, model_name)
    instance = model.objects.order_by("pk").first()
    if instance is None:  # the one model the world does not fill
        instance = WorkerHeartbeat.objects.create(hostname="worker@test", pid=1, seen_at=timezone.now())
    return "/" + route.replace("<path:object_id>", str(instance.pk)).replace("<id>", str(instance.pk))


ADMIN_ROUTES = [(name, route) for name, route in project_routes() if is_admin(name, route)]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "route"), ADMIN_ROUTES, ids=[name for name, _route in ADMIN_ROUTES])
def test_admin_is_for_superusers_only(world, name, route, persona):
    url = admin_url(name, route, world)
    client = client_for(world.users[persona])
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if persona == "superuser":
            assert response.status_code < 500, f"{method.upper()} {url}"
            if response.status_code == 302:
                assert not response["Location"].startswith("/admin/login/"), f"{method.upper()} {url}"
        elif name == "admin:login":
            assert response.status_code == 200, f"{method.upper()} {url} as {persona}"
        else:
            # Sent to the admin's sign-in page (or, for sign-out, to the admin, which sends them there).
            assert response.status_code == 302, f"{method.upper()} {url} as {persona}"
            assert response["Location"].split("?")[0] in ("/admin/login/", "/admin/"), f"{method} {url} {persona}"


ORGANISATION_ROUTES = sorted(
    name for name, route in ROUTES.items() if route.kwargs and not name.startswith("accounts:")
)


@pytest.mark.parametrize("method", ["options", "put", "patch", "delete"])
@pytest.mark.parametrize("name", ORGANISATION_ROUTES)
def test_other_methods_never_reach_an_organisation_view(world, name, method):
    """OPTIONS and the like skip Django's CSRF check: they must not act, whatever the role."""
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    assert getattr(client_for(world.users["outsider"]), method)(url).status_code == 404
    response = getattr(client_for(world.users["dpo"]), method)(url)
    assert response.status_code == 405, f"{method.upper()} {url}"
    world.auditor_membership.refresh_from_db()  # still there: nothing was removed
    world.system.refresh_from_db()
    assert not world.system.is_archived

"""The register at scale: list, search, record and point-in-time pages, and the API's list
and detail, on N activities.

Seeds N activities (each with 10 data fields, 3 systems, 3 recipients, people, a transfer,
retention and security rows, and a history) in bulk, then times the pages through the
Django test client against a trivial signed-in page, the floor.
"""

import random
import time

from .harness import STEADY, measure_requests, p95_over_p50, report

FIELDS_PER_ACTIVITY = 10
SYSTEMS_PER_ACTIVITY = 3
RECIPIENTS_PER_ACTIVITY = 3

# The pages whose 95th percentile is bounded by the floor's (a trivial signed-in page), as a multiple of it.
FLOOR_TARGETS = {"register_list_page_of_50": 3, "register_detail_page": 3}


# What ``seed`` made in this run, by slug: the modules that need the same register share it (``make bench`` runs
# them one after the other in one database, where a slug can be taken once).
_SEEDED: dict[str, tuple] = {}


def seed(size: int, *, slug: str | None = None, name: str | None = None):
    """An organisation with ``size`` activities of the bench's shape: (its DPO, it, an activity, seconds to seed).
    Seeded once per slug (by default one per size) and run."""
    slug = slug or f"register-bench-{size}"
    name = name or f"Register benchmark SAS ({size})"
    if slug not in _SEEDED:
        _SEEDED[slug] = _seed(size, slug=slug, name=name)
    return _SEEDED[slug]


def _seed(size: int, *, slug: str, name: str):
    from django.db import transaction
    from simple_history.utils import bulk_create_with_history

    from accounts.models import Membership, User
    from accounts.services import organisation_create
    from core.bulk import analyze
    from core.text import normalise_key
    from inventory.models import DataField, DataSubjectCategory, Recipient, System, SystemCountry
    from inventory.services import CATALOGUE_MODELS
    from processing.history import historical_links
    from processing.models import ActivityDataSubject, ProcessingActivity, RetentionLine, SecurityMeasure, Transfer
    from processing.services import REGISTER_MODELS

    rng = random.Random(42)
    start = time.perf_counter()
    with transaction.atomic():
        organisation = organisation_create(name=name, slug=slug, email="b@example.org")
        dpo, _created = User.objects.get_or_create(username="bench-dpo")  # one DPO for every seeded organisation
        Membership.objects.create(user=dpo, organisation=organisation, role=Membership.Role.DPO)

        def catalogue(model, count, fields):
            return bulk_create_with_history(
                [
                    model(
                        organisation=organisation,
                        name=f"{model.__name__} {n}",
                        name_key=normalise_key(f"{model.__name__} {n}"),
                        **fields(n),
                    )
                    for n in range(count)
                ],
                model,
                batch_size=500,
            )

        categories = [choice for choice, _label in DataField.Category.choices if choice != "special"]
        fields = catalogue(DataField, 300, fields=lambda n: {"category": categories[n % len(categories)]})
        subjects = catalogue(DataSubjectCategory, 20, fields=lambda n: {})
        countries = ["FR", "IE", "DE", "US", "IN", "GB", "CA", "JP"]
        recipients = catalogue(
            Recipient, 80, fields=lambda n: {"kind": "processor", "country_id": countries[n % len(countries)]}
        )
        systems = catalogue(System, 150, fields=lambda n: {"kind": "saas"})
        SystemCountry.objects.bulk_create(
            SystemCountry(system=system, country_id=countries[n % len(countries)]) for n, system in enumerate(systems)
        )

        activities = bulk_create_with_history(
            [
                ProcessingActivity(
                    organisation=organisation,
                    reference=f"PA-{n + 1:05d}",
                    name=f"Activity {n + 1} {rng.choice(['CRM', 'Payroll', 'Recruitment', 'Support', 'Analytics'])}",
                    purpose=f"Purpose of activity {n + 1}",
                    status=rng.choice(["draft", "active"]),
                    lawful_basis=rng.choice(["contract", "legal_obligation", "legitimate_interests", "consent"]),
                )
                for n in range(size)
            ],
            ProcessingActivity,
            batch_size=1000,
        )
        history_ids = dict(
            ProcessingActivity.history.model.objects.filter(organisation=organisation).values_list("id", "history_id")
        )
        links = {
            "data_fields": (fields, FIELDS_PER_ACTIVITY, "datafield"),
            "systems": (systems, SYSTEMS_PER_ACTIVITY, "system"),
            "recipients": (recipients, RECIPIENTS_PER_ACTIVITY, "recipient"),
        }
        for name, (items, count, column) in links.items():
            through = getattr(ProcessingActivity, name).through
            historical = historical_links(name)
            chosen = [(activity, item) for activity in activities for item in rng.sample(items, count)]
            rows = through.objects.bulk_create(
                [through(processingactivity=activity, **{column: item}) for activity, item in chosen], batch_size=5000
            )
            historical.objects.bulk_create(
                (
                    historical(
                        id=row.pk,
                        history_id=history_ids[row.processingactivity_id],
                        processingactivity_id=row.processingactivity_id,
                        **{f"{column}_id": getattr(row, f"{column}_id")},
                    )
                    for row in rows
                ),
                batch_size=5000,
            )
        bulk_create_with_history(
            [
                ActivityDataSubject(activity=a, category=rng.choice(subjects), approximate_count=1000)
                for a in activities
            ],
            ActivityDataSubject,
            batch_size=2000,
        )
        bulk_create_with_history(
            [RetentionLine(activity=a, duration=3, duration_unit="years", trigger="last_contact") for a in activities],
            RetentionLine,
            batch_size=2000,
        )
        bulk_create_with_history(
            [SecurityMeasure(activity=a, kind="access_control") for a in activities], SecurityMeasure, batch_size=2000
        )
        bulk_create_with_history(
            [Transfer(activity=a, country_id="US", mechanism="scc_2") for a in activities[::3]],
            Transfer,
            batch_size=2000,
        )
    # As autovacuum leaves the tables a few minutes after a bulk load, when people list the register: analysed, and
    # their pages all-visible, so that a page's count reads the index (the sweep's bench measures straight after).
    analyze([*REGISTER_MODELS, *CATALOGUE_MODELS], vacuum=True)
    return dpo, organisation, activities[len(activities) // 2], round(time.perf_counter() - start, 1)


def run(size: int) -> None:
    from django.test import Client
    from django.utils import timezone

    dpo, organisation, activity, seed_seconds = seed(size)
    client = Client()
    client.force_login(dpo)
    base = f"/o/{organisation.slug}/register/"
    today = timezone.localdate().isoformat()
    pages = {
        "register_floor_trivial_page": f"/o/{organisation.slug}/breaches/",
        "register_list_page_of_50": base,
        "register_filtered_search": f"{base}?q=payroll&country=US&status=active",
        "register_detail_page": f"{base}{activity.pk}/",
        "register_point_in_time_list": f"{base}as-of/?date={today}",
        "register_history_page": f"{base}{activity.pk}/history/",
    }
    floor = None
    for name, url in pages.items():
        measure = measure_requests(lambda url=url: client.get(url), repeat=40)
        floor = floor or measure  # the first page is the floor
        figures = {**measure.__dict__, "p95_times_floor": round(measure.p95_ms / floor.p95_ms, 2)}
        targets = {"p95_over_p50": STEADY}
        if name in FLOOR_TARGETS:
            targets["p95_times_floor"] = FLOOR_TARGETS[name]
        report(name, targets, size=size, seed_seconds=seed_seconds, **figures, p95_over_p50=p95_over_p50(measure))

    # The API, as a script calls it: token authentication, JSON, nested relations.
    from rest_framework.test import APIClient

    from accounts.services import api_token_create

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=dpo, name='bench')[1]}")
    calls = {
        "api_activities_page_of_50": f"/api/v1/activities/?organisation={organisation.slug}",
        "api_activity_detail": f"/api/v1/activities/{activity.pk}/",
    }
    for name, url in calls.items():
        measure = measure_requests(lambda url=url: api.get(url), repeat=40)
        figures = {**measure.__dict__, "p95_times_floor": round(measure.p95_ms / floor.p95_ms, 2)}
        targets = {"p95_over_p50": STEADY}
        if name == "api_activities_page_of_50":
            targets["p95_times_floor"] = 3 if size <= 10_000 else 4
        report(name, targets, size=size, seed_seconds=seed_seconds, **figures, p95_over_p50=p95_over_p50(measure))

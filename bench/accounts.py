"""Organisation pages: their cost must not grow with the number of members."""

import time

from .harness import STEADY, measure_requests, p95_over_p50, report


def seed(size: int):
    from accounts.models import Membership, User
    from accounts.services import organisation_create

    start = time.perf_counter()
    organisation = organisation_create(name="Benchmark SAS", slug="benchmark")
    users = User.objects.bulk_create(User(username=f"member{n}", email=f"member{n}@example.org") for n in range(size))
    roles = [Membership.Role.DPO, Membership.Role.MANAGER, Membership.Role.AUDITOR]
    Membership.objects.bulk_create(
        Membership(user=user, organisation=organisation, role=roles[n % 3]) for n, user in enumerate(users)
    )
    return users[0], organisation, round(time.perf_counter() - start, 2)


def run(size: int) -> None:
    from django.test import Client

    dpo, organisation, seed_seconds = seed(size)
    client = Client()
    client.force_login(dpo)
    pages = {
        "floor_trivial_page": f"/o/{organisation.slug}/breaches/",
        "organisation_home": f"/o/{organisation.slug}/",
        "members_page": f"/o/{organisation.slug}/settings/members/",
    }
    for name, url in pages.items():
        measure = measure_requests(lambda url=url: client.get(url))
        figures = {**measure.__dict__, "p95_over_p50": p95_over_p50(measure)}
        report(name, {"p95_over_p50": STEADY}, size=size, seed_seconds=seed_seconds, **figures)

"""The nightly sweep fanned out over real workers: 50 organisations of N/50 activities each (seeded as
``bench.compliance`` does), one compliance run per organisation, as ``processing.check_all_organisations`` starts
them, taken by 2 Celery worker processes; against one organisation of the same size swept in this process.

Target: the time per activity of the whole sweep at most twice that of the single organisation (a sweep spread over
2 workers should take less; organisations in parallel contend for the database, the broker and the cores).

It needs a broker and a database the workers share: ``BENCH_DATABASE_URL`` (PostgreSQL) and ``BENCH_REDIS_URL`` (a
Redis database the bench may empty, e.g. ``redis://127.0.0.1:6379/15``); without them it says it was skipped.
"""

import os
import subprocess
import sys
import time

from .harness import ROOT, report

ORGANISATIONS = 50
WORKERS = 2
TARGET_RATIO = 2
READY_SECONDS = 60


def _workers(database_url: str, redis_url: str) -> list[subprocess.Popen]:
    environment = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "CONN_MAX_AGE": "0"}
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1"]
    options = ["--without-gossip", "--without-mingle", "--loglevel=WARNING"]
    return [
        subprocess.Popen(
            [*command, "-n", f"bench-nightly-{number}@localhost", *options],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for number in range(WORKERS)
    ]


def run(size: int) -> None:
    database_url, redis_url = os.environ.get("BENCH_DATABASE_URL"), os.environ.get("BENCH_REDIS_URL")
    if not database_url or not redis_url:
        report("nightly_sweep", skipped="needs BENCH_DATABASE_URL (PostgreSQL) and BENCH_REDIS_URL")
        return
    import redis

    from processing.compliance.check import check_organisation
    from processing.compliance.models import ComplianceRun
    from processing.compliance.services import UNFINISHED, start_compliance_run

    from .compliance import forget_findings, seed

    per_organisation = max(size // ORGANISATIONS, 10)
    start = time.perf_counter()
    organisations = [
        seed(name=f"Nightly {number} SAS", slug=f"nightly-{number}", size=per_organisation, seed_number=number)[0]
        for number in range(ORGANISATIONS)
    ]
    seed_seconds = round(time.perf_counter() - start, 1)

    start = time.perf_counter()
    check_organisation(organisations[0])  # alone, in this process: the reference
    single_seconds = time.perf_counter() - start
    forget_findings(organisations[0])

    redis.Redis.from_url(redis_url).flushdb()
    workers = _workers(database_url, redis_url)
    try:
        from config.celery_app import app, point_at

        point_at(redis_url)  # this process's tasks to the workers' broker from now on, instead of run eagerly
        app.conf.task_always_eager = False

        deadline = time.monotonic() + READY_SECONDS
        while len(app.control.ping(timeout=0.5)) < WORKERS:
            if time.monotonic() > deadline:
                raise RuntimeError("the bench's Celery workers did not start")
        start = time.perf_counter()
        for organisation in organisations:  # as processing.check_all_organisations does
            start_compliance_run(organisation, origin=ComplianceRun.Origin.NIGHTLY)
        runs = ComplianceRun.objects.filter(organisation__in=organisations)
        while runs.filter(status__in=UNFINISHED).exists():
            time.sleep(0.2)
        sweep_seconds = time.perf_counter() - start
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    failed = runs.exclude(status=ComplianceRun.Status.DONE).count()
    if failed:
        raise RuntimeError(f"{failed} of the nightly runs failed")
    single = single_seconds / per_organisation
    fanned = sweep_seconds / (per_organisation * ORGANISATIONS)
    report(
        "nightly_sweep",
        {"per_activity_times_single": TARGET_RATIO},
        organisations=ORGANISATIONS,
        activities_each=per_organisation,
        workers=WORKERS,
        seed_seconds=seed_seconds,
        single_organisation_seconds=round(single_seconds, 2),
        sweep_seconds=round(sweep_seconds, 2),
        per_activity_ms_single=round(single * 1000, 3),
        per_activity_ms_fanned=round(fanned * 1000, 3),
        per_activity_times_single=round(fanned / single, 2),
    )

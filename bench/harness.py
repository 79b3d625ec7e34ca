"""The benchmark harness: its own database, a seeded register, timings and query counts."""

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    """Point Django at the benchmark database (never the development one) and migrate it."""
    if "BENCH_DATABASE_URL" in os.environ:
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:  # a fresh SQLite file each run
        for leftover in ROOT.glob("bench.sqlite3*"):
            leftover.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import reset_queries

    # What the test client needs, without setup_test_environment(): that one also makes every
    # template render send a signal the test client answers by copying the context, a cost
    # production does not pay.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)  # every run starts from empty tables
    # Measure what production runs: no per-query logging (CaptureQueriesContext still counts).
    settings.DEBUG = False
    reset_queries()


@dataclass
class Measure:
    p50_ms: float
    p95_ms: float
    queries: int


def measure_requests(request: Callable[[], object], repeat: int = 50, warmup: int = 3) -> Measure:
    """Median and 95th percentile server time of ``request``, and its query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from config.processes import settle

    for _ in range(warmup):
        request()
    # As config/wsgi.py does in a server process: what is loaded already (here, the seeded register too) is left out
    # of the garbage collector's passes, which run at the server's thresholds.
    settle()
    with CaptureQueriesContext(connection) as captured:
        request()
    queries = len(captured)  # read now: later requests reset the connection's query log
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = request()
        timings.append((time.perf_counter() - start) * 1000)
        if getattr(response, "status_code", 200) != 200:
            raise RuntimeError(f"benchmark request answered {response.status_code}")
    timings.sort()
    return Measure(
        p50_ms=round(statistics.median(timings), 2),
        p95_ms=round(timings[int(0.95 * (len(timings) - 1))], 2),
        queries=queries,
    )


def report(name: str, targets: dict[str, float] | None = None, **figures) -> None:
    """Print one JSON line of ``figures`` for the benchmark ``name``; with ``targets`` (a figure's name: its upper
    bound, in the figure's unit), one line per bound instead, each saying which figure it bounds (``of``), the
    bound (``target``) and whether it was ``met``. A missed target is reported, never raised: machines are noisy."""
    if not targets:
        print(json.dumps({"benchmark": name, **figures}), flush=True)
        return
    for of, target in targets.items():
        met = figures[of] <= target
        print(json.dumps({"benchmark": name, **figures, "of": of, "target": target, "met": met}), flush=True)


def p95_over_p50(measure: "Measure") -> float:
    """How much slower the slow requests are than the usual one (the issue's bound: 1.5)."""
    return round(measure.p95_ms / measure.p50_ms, 2) if measure.p50_ms else 0.0


# Bounds that hold for every page and API measure: the 95th percentile within 1.5 times the median.
STEADY = 1.5

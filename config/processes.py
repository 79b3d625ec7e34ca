"""Settling a long-lived server process once it has loaded: the garbage collector's tuning, measured in ``make bench``.

What is loaded by then (Django, the apps, the URL map) lives as long as the process: ``gc.freeze()`` takes it out of
the collector's passes, which otherwise paused one request in eight by about 70 ms (an API page of 50 activities:
p95 135 -> 70 ms). A request then makes tens of thousands of short-lived objects (model instances, serialised rows):
with Python's default threshold (a young collection every 700 allocations, a full one every 100 of those) a page of
the API list paid for several collections, the full ones among them; at 50,000 the young collections are ~70 times
rarer and the full ones rarer still (10,000 activities: p95 / p50 2.1 -> 1.6 on a loaded machine)."""

import gc

THRESHOLDS = (50_000, 20, 100)


def settle() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)

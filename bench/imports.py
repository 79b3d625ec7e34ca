"""Importing a register at scale: Registre's own XLSX export of N/2 activities (seeded as
``bench.register`` does) read and imported into an empty organisation, the preview (the
same import rolled back) and the import itself, each timed in a process of its own, with
its queries and the process's peak memory.

The import's time is reading, checking and writing, up to its commit and the statistics
refreshed after it. The jobs it asks for once committed (the compliance re-check of what it
created) run in production in a worker of their own, measured by ``bench.compliance``: here
Celery is eager and would run them inside the import, so they are held while it runs, then
run and timed apart (``recheck_seconds``). The process is first settled as a worker's is
(``config.processes``): with Python's default thresholds, the collections walking the
document and the checked activities took about 1.4 s of the import's processor time (5,000
activities), which a worker does not spend, and whether an earlier module of the same run had
settled the bench's process decided which of the two was measured.
"""

import contextlib
import time
from unittest import mock

from .harness import report
from .reports import _in_child

TARGETS = {"seconds": 8}


@contextlib.contextmanager
def holding_jobs():
    """Within it, the jobs sent once a transaction commits are listed (their ids), not run."""
    held = []
    with mock.patch("core.jobs.dispatch", held.append):
        yield held


def run(size: int) -> None:
    import io

    from django.utils import translation

    from accounts.services import organisation_create
    from processing.reports.loading import RegisterReader, Scope
    from processing.reports.writers import write_xlsx

    from .register import seed

    count = max(size // 2, 1)
    _dpo, source, _activity, seed_seconds = seed(count)
    output = io.BytesIO()
    with translation.override("en"):
        write_xlsx(RegisterReader(source, Scope(active_only=False)), output)
    data = output.getvalue()
    target = organisation_create(name="Import benchmark SAS", slug="import-bench")

    def measure(commit: bool) -> dict:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from config.processes import settle
        from core import jobs
        from processing.reports.imports import import_document, read_import_file

        settle()  # as the worker that imports does at its start (config.celery_app.settle_worker)
        start = time.perf_counter()
        with holding_jobs() as held, CaptureQueriesContext(connection) as queries:
            reading = read_import_file(data)
            read_seconds = time.perf_counter() - start
            outcome = import_document(organisation=target, document=reading.document, commit=commit)
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        for job_id in held:
            jobs.dispatch(job_id)
        return {
            "seconds": round(seconds, 1),
            "read_seconds": round(read_seconds, 1),
            "queries": len(queries),
            "activities": len(outcome.created) + len(outcome.updated),
            "errors": sum(1 for problem in outcome.problems if problem.level == "error"),
            "recheck_jobs": len(held),
            "recheck_seconds": round(time.perf_counter() - start, 1),
        }

    for name, commit in (("import_preview", False), ("import_xlsx", True)):
        figures = _in_child(lambda commit=commit: measure(commit))
        report(
            name, targets=TARGETS, size=count, seed_seconds=seed_seconds, file_mb=round(len(data) / 2**20, 1), **figures
        )

"""Importing a register at scale: Registre's own XLSX export of N/2 activities (seeded as
``bench.register`` does) read and imported into an empty organisation, the preview (the
same import rolled back) and the import itself, each timed in a process of its own, with
the process's peak memory."""

import time

from .harness import report
from .reports import _in_child

TARGET_SECONDS = 60


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
        from processing.reports.imports import import_document, read_import_file

        start = time.perf_counter()
        reading = read_import_file(data)
        read_seconds = time.perf_counter() - start
        outcome = import_document(organisation=target, document=reading.document, commit=commit)
        return {
            "seconds": round(time.perf_counter() - start, 1),
            "read_seconds": round(read_seconds, 1),
            "activities": len(outcome.created) + len(outcome.updated),
            "errors": sum(1 for problem in outcome.problems if problem.level == "error"),
        }

    for name, commit in (("import_preview", False), ("import_xlsx", True)):
        figures = _in_child(lambda commit=commit: measure(commit))
        report(
            name,
            size=count,
            seed_seconds=seed_seconds,
            file_mb=round(len(data) / 2**20, 1),
            **figures,
            target_seconds=TARGET_SECONDS,
        )

"""The Article 30 report at scale: the register of N activities (seeded as ``bench.register``
does: 10 data fields, 3 systems, 3 recipients, people, retention, a measure, a transfer for
one in three) written as XLSX, CSV and JSON, and of 200 activities as PDF.

Each export runs in a process of its own, forked from the seeded one, which writes the file
to disk as the background export does, three times: the median run's wall time is reported,
with the queries and the process's peak resident memory. What the peak measures is a worker's
process: Django, the project's modules and the export. The child first lets go of what the
seeding left behind (the objects kept in ``bench.register._SEEDED``, collected, and the heap
the seeding freed given back with ``malloc_trim``) and reads the organisation again by its key,
then resets its peak: about 105 MB before any export on PostgreSQL, where a fresh process with
the same modules holds about 90 (what the seeding's freed objects still occupy is not all given
back). ``rss_growth_mb`` is how far the export raised it. The child is settled, before its peak
is reset, as a worker's process is when it starts (``config.celery_app.settle_worker``: the
garbage collector's thresholds of a server process), for it is in a worker that an export runs;
with Python's default thresholds the 10,000 activities' CSV or JSON paid about 0.13 s more, in
some 250 collections.

On PostgreSQL the CSV and JSON are also set against the database's own speed: ``copy_seconds``
is the time to ``COPY`` out the rows the export reads (each table of the activities' rows and
links, joined to its activity and catalogue entry, in the register's order: the export reads the
links as lists on each activity's row, the same content in another shape) and ``times_copy`` how many
times that the export took. SQLite has no ``COPY``: there it is left out.
"""

import contextlib
import ctypes
import gc
import os
import statistics
import tempfile
import time
from pathlib import Path

from .harness import report

REPEAT = 3
TARGETS = {  # the issue's bounds: seconds, peak MB, times a COPY of the same rows (PostgreSQL)
    "xlsx": {"seconds": 5, "peak_rss_mb": 150},
    "csv": {"seconds": 1.5, "times_copy": 6},
    "json": {"seconds": 1.5, "times_copy": 6},
}


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _release_seeded() -> None:
    """Let go of what seeding left in this process, as a fresh worker would not have it (see the docstring)."""
    from . import register

    register._SEEDED.clear()
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _in_child(work) -> dict:
    """Run ``work()`` in a forked process; its figures come back through a pipe."""
    import json

    from django.db import connections

    from config.processes import settle

    connections.close_all()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        _release_seeded()
        settle()  # as the worker that exports does at its start (see the docstring)
        with contextlib.suppress(OSError):
            Path("/proc/self/clear_refs").write_text("5")  # resets the peak resident size
        before = _status("VmRSS")
        figures = work()
        figures["peak_rss_mb"] = round(_status("VmHWM"), 1)
        figures["rss_growth_mb"] = round(_status("VmHWM") - before, 1)
        os.write(write_end, json.dumps(figures).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def export_to_file(organisation_pk: int, format_: str, language: str = "fr") -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from accounts.models import Organisation
    from processing.reports.loading import RegisterReader, Scope
    from processing.reports.writers import write_csv_register, write_json, write_xlsx

    organisation = Organisation.objects.get(pk=organisation_pk)
    with tempfile.TemporaryDirectory() as folder, translation.override(language):
        path = Path(folder) / f"register.{format_}"
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            reader = RegisterReader(organisation, Scope(active_only=False))
            if format_ == "xlsx":
                write_xlsx(reader, str(path))
            else:
                with path.open("w", encoding="utf-8", newline="") as output:
                    if format_ == "csv":
                        write_csv_register(reader, output)
                    else:
                        write_json(reader, output, language)
        seconds = time.perf_counter() - start
        return {"seconds": round(seconds, 2), "queries": len(queries), "file_mb": round(path.stat().st_size / 2**20, 1)}


def _median_run(work) -> dict:
    """``work`` run ``REPEAT`` times, each in a process of its own: the figures of the run of median wall time."""
    runs = sorted((_in_child(work) for _ in range(REPEAT)), key=lambda figures: figures["seconds"])
    return runs[len(runs) // 2]


def copy_seconds(organisation) -> float | None:
    """The median time PostgreSQL takes to ``COPY`` out the rows an export reads (None elsewhere)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        statements = [
            cursor.mogrify(*queryset.query.sql_with_params()).decode() for queryset in _exported_rows(organisation)
        ]
        timings = []
        for _ in range(REPEAT):
            start = time.perf_counter()
            for statement in statements:
                cursor.copy_expert(f"COPY ({statement}) TO STDOUT", _Discard())
            timings.append(time.perf_counter() - start)
    return statistics.median(timings)


class _Discard:
    def write(self, data) -> int:
        return len(data)


def _exported_rows(organisation) -> list:
    """The rows an export of every activity reads, each joined to its activity's reference and the name of the
    catalogue entry it links (the export joins them in Python), in the register's order."""
    from processing.models import ActivityDataSubject, ProcessingActivity
    from processing.reports import document
    from processing.reports.loading import ROWS, stored_columns

    activities = ProcessingActivity.objects.filter(organisation=organisation)
    querysets = [activities.order_by("reference").values_list(*document.ACTIVITY_FIELDS)]
    for part, column in (("data_fields", "datafield"), ("recipients", "recipient"), ("systems", "system")):
        links = getattr(ProcessingActivity, part).through.objects
        through = links.filter(processingactivity__organisation=organisation)
        querysets.append(
            through.order_by("processingactivity__reference").values_list(
                "processingactivity__reference", f"{column}__name", f"{column}__description"
            )
        )
    subjects = ActivityDataSubject.objects.filter(activity__organisation=organisation)
    querysets.append(
        subjects.order_by("activity__reference", "id").values_list(
            "activity__reference", "category__name", "category__description", "approximate_count"
        )
    )
    for part, model in ROWS.items():
        rows = model.objects.filter(activity__organisation=organisation).order_by("activity__reference", "id")
        querysets.append(rows.values_list("activity__reference", *stored_columns(part)))
    return querysets


def run(size: int) -> None:
    from .register import seed

    _dpo, organisation, _activity, seed_seconds = seed(size)
    copy = copy_seconds(organisation)
    for format_, targets in TARGETS.items():
        figures = _median_run(lambda format_=format_: export_to_file(organisation.pk, format_))
        if "times_copy" in targets:
            if copy is None:  # SQLite
                targets = {of: bound for of, bound in targets.items() if of != "times_copy"}
            else:
                figures |= {"copy_seconds": round(copy, 3), "times_copy": round(figures["seconds"] / copy, 1)}
        report(f"report_{format_}", targets, size=size, seed_seconds=seed_seconds, **figures)
    pdf_benchmark()


def pdf_benchmark(size: int = 200) -> None:
    """The register of ``size`` activities as PDF (French, every activity), in a process of its own.

    Seeded into a second organisation: the one ``run`` seeded holds N activities, and a PDF is
    read, and measured, at a few hundred. Wall time and queries cover reading and drawing; the
    pages are counted once the file is written.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation
    from pypdf import PdfReader

    from processing.reports.loading import RegisterReader, Scope
    from processing.reports.pdf import write_pdf

    from .register import seed

    _dpo, organisation, _activity, seed_seconds = seed(size, slug="register-bench-pdf", name="PDF benchmark SAS")

    def work() -> dict:
        with tempfile.TemporaryDirectory() as folder, translation.override("fr"):
            path = Path(folder) / "register.pdf"
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as queries, path.open("wb") as output:
                write_pdf(RegisterReader(organisation, Scope(active_only=False)), output, "fr")
            seconds = time.perf_counter() - start
            return {
                "seconds": round(seconds, 2),
                "queries": len(queries),
                "pages": len(PdfReader(path).pages),
                "file_mb": round(path.stat().st_size / 2**20, 2),
            }

    figures = _in_child(work)
    report("report_pdf", {"seconds": 60}, size=size, seed_seconds=seed_seconds, **figures)

"""The Article 30 report at scale: the register of N activities (seeded as ``bench.register``
does: 10 data fields, 3 systems, 3 recipients, people, retention, a measure, a transfer for
one in three) written as XLSX, CSV and JSON, and of 200 activities as PDF.

Each export runs in a process of its own, forked from the seeded one, which writes the file
to disk as the background export does; it reports the wall time, the queries, and the
process's peak resident memory (the whole process, seeded register included, as a worker
would be measured) and how far the export raised it.
"""

import contextlib
import os
import tempfile
import time
from pathlib import Path

from .harness import report

TARGETS = {"xlsx": (10, 300), "csv": (3, None), "json": (3, None)}  # seconds, peak MB


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _in_child(work) -> dict:
    """Run ``work()`` in a forked process; its figures come back through a pipe."""
    import json

    from django.db import connections

    connections.close_all()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
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


def export_to_file(organisation, format_: str, language: str = "fr") -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from processing.reports.loading import RegisterReader, Scope
    from processing.reports.writers import write_csv_register, write_json, write_xlsx

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


def run(size: int) -> None:
    from .register import seed

    _dpo, organisation, _activity, seed_seconds = seed(size)
    for format_, (seconds_target, memory_target) in TARGETS.items():
        figures = _in_child(lambda format_=format_: export_to_file(organisation, format_))
        report(
            f"report_{format_}",
            size=size,
            seed_seconds=seed_seconds,
            **figures,
            target_seconds=seconds_target,
            target_peak_mb=memory_target,
        )
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
    report("report_pdf", size=size, seed_seconds=seed_seconds, **figures, target_seconds=60, target_peak_mb=None)

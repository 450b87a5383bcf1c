"""Time a calendar load over 100,000 open applications: its preview, then the load.

    DEBUG=1 python -m benchmarks.calendar_load      # or: [--open N] [--keep]

Builds, in a scratch database (an SQLite file under var/bench/, or DATABASE_URL), the cast and
``--open`` open applications (benchmarks.bulk), all received from 18 to 20 January 2027 while
2027's schedule is not published: the licences' clocks cross the Spring Festival, which the
provisional calendar can only guess. Then two uploads, each previewed (``preview_calendar_job``,
which writes nothing) and loaded (``apply_calendar_job``, the task the page queues):

1. the 2027 notice (tests/fixtures/holiday-cn/sample-2027.json): it fixes the Spring Festival,
   moving the clocks that cross it, and makes every provisional date official;
2. the same notice with one more holiday, Thursday 21 January, which every open clock crosses:
   every open application has a due date moved (an audit event and notifications each).

Each preview and each load runs in a process of its own, so that its peak RSS
(``resource.getrusage``'s ``ru_maxrss``) is its own, not the build's. Prints, for each: seconds,
seconds per 1,000 applications checked, queries (and per chunk of ``workflow.calendar.CHUNK``),
peak RSS, and how many applications moved. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "fixtures" / "holiday-cn" / "sample-2027.json"
#: The day the benchmark's applications are received on or just before (bulk's ``today``).
RECEIVED = date(2027, 1, 20)
#: The holiday the second notice adds: inside every open clock's window.
EXTRA_HOLIDAY = "2027-01-21"
SCRATCH = ROOT / "var" / "bench" / "calendar.sqlite3"


def notice(variant: str) -> str:
    """The upload's text: the sample 2027 notice, or (``every``) it and one more holiday."""
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    if variant == "every":
        data["days"].append({"name": "元旦", "date": EXTRA_HOLIDAY, "isOffDay": True})
        data["days"].sort(key=lambda day: day["date"])
    return json.dumps(data, ensure_ascii=False, indent=1)


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    import logging

    logging.getLogger("django-q").setLevel(logging.WARNING)  # a line per queued delivery task otherwise


def build(open_: int) -> None:

    from approvals.models import Role, User
    from benchmarks import bulk

    bulk.empty_database()  # a scratch database only: emptied first
    cast = bulk.people()
    User.objects.create(username="bench-admin", password="!", role=Role.ADMIN, is_staff=True)
    print(f"building {open_:,} open applications, received by {RECEIVED} …")
    started = time.monotonic()
    bulk.applications(open_, open_, RECEIVED, cast=cast, log=lambda *_: None)
    print(f"  built in {time.monotonic() - started:.0f} s")


def _counting():
    from django.db import connection

    count = [0]

    def counting(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    return connection.execute_wrapper(counting), count


def phase(step: str, variant: str) -> dict:
    """One step (``preview`` or ``load``) of one upload, in this process; its figures."""
    from approvals.models import Application, AuditEvent, CalendarJob, User
    from approvals.workflow import calendar

    if step == "preview":
        job = CalendarJob.objects.create(
            year=2027,
            file_name=f"bench-{variant}.json",
            content=notice(variant),
            status=CalendarJob.Status.PREVIEWING,
            created_by=User.objects.get(username="bench-admin"),
        )
        run = calendar.preview_calendar_job
    else:
        job = CalendarJob.objects.filter(file_name=f"bench-{variant}.json").latest("pk")
        assert calendar.set_calendar_job_status(
            job.pk, CalendarJob.Status.QUEUED, only_from=[CalendarJob.Status.PREVIEWED]
        ), job.status
        run = calendar.apply_calendar_job
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    wrapper, count = _counting()
    with wrapper:
        started = time.perf_counter()
        run(job.pk)
        elapsed = time.perf_counter() - started
    job.refresh_from_db()
    moved = (
        len({row[0] for row in job.preview.get("moves", [])})
        if step == "preview"
        else AuditEvent.objects.filter(pk__gt=before, action="due_date_moved").count()
    )
    return {
        "status": job.status,
        "result": job.result,
        "seconds": elapsed,
        "queries": count[0],
        "checked": job.total,
        "moved": moved,
        "open": Application.objects.open().count(),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "chunk": calendar.CHUNK,
    }


def report(label: str, figures: dict) -> None:
    checked = figures["checked"] or 1
    chunks = -(-figures["checked"] // figures["chunk"]) or 1
    print(
        f"  {label:<44} {figures['seconds']:>7.1f} s  {figures['seconds'] * 1000 / checked:>6.3f} s per 1,000  "
        f"{figures['queries']:>6,} queries ({figures['queries'] / chunks:,.1f} per chunk of {figures['chunk']:,})  "
        f"peak RSS {figures['rss_mb']:>5,.0f} MB  checked {figures['checked']:,}  moved {figures['moved']:,}"
        f"  [{figures['status']}]"
    )
    if figures["status"] == "failed":
        print(f"    {figures['result']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=100_000, help="open applications (default 100,000)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch SQLite database")
    parser.add_argument("--phase", nargs=2, metavar=("STEP", "VARIANT"), help=argparse.SUPPRESS)  # a child
    args = parser.parse_args(argv)

    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{SCRATCH}"
    if args.phase:  # a child process: one step, its figures as JSON on the last line
        setup(database_url)
        from django.conf import settings

        # As in production: DEBUG's cursor keeps every query and, on SQLite, quotes each
        # statement's parameters again in SQL to log it (as many again for a bulk write).
        settings.DEBUG = False
        print(json.dumps(phase(*args.phase)))
        return 0

    scratch = database_url == f"sqlite:///{SCRATCH}"
    if scratch:
        SCRATCH.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SCRATCH}{suffix}").unlink(missing_ok=True)
    setup(database_url)
    build(args.open)
    from django.db import connection

    connection.close()  # the children open their own
    print("results")
    for variant, label in (("spring", "the 2027 notice"), ("every", "+ a holiday every clock crosses")):
        for step in ("preview", "load"):
            child = subprocess.run(
                [sys.executable, "-m", "benchmarks.calendar_load", "--phase", step, variant],
                cwd=ROOT,
                env={**os.environ, "DATABASE_URL": database_url},
                capture_output=True,
                text=True,
                check=False,
            )
            if child.returncode:
                print(child.stdout + child.stderr, file=sys.stderr)
                return child.returncode
            report(f"{step}, {label}", json.loads(child.stdout.strip().splitlines()[-1]))
    if scratch and not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SCRATCH}{suffix}").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

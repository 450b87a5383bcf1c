"""Time the SLA sweep over a million applications.

    make bench-sla          # or: DEBUG=1 python -m benchmarks.sla_sweep [--total N] [--open N] [--due N]

Builds, in a scratch database (an SQLite file under var/bench/, or DATABASE_URL), 1,000,000
applications of which 100,000 are open, then times: a sweep with nothing due; the same sweep over
a database a hundred times smaller (its query count must not grow); and sweeps with 1,000 and
then 10,000 alerts due (``--due``). Prints the time, the queries, the batches and the queries per
batch of each, and the process's peak RSS. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--due", default="1000,10000", help="the alerts due in each timed sweep (comma-separated)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch SQLite database")
    args = parser.parse_args(argv)
    dues = [int(n) for n in args.due.split(",") if n.strip()]

    scratch = ROOT / "var" / "bench" / "sla.sqlite3"
    if not os.environ.get("DATABASE_URL"):
        scratch.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    import logging

    logging.getLogger("django-q").setLevel(logging.WARNING)  # one line per queued email task otherwise
    from django.db import connection

    from approvals import sla, workflow
    from approvals.models import Alert, Application
    from benchmarks import bulk

    bulk.empty_database()  # a scratch database only: emptied first
    today = workflow.today()

    def timed_sweep(label: str) -> None:
        count = [0]

        def counting(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counting):
            started = time.perf_counter()
            result = sla.sweep(today)
            elapsed = time.perf_counter() - started
        per_batch = f"{count[0] / result.batches:,.1f} per batch" if result.batches else ""
        print(
            f"  {label:<46} {elapsed * 1e3:>9.1f} ms {count[0]:>7,} queries  alerts raised: {result.raised:,}  "
            f"batches: {result.batches:,} {per_batch}"
        )

    cast = bulk.people()
    small, small_open = args.total // 100, args.open // 100
    print(f"building {small:,} applications ({small_open:,} open), nothing due …")
    bulk.applications(small, small_open, today, cast=cast, log=lambda *_: None)
    print("results")
    timed_sweep(f"sweep, nothing due, {small:,} applications")
    timed_sweep("again")

    more, more_open = args.total - small, args.open - small_open
    print(f"adding {more:,} applications ({more_open:,} open, {sum(dues):,} with an alert due) …")
    started = time.monotonic()
    bulk.applications(args.total - small, args.open - small_open, today, cast=cast, start=small, due=sum(dues))
    print(f"  built in {time.monotonic() - started:.0f} s")
    due_ids = list(
        Application.objects.filter(next_alert_on__lte=today).order_by("pk").values_list("pk", "next_alert_on")
    )
    print(f"  applications with an alert due today: {len(due_ids):,}")

    # Nothing due: take the due ones out of the way, time, then put them back, a group at a time.
    Application.objects.filter(pk__in=[pk for pk, _ in due_ids]).update(next_alert_on=None)
    print("results")
    timed_sweep(f"sweep, nothing due, {args.total:,} applications")
    timed_sweep("again")
    start = 0
    for count in dues:
        group = due_ids[start : start + count]
        start += count
        for day in {day for _, day in group}:
            Application.objects.filter(pk__in=[pk for pk, d in group if d == day]).update(next_alert_on=day)
        timed_sweep(f"sweep, {len(group):,} alerts due")
        timed_sweep("sweep again at once, nothing left")
    print(f"  alerts in the database: {Alert.objects.count():,}")
    explain = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
    with connection.cursor() as cursor:
        cursor.execute(
            f"{explain} SELECT id FROM approvals_application WHERE next_alert_on <= %s "
            "ORDER BY next_alert_on, id LIMIT 500",
            [today],
        )
        plan = " / ".join(str(row[-1]).strip() for row in cursor.fetchall())
    print(f"  the sweep's query plan: {plan}")
    print(f"  peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    if not args.keep and scratch.exists() and os.environ["DATABASE_URL"].endswith(str(scratch)):
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

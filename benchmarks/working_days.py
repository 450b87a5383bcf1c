"""Time the working-day engine against chinese_calendar.find_workday and numpy.busday_offset.

    make bench                       # or: python -m benchmarks.working_days [--deadlines N] [--full]

One workload for all three: N deadlines (default 100,000) with random starts over 2025-01-01 to
2026-10-31 and limits of 8, 10 or 26 working days (the three procedures), so that every due date
stays inside chinesecalendar's data. numpy gets weekmask 1111111 with every non-working day as a
holiday, which makes it right on adjusted working weekends. All answers are checked against each
other before any figure is printed; a disagreement exits non-zero.

find_workday walks a day at a time and costs about a millisecond a call, so by default it runs on
the first 2,000 deadlines and its 100,000 figure is scaled from that (said so in the output);
--full runs it on all of them (minutes).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta

import chinese_calendar
import numpy as np

from approvals.calendar import WorkCalendar

SUBSET = 2_000


def best(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs, in seconds: the figure least disturbed by the machine."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def workload(count: int, seed: int) -> tuple[list[date], list[int]]:
    rng = random.Random(seed)
    first, span = date(2025, 1, 1), (date(2026, 10, 31) - date(2025, 1, 1)).days
    starts = [first + timedelta(days=rng.randrange(span + 1)) for _ in range(count)]
    ns = [rng.choice((8, 10, 26)) for _ in range(count)]
    return starts, ns


def numpy_calendar() -> np.busdaycalendar:
    """Every day chinesecalendar says is not a working day, as a numpy holiday."""
    day, last, off = date(2004, 1, 1), date(2026, 12, 31), []
    while day <= last:
        if not chinese_calendar.is_workday(day):
            off.append(day)
        day += timedelta(days=1)
    return np.busdaycalendar(weekmask="1111111", holidays=np.array(off, dtype="datetime64[D]"))


def find_workday(start: date, n: int) -> date:
    """Our question in find_workday's terms: its count starts from the first working day on or
    after ``start``, ours from the day after ``start``."""
    return chinese_calendar.find_workday(n if chinese_calendar.is_workday(start) else n - 1, start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadlines", type=int, default=100_000)
    parser.add_argument("--full", action="store_true", help="run find_workday on every deadline")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    count = args.deadlines
    starts, ns = workload(count, args.seed)
    pairs = list(zip(starts, ns, strict=True))

    started = time.perf_counter()
    calendar = WorkCalendar.official()
    build = time.perf_counter() - started
    busdaycal = numpy_calendar()
    add = calendar.add_working_days

    # -- the answers, checked before anything is timed -----------------------------------------
    ours = [add(s, n).date for s, n in pairs]
    bulk = [d.date for d in calendar.add_working_days_many(starts, ns)]
    vector = np.busday_offset(np.array(starts, dtype="datetime64[D]"), ns, roll="backward", busdaycal=busdaycal)
    subset = pairs if args.full else pairs[:SUBSET]
    theirs = [find_workday(s, n) for s, n in subset]
    checks = {
        "engine, one call at a time = engine, bulk": ours == bulk,
        "engine = numpy.busday_offset (all)": ours == vector.tolist(),
        f"engine = chinese_calendar.find_workday ({len(subset):,})": ours[: len(subset)] == theirs,
        "no answer depends on a provisional day": not any(add(s, n).provisional for s, n in pairs),
    }

    # -- per call ------------------------------------------------------------------------------
    def engine_calls() -> None:
        for s, n in pairs:
            add(s, n)

    def numpy_calls() -> None:
        offset = np.busday_offset
        for s, n in pairs[:20_000]:
            offset(s, n, roll="backward", busdaycal=busdaycal)

    def find_calls() -> None:
        for s, n in subset:
            find_workday(s, n)

    per_engine = best(engine_calls, args.repeat) / count
    per_numpy = best(numpy_calls, args.repeat) / min(count, 20_000)
    per_find = best(find_calls, 1) / len(subset)

    # -- N deadlines at once ---------------------------------------------------------------------
    def engine_bulk() -> None:
        calendar.add_working_days_many(starts, ns)

    def numpy_from_python() -> None:
        np.busday_offset(np.array(starts, dtype="datetime64[D]"), ns, roll="backward", busdaycal=busdaycal).tolist()

    as_datetime64 = np.array(starts, dtype="datetime64[D]")
    ns_array = np.array(ns)

    def numpy_native() -> None:
        np.busday_offset(as_datetime64, ns_array, roll="backward", busdaycal=busdaycal)

    bulk_engine = best(engine_bulk, args.repeat)
    bulk_numpy = best(numpy_from_python, args.repeat)
    bulk_native = best(numpy_native, args.repeat)
    bulk_find = per_find * count

    # -- the report ----------------------------------------------------------------------------
    print(f"working-day engine benchmark: {count:,} deadlines (8/10/26 WD, starts 2025-01-01..2026-10-31)")
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, best of {args.repeat}")
    print(f"calendar build (once): {build * 1e3:.1f} ms")
    print()
    for name, ok in checks.items():
        print(f"  [{'ok' if ok else 'FAIL'}] {name}")
    print()
    print(f"{'per call':<52}{'time':>12}{'engine is':>16}")
    print(f"{'  engine add_working_days':<52}{per_engine * 1e9:>9.0f} ns{'':>16}")
    print(f"{'  numpy.busday_offset, scalar':<52}{per_numpy * 1e9:>9.0f} ns{per_numpy / per_engine:>14.1f}x")
    print(f"{'  chinese_calendar.find_workday':<52}{per_find * 1e9:>9.0f} ns{per_find / per_engine:>14.0f}x")
    print()
    scaled = "" if args.full else f" (scaled from {len(subset):,})"
    print(f"{f'{count:,} deadlines':<52}{'time':>12}{'engine is':>16}")
    print(f"{'  engine add_working_days_many':<52}{bulk_engine * 1e3:>9.1f} ms{'':>16}")
    print(
        f"{'  numpy vectorised, from and to Python dates':<52}{bulk_numpy * 1e3:>9.1f} ms"
        f"{bulk_numpy / bulk_engine:>14.1f}x"
    )
    print(
        f"{'  numpy vectorised, datetime64 in and out (info)':<52}{bulk_native * 1e3:>9.1f} ms"
        f"{bulk_native / bulk_engine:>14.2f}x"
    )
    find_label = "  chinese_calendar.find_workday" + scaled
    print(f"{find_label:<52}{bulk_find * 1e3:>9.0f} ms{bulk_find / bulk_engine:>14.0f}x")
    print()
    targets = {
        "add_working_days <= 1 us per call": per_engine <= 1e-6,
        ">= 1000x faster than find_workday": per_find / per_engine >= 1000,
        "faster than numpy's scalar busday_offset": per_engine < per_numpy,
        f"{count:,} deadlines faster than numpy vectorised from Python dates": bulk_engine < bulk_numpy,
    }
    for name, ok in targets.items():
        print(f"  [{'met' if ok else 'MISSED'}] {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

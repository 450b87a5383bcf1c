"""Time the load test's pages one request at a time, in this process: where a request's time goes.

    python -m benchmarks.pages [--repeat 20] [--profile /worklist/]

On the load test's database (``DATABASE_URL``, default ``shixian_load``, built by ``make loadtest``
or ``python -m benchmarks.loadtest --prepare-only``), as the load test's users, through Django's
test client (the whole middleware stack, no network): for each page, after one request to warm
the caches, the median and slowest of ``--repeat`` requests, the queries each runs and the time
spent in the database. ``--recount``: nothing is kept between views (``approvals.kept``), as for
the first view after any change of the data. ``--profile PATH`` also prints cProfile's top functions for that page.
Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time

PAGES = {
    "/worklist/": "officer001",
    "/dashboard/": "manager-licensing",
    "/portal/": "enterprise0000",
    "/api/applications/": "officer001",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--recount",
        action="store_true",
        help="keep nothing between requests (approvals.kept): each view as the first after a change of the data",
    )
    parser.add_argument("--profile", default="", help="a page to profile (cProfile, the slowest statements)")
    args = parser.parse_args(argv)

    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shixian_load")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "pages-benchmark-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("HTTPS", "0")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from approvals import kept
    from approvals.models import User

    if args.recount:
        real_key = kept.key
        views = iter(range(10**9))
        kept.key = lambda *parts, **kwargs: f"{real_key(*parts, **kwargs)}:{next(views)}"

    print(f"{'page':<22} {'median ms':>9} {'max ms':>7} {'queries':>7} {'SQL ms':>7}")
    for path, username in PAGES.items():
        user = User.objects.get(username=username)
        client = Client()
        if path.startswith("/api/"):
            token, _ = Token.objects.get_or_create(user=user)
            headers = {"Authorization": f"Token {token.key}"}
        else:
            client.force_login(user)
            headers = {}
        sql: list[float] = []
        statements: list[tuple[float, str]] = []

        def timed(execute, sql_text, params, many, context, sql=sql, statements=statements):
            started = time.perf_counter()
            try:
                return execute(sql_text, params, many, context)
            finally:
                sql.append(time.perf_counter() - started)
                statements.append((time.perf_counter() - started, sql_text))

        client.get(path, headers=headers)  # warm: templates, translations, the calendar, caches
        times, queries, sql_ms = [], [], []
        with connection.execute_wrapper(timed):
            for _ in range(args.repeat):
                sql.clear()
                started = time.perf_counter()
                response = client.get(path, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code)
                queries.append(len(sql))
                sql_ms.append(sum(sql) * 1000)
        print(
            f"{path:<22} {statistics.median(times):>9.1f} {max(times):>7.1f} "
            f"{statistics.median(queries):>7.0f} {statistics.median(sql_ms):>7.1f}"
        )
        if path == args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.repeat):
                client.get(path, headers=headers)
            profile.disable()
            pstats.Stats(profile).sort_stats(os.environ.get("PAGES_SORT", "cumulative")).print_stats(45)
            slowest = sorted(statements, reverse=True)[:8]
            print("slowest statements (ms):")
            for seconds, text in slowest:
                print(f"{seconds * 1000:8.1f}  {text[:400]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Load test: gunicorn on PostgreSQL with 1,000,000 applications, driven by locust.

    make loadtest           # or: python -m benchmarks.loadtest [--prepare-only] [--rebuild]

1. Creates the database of ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/shixian_load``)
   if it is missing and migrates it.
2. Unless it already holds the data set of a previous run (the marker: exactly ``--total``
   applications and the load-test users), empties it and builds 1,000,000 applications, 100,000 of
   them open, with ``benchmarks.bulk`` (about six minutes); then the users the load test signs in
   as, with passwords and API tokens; then ANALYZE. Later runs reuse the data and start at once.
3. Starts gunicorn (``LOADTEST_WORKERS``, default 2 x cores + 1) with DEBUG=0 on 127.0.0.1:8100 and
   its cache in Redis as deployed (``LOADTEST_REDIS_URL``, default ``redis://127.0.0.1:6379/3``,
   emptied first: every run starts cold), signs
   in once per role (3 sign-ins, their session cookies shared by all the clients), warms up (each
   page 3 x workers times, one at a time; ``LOADTEST_WARMUP=0`` to skip), runs
   locust headless (``benchmarks/locustfile.py``: ``LOADTEST_USERS`` = 16 users, ``LOADTEST_SECONDS``
   = 60 s, think time ``LOADTEST_WAIT`` = ``0.5,1.5`` s; ``0`` for none) and prints, per endpoint,
   requests, failures, p50/p95/p99 in ms and requests per second. Exits non-zero if a request failed.

The data set is for measuring: it has no use beyond this database, which nothing else reads.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/shixian_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"
BIND = "127.0.0.1:8100"
PASSWORD = "load-pass-2026"
# Who the load test signs in as: users made by bulk.people(), given a password here.
LOGINS = {"officer": "officer001", "manager": "manager-licensing", "enterprise": "enterprise0000"}
ENDPOINTS = ["/worklist/", "/dashboard/", "/portal/", "/api/applications/"]


def ensure_database(url: str) -> None:
    """Create the database named in ``url`` if the server does not have it yet."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    name = config["NAME"]
    server = {
        "host": config.get("HOST") or "127.0.0.1",
        "port": config.get("PORT") or 5432,
        "user": config.get("USER") or "postgres",
        "password": config.get("PASSWORD") or None,
        "dbname": "postgres",
    }
    with psycopg.connect(**server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def prepare(total: int, open_: int, rebuild: bool) -> dict[str, str]:
    """Migrate; build the data set unless it is already there; return the API tokens by role."""
    import django

    django.setup()
    import logging

    logging.getLogger("django-q").setLevel(logging.WARNING)
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from approvals import workflow
    from approvals.models import Application, Procedure, State, User
    from benchmarks import bulk

    call_command("migrate", "--no-input", verbosity=0)
    ready = (
        not rebuild
        and User.objects.filter(username__in=LOGINS.values()).exclude(password="!").count() == len(LOGINS)
        and Application.objects.count() == total
    )
    if ready:
        print(f"reusing the data set in {connection.settings_dict['NAME']}: {total:,} applications")
    else:
        print(f"building {total:,} applications ({open_:,} open) in {connection.settings_dict['NAME']} …")
        started = time.monotonic()
        # Start from empty; flush also removes the policies a data migration seeds, so migrate again.
        call_command("flush", "--no-input", verbosity=0)
        call_command("migrate", "approvals", "zero", verbosity=0)
        call_command("migrate", "--no-input", verbosity=0)
        # 40 officers share 100,000 open cases (about 2,500 each); 2,000 enterprises hold about
        # 500 applications each, some 50 of them open.
        cast = bulk.people(organisations=2_000, officers=40)
        # The open ones and as many closed ones through bulk.py (about a minute per 100,000 on
        # this machine); the rest are copies of those closed ones made by PostgreSQL itself.
        made = min(total, 2 * open_)
        bulk.applications(made, open_, workflow.today(), cast=cast)
        copy_closed(total - made)
        password = make_password(PASSWORD)
        User.objects.filter(username__in=LOGINS.values()).update(password=password)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # also the visibility map, for index-only scans
        print(f"  built in {time.monotonic() - started:.0f} s")
    # What the nightly task does (approvals.reports.count_months): the ended months counted ahead,
    # so that no dashboard view counts one. Idempotent: a reused data set has them already.
    from approvals.holidays import work_calendar
    from approvals.reports import count_months

    started = time.monotonic()
    counted = count_months(workflow.today(), work_calendar())
    print(f"  ended months counted ahead: {len(counted)} in {time.monotonic() - started:.1f} s")
    # The case the writer (LOADTEST_WRITE_EVERY) pauses and resumes: one of the officer's licences.
    tokens = {
        "write_case": str(
            Application.objects.filter(
                officer__username=LOGINS["officer"],
                procedure=Procedure.TELECOM_LICENCE,
                state__in=[State.UNDER_REVIEW, State.PAUSED],
            )
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
    }
    for role, username in LOGINS.items():
        token, _ = Token.objects.get_or_create(user=User.objects.get(username=username))
        tokens[role] = token.key
    connection.close()
    return tokens


def copy_closed(n: int) -> None:
    """Add ``n`` closed applications, copies of the closed ones there (new tracking numbers)."""
    from django.db import connection

    from approvals.models import OPEN_STATES, Application

    if n <= 0:
        return
    fields = [f.column for f in Application._meta.concrete_fields if not f.primary_key]
    copied = ", ".join(
        "tracking_number || '-' || n_copy" if column == "tracking_number" else connection.ops.quote_name(column)
        for column in fields
    )
    table = Application._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE NOT state = ANY(%s)", [[str(s) for s in OPEN_STATES]])
        closed = cursor.fetchone()[0]
        copies = -(-n // closed)
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(c) for c in fields)}) "
            f"SELECT {copied} FROM (SELECT * FROM {table} WHERE NOT state = ANY(%s)) AS app "
            f"CROSS JOIN generate_series(1, %s) AS n_copy LIMIT %s",
            [[str(s) for s in OPEN_STATES], copies, n],
        )
    print(f"  {n:,} closed applications copied")


def empty_cache(url: str) -> None:
    """Empty the Redis database the server will cache in (FLUSHDB: that database only)."""
    import redis

    try:
        redis.Redis.from_url(url).flushdb()
    except redis.RedisError as error:
        raise SystemExit(f"LOADTEST_REDIS_URL={url}: {error}") from error


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answers, whatever it says
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer at {url} within {seconds:.0f} s")


def sign_in(host: str, username: str) -> dict[str, str]:
    """Sign in through the login form once; return the session's cookies."""
    import http.cookiejar
    import re
    import urllib.parse

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    with opener.open(f"{host}/accounts/login/", timeout=120) as page:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
    form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": match[1] if match else ""}
    request = urllib.request.Request(
        f"{host}/accounts/login/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": f"{host}/accounts/login/"},
    )
    try:
        with opener.open(request, timeout=120) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 302:
        raise SystemExit(f"{username} could not sign in: HTTP {status}")
    return {cookie.name: cookie.value for cookie in jar}


def warm_up(host: str, cookies: dict[str, dict[str, str]], token: str, workers: int) -> None:
    """Before measuring, each page a few times per gunicorn worker, one request at a time: each
    worker compiles its templates and builds its calendar once, and the first dashboard view
    counts the department's figures into the (empty) cache, as a deployment's first minutes
    would. Prints how long the first and the slowest of each took. ``LOADTEST_WARMUP=0`` skips it."""
    roles = {"/worklist/": "officer", "/dashboard/": "manager", "/portal/": "enterprise"}
    print("warm-up, one request at a time (ms):")
    for path in ENDPOINTS:
        if path in roles:
            jar = "; ".join(f"{name}={value}" for name, value in cookies[roles[path]].items())
            headers = {"Cookie": jar}
        else:
            headers = {"Authorization": f"Token {token}"}
        took = []
        for _ in range(3 * workers):
            started = time.monotonic()
            with urllib.request.urlopen(urllib.request.Request(f"{host}{path}", headers=headers), timeout=300) as page:
                page.read()
                if page.status != 200:
                    raise SystemExit(f"warm-up: {path} answered HTTP {page.status}")
            took.append((time.monotonic() - started) * 1000)
        first, slowest, last = took[0], max(took), took[-1]
        print(f"  {path:<22} first {first:>7,.0f}  slowest {slowest:>7,.0f}  last {last:>5,.0f} ({len(took)} requests)")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def worker_peaks(master: int) -> list[float]:
    """The peak resident memory (VmHWM, MB) of each of gunicorn's workers (the master's children)."""
    peaks = []
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    for child in children:
        try:
            status = Path(f"/proc/{child}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return sorted(peaks)


def report(prefix: str) -> int:
    """Print locust's figures per endpoint; return the number of failed requests."""
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    print()
    print(f"{'endpoint':<34} {'requests':>9} {'failures':>9} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'req/s':>7}")
    failures = 0
    for row in rows:
        name = "all" if row["Name"] == "Aggregated" else row["Name"]
        failures += int(row["Failure Count"]) if name != "all" else 0
        print(
            f"{name:<34} {int(row['Request Count']):>9,} {int(row['Failure Count']):>9,} "
            f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7} {float(row['Requests/s']):>7.1f}"
        )
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true", help="build the data set even if it is there")
    parser.add_argument("--prepare-only", action="store_true", help="build the data set, start no server")
    args = parser.parse_args(argv)

    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"DATABASE_URL={url!r}: the load test runs on PostgreSQL")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")  # this process only; gunicorn runs with DEBUG=0
    ensure_database(url)
    tokens = prepare(args.total, args.open, args.rebuild)
    if args.prepare_only:
        return 0

    workers = os.environ.get("LOADTEST_WORKERS") or str(2 * (os.cpu_count() or 1) + 1)
    # As deployed (docs/DEPLOY.md): the cache in Redis, shared by the gunicorn workers. A Redis
    # database of its own, emptied first, so that every run starts from a cold cache.
    redis_url = os.environ.get("LOADTEST_REDIS_URL", DEFAULT_REDIS_URL)
    empty_cache(redis_url)
    scratch = tempfile.mkdtemp(prefix="shixian-loadtest-")
    # The writer's acts issue signed documents: a throwaway signing pair, and a private folder
    # of this run's own for their files (as `make check-deploy` does).
    subprocess.run(
        [sys.executable, "manage.py", "signing_key", "--test-pair", f"{scratch}/pair"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server_env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "0",  # plain HTTP on the loopback: no redirect to https, cookies without Secure
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": redis_url,
        "DOCUMENT_SIGNING_KEY": f"{scratch}/pair/key.pem",
        "DOCUMENT_SIGNING_CERT": f"{scratch}/pair/cert.pem",
        "PRIVATE_MEDIA_ROOT": f"{scratch}/private",
    }
    # DEBUG=0 serves the hashed static files collectstatic writes.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=server_env, check=True
    )
    gunicorn = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "-w", workers, "-b", BIND, "--log-level", "warning"],
        cwd=ROOT,
        env=server_env,
        start_new_session=True,
    )
    try:
        wait_until_up(f"http://{BIND}/accounts/login/")
        users = os.environ.get("LOADTEST_USERS", "16")
        seconds = os.environ.get("LOADTEST_SECONDS", "60")
        print(f"gunicorn: {workers} workers on {BIND}; locust: {users} users for {seconds} s")
        # Three sign-ins in all, shared by every client: their session cookies go to locust.
        cookies = {role: sign_in(f"http://{BIND}", username) for role, username in LOGINS.items()}
        if os.environ.get("LOADTEST_WARMUP", "1") != "0":
            warm_up(f"http://{BIND}", cookies, tokens["officer"], int(workers))
        writes = os.environ.get("LOADTEST_WRITE_EVERY", "")
        if writes:  # one more client, the writer: readers stay LOADTEST_USERS
            users = str(int(users) + 1)
            print(f"and 1 writer: a special procedure started or ended every {writes} s on case {tokens['write_case']}")
        locust_env = {
            **os.environ,
            "LOADTEST_WRITE_CASE": tokens["write_case"],
            "LOADTEST_PASSWORD": PASSWORD,
            "LOADTEST_LOGINS": ",".join(LOGINS[role] for role in ("officer", "manager", "enterprise")),
            "LOADTEST_TOKEN": tokens["officer"],
            "LOADTEST_COOKIES": json.dumps(cookies),
        }
        command = [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "--host",
            f"http://{BIND}",
            "-u",
            users,
            "-r",
            users,
            "--run-time",
            f"{seconds}s",
            "--csv",
            f"{scratch}/loadtest",
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        if os.environ.get("LOADTEST_PROCESSES"):
            command += ["--processes", os.environ["LOADTEST_PROCESSES"]]
        subprocess.run(command, cwd=ROOT, env=locust_env, stdout=subprocess.DEVNULL, check=False)
        failures = report(f"{scratch}/loadtest")
        peaks = worker_peaks(gunicorn.pid)
        if peaks:
            print(f"gunicorn workers' peak RSS (VmHWM): {', '.join(f'{mb:,.0f}' for mb in peaks)} MB")
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)
    if failures:
        print(f"{failures:,} requests failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

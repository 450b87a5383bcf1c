"""The public lookup's throttle under real concurrency: 40 wrong codes sent at once to gunicorn
with 4 worker processes, of which at most 10 (TRACK_MAX_FAILURES) may be looked up; the rest get
429 with Retry-After. Run on each store the throttle's counters can live in: the database cache on
SQLite (a laptop without Redis) and on PostgreSQL, and Redis (production). The server runs on a
database of its own, made for the test and removed after it; PostgreSQL and Redis runs are skipped
where they do not answer, saying so.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
POSTGRES = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/13"  # a database number of its own: the counters are removed after
ATTEMPTS, LIMIT, WORKERS = 40, 10, 4


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_answers() -> bool:
    try:
        import psycopg

        psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=3).close()
    except Exception:  # noqa: BLE001  (any failure means: not here)
        return False
    return True


def redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=3).ping())
    except Exception:  # noqa: BLE001
        return False


def clear_redis_counters() -> None:
    import redis

    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter("*throttle:track:*"):
        client.delete(key)


def environment(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PROXY_PROTOCOL"}}
    # A window of a day: a window that turns during the burst would rightly let a second 10 through.
    return {**base, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings", "TRACK_WINDOW_SECONDS": "86400", **extra}


def manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(params=["sqlite", "postgres", "redis"])
def server(request, tmp_path) -> Iterator[int]:
    """gunicorn with 4 workers on a migrated database of its own; the port it listens on."""
    store = request.param
    database = f"shixian_throttle_{uuid.uuid4().hex[:8]}"
    if store == "sqlite":
        env = environment(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    else:
        if not postgres_answers():
            pytest.skip(f"PostgreSQL does not answer at {POSTGRES}")
        if store == "redis" and not redis_answers():
            pytest.skip(f"Redis does not answer at {REDIS}")
        import psycopg

        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        env = environment(DATABASE_URL=f"{POSTGRES}/{database}")
        if store == "redis":
            env["REDIS_URL"] = REDIS
            clear_redis_counters()
    port = free_port()
    process = None
    try:
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "createcachetable")
        env.update(WEB_CONCURRENCY=str(WORKERS), GUNICORN_BIND=f"127.0.0.1:{port}")
        log = (tmp_path / "gunicorn.log").open("w")
        process = subprocess.Popen(
            [str(GUNICORN), "-c", "config/gunicorn.conf.py"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(port, "/track/")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not answer in 60 s"
            time.sleep(0.3)
        yield port
    finally:
        if process is not None:
            process.terminate()
            process.wait(30)
        if store != "sqlite":
            import psycopg

            with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if store == "redis":
            clear_redis_counters()


def get(port: int, path: str) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": "django_language=en"})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def post(port: int, path: str, body: str, cookie: str) -> tuple[int, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        connection.close()


def test_forty_concurrent_wrong_codes_against_four_workers_get_at_most_ten_lookups(server: int) -> None:
    _, headers, page = get(server, "/track/")
    csrf_cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    cookie = f"csrftoken={csrf_cookie}; django_language=en"
    barrier = threading.Barrier(ATTEMPTS)
    answers: list[tuple[int, dict[str, str]]] = []

    def guess(n: int) -> None:
        body = f"csrfmiddlewaretoken={token}&tracking_number=XK2026000123&query_code=WRONG{n:03d}"
        barrier.wait()
        answers.append(post(server, "/track/", body, cookie))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    statuses = sorted(status for status, _ in answers)
    assert len(statuses) == ATTEMPTS
    assert set(statuses) <= {404, 429}, statuses  # 404: looked up, no such case; 429: refused before
    assert statuses.count(404) == LIMIT, statuses
    assert all(int(headers["Retry-After"]) > 0 for status, headers in answers if status == 429)
    assert get(server, "/track/")[0] == 429  # and the next visit is told at once

"""The SLA sweep under real concurrency and real interruption, on PostgreSQL.

Two sweeps released at once over the same due alerts raise each exactly once; a sweep killed
with SIGKILL in the middle of its work is completed by the next run; and the sweep runs once
through a real django-q2 cluster with the Redis broker. SQLite serialises writers and its test
database lives in memory (no other process can see it), so these run where CI runs them: on
PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection

from approvals import sla
from approvals.audit import verify_chain
from approvals.models import Alert, Application, AuditEvent, Notification
from tests.cast import Cast

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (DATABASE_URL=postgres://...): parallel sweeps and other processes need a shared "
        "database server",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).parent.parent
RECEIVED = date(2026, 3, 2)  # acceptance due Mon 9 March: yellow on Fri 6 March
SWEPT = date(2026, 3, 6)


def received(cast: Cast, count: int) -> list[int]:
    for user in (cast.olga, cast.oscar):
        user.email = f"{user.username}@example.gov.cn"
        user.save(update_fields=["email"])
    return [cast.received(on=RECEIVED).pk for _ in range(count)]


def assert_each_raised_once(pks: list[int]) -> None:
    alerts = list(Alert.objects.filter(application__in=pks).values_list("application", "clock", "level"))
    assert sorted(alerts) == sorted((pk, "acceptance", "yellow") for pk in pks)
    assert AuditEvent.objects.filter(application__in=pks, action="alert").count() == len(pks)
    assert Notification.objects.filter(application__in=pks, kind="alert").count() == len(pks)
    assert verify_chain().ok


def test_two_parallel_sweeps_raise_each_alert_once(committed_cast: Cast) -> None:
    pks = received(committed_cast, 30)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run() -> None:
        try:
            barrier.wait()
            results.append(sla.sweep(SWEPT))
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert sorted(r.raised for r in results)[1] > 0, "both sweeps really ran"
    assert sum(r.raised for r in results) == 30
    assert_each_raised_once(pks)
    assert len(mail.outbox) == 30, "one email per alert, none twice"


def subprocess_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        DATABASE_URL=url,
        DEBUG="1",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        **extra,
    )
    return env


def test_a_sweep_killed_mid_way_is_completed_by_the_next(committed_cast: Cast, tmp_path: Path) -> None:
    pks = received(committed_cast, 60)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "sla_sweep", "--date", SWEPT.isoformat()],
        cwd=ROOT,
        env=subprocess_env(tmp_path, EMAIL_LEASE_SECONDS="1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # Kill it as soon as it has committed some alerts, before it has done them all.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and Alert.objects.count() < 5 and worker.poll() is None:
        time.sleep(0.005)
    worker.send_signal(signal.SIGKILL)
    worker.wait(30)
    done_by_the_killed = Alert.objects.count()
    assert 0 < done_by_the_killed < 60, f"killed after {done_by_the_killed} of 60: not mid-way"
    assert worker.returncode == -signal.SIGKILL

    time.sleep(1.1)  # the killed worker's email claims, if any, expire
    result = sla.sweep(SWEPT)
    assert result.raised == 60 - done_by_the_killed
    assert_each_raised_once(pks)
    assert not Notification.objects.filter(kind="alert", emailed_at__isnull=True).exists()
    files = list((tmp_path / "mail").glob("*")) if (tmp_path / "mail").exists() else []
    sent_by_the_killed = sum(path.read_text().count("\nTo: ") for path in files)
    # At least once: every alert's email went out; a message the killed worker sent but could not
    # mark may go twice (at most the one in flight).
    assert 60 <= sent_by_the_killed + len(mail.outbox) <= 61
    assert Application.objects.filter(pk__in=pks, next_alert_level="acceptance:yellow").count() == 0


@pytest.mark.skipif(
    subprocess.run(["redis-cli", "ping"], capture_output=True, text=True).stdout.strip() != "PONG",
    reason="needs Redis on 127.0.0.1:6379 (.ci/run starts it)",
)
def test_the_sweep_runs_in_a_real_django_q2_cluster_over_redis(committed_cast: Cast, tmp_path, monkeypatch) -> None:
    from django_q.brokers.redis_broker import Redis
    from django_q.conf import Conf
    from django_q.tasks import async_task, result

    pks = received(committed_cast, 5)
    redis_url = "redis://127.0.0.1:6379/15"
    monkeypatch.setattr(Conf, "REDIS", redis_url)
    monkeypatch.setattr(Conf, "SYNC", False)
    broker = Redis()
    broker.purge_queue()
    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=subprocess_env(tmp_path, REDIS_URL=redis_url, Q_WORKERS="1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        task_id = async_task("approvals.sla.sweep_task", broker=broker)
        answer = result(task_id, wait=90_000)
    finally:
        cluster.send_signal(signal.SIGTERM)
        try:
            cluster.wait(30)
        except subprocess.TimeoutExpired:
            cluster.kill()
    assert answer is not None, "the cluster did not run the task: " + cluster.stderr.read().decode()[-2000:]
    assert answer.startswith("alerts raised: ")
    # The worker sweeps as of the real today: every application received on 2 March 2026 is long
    # past its acceptance period, so each was deemed accepted once and alerted.
    assert int(answer.split(";")[0].split(": ")[1]) >= 5
    assert AuditEvent.objects.filter(application__in=pks, action="deem_accepted").count() == 5

"""The fault drill (issue 7): real failures, on a PostgreSQL cluster of the drill's own.

    .venv/bin/python scripts/fault_drill.py [--rounds 20] [--seed N] [--keep]      (make fault-drill)

Starts a private PostgreSQL cluster (initdb in a temporary folder, a free port, run as the
``postgres`` user when started by root), so that restarting it disturbs nothing else; removes it
at the end, failure or not.

Part 1, worker kills. A data set with a known set of alerts due (bulk rows, as the benchmarks
build them) is copied; a clean uninterrupted sweep of the copy is the reference. Then, ``rounds``
times, a real ``manage.py qcluster`` (ORM broker on the drill database) is given the sweep task
the schedule runs, and while it sweeps the drill SIGKILLs the worker process running it (found
through the database connection holding a claim), or now and then the whole cluster. Each unit is
slowed in the drill's database only (a trigger that sleeps), so that kills land inside units.
After each kill: the killed transaction rolled back, no claim committed half-done, no alert twice.
A final uninterrupted sweep completes the rest; then the alerts, notifications, audit events and
applications must equal the reference's, every email must have gone exactly once (twice only for
a message a kill caught after sending and before marking: the outbox is at-least-once by design),
and ``manage.py verify_audit`` must pass.

Part 2, a database restart under load. gunicorn (config/gunicorn.conf.py, DEBUG off, persistent
connections) is driven by threads asking public pages, a signed-in page and the API; PostgreSQL
is stopped for a few seconds and started again. During the outage every answer must be a clean
503 (a short page or the API's error JSON, Retry-After, no traceback) within the timeout; after
it, the app must answer 200 again by itself. Any 500, hang or missing recovery fails the drill.

Prints a line per round and a summary; exits non-zero on any discrepancy.
"""

from __future__ import annotations

import argparse
import atexit
import collections
import contextlib
import email
import email.header
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
SECRET = "fault-drill-" + os.urandom(16).hex()
SLOW_UNIT_SECONDS = 0.03  # the trigger's sleep per alert, inside the unit's transaction
EMAIL_LEASE = 4  # seconds; a killed worker's email claims expire after this
REQUEST_TIMEOUT = 5.0  # seconds: an answer later than this is a hang
RECOVERY_LIMIT = 15.0  # seconds after PostgreSQL is back within which the app must answer 200 again
OUTAGE_SECONDS = 5.0


def say(line: str = "") -> None:
    print(line, flush=True)


# -- processes ------------------------------------------------------------------------------------

_children: list[subprocess.Popen] = []


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A child in its own process group (killed with it at the end, whatever happens)."""
    with log.open("ab") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    _children.append(proc)
    return proc


def kill_group(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(30)


def unfinished(db, today: date) -> tuple[int, int]:
    """(units still due, emails still owed) in the drill's database."""
    left = db.execute("SELECT count(*) FROM approvals_application WHERE next_alert_on <= %s", [today]).fetchone()[0]
    owed = db.execute("SELECT count(*) FROM approvals_notification WHERE email AND emailed_at IS NULL").fetchone()[0]
    return left, owed


def stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if it does not stop within 30 seconds."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            kill_group(proc)
    with contextlib.suppress(ProcessLookupError):  # stray grandchildren
        os.killpg(proc.pid, signal.SIGKILL)


def descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents[ppid].append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def pid_of_connection(client_port: int, server_port: int, candidates: list[int]) -> int | None:
    """The process among ``candidates`` that owns the TCP connection from ``client_port``."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                local, remote = parts[1], parts[2]
                if int(local.rsplit(":", 1)[1], 16) == client_port and int(remote.rsplit(":", 1)[1], 16) == server_port:
                    inode = parts[9]
    if inode is None:
        return None
    for pid in candidates:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                        return pid
    return None


def free_port(start: int) -> int:
    for port in range(start, start + 200):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port from {start}")


# -- the private PostgreSQL cluster --------------------------------------------------------------


class Postgres:
    """A throwaway cluster: initdb into a temporary folder, trust authentication, 127.0.0.1 only."""

    def __init__(self, base: Path) -> None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
        if not found:
            raise SystemExit("the PostgreSQL server binaries are missing (apt-get install postgresql)")
        self.bin = found[-1].parent
        self.base = base
        self.data = base / "data"
        self.port = free_port(5433)
        self.log = base / "postgresql.log"
        self.as_postgres = os.geteuid() == 0  # initdb refuses to run as root

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, cwd="/", capture_output=True, text=True, timeout=120)
        if check and done.returncode:
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}\n{self.tail()}")
        return done

    def tail(self) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text().splitlines()[-20:])
        return ""

    def init(self) -> None:
        if self.as_postgres:
            import pwd

            user = pwd.getpwnam("postgres")
            os.chown(self.base, user.pw_uid, user.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "-N")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\n# fault drill\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.base}'\nmax_connections = 100\n"
                "fsync = off\nfull_page_writes = off\nshared_buffers = 32MB\n"
            )

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def admin(self):
        import psycopg

        return psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True)

    def connect(self, name: str):
        import psycopg

        return psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname={name}", autocommit=True)


# -- part 1: worker kills ------------------------------------------------------------------------


@dataclass
class Round:
    number: int
    mode: str
    delay: float = 0.0
    killed: str = ""
    in_unit: bool = False
    unit_app: int | None = None
    alerts_before: int = 0
    alerts_after: int = 0
    rolled_back: bool | None = None
    respawn_seconds: float | None = None
    orphan_claims: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# The connections inside a unit: they hold the claim's UPDATE on approvals_application until they
# commit; with the application they claimed (its row lock, through the pgrowlocks extension).
CLAIM_HOLDERS = """
    SELECT a.pid, a.client_port, a.state, (
        SELECT app.id FROM pgrowlocks('approvals_application') r
        JOIN approvals_application app ON app.ctid = r.locked_row WHERE a.pid = ANY(r.pids) LIMIT 1
    ) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.relation = 'approvals_application'::regclass AND l.mode = 'RowExclusiveLock' AND l.granted
      AND a.pid <> pg_backend_pid() AND a.xact_start IS NOT NULL
"""


def parse_mail(folder: Path) -> collections.Counter:
    """(recipient, tracking number) of every message the file backend wrote."""
    sent: collections.Counter = collections.Counter()
    if not folder.exists():
        return sent
    for path in folder.iterdir():
        for chunk in path.read_text(errors="replace").split("-" * 79):
            if "To: " not in chunk:
                continue
            message = email.message_from_string(chunk.lstrip("\n"))
            subject = str(email.header.make_header(email.header.decode_header(message.get("Subject", ""))))
            number = re.search(r"\b(?:XK|MH|BA)\d{11}\b", subject)
            sent[(message.get("To", ""), number.group(0) if number else subject)] += 1
    return sent


def snapshot(today: date) -> dict[str, collections.Counter | list]:
    """What the sweep produced, comparable across two copies of one data set."""
    from approvals.models import Alert, Application, AuditEvent, Notification

    return {
        "alerts": collections.Counter(
            Alert.objects.values_list("application_id", "clock", "level", "due", "raised_on", "cleared_on")
        ),
        "notifications": collections.Counter(
            (n.recipient_id, n.application_id, n.kind, n.data.get("level"), n.email)
            for n in Notification.objects.only("recipient_id", "application_id", "kind", "data", "email")
        ),
        "audit events": collections.Counter(
            (e.application_id, e.action, e.data.get("level"))
            for e in AuditEvent.objects.exclude(application=None).only("application_id", "action", "data")
        ),
        "applications": sorted(Application.objects.values_list("pk", "next_alert_on", "next_alert_level", "clock")),
    }


def counter_diff(a: collections.Counter, b: collections.Counter, limit: int = 3) -> str:
    missing, extra = a - b, b - a
    return (
        f"{sum(missing.values())} missing (e.g. {list(missing)[:limit]}), "
        f"{sum(extra.values())} extra (e.g. {list(extra)[:limit]})"
    )


class WorkerKills:
    def __init__(self, pg: Postgres, work: Path, rounds: int, rng: random.Random) -> None:
        self.pg, self.work, self.rounds, self.rng = pg, work, rounds, rng
        self.mail = work / "mail"
        self.cluster: subprocess.Popen | None = None
        self.problems: list[str] = []
        self.sent_not_marked: collections.Counter = collections.Counter()

    def env(self, database: str, mail: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
        env.update(
            DATABASE_URL=self.pg.url(database),
            DEBUG="1",
            SECRET_KEY=SECRET,
            DJANGO_SETTINGS_MODULE="config.settings",
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(mail),
            EMAIL_LEASE_SECONDS=str(EMAIL_LEASE),
            Q_WORKERS="2",
            LOG_LEVEL="WARNING",
        )
        return env

    # -- the data set

    def build(self, yellow: int, red: int) -> date:
        from django.core.management import call_command
        from django.db import connection

        from approvals import workflow
        from approvals.models import Application, Role, User
        from benchmarks import bulk

        call_command("migrate", verbosity=0)
        cast = bulk.people(organisations=40, officers=10)
        staff = list(User.objects.filter(role__in=[Role.OFFICER, Role.MANAGER]))
        for user in staff:
            user.email = f"{user.username}@drill.example.cn"
        User.objects.bulk_update(staff, ["email"])
        today = workflow.today()
        # Yellow due today; then, accepted ten days earlier, yellow and red both due (the sweep
        # records the yellow one and tells only the red one, to the officer and the managers).
        bulk.applications(yellow, yellow, today, cast=cast, due=yellow, log=lambda *_: None)
        bulk.applications(red, red, today - timedelta(days=10), cast=cast, start=yellow, due=red, log=lambda *_: None)
        due = Application.objects.filter(next_alert_on__lte=today).count()
        levels = collections.Counter(
            Application.objects.filter(next_alert_on__lte=today).values_list("next_alert_level", flat=True)
        )
        say(f"  data set: {yellow + red} open applications, {due} with an alert due today ({dict(levels)})")
        connection.close()
        return today

    def reference(self, today: date) -> dict:
        """The same data swept once, without interruption, in a copy of the database."""
        from django.db import connection

        connection.close()
        with self.pg.admin() as admin:
            admin.execute("CREATE DATABASE drill_ref TEMPLATE drill")
        mail = self.work / "mail-reference"
        started = time.monotonic()
        done = subprocess.run(
            [PY, "manage.py", "sla_sweep", "--date", today.isoformat()],
            cwd=ROOT,
            env=self.env("drill_ref", mail),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode:
            raise SystemExit(f"the reference sweep failed:\n{done.stdout}\n{done.stderr[-3000:]}")
        last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
        say(f"  reference: one uninterrupted sweep of a copy: {last} ({time.monotonic() - started:.1f} s)")
        with _database("drill_ref", self.pg):
            ref = snapshot(today)
        ref["emails"] = parse_mail(mail)
        return ref

    def slow_down(self) -> None:
        with self.pg.connect("drill") as db:
            db.execute("CREATE EXTENSION IF NOT EXISTS pgrowlocks")
            db.execute(
                "CREATE FUNCTION fault_drill_slow() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN PERFORM pg_sleep({SLOW_UNIT_SECONDS}); RETURN NEW; END $$"
            )
            db.execute(
                "CREATE TRIGGER fault_drill_slow AFTER INSERT ON approvals_alert "
                "FOR EACH ROW EXECUTE FUNCTION fault_drill_slow()"
            )

    # -- the cluster

    def start_cluster(self) -> None:
        self.cluster = spawn([PY, "manage.py", "qcluster"], self.env("drill", self.mail), self.work / "qcluster.log")

    def enqueue_sweep(self) -> str:
        from django_q.tasks import async_task

        return async_task("approvals.sla.sweep_task", q_options={"task_name": "fault drill sweep"})

    def holders(self, db) -> list[tuple]:
        return db.execute(CLAIM_HOLDERS).fetchall()

    def run_round(self, number: int, db, today: date) -> Round:
        mode = "cluster" if number % 5 == 0 else ("mid-unit" if number % 2 else "any moment")
        this = Round(number, mode)
        if self.cluster is None or self.cluster.poll() is not None:
            self.start_cluster()
        assert self.cluster is not None
        this.alerts_before = db.execute("SELECT count(*) FROM approvals_alert").fetchone()[0]
        if not db.execute("SELECT 1 FROM approvals_application WHERE next_alert_on <= %s LIMIT 1", [today]).fetchone():
            this.problems.append("nothing left to sweep: the data set is too small for this many rounds")
            return this
        self.enqueue_sweep()
        # Wait for a worker to claim a unit: that connection is the sweep's.
        deadline = time.monotonic() + 90
        sweeper = backend = None
        while time.monotonic() < deadline and sweeper is None:
            for backend_pid, port, _state, _query in self.holders(db):
                pid = pid_of_connection(port, self.pg.port, descendants(self.cluster.pid))
                if pid:
                    sweeper, backend = pid, backend_pid
                    break
            else:
                time.sleep(0.01)
        if sweeper is None:
            this.problems.append("no worker started sweeping within 90 s")
            return this
        workers_before = set(descendants(self.cluster.pid))
        # A random moment, counted in units so that it does not depend on the machine's speed:
        # after 0 to 6 more alerts, and then 0 to 150 ms more.
        units = self.rng.randrange(7)
        pause = self.rng.uniform(0, 0.15)
        started = time.monotonic()
        until = started + 60
        count = "SELECT count(*) FROM approvals_alert"
        while time.monotonic() < until and db.execute(count).fetchone()[0] < this.alerts_before + units:
            time.sleep(0.005)
        time.sleep(pause)
        if mode == "mid-unit":  # wait (a little) for the sweeper to be inside a unit
            until = time.monotonic() + 3
            while time.monotonic() < until and not any(h[0] == backend for h in self.holders(db)):
                time.sleep(0.002)
        this.delay = time.monotonic() - started
        inside = [h for h in self.holders(db) if h[0] == backend]
        if mode == "cluster":
            kill_group(self.cluster)
            this.killed = f"cluster (pgid {self.cluster.pid})"
        else:
            with contextlib.suppress(ProcessLookupError):
                os.kill(sweeper, signal.SIGKILL)
            this.killed = f"worker {sweeper}"
        this.in_unit = bool(inside)
        if inside:
            this.unit_app = inside[0][3]
        # The server notices the dead client and rolls its transaction back.
        until = time.monotonic() + 30
        while time.monotonic() < until:
            if not db.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend]).fetchone():
                break
            time.sleep(0.01)
        else:
            this.problems.append(f"backend {backend} of the killed worker still there after 30 s")
        this.alerts_after = db.execute("SELECT count(*) FROM approvals_alert").fetchone()[0]
        if this.in_unit and this.unit_app:
            row = db.execute(
                "SELECT next_alert_on FROM approvals_application WHERE id = %s", [this.unit_app]
            ).fetchone()
            this.rolled_back = bool(row and row[0] is not None and row[0] <= today)
            if not this.rolled_back:
                # Its COMMIT may have reached the server just before the kill: then it is whole.
                raised = db.execute(
                    "SELECT count(*) FROM approvals_alert WHERE application_id = %s", [this.unit_app]
                ).fetchone()[0]
                if not raised:
                    this.problems.append(f"application {this.unit_app}: claim gone, no alert: lost")
        self.check_invariants(db, this)
        if mode != "cluster":  # django-q2's sentinel replaces the dead worker
            until = time.monotonic() + 20
            started = time.monotonic()
            while time.monotonic() < until and not set(descendants(self.cluster.pid)) - workers_before:
                time.sleep(0.05)
            if set(descendants(self.cluster.pid)) - workers_before:
                this.respawn_seconds = time.monotonic() - started
            else:
                this.problems.append("the sentinel did not replace the killed worker within 20 s")
        self.note_orphan_emails(db, this)
        return this

    def check_invariants(self, db, this: Round) -> None:
        half_done = db.execute(
            "SELECT id FROM approvals_application WHERE next_alert_on IS NULL AND next_alert_level <> ''"
        ).fetchall()
        if half_done:
            this.problems.append(f"claims committed without their alert: {[r[0] for r in half_done][:5]}")
        doubled = db.execute(
            "SELECT application_id, clock, level FROM approvals_alert WHERE cleared_on IS NULL "
            "GROUP BY 1, 2, 3 HAVING count(*) > 1"
        ).fetchall()
        if doubled:
            this.problems.append(f"alerts raised twice: {doubled[:5]}")
        alerts = db.execute("SELECT count(*) FROM approvals_alert").fetchone()[0]
        events = db.execute("SELECT count(*) FROM approvals_auditevent WHERE action = 'alert'").fetchone()[0]
        if alerts != events:
            this.problems.append(f"{alerts} alerts but {events} alert events in the audit trail")

    def note_orphan_emails(self, db, this: Round) -> None:
        """Emails the killed worker had claimed and not marked: after the lease, the next run sends
        them. If the message had already gone, it goes twice (at-least-once, by design)."""
        query = (
            "SELECT n.id, u.email, a.tracking_number FROM approvals_notification n "
            "JOIN approvals_user u ON u.id = n.recipient_id "
            "LEFT JOIN approvals_application a ON a.id = n.application_id "
            "WHERE n.emailed_at IS NULL AND n.email_claimed_until > now()"
        )
        first = {row[0]: row for row in db.execute(query).fetchall()}
        if not first:
            return
        time.sleep(1.0)  # a live worker marks its message within milliseconds
        still = {row[0]: row for row in db.execute(query).fetchall()}
        orphans = [still[pk] for pk in first if pk in still]
        this.orphan_claims = [row[0] for row in orphans]
        written = parse_mail(self.mail)
        for _pk, address, number in orphans:
            if written[(address, number)]:
                self.sent_not_marked[(address, number)] += 1

    # -- the drill

    def run(self) -> bool:
        say("part 1: SIGKILL of django-q2 workers during sweeps")
        with self.pg.admin() as admin:
            admin.execute("CREATE DATABASE drill")
        today = self.build(yellow=150, red=75)
        expected_due = None
        with self.pg.connect("drill") as db:
            expected_due = db.execute(
                "SELECT count(*) FROM approvals_application WHERE next_alert_on <= %s", [today]
            ).fetchone()[0]
        ref = self.reference(today)
        self.slow_down()
        rounds: list[Round] = []
        with self.pg.connect("drill") as db:
            for number in range(1, self.rounds + 1):
                this = self.run_round(number, db, today)
                rounds.append(this)
                unit = ""
                if this.in_unit:
                    unit = f"inside a unit (application {this.unit_app or '?'}), " + (
                        "rolled back" if this.rolled_back else "committed as the kill came"
                    )
                else:
                    unit = "between units"
                respawn = (
                    f", worker replaced in {this.respawn_seconds:.1f} s" if this.respawn_seconds is not None else ""
                )
                orphans = f", {len(this.orphan_claims)} email claim(s) orphaned" if this.orphan_claims else ""
                verdict = "ok" if not this.problems else "FAIL: " + "; ".join(this.problems)
                say(
                    f"  round {number:>2} {this.mode:<10} killed {this.killed:<22} after {this.delay:4.2f} s, {unit}; "
                    f"alerts {this.alerts_before}->{this.alerts_after}{respawn}{orphans}: {verdict}"
                )
                self.problems += [f"round {number}: {p}" for p in this.problems]
            # The next run: an uninterrupted sweep through the cluster completes what was cut short.
            if self.cluster is None or self.cluster.poll() is not None:
                self.start_cluster()
            time.sleep(EMAIL_LEASE + 0.5)  # the killed workers' email claims expire
            from django_q.tasks import result

            for _attempt in range(5):
                answer = result(self.enqueue_sweep(), wait=300_000)
                say(f"  final sweep through the cluster: {answer}")
                left, owed = unfinished(db, today)
                if answer is not None and not left and not owed:
                    break
            # Let the queued deliveries drain, then stop the cluster before counting.
            until = time.monotonic() + 60
            while time.monotonic() < until:
                waiting = db.execute("SELECT count(*) FROM django_q_ormq WHERE lock <= now()").fetchone()[0]
                if not waiting:
                    break
                time.sleep(0.5)
            assert self.cluster is not None
            stop_group(self.cluster)
            left, owed = unfinished(db, today)
            db.execute("DROP TRIGGER fault_drill_slow ON approvals_alert")
        if left:
            self.problems.append(f"{left} units still due after the final sweep")
        if owed:
            self.problems.append(f"{owed} emails still owed after the final sweep")
        from django.db import connection

        connection.close()
        got = snapshot(today)
        got["emails"] = parse_mail(self.mail)
        for name in ("alerts", "notifications", "audit events"):
            if got[name] != ref[name]:
                self.problems.append(
                    f"{name} differ from the uninterrupted sweep: {counter_diff(ref[name], got[name])}"
                )
        if got["applications"] != ref["applications"]:
            differ = [a for a, b in zip(ref["applications"], got["applications"], strict=False) if a != b]
            self.problems.append(f"applications' next alerts differ from the reference, e.g. {differ[:3]}")
        expected_emails = ref["emails"] + self.sent_not_marked
        if got["emails"] != expected_emails:
            self.problems.append(f"emails: {counter_diff(expected_emails, got['emails'])}")
        if any(count != 1 for count in ref["emails"].values()):
            self.problems.append("the reference itself sent an email twice")
        audit = subprocess.run(
            [PY, "manage.py", "verify_audit"],
            cwd=ROOT,
            env=self.env("drill", self.mail),
            capture_output=True,
            text=True,
        )
        if audit.returncode:
            self.problems.append(f"verify_audit failed: {audit.stderr.strip()[-500:]}")
        alerts = sum(got["alerts"].values())
        by_level = collections.Counter(level for (_a, _c, level, *_rest) in got["alerts"].elements())
        in_unit = sum(r.in_unit for r in rounds)
        say("  summary, part 1:")
        say(
            f"    {len(rounds)} kills ({sum(r.mode == 'cluster' for r in rounds)} of the whole cluster), "
            f"{in_unit} inside a unit (claimed, not committed), {len(rounds) - in_unit} between units or "
            "while sending email"
        )
        say(
            f"    units due at the start: {expected_due}; alerts raised: {alerts} {dict(by_level)} (reference: "
            f"{sum(ref['alerts'].values())}); each (application, clock, level) once: "
            f"{'yes' if got['alerts'] == ref['alerts'] else 'NO'}"
        )
        notified, notified_ref = sum(got["notifications"].values()), sum(ref["notifications"].values())
        say(
            f"    notifications: {notified} (reference {notified_ref}), same recipients and kinds: "
            f"{'yes' if got['notifications'] == ref['notifications'] else 'NO'}"
        )
        twice = sum(self.sent_not_marked.values())
        doubled = sum(c - 1 for c in got["emails"].values() if c > 1)
        say(
            f"    emails: {sum(got['emails'].values())} messages for {len(got['emails'])} notifications "
            f"(reference {sum(ref['emails'].values())}); sent twice: {doubled} "
            f"(expected {twice}: sent, then killed before marking); none lost: "
            f"{'yes' if set(got['emails']) >= set(ref['emails']) else 'NO'}"
        )
        said = (audit.stdout or audit.stderr).strip().splitlines()
        say(f"    verify_audit (exit {audit.returncode}): {said[-1] if said else ''}")
        return not self.problems


@contextlib.contextmanager
def _database(name: str, pg: Postgres):
    """Point this process's Django connection at another database of the drill's cluster."""
    from django.db import connection

    connection.close()
    original = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


# -- part 2: PostgreSQL restart under load -------------------------------------------------------


@dataclass
class Answer:
    at: float
    kind: str
    status: int | str
    seconds: float
    clean: bool
    detail: str = ""


class RestartUnderLoad:
    def __init__(self, pg: Postgres, work: Path) -> None:
        self.pg, self.work = pg, work
        self.port = free_port(8700)
        self.answers: list[Answer] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.problems: list[str] = []

    def credentials(self) -> tuple[str, str]:
        """A signed-in officer's session cookie and an API token, made directly in the database."""
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore
        from django.db import connection
        from rest_framework.authtoken.models import Token

        from approvals.models import Role, User

        officer = User.objects.filter(role=Role.OFFICER).order_by("pk").first()
        assert officer is not None
        backend = "django.contrib.auth.backends.ModelBackend"
        if backend not in settings.AUTHENTICATION_BACKENDS:
            backend = settings.AUTHENTICATION_BACKENDS[-1]
        session = SessionStore()
        session[SESSION_KEY] = str(officer.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = officer.get_session_auth_hash()
        session.create()
        token, _created = Token.objects.get_or_create(user=officer)
        connection.close()
        return session.session_key or "", token.key

    def ask(self, kind: str, path: str, headers: dict[str, str]) -> Answer:
        started = time.monotonic()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
                status, body, retry = response.status, response.read(), response.headers.get("Retry-After")
                content_type = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            status, body, retry = exc.code, exc.read(), exc.headers.get("Retry-After")
            content_type = exc.headers.get("Content-Type", "")
        except TimeoutError:
            return Answer(started, kind, "timeout", time.monotonic() - started, False, "no answer in time")
        except (urllib.error.URLError, ConnectionError, OSError) as exc:
            return Answer(started, kind, "no connection", time.monotonic() - started, False, str(exc)[:120])
        seconds = time.monotonic() - started
        text = body.decode(errors="replace")
        clean, detail = True, ""
        if status == 503:
            if kind == "api":
                try:
                    error = json.loads(text)["error"]
                    clean = error["status"] == 503 and error["code"] == "service_unavailable" and bool(error["message"])
                except (ValueError, KeyError, TypeError):
                    clean, detail = False, "503 without the API's error format"
            else:
                clean = content_type.startswith("text/html") and "<h1>" in text
            if not retry:
                clean, detail = False, "503 without Retry-After"
        if "Traceback" in text or "psycopg" in text:
            clean, detail = False, "a traceback or a driver message in the body"
        if status == 500:
            clean, detail = False, "500"
        return Answer(started, kind, status, seconds, clean, detail)

    def client(self, targets: list[tuple[str, str, dict[str, str]]]) -> None:
        i = 0
        while not self.stop.is_set():
            kind, path, headers = targets[i % len(targets)]
            i += 1
            answer = self.ask(kind, path, headers)
            with self.lock:
                self.answers.append(answer)
            time.sleep(0.02)

    def run(self) -> bool:
        say("part 2: PostgreSQL restart under load")
        session, token = self.credentials()
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
        env.update(
            DATABASE_URL=self.pg.url("drill"),
            DEBUG="0",
            HTTPS="0",  # plain HTTP on 127.0.0.1, no TLS proxy in front
            SECRET_KEY=SECRET,
            ALLOWED_HOSTS="127.0.0.1",
            CONN_MAX_AGE="60",
            DJANGO_SETTINGS_MODULE="config.settings",
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            WEB_CONCURRENCY="3",
            GUNICORN_TIMEOUT="30",
            LOG_LEVEL="WARNING",
        )
        # DEBUG off serves hashed static file names from collectstatic's manifest: collect into
        # the drill's folder (the deployment step), not the project's, and only what the pages
        # driven here use (compressing Swagger UI and the admin's files takes minutes on a busy host).
        env["STATIC_ROOT"] = str(self.work / "static")
        skip = ["--ignore", "drf_spectacular_sidecar", "--ignore", "rest_framework", "--ignore", "admin"]
        subprocess.run(
            [PY, "manage.py", "collectstatic", "--no-input", "-v", "0", *skip],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=600,
        )
        gunicorn = Path(PY).parent / "gunicorn"
        log = self.work / "gunicorn.log"
        # No control socket: its default path is one per user, and another gunicorn may be using it.
        server = spawn([str(gunicorn), "-c", "config/gunicorn.conf.py", "--no-control-socket"], env, log)
        try:
            return self._drive(server, session, token, log)
        finally:
            stop_group(server)

    def _drive(self, server: subprocess.Popen, session: str, token: str, log: Path) -> bool:
        until = time.monotonic() + 60
        while time.monotonic() < until:
            if server.poll() is not None:
                raise SystemExit("gunicorn stopped:\n" + log.read_text()[-3000:])
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                break
            time.sleep(0.2)
        cookie = {"Cookie": f"sessionid={session}"}
        api = {"Authorization": f"Token {token}", "Accept-Language": "en"}
        targets = [
            ("page", "/published/", {}),
            ("signed-in page", "/worklist/", cookie),
            ("api", "/api/applications/?page_size=5", api),
            ("api", "/api/alerts/", api),
        ]
        # Warm up: every target answers 200 before the drill starts (workers may still be booting).
        for kind, path, headers in targets:
            until = time.monotonic() + 90
            answer = self.ask(kind, path, headers)
            while answer.status != 200 and time.monotonic() < until:
                time.sleep(0.5)
                answer = self.ask(kind, path, headers)
            if answer.status != 200:
                raise SystemExit(
                    f"{path} answers {answer.status} before the drill: {answer.detail}\n{log.read_text()[-3000:]}"
                )
        threads = [
            threading.Thread(target=self.client, args=(targets[i:] + targets[:i],), daemon=True) for i in range(6)
        ]
        for thread in threads:
            thread.start()
        time.sleep(4)
        stopping = time.monotonic()
        self.pg.stop("fast")
        stopped = time.monotonic()
        time.sleep(OUTAGE_SECONDS)
        restarting = time.monotonic()
        self.pg.start()
        back = time.monotonic()
        time.sleep(RECOVERY_LIMIT + 2)
        self.stop.set()
        for thread in threads:
            thread.join(REQUEST_TIMEOUT + 5)
        answers = sorted(self.answers, key=lambda a: a.at)
        phases = {
            "before": [a for a in answers if a.at < stopping],
            "outage": [a for a in answers if stopping <= a.at < back],
            "after": [a for a in answers if a.at >= back],
        }
        failures_after = [a for a in phases["after"] if a.status != 200]
        last_failure = max((a.at + a.seconds for a in failures_after), default=back)
        recovery = last_failure - back
        say(
            f"  PostgreSQL stopped at +{stopped - stopping:.1f} s (pg_ctl stop -m fast), down for "
            f"{restarting - stopped:.1f} s, accepting connections {back - restarting:.1f} s after pg_ctl start"
        )
        for name, group in phases.items():
            counts = collections.Counter(str(a.status) for a in group)
            slowest = max((a.seconds for a in group), default=0)
            say(
                f"  {name:<7} {len(group):>5} answers: "
                + ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))
                + f"; slowest {slowest:.2f} s"
            )
            kinds = collections.Counter((a.kind, str(a.status)) for a in group)
            say("           by kind: " + ", ".join(f"{k} {s}: {n}" for (k, s), n in sorted(kinds.items())))
        unclean = [a for a in answers if not a.clean]
        outside = [a for a in phases["before"] if a.status != 200 and a.at + a.seconds < stopping]
        if unclean:
            self.problems.append(
                f"{len(unclean)} unclean answers, e.g. "
                + "; ".join(f"{a.kind} {a.status} {a.detail}" for a in unclean[:3])
            )
        if outside:
            self.problems.append(f"{len(outside)} errors before the outage")
        if not [a for a in phases["outage"] if a.status == 503]:
            self.problems.append("no 503 during the outage: the drill did not bite")
        if any(str(a.status) not in {"200", "503"} for a in phases["outage"]):
            self.problems.append("answers other than 200 or 503 during the outage")
        if recovery > RECOVERY_LIMIT or not any(a.status == 200 for a in phases["after"]):
            self.problems.append(f"no recovery within {RECOVERY_LIMIT:.0f} s of PostgreSQL's return")
        if server.poll() is not None:
            self.problems.append("gunicorn died")
        say("  summary, part 2:")
        say(
            f"    {len(answers)} requests; during the outage {sum(a.status == 503 for a in phases['outage'])} "
            "clean 503s; "
            f"500s: {sum(a.status == 500 for a in answers)}; timeouts: {sum(a.status == 'timeout' for a in answers)}; "
            f"recovered {max(recovery, 0):.1f} s after PostgreSQL accepted connections again "
            f"({(last_failure - restarting):.1f} s after pg_ctl start), without restarting gunicorn"
        )
        return not self.problems


# -- main -------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, mail) at the end")
    parser.add_argument("--part", choices=["1", "2", "both"], default="both")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="shixian-fault-drill-"))
    pg = Postgres(work)

    def teardown() -> None:
        for child in _children:
            if child.poll() is None:
                kill_group(child)
        if pg.data.exists():
            pg.stop("immediate")
        if args.keep:
            say(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    atexit.register(teardown)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    say(f"fault drill (seed {seed}): private PostgreSQL {pg.bin.parent.name} on 127.0.0.1:{pg.port}, in {work}")
    try:
        pg.init()
        pg.start()
        # Deemed acceptances issue documents: a signing pair and a private folder of the drill's own.
        from approvals.documents.signing import generate_development_pair

        generate_development_pair(work / "signing" / "key.pem", work / "signing" / "cert.pem", "安徽省通信管理局")
        os.environ.update(
            DOCUMENT_SIGNING_KEY=str(work / "signing" / "key.pem"),
            DOCUMENT_SIGNING_CERT=str(work / "signing" / "cert.pem"),
            PRIVATE_MEDIA_ROOT=str(work / "private"),
            DATABASE_URL=pg.url("drill"),
            DEBUG="1",
            SECRET_KEY=SECRET,
            DJANGO_SETTINGS_MODULE="config.settings",
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(work / "mail-drill-process"),
            LOG_LEVEL="WARNING",
        )
        os.environ.pop("REDIS_URL", None)
        import django

        django.setup()
        problems: list[str] = []
        if args.part in ("1", "both"):
            part1 = WorkerKills(pg, work, args.rounds, random.Random(seed))
            part1.run()
            problems += part1.problems
        else:
            with pg.admin() as admin:
                admin.execute("CREATE DATABASE drill")
            WorkerKills(pg, work, 0, random.Random(seed)).build(yellow=20, red=10)
        if args.part in ("2", "both"):
            part2 = RestartUnderLoad(pg, work)
            part2.run()
            problems += part2.problems
    finally:
        teardown()
        atexit.unregister(teardown)
    say(f"fault drill: {time.monotonic() - started:.0f} s")
    if problems:
        say("FAILED:")
        for problem in problems:
            say(f"  - {problem}")
        return 1
    say("fault drill passed: no alert lost or doubled; clean 503s during the outage and recovery after it")
    return 0


if __name__ == "__main__":
    sys.exit(main())

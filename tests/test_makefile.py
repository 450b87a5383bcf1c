"""The Makefile passes the environment to the program (a DATABASE_URL that does not reach the
command runs everything on SQLite without a word), and the program says which database, broker
and cache it uses when it starts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from approvals.apps import _starting_server, backends

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def make(*args: str, **env: str) -> str:
    # A fresh make, as a user runs it: not the variables of a make this test may run under
    # (`make test-postgres DATABASE_URL=…` passes its command line on in MAKEFLAGS, which would
    # override the environment given here).
    inherited = ("DATABASE_URL", "REDIS_URL", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")
    environment = {k: v for k, v in os.environ.items() if k not in inherited}
    # -o: the virtualenv's stamp is taken as current (a test installs nothing).
    done = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", *args],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


def test_the_environment_s_database_and_broker_reach_the_command() -> None:
    said = make(
        "backends",
        DATABASE_URL="postgres://someone:secret@db.example:5433/elsewhere",
        REDIS_URL="redis://:secret@cache.example:6380/2",
    )
    assert "database postgresql someone@db.example:5433/elsewhere" in said
    assert "broker redis cache.example:6380/2" in said
    assert "secret" not in said  # no password on a terminal or in a log


def test_without_a_database_url_the_command_says_it_runs_on_sqlite(tmp_path: Path) -> None:
    assert "database sqlite " in make("backends")
    assert f"database sqlite {tmp_path}/x.sqlite3;" in make("backends", DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3")


def test_the_makefile_assigns_no_variable_the_settings_read() -> None:
    """A make assignment to a variable the program reads from the environment (even one
    target's ``?=``) stops GNU make from passing the environment's value to every recipe; only
    a global ``export NAME ?= default`` keeps it."""
    settings_text = (ROOT / "config" / "settings.py").read_text()
    names = set(re.findall(r"""(?:os\.environ\.get|env_int|env_bool|env_list)\(\s*["']([A-Z_]+)["']""", settings_text))
    assert {"DATABASE_URL", "REDIS_URL", "DEBUG"} <= names
    assignment = re.compile(r"^(?P<target>[\w.%/$() -]+:\s+)?(?:export\s+)?(?P<name>[A-Z_]+)\s*(?P<op>\?=|::?=|\+=|=)")
    wrong = []
    for line in (ROOT / "Makefile").read_text().splitlines():
        found = assignment.match(line)
        if found and found["name"] in names and (found["target"] or found["op"] != "?="):
            wrong.append(line)
    assert wrong == []


@pytest.mark.parametrize(
    ("argv", "run_main", "says"),
    [
        (["manage.py", "runserver"], None, False),  # the autoreloader, watching: its child says it
        (["manage.py", "runserver"], "true", True),
        (["manage.py", "runserver", "--noreload"], None, True),
        (["manage.py", "qcluster"], None, True),
        (["/srv/shixian/.venv/bin/gunicorn", "-c", "config/gunicorn.conf.py"], None, True),
        (["manage.py", "migrate"], None, False),
        (["/work/main/.venv/bin/pytest", "-q"], None, False),
    ],
)
def test_a_server_says_its_backends_when_it_starts_and_nothing_else_does(
    argv: list[str], run_main: str | None, says: bool, monkeypatch
) -> None:
    if run_main is None:
        monkeypatch.delenv("RUN_MAIN", raising=False)
    else:
        monkeypatch.setenv("RUN_MAIN", run_main)
    assert _starting_server(argv) is says


def test_the_line_names_the_ORM_broker_and_a_per_process_cache(settings) -> None:
    settings.Q_CLUSTER = {"name": "shixian", "orm": "default"}
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "throttle": {"BACKEND": "approvals.throttle.DatabaseCache", "LOCATION": "shixian_throttle"},
    }
    line = backends()
    assert "broker the database (django-q2 ORM)" in line and "cache LocMemCache (this process only)" in line
    assert line.endswith("throttle the database (shixian_throttle)")


def test_a_fresh_database_after_migrate_has_the_throttle_s_table(tmp_path) -> None:
    """make run on a fresh clone: migrate, then /track/ counts on the database cache at once
    (without Redis), no `createcachetable` to remember."""
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    env.pop("REDIS_URL", None)
    subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    check = "from django.db import connection; print('shixian_throttle' in connection.introspection.table_names())"
    shell = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", check], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    )
    assert shell.stdout.strip().splitlines()[-1] == "True"

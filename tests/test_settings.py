"""config/settings.py: defaults for a newcomer, loud failures for bad values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def start(**env: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter, as a server start does."""
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"}}
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.TIME_ZONE, s.LANGUAGE_CODE, s.DATABASES['default']['ENGINE'], sorted(s.Q_CLUSTER))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        timeout=60,
    )


def test_the_defaults_suit_a_newcomer() -> None:
    result = start(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert "True Asia/Shanghai zh-hans django.db.backends.sqlite3" in result.stdout
    assert "'orm'" in result.stdout and "'redis'" not in result.stdout


def test_redis_becomes_the_broker_when_configured() -> None:
    result = start(DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stderr
    assert "'redis'" in result.stdout and "'orm'" not in result.stdout


def test_postgres_urls_are_understood() -> None:
    result = start(DEBUG="1", DATABASE_URL="postgres://postgres@127.0.0.1:5432/test")
    assert "django.db.backends.postgresql" in result.stdout, result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"DEBUG": "0"}, "SECRET_KEY is not set"),
        ({"DEBUG": "1", "DATABASE_URL": "mysql://root@localhost/x"}, "only sqlite:// and postgres://"),
        ({"DEBUG": "1", "DATABASE_URL": "nonsense"}, "DATABASE_URL='nonsense' cannot be used"),
        ({"DEBUG": "1", "REDIS_URL": "localhost:6379"}, "REDIS_URL='localhost:6379' must start with redis://"),
        ({"DEBUG": "1", "TIME_ZONE": "Asia/Beijing"}, "TIME_ZONE='Asia/Beijing' is not a known time zone"),
        ({"DEBUG": "1", "Q_WORKERS": "two"}, "Q_WORKERS='two' is not a whole number"),
        ({"DEBUG": "1", "HTTPS": "maybe"}, "HTTPS='maybe' is not a boolean"),
        ({"DEBUG": "1", "AXES_FAILURE_LIMIT": "0"}, "AXES_FAILURE_LIMIT and AXES_COOLOFF_MINUTES must be at least 1"),
        ({"DEBUG": "1", "AXES_COOLOFF_MINUTES": "15m"}, "AXES_COOLOFF_MINUTES='15m' is not a whole number"),
        ({"DEBUG": "1", "SESSION_HOURS": "0"}, "SESSION_HOURS must be at least 1"),
        ({"DEBUG": "1", "SLA_SWEEP_BATCH": "0"}, "SLA_SWEEP_BATCH=0 must be at least 1"),
    ],
)
def test_a_bad_value_fails_loudly_at_start(env: dict[str, str], message: str) -> None:
    result = start(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr, result.stderr


def test_a_deployment_with_a_secret_key_starts_without_debug() -> None:
    result = start(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="approvals.example.gov.cn")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False ")

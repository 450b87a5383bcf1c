"""The production settings pass Django's deployment checklist, and gunicorn's settings read the
environment (docs/DEPLOY.md)."""

from __future__ import annotations

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "config" / "gunicorn.conf.py"


def production(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a deployment: DEBUG off, a real key, its host, its database."""
    # Not the test run's own: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy refuses.
    own = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in own and not k.startswith("DOCUMENT_SIGN")}
    key, cert = tmp_path / "signing" / "key.pem", tmp_path / "signing" / "cert.pem"
    if not key.exists():
        from approvals.documents.signing import generate_development_pair

        generate_development_pair(key, cert, "安徽省通信管理局")
    return {
        "DOCUMENT_SIGNING_KEY": str(key),
        "DOCUMENT_SIGNING_CERT": str(cert),
        **base,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "approvals.example.gov.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        **extra,
    }


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_production_settings(tmp_path: Path) -> None:
    result = check_deploy(production(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_plain_http_is_a_choice_that_check_deploy_reports(tmp_path: Path) -> None:
    """HTTPS=0 (a test network without TLS) turns off the redirect, HSTS and the Secure cookies,
    and the checklist says so: it is never clean by accident."""
    result = check_deploy(production(tmp_path, HTTPS="0"))
    assert result.returncode == 1
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("signing", "expected"),
    [
        ({"DOCUMENT_SIGNING_KEY": "", "DOCUMENT_SIGNING_CERT": ""}, "shixian.E001"),
        ({"DOCUMENT_SIGNING_KEY": "/nonexistent/key.pem"}, "shixian.E002"),
        (
            {
                "DOCUMENT_SIGNING_KEY": str(ROOT / "var" / "signing" / "development-key.pem"),
                "DOCUMENT_SIGNING_CERT": str(ROOT / "var" / "signing" / "development-cert.pem"),
            },
            None,  # W001, or E002 on a clone where make run never made the development pair
        ),
    ],
)
def test_check_deploy_fails_without_a_usable_signing_key(tmp_path: Path, signing, expected) -> None:
    result = check_deploy(production(tmp_path, **signing))
    assert result.returncode == 1
    if expected:
        assert expected in result.stderr, result.stderr
    else:
        assert "shixian.W001" in result.stderr or "shixian.E002" in result.stderr, result.stderr


def test_a_short_secret_key_fails_the_checklist(tmp_path: Path) -> None:
    result = check_deploy(production(tmp_path, SECRET_KEY="too-short"))
    assert result.returncode == 1 and "security.W009" in result.stderr


def settings_of(tmp_path: Path, names: list[str], **extra: str) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        f"print(repr([getattr(s, name) for name in {names!r}]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=production(tmp_path, **extra)
    )


def test_https_is_on_without_debug(tmp_path: Path) -> None:
    names = ["SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS"]
    on = settings_of(tmp_path, names)
    assert on.stdout.strip() == "[True, True, True, 31536000]", on.stderr
    off = settings_of(tmp_path, names, HTTPS="0")
    assert off.stdout.strip() == "[False, False, False, 0]", off.stderr
    short = settings_of(tmp_path, names, SECURE_HSTS_SECONDS="3600")
    assert short.stdout.strip() == "[True, True, True, 3600]", short.stderr


def test_lockout_and_session_settings_come_from_the_environment(tmp_path: Path) -> None:
    names = ["AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME", "SESSION_COOKIE_AGE"]
    result = settings_of(tmp_path, names, AXES_FAILURE_LIMIT="3", AXES_COOLOFF_MINUTES="60", SESSION_HOURS="9")
    assert result.stdout.strip() == "[3, datetime.timedelta(seconds=3600), 32400]", result.stderr


# -- config/gunicorn.conf.py --------------------------------------------------------------------


def gunicorn_conf(monkeypatch, **env: str) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_BIND", "GUNICORN_TIMEOUT", "PROXY_PROTOCOL", "PROXY_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_gunicorn_defaults(monkeypatch) -> None:
    conf = gunicorn_conf(monkeypatch)
    assert conf["workers"] == 2 * os.cpu_count() + 1
    assert (conf["bind"], conf["timeout"], conf["wsgi_app"]) == ("0.0.0.0:8000", 60, "config.wsgi:application")
    assert "%(D)s" in conf["access_log_format"]  # the response time
    assert "proxy_protocol" not in conf


def test_gunicorn_reads_the_environment(monkeypatch) -> None:
    conf = gunicorn_conf(
        monkeypatch, WEB_CONCURRENCY="3", GUNICORN_BIND="127.0.0.1:9000", GUNICORN_TIMEOUT="90", PROXY_PROTOCOL="1"
    )
    assert (conf["workers"], conf["bind"], conf["timeout"]) == (3, "127.0.0.1:9000", 90)
    assert (conf["proxy_protocol"], conf["proxy_allow_ips"]) == ("auto", "127.0.0.1,::1")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WEB_CONCURRENCY": "many"}, "WEB_CONCURRENCY='many' is not a whole number"),
        ({"WEB_CONCURRENCY": "0"}, "WEB_CONCURRENCY='0' must be at least 1"),
        ({"GUNICORN_TIMEOUT": "1m"}, "GUNICORN_TIMEOUT='1m' is not a whole number"),
    ],
)
def test_gunicorn_refuses_a_bad_value(monkeypatch, env: dict[str, str], message: str) -> None:
    with pytest.raises(SystemExit, match=message):
        gunicorn_conf(monkeypatch, **env)


# -- scripts/restore_drill.sh ------------------------------------------------------------------

DRILL = ROOT / "scripts" / "restore_drill.sh"


def drill(database_url: str) -> subprocess.CompletedProcess:
    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    env["PRIVATE_MEDIA_ROOT"] = str(settings.PRIVATE_MEDIA_ROOT)  # the test's files: verify_audit checks them
    return subprocess.run(
        ["bash", str(DRILL)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**env, "DEBUG": "1", "DATABASE_URL": database_url, "PYTHON": sys.executable},
        timeout=300,
    )


def test_the_restore_drill_needs_a_postgres_database(tmp_path: Path) -> None:
    result = drill(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert result.returncode == 2
    assert "DATABASE_URL must be a postgres:// URL" in result.stderr


def database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_restore_drill_restores_the_test_database_and_catches_tampering(committed_cast) -> None:
    from datetime import date

    from django.db import connection

    from approvals import workflow
    from approvals.models import AuditEvent

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): the drill uses pg_dump and pg_restore")
    case = committed_cast.under_review(received=date(2026, 3, 2), accepted=date(2026, 3, 3))
    workflow.grant(case.pk, case.officer, on=date(2026, 3, 20))
    events = AuditEvent.objects.count()

    result = drill(database_url())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "row counts equal" in result.stdout and "restore drill OK" in result.stdout
    assert str(events) in result.stdout  # verify_audit's count of the restored chain
    assert "dropped the scratch database" in result.stdout

    granted = AuditEvent.objects.get(application=case, action="grant")
    AuditEvent.objects.filter(pk=granted.pk).update(note="改过")
    result = drill(database_url())
    assert result.returncode == 1
    assert f" {granted.pk} " in result.stderr and "restore drill FAILED" in result.stderr
    assert "dropped the scratch database" in result.stdout


def test_a_machine_without_a_chinese_font_is_told_at_check(monkeypatch) -> None:
    from approvals import checks

    class Listed:
        stdout = "DejaVu Sans\n"

    monkeypatch.setattr(checks.subprocess, "run", lambda *a, **kw: Listed())
    assert [m.id for m in checks.cjk_fonts()] == ["shixian.W002"]
    Listed.stdout = "Noto Serif CJK SC,Noto Serif CJK SC Bold\n"
    assert checks.cjk_fonts() == []

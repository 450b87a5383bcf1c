"""The app's configuration; at a server's start (runserver, qcluster, gunicorn) one line saying
which database, django-q2 broker and cache this process uses, so that a setting the
environment did not pass (a DATABASE_URL that never reached the program) shows at once."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

#: The commands that start a long-running process: each says its backends when it starts.
SERVERS = ("runserver", "qcluster")


def _redis(url: str) -> str:
    """A Redis address without its password."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"redis {host}{port}{parts.path}" if host else f"redis {url.split('?')[0].split('@')[-1]}"


def backends() -> str:
    """One line: the database, the django-q2 broker and the cache of these settings (no password)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    if engine == "sqlite3":
        database = f"sqlite {db['NAME']}"
    else:
        where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 'default'}"
        user = f"{db['USER']}@" if db.get("USER") else ""
        database = f"{engine} {user}{where}/{db['NAME']}"
    cluster = getattr(settings, "Q_CLUSTER", {})
    broker = _redis(cluster["redis"]) if isinstance(cluster.get("redis"), str) else "the database (django-q2 ORM)"
    cache = settings.CACHES["default"]
    if "redis" in cache["BACKEND"].lower():
        kept = _redis(str(cache.get("LOCATION", "")))
    else:
        kept = cache["BACKEND"].rsplit(".", 1)[-1] + " (this process only)"
    throttle = settings.CACHES.get("throttle", cache)
    if "redis" in throttle["BACKEND"].lower():
        counters = _redis(str(throttle.get("LOCATION", "")))
    else:
        counters = f"the database ({throttle.get('LOCATION', '')})"
    return f"shixian: database {database}; broker {broker}; cache {kept}; throttle {counters}"


def _starting_server(argv: list[str]) -> bool:
    """Whether this process is a server starting: runserver's serving child (not the autoreloader
    watching it), qcluster, gunicorn. Tests and one-off commands say nothing."""
    program = os.path.basename(argv[0]) if argv else ""
    if "gunicorn" in program:
        return True
    command = argv[1] if len(argv) > 1 and program.startswith("manage") else ""
    if command == "runserver":
        return os.environ.get("RUN_MAIN") == "true" or "--noreload" in argv
    return command in SERVERS


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("Approvals")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from approvals import checks  # noqa: F401 - registers the deployment checks

        post_migrate.connect(_make_cache_tables, sender=self)
        from django.contrib.auth.signals import user_logged_in

        from approvals import elder

        user_logged_in.connect(elder.adopt, dispatch_uid="approvals.elder.adopt")
        if _starting_server(sys.argv):
            print(backends(), file=sys.stderr, flush=True)


def _make_cache_tables(sender: AppConfig, using: str = "default", **kwargs) -> None:
    """After every migrate, the database caches' tables (the throttle's, without Redis): a fresh
    clone's ``make run`` and each release's ``migrate`` make it, so /track/ never meets a missing
    table. createcachetable makes only what is missing."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)

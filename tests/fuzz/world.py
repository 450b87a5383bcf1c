"""A demo-like world for the fuzz suites, built once per test module on the test database and
rolled back when the module ends: the cast (tests/cast.py), a draft, cases received and under
review (licence, numbers), a filing at the administration, a granted licence, and the tokens of
an officer (olga), an enterprise user (alice) and a manager (mia)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.core import signals
from django.db import close_old_connections, transaction
from django.test import override_settings
from rest_framework.authtoken.models import Token

from approvals import workflow
from approvals.models import Material, Procedure
from tests.cast import Cast, make_cast

D = date.fromisoformat
TODAY = D("2026-03-06")


@dataclass
class World:
    cast: Cast
    ids: list[int]
    materials: list[int]
    tokens: dict[str, str]

    def headers(self, who: str | None) -> dict[str, str]:
        """The headers a request of ``who`` carries (none for the anonymous caller)."""
        return {} if who is None else {"Authorization": f"Token {self.tokens[who]}"}

    def point(self, case) -> None:
        """Aim most generated ids at real applications and materials; leave a few as generated
        (a huge or negative id must be a 404, not a server error)."""
        parameters = case.path_parameters or {}
        for name in ("id", "pk"):
            value = parameters.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and value % 5:
                parameters[name] = self.ids[value % len(self.ids)]
        raw = parameters.get("material_id")
        if isinstance(raw, str) and raw.isascii() and raw.isdigit() and int(raw) % 5:
            parameters["material_id"] = str(self.materials[int(raw) % len(self.materials)])


@contextmanager
def connection_kept_open() -> Iterator[None]:
    """Django closes the database connection when a request finishes; the module's transaction
    lives on it. (Django's test client does the same; schemathesis calls the WSGI handler.)"""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@contextmanager
def built_world(django_db_blocker, uploads) -> Iterator[World]:
    """The world, inside a transaction that is rolled back when the block ends."""
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], PRIVATE_MEDIA_ROOT=uploads
    )
    with django_db_blocker.unblock(), fast, connection_kept_open(), transaction.atomic():
        cast = make_cast()
        apps = [
            cast.draft(on=D("2026-03-02")),
            cast.received(on=D("2026-03-02")),
            cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03")),
            cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-03-02"), accepted=D("2026-03-02")),
            cast.under_review(Procedure.WEBSITE_FILING, received=D("2026-03-02"), accepted=D("2026-03-03")),
        ]
        granted = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-02"))
        workflow.grant(granted.pk, granted.officer, on=D("2026-03-05"))
        yield World(
            cast=cast,
            ids=[*(app.pk for app in apps), granted.pk],
            materials=list(Material.objects.values_list("pk", flat=True)),
            tokens={name: Token.objects.create(user=getattr(cast, name)).key for name in ("olga", "alice", "mia")},
        )
        transaction.set_rollback(True)

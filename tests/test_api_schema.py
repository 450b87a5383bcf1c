"""The API against its own OpenAPI schema (schemathesis): for every operation, requests generated
from the schema, each sent with the token of an officer, an enterprise, a manager, an access
provider or an administrator, never get a server error, and every answer is one the schema
documents (status code, content type, body).

The schema is drf-spectacular's, as /api/schema/ serves it; the requests go to the Django WSGI
application in-process, on the test database with a few applications in different states. Path
ids mostly point at those applications, so that the actions meet real cases and not only 404s.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from approvals import workflow
from approvals.models import Material, Procedure
from tests.cast import make_cast

D = date.fromisoformat
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()

# Few examples per operation: the point is every operation's documented answers, and the suite
# stays fast. The world is built once for the module; each operation's test runs in a savepoint
# (pytest-django's db), so what its examples change is rolled back after it (hence the health check).
EXAMPLES = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
ROLES = ("olga", "alice", "mia", "pat", "root")  # officer, enterprise, manager, access provider, admin


@dataclass
class World:
    ids: list[int]
    materials: list[int]
    tokens: dict[str, str]

    def point(self, case) -> None:
        """Aim most generated ids at real applications and materials; leave a few as generated."""
        parameters = case.path_parameters or {}
        if isinstance(parameters.get("id"), int) and parameters["id"] % 5:
            parameters["id"] = self.ids[parameters["id"] % len(self.ids)]
        raw = parameters.get("material_id")
        if isinstance(raw, str) and raw.isascii() and raw.isdigit() and int(raw) % 5:
            parameters["material_id"] = str(self.materials[int(raw) % len(self.materials)])


@contextmanager
def connection_kept_open() -> Iterator[None]:
    """Django closes the database connection when a request finishes; the test's transaction
    lives on it. (Django's test client does the same; these requests go through the WSGI handler.)"""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """A draft, cases received and under review (licence, numbers), a filing that reached the
    administration and a granted licence; rolled back when the module ends."""
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        PRIVATE_MEDIA_ROOT=tmp_path_factory.mktemp("uploads"),
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
            ids=[*(app.pk for app in apps), granted.pk],
            materials=list(Material.objects.values_list("pk", flat=True)),
            tokens={name: Token.objects.create(user=getattr(cast, name)).key for name in ROLES},
        )
        transaction.set_rollback(True)


def role_for(case) -> str:
    """Each generated request goes as one of the roles, the same one whenever hypothesis replays
    it (every role gets its share of every operation's requests, for the time of one role)."""
    body = case.body if isinstance(case.body, dict | list | str | bytes | int | float) else None
    key = repr((case.method, case.formatted_path, case.query, body)).encode("utf-8", "backslashreplace")
    return ROLES[zlib.crc32(key) % len(ROLES)]


@schema.parametrize()
@EXAMPLES
def test_every_answer_is_documented(case, world: World, db, now) -> None:
    now(D("2026-03-06"))
    world.point(case)
    case.call_and_validate(headers={"Authorization": f"Token {world.tokens[role_for(case)]}"}, checks=CHECKS)

"""The fuzz suite over the API (issue 13): schemathesis generates requests for every operation of
the OpenAPI schema that /api/schema/ serves, valid ones (the positive phase) and invalid ones (the
negative phase), examples, coverage and fuzzing alike, then chains them (the stateful phase); each
request goes as an officer (olga), an enterprise user (alice) and anonymously, to the Django WSGI
application in-process, on the test database with demo-like cases (tests/fuzz/world.py).

The claim: never a server error; every answer is one the schema documents (status code, content
type, body); a request the schema calls invalid is refused with a 4xx.

Bounded and repeatable: a fixed seed and Hypothesis's derandomized mode, no example database,
a few examples per operation (FUZZ_EXAMPLES=N for a longer hunt): the same requests on every run,
about a minute on SQLite and on PostgreSQL on two CPUs.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fuzz.world import TODAY, World, built_world

SEED = 20260306
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
STATEFUL_SCENARIOS = int(os.environ.get("FUZZ_SCENARIOS", "30"))
PEOPLE = ("olga", "alice", None)  # an officer, an enterprise user, anonymous
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {"mode": "all", "deterministic": True, "database": "none", "max-examples": EXAMPLES},
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True}},
    }
)


def served_schema() -> dict:
    """The schema as /api/schema/ serves it to anyone (JSON), read through the test client
    (at import, before pytest-django allows the test server's host name)."""
    response = Client().get("/api/schema/", {"format": "json"}, HTTP_HOST="localhost", HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content[:500]
    return response.json()


schema = schemathesis.openapi.from_dict(served_schema(), config=CONFIG)
schema.app = get_wsgi_application()

HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


#: Requests sent, per test: FUZZ_REPORT=<file> writes them there when the module ends.
SENT: Counter[str] = Counter()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    with built_world(django_db_blocker, tmp_path_factory.mktemp("uploads")) as built:
        yield built
    if os.environ.get("FUZZ_REPORT"):
        Path(os.environ["FUZZ_REPORT"]).write_text(json.dumps(SENT, indent=1), encoding="utf-8")


@schema.parametrize()
@HYPOTHESIS
def test_no_request_gets_a_server_error(case, world: World, db, now) -> None:
    now(TODAY)
    world.point(case)
    for who in PEOPLE:
        SENT["operations: requests"] += 1
        SENT[f"operations: {case.operation.label}"] += 1
        case.call_and_validate(headers=world.headers(who), checks=CHECKS)


#: Requests the lists once took although their schema calls them invalid (issue 13: "bad
#: page_size, unread accepted silently"): each refused now, with a 400 naming the parameter.
ONCE_ACCEPTED = [
    ("GET /api/applications/", "/api/applications/?page_size=null"),
    ("GET /api/alerts/", "/api/alerts/?page_size=null"),
    ("GET /api/notifications/", "/api/notifications/?page_size=null"),
    ("GET /api/notifications/", "/api/notifications/?unread=AAA"),
    ("GET /api/calendar/days/", "/api/calendar/days/?page_size=null"),
]


NEGATIVE = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {"mode": "negative", "deterministic": True, "database": "none", "max-examples": EXAMPLES},
        "phases": {"examples": {"enabled": False}, "coverage": {"enabled": False}, "fuzzing": {"enabled": True}},
    }
)
negative = schemathesis.openapi.from_dict(served_schema(), config=NEGATIVE)
negative.app = schema.app


@negative.parametrize()
@HYPOTHESIS
def test_an_invalid_request_is_refused(case, world: World, db, now) -> None:
    now(TODAY)
    world.point(case)
    SENT["negative: requests"] += 1
    case.call_and_validate(headers=world.headers("olga"), checks=[not_a_server_error, negative_data_rejection])


@pytest.mark.parametrize("path", [path for _, path in ONCE_ACCEPTED])
def test_a_request_once_accepted_is_refused(world: World, db, now, path: str) -> None:
    now(TODAY)
    response = Client().get(path, HTTP_AUTHORIZATION=world.headers("olga")["Authorization"])
    # The test client connects Django's connection closing again after its request: the next
    # test's WSGI calls would close the module's connection (on PostgreSQL, 503s).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])


def test_no_sequence_of_requests_gets_a_server_error(world: World, db, now) -> None:
    """The stateful phase: chains of calls along the links schemathesis infers from the schema
    (create a draft, then read, edit, act on it, upload and delete its materials; load a calendar
    year, then read and confirm the preview), each step as the next of the three people."""
    now(TODAY)

    class Chains(schema.as_state_machine()):
        def setup(self) -> None:
            self.steps = 0

        def get_call_kwargs(self, case) -> dict:
            world.point(case)
            who = PEOPLE[self.steps % len(PEOPLE)]
            self.steps += 1
            SENT["stateful: requests"] += 1
            return {"headers": world.headers(who)}

        def validate_response(self, response, case, additional_checks=None, **kwargs) -> None:
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    run_state_machine_as_test(
        Chains,
        settings=settings(HYPOTHESIS, max_examples=STATEFUL_SCENARIOS, stateful_step_count=6, phases=[Phase.generate]),
    )

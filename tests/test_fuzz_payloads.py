"""The hostile payloads of issue 13, table-driven: huge numbers (1e999, 10**30), NUL, a lone
surrogate, infinity and NaN, 5,000-deep nesting, non-UTF-8 bytes and ISO week dates, sent to
every field that takes text, a date or a number, one field at a time: the API's create, update and
action bodies and its query parameters, and the screens' forms (a case's action forms, the
enterprise's draft forms, /track/, the appointment forms, /notifications/read/, the calendar
upload). Whole bodies too: non-UTF-8, 4 MB, 5,000-deep.

The claim: never a server error. A number or a date field refuses what is not one with a 4xx;
whatever is refused changes nothing (every table's row count, so the audit chain's length, and
the unread notifications); the API's refusals are in its one error format (approvals/api/errors.py).
Text fields may take the odd text (1e999 is a fine subject), or refuse it.

Each request runs in a savepoint rolled back after it, so every one meets the same world.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client

from approvals import workflow
from approvals.models import AppointmentKind, Procedure
from tests.fuzz.world import TODAY, World, built_world

#: Each payload as a JSON literal (the API's bodies) and as the bytes of a form or query value,
#: already percent-encoded (a lone surrogate and non-UTF-8 cannot be written as text).
DEEP = 5000
PAYLOADS: dict[str, tuple[str, str]] = {
    "1e999": ("1e999", "1e999"),
    "10**30": (str(10**30), str(10**30)),
    "-10**30": (str(-(10**30)), str(-(10**30))),
    "NUL": ('"a\\u0000b"', "a%00b"),
    "lone surrogate": ('"a\\ud800b"', "a%ED%A0%80b"),
    "Infinity": ("Infinity", "Infinity"),
    "NaN": ("NaN", "NaN"),
    "ISO week date": ('"2026-W05-1"', "2026-W05-1"),
    "5,000-deep nesting": ("[" * DEEP + "]" * DEEP, quote("[" * DEEP)),
    "non-UTF-8": ('"\\u00ff"', "%FF%FEa"),
}

# -- the fields ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One form or API body: who sends it, where, its valid values, and the fields to spoil."""

    name: str
    who: str | None
    path: Callable[[World], str]
    base: dict = field(default_factory=dict)
    texts: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    api: bool = False
    method: str = "post"  # "get": the fields are query parameters


def review(world: World) -> int:
    return world.ids[2]  # a licence under review, olga's


def draft(world: World) -> int:
    return world.ids[0]


LICENCE = {"categories": ["B25"], "business": "B25 信息服务业务", "coverage": "安徽省"}
TARGETS = [
    # The API's bodies.
    Target(
        "api create",
        "alice",
        lambda w: "/api/applications/",
        {"procedure": Procedure.TELECOM_LICENCE, "subject": "申请", "details": LICENCE},
        texts=("subject", "details.business", "details.coverage", "details"),
        api=True,
    ),
    Target(
        "api create numbers",
        "alice",
        lambda w: "/api/applications/",
        {"procedure": Procedure.NUMBER_RESOURCE, "subject": "号码", "details": {"number_type": "sms_access_code"}},
        texts=("details.code",),
        numbers=("details.quantity",),
        api=True,
    ),
    Target(
        "api edit draft",
        "alice",
        lambda w: f"/api/applications/{draft(w)}/",
        {"subject": "申请"},
        texts=("subject", "details"),
        api=True,
        method="patch",
    ),
    Target(
        "api request extension",
        "olga",
        lambda w: f"/api/applications/{review(w)}/request-extension/",
        {"days": 5, "reason": "需要专家论证"},
        texts=("reason",),
        numbers=("days",),
        api=True,
    ),
    Target(
        "api request correction",
        "olga",
        lambda w: f"/api/applications/{review(w)}/request-correction/",
        {"items": "营业执照"},
        texts=("items",),
        api=True,
    ),
    Target(
        "api special procedure",
        "olga",
        lambda w: f"/api/applications/{review(w)}/start-special-procedure/",
        {"kind": "expert_review", "basis": "第四十五条", "notice_date": "2026-03-06", "expected_end": "2026-03-20"},
        texts=("basis",),
        dates=("notice_date", "expected_end"),
        api=True,
    ),
    Target(
        "api calendar upload",
        "root",
        lambda w: "/api/calendar/years/",
        {"text": "2027-01-01,holiday,元旦\n", "year": 2027},
        texts=("text", "source"),
        numbers=("year",),
        api=True,
    ),
    Target("api token", None, lambda w: "/api/auth/token/", {"username": "x", "password": "y"}, texts=("username",)),
    # The API's query parameters.
    Target(
        "api applications list",
        "olga",
        lambda w: "/api/applications/",
        numbers=("page", "page_size"),
        texts=("q", "state", "procedure"),
        api=True,
        method="get",
    ),
    Target(
        "api alerts",
        "olga",
        lambda w: "/api/alerts/",
        numbers=("page", "page_size"),
        texts=("level", "active"),
        api=True,
        method="get",
    ),
    Target(
        "api notifications",
        "alice",
        lambda w: "/api/notifications/",
        numbers=("page", "page_size"),
        texts=("unread",),
        api=True,
        method="get",
    ),
    Target(
        "api calendar days",
        "olga",
        lambda w: "/api/calendar/days/",
        numbers=("year", "page", "page_size"),
        api=True,
        method="get",
    ),
    Target(
        "api deadline",
        "olga",
        lambda w: "/api/deadline/",
        {"kind": "licence", "received": "2026-03-02"},
        numbers=("extend",),
        dates=("received", "start"),
        texts=("pause",),
        api=True,
        method="get",
    ),
    Target(
        "api monthly report",
        "mia",
        lambda w: "/api/reports/monthly/",
        texts=("month", "department"),
        api=True,
        method="get",
    ),
    # The screens' forms.
    Target(
        "page request extension",
        "olga",
        lambda w: f"/applications/{review(w)}/do/request_extension/",
        {"days": "5", "reason": "需要专家论证"},
        texts=("reason",),
        numbers=("days",),
    ),
    Target(
        "page special procedure",
        "olga",
        lambda w: f"/applications/{review(w)}/do/start_special_procedure/",
        {"kind": "expert_review", "basis": "第四十五条", "notice_date": "2026-03-06", "expected_end": "2026-03-20"},
        texts=("basis",),
        dates=("notice_date", "expected_end"),
    ),
    Target(
        "page request correction",
        "olga",
        lambda w: f"/applications/{review(w)}/do/request_correction/",
        {"items": "营业执照"},
        texts=("items",),
    ),
    Target(
        "page new licence draft",
        "alice",
        lambda w: f"/portal/new/{Procedure.TELECOM_LICENCE}/",
        {"subject": "申请", "categories": "B25", "coverage": "安徽省"},
        texts=("subject", "coverage"),
    ),
    Target(
        "page new numbers draft",
        "alice",
        lambda w: f"/portal/new/{Procedure.NUMBER_RESOURCE}/",
        {
            "subject": "号码",
            "number_type": "sms_access_code",
            "quantity": "1",
            "code": "106905511234",
            "purpose": "短信",
        },
        texts=("subject", "code", "purpose"),
        numbers=("quantity",),
    ),
    Target(
        "page edit draft",
        "alice",
        lambda w: f"/portal/applications/{draft(w)}/edit/",
        {"subject": "申请", "categories": "B25", "coverage": "安徽省"},
        texts=("subject", "coverage"),
    ),
    Target(
        "page track",
        None,
        lambda w: "/track/",
        {"tracking_number": "XK2026000001", "query_code": "ABCD1234"},
        texts=("tracking_number", "query_code"),
    ),
    Target(
        "page book appointment",
        "alice",
        lambda w: "/appointments/book/",
        {
            "kind": AppointmentKind.WINDOW,
            "procedure": Procedure.TELECOM_LICENCE,
            "day": "2026-03-09",
            "slot": "08:30-09:30",
            "purpose": "提交材料",
            "contact_phone": "0551-62000000",
        },
        texts=("purpose", "contact_phone", "address"),
        dates=("day",),
    ),
    Target(
        "page answer appointment",
        "olga",
        lambda w: f"/appointments/{w.appointment}/answer/",
        {"answer": "decline", "reply": "当日窗口检修"},
        texts=("reply",),
    ),
    Target("page notifications read", "alice", lambda w: "/notifications/read/", numbers=("id",), texts=("next",)),
    Target(
        "page calendar upload",
        "root",
        lambda w: "/calendar/",
        {"text": "2027-01-01,holiday,元旦\n"},
        texts=("text",),
        numbers=("year",),
    ),
]


def cases() -> Iterator:
    for target in TARGETS:
        for kind, names in (("text", target.texts), ("number", target.numbers), ("date", target.dates)):
            for name in names:
                for payload in PAYLOADS:
                    yield pytest.param(target, kind, name, payload, id=f"{target.name}-{name}-{payload}")


# -- sending ------------------------------------------------------------------------------------


def json_body(base: dict, name: str, literal: str) -> bytes:
    """``base`` as JSON with ``name`` (``details.code``: a key of details) set to the raw literal."""
    data = json.loads(json.dumps(base))
    marker = "\u2603PAYLOAD\u2603"
    outer, _, inner = name.partition(".")
    if inner:
        data.setdefault(outer, {})
        data[outer][inner] = marker
    else:
        data[outer] = marker
    return json.dumps(data, ensure_ascii=False).replace(f'"{marker}"', literal).encode("utf-8")


def form_body(base: dict, name: str, encoded: str) -> str:
    """``base`` form-encoded (a list is a repeated field) with ``name`` set to the encoded bytes."""
    pairs = [
        f"{quote(key)}={quote(str(item))}"
        for key, value in base.items()
        if key != name
        for item in (value if isinstance(value, list) else [value])
    ]
    return "&".join([*pairs, f"{quote(name)}={encoded}"])


def client_of(world: World, who: str | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if who is not None:
        client.force_login(getattr(world.cast, who))
    return client


def send(world: World, target: Target, name: str, payload: str):
    client = client_of(world, target.who)
    literal, encoded = PAYLOADS[payload]
    path = target.path(world)
    if target.method == "get":
        return client.get(f"{path}?{form_body(target.base, name, encoded)}")
    if target.api:
        body = json_body(target.base, name, literal)
        return getattr(client, target.method)(path, body, content_type="application/json")
    body = form_body(target.base, name, encoded)
    return client.post(path, body, content_type="application/x-www-form-urlencoded")


def counts(world: World) -> dict[str, int]:
    """Every table of the application's rows, and the unread notifications (not the sessions
    and sign-in records that signing the client in writes)."""
    found = {
        model._meta.label: model._default_manager.count() for model in apps.get_app_config("approvals").get_models()
    }
    found["unread"] = sum(
        user.notifications.filter(read_at__isnull=True).count() for user in (world.cast.alice, world.cast.olga)
    )
    return found


def assert_error_format(response) -> None:
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    body = response.json()
    assert list(body) == ["error"], body
    assert set(body["error"]) == {"status", "code", "message", "fields"}, body
    assert body["error"]["status"] == response.status_code and body["error"]["message"], body


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    with built_world(django_db_blocker, tmp_path_factory.mktemp("uploads")) as built:
        yield built


@pytest.fixture
def booked(world: World, db, now) -> World:
    """The day pinned to TODAY and one appointment of alice's for the Monday after, to answer."""
    now(TODAY)
    world.appointment = workflow.book_appointment(
        world.cast.alice,
        kind=AppointmentKind.WINDOW,
        procedure=Procedure.TELECOM_LICENCE,
        day=date(2026, 3, 9),
        slot="08:30-09:30",
        purpose="提交材料",
        contact_phone="13800000000",
    ).pk
    return world


@pytest.mark.parametrize(("target", "kind", "name", "payload"), list(cases()))
def test_a_hostile_value_is_refused_or_harmless_never_a_server_error(
    booked: World, target, kind, name, payload
) -> None:
    before = counts(booked)
    with transaction.atomic():
        response = send(booked, target, name, payload)
        status = response.status_code
        after = counts(booked)
        transaction.set_rollback(True)
    assert status < 500, (status, response.content[:2000])
    marks_one = target.name == "page notifications read" and name == "id"  # a redirect with the message
    if kind != "text":
        assert 400 <= status < 500 or (marks_one and status == 302), (status, response.content[:500])
    if 400 <= status < 500 or marks_one:
        assert after == before, {key: (before[key], after[key]) for key in before if before[key] != after[key]}
        if target.api:
            assert_error_format(response)


#: Whole bodies: (name, who, path, body bytes, content type), each refused with a 4xx, nothing changed.
FOUR_MB = b'{"subject": "' + b"x" * (4 * 1024 * 1024) + b'"}'
DEEP_CALENDAR = ("[" * 200_000 + "]" * 200_000).encode()
BODIES = [
    ("api non-UTF-8 JSON", "alice", "/api/applications/", b'{"subject": "\xff\xfe"}', "application/json"),
    ("api 4 MB JSON", "alice", "/api/applications/", FOUR_MB, "application/json"),
    ("api 5,000-deep JSON", "alice", "/api/applications/", ("[" * DEEP + "]" * DEEP).encode(), "application/json"),
    (
        "api 5,000-deep details",
        "alice",
        "/api/applications/",
        json_body(
            {"procedure": Procedure.TELECOM_LICENCE, "subject": "x"}, "details", '{"a": ' * DEEP + "1" + "}" * DEEP
        ),
        "application/json",
    ),
    (
        "api 1e999 in details",
        "alice",
        "/api/applications/",
        json_body({"procedure": Procedure.TELECOM_LICENCE, "subject": "x"}, "details", '{"a": 1e999}'),
        "application/json",
    ),
    (
        "api 200,000-deep calendar text",
        "root",
        "/api/calendar/years/",
        json_body({}, "text", json.dumps(DEEP_CALENDAR.decode())),
        "application/json",
    ),
    (
        "api non-UTF-8 form",
        "olga",
        "/api/applications/{review}/request-correction/",
        b"items=%FF%FE",
        "application/x-www-form-urlencoded",
    ),
    (
        "page non-UTF-8 form",
        "olga",
        "/applications/{review}/do/request_correction/",
        b"items=\xff\xfe",
        "application/x-www-form-urlencoded",
    ),
    (
        "page 200,000-deep calendar text",
        "root",
        "/calendar/",
        b"text=" + quote(DEEP_CALENDAR.decode()).encode(),
        "application/x-www-form-urlencoded",
    ),
]


@pytest.mark.parametrize(
    ("name", "who", "path", "body", "content_type"),
    [pytest.param(*row, id=row[0]) for row in BODIES],
)
def test_a_hostile_body_is_refused_and_changes_nothing(booked: World, name, who, path, body, content_type) -> None:
    before = counts(booked)
    with transaction.atomic():
        response = client_of(booked, who).post(path.format(review=review(booked)), body, content_type=content_type)
        status = response.status_code
        after = counts(booked)
        transaction.set_rollback(True)
    assert 400 <= status < 500, (status, response.content[:2000])
    assert after == before
    if path.startswith("/api/"):
        assert_error_format(response)

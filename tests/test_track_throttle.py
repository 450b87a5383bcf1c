"""The public lookup's throttle (approvals/throttle.py, views/public.py): wrong codes counted per
address and per tracking number before the lookup, a 429 with Retry-After past the limit, right
lookups not counted, the window's end; the counter itself on the database cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.test import Client

from approvals import throttle
from approvals.models import Application
from approvals.views import public
from tests.cast import Cast

LIMIT = 10  # TRACK_MAX_FAILURES's default
WINDOW = 600  # TRACK_WINDOW_SECONDS's default


def visitor(address: str = "198.51.100.7") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def look_up(client: Client, number: str, code: str = "WRONG123"):
    return client.post("/track/", {"tracking_number": number, "query_code": code})


@pytest.fixture
def lookups():
    """The selector, counted: how many lookups were really made."""
    with mock.patch.object(public, "tracked", wraps=public.tracked) as counted:
        yield counted


@pytest.fixture
def case(cast: Cast) -> Application:
    app = cast.received()
    assert app.tracking_number and app.query_code
    return app


def assert_refused(response, wait_at_most: int = WINDOW) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= wait_at_most


def test_the_defaults() -> None:
    assert (django_settings.TRACK_MAX_FAILURES, django_settings.TRACK_WINDOW_SECONDS) == (LIMIT, WINDOW)


@pytest.mark.parametrize(
    ("redis_url", "backend"),
    [
        ("", "approvals.throttle.DatabaseCache"),
        ("redis://127.0.0.1:6379/0", "django.core.cache.backends.redis.RedisCache"),
    ],
)
def test_the_counters_are_where_every_process_shares_them(redis_url: str, backend: str) -> None:
    """Redis when configured, else the database: never a process's own memory."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    code = "import django;django.setup();from django.conf import settings as s; print(s.CACHES['throttle']['BACKEND'])"
    result = subprocess.run(  # the settings read afresh, as a server start reads them
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
        env={**env, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings", "REDIS_URL": redis_url},
        timeout=60,
    )
    assert result.stdout.strip() == backend, result.stderr


def test_the_eleventh_wrong_code_from_an_address_is_refused_before_the_lookup(db, lookups) -> None:
    client = visitor()
    for attempt in range(LIMIT):
        assert look_up(client, f"XK20260000{attempt:02d}").status_code == 404, attempt
    refused = look_up(client, "XK2026000099")
    assert_refused(refused)
    minutes = -(-int(refused["Retry-After"]) // 60)  # the wait rounded up, as the page says it
    expected = f"Too many unsuccessful lookups from your address. Try again in {minutes} minutes."
    assert expected in refused.content.decode()
    assert lookups.call_count == LIMIT
    assert_refused(visitor().get("/track/"))  # the page itself says so, with the header
    assert look_up(visitor("198.51.100.8"), "XK2026000099").status_code == 404  # another address is not affected


def test_a_tracking_number_is_refused_after_ten_wrong_codes_from_anywhere(case: Application, lookups) -> None:
    for n in range(LIMIT):
        assert look_up(visitor(f"203.0.113.{n}"), case.tracking_number).status_code == 404
    refused = look_up(visitor("203.0.113.200"), case.tracking_number, case.query_code)
    assert_refused(refused)
    assert "Too many unsuccessful lookups of this tracking number." in refused.content.decode()
    assert lookups.call_count == LIMIT
    assert look_up(visitor("203.0.113.200"), "XK2026999999").status_code == 404  # another number is looked up


def test_a_lowercase_number_counts_as_the_same_number(case: Application) -> None:
    for n in range(LIMIT):
        look_up(visitor(f"203.0.113.{n}"), case.tracking_number.lower())
    assert_refused(look_up(visitor("203.0.113.200"), case.tracking_number))


def test_right_lookups_do_not_spend_the_budget_but_a_spent_one_refuses_them_too(case: Application) -> None:
    client = visitor()
    for _ in range(LIMIT - 1):
        assert look_up(client, "XK2026000001").status_code == 404
    for _ in range(5):  # an office behind one address, looking up its own cases
        assert look_up(client, case.tracking_number, case.query_code).status_code == 200
    assert look_up(client, "XK2026000001").status_code == 404  # the tenth failure
    assert_refused(look_up(client, case.tracking_number, case.query_code))


def test_a_form_with_errors_is_not_counted(db, lookups) -> None:
    client = visitor()
    for _ in range(LIMIT + 5):
        assert client.post("/track/", {"tracking_number": "", "query_code": ""}).status_code == 200
    assert lookups.call_count == 0
    assert look_up(client, "XK2026000001").status_code == 404


def test_the_limit_ends_with_its_window_and_retry_after_says_when(db) -> None:
    start = 1_800_000_000 // WINDOW * WINDOW + 100  # 100 seconds into a window
    client = visitor()
    with mock.patch.object(throttle.time, "time", return_value=start):
        for _ in range(LIMIT):
            look_up(client, "XK2026000001")
        assert look_up(client, "XK2026000001")["Retry-After"] == str(WINDOW - 100)
    with mock.patch.object(throttle.time, "time", return_value=start + WINDOW - 101):
        assert visitor().get("/track/")["Retry-After"] == "1"
    with mock.patch.object(throttle.time, "time", return_value=start + WINDOW - 100):
        assert look_up(client, "XK2026000001").status_code == 404


def test_the_refusal_is_in_chinese_by_default(db) -> None:
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(LIMIT):
        look_up(client, "XK2026000001")
    page = look_up(client, "XK2026000001").content.decode()
    assert "Too many unsuccessful lookups" not in page


# -- the counter ----------------------------------------------------------------------------------


def test_spend_counts_each_key_and_stops_at_the_first_over_its_limit(db) -> None:
    first = throttle.spend(["a", "b"], limit=1, window=60)
    assert first.allowed and len(first.counted) == 2
    second = throttle.spend(["a", "b"], limit=1, window=60)
    assert second.refused_by == "a" and len(second.counted) == 1  # "b" not counted
    throttle.refund(second)
    throttle.refund(first)
    assert throttle.spend(["a", "b"], limit=1, window=60).allowed


@pytest.mark.skipif(bool(django_settings.REDIS_URL), reason="the throttle cache is Redis here (REDIS_URL)")
def test_the_database_cache_increments_in_place_and_keeps_the_expiry(db) -> None:
    cache = caches[throttle.ALIAS]
    assert isinstance(cache, throttle.DatabaseCache)
    cache.add("n", 0, 60)
    assert [cache.incr("n") for _ in range(3)] == [1, 2, 3]
    assert cache.decr("n") == 2 and cache.get("n") == 2
    with pytest.raises(ValueError, match="not found"):
        cache.incr("absent")
    cache.set("gone", 5, timeout=-1)  # expired
    with pytest.raises(ValueError, match="not found"):
        cache.incr("gone")


@pytest.mark.parametrize("code", ["査詢碼一二三四", "ABC\ufffdDEFG"])
def test_a_query_code_that_is_not_ascii_is_a_wrong_code_not_a_server_error(case: Application, code: str) -> None:
    assert look_up(visitor(), case.tracking_number, code).status_code == 404


def test_the_lookup_compares_any_text_even_a_lone_surrogate(case: Application) -> None:
    for code in ["査詢碼一二三四", "\ud800ABCDEFG", ""]:
        assert public.tracked(case.tracking_number, code) is None
    assert public.tracked(case.tracking_number, case.query_code) == case

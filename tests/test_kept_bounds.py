"""What one user can make the cache hold (approvals.kept; the cache is also django-q2's broker):
kept pages are keyed by the parsed, valid filters, never the raw query string; a page whose
filters do not validate, or past the first pages, is shown but not kept; each user keeps at
most KEPT_PAGES_PER_USER pages in kept.SECONDS."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.cache import cache

from approvals import kept
from approvals.models import Procedure
from tests.cast import Cast, browser

TODAY = date.fromisoformat("2026-06-15")


@pytest.fixture(autouse=True)
def pinned(now) -> None:
    now(TODAY)


def kept_pages() -> list[str]:
    """The kept pages in the test's cache (the local-memory cache: no REDIS_URL in the tests)."""
    return [name for name in cache._cache if ":kept:" in name]  # type: ignore[attr-defined]


@pytest.fixture
def cases(cast: Cast) -> Cast:
    cast.under_review(Procedure.TELECOM_LICENCE, TODAY, TODAY)
    cast.under_review(Procedure.NUMBER_RESOURCE, TODAY, TODAY)
    return cast


@pytest.mark.parametrize(
    ("who", "url"), [("olga", "/worklist/"), ("mia", "/worklist/?scope=department"), ("alice", "/portal/")]
)
def test_parameters_the_page_does_not_read_add_no_cache_entry(cases: Cast, who: str, url: str) -> None:
    client = browser(getattr(cases, who))
    assert client.get(url).status_code == 200
    assert len(kept_pages()) == 1
    joiner = "&" if "?" in url else "?"
    for n in range(20):
        assert client.get(f"{url}{joiner}junk={n}&utm_source=x{n}").status_code == 200
    assert len(kept_pages()) == 1


@pytest.mark.parametrize(
    "query",
    [
        "level=bogus",
        "state=nonsense",
        "officer=999999",
        "procedure=%00",
        "scope=everything",
        "page=abc",
        "page=0",
        "page=999999999999999999",
        "page=6",  # past the kept pages
        "q=" + "x" * 101,  # longer than the search field takes
    ],
)
def test_a_malformed_or_far_value_is_shown_but_not_kept(cases: Cast, query: str) -> None:
    mia = browser(cases.mia)
    for _again in range(3):
        assert mia.get(f"/worklist/?scope=department&{query}").status_code == 200
    assert kept_pages() == []


@pytest.mark.parametrize("query", ["status=bogus", "procedure=bogus", "page=x", "page=7", "q=" + "y" * 101])
def test_the_portal_keeps_no_malformed_value(cases: Cast, query: str) -> None:
    alice = browser(cases.alice)
    assert alice.get(f"/portal/?{query}").status_code == 200
    assert kept_pages() == []


def test_the_same_filters_in_another_order_or_with_empty_fields_are_one_page(cases: Cast) -> None:
    mia = browser(cases.mia)
    mia.get("/worklist/?scope=department&procedure=telecom_licence&level=yellow")
    mia.get("/worklist/?level=yellow&procedure=telecom_licence&scope=department&q=&state=&officer=&page=1")
    mia.get("/worklist/?level=yellow&procedure=telecom_licence&scope=department&page=")
    assert len(kept_pages()) == 1


def test_the_links_carry_the_filters_not_the_junk(cases: Cast) -> None:
    """What is kept links with the filters alone (the language switcher around it comes back to
    the address as it was, and is not kept)."""
    page = browser(cases.mia).get("/worklist/?scope=department&junk=%3Cx%3E&procedure=telecom_licence").content
    page = re.sub(rb'<input type="hidden" name="next" value="[^"]*">', b"", page)
    assert b"procedure=telecom_licence" in page and b"junk" not in page


def test_one_user_keeps_at_most_their_budget_and_another_keeps_their_own(cases: Cast, settings) -> None:
    settings.KEPT_PAGES_PER_USER = 3
    mia = browser(cases.mia)
    for n in range(10):  # valid searches, each a page of its own
        assert mia.get(f"/worklist/?scope=department&q=search{n}").status_code == 200
    assert len(kept_pages()) == 3
    assert mia.get("/worklist/?scope=department&q=search9").status_code == 200  # shown, not kept
    assert len(kept_pages()) == 3
    browser(cases.olga).get("/worklist/")  # her budget is her own
    assert len(kept_pages()) == 4


def test_the_budget_is_counted_again_after_the_kept_time(cases: Cast, settings, monkeypatch) -> None:
    settings.KEPT_PAGES_PER_USER = 1
    owner = cases.mia.pk
    assert kept.through("kept:a", lambda: "A", owner=owner) == "A"
    assert kept.through("kept:b", lambda: "B", owner=owner) == "B"
    assert cache.get("kept:a") == "A" and cache.get("kept:b") is None
    cache.delete(f"kept-budget:{owner}")  # what SECONDS later does
    kept.through("kept:b", lambda: "B", owner=owner)
    assert cache.get("kept:b") == "B"


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        (None, 1),
        ("", 1),
        ("1", 1),
        ("5", 5),
        ("01", 1),
        ("6", None),
        ("0", None),
        ("-1", None),
        ("abc", None),
        ("٣", None),
        ("1" * 30, None),
    ],
)
def test_only_the_first_pages_are_kept(raw: str | None, number: int | None) -> None:
    assert kept.page_number(raw) == number

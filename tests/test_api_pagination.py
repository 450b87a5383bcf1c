"""The API lists count their rows only as far as they need (approvals.api.pagination): exactly up
to the cap or the end of the page asked for, beyond it a lower bound with ``count_exact`` false,
and every page can still be reached through ``next``."""

from __future__ import annotations

from datetime import date

import pytest

from approvals.api.pagination import CappedPaginator
from tests.api import api, error, ok
from tests.cast import Cast

D = date.fromisoformat


@pytest.fixture
def five(cast: Cast, now, monkeypatch) -> list[int]:
    now(D("2026-03-04"))
    monkeypatch.setattr(CappedPaginator, "cap", 2)
    return [cast.draft(on=D("2026-03-02")).pk for _ in range(5)][::-1]


def test_beyond_the_cap_the_count_is_a_lower_bound(cast: Cast, five: list[int]) -> None:
    alice = api(cast.alice)
    first = ok(alice.get("/api/applications/", {"page_size": 1}))
    # Counted up to the cap and one more: at least 3, so there is a next page.
    assert (first["count"], first["count_exact"], [row["id"] for row in first["results"]]) == (3, False, five[:1])
    assert first["next"].endswith("/api/applications/?page=2&page_size=1")
    # Further pages count to their end and one more, so the last one is reached and exact.
    fourth = ok(alice.get("/api/applications/", {"page_size": 1, "page": 4}))
    assert (fourth["count"], fourth["count_exact"], fourth["results"][0]["id"]) == (5, False, five[3])
    last = ok(alice.get("/api/applications/", {"page_size": 1, "page": 5}))
    assert (last["count"], last["count_exact"], last["results"][0]["id"], last["next"]) == (5, True, five[4], None)
    error(alice.get("/api/applications/", {"page_size": 1, "page": 6}), 404, "not_found")


def test_within_the_cap_the_count_is_exact(cast: Cast, five: list[int]) -> None:
    answer = ok(api(cast.alice).get("/api/applications/", {"page_size": 2, "page": 3}))
    assert (answer["count"], answer["count_exact"], [row["id"] for row in answer["results"]]) == (5, True, five[4:])


@pytest.mark.parametrize("path", ["/api/applications/", "/api/alerts/", "/api/notifications/"])
def test_a_page_number_past_any_list_is_a_404_not_an_overflow(cast: Cast, path: str) -> None:
    # 999999999999999999 × 50 overflowed PostgreSQL's bigint ("bigint out of range": a 500).
    for page in ("999999999999999999", str(CappedPaginator.max_page + 1)):
        error(api(cast.olga).get(path, {"page": page}), 404)
    ok(api(cast.olga).get(path, {"page": "1"}))

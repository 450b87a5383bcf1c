"""The clock strip in a real browser: it renders on the case page, the enterprise's page and
/track/, in Chinese and English, and fits a 390 px phone without page-level horizontal scroll.
Screenshots: artifacts/screenshots/clock-<width>-<language>-<page>.png (the strip's figure).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from approvals.models import Application
from tests.browser.conftest import SHOTS
from tests.cast import Cast

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def case(committed_cast: Cast, now) -> Application:
    # accepted Thu 2026-02-12 across the Spring Festival, with Sat 2026-02-14 a declared working day
    now(date(2026, 2, 26))
    app = committed_cast.under_review(received=date(2026, 2, 10), accepted=date(2026, 2, 12))
    return Application.objects.get(pk=app.pk)


def _check(visitor, page, name: str, width: int) -> None:
    figure = page.locator("figure.strip").first
    expect(figure.locator("[role=img]")).to_have_attribute("aria-label", re.compile("2026-02-12"))
    expect(figure.locator(".strip-day.strip-today")).to_have_count(1)
    expect(figure.locator(".strip-declared.strip-day")).to_have_count(2)  # Sat 14 and Sat 28 Feb
    box = figure.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    SHOTS.mkdir(parents=True, exist_ok=True)
    figure.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_strip_renders_and_fits(committed_cast: Cast, case: Application, visitor, width, language):
    officer = visitor(f"clock-{width}-{language}-case", width, language)
    officer.sign_in("olga", "pw-olga")
    _check(officer, officer.go(f"/applications/{case.pk}/"), f"clock-{width}-{language}-case", width)

    applicant = visitor(f"clock-{width}-{language}-portal", width, language)
    applicant.sign_in("alice", "pw-alice")
    _check(applicant, applicant.go(f"/applications/{case.pk}/"), f"clock-{width}-{language}-portal", width)

    public = visitor(f"clock-{width}-{language}-track", width, language)
    page = public.go("/track/")
    page.fill("#id_tracking_number", case.tracking_number)
    page.fill("#id_query_code", case.query_code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    _check(public, page, f"clock-{width}-{language}-track", width)

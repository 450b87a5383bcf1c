"""A provisional date in a real browser: the estimate, its range and the reason, at desktop and phone
width, on the case page, the public lookup, the worklist and the portal (in Chinese, the default).

The case: a website filing that reached the administration on Thu 28 Jan 2027, 8 working days
across the unpublished 2027 Spring Festival (docs/domain.md's worked example). The clock is pinned
on that day. Screenshots: artifacts/screenshots/provisional-<width>-<page>.png.
"""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from approvals.clocks import standing
from approvals.holidays import work_calendar
from approvals.models import Application, Procedure
from tests.cast import Cast

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DAY = date(2027, 1, 28)


@pytest.fixture
def filing(committed_cast: Cast, now) -> Application:
    now(DAY)
    app = committed_cast.under_review(Procedure.WEBSITE_FILING, received=date(2027, 1, 27), accepted=DAY)
    return Application.objects.get(pk=app.pk)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_provisional_date_shows_its_range_and_reason(committed_cast: Cast, filing: Application, visitor, width):
    from django.utils import translation

    with translation.override("zh-hans"):
        promised = standing(filing, DAY, work_calendar()).get("promised")
        reason = promised.reason
    assert reason.startswith(f"预计 {filing.due_date.isoformat()}（2027 年放假安排尚未公布")
    span = f"{filing.promised_earliest:%m-%d}–{filing.promised_latest:%m-%d}"

    officer = visitor(f"provisional-{width}-officer", width)
    officer.sign_in("fiona", "pw-fiona")
    page = officer.go(f"/applications/{filing.pk}/")
    deadline = page.locator("section[aria-labelledby=clock-h]")
    expect(deadline).to_contain_text("承诺期限")
    expect(deadline).to_contain_text(reason)
    expect(deadline.locator(".provisional").first).to_contain_text(span)
    expect(page.locator("ol.explain").first).to_contain_text("春节")
    officer.shot("case")
    page = officer.go("/worklist/")
    row = page.locator("tr", has_text=filing.tracking_number)
    expect(row.locator(".provisional")).to_contain_text(span)
    officer.shot("worklist")

    public = visitor(f"provisional-{width}-public", width)
    page = public.go("/track/")
    page.fill("#id_tracking_number", filing.tracking_number)
    page.fill("#id_query_code", filing.query_code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(reason)
    public.shot("track")

    applicant = visitor(f"provisional-{width}-applicant", width)
    applicant.sign_in("alice", "pw-alice")
    page = applicant.go("/portal/")
    expect(page.locator(".provisional", has_text=span).first).to_be_visible()
    applicant.shot("portal")

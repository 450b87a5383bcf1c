"""The notifications page in a real browser: grouped by case, each group with what the case waits
for next; it fits a 390 px phone without page-level horizontal scroll. Screenshots:
artifacts/screenshots/notes-<reader>-<width>-<language>-notifications.png."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from approvals import workflow
from approvals.models import Application, Notification
from tests.cast import Cast

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def cases(committed_cast: Cast, now) -> list[Application]:
    cast = committed_cast
    now(date(2026, 3, 10))
    review = cast.under_review(received=date(2026, 3, 2), accepted=date(2026, 3, 3))
    corrections = cast.received(on=date(2026, 3, 4))
    workflow.request_correction(corrections.pk, corrections.officer, "营业执照副本（加盖公章）", on=date(2026, 3, 5))
    waiting = cast.received(on=date(2026, 3, 9))
    Application.objects.filter(pk=waiting.pk).update(subject="码号资源 & “106” 短信接入码 增加申请（长标题换行检查）")
    Notification.objects.create(recipient=cast.alice, kind="appointment_confirmed", data={"day": "2026-03-12"})
    return [review, corrections, waiting]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("reader", ["alice", "olga"])
def test_the_notifications_page_groups_by_case_and_fits(cases, visitor, width, language, reader):
    person = visitor(f"notes-{reader}-{width}-{language}", width, language)
    person.sign_in(reader, f"pw-{reader}")
    page = person.go("/notifications/")
    groups = page.locator("section.notes-group")
    expect(groups.first).to_be_visible()
    assert groups.count() >= 2
    expect(page.locator(".notes-step").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    person.shot("notifications")

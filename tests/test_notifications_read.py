"""Notifications people read (issue 16): the in-app list grouped by case, each group saying what
the case waits for next for the reader; the emails' text part plain text with full links."""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from approvals import notifications, workflow
from approvals.models import Application, Notification
from tests.cast import Cast, browser, noon

D = date.fromisoformat
SUBJECT = 'Tom & Jerry\'s "quoted" service'


def page(user) -> str:
    response = browser(user).get("/notifications/")
    assert response.status_code == 200
    return response.content.decode()


def groups(html: str) -> list[str]:
    """The page's case groups, in order, each as its HTML."""
    return re.findall(r'<section class="card notes-group.*?</section>', html, re.S)


def tell(user, app: Application | None, kind: str, at: datetime, **data) -> Notification:
    """A notification made directly (its time set): for the order and the query count."""
    n = Notification.objects.create(
        recipient=user,
        application=app,
        kind=kind,
        data={"tracking_number": app.tracking_number if app else "", **data},
    )
    Notification.objects.filter(pk=n.pk).update(created_at=at)
    return n


@pytest.fixture
def story(cast: Cast, now):
    """Three of acme's cases on 2026-03-10: one awaiting alice's corrections, one under review
    (olga's to decide), one waiting for acceptance; and one of rival's, which alice never sees."""
    now(noon(D("2026-03-10")))
    corrections = cast.received(on=D("2026-03-02"))
    review = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    waiting = cast.received(on=D("2026-03-02"))
    workflow.request_correction(corrections.pk, cast.olga, "营业执照副本", on=D("2026-03-04"))
    return {"corrections": corrections, "review": review, "waiting": waiting}


def test_an_applicant_s_notifications_come_in_groups_by_case_newest_first(cast: Cast, story) -> None:
    t = timezone.now()
    Notification.objects.all().delete()
    review, corrections = story["review"], story["corrections"]
    first = tell(cast.alice, review, "accept", t - timedelta(hours=5))
    tell(cast.alice, corrections, "request_correction", t - timedelta(hours=4))
    last = tell(cast.alice, review, "approve_extension", t - timedelta(hours=1))
    tell(cast.alice, None, "digest", t - timedelta(hours=2), day="2026-03-10", cases=[])
    Notification.objects.filter(pk=first.pk).update(read_at=t)
    found = groups(page(cast.alice))
    assert len(found) == 3
    # The group of the newest notification first; in it, newest first.
    assert review.tracking_number in found[0] and f'href="/applications/{review.pk}/"' in found[0]
    assert found[0].index(f"/notifications/{last.pk}/") < found[0].index(f"/notifications/{first.pk}/")
    assert "1 unread" in found[0]
    assert "Morning digest" in found[1] and "Not about a case" in found[1]
    assert corrections.tracking_number in found[2] and "1 unread" in found[2]


def test_each_group_says_what_the_case_waits_for_next_for_the_reader(cast: Cast, story) -> None:
    corrections, review, waiting = story["corrections"], story["review"], story["waiting"]
    for app in (corrections, review, waiting):
        tell(cast.alice, app, "accept", timezone.now())
        tell(cast.olga, app, "submit", timezone.now())
    by_case = {app.pk: g for g in groups(page(cast.alice)) for app in story.values() if app.tracking_number in g}
    # The applicant: the portal's words ("waiting for" you or the administration) and the date.
    assert "Waiting for:</strong> Your corrections" in by_case[corrections.pk]
    review = Application.objects.get(pk=review.pk)
    assert "Waiting for:</strong> The administration&#x27;s decision" in by_case[review.pk]
    assert review.due_date.isoformat() in by_case[review.pk]
    # The officer: the worklist's words, and the date to act by.
    by_case = {app.pk: g for g in groups(page(cast.olga)) for app in story.values() if app.tracking_number in g}
    assert "Waiting for:</strong> decision" in by_case[review.pk]
    assert "Waiting for:</strong> acceptance" in by_case[waiting.pk]
    waiting = Application.objects.get(pk=waiting.pk)
    assert waiting.acceptance_due.isoformat() in by_case[waiting.pk]
    assert "Waiting for:</strong> the applicant&#x27;s corrections" in by_case[corrections.pk]


def test_a_served_case_waits_for_the_applicant_s_rating(cast: Cast, story) -> None:
    review = story["review"]
    officer = Application.objects.get(pk=review.pk).officer
    workflow.grant(review.pk, officer, on=D("2026-03-10"))
    workflow.serve_certificate(review.pk, officer, "B2-20260001", on=D("2026-03-10"))
    tell(cast.alice, review, "serve_certificate", timezone.now())
    tell(officer, review, "serve_certificate", timezone.now())
    (group,) = [g for g in groups(page(cast.alice)) if review.tracking_number in g]
    assert "Waiting for:</strong> You: rate the service" in group
    # The officer has nothing left to do: the status, no "waiting for".
    (group,) = [g for g in groups(page(officer)) if review.tracking_number in g]
    assert "Waiting for:" not in group and "Certificate served" in group, group


def test_only_the_reader_s_own_notifications_are_listed(cast: Cast, story) -> None:
    rival = cast.received(on=D("2026-03-10"))
    Application.objects.filter(pk=rival.pk).update(organisation=cast.rival, subject="星河的秘密")
    mine = tell(cast.alice, story["review"], "accept", timezone.now())
    theirs = tell(cast.bob, Application.objects.get(pk=rival.pk), "accept", timezone.now())
    html = page(cast.alice)
    assert f"/notifications/{mine.pk}/" in html
    assert f"/notifications/{theirs.pk}/" not in html and "星河的秘密" not in html
    assert f"/notifications/{theirs.pk}/" in page(cast.bob)


def test_a_case_the_reader_may_no_longer_see_is_neither_linked_nor_named(cast: Cast, story) -> None:
    review = story["review"]
    old = tell(cast.bob, review, "accept", timezone.now())  # as if bob had been told once
    html = page(cast.bob)
    assert f"/notifications/{old.pk}/" in html
    assert f'href="/applications/{review.pk}/"' not in html and review.subject not in html


def _queries(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        page(user)
    return len(queries)


def test_the_list_takes_as_many_queries_for_30_notifications_as_for_3(cast: Cast, story) -> None:
    Notification.objects.all().delete()
    apps = list(story.values())
    t = timezone.now()
    for i in range(3):
        tell(cast.alice, apps[i % 3], "accept", t - timedelta(minutes=i))
    few = _queries(cast.alice)
    for i in range(3, 30):
        tell(cast.alice, apps[i % 3] if i % 4 else None, "accept", t - timedelta(minutes=i))
    extra = [cast.received(on=D("2026-03-10")) for _ in range(3)]
    for i, app in enumerate(extra):
        tell(cast.alice, app, "accept", t - timedelta(minutes=40 + i))
    assert Notification.objects.filter(recipient=cast.alice).count() == 33
    assert _queries(cast.alice) == few
    assert len(groups(page(cast.alice))) >= 4


# -- the emails ----------------------------------------------------------------------------------

SITE = "http://example.test:8123"
TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


def _messages(cast: Cast) -> list:
    """The emails of a correction request, an acceptance, a grant (with its document) and an SLA
    alert, for a case whose subject has an ampersand, quotes and angle brackets."""
    cast.alice.email = "alice@acme.example.cn"
    cast.alice.save()
    cast.olga.email = "olga@miit.example.cn"
    cast.olga.save()
    app = cast.received(on=D("2026-03-02"))
    Application.objects.filter(pk=app.pk).update(subject=SUBJECT)
    workflow.request_correction(app.pk, cast.olga, '营业执照 & "副本"', on=D("2026-03-03"))
    workflow.resubmit(app.pk, cast.alice, note="已补 <全部>", on=D("2026-03-04"))
    workflow.accept(app.pk, cast.olga, on=D("2026-03-05"))
    workflow.grant(app.pk, cast.olga, on=D("2026-03-06"))
    mails = Notification.objects.filter(email=True).select_related("recipient", "application", "event")
    messages = [notifications.render_email(n) for n in mails]
    digest = Notification.objects.create(
        recipient=cast.olga,
        kind="digest",
        email=True,
        data={
            "day": "2026-03-10",
            "cases": [{"tracking_number": "X1", "level": "red", "due": "2026-03-09", "subject": SUBJECT}],
        },
    )
    appointment = Notification.objects.create(
        recipient=cast.olga,
        kind="appointment_requested",
        email=True,
        data={"day": "2026-03-12", "slot": "09:00", "kind": "window", "organisation": "Tom & Jerry's"},
    )
    for extra in (digest, appointment):
        messages.append(notifications.render_email(Notification.objects.select_related("recipient").get(pk=extra.pk)))
    return messages


@override_settings(SITE_URL=SITE)
def test_an_email_s_text_part_is_plain_text(cast: Cast) -> None:
    messages = _messages(cast)
    assert len(messages) >= 4
    if os.environ.get("SHOW_EMAILS"):
        print(*(f"=== {m.subject}\n{m.body}" for m in messages), sep="\n")
    for message in messages:
        body = message.body
        assert not TAG.search(body), body
        assert not ENTITY.search(body), body
        assert "\n\n\n" not in body, body
        assert not re.search(r"\n[ \t]+\n", body), body
        assert body == body.lstrip(), body
        assert not ENTITY.search(message.subject) and "\n" not in message.subject
    assert any(SUBJECT in m.body for m in messages)


@override_settings(SITE_URL=SITE)
def test_an_email_s_links_are_absolute_from_site_url(cast: Cast) -> None:
    for message in _messages(cast):
        text_links = re.findall(r"https?://\S+", message.body)
        assert text_links, message.body
        assert all(link.startswith(SITE + "/") for link in text_links), text_links
        assert not re.search(r"(?m)^/\S", message.body), "no bare path"
        html = message.alternatives[0].content
        hrefs = re.findall(r'href="([^"]*)"', html)
        assert hrefs and all(href.startswith(SITE + "/") for href in hrefs), hrefs

"""In-app notifications: queued on commit, delivered once, to the right people."""

from datetime import date

import pytest

from approvals import notifications, workflow
from approvals.models import AuditEvent, Notification, Procedure
from tests.cast import Cast

D = date.fromisoformat


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_each_event_reaches_the_people_it_concerns(cast: Cast, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        app = cast.received(on=D("2026-03-02"))
        cast.corrected(app, asked=D("2026-03-03"), answered=D("2026-03-04"), items="补充材料")
        workflow.accept(app.pk, cast.olga, on=D("2026-03-05"))
        cast.extended(app, 5, asked=D("2026-03-06"), approved=D("2026-03-09"))
        workflow.reassign(app.pk, cast.mia, cast.oscar.pk, note="olga 休假")
    assert told("submit") == {"olga"}
    assert told("request_correction") == {"alice"}
    assert told("resubmit") == {"olga"}
    assert told("accept") == {"alice"}
    assert told("request_extension") == {"mia"}
    assert told("approve_extension") == {"alice", "olga"}
    assert told("reassign") == {"olga", "oscar"}
    assert "bob" not in set(Notification.objects.values_list("recipient__username", flat=True))
    assert not AuditEvent.objects.filter(notified_at__isnull=True).exists(), "every event was delivered"


def test_nobody_is_told_twice_about_one_event(cast: Cast) -> None:
    app = cast.received(on=D("2026-03-02"))
    event = AuditEvent.objects.get(application=app, action="submit")
    assert Notification.objects.filter(event=event).count() == 1
    assert notifications.notify([event]) == 0
    assert Notification.objects.filter(event=event).count() == 1
    assert notifications.deliver([event.pk]) == 1
    assert notifications.deliver([event.pk]) == 0


def test_a_refused_action_tells_nobody(cast: Cast) -> None:
    app = cast.received(on=D("2026-03-02"))
    before = Notification.objects.count()
    with pytest.raises(workflow.ActionInvalid):
        workflow.grant(app.pk, cast.olga, on=D("2026-03-03"))
    assert Notification.objects.count() == before


def test_filings_tell_the_access_provider(cast: Cast, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        app = cast.draft(Procedure.WEBSITE_FILING, on=D("2026-03-02"))
        workflow.submit(app.pk, cast.alice, on=D("2026-03-02"))
    assert told("submit_to_provider") == {"pat"}
    notification = Notification.objects.get(kind="submit_to_provider")
    assert notifications.text(notification).startswith(app.tracking_number if app.tracking_number else "BA")


def test_a_moved_due_date_reads_as_a_sentence(cast: Cast) -> None:
    from django.utils import translation

    event = AuditEvent(
        action="due_date_moved", note="2027 schedule loaded", data={"promised": ["2027-01-08", "2027-01-11"]}
    )
    with translation.override("en"):
        assert notifications.describe(event) == "Promised deadline 2027-01-08 → 2027-01-11: 2027 schedule loaded"
    # A row recorded before the clocks model named the stored column.
    old = AuditEvent(action="due_date_moved", note="", data={"statutory_due": ["2027-01-08", "2027-01-11"]})
    with translation.override("zh-hans"):
        assert notifications.describe(old) == "法定期限 2027-01-08 → 2027-01-11"
    with translation.override("zh-hans"):
        assert notifications.describe(AuditEvent(action="accept")) == "已受理"

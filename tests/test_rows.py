"""approvals.rows: many rows, each with its own values, in one statement per batch (update_rows, insert_rows)."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals.models import Application
from approvals.rows import update_rows
from tests.cast import Cast


def test_each_row_gets_its_own_values_of_every_type(cast: Cast, now) -> None:
    now(date(2026, 3, 2))
    apps = [cast.received(on=date(2026, 3, 2)) for _ in range(3)]
    untouched = cast.received(on=date(2026, 3, 2))
    values = [
        (date(2026, 4, 1), "decision:red", True, None),
        (None, "", False, 7),
        (date(2026, 12, 31), "acceptance:yellow", True, 0),
    ]
    for app, (day, level, provisional, left) in zip(apps, values, strict=True):
        app.next_alert_on, app.next_alert_level = day, level
        app.promised_provisional, app.days_left_when_paused = provisional, left
    fields = ["next_alert_on", "next_alert_level", "promised_provisional", "days_left_when_paused"]
    with CaptureQueriesContext(connection) as queries:
        assert update_rows(apps, fields) == 3
    assert len(queries) == 1
    stored = Application.objects.filter(pk__in=[a.pk for a in apps]).order_by("pk").values_list(*fields)
    assert list(stored) == values
    before = Application.objects.filter(pk=untouched.pk).values_list(*fields).get()
    assert before != values[0] and before == (untouched.next_alert_on, untouched.next_alert_level, False, None)


def test_nothing_to_write_writes_nothing(db) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert update_rows([], ["next_alert_on"]) == 0
    assert len(queries) == 0


def test_insert_rows_writes_every_type_reads_the_ids_back_and_can_skip_conflicts(cast: Cast, now) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from approvals.models import Notification
    from approvals.rows import insert_rows

    now(date(2026, 3, 2))
    app = cast.received(on=date(2026, 3, 2))
    event = app.events.order_by("pk").last()
    read = datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    rows = [
        Notification(recipient=cast.fiona, application=app, event=event, kind="k1", data={"列": ["甲", 1]}, email=True),
        Notification(recipient=cast.oscar, application=None, event=None, kind="k2", read_at=read),
    ]
    with CaptureQueriesContext(connection) as queries:
        insert_rows(rows)
    assert len(queries) == 1
    stored = {n.pk: n for n in Notification.objects.filter(pk__in=[r.pk for r in rows])}
    first, second = stored[rows[0].pk], stored[rows[1].pk]
    assert (first.recipient_id, first.application_id, first.event_id, first.kind) == (
        cast.fiona.pk,
        app.pk,
        event.pk,
        "k1",
    )
    assert first.data == {"列": ["甲", 1]} and first.email and first.created_at is not None
    assert (second.recipient_id, second.application_id, second.read_at, second.data) == (cast.oscar.pk, None, read, {})

    again = [Notification(recipient=cast.fiona, application=app, event=event, kind="again")]  # once per event
    insert_rows(again, ignore_conflicts=True)
    assert list(Notification.objects.filter(recipient=cast.fiona, event=event).values_list("kind", flat=True)) == ["k1"]

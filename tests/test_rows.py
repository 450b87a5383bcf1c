"""approvals.rows.update_rows: many rows, each with its own values, in one statement per batch."""

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

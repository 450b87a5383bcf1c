"""A calendar load at scale: the preview counts without writing (in a django-q2 task, from a job
being previewed), the recompute goes chunk by chunk in a constant number of queries per chunk
(recipients looked up once per chunk), progress moves ``updated_at`` (the page's stall check),
and the calendar's tasks get a time limit the broker's ``retry`` exceeds."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals.holidays import import_schedule, read_schedule_text
from approvals.models import (
    Application,
    AuditEvent,
    CalendarDay,
    CalendarJob,
    CalendarYear,
    Notification,
)
from approvals.workflow import calendar
from approvals.workflow.calendar import CLOCK_FIELDS
from tests.api import api, error
from tests.cast import Cast, browser
from tests.reference import HOLIDAY_CN

D = date.fromisoformat
SAMPLE = (HOLIDAY_CN / "sample-2027.json").read_text(encoding="utf-8")


@pytest.fixture
def licence(cast: Cast, now) -> Application:
    """A licence accepted on Thursday 17 December 2026, due on Monday 25 January 2027: the sample
    2027 notice (Sunday 27 December a working day) moves it to Friday 22 January."""
    now(D("2026-12-18"))
    app = cast.under_review(received=D("2026-12-17"), accepted=D("2026-12-17"))
    now(D("2026-12-20"))
    return Application.objects.get(pk=app.pk)


def copies(app: Application, n: int, start: int = 0) -> list[int]:
    """``n`` more open applications exactly like ``app`` (its clocks, its people)."""
    rows = []
    for i in range(start, start + n):
        row = Application.objects.get(pk=app.pk)
        row.pk = row.id = None
        row.tracking_number = f"COPY{i:08d}"
        rows.append(row)
    return [row.pk for row in Application.objects.bulk_create(rows)]


def rows() -> list[dict]:
    return list(Application.objects.order_by("pk").values())


def upload(cast: Cast) -> CalendarJob:
    return calendar.preview_upload(SAMPLE.encode(), "2027.json", actor=cast.root)


def writes(queries: list[dict]) -> set[str]:
    """The tables these queries wrote to."""
    tables = set()
    for query in queries:
        sql = query["sql"].lstrip().upper()
        for verb, word in (("INSERT", "INTO"), ("UPDATE", "UPDATE"), ("DELETE", "FROM")):
            if sql.startswith(verb):
                tables.add(sql.split(word, 1)[1].split()[0].strip('"'))
    return tables


def test_the_preview_writes_nothing_but_its_job(cast: Cast, licence: Application) -> None:
    copies(licence, 5)
    before, events, notifications = rows(), AuditEvent.objects.count(), Notification.objects.count()
    with CaptureQueriesContext(connection) as queries:
        job = upload(cast)
    assert job.status == CalendarJob.Status.PREVIEWED, job.result  # django-q2 runs it inline in tests
    assert (job.preview["applications"], len(job.preview["moves"])) == (6, 6)
    # Not loaded then rolled back: nothing but the job, its audited status change and the task's own row.
    assert writes(queries.captured_queries) <= {
        "APPROVALS_CALENDARJOB",
        "APPROVALS_AUDITEVENT",
        "APPROVALS_AUDITHEAD",
        "DJANGO_Q_TASK",
    }
    assert not any("SAVEPOINT" in query["sql"] and "ROLLBACK" in query["sql"] for query in queries.captured_queries)
    assert rows() == before
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.filter(year=2027).exists()
    assert Notification.objects.count() == notifications
    assert list(AuditEvent.objects.filter(pk__gt=0).order_by("pk").values_list("action", flat=True))[events:] == [
        "calendar_job_previewed"
    ]
    assert AuditEvent.objects.get(action="calendar_job_previewed").from_state == "previewing"


def test_the_preview_task_previews_what_the_load_then_does(cast: Cast, licence: Application) -> None:
    pks = [licence.pk, *copies(licence, 3)]
    job = upload(cast)
    assert job.status == CalendarJob.Status.PREVIEWED
    assert (job.total, job.done) == (4, 4)
    previewed = {(row[0], row[2], row[3], row[4]) for row in job.preview["moves"]}
    assert (licence.pk, "promised", "2027-01-25", "2027-01-22") in previewed
    assert [
        (row[2:5])
        for row in AuditEvent.objects.filter(action__startswith="calendar_job_").values_list(
            "application_id", "actor_id", "action", "from_state", "to_state"
        )
    ] == [("calendar_job_previewed", "previewing", "previewed")]

    assert calendar.confirm_job(job, cast.root) == "queued"
    job.refresh_from_db()
    assert job.status == CalendarJob.Status.DONE, job.result
    moved = {
        (event.application_id, kind, old, new)
        for event in AuditEvent.objects.filter(action="due_date_moved")
        for kind, (old, new) in event.data.items()
    }
    assert moved == previewed
    assert {app.due_date for app in Application.objects.filter(pk__in=pks)} == {D("2027-01-22")}


def previewing(cast: Cast, **progress: int) -> CalendarJob:
    """An upload of the sample 2027 notice whose preview is being counted (``progress``: total, done)."""
    return CalendarJob.objects.create(
        year=2027,
        file_name="2027.json",
        content=SAMPLE,
        status=CalendarJob.Status.PREVIEWING,
        preview={"entries": 33, "holidays": 27, "workdays": 6, "first": "2026-12-27", "last": "2027-10-09"},
        created_by=cast.root,
        **progress,
    )


def test_a_job_being_previewed_shows_its_progress_and_cannot_be_confirmed(cast: Cast, licence: Application) -> None:
    job = previewing(cast, total=40, done=10)
    root = browser(cast.root)
    page = root.get(f"/calendar/jobs/{job.pk}/").content.decode()
    assert "Previewing" in page and "10 of 40 open applications counted (25%)" in page
    assert f'hx-get="/calendar/jobs/{job.pk}/progress/"' in page  # it polls
    assert f'action="/calendar/jobs/{job.pk}/apply/"' not in page and "Due dates that move" not in page
    page = root.post(f"/calendar/jobs/{job.pk}/apply/", follow=True).content.decode()
    assert "still being counted" in page
    assert CalendarJob.objects.get(pk=job.pk).status == CalendarJob.Status.PREVIEWING
    shown = api(cast.root).get(f"/api/calendar/previews/{job.pk}/").json()
    assert (shown["status"], shown["done"], shown["total"], shown["moves"]) == ("previewing", 10, 40, [])
    error(api(cast.root).post(f"/api/calendar/previews/{job.pk}/confirm/"), 409, "still_previewing")

    # Once previewed (the progress box answers the poll with a refresh), the Confirm button.
    calendar.preview_calendar_job(job.pk)
    response = root.get(f"/calendar/jobs/{job.pk}/progress/", headers={"HX-Request": "true"})
    assert response["HX-Refresh"] == "true"
    page = root.get(f"/calendar/jobs/{job.pk}/").content.decode()
    assert f'action="/calendar/jobs/{job.pk}/apply/"' in page and "1 working day earlier" in page


def test_progress_moves_updated_at_and_the_stall_check_reads_it(cast: Cast, licence: Application) -> None:
    job = previewing(cast)
    long_ago = timezone.now() - timedelta(minutes=11)
    CalendarJob.objects.filter(pk=job.pk).update(updated_at=long_ago)
    root = browser(cast.root)
    assert "No progress for ten minutes" in root.get(f"/calendar/jobs/{job.pk}/").content.decode()
    calendar._progress(job.pk)(3, 7)
    job.refresh_from_db()
    assert (job.done, job.total, job.updated_at) == (3, 7, timezone.now())
    assert "No progress for ten minutes" not in root.get(f"/calendar/jobs/{job.pk}/").content.decode()

    # The load's progress too: its chunks move updated_at.
    calendar.preview_calendar_job(job.pk)
    calendar.set_calendar_job_status(job.pk, CalendarJob.Status.QUEUED)
    CalendarJob.objects.filter(pk=job.pk).update(updated_at=long_ago)
    seen = []
    real = calendar._progress

    def watching(job_id):
        report = real(job_id)

        def progress(done, total):
            report(done, total)
            seen.append(CalendarJob.objects.filter(pk=job_id).values_list("done", "updated_at").get())

        return progress

    calendar._progress, saved = watching, calendar._progress
    try:
        calendar.apply_calendar_job(job.pk)
    finally:
        calendar._progress = saved
    assert seen == [(0, timezone.now()), (1, timezone.now())]
    assert CalendarJob.objects.get(pk=job.pk).status == CalendarJob.Status.DONE


def _chunks(chunk: int) -> tuple[list[list[str]], int]:
    """A recompute of the open applications the sample touches, ``chunk`` at a time: the queries of
    each chunk (its savepoint, inside the test's transaction, to its release), and how many moved."""
    with CaptureQueriesContext(connection) as queries:
        moved = calendar.recompute_open_clocks("test", D("2026-12-27"), D("2027-12-31"), chunk=chunk)
    chunks: list[list[str]] = []
    for query in queries.captured_queries:
        sql = query["sql"].lstrip()
        if sql.startswith("SAVEPOINT"):
            chunks.append([])
        elif sql.startswith("RELEASE SAVEPOINT"):
            continue
        elif chunks:
            chunks[-1].append(sql)
    return chunks, moved


def _verbs(queries: list[str]) -> list[str]:
    return [sql.split()[0].upper() for sql in queries]


def test_the_recompute_takes_the_same_queries_for_each_chunk_and_tells_everyone(
    cast: Cast, licence: Application
) -> None:
    stored = Application.objects.filter(pk=licence.pk).values(*CLOCK_FIELDS).get()
    import_schedule(read_schedule_text(SAMPLE, "2027.json"))

    def again() -> None:  # the stored clocks as they were before the load, for every copy
        Application.objects.filter(pk__gt=0).update(**stored)

    copies(licence, 9)
    again()
    (ten,), moved = _chunks(10)
    assert moved == 10
    assert Notification.objects.filter(kind="due_date_moved").count() == 20  # the officer and the applicant
    copies(licence, 90, start=9)
    again()
    chunks, moved = _chunks(10)
    assert (moved, len(chunks)) == (100, 10)
    assert [len(queries) for queries in chunks] == [len(ten)] * 10  # the same queries for each chunk
    assert len(ten) < 20
    # The recipients looked up once for each chunk, not once per case.
    assert [sum('FROM "approvals_user"' in sql for sql in queries) for queries in chunks] == [1] * 10
    assert AuditEvent.objects.filter(action="due_date_moved").count() == 110
    assert Notification.objects.filter(kind="due_date_moved").count() == 220
    assert set(Application.objects.values_list("due_date", flat=True)) == {D("2027-01-22")}

    # A chunk of 100 reads and writes the applications in as many statements as a chunk of 10
    # (only the bulk inserts split, at SQLite's 999 parameters per statement).
    again()
    (hundred,), moved = _chunks(100)
    assert moved == 100
    for verb in ("SELECT", "UPDATE"):
        assert _verbs(hundred).count(verb) == _verbs(ten).count(verb), verb
    assert sum('FROM "approvals_user"' in sql for sql in hundred) == 1
    assert len(hundred) <= len(ten) + 4


def test_the_calendar_tasks_get_a_time_limit_shorter_than_the_brokers_retry(
    cast: Cast, licence: Application, monkeypatch, settings
) -> None:
    import django_q.tasks

    calls = []
    real = django_q.tasks.async_task

    def recording(name, *args, **kwargs):
        calls.append((name, kwargs.get("group"), kwargs.get("timeout")))
        return real(name, *args, **kwargs)

    monkeypatch.setattr(django_q.tasks, "async_task", recording)
    job = upload(cast)
    calendar.confirm_job(job, cast.root)
    retry = settings.Q_CLUSTER["retry"]
    tasks = [(name, group) for name, group, _timeout in calls if group == "calendar"]
    assert tasks == [(calendar.PREVIEW_TASK, "calendar"), ("approvals.workflow.apply_calendar_job", "calendar")]
    assert all(timeout is not None and 0 < timeout < retry for _name, group, timeout in calls if group == "calendar")
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "retry": 1000}
    assert calendar.task_timeout() == calendar.TASK_TIMEOUT == 900
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "retry": 180}
    assert calendar.task_timeout() == 170


def test_when_the_worker_cannot_be_reached_the_upload_fails_and_nothing_else_changes(
    cast: Cast, licence: Application, monkeypatch
) -> None:
    import django_q.tasks

    def unreachable(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(django_q.tasks, "async_task", unreachable)
    before = rows()
    with pytest.raises(calendar.PreviewNotQueued) as caught:
        upload(cast)
    job = caught.value.job
    assert (job.status, calendar.job_result_text(job.result)) == (
        CalendarJob.Status.FAILED,
        "The background worker could not be reached: nothing was changed. Try again.",
    )
    assert list(AuditEvent.objects.filter(action__startswith="calendar_job_").values_list("action", "from_state")) == [
        ("calendar_job_failed", "previewing")
    ]
    # The page says so on the job's page; the API answers 503.
    response = browser(cast.root).post("/calendar/", {"text": SAMPLE}, follow=True)
    page = response.content.decode()
    assert "The background worker could not be reached" in page and "The preview could not be made" in page
    error(api(cast.root).post("/api/calendar/years/", {"text": SAMPLE}, format="json"), 503, "worker_unavailable")
    assert rows() == before and not CalendarDay.objects.exists()
    assert CalendarJob.objects.filter(status=CalendarJob.Status.FAILED).count() == 3

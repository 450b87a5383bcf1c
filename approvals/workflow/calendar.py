"""Calendar loads and what they move: a year's schedule loaded and carried to every open case it
touches (``load_calendar``; in the background, ``apply_calendar_job``), what a load would move
(``preview_calendar``), a calendar upload's status (``set_calendar_job_status``), and the
recompute after an administrator edits days by hand (``calendar_days_changed``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from approvals import audit
from approvals.calendar import WorkCalendar
from approvals.holidays import Schedule, calendar_version, import_schedule, work_calendar
from approvals.models import CLOCK_DUE_COLUMNS, Application, AuditEvent, ClockKind, User
from approvals.workflow.core import _announce, _due_dates_moved, refresh_clocks, today

CLOCK_FIELDS = [
    "clock",
    *(
        f"{kind}_{part}" if part else column
        for kind, column in CLOCK_DUE_COLUMNS.items()
        for part in ("", "provisional", "earliest", "latest")
    ),
    "days_left_when_paused",
    "yellow_on",
    "red_on",
    "severe_on",
    "next_alert_on",
    "next_alert_level",
]


def _touched(first: date | None, last: date | None):
    """The open applications whose clock window touches the days ``first``..``last``."""
    candidates = Application.objects.open()
    if first is not None and last is not None:
        candidates = candidates.filter(received_on__lte=last).filter(
            Q(acceptance_due__gte=first)
            | Q(due_date__gte=first)
            | Q(statutory_due__gte=first)
            | Q(certificate_due__gte=first)
            | Q(clock=ClockKind.PAUSED)
        )
    return candidates


def _recompute(pks: list[int], reason: str, actor: User | None, calendar: WorkCalendar) -> list[AuditEvent]:
    """Recompute these applications (locked), save what changed, record each moved due date."""
    apps = (
        Application.objects.filter(pk__in=pks)
        .select_related("policy")
        .prefetch_related("special_procedures", "alerts")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    changed_apps, drafts = [], []
    for app in apps:
        changed = refresh_clocks(app, calendar)
        if not changed:
            continue
        changed_apps.append(app)
        event = _due_dates_moved(app, actor, reason, changed)
        if event is not None:
            drafts.append(event)
    Application.objects.bulk_update(changed_apps, CLOCK_FIELDS, batch_size=500)
    events = _announce(drafts)
    return events


def recompute_open_clocks(
    reason: str,
    first: date | None = None,
    last: date | None = None,
    actor: User | None = None,
    *,
    chunk: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """After a calendar change between ``first`` and ``last``: recompute every open clock whose
    window touches those days, in bulk, and record each moved due date. Returns how many moved.

    In one transaction by default; with ``chunk``, one transaction per ``chunk`` applications
    (each consistent, the whole idempotent) so that ``progress(done, total)`` can be reported
    while a large recompute runs."""
    calendar = work_calendar()
    pks = list(_touched(first, last).order_by("pk").values_list("pk", flat=True))
    if chunk is None:
        with transaction.atomic():
            return len(_recompute(pks, reason, actor, calendar))
    moved = 0
    if progress is not None:
        progress(0, len(pks))
    for start in range(0, len(pks), chunk):
        with transaction.atomic():
            moved += len(_recompute(pks[start : start + chunk], reason, actor, calendar))
        if progress is not None:
            progress(min(start + chunk, len(pks)), len(pks))
    return moved


def load_calendar(schedule: Schedule, *, actor: User | None = None) -> tuple[object, int]:
    """Load a year's official schedule and carry it to every open case it touches, atomically."""
    with transaction.atomic():
        result = import_schedule(schedule)
        moved = recompute_open_clocks(_loaded(schedule), *_span(schedule), actor=actor)
    return result, moved


def _loaded(schedule: Schedule) -> str:
    return _("%(year)s schedule loaded") % {"year": schedule.year}


def _span(schedule: Schedule) -> tuple[date, date]:
    return min([*(entry.date for entry in schedule.entries), date(schedule.year, 1, 1)]), date(schedule.year, 12, 31)


@dataclass(frozen=True)
class Move:
    application_id: int
    tracking_number: str
    field: str
    old: str | None
    new: str | None


def preview_calendar(schedule: Schedule) -> list[Move]:
    """What loading ``schedule`` would move, without changing anything: the load runs in a
    transaction that is rolled back."""
    moves: list[Move] = []
    with transaction.atomic():
        before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        load_calendar(schedule)
        for event in AuditEvent.objects.filter(pk__gt=before, action="due_date_moved").select_related("application"):
            for field, (old, new) in event.data.items():
                moves.append(Move(event.application_id, event.application.tracking_number or "", field, old, new))
        transaction.set_rollback(True)
    return moves


def preview_is_current(preview: dict) -> bool:
    """Whether the calendar is still the one a calendar upload's preview was made on: a preview
    made before another load (or an edit in the admin) says what the upload would have done then,
    and loading it now could undo that load."""
    seen = preview.get("calendar")
    return seen is None or seen == calendar_version(work_calendar())


def stale_preview_message() -> str:
    return _(
        "The calendar changed since this preview (another schedule was loaded or edited): "
        "upload it again to see what it would do now. Nothing was changed."
    )


def set_calendar_job_status(
    job_id: int,
    status: str,
    *,
    only_from: Iterable[str] | None = None,
    actor: User | None = None,
    **fields: Any,
) -> bool:
    """Change a calendar upload's status (and ``fields`` with it) and record the change in the
    audit trail, in one transaction: the one way a ``CalendarJob``'s status changes. With
    ``only_from``, only a job in one of those statuses moves (a compare-and-set: False when
    another request moved it first, and nothing is written). A status that stays the same is
    not a change and is not recorded. The event belongs to no application; its data names the
    job, its year and the new status."""
    from approvals.models import CalendarJob

    with transaction.atomic():
        jobs = CalendarJob.objects.select_for_update().filter(pk=job_id)
        if only_from is not None:
            jobs = jobs.filter(status__in=list(only_from))
        job = jobs.only("pk", "year", "status").first()
        if job is None:
            return False
        CalendarJob.objects.filter(pk=job_id).update(status=status, **fields)
        if job.status != status:
            audit.append(
                [
                    audit.Draft(
                        None,
                        actor.pk if actor else None,
                        "calendar_job_" + status,
                        today(),
                        from_state=job.status,
                        to_state=status,
                        data={"job": job.pk, "year": job.year, "status": status},
                        delivered=True,
                    )
                ]
            )
    return True


def apply_calendar_job(job_id: int) -> str:
    """The django-q2 task behind the calendar page: load the uploaded schedule (atomically),
    then carry it to the open cases in chunks, reporting progress on the job. A job whose
    preview no longer matches the calendar (another load came first) fails, changing nothing.
    Each status change is audited (``set_calendar_job_status``)."""
    from approvals.holidays import read_schedule_text
    from approvals.models import CalendarJob

    job = CalendarJob.objects.get(pk=job_id)
    if not preview_is_current(job.preview or {}):
        text = stale_preview_message()
        set_calendar_job_status(job_id, CalendarJob.Status.FAILED, result=text)
        return text
    set_calendar_job_status(job_id, CalendarJob.Status.RUNNING)
    try:
        schedule = read_schedule_text(job.content, job.file_name, source=job.source)
        with transaction.atomic():
            result = import_schedule(schedule)
        first, last = _span(schedule)

        def progress(done: int, total: int) -> None:
            CalendarJob.objects.filter(pk=job_id).update(done=done, total=total)

        moved = recompute_open_clocks(
            _loaded(schedule), first, last, actor=job.created_by, chunk=200, progress=progress
        )
    except Exception as exc:
        set_calendar_job_status(job_id, CalendarJob.Status.FAILED, result=str(exc)[:2000])
        raise
    text = f"{result} " + _("Due dates moved: %(n)s.") % {"n": moved}
    set_calendar_job_status(job_id, CalendarJob.Status.DONE, result=text)
    return text


def calendar_days_changed(days: Iterable[date], reason: str, actor: User | None = None) -> int:
    """After an administrator edits schedule days by hand."""
    days = sorted(days)
    if not days:
        return 0
    return recompute_open_clocks(reason, days[0], days[-1], actor=actor)

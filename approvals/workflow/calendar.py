"""A calendar load, from the upload to the recompute: the workflow is its only owner.

A load has three steps, each here: the preview (``preview_upload``: the upload checked and read
by ``holidays.read_upload``, what loading it would do counted without changing anything, and both
kept as a ``CalendarJob``), the confirmation (``confirm_job``: refused when the calendar changed
since the preview, else queued once in django-q2) and the run (``apply_calendar_job``, the task:
the schedule loaded, then carried to the open cases in chunks). Every job status change is audited
(``set_calendar_job_status``). The calendar page, the API, the admin (``calendar_days_changed``
after days edited by hand) and ``manage.py import_calendar`` (``load_calendar``, at once) call
these; ``approvals.holidays`` reads the schedules and writes the tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from approvals import audit
from approvals.calendar import WorkCalendar
from approvals.deadlines import pauses_of, read_clocks
from approvals.holidays import (
    MAX_SOURCE,
    Schedule,
    ScheduleError,
    calendar_version,
    check_size,
    dump_holiday_cn,
    import_schedule,
    read_schedule_text,
    read_upload,
    work_calendar,
)
from approvals.models import (
    CLOCK_COLUMNS,
    Application,
    AuditEvent,
    CalendarDay,
    CalendarJob,
    CalendarYear,
    ClockKind,
    DayKind,
    User,
)
from approvals.workflow.core import _announce, _due_dates_moved, refresh_clocks, today

CLOCK_FIELDS = [*CLOCK_COLUMNS, "next_alert_on", "next_alert_level"]  # what a recompute writes


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
    return _announce(drafts)


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


def calendar_after(schedule: Schedule) -> WorkCalendar:
    """The calendar as it will be once ``schedule`` is loaded: ``import_schedule`` replaces the
    entries the same notice brought before (a correction: only those of the festivals it
    replaces), and overrides other entries date by date; a correction leaves the year official
    or not, as it was."""
    gone = CalendarDay.objects.filter(notice_year=schedule.year)
    if schedule.correction:
        gone = gone.filter(name__in=schedule.replaces)
    days = {
        day: kind == DayKind.WORKDAY
        for day, kind in CalendarDay.objects.exclude(pk__in=gone.values("pk")).values_list("date", "kind")
    }
    days.update({entry.date: entry.working for entry in schedule.entries})
    years = set(CalendarYear.objects.filter(official=True).values_list("year", flat=True))
    if not schedule.correction:
        years.add(schedule.year)
    return WorkCalendar.official().with_days(days, years)


def _still_provisional(app: Application, calendar: WorkCalendar) -> bool:
    try:
        return read_clocks(app, calendar, pauses_of(app)).provisional
    except ValueError:  # a clock the engine refuses: the recompute leaves it as it is
        return True  # it is provisional now


def make_preview(schedule: Schedule) -> dict:
    """What loading ``schedule`` would do, as the JSON kept on the job: every moved due date
    with its shift in working days (counted on the new calendar), and how many of the open
    applications with a provisional due date become official."""
    moves = preview_calendar(schedule)
    after = calendar_after(schedule)
    rows = []
    for move in moves:
        old = date.fromisoformat(move.old) if move.old else None
        new = date.fromisoformat(move.new) if move.new else None
        shift = after.working_days_between(old, new).days if old and new else None
        days = (new - old).days if old and new else None
        rows.append([move.application_id, move.tracking_number, move.field, move.old, move.new, shift, days])
    provisional = list(
        Application.objects.open().provisional().select_related("policy").prefetch_related("special_procedures")
    )
    stay = sum(1 for app in provisional if _still_provisional(app, after))
    first, last = min(entry.date for entry in schedule.entries), max(entry.date for entry in schedule.entries)
    calendar = work_calendar()
    return {
        "entries": len(schedule.entries),
        "holidays": sum(1 for entry in schedule.entries if not entry.working),
        "workdays": sum(1 for entry in schedule.entries if entry.working),
        "first": first.isoformat(),
        "last": last.isoformat(),
        "source": schedule.source,
        "correction": schedule.correction,
        "replaces": list(schedule.replaces),
        "was_official": calendar.is_official_year(schedule.year),
        # The calendar this preview was counted on: confirming it once the calendar changed is refused.
        "calendar": calendar_version(calendar),
        "applications": len({move.application_id for move in moves}),
        "moves": rows,
        "provisional": len(provisional),
        "stay_provisional": stay,
        "become_official": len(provisional) - stay,
    }


def job_content(schedule: Schedule, text: str, name: str) -> str:
    """What a job keeps to read again when it is applied (``apply_calendar_job`` reads it with its
    file name and source only): the upload as it came, when reading it so gives the previewed
    schedule; else, when the year or the correction came from the form, the schedule as
    holiday-cn JSON with the correction's marks, which read back the same."""
    try:
        again = read_schedule_text(text, name, source=schedule.source)
    except ScheduleError:
        again = None
    return text if again == schedule else dump_holiday_cn(schedule, marks=True)


def make_job(schedule: Schedule, upload: bytes | str, file_name: str, user: User | None) -> CalendarJob:
    """A previewed upload (``schedule``, read from ``upload``), kept with its preview to confirm."""
    file_name = file_name[:200]
    text = upload.decode("utf-8-sig") if isinstance(upload, bytes) else upload
    return CalendarJob.objects.create(
        year=schedule.year,
        file_name=file_name,
        source=schedule.source[:MAX_SOURCE],
        content=job_content(schedule, text, file_name),
        preview=make_preview(schedule),
        created_by=user,
    )


def preview_upload(
    upload: File | bytes | str,
    name: str,
    *,
    year: int | None = None,
    source: str = "",
    correction: bool = False,
    actor: User | None = None,
) -> CalendarJob:
    """Step 1 of a load from the calendar page or the API: the upload (a file, checked for size
    before it is read, its bytes, or a pasted text) read and checked as every load is
    (``holidays.read_upload``), and kept with what loading it would do as a job to confirm.
    Raises ScheduleError, which names the entry and what is wrong; then nothing is kept."""
    if isinstance(upload, File):
        check_size(upload.size)
        upload = upload.read()
    schedule = read_upload(upload, name, year=year, source=source, correction=correction)
    return make_job(schedule, upload, name, actor)


def confirm_job(job: CalendarJob, actor: User | None = None) -> str:
    """Step 2: queue a previewed upload's load in the background, once: ``"queued"``,
    ``"confirmed"`` (it was already), ``"stale"`` (the calendar changed since the preview: upload
    again), or ``"unreachable"`` (the broker is down: the preview stays, to confirm again). Each
    status change is audited (``set_calendar_job_status``), by ``actor`` when given."""
    if job.status == CalendarJob.Status.PREVIEWED and not preview_is_current(job.preview or {}):
        return "stale"
    queued = set_calendar_job_status(
        job.pk, CalendarJob.Status.QUEUED, only_from=[CalendarJob.Status.PREVIEWED], actor=actor
    )
    if not queued:
        return "confirmed"
    from django_q.tasks import async_task  # (looked up when called: tests replace it)

    try:
        # The task's dotted path is the package's name for it (approvals.workflow re-exports it),
        # as jobs queued before the workflow became a package named it.
        async_task("approvals.workflow.apply_calendar_job", job.pk, group="calendar")
    except Exception:  # noqa: BLE001 - the broker is down: give the preview back
        set_calendar_job_status(
            job.pk, CalendarJob.Status.PREVIEWED, only_from=[CalendarJob.Status.QUEUED], actor=actor
        )
        return "unreachable"
    return "queued"


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

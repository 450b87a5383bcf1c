"""A calendar load, from the upload to the recompute: the workflow is its only owner.

A load has three steps, each here: the preview (``preview_upload``: the upload checked and read
by ``holidays.read_upload`` and kept as a ``CalendarJob``; then ``preview_calendar_job``, a
django-q2 task, counts what loading it would do, reading each open clock on the calendar as it
will be and writing nothing but the job), the confirmation (``confirm_job``: refused when the calendar changed
since the preview, else queued once in django-q2) and the run (``apply_calendar_job``, the task:
the schedule loaded, then carried to the open cases in chunks). Every job status change is audited
(``set_calendar_job_status``). The calendar page, the API, the admin (``calendar_days_changed``
after days edited by hand) and ``manage.py import_calendar`` (``load_calendar``, at once) call
these; ``approvals.holidays`` reads the schedules and writes the tables.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from approvals.holidays.tables import IMPORT_TEXTS
from approvals.models import (
    CLOCK_COLUMNS,
    CLOCK_DUE_COLUMNS,
    Alert,
    Application,
    CalendarDay,
    CalendarJob,
    CalendarYear,
    ClockKind,
    DayKind,
    Policy,
    SpecialProcedure,
    User,
)
from approvals.rows import update_rows
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


#: Applications per transaction of a recompute (and per step of a preview): each chunk's reads,
#: writes, audit append and notifications take a constant number of queries, and memory holds one
#: chunk's applications at a time.
CHUNK = 1000

#: The time limit of the calendar's django-q2 tasks (the preview, the load), in seconds: a load
#: that moves every one of 100,000 open clocks takes one to two minutes (benchmarks/calendar_load),
#: this leaves room for more cases and a slower database. Capped below the broker's ``retry``
#: (``task_timeout``): a task still running when the broker hands it out again would run twice.
TASK_TIMEOUT = 900


def task_timeout() -> int:
    """The ``timeout`` given to the calendar's tasks: TASK_TIMEOUT, or less when Q_CLUSTER's
    ``retry`` (after which an unacknowledged task is handed out again) is not longer than that."""
    from django.conf import settings

    retry = (getattr(settings, "Q_CLUSTER", None) or {}).get("retry", 60)
    return max(1, min(TASK_TIMEOUT, retry - 10))


def _chunk_of(pks: list[int], *, lock: bool = False, alerts: bool = True) -> list[tuple[Application, list[Alert]]]:
    """Applications ``pks`` (locked, with ``lock``), in id order, each with what ``refresh_clocks``
    and the preview read of it: its policy, its pauses (``app.special_procedures.all()``, as a
    prefetch would leave them) and, with ``alerts``, its alerts; four queries for the chunk.

    Not Django's ``prefetch_related``: it builds a queryset per application and relation, which
    cost more than the recompute itself (a quarter of a millisecond per application)."""
    rows = Application.objects.filter(pk__in=pks).order_by("pk")
    if lock:
        rows = rows.select_for_update(of=("self",))
    apps = list(rows)
    # The policies (a few, shared by the whole chunk): not joined to every row.
    policies = Policy.objects.in_bulk({app.policy_id for app in apps if app.policy_id is not None})
    for app in apps:
        if app.policy_id is not None:
            app.policy = policies[app.policy_id]
    pauses: dict[int, list[SpecialProcedure]] = {app.pk: [] for app in apps}
    for pause in SpecialProcedure.objects.filter(application_id__in=list(pauses)):
        pauses[pause.application_id].append(pause)
    found: dict[int, list[Alert]] = {app.pk: [] for app in apps}
    if alerts:
        for alert in Alert.objects.filter(application_id__in=list(found)):
            found[alert.application_id].append(alert)
    for app in apps:
        # Where the related manager looks first (what prefetch_related fills), so pauses_of(app) reads them.
        app._prefetched_objects_cache = {PAUSES: pauses[app.pk]}
    return [(app, found[app.pk]) for app in apps]


PAUSES = Application.special_procedures.field.remote_field.cache_name  # where the related manager looks


def _recompute(pks: list[int], reason: str, actor: User | None, calendar: WorkCalendar) -> int:
    """Recompute these applications (locked), write what changed and record each moved due date:
    the same number of queries for any number of applications (their rows read with what the
    clocks need, the changed columns written in one statement, one audit append, the in-app
    notifications with their recipients looked up once, one delivery task after commit).
    Returns how many applications had a due date moved."""
    changed_apps, drafts = [], []
    fields: set[str] = set()
    for app, alerts in _chunk_of(pks, lock=True):
        changed = refresh_clocks(app, calendar, alerts=alerts)
        if not changed:
            continue
        changed_apps.append(app)
        fields.update(changed)
        event = _due_dates_moved(app, actor, reason, changed)
        if event is not None:
            drafts.append(event)
    update_rows(changed_apps, sorted(fields))
    return len(_announce(drafts))


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

    Always CHUNK applications at a time, so that memory holds one chunk's applications (and the
    id list). In one transaction by default; with ``chunk``, one transaction per ``chunk``
    applications (each consistent, the whole idempotent) so that ``progress(done, total)`` can be
    reported, and seen, while a large recompute runs."""
    calendar = work_calendar()
    pks = list(_touched(first, last).order_by("pk").values_list("pk", flat=True))
    with transaction.atomic() if chunk is None else nullcontext():
        return _in_chunks(pks, chunk or CHUNK, reason, actor, calendar, progress)


def _in_chunks(
    pks: list[int],
    chunk: int,
    reason: str,
    actor: User | None,
    calendar: WorkCalendar,
    progress: Callable[[int, int], None] | None,
) -> int:
    moved = 0
    if progress is not None:
        progress(0, len(pks))
    for start in range(0, len(pks), chunk):
        with transaction.atomic():
            moved += _recompute(pks[start : start + chunk], reason, actor, calendar)
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


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _foresee(
    schedule: Schedule,
    after: WorkCalendar,
    moved: Callable[[Application, str, date | None, date | None], None],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """What loading ``schedule`` would do, counted without writing anything: each touched open
    application's clocks read on ``after`` (the calendar once it is loaded) and compared with its
    stored due dates, as ``refresh_clocks`` will compare them: ``moved(app, clock kind, old, new)``
    for each due date that moves; and of the open applications with a provisional due date, how
    many stay provisional. Chunk by chunk (CHUNK applications, four queries each, one chunk in
    memory at a time), ``progress(done, total)`` after each. Returns (provisional, stay)."""
    touched = set(_touched(*_span(schedule)).values_list("pk", flat=True))
    provisional = set(Application.objects.open().provisional().values_list("pk", flat=True))
    pks = sorted(touched | provisional)
    stay = 0
    if progress is not None:
        progress(0, len(pks))
    for start in range(0, len(pks), CHUNK):
        for app, _alerts in _chunk_of(pks[start : start + CHUNK], alerts=False):
            try:
                reading = read_clocks(app, after, pauses_of(app))
            except ValueError:  # a clock the engine refuses: the recompute leaves it as it is
                reading = None
            if app.pk in provisional:
                stay += reading is None or reading.provisional
            if reading is None or app.pk not in touched:
                continue
            for kind, column in CLOCK_DUE_COLUMNS.items():
                clock = reading.of(kind)
                old, new = getattr(app, column), clock.due if clock else None
                if old != new:
                    moved(app, kind, old, new)
        if progress is not None:
            progress(min(start + CHUNK, len(pks)), len(pks))
    return len(provisional), stay


def preview_calendar(schedule: Schedule) -> list[Move]:
    """What loading ``schedule`` would move, without changing anything (nothing is written: each
    clock is read on the calendar as it will be)."""
    moves: list[Move] = []

    def moved(app: Application, kind: str, old: date | None, new: date | None) -> None:
        moves.append(Move(app.pk, app.tracking_number or "", kind, _iso(old), _iso(new)))

    _foresee(schedule, calendar_after(schedule), moved)
    return moves


def preview_is_current(preview: dict) -> bool:
    """Whether the calendar is still the one a calendar upload's preview was made on: a preview
    made before another load (or an edit in the admin) says what the upload would have done then,
    and loading it now could undo that load."""
    seen = preview.get("calendar")
    return seen is None or seen == calendar_version(work_calendar())


#: What a calendar job's ``result`` says, by code. The job keeps JSON, a list of [code, params]
#: (``job_result``), and each reader gets it in their own language (``job_result_text``), not in
#: the background worker's. "error" carries an unexpected failure's own text.
RESULT_TEXTS = {
    **IMPORT_TEXTS,
    "moved": gettext_lazy("Due dates moved: %(n)s."),
    "not_queued": gettext_lazy("The background worker could not be reached: nothing was changed. Try again."),
    "stale": gettext_lazy(
        "The calendar changed since this preview (another schedule was loaded or edited): "
        "upload it again to see what it would do now. Nothing was changed."
    ),
    "error": "%(text)s",
}


def job_result(*parts: tuple[str, dict]) -> str:
    """A calendar job's ``result`` as kept: each part a code of RESULT_TEXTS and its parameters."""
    return json.dumps([[code, params] for code, params in parts], ensure_ascii=False)


def job_result_text(result: str) -> str:
    """A calendar job's ``result`` in the active language; one kept as plain text (before the
    codes were kept) as it is."""
    try:
        parts = json.loads(result)
    except ValueError:
        return result
    if not isinstance(parts, list) or not all(
        isinstance(part, list) and len(part) == 2 and part[0] in RESULT_TEXTS and isinstance(part[1], dict)
        for part in parts
    ):
        return result
    return " ".join(str(RESULT_TEXTS[code]) % params for code, params in parts)


def stale_preview_message() -> str:
    return str(RESULT_TEXTS["stale"])


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


def _facts(schedule: Schedule) -> dict:
    """What the preview says of the schedule itself, known as soon as it is read."""
    first, last = min(entry.date for entry in schedule.entries), max(entry.date for entry in schedule.entries)
    return {
        "entries": len(schedule.entries),
        "holidays": sum(1 for entry in schedule.entries if not entry.working),
        "workdays": sum(1 for entry in schedule.entries if entry.working),
        "first": first.isoformat(),
        "last": last.isoformat(),
        "source": schedule.source,
        "correction": schedule.correction,
        "replaces": list(schedule.replaces),
    }


def make_preview(schedule: Schedule, *, progress: Callable[[int, int], None] | None = None) -> dict:
    """What loading ``schedule`` would do, as the JSON kept on the job: every moved due date
    with its shift in working days (counted on the new calendar), and how many of the open
    applications with a provisional due date become official. Writes nothing; reports
    ``progress(done, total)`` over the open applications it reads."""
    calendar = work_calendar()
    after = calendar_after(schedule)
    rows: list[list] = []
    applications: set[int] = set()

    def moved(app: Application, kind: str, old: date | None, new: date | None) -> None:
        shift = after.working_days_between(old, new).days if old and new else None
        days = (new - old).days if old and new else None
        rows.append([app.pk, app.tracking_number or "", kind, _iso(old), _iso(new), shift, days])
        applications.add(app.pk)

    provisional, stay = _foresee(schedule, after, moved, progress)
    return {
        **_facts(schedule),
        "was_official": calendar.is_official_year(schedule.year),
        # The calendar this preview was counted on: confirming it once the calendar changed is refused.
        "calendar": calendar_version(calendar),
        "applications": len(applications),
        "moves": rows,
        "provisional": provisional,
        "stay_provisional": stay,
        "become_official": provisional - stay,
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
    """A previewed upload (``schedule``, read from ``upload``), kept with its preview to confirm:
    the preview made here and now (``preview_upload`` makes it in the background)."""
    return _new_job(
        schedule, upload, file_name, user, status=CalendarJob.Status.PREVIEWED, preview=make_preview(schedule)
    )


def _new_job(schedule: Schedule, upload: bytes | str, file_name: str, user: User | None, **fields: Any) -> CalendarJob:
    file_name = file_name[:200]
    text = upload.decode("utf-8-sig") if isinstance(upload, bytes) else upload
    return CalendarJob.objects.create(
        year=schedule.year,
        file_name=file_name,
        source=schedule.source[:MAX_SOURCE],
        content=job_content(schedule, text, file_name),
        created_by=user,
        **fields,
    )


class PreviewNotQueued(Exception):
    """The background worker could not be reached to make an upload's preview: the job is kept,
    failed with ``not_queued_message()``, and nothing else changed."""

    def __init__(self, job: CalendarJob) -> None:
        super().__init__(job_result_text(job.result))
        self.job = job


def not_queued_message() -> str:
    return str(RESULT_TEXTS["not_queued"])


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
    (``holidays.read_upload``), and kept as a job, being previewed: what loading it would do is
    counted in the background (``preview_calendar_job``, queued here) and the job shows the
    progress, then the preview to confirm. Raises ScheduleError, which names the entry and what is
    wrong; then nothing is kept. Raises PreviewNotQueued (the job kept, failed) when the worker
    cannot be reached. Returns the job as it is once queued (previewed already when django-q2 runs
    tasks inline)."""
    if isinstance(upload, File):
        check_size(upload.size)
        upload = upload.read()
    schedule = read_upload(upload, name, year=year, source=source, correction=correction)
    job = _new_job(schedule, upload, name, actor, status=CalendarJob.Status.PREVIEWING, preview=_facts(schedule))
    from django_q.tasks import async_task  # (looked up when called: tests replace it)

    try:
        async_task(PREVIEW_TASK, job.pk, group="calendar", timeout=task_timeout())
    except Exception:  # noqa: BLE001 - the broker is down: the job fails, nothing else changed
        set_calendar_job_status(
            job.pk,
            CalendarJob.Status.FAILED,
            only_from=[CalendarJob.Status.PREVIEWING],
            actor=actor,
            result=job_result(("not_queued", {})),
        )
        job.refresh_from_db()
        raise PreviewNotQueued(job) from None
    job.refresh_from_db()
    return job


#: The preview's django-q2 task, by its dotted path.
PREVIEW_TASK = "approvals.workflow.calendar.preview_calendar_job"


def _progress(job_id: int) -> Callable[[int, int], None]:
    """Report a job's progress: ``update`` skips ``auto_now``, so ``updated_at`` is set here (the
    page's stall check reads it)."""

    def progress(done: int, total: int) -> None:
        CalendarJob.objects.filter(pk=job_id).update(done=done, total=total, updated_at=timezone.now())

    return progress


def preview_calendar_job(job_id: int) -> str:
    """The django-q2 task behind an upload: count what loading it would do (``make_preview``,
    which writes nothing), reporting progress on the job, and keep the preview on it, previewed
    (to confirm), or failed with the reason. A job no longer being previewed (a task delivered
    twice) is left as it is."""
    job = CalendarJob.objects.filter(pk=job_id, status=CalendarJob.Status.PREVIEWING).first()
    if job is None:
        return "not previewing"
    try:
        schedule = read_schedule_text(job.content, job.file_name, source=job.source)
        preview = make_preview(schedule, progress=_progress(job_id))
        preview["source"] = (job.preview or {}).get("source", schedule.source)  # as read, not cut to fit
    except Exception as exc:
        set_calendar_job_status(
            job_id,
            CalendarJob.Status.FAILED,
            only_from=[CalendarJob.Status.PREVIEWING],
            result=job_result(("error", {"text": str(exc)[:2000]})),
        )
        raise
    set_calendar_job_status(
        job_id, CalendarJob.Status.PREVIEWED, only_from=[CalendarJob.Status.PREVIEWING], preview=preview
    )
    return _("Due dates that would move: %(n)s.") % {"n": len(preview["moves"])}


def confirm_job(job: CalendarJob, actor: User | None = None) -> str:
    """Step 2: queue a previewed upload's load in the background, once: ``"queued"``,
    ``"previewing"`` (its preview is not made yet), ``"confirmed"`` (it was already), ``"stale"``
    (the calendar changed since the preview: upload again), or ``"unreachable"`` (the broker is
    down: the preview stays, to confirm again). Each status change is audited
    (``set_calendar_job_status``), by ``actor`` when given."""
    if job.status == CalendarJob.Status.PREVIEWING:
        return "previewing"
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
        async_task("approvals.workflow.apply_calendar_job", job.pk, group="calendar", timeout=task_timeout())
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
    # Not the preview itself: a load that moves 100,000 due dates has 200,000 rows in it.
    job = CalendarJob.objects.defer("preview").select_related("created_by").get(pk=job_id)
    seen = CalendarJob.objects.filter(pk=job_id).values_list("preview__calendar", flat=True).get()
    waiting = [CalendarJob.Status.PREVIEWED, CalendarJob.Status.QUEUED]  # not yet run (else: its own load)
    if job.status in waiting and not preview_is_current({"calendar": seen}):
        set_calendar_job_status(job_id, CalendarJob.Status.FAILED, only_from=waiting, result=job_result(("stale", {})))
        return stale_preview_message()
    # From the queue, or again after the worker was killed mid-run (the broker hands the task out
    # again): what is done stays correct and the rest is done. Not again once done or failed.
    running = [CalendarJob.Status.QUEUED, CalendarJob.Status.RUNNING]
    if not set_calendar_job_status(job_id, CalendarJob.Status.RUNNING, only_from=running):
        return "not queued"
    try:
        schedule = read_schedule_text(job.content, job.file_name, source=job.source)
        with transaction.atomic():
            result = import_schedule(schedule)
        first, last = _span(schedule)
        moved = recompute_open_clocks(
            _loaded(schedule), first, last, actor=job.created_by, chunk=CHUNK, progress=_progress(job_id)
        )
    except Exception as exc:
        set_calendar_job_status(
            job_id, CalendarJob.Status.FAILED, result=job_result(("error", {"text": str(exc)[:2000]}))
        )
        raise
    kept = job_result(result.message(), ("moved", {"n": moved}))
    set_calendar_job_status(job_id, CalendarJob.Status.DONE, result=kept)
    return job_result_text(kept)


def calendar_days_changed(days: Iterable[date], reason: str, actor: User | None = None) -> int:
    """After an administrator edits schedule days by hand."""
    days = sorted(days)
    if not days:
        return 0
    return recompute_open_clocks(reason, days[0], days[-1], actor=actor)

"""The calendar tables: loading a schedule into them (``import_schedule``, counted beforehand by
``plan_import``), and the calendar they make, ``work_calendar()``: the chinesecalendar package's
data, overridden date by date by the loaded entries."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext_lazy

from approvals.calendar import WorkCalendar
from approvals.holidays.schedule import MAX_SOURCE, Entry, Schedule
from approvals.models import CalendarDay, CalendarYear, DayKind


@dataclass(frozen=True)
class ImportResult:
    year: int
    created: int
    updated: int
    unchanged: int
    deleted: int
    correction: bool = False

    def __str__(self) -> str:
        code, params = self.message()
        return str(IMPORT_TEXTS[code]) % params

    def message(self) -> tuple[str, dict]:
        """What to say, as a code of IMPORT_TEXTS and its parameters: a calendar job keeps this
        and says it in the language of whoever reads it."""
        return ("corrected" if self.correction else "loaded"), {
            name: getattr(self, name) for name in ("year", "created", "updated", "unchanged", "deleted")
        }


IMPORT_TEXTS = {
    "corrected": gettext_lazy(
        "%(year)s correction loaded: %(created)s entries added, %(updated)s changed, "
        "%(deleted)s removed, %(unchanged)s unchanged; the rest of the %(year)s schedule stays."
    ),
    "loaded": gettext_lazy(
        "%(year)s schedule loaded: %(created)s entries added, %(updated)s changed, "
        "%(deleted)s removed, %(unchanged)s unchanged; %(year)s is now official."
    ),
}


def _stale(schedule: Schedule, existing: dict[date, CalendarDay]) -> list[CalendarDay]:
    """The loaded days a load removes: those the same year's notice brought that it lacks, or for
    a correction those of the festivals it replaces."""
    wanted = {entry.date for entry in schedule.entries}
    return [
        day
        for d, day in existing.items()
        if d not in wanted
        and day.notice_year == schedule.year
        and (not schedule.correction or day.name in schedule.replaces)
    ]


def _values(schedule: Schedule, entry: Entry) -> dict[str, object]:
    kind = DayKind.WORKDAY if entry.working else DayKind.HOLIDAY
    return {"kind": kind, "name": entry.name, "notice_year": schedule.year, "source": schedule.source[:MAX_SOURCE]}


def plan_import(schedule: Schedule) -> ImportResult:
    """What ``import_schedule`` would do, counted without changing anything (the dry run)."""
    wanted = [entry.date for entry in schedule.entries]
    existing = {
        day.date: day
        for day in CalendarDay.objects.filter(notice_year=schedule.year) | CalendarDay.objects.filter(date__in=wanted)
    }
    created = updated = unchanged = 0
    for entry in schedule.entries:
        day = existing.get(entry.date)
        if day is None:
            created += 1
        elif any(getattr(day, field) != value for field, value in _values(schedule, entry).items()):
            updated += 1
        else:
            unchanged += 1
    return ImportResult(
        schedule.year, created, updated, unchanged, len(_stale(schedule, existing)), schedule.correction
    )


@transaction.atomic
def import_schedule(schedule: Schedule) -> ImportResult:
    """Load a year's notice: its entries replace the ones an earlier load of the same notice
    brought, date by date, and the year becomes official. A correction replaces the dates it
    names and the days of the festivals it ``replaces``, nothing else, and leaves the year as it
    is. All or nothing."""
    wanted = {entry.date: entry for entry in schedule.entries}
    existing = {
        day.date: day
        for day in CalendarDay.objects.select_for_update().filter(notice_year=schedule.year)
        | CalendarDay.objects.select_for_update().filter(date__in=list(wanted))
    }
    stale = [day.pk for day in _stale(schedule, existing)]
    deleted = CalendarDay.objects.filter(pk__in=stale).delete()[0] if stale else 0
    created = updated = unchanged = 0
    for entry in schedule.entries:
        values = _values(schedule, entry)
        day = existing.get(entry.date)
        if day is None:
            CalendarDay.objects.create(date=entry.date, **values)
            created += 1
        elif any(getattr(day, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(day, field, value)
            day.save()
            updated += 1
        else:
            unchanged += 1
    if not schedule.correction:
        CalendarYear.objects.update_or_create(
            year=schedule.year, defaults={"official": True, "source": schedule.source[:MAX_SOURCE]}
        )
    return ImportResult(schedule.year, created, updated, unchanged, deleted, schedule.correction)


_cache_lock = threading.Lock()
_cache: tuple[tuple, WorkCalendar] | None = None


def calendar_version(calendar: WorkCalendar) -> str | None:
    """A short digest of the calendar tables ``calendar`` was built from, for the keys of what
    is cached after counting with it; None for a calendar ``work_calendar()`` did not build."""
    cached = _cache
    if cached is None or cached[1] is not calendar:
        return None
    return hashlib.sha256(repr(cached[0]).encode()).hexdigest()[:16]


def work_calendar() -> WorkCalendar:
    """The calendar to count with: the package's data, then the database's entries and years.

    Built once per change of the calendar tables (two small aggregate queries tell whether
    anything changed) and shared by every caller in the process.
    """
    global _cache
    signature = (
        tuple(CalendarDay.objects.aggregate(n=Count("pk"), last=Max("updated_at")).values()),
        tuple(CalendarYear.objects.aggregate(n=Count("pk"), last=Max("updated_at")).values()),
    )
    cached = _cache
    if cached is not None and cached[0] == signature:
        return cached[1]
    with _cache_lock:
        days = {day.date: day.working for day in CalendarDay.objects.only("date", "kind")}
        years = CalendarYear.objects.filter(official=True).values_list("year", flat=True)
        calendar = WorkCalendar.official().with_days(days, years)
        _cache = (signature, calendar)
    return calendar

"""Official holiday schedules: reading the files, loading them, and the calendar they make.

A schedule file is the State Council's notice for one year, either in the public holiday-cn JSON
format or as a CSV with the header ``date,type,name``. Reading checks every entry and names the
first bad one; loading is atomic and makes the year official. ``work_calendar()`` is the calendar
the application counts with: the chinesecalendar package's data, overridden date by date by the
entries in the database.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from approvals.calendar import WorkCalendar
from approvals.models import CalendarDay, CalendarYear, DayKind


class ScheduleError(ValueError):
    """A schedule file that cannot be loaded; the message names the entry and what is wrong."""


@dataclass(frozen=True)
class Entry:
    date: date
    working: bool
    name: str


@dataclass(frozen=True)
class Schedule:
    """One year's notice: its holidays and adjusted working days (possibly a few in December of
    the year before), and where it was published."""

    year: int
    source: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class ImportResult:
    year: int
    created: int
    updated: int
    unchanged: int
    deleted: int

    def __str__(self) -> str:
        return _(
            "%(year)s schedule loaded: %(created)s entries added, %(updated)s changed, "
            "%(deleted)s removed, %(unchanged)s unchanged; %(year)s is now official."
        ) % vars(self)


def _parse_date(raw: object, where: str) -> date:
    if not isinstance(raw, str) or len(raw) != 10:
        raise ScheduleError(
            _("%(where)s: date %(raw)r is not a date in the form YYYY-MM-DD") % {"where": where, "raw": raw}
        )
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ScheduleError(
            _("%(where)s: date %(raw)r is not a date in the form YYYY-MM-DD") % {"where": where, "raw": raw}
        ) from None


def _check_year(year: object, where: str) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 9998:
        raise ScheduleError(
            _("%(where)s: %(year)r is not a year between 2000 and 9998") % {"where": where, "year": year}
        )
    return year


def _checked(year: int, source: str, items: Iterable[tuple[str, Entry]]) -> Schedule:
    """The schedule, once every entry is in the notice's span and no date appears twice."""
    first, last = date(year - 1, 12, 1), date(year, 12, 31)
    seen: dict[date, str] = {}
    entries = []
    for where, entry in items:
        if not first <= entry.date <= last:
            raise ScheduleError(
                _("%(where)s: %(date)s is outside the %(year)s notice (December %(before)s to December %(year)s)")
                % {"where": where, "date": entry.date.isoformat(), "year": year, "before": year - 1}
            )
        if entry.date in seen:
            raise ScheduleError(
                _("%(where)s: %(date)s appears twice (first at %(first)s)")
                % {"where": where, "date": entry.date.isoformat(), "first": seen[entry.date]}
            )
        seen[entry.date] = where
        entries.append(entry)
    if not entries:
        raise ScheduleError(_("the file lists no days"))
    return Schedule(year, source, tuple(sorted(entries, key=lambda e: e.date)))


def parse_holiday_cn(text: str) -> Schedule:
    """A schedule from the holiday-cn JSON format:
    ``{"year": 2027, "papers": ["https://..."], "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}``.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScheduleError(
            _("not valid JSON: %(msg)s at line %(line)s column %(col)s")
            % {"msg": exc.msg, "line": exc.lineno, "col": exc.colno}
        ) from None
    if not isinstance(data, dict):
        raise ScheduleError(_("the JSON must be an object with 'year' and 'days'"))
    year = _check_year(data.get("year"), "year")
    papers = data.get("papers", [])
    if not isinstance(papers, list) or not all(isinstance(p, str) for p in papers):
        raise ScheduleError(_("papers: must be a list of strings (the notice's addresses)"))
    days = data.get("days")
    if not isinstance(days, list):
        raise ScheduleError(_("days: missing, or not a list"))

    def items() -> Iterable[tuple[str, Entry]]:
        for index, item in enumerate(days):
            where = f"days[{index}]"
            if not isinstance(item, dict):
                raise ScheduleError(_("%(where)s: must be an object with name, date and isOffDay") % {"where": where})
            day = _parse_date(item.get("date"), where)
            where = f"days[{index}] ({day.isoformat()})"
            off = item.get("isOffDay")
            if not isinstance(off, bool):
                raise ScheduleError(
                    _("%(where)s: isOffDay must be true or false, not %(v)r") % {"where": where, "v": off}
                )
            name = item.get("name", "")
            if not isinstance(name, str) or len(name) > 100:
                raise ScheduleError(_("%(where)s: name must be text of at most 100 characters") % {"where": where})
            yield where, Entry(day, not off, name.strip())

    return _checked(year, "\n".join(papers), items())


CSV_HEADER = ["date", "type", "name"]
_CSV_TYPES = {DayKind.HOLIDAY.value: False, DayKind.WORKDAY.value: True}


def parse_csv(text: str, year: int | None = None, source: str = "") -> Schedule:
    """A schedule from a CSV with the header ``date,type,name``; ``type`` is ``holiday`` or
    ``workday``. The notice's year is ``year``, or else the latest year among the dates."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [cell.strip().lower() for cell in rows[0]] != CSV_HEADER:
        raise ScheduleError(_("line 1: the header must be exactly: date,type,name"))
    parsed: list[tuple[str, Entry]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = _("line %(n)s") % {"n": number}
        if len(row) != 3:
            raise ScheduleError(
                _("%(where)s: expected 3 fields (date,type,name), found %(n)s") % {"where": where, "n": len(row)}
            )
        raw_date, raw_type, name = (cell.strip() for cell in row)
        day = _parse_date(raw_date, where)
        where = f"{where} ({day.isoformat()})"
        if raw_type.lower() not in _CSV_TYPES:
            raise ScheduleError(_("%(where)s: type %(t)r must be holiday or workday") % {"where": where, "t": raw_type})
        if len(name) > 100:
            raise ScheduleError(_("%(where)s: name must be at most 100 characters") % {"where": where})
        parsed.append((where, Entry(day, _CSV_TYPES[raw_type.lower()], name)))
    if year is None:
        if not parsed:
            raise ScheduleError(_("the file lists no days"))
        year = max(entry.date.year for _where, entry in parsed)
    return _checked(_check_year(year, "year"), source, parsed)


def read_schedule(path: Path, *, year: int | None = None, source: str = "") -> Schedule:
    """Read a holiday-cn JSON file or a CSV file (by its content: JSON starts with ``{``)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScheduleError(_("cannot read %(path)s: %(err)s") % {"path": path, "err": exc.strerror}) from None
    return read_schedule_bytes(data, str(path), year=year, source=source)


def read_schedule_bytes(data: bytes, name: str, *, year: int | None = None, source: str = "") -> Schedule:
    """A schedule from an uploaded file's bytes (UTF-8, a byte-order mark allowed)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScheduleError(_("%(path)s is not UTF-8 text (byte %(pos)s)") % {"path": name, "pos": exc.start}) from None
    return read_schedule_text(text, name, year=year, source=source)


def read_schedule_text(text: str, name: str = "", *, year: int | None = None, source: str = "") -> Schedule:
    """A schedule from text: holiday-cn JSON when it starts with ``{``, else the CSV format."""
    if text.lstrip().startswith("{"):
        schedule = parse_holiday_cn(text)
        if year is not None and year != schedule.year:
            raise ScheduleError(
                _("the file is the %(file)s notice, not %(year)s") % {"file": schedule.year, "year": year}
            )
        if source:
            schedule = Schedule(schedule.year, source, schedule.entries)
        return schedule
    return parse_csv(text, year=year, source=source)


@transaction.atomic
def import_schedule(schedule: Schedule) -> ImportResult:
    """Load a year's notice: its entries replace the ones an earlier load of the same notice
    brought, date by date, and the year becomes official. All or nothing."""
    wanted = {entry.date: entry for entry in schedule.entries}
    existing = {
        day.date: day
        for day in CalendarDay.objects.select_for_update().filter(notice_year=schedule.year)
        | CalendarDay.objects.select_for_update().filter(date__in=list(wanted))
    }
    stale = [day.pk for d, day in existing.items() if d not in wanted]
    deleted = CalendarDay.objects.filter(pk__in=stale).delete()[0] if stale else 0
    created = updated = unchanged = 0
    for entry in schedule.entries:
        kind = DayKind.WORKDAY if entry.working else DayKind.HOLIDAY
        values = {"kind": kind, "name": entry.name, "notice_year": schedule.year, "source": schedule.source[:500]}
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
    CalendarYear.objects.update_or_create(
        year=schedule.year, defaults={"official": True, "source": schedule.source[:500]}
    )
    return ImportResult(schedule.year, created, updated, unchanged, deleted)


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

"""Reading a schedule in whichever format it is in (``read_schedule_text``: holiday-cn JSON, CSV
or the notice's text), from a file, its bytes or a text, and the one door every load goes
through, ``read_upload``: every entry checked, marked as a correction if asked, and what every
load checks before it starts (``check_loadable``)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from django.utils.translation import gettext as _

from approvals.estimate import LAST_YEAR, festival_days
from approvals.holidays.formats import parse_csv, parse_holiday_cn
from approvals.holidays.notice import parse_notice
from approvals.holidays.schedule import Schedule, ScheduleError, _check_source, check_size
from approvals.models import CalendarDay


def read_schedule(path: Path, *, year: int | None = None, source: str = "") -> Schedule:
    """Read a holiday-cn JSON file, a CSV file or a notice's text (see ``read_schedule_text``)."""
    try:
        check_size(path.stat().st_size)  # before reading a file that may be anything
        data = path.read_bytes()
    except OSError as exc:
        raise ScheduleError(_("cannot read %(path)s: %(err)s") % {"path": path, "err": exc.strerror}) from None
    return read_schedule_bytes(data, str(path), year=year, source=source)


def read_schedule_bytes(data: bytes, name: str, *, year: int | None = None, source: str = "") -> Schedule:
    """A schedule from an uploaded file's bytes (UTF-8, a byte-order mark allowed)."""
    check_size(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScheduleError(_("%(path)s is not UTF-8 text (byte %(pos)s)") % {"path": name, "pos": exc.start}) from None
    return read_schedule_text(text, name, year=year, source=source)


_CSV_HEADER_LINE = re.compile(r"[A-Za-z0-9_ ,;\"'\t]*,[A-Za-z0-9_ ,;\"'\t]*")


def schedule_format(text: str, name: str = "") -> str:
    """``"json"`` (it starts with ``{`` or ``[``, or the name ends with .json), ``"csv"`` (the
    name ends with .csv, or the first line is a comma-separated ASCII header such as
    ``date,type,name``), else ``"notice"``: the notice's text."""
    start = text.lstrip("\ufeff \t\r\n")
    lower = name.lower()
    if start.startswith(("{", "[")) or lower.endswith(".json"):
        return "json"
    first = start.split("\n", 1)[0].strip()
    if lower.endswith(".csv") or _CSV_HEADER_LINE.fullmatch(first):
        return "csv"
    return "notice"


def read_schedule_text(text: str, name: str = "", *, year: int | None = None, source: str = "") -> Schedule:
    """A schedule from text in any of the three formats (``schedule_format``): holiday-cn JSON,
    the ``date,type,name`` CSV, or the notice as published (``parse_notice``). ``source``, if
    given, replaces what the file says of where it comes from."""
    if source:
        _check_source(source)
    kind = schedule_format(text, name)
    if kind == "notice":
        return parse_notice(text, year=year, source=source)
    if kind == "csv":
        return parse_csv(text, year=year, source=source)
    schedule = parse_holiday_cn(text)
    if year is not None and year != schedule.year:
        raise ScheduleError(_("the file is the %(file)s notice, not %(year)s") % {"file": schedule.year, "year": year})
    if source:
        schedule = dataclasses.replace(schedule, source=source)
    return schedule


def check_loadable(schedule: Schedule) -> None:
    """What every load checks before it starts (the page, the API and the command call it with
    ``read_upload``): a year's notice lists every festival, so a file with a single day is a
    correction, and is refused unless marked as one. As a year's schedule it would make a year
    with no loaded schedule official with one day in it, or remove every other loaded day of the
    year; as a correction it changes that date only. A year's schedule must also keep every day
    off that the law fixes (``festival_days``): a notice that lost a festival's line, or a file
    that makes 除夕 a working day, is refused rather than loaded without it."""
    if schedule.correction:
        return
    if len(schedule.entries) != 1:
        _check_festivals(schedule)
        return
    entry = schedule.entries[0]
    loaded = CalendarDay.objects.filter(notice_year=schedule.year).exclude(date=entry.date).count()
    if loaded:
        raise ScheduleError(
            _(
                "the file lists one day, %(date)s: as the %(year)s schedule it would remove the other "
                "%(n)s loaded days of %(year)s. Mark it as a correction to change only that date"
            )
            % {"date": entry.date.isoformat(), "year": schedule.year, "n": loaded}
        )
    raise ScheduleError(
        _(
            "the file lists one day, %(date)s, but a year's notice lists every festival, and %(year)s "
            "has no loaded schedule yet. Mark it as a correction to change only that date"
        )
        % {"date": entry.date.isoformat(), "year": schedule.year}
    )


#: The first year whose statutory festival days are those of a revision the estimate knows exactly
#: (the 2014 revision of 全国年节及纪念日放假办法; before 2008 there was no 清明, 端午 or 中秋 holiday).
FESTIVALS_CHECKED_FROM = 2014


def _check_festivals(schedule: Schedule) -> None:
    """Every statutory festival day of the year is off in the schedule: listed as a day off, or a
    weekend day it does not make a working day."""
    if not FESTIVALS_CHECKED_FROM <= schedule.year <= LAST_YEAR:
        return
    listed = {entry.date: entry for entry in schedule.entries}
    for day, festival in sorted(festival_days(schedule.year).items()):
        entry = listed.get(day)
        if entry is not None and entry.working:
            raise ScheduleError(
                _(
                    "%(date)s is %(festival)s, a day off that the law fixes (the national holidays regulations), but "
                    "the %(year)s schedule makes it a working day; nothing was read"
                )
                % {"date": day.isoformat(), "festival": festival, "year": schedule.year}
            )
        if entry is None and day.weekday() < 5:
            raise ScheduleError(
                _(
                    "the %(year)s schedule has no %(festival)s: %(date)s, a day off that the law fixes "
                    "(the national holidays regulations), is not in it. A year's notice lists every festival: check "
                    "that every festival's line was read, or mark the file as a correction"
                )
                % {"date": day.isoformat(), "festival": festival, "year": schedule.year}
            )


def read_upload(
    content: bytes | str | Path,
    name: str = "",
    *,
    year: int | None = None,
    source: str = "",
    correction: bool = False,
) -> Schedule:
    """The one door of every load (the calendar page, the API, ``manage.py import_calendar``):
    a file (its path or its bytes) or a pasted text, read in whichever format it is in, every
    entry checked, marked as a correction if asked, and ``check_loadable``. Raises ScheduleError,
    which names the entry and what is wrong; nothing is changed."""
    if isinstance(content, Path):
        schedule = read_schedule(content, year=year, source=source)
    elif isinstance(content, bytes):
        schedule = read_schedule_bytes(content, name, year=year, source=source)
    else:
        schedule = read_schedule_text(content, name, year=year, source=source)
    if correction and not schedule.correction:
        schedule = dataclasses.replace(schedule, correction=True)
    check_loadable(schedule)
    return schedule

"""The calendar page's read side: each year's status, counts and open provisional applications,
and the recent schedule uploads."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from approvals.calendar import WorkCalendar, package_days
from approvals.estimate import EstimatedDay, estimate_year
from approvals.models import PROVISIONAL, Application, CalendarDay, CalendarJob, CalendarYear, DayKind


@dataclass
class YearRow:
    year: int
    official: bool
    source: str  # "package", "loaded" or "" (provisional)
    notice: str  # the loaded notice's source, if any
    holidays: int
    workdays: int
    provisional_open: int  # open applications with a provisional due date in this year


def _estimate(year: int) -> tuple[EstimatedDay, ...]:
    try:
        return estimate_year(year)
    except ValueError:  # beyond the lunar calendar's years: weekends only
        return ()


def _due_in(year: int) -> Q:
    span = (date(year, 1, 1), date(year, 12, 31))
    return (
        Q(acceptance_due__range=span)
        | Q(due_date__range=span)
        | Q(statutory_due__range=span)
        | Q(certificate_due__range=span)
    )


def year_rows(today: date) -> tuple[list[YearRow], int]:
    """Every year from the earliest the calendar knows to next year (or the last loaded), newest
    first, and the number of open applications with a provisional due date. Four queries."""
    package_years = WorkCalendar.official().official_years
    loaded = {row.year: row for row in CalendarYear.objects.all()}
    days = {day: working for day, (working, _name) in package_days().items()}
    days.update({day: kind == DayKind.WORKDAY for day, kind in CalendarDay.objects.values_list("date", "kind")})
    official = set(package_years) | {year for year, row in loaded.items() if row.official}
    first = min([*package_years, *loaded, today.year])
    last = max([today.year + 1, *loaded, *(day.year for day in days)])
    holidays = Counter(day.year for day, working in days.items() if not working)
    workdays = Counter(day.year for day, working in days.items() if working)
    provisional_years = [year for year in range(first, last + 1) if year not in official and year >= today.year - 1]
    counts = Application.objects.open().aggregate(
        total=Count("pk", filter=PROVISIONAL),
        **{f"y{year}": Count("pk", filter=PROVISIONAL & _due_in(year)) for year in provisional_years},
    )
    rows = []
    for year in range(last, first - 1, -1):
        is_official = year in official
        extra_off = extra_working = 0
        if not is_official:  # the estimate's best guess (approvals.estimate), unless an entry says otherwise
            guessed = [e for e in _estimate(year) if e.date not in days]
            extra_off = sum(1 for e in guessed if e.holiday)
            extra_working = sum(1 for e in guessed if not e.off and e.date.weekday() >= 5)
        loaded_row = loaded.get(year)
        rows.append(
            YearRow(
                year=year,
                official=is_official,
                source=("loaded" if loaded_row and loaded_row.official else "package") if is_official else "",
                notice=loaded_row.source if loaded_row and loaded_row.official else "",
                holidays=holidays[year] + extra_off,
                workdays=workdays[year] + extra_working,
                provisional_open=counts.get(f"y{year}", 0),
            )
        )
    return rows, counts["total"]


def recent_jobs(count: int) -> QuerySet:
    """The latest ``count`` schedule uploads, newest first, with who made them."""
    return CalendarJob.objects.select_related("created_by")[:count]

"""An independent, day-by-day reading of docs/domain.md's counting rules.

It shares no code with approvals.calendar and does not use the chinesecalendar package: its
official days come straight from the holiday-cn files in tests/fixtures, and a year without one is
read from the estimate (approvals.estimate), which to the reference is data, as the files are. It
walks one day at a time, which is slow and obviously right; the engine must agree with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from approvals.estimate import EstimatedDay, estimate_year

FIXTURES = Path(__file__).parent / "fixtures"
HOLIDAY_CN = FIXTURES / "holiday-cn"
ONE = timedelta(days=1)


@dataclass
class RefCalendar:
    days: dict[date, bool] = field(default_factory=dict)  # True: declared working day
    official: set[int] = field(default_factory=set)

    @classmethod
    def from_files(cls, *paths: Path) -> RefCalendar:
        cal = cls()
        for path in paths:
            data = json.loads(path.read_text(encoding="utf-8"))
            cal.official.add(data["year"])
            for item in data["days"]:
                cal.days[date.fromisoformat(item["date"])] = not item["isOffDay"]
        return cal

    def estimated(self, d: date) -> EstimatedDay | None:
        return None if d in self.days or d.year in self.official else estimated_days(d.year).get(d)

    def provisional(self, d: date) -> bool:
        """An uncertain day of a year without a notice."""
        entry = self.estimated(d)
        return entry is not None and not entry.certain

    def is_work(self, d: date) -> bool:
        if d in self.days:
            return self.days[d]
        entry = self.estimated(d)
        return d.weekday() < 5 if entry is None else not entry.off


@cache
def estimated_days(year: int) -> dict[date, EstimatedDay]:
    return {entry.date: entry for entry in estimate_year(year)}


def sample_2027_csv() -> str:
    """fixtures/holiday-cn/sample-2027.json (a made-up whole year: 33 days, 27 off) as the CSV format."""
    data = json.loads((HOLIDAY_CN / "sample-2027.json").read_text(encoding="utf-8"))
    rows = [f"{d['date']},{'holiday' if d['isOffDay'] else 'workday'},{d['name']}" for d in data["days"]]
    return "date,type,name\n" + "\n".join(rows) + "\n"


def official_2024_2026() -> RefCalendar:
    return RefCalendar.from_files(*(HOLIDAY_CN / f"{y}.json" for y in (2024, 2025, 2026)))


class Invalid(Exception):
    pass


def add(cal: RefCalendar, start: date, n: int) -> tuple[date, bool]:
    """The n-th working day after start (n >= 1), and whether a provisional day was looked at."""
    d, count, prov = start, 0, False
    while count < n:
        d += ONE
        prov |= cal.provisional(d)
        if cal.is_work(d):
            count += 1
    return d, prov


def between(cal: RefCalendar, a: date, b: date) -> int:
    count, d = 0, a
    while d < b:
        d += ONE
        count += cal.is_work(d)
    return count


def clock(
    cal: RefCalendar,
    start: date,
    limit: int,
    unit: str,
    pauses: list[tuple[date, date]],
    extension: int = 0,
    late: str = "error",
) -> tuple[date, bool]:
    """Walk the clock a day at a time. A pause applies only if it stops before the due date
    that the clock has without it and without later pauses; otherwise it is late."""
    pauses = sorted(pauses)
    applied: list[tuple[date, date]] = []
    for stop, resume in pauses:
        if resume < stop:
            raise Invalid("resume before stop")
        if stop < start or (applied and stop < applied[-1][1]):
            raise Invalid("before start or overlapping")
        due, _prov = _walk(cal, start, limit, unit, applied, extension)
        if stop >= due:
            if late == "error":
                raise Invalid("late")
            break
        applied.append((stop, resume))
    return _walk(cal, start, limit, unit, applied, extension)


def _walk(cal, start, limit, unit, pauses, extension):
    def paused(d: date) -> bool:
        return any(stop < d <= resume for stop, resume in pauses)

    looked: list[date] = []

    def work(d: date) -> bool:
        looked.append(d)
        return cal.is_work(d)

    d = start
    if unit == "working_days":
        count = 0
        while count < limit + extension:
            d += ONE
            if not paused(d) and work(d):
                count += 1
    else:
        count = 0
        while count < limit:
            d += ONE
            if not paused(d):
                count += 1
        while paused(d) or not work(d):  # roll forward to a working day outside any pause
            d += ONE
        count = 0
        while count < extension:
            d += ONE
            if not paused(d) and work(d):
                count += 1
    return d, any(cal.provisional(x) for x in looked)

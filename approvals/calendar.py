"""Working days on the official Chinese holiday calendar, in constant time per query.

The counting rule (行政许可法 art. 82; 民法典 arts. 201 and 203), stated once for the project:

* A working day is Monday to Friday unless it is an official holiday, plus every weekend day that
  the State Council declares a working day (调休上班).
* The day of the event that starts a clock is never counted: a limit of N working days ends at the
  end of the N-th working day strictly after the start day. A clock started on a rest day simply
  counts from the next working day.
* A limit of N calendar days ends N days after the start day; if that day is not a working day it
  moves (rolls forward) to the next working day.
* A pause that stops on day P and resumes on day R removes the days in (P, R] from the count: the
  stop day still counts, the resume day does not (it is like a new start day). A pause must stop
  inside the running clock: on or after its start and before its due date.
* An extension of E working days runs on from the end of the limit: the due date becomes the E-th
  working day after the (rolled-forward) due date that the clock would have without it.

A year whose schedule is not published is estimated from the law (approvals.estimate): its
statutory festival days are certain, and so are the plain days far from any festival; the days a
notice could still change (a bridged weekday, a make-up weekend day, a 补休 in a block) are
uncertain, and count by the estimate's best guess. A day is *provisional* exactly when it is
uncertain, and every answer says whether it depended on a provisional day, so that no screen ever
presents a guess as the law. ``bound("earliest")`` and ``bound("latest")`` are the same calendar
with every uncertain day worked or taken off: the range a provisional answer can still move in.
(A year the estimate cannot reach, before 1901 or after 2099, is weekends only, every day
provisional, in the bound calendars too.)

The calendar precomputes, once, a table indexed by day: the running count of working days, the
running count of provisional days, and the position of the k-th working day. Every query is then
a few list look-ups, whatever the distance. The table grows by itself for later years.

The chinesecalendar package's tables are read here only (``package_days``). A clock counted by
this rule, with its pauses, extension and alert days, is ``approvals.clock``'s.

This module has no Django import: holidays and adjusted working days come in as data.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import Literal, NamedTuple

from approvals.estimate import EstimatedDay, estimate_year

__all__ = [
    "CalendarRangeError",
    "Day",
    "DayStatus",
    "EngineError",
    "Pause",
    "Span",
    "Unit",
    "WorkCalendar",
    "package_days",
    "parse_day",
]

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(raw: str) -> date:
    """A day written exactly YYYY-MM-DD (ASCII digits), the one form dates are given in. Python's
    ``date.fromisoformat`` also takes ISO week and ordinal dates (2027-W05-1, 2027-032) and
    compact ones (20270201): none of them is a date a user means here. Raises ValueError."""
    if not isinstance(raw, str) or not _DAY.fullmatch(raw):
        raise ValueError(f"{raw!r} is not a date in the form YYYY-MM-DD")
    return date.fromisoformat(raw)


# How many years past the last official year, or past a query, the table is built in one go.
_GROW_YEARS = 10

Bound = Literal["earliest", "latest"]
Estimate = Callable[[int], Iterable[EstimatedDay]]


class Unit(StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"


class EngineError(ValueError):
    """An error with a stable ``code`` and its ``params`` (dates as ISO strings), so that
    callers can word it for their users; ``str()`` gives the English message."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        self.code = code
        self.params = {key: value.isoformat() if isinstance(value, date) else value for key, value in params.items()}
        super().__init__(message % self.params)


class CalendarRangeError(EngineError):
    """A date before the first day the calendar knows, or after 9999-12-31."""


class Day(NamedTuple):
    """A date, and whether finding it depended on a provisional day."""

    date: date
    provisional: bool


class Span(NamedTuple):
    """A number of days, and whether counting them depended on a provisional day."""

    days: int
    provisional: bool


class DayStatus(NamedTuple):
    """Whether a day is a working day; true in a boolean context exactly when it is one."""

    working: bool
    provisional: bool

    def __bool__(self) -> bool:
        return self.working


_make = tuple.__new__


class WorkCalendar:
    """Working days from weekends, explicit day entries and, for other years, the estimate.

    ``days`` maps a date to True (a working day, e.g. an adjusted Saturday) or False (a holiday);
    it overrides everything else in every year, and is certain. ``official_years`` are the years
    whose schedule is published: in every other year ``estimate`` (by default
    ``approvals.estimate.estimate_year``) gives the days that are not plain, and its uncertain
    days are provisional. The calendar is immutable; ``with_days`` returns a new one.
    """

    __slots__ = (
        "__weakref__",
        "_base",
        "_bounds",
        "_cum",
        "_days",
        "_estimate",
        "_estimates",
        "_first_year",
        "_lock",
        "_mode",
        "_nth",
        "_nth_date",
        "_nth_pcum",
        "_official_years",
        "_pcum",
        "_prov",
        "_work",
    )

    def __init__(
        self,
        days: Mapping[date, bool] | None = None,
        official_years: Iterable[int] = (),
        *,
        first_year: int | None = None,
        estimate: Estimate | None = None,
    ) -> None:
        self._setup(days, official_years, first_year, estimate, None)

    def _setup(
        self,
        days: Mapping[date, bool] | None,
        official_years: Iterable[int],
        first_year: int | None,
        estimate: Estimate | None,
        mode: Bound | None,
    ) -> None:
        self._days: dict[date, bool] = dict(days or {})
        self._official_years: frozenset[int] = frozenset(official_years)
        self._estimate: Estimate = estimate or estimate_year
        self._mode = mode  # None; or which bound this calendar is: uncertain days worked or taken off
        self._estimates: dict[int, dict[date, EstimatedDay] | None] = {}  # year -> its estimate, by day
        self._bounds: dict[str, WorkCalendar] = {}
        known = [d.year for d in self._days] + list(self._official_years)
        self._first_year = first_year if first_year is not None else min(known, default=2004)
        self._base = date(self._first_year, 1, 1).toordinal()
        self._work = bytearray()  # 1 where the day is a working day
        self._prov = bytearray()  # 1 where the day is provisional
        self._cum: list[int] = []  # working days in [first day, day]
        self._pcum: list[int] = []  # provisional days in [first day, day]
        self._nth: list[int] = [-1]  # index of the k-th working day; k starts at 1
        self._nth_date: list[date] = [date.min]  # the k-th working day itself
        self._nth_pcum: list[int] = [0]  # provisional days up to the k-th working day
        self._lock = threading.Lock()
        last_known = max(known, default=self._first_year)
        self._grow_to(date(min(last_known + _GROW_YEARS, 9999), 12, 31).toordinal())

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def official(cls) -> WorkCalendar:
        """The calendar of the chinesecalendar package's data alone (2004-2026 at present)."""
        return _official_calendar()

    def with_days(self, days: Mapping[date, bool], official_years: Iterable[int] = ()) -> WorkCalendar:
        """A new calendar: these day entries over this one's, and these years official as well."""
        calendar = WorkCalendar.__new__(WorkCalendar)
        calendar._setup(
            {**self._days, **days},
            self._official_years | frozenset(official_years),
            min([self._first_year, *(d.year for d in days)]),
            self._estimate,
            self._mode,
        )
        return calendar

    def bound(self, which: Bound) -> WorkCalendar:
        """This calendar with every uncertain day of the unpublished years worked ("earliest": the
        earliest due dates it can still give) or taken off ("latest"). Nothing in it is
        provisional, but for the years the estimate cannot reach. Built once, on first use."""
        if which not in ("earliest", "latest"):
            raise ValueError(f"bound() takes 'earliest' or 'latest', not {which!r}")
        if which == self._mode:
            return self
        calendar = self._bounds.get(which)
        if calendar is None:
            with self._lock:
                calendar = self._bounds.get(which)
                if calendar is None:
                    calendar = WorkCalendar.__new__(WorkCalendar)
                    calendar._setup(self._days, self._official_years, self._first_year, self._estimate, which)
                    self._bounds[which] = calendar
        return calendar

    @property
    def official_years(self) -> frozenset[int]:
        return self._official_years

    @property
    def first_day(self) -> date:
        return date.fromordinal(self._base)

    def is_official_year(self, year: int) -> bool:
        return year in self._official_years

    def estimated(self, day: date) -> EstimatedDay | None:
        """The estimate's entry for ``day`` in an unpublished year: a festival day, a day its best
        guess changes, or an uncertain day. None in an official year, for a day an entry gives,
        and for a plain day."""
        if day in self._days or day.year in self._official_years:
            return None
        estimate = self._year_estimate(day.year)
        return estimate.get(day) if estimate else None

    # -- the table ----------------------------------------------------------------------------

    def _year_estimate(self, year: int) -> dict[date, EstimatedDay] | None:
        """The estimate of an unpublished year by day, computed once; None where it cannot be made."""
        try:
            return self._estimates[year]
        except KeyError:
            pass
        try:
            estimate: dict[date, EstimatedDay] | None = {entry.date: entry for entry in self._estimate(year)}
        except ValueError:
            estimate = None  # beyond the estimate's years: weekends only, every day provisional
        self._estimates[year] = estimate
        return estimate

    def _grow_to(self, ordinal: int) -> None:
        """Extend the table so that it covers ``ordinal``. Safe to call from several threads."""
        with self._lock:
            start = self._base + len(self._cum)
            if ordinal < start:
                return
            cum = self._cum[-1] if self._cum else 0
            pcum = self._pcum[-1] if self._pcum else 0
            fromordinal, entries, mode = date.fromordinal, self._days, self._mode
            year, official, estimate = 0, True, None
            # Append whole lists at the end so that readers never see a partial day.
            work, prov, cums, pcums, nth, nth_date, nth_pcum = bytearray(), bytearray(), [], [], [], [], []
            for index, ordinal_ in enumerate(range(start, ordinal + 1), start=start - self._base):
                day = fromordinal(ordinal_)
                if day.year != year:
                    year = day.year
                    official = year in self._official_years
                    estimate = None if official else self._year_estimate(year)
                working, provisional = day.weekday() < 5, False
                entry = entries.get(day)
                if entry is not None:
                    working = entry
                elif official:
                    pass
                elif estimate is None:
                    provisional = True
                else:
                    estimated = estimate.get(day)
                    if estimated is not None:
                        if estimated.certain or mode is None:
                            working, provisional = not estimated.off, not estimated.certain
                        else:
                            working = mode == "earliest"
                if provisional:
                    pcum += 1
                if working:
                    cum += 1
                    nth.append(index)
                    nth_date.append(day)
                    nth_pcum.append(pcum)
                work.append(working)
                prov.append(provisional)
                cums.append(cum)
                pcums.append(pcum)
            self._work += work
            self._prov += prov
            self._nth_date += nth_date
            self._nth_pcum += nth_pcum
            self._nth += nth
            self._pcum += pcums
            self._cum += cums  # last: a reader checks the table's length against _cum

    def _grow_for(self, day: date) -> None:
        if day.toordinal() < self._base:
            raise self._before_first_day(day)
        self._grow_to(date(min(day.year + _GROW_YEARS, 9999), 12, 31).toordinal())

    def _before_first_day(self, day: date) -> CalendarRangeError:
        return CalendarRangeError(
            "before_first_day", "%(day)s is before the calendar's first day, %(first)s", day=day, first=self.first_day
        )

    def _index(self, day: date) -> int:
        i = day.toordinal() - self._base
        if i < 0:
            raise self._before_first_day(day)
        if i >= len(self._cum):
            self._grow_for(day)
        return i

    def _nth_working(self, k: int, near: date) -> int:
        """Index of the k-th working day, growing the table past ``near`` as often as needed."""
        if k < 1:
            raise CalendarRangeError(
                "answer_before_first_day",
                "the answer falls before the calendar's first day, %(first)s",
                first=self.first_day,
            )
        nth = self._nth
        while k >= len(nth):
            last = date.fromordinal(self._base + len(self._cum) - 1)
            if last.year >= 9999:
                raise CalendarRangeError("after_last_day", "the answer falls after 9999-12-31")
            self._grow_for(max(last, near))
            near = date(min(last.year + 1, 9999), 1, 1)
        return nth[k]

    def _provisional(self, after: int, until: int) -> bool:
        """Whether any day in (after, until] (table indexes) is provisional."""
        pcum = self._pcum
        if after < 0:
            return pcum[until] > 0
        return pcum[until] != pcum[after]

    # -- queries ------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> DayStatus:
        i = self._index(day)
        return DayStatus(bool(self._work[i]), bool(self._prov[i]))

    def is_provisional(self, day: date) -> bool:
        """Whether ``day`` itself is uncertain (an unpublished year's day the notice may change)."""
        return bool(self._prov[self._index(day)])

    def add_working_days(self, start: date, n: int) -> Day:
        """The n-th working day strictly after ``start`` (n < 0: the working day n working days
        before it, so that ``working_days_between(result, start) == -n``; n == 0: ``start``)."""
        i = start.toordinal() - self._base
        if n > 0 and i >= 0:
            # The hot path: three look-ups. tuple.__new__ skips NamedTuple's Python-level __new__.
            try:
                k = self._cum[i] + n
                return _make(Day, (self._nth_date[k], self._nth_pcum[k] != self._pcum[i]))
            except IndexError:
                pass
        if n == 0:
            self._index(start)
            return Day(start, False)
        i = self._index(start)
        j = self._nth_working(self._cum[i] + n, start)
        after, until = (i, j) if j > i else (j, i)
        return Day(date.fromordinal(j + self._base), self._provisional(after, until))

    def add_working_days_many(self, starts: Iterable[date], ns: Iterable[int]) -> list[Day]:
        """``add_working_days`` over pairs of starts and counts, for bulk recomputation."""
        # The lists only ever grow in place, so these local names stay valid.
        base, cum, pcum, nth_date, nth_pcum = self._base, self._cum, self._pcum, self._nth_date, self._nth_pcum
        add, make = self.add_working_days, _make
        out: list[Day] = []
        append = out.append
        for start, n in zip(starts, ns, strict=True):
            i = start.toordinal() - base
            if n > 0 and i >= 0:
                try:
                    k = cum[i] + n
                    append(make(Day, (nth_date[k], nth_pcum[k] != pcum[i])))
                    continue
                except IndexError:
                    pass
            append(add(start, n))
        return out

    def working_days_between(self, a: date, b: date) -> Span:
        """Working days in (a, b]; negative, -(working days in (b, a]), when b is before a."""
        i, j = self._index(a), self._index(b)
        if j < i:
            i, j = j, i
            sign = -1
        else:
            sign = 1
        return Span(sign * (self._cum[j] - self._cum[i]), self._provisional(i, j))

    def roll_forward(self, day: date) -> Day:
        """``day`` if it is a working day, else the next working day after it."""
        i = self._index(day)
        j = self._nth_working(self._cum[i] - self._work[i] + 1, day)
        return Day(date.fromordinal(j + self._base), self._provisional(i - 1, j))

    def working_days_after(self, start: date, days: int) -> list[Day]:
        """The working days among the ``days`` calendar days after ``start`` (booking horizons)."""
        out = []
        for offset in range(1, days + 1):
            day = start + timedelta(days=offset)
            status = self.is_working_day(day)
            if status.working:
                out.append(Day(day, status.provisional))
        return out

    def add_calendar_days(self, start: date, n: int) -> Day:
        """The day ``n`` calendar days after ``start``, rolled forward to a working day."""
        try:
            end = start + timedelta(days=n)
        except OverflowError:
            raise CalendarRangeError("after_last_day", "the answer falls after 9999-12-31") from None
        return self.roll_forward(end)


@cache
def package_days() -> Mapping[date, tuple[bool, str]]:
    """The chinesecalendar package's data, and the one reader of its tables: every day it lists,
    as (working, its holiday's Chinese name); working is True for an adjusted working day
    (调休上班), False for a holiday. Read once; the mapping is read-only."""
    from chinese_calendar.constants import Holiday, holidays, workdays  # the package's data tables

    # The tables map a day to its holiday's English name, the value of the Holiday enum.
    days = {day: (False, Holiday(name).chinese) for day, name in holidays.items()}
    days.update({day: (True, Holiday(name).chinese) for day, name in workdays.items()})
    return MappingProxyType(days)


@cache
def _official_calendar() -> WorkCalendar:
    days = {day: working for day, (working, _name) in package_days().items()}
    years = range(min(d.year for d in days), max(d.year for d in days) + 1)
    return WorkCalendar(days, years)


# -- what the rule takes: a pause (approvals.clock counts a clock with them) ------------------


class Pause(NamedTuple):
    """A special procedure: the clock stops at the end of ``stop`` and counts again after
    ``resume``. ``resume`` is None while the pause is still running."""

    stop: date
    resume: date | None

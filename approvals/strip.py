"""The days of a clock as a picture: each day from the day after the start to the last end shown,
with what it was to the clock (counted, paused by a special procedure, a rest day, an extension
day, a day only the statutory clock counts) and the marks (today, the promised and statutory ends,
provisional).

It reads a clock reading (``approvals.deadlines.Reading``) and asks the ``WorkCalendar`` whether
each day is a working day: the due dates and stretches are the reading's, and the strip only numbers
the days it draws, so the picture and the due date cannot disagree. No Django import.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal, NamedTuple

from approvals.calendar import CalendarRangeError, WorkCalendar
from approvals.clock import Clock

DayKind = Literal["counted", "paused", "rest", "extension", "statutory"]

#: The longest strip drawn; a longer clock (the licence's 60 calendar days from receipt) shows its
#: first days and says the rest is left off.
MAX_DAYS = 120


class StripDay(NamedTuple):
    on: date
    kind: DayKind
    number: int | None  # the n-th day the promised (or acceptance) clock counted, extension included
    declared: bool  # a weekend day declared a working day
    provisional: bool  # an unpublished year's uncertain day (estimated)
    today: bool
    promised_end: bool
    statutory_end: bool

    @property
    def column(self) -> int:
        """The day's column in a week row, Monday 1 to Sunday 7."""
        return self.on.isoweekday()


class Strip(NamedTuple):
    start: date
    days: tuple[StripDay, ...]
    promised_end: date | None
    statutory_end: date | None
    cut: bool  # days after MAX_DAYS left off


def _in(day: date, after: date, until: date | None, today: date) -> bool:
    return after < day <= (until or max(today, after))


def build(promised: Clock | None, statutory: Clock | None, calendar: WorkCalendar, today: date) -> Strip | None:
    """The strip of ``promised`` (the clock the case waits on: acceptance, promised or certificate)
    and, if given, the ``statutory`` clock's end. None without a promised clock."""
    if promised is None:
        return None
    start = promised.start
    ends = [d for d in (promised.due, statutory.due if statutory else None) if d is not None]
    last = max([*ends, today]) if ends or today > start else start
    if promised.due is None:  # a running pause: show to today and a little beyond
        last = max(last, today + timedelta(days=7))
    cut = (last - start).days > MAX_DAYS
    if cut:
        last = start + timedelta(days=MAX_DAYS)
    paused = [(s.after, s.until) for s in promised.segments if s.kind == "paused"]
    extended = [(s.after, s.until) for s in promised.segments if s.kind == "extended"]
    days = []
    number = 0
    day = start
    while day < last:
        day += timedelta(days=1)
        try:
            status = calendar.is_working_day(day)
        except CalendarRangeError:
            break
        kind: DayKind
        if any(_in(day, a, u, today) for a, u in paused):
            kind = "paused"
        elif not status.working:
            kind = "rest"
        elif any(_in(day, a, u, today) for a, u in extended):
            kind = "extension"
        elif promised.due is not None and day > promised.due:
            kind = "statutory"
        else:
            kind = "counted"
        if kind in ("counted", "extension"):
            number += 1
        days.append(
            StripDay(
                on=day,
                kind=kind,
                number=number if kind in ("counted", "extension") else None,
                declared=status.working and day.weekday() >= 5,
                provisional=status.provisional,
                today=day == today,
                promised_end=day == promised.due,
                statutory_end=statutory is not None and day == statutory.due,
            )
        )
    return Strip(start, tuple(days), promised.due, statutory.due if statutory else None, cut)

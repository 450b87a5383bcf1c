"""One clock on the working-day calendar: a limit counted from its start day, stopped by pauses
and lengthened by an extension (``compute_clock``), with the segments that explain its due date,
and the days its alerts come on (``alert_days``).

The counting rule it applies is stated once, in ``approvals.calendar``'s docstring; the days it
counts are a ``WorkCalendar``'s. An application's four clocks as every reader shows them are
``approvals.clocks``'s; a procedure's policy applied to this engine is ``approvals.deadlines``'s.

This module has no Django import.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal, NamedTuple

from approvals.calendar import EngineError, Pause, Span, Unit, WorkCalendar

__all__ = ["AlertDays", "Clock", "ClockError", "Segment", "alert_days", "compute_clock", "day_after"]


class ClockError(EngineError):
    """Pauses or limits that do not make a clock: the message says which and why."""


SegmentKind = Literal["counted", "paused", "rolled", "extended"]


class Segment(NamedTuple):
    """A stretch of a clock's life: the days in (after, until].

    ``counted``: days that count towards the limit (``days`` in the clock's unit); ``paused``:
    days a special procedure removed (``days`` in the clock's unit; ``until`` None while it runs);
    ``rolled``: a calendar-day limit that ended on a rest day, moved to the next working day;
    ``extended``: working days an approved extension added.
    """

    kind: SegmentKind
    after: date
    until: date | None
    days: int
    unit: Unit
    provisional: bool


class Clock(NamedTuple):
    """A clock's due date and how it came about.

    ``due`` is None while a pause is running; ``remaining`` then says how many units of the
    limit (in ``unit``) and of the extension (working days) are left to count after it resumes.
    ``late_pauses`` lists pauses that stopped on or after the due date and so changed nothing
    (only with ``late_pauses="ignore"``).
    """

    start: date
    limit: int
    unit: Unit
    extension: int
    due: date | None
    provisional: bool
    segments: tuple[Segment, ...]
    remaining: tuple[int, int] | None
    late_pauses: tuple[Pause, ...]


def compute_clock(
    calendar: WorkCalendar,
    start: date,
    limit: int,
    unit: Unit | str,
    *,
    pauses: Sequence[Pause | tuple[date, date | None]] = (),
    extension: int = 0,
    late_pauses: Literal["error", "ignore"] = "error",
) -> Clock:
    """The due date of a clock that starts on ``start`` with ``limit`` units, stopped by
    ``pauses`` and lengthened by ``extension`` working days, with the segments that explain it.

    Raises ClockError for a negative limit or extension, a pause whose resume is before its stop,
    pauses that overlap or stop before the start, a running pause that is not the last one, and,
    unless ``late_pauses="ignore"``, a pause that stops on or after the due date.
    """
    unit = Unit(unit)
    if limit < 0 or extension < 0:
        raise ClockError("negative", "a limit and an extension cannot be negative")
    # By stop, then resume: two pauses on one day nest as (P, P) then (P, R), not overlap.
    ordered = sorted((Pause(*p) for p in pauses), key=lambda p: (p.stop, p.resume or date.max))
    for pause in ordered:
        if pause.resume is not None and pause.resume < pause.stop:
            raise ClockError(
                "resume_before_stop",
                "a pause resumes on %(resume)s, before it stops on %(stop)s",
                stop=pause.stop,
                resume=pause.resume,
            )
    for pause in ordered[:-1]:
        if pause.resume is None:
            raise ClockError(
                "running_not_last",
                "the pause that stopped on %(stop)s has not resumed, so no later pause can stop",
                stop=pause.stop,
            )

    # The limit, then the extension: each phase counts its units after the previous one ends.
    phases: list[tuple[SegmentKind, Unit, int]] = [("counted", unit, limit)]
    if extension:
        phases.append(("extended", Unit.WORKING_DAYS, extension))

    segments: list[Segment] = []
    cursor = start
    phase = 0
    remaining = limit
    queue = list(ordered)
    resumed = False
    while True:
        kind, phase_unit, _ = phases[phase]
        if phase_unit is Unit.WORKING_DAYS:
            end = calendar.add_working_days(cursor, remaining)
            raw_end = end.date
        else:
            raw_end = cursor + timedelta(days=remaining)
            # A resume day is never the end of a clock: a pause that stopped inside the
            # roll-forward leaves nothing to count, and the clock ends on the next working day
            # after the resume day.
            spent = remaining == 0 and resumed
            end = calendar.roll_forward(raw_end + timedelta(days=1) if spent else raw_end)
        if queue and queue[0].stop < end.date:
            pause = queue.pop(0)
            if pause.stop < cursor:
                if cursor == start:
                    raise ClockError(
                        "before_start",
                        "a pause stops on %(stop)s, before the clock starts on %(start)s",
                        stop=pause.stop,
                        start=start,
                    )
                raise ClockError(
                    "overlap",
                    "the pause that stops on %(stop)s overlaps the previous one, which resumed on %(resume)s",
                    stop=pause.stop,
                    resume=cursor,
                )
            if phase_unit is Unit.WORKING_DAYS:
                used = calendar.working_days_between(cursor, pause.stop)
            else:
                # Calendar days count whatever they are; only a stop past the raw end (inside
                # the roll-forward) depends on which days are rest days.
                days = min((pause.stop - cursor).days, remaining)
                past_end = pause.stop >= raw_end
                used = Span(
                    days,
                    past_end and calendar.working_days_between(raw_end - timedelta(days=1), pause.stop).provisional,
                )
            segments.append(Segment(kind, cursor, pause.stop, used.days, phase_unit, used.provisional))
            remaining -= used.days
            if pause.resume is None:
                segments.append(Segment("paused", pause.stop, None, 0, phase_unit, False))
                left_limit = remaining if phase == 0 else 0
                left_extension = extension if phase == 0 else remaining
                provisional = any(s.provisional for s in segments if s.kind != "paused")
                return Clock(
                    start, limit, unit, extension, None, provisional, tuple(segments), (left_limit, left_extension), ()
                )
            if phase_unit is Unit.WORKING_DAYS:
                removed = calendar.working_days_between(pause.stop, pause.resume)
            else:
                removed = Span((pause.resume - pause.stop).days, False)
            segments.append(Segment("paused", pause.stop, pause.resume, removed.days, phase_unit, removed.provisional))
            cursor = pause.resume
            resumed = True
            continue
        if phase_unit is Unit.WORKING_DAYS:
            segments.append(Segment(kind, cursor, end.date, remaining, phase_unit, end.provisional))
        elif spent:
            segments.append(Segment("rolled", cursor, end.date, (end.date - cursor).days, phase_unit, end.provisional))
        else:
            rolled = end.date != raw_end
            segments.append(Segment(kind, cursor, raw_end, remaining, phase_unit, end.provisional and not rolled))
            if rolled:
                segments.append(
                    Segment("rolled", raw_end, end.date, (end.date - raw_end).days, phase_unit, end.provisional)
                )
        cursor = end.date
        resumed = False
        phase += 1
        if phase == len(phases):
            break
        remaining = phases[phase][2]

    late = tuple(queue)
    if late and late_pauses == "error":
        raise ClockError(
            "late",
            "a pause stops on %(stop)s, which is not inside the running clock "
            "(it starts on %(start)s and is due on %(due)s)",
            stop=late[0].stop,
            start=start,
            due=cursor,
        )
    provisional = any(s.provisional for s in segments if s.kind != "paused")
    return Clock(start, limit, unit, extension, cursor, provisional, tuple(segments), None, late)


# -- alert days ------------------------------------------------------------------------------


class AlertDays(NamedTuple):
    """The first day of each alert level of a decision clock (None: that level cannot come)."""

    yellow: date | None
    red: date | None
    severe: date | None


def yellow_threshold(limit: int, days: int, fraction: float) -> int:
    """Working days left at which a clock turns yellow: ``days`` or ``fraction`` of the limit,
    whichever is more (2 and 25% by default: 6 of 26, 2 of 10, 2 of 8)."""
    return max(days, int(limit * fraction))


def alert_days(
    calendar: WorkCalendar,
    due: date | None,
    statutory_due: date | None,
    limit: int,
    *,
    yellow_days: int = 2,
    yellow_fraction: float = 0.25,
) -> AlertDays:
    """Yellow on the working day from which at most the threshold remains (working days in
    (day, due]); red the day after the promised due date; severe the day after the statutory one.
    A paused clock has no due date and so no alert days."""
    if due is None:
        return AlertDays(None, None, None)
    threshold = yellow_threshold(limit, yellow_days, yellow_fraction)
    yellow = calendar.add_working_days(due, -threshold).date if threshold else None
    severe = statutory_due + timedelta(days=1) if statutory_due else None
    return AlertDays(yellow, due + timedelta(days=1), severe)


def day_after(day: date) -> date:
    return day + timedelta(days=1)

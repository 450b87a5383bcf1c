"""An application's story for its page: what happened, and how its due date came about.

The events come from the audit trail; the explanation of the due date from the clock engine's
segments (counted, paused, rolled, extended). The public version leaves out people and notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from approvals import catalogue, notifications
from approvals import strip as strip_
from approvals.calendar import WorkCalendar
from approvals.clock import Clock, day_after
from approvals.clocks import LIST_SEPARATOR
from approvals.deadlines import Reading, pauses_of, read_clocks
from approvals.estimate import EstimatedDay
from approvals.holidays import work_calendar
from approvals.models import Application, AuditEvent, ClockKind

# What the public lookup may show of an event (the action catalogue): the step, never who or why.
PUBLIC_ACTIONS = frozenset(e.name for e in catalogue.ENTRIES if e.public)


@dataclass(frozen=True)
class Entry:
    on: date
    title: str
    note: str
    actor: str


def events(app: Application, *, public: bool = False) -> list[Entry]:
    rows = AuditEvent.objects.filter(application=app).select_related("actor").order_by("pk")
    out = []
    for event in rows:
        if public and event.action not in PUBLIC_ACTIONS:
            continue
        if public:
            title = str(notifications.ACTIONS.get(event.action, event.action))
            if event.action == "due_date_moved":
                title = notifications.describe(event).split(":")[0] if event.note else title
            out.append(Entry(event.on, title, "", ""))
            continue
        title = str(notifications.ACTIONS.get(event.action, event.action))
        if event.action == "due_date_moved":
            title = notifications.describe(event)
        elif event.action == "alert":
            title = notifications.text(_AlertView(event))
        actor = str(event.actor) if event.actor_id else _("the system")
        note = "" if event.action == "due_date_moved" else event.note
        out.append(Entry(event.on, title, note, actor))
    return out


class _AlertView:
    """An audit event read like the notification it caused."""

    def __init__(self, event: AuditEvent) -> None:
        self.kind = "alert"
        self.data = {"tracking_number": "", **event.data}


def _days(n: int, unit: str) -> str:
    if unit == "calendar_days":
        return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}
    return ngettext("%(n)s working day", "%(n)s working days", n) % {"n": n}


def explain(
    clock: Clock | None,
    calendar: WorkCalendar | None = None,
    bounds: tuple[date | None, date | None] | None = None,
) -> list[str]:
    """One line per segment: how the due date came about; for a provisional clock, the festival
    days and uncertain days it counts (read from ``calendar``) and its range (``bounds``)."""
    if clock is None:
        return []
    lines = [
        _("The clock starts after %(start)s (that day is not counted): a limit of %(limit)s.")
        % {"start": clock.start.isoformat(), "limit": _days(clock.limit, clock.unit)}
    ]
    for segment in clock.segments:
        if segment.until is not None and segment.until <= segment.after:
            continue  # an empty step (a pause that stopped the day the clock started, or lasted no day)
        first = day_after(segment.after).isoformat()
        last = segment.until.isoformat() if segment.until else None
        if segment.kind == "counted":
            lines.append(
                _("%(first)s to %(last)s: %(days)s counted.")
                % {"first": first, "last": last, "days": _days(segment.days, segment.unit)}
            )
        elif segment.kind == "paused" and last is None:
            lines.append(_("From %(first)s: a special procedure, not counted (still running).") % {"first": first})
        elif segment.kind == "paused":
            lines.append(
                _("%(first)s to %(last)s: a special procedure, not counted (%(days)s).")
                % {"first": first, "last": last, "days": _days(segment.days, segment.unit)}
            )
        elif segment.kind == "rolled":
            lines.append(
                _("The limit ended on a rest day, %(day)s: it moves to the next working day, %(last)s.")
                % {"day": segment.after.isoformat(), "last": last}
            )
        elif segment.kind == "extended":
            lines.append(
                _("Extension approved: %(days)s more, to %(last)s.")
                % {"days": _days(segment.days, segment.unit), "last": last}
            )
    if clock.due is not None:
        lines.append(_("Due by the end of %(due)s.") % {"due": clock.due.isoformat()})
    elif clock.remaining:
        left_limit, left_extension = clock.remaining
        left = _days(left_limit, clock.unit)
        if left_extension:
            left = _("%(limit)s and an extension of %(extension)s") % {
                "limit": left,
                "extension": _days(left_extension, "working_days"),
            }
        lines.append(_("%(left)s will be left when the clock runs again.") % {"left": left})
    if clock.provisional and calendar is not None:
        lines += _estimated(clock, calendar, bounds)
    return lines


def _estimated(clock: Clock, calendar: WorkCalendar, bounds: tuple[date | None, date | None] | None) -> list[str]:
    """What a provisional clock counts of an unpublished year: the festival days the law fixes
    (certain) and the days the notice may still change (uncertain, with the estimate's guess)."""
    last = max(d for d in (clock.due, bounds[1] if bounds else None, clock.start) if d is not None)
    fixed: list[EstimatedDay] = []
    uncertain: list[EstimatedDay] = []
    day = day_after(clock.start)
    while day <= last:
        estimated = calendar.estimated(day)
        if estimated is not None:
            if not estimated.certain:
                uncertain.append(estimated)
            elif estimated.off and estimated.name:
                fixed.append(estimated)  # a festival's day (on a weekend too: the run reads whole)
        day = day_after(day)
    years = str(LIST_SEPARATOR).join(str(y) for y in sorted({d.date.year for d in uncertain + fixed}))
    lines = []
    if fixed:
        lines.append(_("Rest days the law fixes, counted as certain: %(days)s.") % {"days": _runs(fixed)})
    if uncertain:
        off = [d for d in uncertain if d.off]
        worked = [d for d in uncertain if not d.off]
        guess = []
        if off:
            guess.append(_("taken off: %(days)s") % {"days": _runs(off)})
        if worked:
            guess.append(_("worked: %(days)s") % {"days": _runs(worked)})
        lines.append(
            _(
                "Provisional: the %(years)s holiday schedule is not yet published; "
                "estimated from recent notices, %(guess)s."
            )
            % {"years": years, "guess": "; ".join(guess)}
        )
    if bounds and bounds[0] and bounds[1]:
        lines.append(
            _("If every uncertain day is worked the date is %(earliest)s; if every one is taken off, %(latest)s.")
            % {"earliest": bounds[0].isoformat(), "latest": bounds[1].isoformat()}
        )
    return lines


#: The festivals' names as the estimate gives them (the notices' Chinese), for the reader's language.
FESTIVALS = {
    "元旦": gettext_lazy("New Year's Day"),
    "春节": gettext_lazy("Spring Festival"),
    "清明": gettext_lazy("Qingming Festival"),
    "劳动节": gettext_lazy("Labour Day"),
    "端午": gettext_lazy("Dragon Boat Festival"),
    "中秋": gettext_lazy("Mid-Autumn Festival"),
    "国庆节": gettext_lazy("National Day"),
}


def festival_name(name: str) -> str:
    """A festival's name (or two at once, "国庆节、中秋") in the active language."""
    return str(LIST_SEPARATOR).join(str(FESTIVALS.get(part, part)) for part in name.split("、"))


def _runs(days: list[EstimatedDay]) -> str:
    """Consecutive days as "春节 02-05–02-08", "02-13"."""
    runs: list[list[EstimatedDay]] = []
    for day in days:
        if runs and runs[-1][-1].date == day.date - timedelta(days=1) and runs[-1][-1].name == day.name:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        first, last = run[0].date, run[-1].date
        span = f"{first:%m-%d}" if first == last else f"{first:%m-%d}–{last:%m-%d}"
        parts.append(f"{festival_name(run[0].name) if run[0].name else ''} {span}".strip())
    return str(LIST_SEPARATOR).join(parts)


@dataclass(frozen=True)
class Explanation:
    reading: Reading
    acceptance: list[str]
    promised: list[str]
    statutory: list[str]
    certificate: list[str]
    strip: strip_.Strip | None = None


def explanation(app: Application) -> Explanation:
    calendar = work_calendar()
    reading = read_clocks(app, calendar, pauses_of(app))
    # The clock the case waits on; the promised one with the statutory end beside it.
    if reading.clock in (ClockKind.ACCEPTANCE, ClockKind.CERTIFICATE):
        waited, end = reading.of(reading.clock), None
    else:
        waited, end = reading.promised, reading.statutory
    drawn = strip_.build(waited, end, calendar, timezone.localdate())

    def lines(kind: str) -> list[str]:
        return explain(reading.of(kind), calendar, reading.bounds(kind))

    return Explanation(
        reading,
        lines("acceptance") if reading.clock == ClockKind.ACCEPTANCE else [],
        lines("promised"),
        lines("statutory"),
        lines("certificate"),
        drawn,
    )

"""Deadlines under a procedure's policy: the one place that ties a policy to the clock engine.

``calculate()`` answers what the ``deadline`` command (and later the API's calculator) prints:
the promised and the statutory due dates of a clock that starts on a given day, with its pauses
and extension checked against the policy in force on that day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.calendar import CalendarRangeError, Pause, WorkCalendar
from approvals.clock import Clock, ClockError, alert_days, compute_clock, day_after
from approvals.holidays import work_calendar
from approvals.models import ClockKind, Policy, Procedure, State

if TYPE_CHECKING:
    from approvals.models import Application


class DeadlineError(ValueError):
    """A question the policy or the calendar cannot answer; the message says why."""


# The engine is Django-free and speaks English; these are its messages for users, by code.
_ENGINE_MESSAGES = {
    "negative": gettext_lazy("a limit and an extension cannot be negative"),
    "resume_before_stop": gettext_lazy("a pause resumes on %(resume)s, before it stops on %(stop)s"),
    "running_not_last": gettext_lazy("the pause that stopped on %(stop)s has not resumed, so no later pause can stop"),
    "before_start": gettext_lazy("a pause stops on %(stop)s, before the clock starts on %(start)s"),
    "overlap": gettext_lazy("the pause that stops on %(stop)s overlaps the previous one, which resumed on %(resume)s"),
    "late": gettext_lazy(
        "a pause stops on %(stop)s, which is not inside the running clock "
        "(it starts on %(start)s and is due on %(due)s)"
    ),
    "before_first_day": gettext_lazy("%(day)s is before the calendar's first day, %(first)s"),
    "answer_before_first_day": gettext_lazy("the answer falls before the calendar's first day, %(first)s"),
    "after_last_day": gettext_lazy("the answer falls after 9999-12-31"),
}


def clock_error_message(exc: ClockError | CalendarRangeError) -> str:
    """The user's-language message for an engine error."""
    template = _ENGINE_MESSAGES.get(exc.code)
    return str(template) % exc.params if template is not None else str(exc)


@dataclass(frozen=True)
class Deadline:
    procedure: str
    start: date
    received: date
    policy: Policy
    pauses: tuple[Pause, ...]
    extension: int
    promised: Clock
    statutory: Clock
    provisional_years: tuple[int, ...]
    #: While a clock is provisional: its due date with every uncertain day worked / taken off.
    promised_range: tuple[date, date] | None = None
    statutory_range: tuple[date, date] | None = None

    def as_dict(self) -> dict:
        def segments(clock: Clock) -> list[dict]:
            return [
                {
                    "kind": s.kind,
                    "after": s.after.isoformat(),
                    "until": s.until.isoformat() if s.until else None,
                    "days": s.days,
                    "unit": str(s.unit),
                    "provisional": s.provisional,
                }
                for s in clock.segments
            ]

        def iso(d: date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "kind": self.procedure,
            "start": self.start.isoformat(),
            "policy_effective_from": self.policy.effective_from.isoformat(),
            "limit": self.promised.limit,
            "unit": str(self.promised.unit),
            "extension": self.extension,
            "pauses": [{"stop": iso(p.stop), "resume": iso(p.resume)} for p in self.pauses],
            "due": iso(self.promised.due),
            "provisional": self.promised.provisional,
            **_range("due", self.promised_range),
            "statutory_start": self.statutory.start.isoformat(),
            "statutory_limit": self.statutory.limit,
            "statutory_unit": str(self.statutory.unit),
            "statutory_due": iso(self.statutory.due),
            "statutory_provisional": self.statutory.provisional,
            **_range("statutory_due", self.statutory_range),
            "provisional_years": list(self.provisional_years),
            "segments": segments(self.promised),
            "statutory_segments": segments(self.statutory),
        }


def _range(name: str, bounds: tuple[date, date] | None) -> dict[str, str]:
    """``{name}_earliest`` and ``{name}_latest`` of a provisional date (nothing for a certain one)."""
    if bounds is None:
        return {}
    return {f"{name}_earliest": bounds[0].isoformat(), f"{name}_latest": bounds[1].isoformat()}


def provisional_years(calendar: WorkCalendar, clocks: Sequence[Clock]) -> tuple[int, ...]:
    """The years without an official schedule that the clocks' counted days reach into."""
    years: set[int] = set()
    for clock in clocks:
        for segment in clock.segments:
            if segment.provisional and segment.until is not None:
                years.update(
                    y for y in range(segment.after.year, segment.until.year + 1) if not calendar.is_official_year(y)
                )
    return tuple(sorted(years))


def calculate(
    procedure: str,
    start: date,
    *,
    pauses: Sequence[Pause] = (),
    extension: int = 0,
    received: date | None = None,
    calendar: WorkCalendar | None = None,
) -> Deadline:
    """The promised and statutory due dates of a ``procedure`` clock that starts on ``start``.

    ``received`` is the day the application arrived (default: ``start``); the statutory clock
    counts from it where the policy says so. Raises DeadlineError, with a message for the user,
    for an unknown procedure, a start without a policy, pauses or an extension the policy does
    not allow, and pauses that do not fit the running clock.
    """
    if procedure not in Procedure.values:
        raise DeadlineError(
            _("unknown kind %(kind)r: expected one of %(kinds)s")
            % {"kind": procedure, "kinds": ", ".join(Procedure.values)}
        )
    received = received or start
    if received > start:
        raise DeadlineError(
            _("the application cannot be received (%(received)s) after its clock starts (%(start)s)")
            % {"received": received, "start": start}
        )
    label = Procedure(procedure).label
    try:
        policy = Policy.objects.in_force(procedure, start)
    except Policy.DoesNotExist:
        raise DeadlineError(
            _("no policy for %(kind)s is in force on %(start)s") % {"kind": label, "start": start}
        ) from None
    if pauses and not policy.pauses_allowed:
        raise DeadlineError(
            _("%(kind)s does not allow pauses (policy in force from %(since)s)")
            % {"kind": label, "since": policy.effective_from}
        )
    if extension < 0:
        raise DeadlineError(_("an extension cannot be negative (%(n)s)") % {"n": extension})
    if extension and not policy.max_extension:
        raise DeadlineError(
            _("%(kind)s does not allow an extension (policy in force from %(since)s)")
            % {"kind": label, "since": policy.effective_from}
        )
    if extension > policy.max_extension:
        raise DeadlineError(
            _("an extension of %(n)s working days is more than %(kind)s allows (at most %(max)s)")
            % {"n": extension, "max": policy.max_extension, "kind": label}
        )
    calendar = calendar or work_calendar()

    def clocks(counting: WorkCalendar, late_pauses: str = "error") -> tuple[Clock, Clock]:
        promised = compute_clock(
            counting,
            start,
            policy.promised_limit,
            policy.promised_unit,
            pauses=pauses,
            extension=extension,
            late_pauses=late_pauses,
        )
        statutory = compute_clock(
            counting,
            received if policy.statutory_from_receipt else start,
            policy.statutory_limit,
            policy.statutory_unit,
            pauses=pauses,
            extension=extension,
            late_pauses="ignore",
        )
        return promised, statutory

    try:
        promised, statutory = clocks(calendar)
        ranges: list[tuple[date, date] | None] = [None, None]
        if promised.provisional or statutory.provisional:
            early = clocks(calendar.bound("earliest"), "ignore")
            late = clocks(calendar.bound("latest"), "ignore")
            for i, best in enumerate((promised, statutory)):
                if best.provisional and best.due is not None:
                    ranges[i] = (early[i].due, late[i].due)
    except (ClockError, CalendarRangeError) as exc:
        raise DeadlineError(clock_error_message(exc)) from None
    return Deadline(
        procedure,
        start,
        received,
        policy,
        tuple(sorted(pauses, key=lambda p: (p.stop, p.resume or date.max))),
        extension,
        promised,
        statutory,
        provisional_years(calendar, (promised, statutory)),
        ranges[0],
        ranges[1],
    )


# -- the clocks of an application --------------------------------------------------------------

ACCEPTANCE_LIMIT = 5  # 行政许可法 art. 32: accept, refuse or ask for corrections within 5 working days
CERTIFICATE_LIMIT = 10  # 行政许可法 art. 44: serve the certificate within 10 working days


@dataclass(frozen=True)
class Reading:
    """Every clock of an application as its events and the calendar make them today.

    While a clock counts an uncertain day of an unpublished year, ``earliest`` and ``latest`` are
    the same clocks counted with every uncertain day worked and taken off (else None)."""

    clock: str  # a ClockKind value: the one the application is waiting on
    acceptance: Clock | None
    promised: Clock | None
    statutory: Clock | None
    certificate: Clock | None
    earliest: Reading | None = None
    latest: Reading | None = None

    def of(self, kind: str) -> Clock | None:
        """The clock of ``kind`` (acceptance, promised, statutory or certificate)."""
        return getattr(self, kind)

    def bounds(self, kind: str) -> tuple[date | None, date | None] | None:
        """The earliest and latest due dates of a provisional clock; None for a certain one."""
        clock = self.of(kind)
        if clock is None or not clock.provisional or self.earliest is None or self.latest is None:
            return None
        early, late = self.earliest.of(kind), self.latest.of(kind)
        return (early.due if early else None), (late.due if late else None)

    @property
    def provisional(self) -> bool:
        """Whether a date the application is waiting on depends on an uncertain day."""
        waiting = {
            "acceptance": (self.acceptance,),
            "decision": (self.promised, self.statutory),
            "paused": (self.promised, self.statutory),
            "certificate": (self.certificate,),
        }.get(self.clock, ())
        return any(c is not None and c.provisional for c in waiting)


def pauses_of(app: Application) -> list[Pause]:
    return [Pause(p.started_on, p.ended_on) for p in app.special_procedures.all()]


def read_clocks(app: Application, calendar: WorkCalendar, pauses: Sequence[Pause]) -> Reading:
    """The clocks of ``app`` (a pure function of its fields, its pauses and the calendar), with
    their earliest and latest versions when one of them is provisional."""
    reading = _read(app, calendar, pauses)
    if any(c is not None and c.provisional for c in (reading.of(kind) for kind in CLOCKS)):
        reading = replace(
            reading,
            earliest=_read(app, calendar.bound("earliest"), pauses),
            latest=_read(app, calendar.bound("latest"), pauses),
        )
    return reading


CLOCKS = ("acceptance", "promised", "statutory", "certificate")


def _read(app: Application, calendar: WorkCalendar, pauses: Sequence[Pause]) -> Reading:
    acceptance = promised = statutory = certificate = None
    if app.procedure != Procedure.WEBSITE_FILING and app.state == State.RECEIVED:
        start = app.corrected_on or app.received_on
        acceptance = compute_clock(calendar, start, ACCEPTANCE_LIMIT, "working_days")
    start = app.clock_start
    if start is not None and app.policy is not None:
        policy = app.policy

        def limit(start: date, days: int, unit: str) -> Clock:  # a limit of the policy, paused and extended
            return compute_clock(
                calendar, start, days, unit, pauses=pauses, extension=app.extension_days, late_pauses="ignore"
            )

        promised = limit(start, policy.promised_limit, policy.promised_unit)
        # The licence's 60 days count from receipt of the (complete) application.
        statutory_start = (app.corrected_on or app.received_on or start) if policy.statutory_from_receipt else start
        statutory = limit(statutory_start, policy.statutory_limit, policy.statutory_unit)
    if app.state in (State.GRANTED, State.SERVED) and app.decided_on is not None:
        certificate = compute_clock(calendar, app.decided_on, CERTIFICATE_LIMIT, "working_days")
    clock = {
        State.RECEIVED: ClockKind.ACCEPTANCE,
        State.UNDER_REVIEW: ClockKind.DECISION,
        State.ARRIVED: ClockKind.DECISION,
        State.PAUSED: ClockKind.PAUSED,
        State.GRANTED: ClockKind.CERTIFICATE,
    }.get(app.state, ClockKind.NONE)
    return Reading(str(clock), acceptance, promised, statutory, certificate)


class PlanItem(NamedTuple):
    """A level the running clock will reach: on ``day`` (the due date then being ``due``)."""

    clock: str
    level: str
    day: date
    due: date


def thresholds(clock: str, procedure: str) -> dict:
    """The yellow threshold of ``clock`` for ``procedure`` (settings.SLA_THRESHOLDS)."""
    config = settings.SLA_THRESHOLDS
    return {**config[clock], **config.get(procedure, {}).get(clock, {})}


def alert_plan(app: Application, reading: Reading, calendar: WorkCalendar) -> list[PlanItem]:
    """The levels the running clock will reach, in order of their first day.

    A provisional clock's levels come on the days its earliest due date gives (every uncertain
    day worked), so that no alert comes late because of a guess; each item's ``due`` is the
    best estimate that screens and messages show."""
    early = reading.earliest or reading
    early_calendar = calendar.bound("earliest") if reading.earliest is not None else calendar

    def yellow(clock: str, running: Clock) -> date | None:
        threshold = thresholds(clock, app.procedure)
        days = alert_days(
            early_calendar,
            running.due,
            None,
            running.limit,
            yellow_days=threshold["days"],
            yellow_fraction=threshold["fraction"],
        )
        return days.yellow

    plan: list[PlanItem] = []
    if reading.clock == "acceptance" and reading.acceptance is not None:
        due, first = reading.acceptance.due, early.acceptance.due
        plan = [PlanItem("acceptance", "yellow", yellow("acceptance", early.acceptance), due)]
        # The day after the acceptance clock runs out, the application is deemed accepted.
        plan.append(PlanItem("acceptance", "deemed", day_after(first), due))
    elif reading.clock == "certificate" and reading.certificate is not None:
        due, first = reading.certificate.due, early.certificate.due
        plan = [
            PlanItem("certificate", "yellow", yellow("certificate", early.certificate), due),
            PlanItem("certificate", "red", day_after(first), due),
        ]
    elif reading.clock == "decision" and reading.promised is not None:
        threshold = thresholds("decision", app.procedure)
        days = alert_days(
            early_calendar,
            early.promised.due,
            early.statutory.due if early.statutory else None,
            early.promised.limit,
            yellow_days=threshold["days"],
            yellow_fraction=threshold["fraction"],
        )
        due = reading.promised.due
        plan = [PlanItem("decision", "yellow", days.yellow, due), PlanItem("decision", "red", days.red, due)]
        if days.severe is not None:
            plan.append(PlanItem("decision", "severe", days.severe, reading.statutory.due))
    return sorted((item for item in plan if item.day is not None), key=lambda item: item.day)

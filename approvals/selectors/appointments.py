"""Service appointments (预约办 / 上门办) as their pages list them: the days and window places on
offer, where each procedure is handled, an organisation's appointments and a department's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Q, QuerySet

from approvals import workflow
from approvals.calendar import WorkCalendar
from approvals.models import Application, Appointment, AppointmentStatus, ProcedureRoute, User

EARLIER = 20  # past (or answered) appointments listed under the current ones


@dataclass
class OpenDay:
    day: date
    provisional: bool  # a day of a year whose holiday schedule is not published yet
    slots: list[tuple[str, int]]  # (slot, places left at the window)

    @property
    def places(self) -> int:
        return sum(left for _slot, left in self.slots)


def bookable_days(today: date, calendar: WorkCalendar) -> list[tuple[date, bool]]:
    """The working days from tomorrow to the horizon, each with whether it is provisional."""
    return [tuple(day) for day in calendar.working_days_after(today, settings.APPOINTMENT_HORIZON_DAYS)]


def availability(department_id: int | None, days: list[tuple[date, bool]]) -> list[OpenDay]:
    """Places left at the department's window per day and slot: ONE grouped query for all."""
    slots = workflow.appointment_slots()
    taken = workflow.places_taken(department_id, days[0][0], days[-1][0]) if department_id and days else {}
    places = settings.APPOINTMENT_PLACES
    return [
        OpenDay(day, provisional, [(slot, max(places - taken.get((day, slot), 0), 0)) for slot in slots])
        for day, provisional in days
    ]


def routes() -> dict[str, ProcedureRoute]:
    """Where each procedure is handled, by procedure, with its department."""
    return {route.procedure: route for route in ProcedureRoute.objects.select_related("department")}


def open_applications(user: User) -> list[tuple[int, str, str]]:
    """(id, tracking number, subject) of the open applications of ``user``'s organisation, the
    newest first: what an appointment may be about."""
    return list(
        Application.objects.open()
        .filter(organisation_id=user.organisation_id, tracking_number__isnull=False)
        .order_by("-created_at")
        .values_list("pk", "tracking_number", "subject")
    )


def _with_related(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("organisation", "department", "application", "handled_by", "requested_by")


def organisation_appointments(user: User, today: date) -> tuple[list[Appointment], list[Appointment]]:
    """``user``'s organisation's appointments: those from ``today`` on, the soonest first, and
    the last EARLIER before it, the latest first."""
    mine = _with_related(Appointment.objects.filter(organisation_id=user.organisation_id))
    return (
        list(mine.filter(day__gte=today).order_by("day", "slot", "pk")),
        list(mine.filter(day__lt=today).order_by("-day", "-slot", "-pk")[:EARLIER]),
    )


@dataclass
class DepartmentAppointments:
    requested: list[Appointment]  # to answer, the soonest first (past ones too)
    confirmed: list[Appointment]  # from today on, the soonest first
    earlier: list[Appointment]  # the last EARLIER declined, cancelled or past, the latest first


def department_appointments(user: User, today: date) -> DepartmentAppointments:
    """The appointments of ``user``'s department; each requested one marked ``past`` when its
    day has gone."""
    theirs = _with_related(Appointment.objects.filter(department_id=user.department_id))
    requested = list(theirs.filter(status=AppointmentStatus.REQUESTED).order_by("day", "slot", "pk"))
    for appointment in requested:
        appointment.past = appointment.day < today
    return DepartmentAppointments(
        requested=requested,
        confirmed=list(theirs.filter(status=AppointmentStatus.CONFIRMED, day__gte=today).order_by("day", "slot", "pk")),
        earlier=list(
            theirs.filter(
                Q(status__in=[AppointmentStatus.DECLINED, AppointmentStatus.CANCELLED])
                | Q(status=AppointmentStatus.CONFIRMED, day__lt=today)
            ).order_by("-day", "-slot", "-pk")[:EARLIER]
        ),
    )

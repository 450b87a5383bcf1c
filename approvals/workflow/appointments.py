"""Service appointments (预约办 / 上门办): an enterprise books a place at the service window or
asks for an on-site visit; the department's officers confirm or decline; the enterprise may
cancel. The appointment's own state machine, each change in the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from approvals import audit, permissions
from approvals.holidays import work_calendar
from approvals.models import (
    Application,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Department,
    Notification,
    Procedure,
    ProcedureRoute,
    Role,
    User,
)
from approvals.workflow.core import ActionDenied, ActionInvalid, NotFound, _required_text, today


def appointment_slots() -> list[str]:
    return list(settings.APPOINTMENT_SLOTS)


def places_taken(department_id: int, first: date, last: date) -> dict[tuple[date, str], int]:
    """Window places taken (requested or confirmed) per (day, slot), in one grouped query."""
    return {
        (day, slot): n
        for day, slot, n in Appointment.objects.filter(
            department_id=department_id,
            kind=AppointmentKind.WINDOW,
            status__in=[AppointmentStatus.REQUESTED, AppointmentStatus.CONFIRMED],
            day__range=(first, last),
        )
        .values_list("day", "slot")
        .annotate(n=Count("pk"))
        .order_by()
    }


def places_left(department_id: int, day: date, slot: str) -> int:
    return max(settings.APPOINTMENT_PLACES - places_taken(department_id, day, day).get((day, slot), 0), 0)


def book_appointment(
    actor: User,
    *,
    kind: str,
    procedure: str,
    day: date,
    slot: str,
    purpose: str,
    contact_phone: str,
    address: str = "",
    application_id: int | None = None,
) -> Appointment:
    """An enterprise books a place at the service window, or asks for an on-site visit, on a
    working day; the department's officers are told."""
    if permissions.role_of(actor) != Role.ENTERPRISE:
        raise ActionDenied(_("Only an enterprise's users book appointments."))
    if kind not in AppointmentKind.values:
        raise ActionInvalid(_("Choose the window or an on-site visit."), field="kind")
    if procedure not in Procedure.values:
        raise ActionInvalid(_("Choose a procedure."), field="procedure")
    if slot not in settings.APPOINTMENT_SLOTS:
        raise ActionInvalid(_("Choose one of the times offered."), field="slot")
    purpose = _required_text(purpose, "purpose", _("The purpose"), 300)
    contact_phone = _required_text(contact_phone, "contact_phone", _("A contact phone number"), 30)
    if kind == AppointmentKind.ONSITE:
        address = _required_text(address, "address", _("The address to visit"), 300)
    now = today()
    if day is None or day <= now or day > now + timedelta(days=settings.APPOINTMENT_HORIZON_DAYS):
        raise ActionInvalid(
            _("Choose a day from tomorrow to %(days)s days ahead.") % {"days": settings.APPOINTMENT_HORIZON_DAYS},
            field="day",
        )
    if not work_calendar().is_working_day(day):
        raise ActionInvalid(_("%(day)s is not a working day.") % {"day": day}, field="day")
    route = ProcedureRoute.objects.filter(procedure=procedure).select_related("department").first()
    if route is None:
        raise ActionInvalid(_("No department takes appointments for this procedure yet."), field="procedure")
    application = None
    if application_id:
        application = Application.objects.filter(pk=application_id, organisation_id=actor.organisation_id).first()
        if application is None:
            raise ActionInvalid(_("Choose one of your organisation's applications."), field="application")
    with transaction.atomic():
        # The department's row lock serialises bookings, so a slot is never overbooked.
        Department.objects.select_for_update().get(pk=route.department_id)
        if kind == AppointmentKind.WINDOW and places_left(route.department_id, day, slot) <= 0:
            raise ActionInvalid(_("That time is fully booked: choose another."), field="slot")
        appointment = Appointment.objects.create(
            kind=kind,
            organisation_id=actor.organisation_id,
            requested_by=actor,
            department_id=route.department_id,
            procedure=procedure,
            application=application,
            day=day,
            slot=slot,
            purpose=purpose,
            address=address.strip() if kind == AppointmentKind.ONSITE else "",
            contact_phone=contact_phone,
        )
        _audit_appointment(appointment, actor, "")
        officers = User.objects.filter(role=Role.OFFICER, department_id=route.department_id, is_active=True)
        _tell(officers, "appointment_requested", appointment)
    return appointment


def answer_appointment(appointment_id: int, actor: User, *, confirm: bool, reply: str = "") -> Appointment:
    """An officer of the department confirms or declines; the enterprise is told."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().filter(pk=appointment_id).first()
        if appointment is None or not permissions.can_handle_appointment(appointment, actor):
            raise NotFound(_("No such appointment."))
        if not can_proceed(appointment.confirm if confirm else appointment.decline):
            raise ActionInvalid(_("This appointment has already been answered."))
        if not confirm:
            reply = _required_text(reply, "reply", _("The reason"), 300)
        was = appointment.status
        if confirm:
            appointment.confirm(actor, reply.strip())
        else:
            appointment.decline(actor, reply.strip())
        appointment.save(update_fields=["status", "handled_by", "reply"])
        _audit_appointment(appointment, actor, was, note=appointment.reply)
        members = User.objects.filter(role=Role.ENTERPRISE, organisation_id=appointment.organisation_id, is_active=True)
        _tell(members, "appointment_" + appointment.status, appointment)
    return appointment


def cancel_appointment(appointment_id: int, actor: User) -> Appointment:
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().filter(pk=appointment_id).first()
        if appointment is None or not permissions.is_member_of(appointment.organisation_id, actor):
            raise NotFound(_("No such appointment."))
        if not can_proceed(appointment.cancel):
            raise ActionInvalid(_("This appointment can no longer be cancelled."))
        was = appointment.status
        appointment.cancel()
        appointment.save(update_fields=["status"])
        _audit_appointment(appointment, actor, was)
        told = [appointment.handled_by_id] if appointment.handled_by_id else []
        officers = User.objects.filter(
            Q(pk__in=told) | Q(role=Role.OFFICER, department_id=appointment.department_id), is_active=True
        )
        _tell(officers, "appointment_cancelled", appointment)
    return appointment


def _audit_appointment(appointment: Appointment, actor: User, was: str, *, note: str = "") -> None:
    """Record an appointment's status change (``was`` to its status now; ``""`` when booked) in
    the audit trail, in the caller's transaction: under its application when it names one, else
    on its own (the appointment's id is in the data either way)."""
    audit.append(
        [
            audit.Draft(
                appointment.application,
                actor.pk,
                "appointment_" + appointment.status,
                today(),
                from_state=was,
                to_state=appointment.status,
                note=note,
                data={
                    "appointment": appointment.pk,
                    "kind": appointment.kind,
                    "day": appointment.day.isoformat(),
                    "slot": appointment.slot,
                },
                delivered=True,
            )
        ]
    )


def _tell(users, kind: str, appointment: Appointment) -> None:
    data = {
        "appointment": appointment.pk,
        "day": appointment.day.isoformat(),
        "slot": appointment.slot,
        "kind": appointment.kind,
        "organisation": appointment.organisation.name,
    }
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user, application=appointment.application, kind=kind, data=data, email=bool(user.email)
            )
            for user in users
        ]
    )

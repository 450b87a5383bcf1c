"""Service appointments (预约办 / 上门办).

An enterprise's users see their organisation's appointments and book a place at the service
window, or ask for an on-site visit, on a working day; officers and managers see their
department's and confirm or decline them. Every change goes through ``approvals.workflow``
(book_appointment, answer_appointment, cancel_appointment), which also tells the other side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import include, path, reverse_lazy
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from approvals import permissions, workflow
from approvals.holidays import work_calendar
from approvals.inputs import Text
from approvals.models import AppointmentKind, AppointmentStatus, Procedure, ProcedureRoute
from approvals.roles import Role
from approvals.selectors.appointments import (
    availability,
    bookable_days,
    department_appointments,
    open_applications,
    organisation_appointments,
    routes,
)
from approvals.views.common import permitted

ACTIVE = (AppointmentStatus.REQUESTED, AppointmentStatus.CONFIRMED)


def _role_view(*roles: str):
    """Signed-in users of these roles; anyone else signed in gets a 403."""
    return permitted(lambda user: permissions.role_of(user) in roles)


enterprise_only = _role_view(Role.ENTERPRISE)
staff_only = _role_view(Role.OFFICER, Role.MANAGER)
appointment_users = _role_view(Role.ENTERPRISE, Role.OFFICER, Role.MANAGER)


# -- the booking form ----------------------------------------------------------------------------


class BookingForm(forms.Form):
    """The shape of a booking; the rules (a working day within the horizon, a free place, an
    address for a visit) are the workflow's, whose errors land on the field they name."""

    kind = forms.ChoiceField(
        label=gettext_lazy("How"),
        choices=AppointmentKind.choices,
        initial=AppointmentKind.WINDOW,
        widget=forms.RadioSelect,
    )
    procedure = forms.ChoiceField(label=gettext_lazy("Procedure"))
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.Select)
    slot = forms.ChoiceField(label=gettext_lazy("Time"))
    purpose = Text(
        label=gettext_lazy("Purpose"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What you need: for example, submitting paper materials or collecting a certificate."),
    )
    contact_phone = Text(
        label=gettext_lazy("Contact phone"),
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    address = Text(
        label=gettext_lazy("Address to visit"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("On-site visits only."),
    )
    application = forms.TypedChoiceField(
        label=gettext_lazy("Related application (optional)"), coerce=int, empty_value=None, required=False
    )

    availability_url = reverse_lazy("approvals:appointments-availability")

    def __init__(
        self,
        *args,
        procedures: list[tuple[str, str]],
        days: list[tuple[date, bool]],
        applications: list[tuple[int, str]],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = procedures
        self.fields["procedure"].widget.attrs.update(
            {
                "hx-get": str(self.availability_url),
                "hx-target": "#availability",
                "hx-swap": "outerHTML",
                "hx-trigger": "change",
            }
        )
        choices = [
            (day.isoformat(), f"{day.isoformat()} {_weekday(day)}" + (f" ({_('provisional')})" if provisional else ""))
            for day, provisional in days
        ]
        typed = self.data.get("day") if self.is_bound else None
        if typed and typed not in {value for value, _label in choices}:
            choices.insert(0, (typed, typed))  # keep what was sent, so that its error makes sense
        self.fields["day"].widget.choices = choices
        self.fields["slot"].choices = [(slot, slot) for slot in workflow.appointment_slots()]
        self.fields["application"].choices = [("", "—"), *applications]


def _weekday(day: date) -> str:
    return str(WEEKDAYS_ABBR[day.weekday()])


# -- the pages -------------------------------------------------------------------------------------


@dataclass
class Offer:
    """What the booking form offers this user today."""

    routes: dict[str, ProcedureRoute]
    procedures: list[tuple[str, str]]
    days: list[tuple[date, bool]]
    applications: list[tuple[int, str]]

    def form(self, *args, **kwargs) -> BookingForm:
        return BookingForm(*args, procedures=self.procedures, days=self.days, applications=self.applications, **kwargs)


def _offer(user) -> Offer:
    handled = routes()
    return Offer(
        routes=handled,
        procedures=[(value, label) for value, label in Procedure.choices if value in handled],
        days=bookable_days(workflow.today(), work_calendar()),
        applications=[(pk, f"{number} · {subject[:40]}") for pk, number, subject in open_applications(user)],
    )


def _enterprise_page(
    request: HttpRequest, offer: Offer, form: BookingForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    today = workflow.today()
    first = offer.procedures[0][0] if offer.procedures else None
    if form is None:
        organisation = user.organisation
        chosen = request.GET.get("procedure")
        form = offer.form(
            initial={
                "contact_phone": user.phone or organisation.contact_phone,
                "address": organisation.address,
                "procedure": chosen if chosen in offer.routes else first,
            }
        )
    route = offer.routes.get(form["procedure"].value() or first)
    upcoming, earlier = organisation_appointments(user, today)
    context = {
        "form": form,
        "upcoming": upcoming,
        "earlier": earlier,
        "availability": availability(route.department_id if route else None, offer.days),
        "provisional_days": any(provisional for _day, provisional in offer.days),
        "route": route,
        "slots": workflow.appointment_slots(),
        "places": settings.APPOINTMENT_PLACES,
        "horizon": settings.APPOINTMENT_HORIZON_DAYS,
        "today": today,
        "active": ACTIVE,
    }
    return render(request, "approvals/appointments/enterprise.html", context, status=status)


def _staff_page(request: HttpRequest, errors: dict[int, tuple[str, str]] | None = None, status: int = 200):
    """``errors``: an answer refused, by appointment: (the message, the reply as typed)."""
    today = workflow.today()
    theirs = department_appointments(request.user, today)
    for appointment in theirs.requested:
        appointment.error, appointment.typed_reply = (errors or {}).get(appointment.pk, ("", ""))
    context = {
        "requested": theirs.requested,
        "confirmed": theirs.confirmed,
        "earlier": theirs.earlier,
        "department": request.user.department,
        "today": today,
    }
    return render(request, "approvals/appointments/staff.html", context, status=status)


@appointment_users
def appointments_page(request: HttpRequest) -> HttpResponse:
    """An enterprise's appointments and the booking form, or a department's appointments."""
    if permissions.role_of(request.user) == Role.ENTERPRISE:
        return _enterprise_page(request, _offer(request.user))
    return _staff_page(request)


@enterprise_only
def availability_partial(request: HttpRequest) -> HttpResponse:
    """The places-left table for a procedure's department (the booking form swaps it in)."""
    route = routes().get(request.GET.get("procedure", ""))
    days = bookable_days(workflow.today(), work_calendar())
    context = {
        "availability": availability(route.department_id if route else None, days),
        "provisional_days": any(provisional for _day, provisional in days),
        "route": route,
        "slots": workflow.appointment_slots(),
        "places": settings.APPOINTMENT_PLACES,
    }
    return render(request, "approvals/appointments/availability.html", context)


@enterprise_only
@require_POST
def book(request: HttpRequest) -> HttpResponse:
    user = request.user
    offer = _offer(user)
    form = offer.form(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            appointment = workflow.book_appointment(
                user,
                kind=data["kind"],
                procedure=data["procedure"],
                day=data["day"],
                slot=data["slot"],
                purpose=data["purpose"],
                contact_phone=data["contact_phone"],
                # The form keeps the organisation's address for a visit; a window booking has none.
                address=data["address"] if data["kind"] == AppointmentKind.ONSITE else "",
                application_id=data["application"],
            )
        except workflow.WorkflowError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "Requested: %(kind)s on %(day)s, %(slot)s, with %(department)s. "
                    "You will be told when it is confirmed."
                )
                % {
                    "kind": appointment.get_kind_display(),
                    "day": appointment.day.isoformat(),
                    "slot": appointment.slot,
                    "department": offer.routes[appointment.procedure].department.name,
                },
            )
            return redirect("approvals:appointments")
    return _enterprise_page(request, offer, form, status=400)


@enterprise_only
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        appointment = workflow.cancel_appointment(pk, request.user)
    except workflow.NotFound:
        raise Http404 from None
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Cancelled: %(day)s, %(slot)s. The department is told.")
            % {"day": appointment.day.isoformat(), "slot": appointment.slot},
        )
    return redirect("approvals:appointments")


class AnswerForm(forms.Form):
    """An appointment's answer: confirm or decline, and the reply (the workflow requires it to
    decline), stored text like any other."""

    answer = forms.ChoiceField(choices=[("confirm", "confirm"), ("decline", "decline")])
    reply = Text(required=False, max_length=300)


@staff_only
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (a reply is optional) or decline (the reason is required)."""
    form = AnswerForm(request.POST)
    reply = request.POST.get("reply", "")
    if not form.is_valid():
        message = next(iter(form.errors.get("reply", []) or [_("Choose to confirm or decline.")]))
        return _staff_page(request, {pk: (message, reply)}, 400)
    choice, reply = form.cleaned_data["answer"], form.cleaned_data["reply"]
    try:
        appointment = workflow.answer_appointment(pk, request.user, confirm=choice == "confirm", reply=reply)
    except workflow.NotFound:
        raise Http404 from None
    except workflow.WorkflowError as exc:
        if exc.field == "reply":  # shown on the appointment's form, with the reply as typed
            return _staff_page(request, {pk: (str(exc), reply)}, exc.status)
        messages.error(request, str(exc))  # e.g. a colleague answered it first
        return redirect("approvals:appointments")
    text = (
        _("Confirmed: %(organisation)s, %(day)s, %(slot)s. The enterprise is told.")
        if appointment.status == AppointmentStatus.CONFIRMED
        else _("Declined: %(organisation)s, %(day)s, %(slot)s. The enterprise is told.")
    )
    values = {
        "organisation": appointment.organisation.name,
        "day": appointment.day.isoformat(),
        "slot": appointment.slot,
    }
    messages.success(request, text % values)
    return redirect("approvals:appointments")


urlpatterns = [
    path(
        "appointments/",
        include(
            [
                path("", appointments_page, name="appointments"),
                path("availability/", availability_partial, name="appointments-availability"),
                path("book/", book, name="appointment-book"),
                path("<int:pk>/cancel/", cancel, name="appointment-cancel"),
                path("<int:pk>/answer/", answer, name="appointment-answer"),
            ]
        ),
    ),
]

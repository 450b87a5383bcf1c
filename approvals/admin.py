"""The Django admin: reference data and people to edit, applications and their trail to read.

Nothing here writes an application's status, dates or clocks. The application pages are
view-only (no add, change or delete, even for superusers); the only ways to act on an
application are the changelist actions, and each one calls approvals.workflow: ``recompute``,
``deem_accepted`` and ``reassign``. Calendar edits are carried to the open clocks with
``workflow.calendar_days_changed`` inside the admin's own transaction, so a failed recompute
undoes the edit. Audit events and notifications are read-only for everyone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import Count, Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from approvals import feeds, notifications, permissions, workflow
from approvals.models import (
    CLOCK_DUE_COLUMNS,
    Application,
    AuditEvent,
    CalendarDay,
    CalendarFeed,
    CalendarYear,
    Department,
    ExtensionState,
    Material,
    Notification,
    Organisation,
    Policy,
    ProcedureRoute,
    Role,
    SpecialProcedure,
    State,
    User,
)

admin.site.site_header = _("shixian (时限) administration")
admin.site.site_title = _("shixian administration")
admin.site.index_title = _("Data and settings")
# The application and audit lists are wide; the index and the breadcrumbs are navigation enough.
admin.site.enable_nav_sidebar = False

# Audit events record either machine's states (status or extension); their values do not overlap.
STATE_LABELS = {**dict(ExtensionState.choices), **dict(State.choices)}


# Read-only fields print None as "None"; the changelist's empty value reads better everywhere.
EMPTY = admin.site.empty_value_display


def _state_label(value: str) -> str:
    return STATE_LABELS.get(value, value) if value else EMPTY


def _json(value: object) -> str:
    """JSON as an administrator reads it: indented, Chinese left as Chinese."""
    if not value:
        return EMPTY
    return format_html("<pre>{}</pre>", json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True))


def _day(value: date | None) -> str:
    return date_format(value) if value else EMPTY


def _when(value: datetime | None, format: str = "DATETIME_FORMAT") -> str:
    return date_format(timezone.localtime(value), format) if value else EMPTY


def _short_day(value: date | None) -> str:
    # ISO dates: narrow columns, and how dates are written on the administration's own forms.
    return value.isoformat() if value else EMPTY


def _label(model: type[Model], field: str) -> str:
    return model._meta.get_field(field).verbose_name


class ReadOnlyMixin:
    """No add, change or delete, whoever asks: the rows are written only by the workflow."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ActionFilter(admin.SimpleListFilter):
    """An audit action, by the name users read in the timeline."""

    title = _("action")
    parameter_name = "action"
    field = "action"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return list(notifications.ACTIONS.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(**{self.field: self.value()}) if self.value() else queryset


class EventColumns:
    """An audit event's action and states by the names users read in the timeline."""

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, event: AuditEvent) -> str:
        return notifications.ACTIONS.get(event.action, event.action)

    @admin.display(description=_("from"))
    def from_label(self, event: AuditEvent) -> str:
        return _state_label(event.from_state)

    @admin.display(description=_("to"))
    def to_label(self, event: AuditEvent) -> str:
        return _state_label(event.to_state)


# -- calendar -----------------------------------------------------------------------------------


def _describe_days(days: list[date]) -> str:
    if len(days) <= 5:
        return ", ".join(day.isoformat() for day in days)
    return f"{days[0].isoformat()} … {days[-1].isoformat()} ({len(days)})"


def _carry_calendar_change(
    model_admin: admin.ModelAdmin, request: HttpRequest, days: Iterable[date], what: str | None = None
) -> int:
    """Move the open clocks after a hand edit of the calendar, and tell the administrator how many moved."""
    days = sorted(set(days))
    if not days:
        return 0
    reason = _("calendar edited by %(user)s: %(what)s") % {
        "user": request.user.get_username(),
        "what": what or _describe_days(days),
    }
    moved = workflow.calendar_days_changed(days, reason, actor=request.user)
    model_admin.message_user(
        request,
        ngettext_lazy(
            "The due dates of %(count)d open application moved.",
            "The due dates of %(count)d open applications moved.",
            "count",
        )
        % {"count": moved},
        messages.INFO,
    )
    return moved


def _whole_year(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year, 12, 31) - first).days + 1)]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "official", "source", "updated_at"]
    list_filter = ["official"]
    search_fields = ["year", "source"]

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: ModelForm, change: bool) -> None:
        years = set()
        if not change or {"official", "year"} & set(form.changed_data):
            years.add(obj.year)
            if change and "year" in form.changed_data:
                years.add(form.initial["year"])
        super().save_model(request, obj, form, change)
        for year in sorted(years):
            what = _("%(year)s official") if obj.official and year == obj.year else _("%(year)s not official")
            _carry_calendar_change(self, request, _whole_year(year), what % {"year": year})

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        year = obj.year
        super().delete_model(request, obj)
        _carry_calendar_change(self, request, _whole_year(year), _("%(year)s not official") % {"year": year})

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic():
            years = sorted(queryset.values_list("year", flat=True))
            super().delete_queryset(request, queryset)
            for year in years:
                _carry_calendar_change(self, request, _whole_year(year), _("%(year)s not official") % {"year": year})


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "name", "notice_year", "updated_at"]
    list_filter = ["kind", "notice_year"]
    search_fields = ["name", "date"]
    date_hierarchy = "date"

    @admin.display(description=_("weekday"))
    def weekday(self, day: CalendarDay) -> str:
        return date_format(day.date, "l")

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: ModelForm, change: bool) -> None:
        days = {obj.date}
        if change and "date" in form.changed_data and form.initial.get("date"):
            days.add(form.initial["date"])  # the day it no longer marks counts as before again
        super().save_model(request, obj, form, change)
        _carry_calendar_change(self, request, days)

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        day = obj.date
        super().delete_model(request, obj)
        _carry_calendar_change(self, request, [day])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic():
            days = list(queryset.values_list("date", flat=True))
            super().delete_queryset(request, queryset)
            _carry_calendar_change(self, request, days)


# -- policies -----------------------------------------------------------------------------------

# What an application counts with: fixed once one uses the policy. A change of limits is a new
# policy with a later effective date (see Policy's docstring).
LOCKED_POLICY_FIELDS = [
    "procedure",
    "promised_limit",
    "promised_unit",
    "statutory_limit",
    "statutory_unit",
    "statutory_from_receipt",
    "pauses_allowed",
    "max_extension",
]


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = [
        "procedure",
        "effective_from",
        "promised",
        "statutory",
        "pauses_allowed",
        "max_extension",
        "applications",
    ]
    list_filter = ["procedure"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(used_by=Count("application"))

    @admin.display(description=_("promised limit"))
    def promised(self, policy: Policy) -> str:
        return policy.promised

    @admin.display(description=_("statutory limit"))
    def statutory(self, policy: Policy) -> str:
        return policy.statutory

    @admin.display(description=_("applications counted under it"), ordering="used_by")
    def applications(self, policy: Policy) -> int:
        used = getattr(policy, "used_by", None)  # annotated by get_queryset
        return used if used is not None else Application.objects.filter(policy=policy).count()

    @staticmethod
    def _in_use(policy: Policy | None) -> bool:
        return policy is not None and policy.pk is not None and Application.objects.filter(policy=policy).exists()

    def get_readonly_fields(self, request: HttpRequest, obj: Policy | None = None) -> list[str]:
        if obj is None:
            return []
        return [*LOCKED_POLICY_FIELDS, "applications"] if self._in_use(obj) else ["applications"]

    def get_fieldsets(self, request: HttpRequest, obj: Policy | None = None) -> list:
        fieldsets = super().get_fieldsets(request, obj)
        if self._in_use(obj):
            (name, options), *rest = fieldsets
            description = _(
                "Applications already count under this policy, so its limits cannot change. To change "
                "the limits, add a new policy for the procedure with a later effective date."
            )
            fieldsets = [(name, {**options, "description": description}), *rest]
        return fieldsets


# -- organisations, departments, people -------------------------------------------------------


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "kind", "contact_name", "contact_phone"]
    list_filter = ["kind"]
    search_fields = ["name", "credit_code"]


class ProcedureRouteInline(admin.TabularInline):
    model = ProcedureRoute
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "procedures"]
    search_fields = ["name"]
    inlines = [ProcedureRouteInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("routes")

    @admin.display(description=_("procedures handled"))
    def procedures(self, department: Department) -> str:
        routes = department.routes.all()
        if not routes:
            return EMPTY
        return format_html_join(mark_safe("<br>"), "{}", ((route.get_procedure_display(),) for route in routes))


ROLE_FIELDSET = (_("Role and affiliation"), {"fields": ("role", "organisation", "department")})


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("name", "email", "phone")}),
        ROLE_FIELDSET,
        *DjangoUserAdmin.fieldsets[2:],  # permissions, important dates
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (
            _("Role and affiliation"),
            {"classes": ("wide",), "fields": ("name", "role", "organisation", "department", "phone")},
        ),
    )
    list_display = ["username", "name", "role", "organisation", "department", "is_staff", "is_active"]
    list_filter = ["role", "department", "organisation", "is_staff", "is_superuser", "is_active"]
    list_select_related = ["organisation", "department"]
    search_fields = ["username", "name", "email", "phone"]
    autocomplete_fields = ["organisation"]


# -- applications -------------------------------------------------------------------------------


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class MaterialInline(ReadOnlyInline):
    # No file links: materials are private and served only through the permission-checking view.
    model = Material
    fields = readonly_fields = ["name", "file_size", "content_type", "uploaded_at"]

    @admin.display(description=_("size"))
    def file_size(self, material: Material) -> str:
        return filesizeformat(material.size)


class SpecialProcedureInline(ReadOnlyInline):
    model = SpecialProcedure
    fields = readonly_fields = ["kind", "basis", "notice_date", "expected_end", "started_on", "ended_on"]


class AuditEventInline(EventColumns, ReadOnlyInline):
    model = AuditEvent
    fields = readonly_fields = ["day", "action_label", "from_label", "to_label", "actor", "note", "recorded"]
    ordering = ["pk"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_label(AuditEvent, "on"))
    def day(self, event: AuditEvent) -> str:
        return _short_day(event.on)

    @admin.display(description=_label(AuditEvent, "at"))
    def recorded(self, event: AuditEvent) -> str:
        return _when(event.at, "Y-m-d H:i")


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return f"{user} ({user.department})"


class ReassignForm(forms.Form):
    officer = OfficerChoiceField(queryset=User.objects.none(), label=_("New case officer"))
    note = forms.CharField(
        label=_("Note for the audit trail"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    def __init__(self, *args, officers: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


APPLICATION_FIELDSETS = [
    (
        None,
        {
            "fields": [
                ("tracking_number", "procedure"),
                "subject",
                ("organisation", "applicant"),
                "provider",
                "details_text",
            ]
        },
    ),
    (_("Handling"), {"fields": [("department", "officer"), "policy"]}),
    (
        _("Status"),
        {
            "fields": [
                ("state", "extension_state"),
                ("deemed_accepted", "correction_notices"),
                "correction_items",
                ("extension_requested_days", "extension_days"),
                "extension_reason",
                "outcome_reasons",
                "remedies",
                ("certificate_number", "filing_number"),
            ]
        },
    ),
    (
        _("Dates"),
        {
            "fields": [
                ("created_at", "last_action_on"),
                ("received_on", "corrected_on"),
                ("accepted_on", "arrived_on"),
                ("decided_on", "closed_on"),
            ]
        },
    ),
    (
        _("Clocks"),
        {
            "fields": [
                "clock",
                ("acceptance_due", "acceptance_provisional", "acceptance_earliest", "acceptance_latest"),
                ("due_date", "promised_provisional", "promised_earliest", "promised_latest"),
                ("statutory_due", "statutory_provisional", "statutory_earliest", "statutory_latest"),
                ("certificate_due", "certificate_provisional", "certificate_earliest", "certificate_latest"),
                "days_left_when_paused",
                ("yellow_on", "red_on", "severe_on"),
                ("next_alert_on", "next_alert_level"),
            ]
        },
    ),
    (
        _("Identity verification (website filings)"),
        {"fields": ["verification_method", "verified_at", "verification_reference"], "classes": ["collapse"]},
    ),
]


def _flatten(fieldsets: list) -> list[str]:
    return [
        name
        for _name, options in fieldsets
        for entry in options["fields"]
        for name in (entry if isinstance(entry, tuple) else (entry,))
    ]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """View-only: every field is the workflow's. The actions are the only way to act."""

    list_display = [
        "tracking_number",
        "procedure",
        "organisation",
        "state",
        "officer",
        "due",
        "statutory",
        "promised_provisional",
        "next_alert",
    ]
    list_filter = ["procedure", "state", "clock", "promised_provisional", "statutory_provisional", "department"]
    search_fields = ["tracking_number", "organisation__name", "subject"]
    search_help_text = _("Search by tracking number, applicant or what is applied for.")
    list_select_related = ["organisation", "officer"]
    fieldsets = APPLICATION_FIELDSETS
    # Read-only even if someone grants the change permission: the state fields are protected
    # (django-fsm refuses direct assignment) and the rest is set by the workflow.
    readonly_fields = _flatten(APPLICATION_FIELDSETS)
    inlines = [MaterialInline, SpecialProcedureInline, AuditEventInline]
    actions = ["recompute_clocks", "apply_deemed_acceptance", "reassign"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description=_("details"))
    def details_text(self, app: Application) -> str:
        return _json(app.details)

    # The list's dates: short, and in red once an open application's day has passed.
    @staticmethod
    def _deadline(app: Application, day: date | None) -> str:
        if day is not None and app.is_open and day < workflow.today():
            return format_html(
                '<strong style="color: var(--error-fg)" title="{}">{}</strong>', _("passed"), _short_day(day)
            )
        return _short_day(day)

    @admin.display(description=_label(Application, "due_date"), ordering="due_date")
    def due(self, app: Application) -> str:
        return self._deadline(app, app.due_date)

    @admin.display(description=_label(Application, "statutory_due"), ordering="statutory_due")
    def statutory(self, app: Application) -> str:
        return self._deadline(app, app.statutory_due)

    @admin.display(description=_label(Application, "next_alert_on"), ordering="next_alert_on")
    def next_alert(self, app: Application) -> str:
        return self._deadline(app, app.next_alert_on)

    # Who may use the actions. The workflow checks again, per application.
    def has_administer_permission(self, request: HttpRequest) -> bool:
        return permissions.is_administrator(request.user)

    def has_reassign_permission(self, request: HttpRequest) -> bool:
        return permissions.role_of(request.user) in {Role.ADMIN, Role.MANAGER}

    def _report(self, request: HttpRequest, app: Application, text: str, level: int) -> None:
        self.message_user(request, _("%(application)s: %(text)s") % {"application": app, "text": text}, level)

    @admin.action(description=_("Recompute clocks"), permissions=["administer"])
    def recompute_clocks(self, request: HttpRequest, queryset: QuerySet) -> None:
        done, moved = 0, []
        for app in queryset.order_by("pk"):
            before = [getattr(app, field) for field in CLOCK_DUE_COLUMNS.values()]
            try:
                after = workflow.recompute(app.pk, actor=request.user)
            except workflow.WorkflowError as exc:
                self._report(request, app, str(exc), messages.ERROR)
                continue
            done += 1
            if [getattr(after, field) for field in CLOCK_DUE_COLUMNS.values()] != before:
                moved.append(str(after))
        self.message_user(
            request,
            ngettext_lazy(
                "Recomputed the clocks of %(count)d application.",
                "Recomputed the clocks of %(count)d applications.",
                "count",
            )
            % {"count": done},
            messages.SUCCESS,
        )
        if moved:
            self.message_user(
                request, _("Due dates moved on: %(applications)s") % {"applications": ", ".join(moved)}, messages.INFO
            )

    @admin.action(
        description=_("Apply deemed acceptance where the acceptance period has run out"), permissions=["administer"]
    )
    def apply_deemed_acceptance(self, request: HttpRequest, queryset: QuerySet) -> None:
        today = workflow.today()
        for app in queryset.order_by("pk"):
            if app.state != State.RECEIVED:
                text = _("not awaiting acceptance (%(state)s); unchanged.") % {"state": app.get_state_display()}
                self._report(request, app, text, messages.WARNING)
            elif app.acceptance_due is None:
                self._report(request, app, _("no acceptance period is running; unchanged."), messages.WARNING)
            elif app.acceptance_due >= today:
                text = _("the acceptance period runs until %(due)s; unchanged.") % {"due": _day(app.acceptance_due)}
                self._report(request, app, text, messages.WARNING)
            else:
                try:
                    app = workflow.deem_accepted(app.pk, on=today)
                except workflow.WorkflowError as exc:
                    self._report(request, app, str(exc), messages.ERROR)
                else:
                    text = _("deemed accepted as of %(on)s.") % {"on": _day(app.accepted_on)}
                    self._report(request, app, text, messages.SUCCESS)

    @admin.action(description=_("Reassign to an officer"), permissions=["reassign"])
    def reassign(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        applications = list(queryset.select_related("organisation", "officer", "department").order_by("pk"))
        officers = (
            User.objects.filter(role=Role.OFFICER, is_active=True)
            .select_related("department")
            .order_by("department__name", "name", "username")
        )
        departments = {app.department_id for app in applications}
        if len(departments) == 1 and None not in departments:
            officers = officers.filter(department_id=next(iter(departments)))
        form = ReassignForm(request.POST if "apply" in request.POST else None, officers=officers)
        if form.is_valid():
            officer, note = form.cleaned_data["officer"], form.cleaned_data["note"]
            for app in applications:
                try:
                    workflow.reassign(app.pk, request.user, officer.pk, note=note)
                except workflow.WorkflowError as exc:
                    self._report(request, app, str(exc), messages.ERROR)
                else:
                    self._report(request, app, _("reassigned to %(officer)s.") % {"officer": officer}, messages.SUCCESS)
            return None  # back to the changelist, with the messages
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reassign to an officer"),
            "subtitle": None,
            "opts": self.model._meta,
            "form": form,
            "applications": applications,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/approvals/application/reassign.html", context)


# -- the audit trail and notifications ----------------------------------------------------------


@admin.register(AuditEvent)
class AuditEventAdmin(EventColumns, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["application_link", "action_label", "from_label", "to_label", "actor", "on", "at"]
    list_display_links = ["action_label"]  # the event; the tracking number leads to the application
    list_select_related = ["application", "actor"]
    list_filter = [ActionFilter]
    search_fields = ["application__tracking_number"]
    search_help_text = _("Search by tracking number.")
    ordering = ["-pk"]
    fields = readonly_fields = [
        "application",
        "action_label",
        "from_label",
        "to_label",
        "actor",
        "on",
        "at",
        "note",
        "data_text",
        "chain_hash",
        "previous_hash",
        "notified",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        events = super().get_queryset(request)
        if permissions.is_administrator(request.user):
            return events
        return events.filter(application__in=Application.objects.visible_to(request.user))

    @admin.display(description=_label(AuditEvent, "application"), ordering="application__tracking_number")
    def application_link(self, event: AuditEvent) -> str:
        if event.application_id is None:
            return EMPTY
        url = reverse("admin:approvals_application_change", args=[event.application_id])
        return format_html('<a href="{}">{}</a>', url, event.application)

    @admin.display(description=_("data"))
    def data_text(self, event: AuditEvent) -> str:
        return _json(event.data)

    @admin.display(description=_("hash"))
    def chain_hash(self, event: AuditEvent) -> str:
        return event.hash

    @admin.display(description=_("previous event's hash"))
    def previous_hash(self, event: AuditEvent) -> str:
        return event.prev_hash

    @admin.display(description=_("notifications sent at"))
    def notified(self, event: AuditEvent) -> str:
        return _when(event.notified_at)


class NotificationKindFilter(ActionFilter):
    parameter_name = field = "kind"


class ReadFilter(admin.SimpleListFilter):
    title = _("read")
    parameter_name = "read"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", _("Read")), ("no", _("Unread"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(read_at__isnull=self.value() == "no")
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    # Notification's fields carry no verbose names: every column names itself here.
    list_display = ["created", "recipient_name", "application_number", "message", "read"]
    list_select_related = ["recipient", "application"]
    list_filter = [NotificationKindFilter, ReadFilter]
    search_fields = ["application__tracking_number", "recipient__username", "recipient__name"]
    search_help_text = _("Search by tracking number or recipient.")
    fields = readonly_fields = ["created", "recipient_name", "application_number", "message", "read"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        notes = super().get_queryset(request)
        return notes if permissions.is_administrator(request.user) else notes.filter(recipient=request.user)

    @admin.display(description=_("sent"), ordering="created_at")
    def created(self, note: Notification) -> str:
        return _when(note.created_at)

    @admin.display(description=_("recipient"), ordering="recipient__username")
    def recipient_name(self, note: Notification) -> str:
        return str(note.recipient)

    @admin.display(description=_("application"))
    def application_number(self, note: Notification) -> str:
        return str(note.application) if note.application_id else EMPTY

    @admin.display(description=_("message"))
    def message(self, note: Notification) -> str:
        return notifications.text(note)

    @admin.display(description=_("read"), ordering="read_at")
    def read(self, note: Notification) -> str:
        return _when(note.read_at)


class FeedActiveFilter(admin.SimpleListFilter):
    title = _("active")
    parameter_name = "active"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", _("Active")), ("no", _("Revoked"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(revoked_at__isnull=self.value() == "yes")
        return queryset


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Who has a calendar feed and when it was last fetched. Feeds are made by their owners (the
    address is shown only to them, once); an administrator can only revoke one, e.g. for a leak."""

    list_display = ["user", "created", "last_fetched", "revoked", "active"]
    list_select_related = ["user"]
    list_filter = [FeedActiveFilter]
    search_fields = ["user__username", "user__name"]
    fields = readonly_fields = ["user", "created", "last_fetched", "revoked"]
    actions = ["revoke"]

    @admin.display(description=_("created"), ordering="created_at")
    def created(self, feed: CalendarFeed) -> str:
        return _when(feed.created_at)

    @admin.display(description=_("last fetched"), ordering="last_used_at")
    def last_fetched(self, feed: CalendarFeed) -> str:
        return _when(feed.last_used_at)

    @admin.display(description=_("revoked"), ordering="revoked_at")
    def revoked(self, feed: CalendarFeed) -> str:
        return _when(feed.revoked_at)

    @admin.display(description=_("active"), boolean=True)
    def active(self, feed: CalendarFeed) -> bool:
        return feed.active

    @admin.action(description=_("Revoke the selected feeds (their addresses stop working)"))
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = feeds.revoke_feeds(queryset)
        self.message_user(
            request,
            ngettext_lazy("%(count)d calendar feed revoked.", "%(count)d calendar feeds revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )

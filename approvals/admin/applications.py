"""The application pages: view-only, acted on only by the changelist actions, each a workflow call
(``recompute``, ``deem_accepted``, ``reassign``)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from approvals import permissions, workflow
from approvals.admin.common import EventColumns, ReadOnlyMixin, as_json, day_text, field_label, short_day, when_text
from approvals.inputs import Text
from approvals.models import (
    CLOCK_DUE_COLUMNS,
    VERIFICATION_FIELDS,
    Application,
    AuditEvent,
    Material,
    Role,
    SpecialProcedure,
    State,
    User,
)

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

    @admin.display(description=field_label(AuditEvent, "on"))
    def day(self, event: AuditEvent) -> str:
        return short_day(event.on)

    @admin.display(description=field_label(AuditEvent, "at"))
    def recorded(self, event: AuditEvent) -> str:
        return when_text(event.at, "Y-m-d H:i")


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return f"{user} ({user.department})"


class ReassignForm(forms.Form):
    officer = OfficerChoiceField(queryset=User.objects.none(), label=_("New case officer"))
    note = Text(
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
        {"fields": list(VERIFICATION_FIELDS), "classes": ["collapse"]},
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
        return as_json(app.details)

    # The list's dates: short, and in red once an open application's day has passed.
    @staticmethod
    def _deadline(app: Application, day: date | None) -> str:
        if day is not None and app.is_open and day < workflow.today():
            return format_html(
                '<strong style="color: var(--error-fg)" title="{}">{}</strong>', _("passed"), short_day(day)
            )
        return short_day(day)

    @admin.display(description=field_label(Application, "due_date"), ordering="due_date")
    def due(self, app: Application) -> str:
        return self._deadline(app, app.due_date)

    @admin.display(description=field_label(Application, "statutory_due"), ordering="statutory_due")
    def statutory(self, app: Application) -> str:
        return self._deadline(app, app.statutory_due)

    @admin.display(description=field_label(Application, "next_alert_on"), ordering="next_alert_on")
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
                text = _("the acceptance period runs until %(due)s; unchanged.") % {"due": day_text(app.acceptance_due)}
                self._report(request, app, text, messages.WARNING)
            else:
                try:
                    app = workflow.deem_accepted(app.pk, on=today)
                except workflow.WorkflowError as exc:
                    self._report(request, app, str(exc), messages.ERROR)
                else:
                    text = _("deemed accepted as of %(on)s.") % {"on": day_text(app.accepted_on)}
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

"""The reference data an administrator edits: calendar years and days (each edit carried to the
open clocks by ``workflow.calendar_days_changed``), policies, organisations, departments, people."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import Count, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from approvals import workflow
from approvals.admin.common import EMPTY
from approvals.models import (
    Application,
    CalendarDay,
    CalendarYear,
    Department,
    Organisation,
    Policy,
    ProcedureRoute,
    User,
)

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

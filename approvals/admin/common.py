"""The admin's shared parts: the site's titles, the formatting helpers, the read-only mixin and
the filters and columns several pages use."""

from __future__ import annotations

import json
from datetime import date, datetime

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from approvals import notifications
from approvals.models import (
    AuditEvent,
    ExtensionState,
    State,
)

admin.site.site_header = _("shixian administration")
admin.site.site_title = _("shixian administration")
admin.site.index_title = _("Data and settings")
# The application and audit lists are wide; the index and the breadcrumbs are navigation enough.
admin.site.enable_nav_sidebar = False

# Audit events record either machine's states (status or extension); their values do not overlap.
STATE_LABELS = {**dict(ExtensionState.choices), **dict(State.choices)}


# Read-only fields print None as "None"; the changelist's empty value reads better everywhere.
EMPTY = admin.site.empty_value_display


def state_label(value: str) -> str:
    return STATE_LABELS.get(value, value) if value else EMPTY


def as_json(value: object) -> str:
    """JSON as an administrator reads it: indented, Chinese left as Chinese."""
    if not value:
        return EMPTY
    return format_html("<pre>{}</pre>", json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True))


def day_text(value: date | None) -> str:
    return date_format(value) if value else EMPTY


def when_text(value: datetime | None, format: str = "DATETIME_FORMAT") -> str:
    return date_format(timezone.localtime(value), format) if value else EMPTY


def short_day(value: date | None) -> str:
    # ISO dates: narrow columns, and how dates are written on the administration's own forms.
    return value.isoformat() if value else EMPTY


def field_label(model: type[Model], field: str) -> str:
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
        return state_label(event.from_state)

    @admin.display(description=_("to"))
    def to_label(self, event: AuditEvent) -> str:
        return state_label(event.to_state)


class DateSetFilter(admin.SimpleListFilter):
    """Rows by whether their ``field`` (a date or time) is set: each of ``options`` is a parameter
    value, its label and whether it means set (True) or empty (False)."""

    field = ""
    options: tuple[tuple[str, str, bool], ...] = ()

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(value, label) for value, label, _set in self.options]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        for value, _label, is_set in self.options:
            if self.value() == value:
                return queryset.filter(**{f"{self.field}__isnull": not is_set})
        return queryset


def date_set_filter(
    title: str, parameter_name: str, field: str, options: tuple[tuple[str, str, bool], ...]
) -> type[DateSetFilter]:
    """A DateSetFilter for ``field``, offered as ``?parameter_name=`` with ``options``."""
    attributes = {"title": title, "parameter_name": parameter_name, "field": field, "options": options}
    return type(f"{parameter_name.capitalize()}Filter", (DateSetFilter,), attributes)

"""The audit trail, notifications and calendar feeds: read-only, except revoking a feed."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from approvals import feeds, notifications, permissions
from approvals.admin.common import (
    EMPTY,
    ActionFilter,
    EventColumns,
    ReadOnlyMixin,
    as_json,
    date_set_filter,
    field_label,
    when_text,
)
from approvals.models import (
    Application,
    AuditEvent,
    CalendarFeed,
    Notification,
)

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

    @admin.display(description=field_label(AuditEvent, "application"), ordering="application__tracking_number")
    def application_link(self, event: AuditEvent) -> str:
        if event.application_id is None:
            return EMPTY
        url = reverse("admin:approvals_application_change", args=[event.application_id])
        return format_html('<a href="{}">{}</a>', url, event.application)

    @admin.display(description=_("data"))
    def data_text(self, event: AuditEvent) -> str:
        return as_json(event.data)

    @admin.display(description=_("hash"))
    def chain_hash(self, event: AuditEvent) -> str:
        return event.hash

    @admin.display(description=_("previous event's hash"))
    def previous_hash(self, event: AuditEvent) -> str:
        return event.prev_hash

    @admin.display(description=_("notifications sent at"))
    def notified(self, event: AuditEvent) -> str:
        return when_text(event.notified_at)


class NotificationKindFilter(ActionFilter):
    """The kinds notifications have been sent of (one query), not every audited action: a
    calendar upload's steps, say, tell nobody."""

    parameter_name = field = "kind"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        sent = set(Notification.objects.order_by().values_list("kind", flat=True).distinct())
        return [(kind, label) for kind, label in super().lookups(request, model_admin) if kind in sent]


ReadFilter = date_set_filter(_("read"), "read", "read_at", (("yes", _("Read"), True), ("no", _("Unread"), False)))


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
        return when_text(note.created_at)

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
        return when_text(note.read_at)


FeedActiveFilter = date_set_filter(
    _("active"), "active", "revoked_at", (("yes", _("Active"), False), ("no", _("Revoked"), True))
)


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
        return when_text(feed.created_at)

    @admin.display(description=_("last fetched"), ordering="last_used_at")
    def last_fetched(self, feed: CalendarFeed) -> str:
        return when_text(feed.last_used_at)

    @admin.display(description=_("revoked"), ordering="revoked_at")
    def revoked(self, feed: CalendarFeed) -> str:
        return when_text(feed.revoked_at)

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

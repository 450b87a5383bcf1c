"""What every page's frame needs: the navigation for the user's role, the unread count and
whether easy reading is on (approvals.elder)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from approvals import elder, permissions
from approvals.roles import Role

# (label, URL name, roles that see it); None: everyone, signed in or not.
NAV = [
    (_("My applications"), "approvals:portal", {Role.ENTERPRISE}),
    (_("New application"), "approvals:new-application", {Role.ENTERPRISE}),
    (_("Filings to check"), "approvals:provider", {Role.PROVIDER}),
    (_("Worklist"), "approvals:worklist", {Role.OFFICER, Role.MANAGER}),
    (_("Dashboard"), "approvals:dashboard", {Role.MANAGER, Role.ADMIN}),
    (_("Reports"), "approvals:reports", {Role.MANAGER, Role.ADMIN}),
    (_("Appointments"), "approvals:appointments", {Role.ENTERPRISE, Role.OFFICER, Role.MANAGER}),
    (_("Calendar feed"), "approvals:feeds", {Role.OFFICER, Role.MANAGER}),
    (_("Holiday calendar"), "approvals:calendar", {Role.ADMIN}),
    (_("Administration"), "admin:index", {Role.ADMIN}),
    (_("Track an application"), "approvals:track", None),
    (_("On-time publication"), "approvals:published", None),
]


def frame(request: HttpRequest) -> dict:
    role = permissions.role_of(getattr(request, "user", None))
    items = []
    for label, name, roles in NAV:
        if roles is not None and role not in roles:
            continue
        if name == "admin:index" and not request.user.is_staff:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # a screen this installation does not have
        items.append({"label": label, "url": url, "current": False})
    # The current item is the longest address the page's path starts with (/portal/new/ is
    # "New application", not also "My applications").
    matching = [item for item in items if request.path.startswith(item["url"]) and item["url"] != "/"]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["current"] = True
    unread = 0
    if role is not None:
        unread = request.user.notifications.filter(read_at__isnull=True).count()
    return {"nav": items, "unread": unread, "elder": elder.is_on(request)}

"""A user's in-app notifications, newest first."""

from __future__ import annotations

from django.db.models import QuerySet

from approvals.models import User


def notifications_of(user: User, *, unread: bool = False) -> QuerySet:
    """``user``'s notifications, newest first, each with its application; the unread ones only
    if ``unread``. The notifications page and the API's list read it."""
    rows = user.notifications.select_related("application")
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-pk")

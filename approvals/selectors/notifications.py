"""A user's in-app notifications, newest first."""

from __future__ import annotations

from django.db.models import QuerySet

from approvals.models import User


def notifications_of(user: User) -> QuerySet:
    """``user``'s notifications, newest first, each with its application."""
    return user.notifications.select_related("application").order_by("-created_at", "-pk")

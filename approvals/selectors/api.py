"""The API's lists: the applications a caller may see (filtered as ``/api/applications/`` is),
their notifications, the SLA alerts. Plain values in (a user, parsed filters), a queryset out,
newest first; approvals.api.views parses the query and answers its errors. Each list reads what
its serializer shows in a constant number of queries (tests/test_api_errors.py counts them)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.db.models import Q, QuerySet

from approvals.models import Alert, Application, User

#: What an application's detail reads (approvals.api.serializers.ApplicationDetailSerializer).
RELATED = ("organisation", "officer", "department", "policy", "provider")
PREFETCHED = ("materials", "special_procedures")
#: What a list row reads: only these are joined (five joins took PostgreSQL longer to plan than
#: the page took to run).
LIST_RELATED = ("organisation", "officer")


def visible_applications(user: User) -> QuerySet:
    """The applications ``user`` may see, each with what its detail reads."""
    return Application.objects.visible_to(user).select_related(*RELATED).prefetch_related(*PREFETCHED)


def application(pk: int) -> Application:
    """One application with what its detail reads, whoever may see it now: the answer after a
    change, which may have taken it out of its actor's sight (a filing the provider returned)."""
    return Application.objects.select_related(*RELATED).prefetch_related(*PREFETCHED).get(pk=pk)


def applications(
    user: User,
    *,
    procedure: str = "",
    states: Collection[str] = (),
    text: str = "",
    level: str = "",
    today: date | None = None,
) -> QuerySet:
    """The applications ``user`` may see, newest first: of ``procedure`` if given, in one of
    ``states`` if any, with ``text`` in the tracking number or the subject if given, whose alert
    level on ``today`` is ``level`` if given (the rule of ``Application.level_on``, in SQL)."""
    rows = Application.objects.visible_to(user).select_related(*LIST_RELATED)
    if level:
        if today is None:
            raise ValueError("A level filter needs the day it is read on.")
        rows = rows.with_level(today).filter(alert_level=level)
    if procedure:
        rows = rows.filter(procedure=procedure)
    if states:
        rows = rows.filter(state__in=states)
    if text:
        rows = rows.filter(Q(tracking_number__icontains=text) | Q(subject__icontains=text))
    return rows.order_by("-created_at", "-pk")


def alerts(user: User, *, level: str = "", active: bool = False) -> QuerySet:
    """The SLA alerts of the applications ``user`` may see, newest first: of ``level`` if given,
    not yet cleared if ``active``. (Who may read them at all is the view's to say.)"""
    rows = Alert.objects.filter(application__in=Application.objects.visible_to(user)).select_related("application")
    if level:
        rows = rows.filter(level=level)
    if active:
        rows = rows.filter(cleared_on__isnull=True)
    return rows.order_by("-raised_at", "-pk")

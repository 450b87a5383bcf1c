"""The notifications page: the reader's notifications grouped by case, each group with its case's
number and subject, its unread count and what the case waits for next, as the reader's own list
says it (the portal's "waiting for" to an applicant, the worklist's to the administration's staff,
the provider queue's to an access provider checking it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from approvals import workflow
from approvals.addresses import per_pk
from approvals.clocks import Standing, standing
from approvals.holidays import work_calendar
from approvals.models import Application, Notification, User
from approvals.notifications import text as notification_text
from approvals.selectors.notifications import notifications_of
from approvals.selectors.portal import ROW_FLAGS
from approvals.views.common import visible
from approvals.waiting import next_step

PAGE_SIZE = 30


@dataclass
class Group:
    """One case's notifications on the page (``app`` None: those about no case, or about a case
    the reader may no longer see)."""

    app: Application | None
    url: str = ""
    unread: int = 0
    step: str = ""
    standing: Standing | None = None
    items: list[Notification] = field(default_factory=list)


def grouped(user: User, page) -> list[Group]:
    """The notifications of ``page`` (newest first) in groups by case, the group of the newest
    first; each case once, with the reader's unread count for it (all of it, not only this
    page's). Two queries whatever the number of notifications and cases."""
    items = list(page)
    ids = {n.application_id for n in items if n.application_id}
    apps = {}
    if ids:
        apps = {app.pk: app for app in visible(user).filter(pk__in=ids).annotate(**ROW_FLAGS)}
    unread = dict(
        user.notifications.filter(read_at__isnull=True)
        .values_list("application")
        .annotate(n=Count("pk"))
        .values_list("application", "n")
    )
    today, calendar, url = workflow.today(), work_calendar(), per_pk("approvals:application")
    groups: dict[int | None, Group] = {}
    for item in items:
        item.text = notification_text(item)
        app = apps.get(item.application_id)  # None: no case, or one the reader may not see now
        key = app.pk if app else None
        if key not in groups:
            group = groups[key] = Group(app)
            if app is not None:
                group.url, group.standing = url(app.pk), standing(app, today, calendar)
                group.unread, group.step = unread.get(app.pk, 0), next_step(app, user)
        groups[key].items.append(item)
    loose = groups.get(None)
    if loose is not None:
        loose.unread = sum(1 for n in loose.items if n.read_at is None)
    return list(groups.values())


@login_required
def notifications_page(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "approvals/notifications.html", {"page": page, "groups": grouped(request.user, page)})


urlpatterns = [path("notifications/", notifications_page, name="notifications")]

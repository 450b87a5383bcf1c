"""The access provider's queue: the website filings sent to its organisation, those awaiting
its check first."""

from __future__ import annotations

from datetime import date

from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When

from approvals.calendar import WorkCalendar
from approvals.models import Application, State, User
from approvals.procedures import filing_domains
from approvals.selectors.common import Listing, search

PAGE_SIZE = 30

#: The filings each status filter keeps.
STATUSES = {
    "waiting": Q(state=State.PROVIDER_REVIEW),
    "forwarded": Q(arrived_on__isnull=False),
    "withdrawn": Q(state=State.WITHDRAWN),
}

WAITING_FIRST = Case(When(state=State.PROVIDER_REVIEW, then=Value(0)), default=Value(1), output_field=IntegerField())


def queue(
    user: User, *, status: str = "", text: str = "", page: str | int | None, today: date, calendar: WorkCalendar
) -> Listing:
    """The summary of the filings ``user``'s access provider was sent, and page ``page`` of those
    of ``status`` (a key of STATUSES) whose tracking number, subject or applicant holds ``text``
    (empty values narrow nothing): those awaiting its check on top, then the rest, newest first.
    Each row has its ``website``, its ``domains`` and, awaiting the check, the working days it
    has waited (``days_waiting``). A constant number of queries."""
    mine = Application.objects.visible_to(user)
    summary = mine.aggregate(
        total=Count("pk"),
        waiting=Count("pk", filter=STATUSES["waiting"]),
        forwarded=Count("pk", filter=STATUSES["forwarded"]),
    )
    rows = mine.select_related("organisation").filter(STATUSES.get(status, Q()))
    if text:
        rows = rows.filter(search(text, "tracking_number", "subject", "organisation__name"))
    rows = rows.annotate(waiting=WAITING_FIRST).order_by("waiting", "-last_action_on", "-pk")
    found = Paginator(rows, PAGE_SIZE).get_page(page)
    apps = list(found.object_list)
    for app in apps:
        app.domains = filing_domains(app.details)
        app.website = (app.details or {}).get("website", "")
        app.days_waiting = None
        if app.state == State.PROVIDER_REVIEW and app.last_action_on:
            app.days_waiting = calendar.working_days_between(app.last_action_on, today).days
    return Listing(summary=summary, page=found, rows=apps)

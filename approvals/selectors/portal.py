"""The enterprise portal: an organisation's applications, what needs the applicant first, with
a summary of where they stand; and the policies a new application would be counted under."""

from __future__ import annotations

from datetime import date

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q

from approvals.calendar import WorkCalendar
from approvals.clocks import annotate_standing
from approvals.models import (
    CLOSED_STATES,
    CORRECTIONS_FIRST,
    OPEN_STATES,
    Application,
    Material,
    Policy,
    Procedure,
    State,
    User,
)
from approvals.selectors.common import Listing, search

PAGE_SIZE = 30

#: Submitted and not closed: open, or with the access provider.
IN_PROGRESS = sorted(OPEN_STATES | {State.PROVIDER_REVIEW})

#: The cases each status filter keeps; "due_soon" is the running clock in its yellow days
#: (``alert_level``, LEVEL_RULE through ``with_level``).
STATUSES = {
    "open": Q(state__in=IN_PROGRESS),
    "correction": Q(state=State.CORRECTION),
    "due_soon": Q(alert_level="yellow"),
    "drafts": Q(state=State.DRAFT),
    "closed": Q(state__in=sorted(CLOSED_STATES)),
}


def portal(
    user: User,
    *,
    procedure: str = "",
    status: str = "",
    text: str = "",
    page: str | int | None,
    today: date,
    calendar: WorkCalendar,
) -> Listing:
    """The summary of the applications ``user`` may see (their organisation's) and page ``page``
    of those of ``procedure`` and ``status`` (a key of STATUSES) whose tracking number or subject
    holds ``text``; empty values narrow nothing. Each row has its ``standing`` and
    ``has_materials``. A constant number of queries, whatever their number: one for the summary
    and the count of the rows that match, one for the page."""
    mine = Application.objects.visible_to(user).with_level(today)
    matching = Q()
    if procedure:
        matching &= Q(procedure=procedure)
    if status:
        matching &= STATUSES.get(status, Q())
    if text:
        matching &= search(text, "tracking_number", "subject")
    summary = mine.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=STATUSES["open"]),
        correction=Count("pk", filter=STATUSES["correction"]),
        due_soon=Count("pk", filter=STATUSES["due_soon"]),
        drafts=Count("pk", filter=STATUSES["drafts"]),
        matching=Count("pk", filter=matching) if matching else Count("pk"),
    )
    # What needs the user comes first: corrections to send, then everything else, newest first
    # (the order of the index application_org_portal).
    rows = (
        mine.filter(matching)
        .select_related("provider")
        .annotate(yours=CORRECTIONS_FIRST, has_materials=Exists(Material.objects.filter(application=OuterRef("pk"))))
        .order_by("yours", "-created_at", "-pk")
    )
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = summary["matching"]  # counted with the summary: spare a COUNT query
    found = paginator.get_page(page)
    return Listing(summary=summary, page=found, rows=annotate_standing(found.object_list, today, calendar))


def policies(today: date) -> dict[str, Policy | None]:
    """Each procedure's policy in force ``today`` (None where there is none)."""
    found = {}
    for procedure in Procedure.values:
        try:
            found[procedure] = Policy.objects.in_force(procedure, today)
        except Policy.DoesNotExist:
            found[procedure] = None
    return found

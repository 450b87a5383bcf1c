"""The enterprise portal: an organisation's applications, what needs the applicant first, with
a summary of where they stand; and the policies a new application would be counted under."""

from __future__ import annotations

from datetime import date

from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, Count, Exists, F, IntegerField, OuterRef, Q, Value, When

from approvals.calendar import WorkCalendar
from approvals.clocks import annotate_standing
from approvals.models import (
    CLOSED_STATES,
    OPEN_STATES,
    RATEABLE,
    RUNNING_DUE,
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

#: Waiting for the applicant: corrections requested, a draft the access provider returned (it
#: has a tracking number) to fix, an ended case the administration had that is not rated yet
#: (``RATEABLE``).
YOURS = (
    Q(state=State.CORRECTION)
    | (Q(state=State.DRAFT) & Q(tracking_number__isnull=False) & ~Q(tracking_number=""))
    | (RATEABLE & Q(rating__isnull=True))
)

#: The cases each status filter keeps; "due_soon" and "overdue" are the running clock's yellow,
#: and red or severe, days (``alert_level``, LEVEL_RULE through ``with_level``).
STATUSES = {
    "yours": YOURS,
    "open": Q(state__in=IN_PROGRESS),
    "overdue": Q(alert_level__in=("red", "severe")),
    "correction": Q(state=State.CORRECTION),
    "due_soon": Q(alert_level="yellow"),
    "paused": Q(state=State.PAUSED),
    "drafts": Q(state=State.DRAFT),
    "closed": Q(state__in=sorted(CLOSED_STATES)),
}

#: The default order's first rank: overdue or waiting for the applicant (0), the rest (1).
NEEDS_ATTENTION = Case(When(STATUSES["overdue"] | YOURS, then=Value(0)), default=Value(1), output_field=IntegerField())

#: What a case's "waiting for" line reads of its row (views.enterprise.waiting_for): whether it
#: waits for the applicant, and whether it has materials. The portal's rows and the
#: notifications page's cases are annotated with them.
ROW_FLAGS = {
    "yours": Case(When(YOURS, then=Value(True)), default=Value(False), output_field=BooleanField()),
    "has_materials": Exists(Material.objects.filter(application=OuterRef("pk"))),
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
        **{name: Count("pk", filter=q) for name, q in STATUSES.items()},
        matching=Count("pk", filter=matching) if matching else Count("pk"),
    )
    # What needs the user comes first: overdue cases and those waiting for the applicant
    # (corrections to send, a returned draft to fix, a case to rate), then the rest; within each,
    # the running clock's due date (the earliest has the fewest working days left), then newest.
    rows = (
        mine.filter(matching)
        .select_related("provider")
        .alias(running_due=RUNNING_DUE)
        .annotate(attention=NEEDS_ATTENTION, **ROW_FLAGS)
        .order_by("attention", F("running_due").asc(nulls_last=True), "-created_at", "-pk")
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

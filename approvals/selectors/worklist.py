"""The case officer's worklist: every open case a user may work on, most urgent first.

The urgency order is computed by the database from the precomputed clock columns
(``Application.clock`` and the ``*_due``/``yellow_on``/``days_left_when_paused`` columns the
workflow keeps current), so that a page of 50 is the right 50 and a page runs the same few
queries however many cases there are (``ApplicationQuerySet.by_urgency``, the SQL twin of
``Application.level_on``); the working days left on the rows shown are counted in Python
(``clocks.annotate_standing``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, QuerySet

from approvals.calendar import WorkCalendar
from approvals.clocks import COLUMNS as CLOCK_COLUMNS
from approvals.clocks import annotate_standing
from approvals.models import URGENCY_ORDER, Application, ClockKind, SpecialProcedure, User
from approvals.roles import Role
from approvals.selectors.common import search

PAGE_SIZE = 50

#: The levels a worklist counts and filters by, most urgent first.
LEVELS = URGENCY_ORDER

#: What a worklist row reads (the table, ``clocks.standing``): 50 rows of these, not of every
#: column of the application, its organisation and its officer.
ROW_FIELDS = (
    "tracking_number",
    "subject",
    "procedure",
    "state",
    *CLOCK_COLUMNS,
    "officer_id",
    "extension_state",
    "extension_requested_days",
    "extension_days",
    "correction_notices",
    "deemed_accepted",
    "organisation__name",
    "officer__name",
    "officer__username",
)


@dataclass(frozen=True)
class Filters:
    """What a worklist is narrowed to; an empty value narrows nothing."""

    officer: str = ""  # an officer's id, or "none" for the cases nobody is assigned
    procedure: str = ""
    state: str = ""
    search: str = ""  # in the tracking number or the applicant's name
    level: str = ""  # one of LEVELS


@dataclass
class Worklist:
    counts: dict[str, int]  # the cases by level, with every filter but the level itself
    page: Page  # of Applications with their ``standing`` and ``urgency``


def officers(user: User, role: str) -> list[User]:
    """The officers whose cases ``user`` sees on a department's worklist (an administrator's:
    every department's), by name."""
    found = User.objects.filter(role=Role.OFFICER)
    if role != Role.ADMIN:
        found = found.filter(department_id=user.department_id)
    return list(found.order_by("name", "username"))


def worklist(
    user: User,
    filters: Filters,
    *,
    mine: bool,
    page: str | int | None,
    today: date,
    calendar: WorkCalendar,
) -> Worklist:
    """The counts and page number ``page`` of the open cases ``user`` may see (the department's,
    everything for an administrator; ``mine``: only those assigned to them), most urgent first,
    in a constant number of queries."""
    cases = Application.objects.visible_to(user).open()
    if mine:
        cases = cases.filter(officer=user)
    cases = _narrowed(cases, filters).by_urgency(today)
    # The counts per level, one aggregate query, with every filter but the level itself.
    counts = dict.fromkeys(LEVELS, 0)
    for rank, n in cases.order_by().values_list("urgency_rank").annotate(n=Count("pk")):
        counts[LEVELS[rank]] = n
    if filters.level:
        cases = cases.filter(urgency_rank=LEVELS.index(filters.level))

    # The page in two steps: the ids of the page, in order, from the ordering columns alone (an
    # officer's own cases: from the index application_officer_open, without reading a row), then
    # those 50 applications with what the table shows.
    paginator = Paginator(cases.values_list("pk", flat=True), PAGE_SIZE)
    # Known: spare a COUNT query.
    paginator.count = counts[filters.level] if filters.level else sum(counts.values())
    found = paginator.get_page(page)
    ids = list(found.object_list)
    rows = (
        Application.objects.filter(pk__in=ids)
        .select_related("organisation", "officer")
        .only(*ROW_FIELDS)
        .prefetch_related(
            Prefetch(
                "special_procedures",
                queryset=SpecialProcedure.objects.filter(ended_on__isnull=True),
                to_attr="running_pauses",
            )
        )
        .in_bulk()
    )
    found.object_list = annotate_standing([rows[pk] for pk in ids if pk in rows], today, calendar)
    for app in found.object_list:
        # The row's level, as by_urgency() put it in SQL (Application.level_on is the same rule).
        level = app.standing.level
        app.urgency = "paused" if level == "none" and app.clock == ClockKind.PAUSED else level
    return Worklist(counts=counts, page=found)


def _narrowed(cases: QuerySet, filters: Filters) -> QuerySet:
    if filters.officer == "none":
        cases = cases.filter(officer__isnull=True)
    elif filters.officer:
        cases = cases.filter(officer_id=int(filters.officer))
    if filters.procedure:
        cases = cases.filter(procedure=filters.procedure)
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.search:
        cases = cases.filter(search(filters.search, "tracking_number", "organisation__name"))
    return cases

"""The manager's dashboard: open cases by alert level and by officer, the extension requests to
decide, the bad ratings to follow up, and the lists of one level's or one officer's cases.

Each runs a fixed number of queries whatever the number of applications: levels are computed in
SQL from the stored clock columns (``with_level``, ``by_urgency``: the rule of
``Application.level_on``), a clock's figures by ``approvals.clocks``. The on-time figures are
``approvals.reports``'.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Count, Q, QuerySet

from approvals.calendar import WorkCalendar
from approvals.clocks import standing
from approvals.models import RATING_BAD_AT_MOST, RUNNING_DUE, Application, ExtensionState, Rating, Role, State, User
from approvals.selectors.scope import Scope

#: The levels a manager watches, worst last; the dashboard's figures link to a list of each.
LEVELS = ("yellow", "red", "severe")


def loads(scope: Scope, today: date) -> tuple[dict[str, int], dict[int | None, dict]]:
    """The open cases by alert level, and each officer's load (None: the cases nobody is
    assigned): how many are open, due soon (yellow) and overdue (red or severe). One grouped
    query: the levels' totals and each load are sums of its rows."""
    by_level: dict[str, int] = {}
    found: dict[int | None, dict] = {}
    rows = (
        scope.applications()
        .open()
        .with_level(today)
        .order_by()
        .values_list("officer_id", "alert_level")
        .annotate(n=Count("pk"))
    )
    for officer_id, level, n in rows:
        by_level[level] = by_level.get(level, 0) + n
        load = found.setdefault(officer_id, {"officer_id": officer_id, "open": 0, "soon": 0, "overdue": 0})
        load["open"] += n
        if level == "yellow":
            load["soon"] += n
        elif level in ("red", "severe"):
            load["overdue"] += n
    return by_level, found


def per_officer(scope: Scope, loads: dict[int | None, dict]) -> list[dict]:
    """Each active officer of the department (and anyone else holding open cases) with their
    open, due-soon and overdue counts, the most overdue first."""
    holders = [k for k in loads if k]
    officers = User.objects.filter(Q(role=Role.OFFICER, is_active=True) | Q(pk__in=holders))
    if scope.department is not None:
        officers = officers.filter(Q(department_id=scope.department.pk) | Q(pk__in=holders))
    empty = {"open": 0, "soon": 0, "overdue": 0}
    rows = [{"officer": o, **empty, **loads.get(o.pk, {})} for o in officers.select_related("department")]
    rows.sort(key=lambda r: (-r["overdue"], -r["open"], str(r["officer"])))
    return rows


def extension_requests(scope: Scope, today: date, calendar: WorkCalendar) -> list[Application]:
    """The extensions asked for and not yet decided, the earliest due first, each with its
    ``standing`` and ``extended_due`` (the due date if the request is approved)."""
    requests = list(
        scope.applications()
        .filter(extension_state=ExtensionState.REQUESTED, state__in=[State.UNDER_REVIEW, State.PAUSED])
        .select_related("organisation", "officer", "policy")
        .order_by("due_date", "pk")
    )
    for app in requests:
        app.standing = standing(app, today, calendar)
        app.extended_due = (
            calendar.add_working_days(app.due_date, app.extension_requested_days).date if app.due_date else None
        )
    return requests


def bad_ratings(scope: Scope, today: date, calendar: WorkCalendar) -> list[Rating]:
    """The bad ratings not followed up yet, the earliest follow-up due first, each with whether
    it is ``late`` and the working days left to follow it up (``days_left``)."""
    ratings = list(
        scope.ratings()
        .filter(level__lte=RATING_BAD_AT_MOST, followed_up_on__isnull=True)
        .select_related("application", "application__organisation", "application__officer")
        .order_by("follow_up_due", "pk")
    )
    for rating in ratings:
        rating.late = rating.follow_up_due is not None and rating.follow_up_due < today
        rating.days_left = (
            calendar.working_days_between(today, rating.follow_up_due).days if rating.follow_up_due else None
        )
    return ratings


def level_cases(scope: Scope, level: str, today: date) -> QuerySet:
    """The open cases at ``level`` (one of LEVELS), the earliest due first (past the statutory
    limit: the earliest statutory date)."""
    return (
        scope.applications()
        .open()
        .with_level(today)
        .filter(alert_level=level)
        .select_related("organisation", "officer")
        .order_by("statutory_due" if level == "severe" else RUNNING_DUE, "pk")
    )


def officers(scope: Scope) -> QuerySet:
    """The officers whose cases the scope's dashboard lists."""
    found = User.objects.filter(role=Role.OFFICER).select_related("department")
    return found if scope.is_admin else found.filter(department_id=scope.department.pk)


def officer_cases(scope: Scope, officer: User, today: date) -> QuerySet:
    """An officer's open cases, most urgent first."""
    cases = scope.applications().open().filter(officer=officer)
    return cases.by_urgency(today).select_related("organisation", "officer")


def with_overdue(apps: Iterable[Application], today: date, calendar: WorkCalendar) -> list[Application]:
    """``apps`` with their ``standing``, and for an overdue case the working days it is overdue
    by (``overdue_days``; past the statutory limit, ``statutory_overdue_days`` since the
    statutory date too)."""
    apps = list(apps)
    for app in apps:
        app.standing = standing(app, today, calendar)
        days = app.standing.days_left
        # Past its due date a case is overdue by 0 working days on the weekend that follows.
        app.overdue_days = max(0, -days) if app.standing.overdue and days is not None else None
        app.statutory_overdue_days = None
        if app.standing.level == "severe" and app.standing.statutory_due:
            app.statutory_overdue_days = max(0, -calendar.working_days_between(today, app.standing.statutory_due).days)
    return apps

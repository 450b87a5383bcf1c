"""The manager's dashboard: open cases by alert level, extension requests to decide, bad ratings
to follow up, the cases of each officer (the way in to reassigning one), and the on-time figures
by procedure, officer and month.

A manager sees their department; an administrator sees every department, or the one chosen with
``?department=`` (``approvals.reports.scope_for``). Every page runs a fixed number of queries,
whatever the number of applications: levels are computed in SQL from the stored clock columns (the
same rule as ``Application.level_on``); the on-time figures come from ``approvals.reports``.
"""

from __future__ import annotations

import uuid
from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals import actions, kept, permissions, workflow
from approvals.calendar import WorkCalendar
from approvals.clocks import standing
from approvals.holidays import work_calendar
from approvals.models import (
    RATING_BAD_AT_MOST,
    RUNNING_DUE,
    Application,
    ExtensionState,
    Role,
    State,
    User,
)
from approvals.reports import Scope, figures, month_end, months_back, scope_for

#: The levels a manager watches, worst last; the dashboard's figures link to a list of each.
LEVELS = ("yellow", "red", "severe")
LEVEL_TITLES = {
    "yellow": gettext_lazy("due soon"),
    "red": gettext_lazy("overdue"),
    "severe": gettext_lazy("past the statutory limit"),
}
PER_PAGE = 50
PERIOD_MONTHS = 12  # the figures' default period: this month and the eleven before it
MONTH_CHOICES = 24  # how many months back the period filter offers


# -- who sees what ----------------------------------------------------------------------------------


def _scope(request: HttpRequest) -> Scope:
    """Managers get their department; administrators every department or the one they chose.
    Everyone else is refused (403: the dashboard is not theirs, whatever the data)."""
    return scope_for(request.user, request.GET.get("department", ""))


def _rows(apps, today: date, calendar: WorkCalendar) -> list[Application]:
    """Attach ``standing``, and for an overdue case the working days it is overdue by (and, past
    the statutory limit, by how many since the statutory date)."""
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


# -- the performance figures (approvals.reports computes them) ------------------------------------


class PeriodForm(forms.Form):
    month = forms.ChoiceField(label=gettext_lazy("Period"), required=False)

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        months = [months_back(today, n) for n in range(MONTH_CHOICES)]
        self.fields["month"].choices = [
            ("", _("The last %(n)s months") % {"n": PERIOD_MONTHS}),
            *((m.strftime("%Y-%m"), m.strftime("%Y-%m")) for m in months),
        ]


# -- the counts, kept until anything audited happens -----------------------------------------------


def _snapshot(scope: Scope, today: date, calendar: WorkCalendar, month: str) -> dict:
    """The dashboard's counts: open cases by alert level and by officer, and the on-time figures
    of ``month`` ("YYYY-MM"; empty for the last twelve months), counted once per state of the
    data (``approvals.kept``). Over a million applications counting takes about half a second;
    a view that finds them kept takes a few milliseconds."""
    department = scope.department.pk if scope.department else "all"
    key = kept.key("dashboard", department, month, calendar=calendar, today=today)
    return kept.through(key, lambda: _count(scope, today, calendar, month, key))


def _count(scope: Scope, today: date, calendar: WorkCalendar, month: str, key: str | None) -> dict:
    """The counts ``_snapshot`` keeps under ``key``."""
    # Open cases by officer and level in one grouped query: the levels' totals and each
    # officer's load are sums of its rows.
    by_level: dict[str, int] = {}
    loads: dict[int | None, dict] = {}
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
        load = loads.setdefault(officer_id, {"officer_id": officer_id, "open": 0, "soon": 0, "overdue": 0})
        load["open"] += n
        if level == "yellow":
            load["soon"] += n
        elif level in ("red", "severe"):
            load["overdue"] += n

    if month:
        start = date.fromisoformat(f"{month}-01")
        end = month_end(start)
    else:
        start, end = months_back(today, PERIOD_MONTHS - 1), today
    return {
        "key": key or f"dashboard:{uuid.uuid4()}",  # for the template's fragments: unkept, unique
        "by_level": by_level,
        "loads": loads,
        "figures": figures(scope, start, end, calendar, today=today),
    }


# -- the pages ---------------------------------------------------------------------------------------


def _extension_forms(app: Application, user: User) -> list[dict]:
    """The approve and reject forms of the application page, posting to its action endpoint."""
    if not permissions.can_decide_extension(app, user):
        return []
    out = []
    # The workflow's own rule decides which (an overdue case's request can only be rejected).
    allowed = workflow.available_actions(app, user)
    for name in ("approve_extension", "reject_extension"):
        if name not in allowed:
            continue
        form = actions.make_form(name, app)
        form.auto_id = f"id_{app.pk}_%s"  # one pair of forms per request on the page: unique ids
        out.append(
            {
                "name": name,
                "label": workflow.ACTION_LABELS[name],
                "form": form,
                "style": "danger" if name == "reject_extension" else "",
            }
        )
    return out


def _per_officer(scope: Scope, loads: dict) -> list[dict]:
    """Each active officer of the department (and anyone else holding open cases) with their
    open, due-soon and overdue counts, the most overdue first."""
    officers = User.objects.filter(Q(role=Role.OFFICER, is_active=True) | Q(pk__in=[k for k in loads if k]))
    if scope.department is not None:
        officers = officers.filter(Q(department_id=scope.department.pk) | Q(pk__in=[k for k in loads if k]))
    empty = {"open": 0, "soon": 0, "overdue": 0}
    per_officer = []
    for officer in officers.select_related("department"):
        per_officer.append({"officer": officer, **empty, **loads.get(officer.pk, {})})
    per_officer.sort(key=lambda r: (-r["overdue"], -r["open"], str(r["officer"])))
    return per_officer


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    today = workflow.today()
    calendar = work_calendar()
    period = PeriodForm(request.GET or None, today=today)
    month = period.cleaned_data["month"] if period.is_valid() else ""
    snapshot = _snapshot(scope, today, calendar, month)
    by_level, loads = snapshot["by_level"], snapshot["loads"]
    levels = [{"level": level, "title": LEVEL_TITLES[level], "n": by_level.get(level, 0)} for level in LEVELS]

    extensions = list(
        scope.applications()
        .filter(extension_state=ExtensionState.REQUESTED, state__in=[State.UNDER_REVIEW, State.PAUSED])
        .select_related("organisation", "officer", "policy")
        .order_by("due_date", "pk")
    )
    for app in extensions:
        app.standing = standing(app, today, calendar)
        app.extended_due = (
            calendar.add_working_days(app.due_date, app.extension_requested_days).date if app.due_date else None
        )
        app.decision_forms = _extension_forms(app, request.user)

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

    unassigned = loads.get(None)

    context = {
        "scope": scope,
        "today": today,
        "levels": levels,
        "open_total": sum(by_level.values()),
        "extensions": extensions,
        "ratings": ratings,
        # Read only when the table is not in the fragment cache.
        "per_officer": SimpleLazyObject(lambda: _per_officer(scope, loads)),
        "snapshot_key": snapshot["key"],
        "snapshot_seconds": kept.SECONDS,
        "unassigned": unassigned,
        "period": period,
        "month": month,
        "figures": snapshot["figures"],
    }
    return render(request, "approvals/manager/dashboard.html", context)


@login_required
def level_cases(request: HttpRequest, level: str) -> HttpResponse:
    scope = _scope(request)
    if level not in LEVELS:
        raise Http404
    today = workflow.today()
    cases = (
        scope.applications()
        .open()
        .with_level(today)
        .filter(alert_level=level)
        .select_related("organisation", "officer")
        .order_by("statutory_due" if level == "severe" else RUNNING_DUE, "pk")
    )
    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "scope": scope,
        "level": level,
        "title": LEVEL_TITLES[level],
        "overdue_column": level != "yellow",
        "page": page,
        "cases": _rows(page, today, work_calendar()),
        "query": scope.query,
    }
    return render(request, "approvals/manager/cases.html", context)


@login_required
def officer_cases(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    officers = User.objects.filter(role=Role.OFFICER).select_related("department")
    if not scope.is_admin:
        officers = officers.filter(department_id=scope.department.pk)
    officer = get_object_or_404(officers, pk=pk)
    today = workflow.today()
    cases = (
        scope.applications().open().filter(officer=officer).by_urgency(today).select_related("organisation", "officer")
    )
    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "scope": scope,
        "officer": officer,
        "page": page,
        "cases": _rows(page, today, work_calendar()),
        "query": scope.query,
    }
    return render(request, "approvals/manager/officer.html", context)


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/cases/<slug:level>/", level_cases, name="dashboard-cases"),
    path("dashboard/officers/<int:pk>/", officer_cases, name="dashboard-officer"),
]

"""The manager's dashboard: open cases by alert level, extension requests to decide, bad ratings
to follow up, the cases of each officer (the way in to reassigning one), and the on-time figures
by procedure, officer and month.

A manager sees their department; an administrator sees every department, or the one chosen with
``?department=`` (``approvals.selectors.scope``). The lists and counts are
``approvals.selectors.dashboard``'s, in a fixed number of queries whatever the number of
applications; the on-time figures come from ``approvals.reports``. This module reads the
request, keeps the counts (``approvals.kept``) and lays the pages out."""

from __future__ import annotations

import uuid
from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals import actions, kept, permissions, workflow
from approvals.calendar import WorkCalendar
from approvals.holidays import work_calendar
from approvals.models import Application, User
from approvals.reports import Figures, figures, month_end, months_back
from approvals.selectors import dashboard as selector
from approvals.selectors.dashboard import LEVELS
from approvals.selectors.scope import Scope
from approvals.views.common import report_scope

LEVEL_TITLES = {
    "yellow": gettext_lazy("due soon"),
    "red": gettext_lazy("overdue"),
    "severe": gettext_lazy("past the statutory limit"),
}
PER_PAGE = 50
PERIOD_MONTHS = 12  # the figures' default period: this month and the eleven before it
MONTH_CHOICES = 24  # how many months back the period filter offers


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
    of ``month`` ("YYYY-MM"; empty for the last twelve months), each counted once per state of
    the data it shows (``approvals.kept``): the counts until an action on a case of the
    department, the figures until one of its cases is decided (or a decided one reassigned).
    Over a million applications counting takes about 30 ms; a view that finds them kept takes
    a few milliseconds."""
    department = scope.department.pk if scope.department else "all"
    counts_key = kept.key(
        "dashboard",
        department,
        scope=kept.department_scope(scope.department.pk) if scope.department else None,
        calendar=calendar,
        today=today,
    )
    figures_key = kept.key(
        "dashboard-figures",
        department,
        month,
        scope=kept.figures_scope(scope.department.pk if scope.department else None, every=not scope.department),
        calendar=calendar,
        today=today,
    )
    counts = kept.through(counts_key, lambda: _count(scope, today, counts_key))
    return {
        **counts,
        "figures_key": figures_key or f"figures:{uuid.uuid4()}",  # for the template's fragment
        "figures": kept.through(figures_key, lambda: _figures(scope, today, calendar, month)),
    }


def _count(scope: Scope, today: date, key: str | None) -> dict:
    """The counts ``_snapshot`` keeps under ``key``."""
    by_level, loads = selector.loads(scope, today)
    return {
        "key": key or f"dashboard:{uuid.uuid4()}",  # for the template's fragments: unkept, unique
        "by_level": by_level,
        "loads": loads,
    }


def _figures(scope: Scope, today: date, calendar: WorkCalendar, month: str) -> Figures:
    if month:
        start = date.fromisoformat(f"{month}-01")
        end = month_end(start)
    else:
        start, end = months_back(today, PERIOD_MONTHS - 1), today
    return figures(scope, start, end, calendar, today=today)


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


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = report_scope(request)
    today = workflow.today()
    calendar = work_calendar()
    period = PeriodForm(request.GET or None, today=today)
    month = period.cleaned_data["month"] if period.is_valid() else ""
    snapshot = _snapshot(scope, today, calendar, month)
    by_level, loads = snapshot["by_level"], snapshot["loads"]
    levels = [{"level": level, "title": LEVEL_TITLES[level], "n": by_level.get(level, 0)} for level in LEVELS]

    extensions = selector.extension_requests(scope, today, calendar)
    for app in extensions:
        app.decision_forms = _extension_forms(app, request.user)
    ratings = selector.bad_ratings(scope, today, calendar)
    unassigned = loads.get(None)

    context = {
        "scope": scope,
        "today": today,
        "levels": levels,
        "open_total": sum(by_level.values()),
        "extensions": extensions,
        "ratings": ratings,
        # Read only when the table is not in the fragment cache.
        "per_officer": SimpleLazyObject(lambda: selector.per_officer(scope, loads)),
        "snapshot_key": snapshot["key"],
        "figures_key": snapshot["figures_key"],
        "snapshot_seconds": kept.SECONDS,
        "unassigned": unassigned,
        "period": period,
        "month": month,
        "figures": snapshot["figures"],
    }
    return render(request, "approvals/manager/dashboard.html", context)


def _listed(request: HttpRequest, scope: Scope, cases: QuerySet, today: date) -> dict:
    """A page of ``cases`` with the working days each is overdue by, and the scope its links
    carry over."""
    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
    return {
        "scope": scope,
        "page": page,
        "cases": selector.with_overdue(page, today, work_calendar()),
        "query": scope.query,
    }


@login_required
def level_cases(request: HttpRequest, level: str) -> HttpResponse:
    scope = report_scope(request)
    if level not in LEVELS:
        raise Http404
    today = workflow.today()
    context = {
        **_listed(request, scope, selector.level_cases(scope, level, today), today),
        "level": level,
        "title": LEVEL_TITLES[level],
        "overdue_column": level != "yellow",
    }
    return render(request, "approvals/manager/cases.html", context)


@login_required
def officer_cases(request: HttpRequest, pk: int) -> HttpResponse:
    scope = report_scope(request)
    officer = get_object_or_404(selector.officers(scope), pk=pk)
    today = workflow.today()
    context = {**_listed(request, scope, selector.officer_cases(scope, officer, today), today), "officer": officer}
    return render(request, "approvals/manager/officer.html", context)


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/cases/<slug:level>/", level_cases, name="dashboard-cases"),
    path("dashboard/officers/<int:pk>/", officer_cases, name="dashboard-officer"),
]

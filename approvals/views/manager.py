"""The manager's dashboard: open cases by alert level, extension requests to decide, bad ratings
to follow up, the cases of each officer (the way in to reassigning one), and the on-time figures
by procedure, officer and month.

A manager sees their department; an administrator sees every department, or the one chosen with
``?department=``. Every page runs a fixed number of queries, whatever the number of applications:
levels are computed in SQL from the stored clock columns (the same rule as
``Application.level_on``), counts with grouped aggregates, and the working days used with one pass
over the decided rows against the in-memory calendar.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, CharField, Count, DateField, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals import actions, permissions, workflow
from approvals.calendar import Unit, WorkCalendar
from approvals.deadlines import standing
from approvals.holidays import work_calendar
from approvals.models import (
    RATING_BAD_AT_MOST,
    Application,
    ClockKind,
    Department,
    ExtensionState,
    Procedure,
    Rating,
    Role,
    State,
    User,
)

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


@dataclass(frozen=True)
class Scope:
    """The applications a page may show: one department's, or (administrators) all or one chosen."""

    department: Department | None  # None: every department (administrators only)
    departments: list[Department]  # the administrator's filter choices; empty for a manager
    is_admin: bool

    def applications(self) -> QuerySet:
        queryset = Application.objects.all()
        return queryset if self.department is None else queryset.filter(department_id=self.department.pk)

    def ratings(self) -> QuerySet:
        queryset = Rating.objects.all()
        return queryset if self.department is None else queryset.filter(application__department_id=self.department.pk)

    @property
    def query(self) -> str:
        """The filter to carry over to the pages a link leads to."""
        return urlencode({"department": self.department.pk}) if self.is_admin and self.department else ""


def _scope(request: HttpRequest) -> Scope:
    """Managers get their department; administrators every department or the one they chose.
    Everyone else is refused (403: the dashboard is not theirs, whatever the data)."""
    user = request.user
    role = permissions.role_of(user)
    if role == Role.MANAGER:
        return Scope(department=user.department, departments=[], is_admin=False)
    if role == Role.ADMIN:
        departments = list(Department.objects.order_by("name"))
        chosen = request.GET.get("department", "")
        department = next((d for d in departments if str(d.pk) == chosen), None)
        return Scope(department=department, departments=departments, is_admin=True)
    raise PermissionDenied


# -- alert levels in SQL -----------------------------------------------------------------------------


def with_level(queryset: QuerySet, today: date) -> QuerySet:
    """Annotate ``running_due`` (the date the running clock waits for) and ``alert_level``
    (green, yellow, red, severe or none), exactly as ``Application.level_on(today)`` decides them."""
    running_due = Case(
        When(clock=ClockKind.ACCEPTANCE, then=F("acceptance_due")),
        When(clock=ClockKind.DECISION, then=F("due_date")),
        When(clock=ClockKind.CERTIFICATE, then=F("certificate_due")),
        default=None,
        output_field=DateField(),
    )
    level = Case(
        When(running_due__isnull=True, then=Value("none")),
        When(clock=ClockKind.DECISION, statutory_due__lt=today, then=Value("severe")),
        When(running_due__lt=today, then=Value("red")),
        When(yellow_on__lte=today, then=Value("yellow")),
        default=Value("green"),
        output_field=CharField(),
    )
    return queryset.annotate(running_due=running_due).annotate(alert_level=level)


URGENCY = Case(
    When(alert_level="severe", then=Value(0)),
    When(alert_level="red", then=Value(1)),
    When(alert_level="yellow", then=Value(2)),
    When(alert_level="green", then=Value(3)),
    default=Value(4),
    output_field=IntegerField(),
)


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


# -- the performance figures -------------------------------------------------------------------------


def _months_back(day: date, n: int) -> date:
    """The first day of the month ``n`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def _month_end(first: date) -> date:
    following = _months_back(first, -1)
    return date.fromordinal(following.toordinal() - 1)


class PeriodForm(forms.Form):
    month = forms.ChoiceField(label=gettext_lazy("Period"), required=False)

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        months = [_months_back(today, n) for n in range(MONTH_CHOICES)]
        self.fields["month"].choices = [
            ("", _("The last %(n)s months") % {"n": PERIOD_MONTHS}),
            *((m.strftime("%Y-%m"), m.strftime("%Y-%m")) for m in months),
        ]


@dataclass
class Figure:
    """One bar of a chart: a procedure, an officer or a month."""

    label: str
    decided: int = 0
    on_time: int = 0
    url: str = ""
    used: int = 0  # working days used, summed over the cases counted
    allowed: int = 0  # working days allowed (limit + extension), summed
    counted: int = 0  # cases whose working days were counted
    # Working days used, summed by the working days allowed: the average share of the limit is
    # then an exact sum of a few fractions (no float drift on a 82.5% that must show as 83%).
    used_by_allowed: Counter = field(default_factory=Counter)

    def add(self, used: int, allowed: int) -> None:
        self.used += used
        self.allowed += allowed
        self.counted += 1
        self.used_by_allowed[allowed] += used

    @property
    def rate(self) -> int | None:
        """The on-time rate in percent."""
        return _percent(self.on_time, self.decided) if self.decided else None

    @property
    def late(self) -> int:
        return self.decided - self.on_time

    @property
    def average_used(self) -> Fraction | None:
        return Fraction(self.used, self.counted) if self.counted else None

    @property
    def average_allowed(self) -> Fraction | None:
        return Fraction(self.allowed, self.counted) if self.counted else None

    @property
    def share(self) -> Fraction | None:
        """The average over the cases of working days used ÷ working days allowed."""
        if not self.counted:
            return None
        total = sum((Fraction(used, allowed) for allowed, used in self.used_by_allowed.items()), Fraction(0))
        return total / self.counted

    @property
    def share_percent(self) -> int | None:
        share = self.share
        return None if share is None else _percent(share, 1)

    @property
    def share_bar(self) -> int:
        return min(self.share_percent or 0, 100)


def _percent(part: Fraction | int, whole: int) -> int:
    """``part / whole`` in percent, rounded half up (82.5% shows as 83%)."""
    return math.floor(Fraction(part) * 100 / whole + Fraction(1, 2))


def working_days_used(
    calendar: WorkCalendar,
    *,
    clock_start: date,
    decided_on: date,
    due_date: date,
    limit: int,
    unit: str,
    extension: int,
) -> tuple[int, int]:
    """(working days used, working days allowed) by a decided case.

    Used = allowed − the working days left at the decision, that is, working days in
    (decided_on, due_date], negative when decided late. For a limit in working days, allowed is
    the limit plus the approved extension, and since the due date already skips special
    procedures, so does "used". For a limit in calendar days (the licence before 2021-05-14),
    allowed is the working days from the clock start to the due date.
    """
    left = calendar.working_days_between(decided_on, due_date).days
    if unit == Unit.WORKING_DAYS:
        allowed = limit + extension
    else:
        allowed = calendar.working_days_between(clock_start, due_date).days
    return allowed - left, max(allowed, 1)


@dataclass
class Figures:
    start: date
    end: date
    total: Figure
    procedures: list[Figure] = field(default_factory=list)
    officers: list[Figure] = field(default_factory=list)
    months: list[Figure] = field(default_factory=list)


def figures(scope: Scope, start: date, end: date, calendar: WorkCalendar) -> Figures:
    """On-time counts by procedure, officer and month (grouped aggregates) and the working days
    used (one query for the decided rows, counted against the calendar in memory)."""
    decided = scope.applications().filter(
        decided_on__isnull=False, due_date__isnull=False, decided_on__gte=start, decided_on__lte=end
    )
    counts = {"decided": Count("pk"), "on_time": Count("pk", filter=Q(decided_on__lte=F("due_date")))}

    procedures = {p: Figure(str(label)) for p, label in Procedure.choices}
    for row in decided.order_by().values("procedure").annotate(**counts):
        figure = procedures[row["procedure"]]
        figure.decided, figure.on_time = row["decided"], row["on_time"]

    officers: dict[int | None, Figure] = {}
    for row in decided.order_by().values("officer_id", "officer__name", "officer__username").annotate(**counts):
        name = row["officer__name"] or row["officer__username"] or _("nobody")
        url = reverse("approvals:dashboard-officer", args=[row["officer_id"]]) if row["officer_id"] else ""
        officers[row["officer_id"]] = Figure(name, row["decided"], row["on_time"], url=url)

    months = {}
    first = _months_back(start, 0)
    while first <= end:
        months[first] = Figure(first.strftime("%Y-%m"))
        first = _months_back(first, -1)
    for row in decided.order_by().annotate(month=TruncMonth("decided_on")).values("month").annotate(**counts):
        month = row["month"]
        figure = months[month.date() if isinstance(month, datetime) else month]
        figure.decided, figure.on_time = row["decided"], row["on_time"]

    total = Figure(_("All"))
    rows = decided.values_list(
        "procedure",
        "officer_id",
        "accepted_on",
        "arrived_on",
        "decided_on",
        "due_date",
        "extension_days",
        "policy__promised_limit",
        "policy__promised_unit",
    )
    for procedure, officer_id, accepted_on, arrived_on, decided_on, due_date, extension, limit, unit in rows:
        clock_start = arrived_on if procedure == Procedure.WEBSITE_FILING else accepted_on
        if clock_start is None or limit is None:
            continue  # not a clocked decision (no start, no policy): nothing to measure against
        used, allowed = working_days_used(
            calendar,
            clock_start=clock_start,
            decided_on=decided_on,
            due_date=due_date,
            limit=limit,
            unit=unit,
            extension=extension,
        )
        for figure in (
            total,
            procedures[procedure],
            officers.get(officer_id),
            months.get(_months_back(decided_on, 0)),
        ):
            if figure is not None:
                figure.add(used, allowed)
    for figure in procedures.values():
        total.decided += figure.decided
        total.on_time += figure.on_time
    return Figures(
        start=start,
        end=end,
        total=total,
        procedures=[f for f in procedures.values() if f.decided],
        officers=sorted(officers.values(), key=lambda f: f.label),
        months=list(months.values()),
    )


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
    scope = _scope(request)
    today = workflow.today()
    calendar = work_calendar()
    open_cases = with_level(scope.applications().open(), today)

    by_level = dict(open_cases.order_by().values_list("alert_level").annotate(n=Count("pk")))
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

    loads = {
        row["officer_id"]: row
        for row in open_cases.order_by()
        .values("officer_id")
        .annotate(
            open=Count("pk"),
            soon=Count("pk", filter=Q(alert_level="yellow")),
            overdue=Count("pk", filter=Q(alert_level__in=["red", "severe"])),
        )
    }
    officers = User.objects.filter(Q(role=Role.OFFICER, is_active=True) | Q(pk__in=[k for k in loads if k]))
    if scope.department is not None:
        officers = officers.filter(Q(department_id=scope.department.pk) | Q(pk__in=[k for k in loads if k]))
    empty = {"open": 0, "soon": 0, "overdue": 0}
    per_officer = []
    for officer in officers.select_related("department"):
        per_officer.append({"officer": officer, **empty, **loads.get(officer.pk, {})})
    per_officer.sort(key=lambda r: (-r["overdue"], -r["open"], str(r["officer"])))
    unassigned = loads.get(None)

    period = PeriodForm(request.GET or None, today=today)
    month = period.cleaned_data["month"] if period.is_valid() else ""
    if month:
        start = date.fromisoformat(f"{month}-01")
        end = _month_end(start)
    else:
        start, end = _months_back(today, PERIOD_MONTHS - 1), today
    numbers = figures(scope, start, end, calendar)

    context = {
        "scope": scope,
        "today": today,
        "levels": levels,
        "open_total": sum(by_level.values()),
        "extensions": extensions,
        "ratings": ratings,
        "per_officer": per_officer,
        "unassigned": unassigned,
        "period": period,
        "month": month,
        "figures": numbers,
    }
    return render(request, "approvals/manager/dashboard.html", context)


@login_required
def level_cases(request: HttpRequest, level: str) -> HttpResponse:
    scope = _scope(request)
    if level not in LEVELS:
        raise Http404
    today = workflow.today()
    cases = (
        with_level(scope.applications().open(), today)
        .filter(alert_level=level)
        .select_related("organisation", "officer")
        .order_by("statutory_due" if level == "severe" else "running_due", "pk")
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
        with_level(scope.applications().open().filter(officer=officer), today)
        .select_related("organisation", "officer")
        .annotate(urgency=URGENCY)
        .order_by("urgency", F("running_due").asc(nulls_last=True), "pk")
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

"""The case officer's worklist: every open case, most urgent first.

The urgency order is computed by the database from the precomputed clock columns
(``Application.clock`` and the ``*_due``/``yellow_on``/``days_left_when_paused`` columns the
workflow keeps current), so that a page of 50 is the right 50 and the page runs the same few
queries however many cases there are (``ApplicationQuerySet.by_urgency``, the SQL twin of
``Application.level_on``); the working days left on the rows shown are counted in Python
(``clocks.annotate_standing``).
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext_lazy as _

from approvals import kept, permissions, workflow
from approvals.addresses import per_pk
from approvals.calendar import WorkCalendar
from approvals.clocks import COLUMNS as CLOCK_COLUMNS
from approvals.clocks import annotate_standing
from approvals.holidays import work_calendar
from approvals.labels import translated
from approvals.models import (
    OPEN_STATES,
    URGENCY_ORDER,
    Application,
    ClockKind,
    Procedure,
    SpecialProcedure,
    State,
    User,
)
from approvals.roles import Role
from approvals.views.common import visible

PAGE_SIZE = 50

LEVELS = URGENCY_ORDER
LEVEL_LABELS = {
    "severe": _("Past the statutory limit"),
    "red": _("Overdue"),
    "yellow": _("Due soon"),
    "green": _("Running normally"),
    "paused": _("Paused"),
    "none": _("Clock stopped"),
}

#: What an open case waits for, by state: short, for a table cell.
WAITS_FOR = {
    State.RECEIVED: _("acceptance"),
    State.CORRECTION: _("the applicant's corrections"),
    State.UNDER_REVIEW: _("decision"),
    State.ARRIVED: _("filing decision"),
    State.PAUSED: _("special procedure"),
    State.GRANTED: _("certificate service"),
}

#: Procedure names short enough for a table cell (the full name is the cell's title).
PROCEDURE_SHORT = {
    Procedure.TELECOM_LICENCE: _("Telecom licence"),
    Procedure.NUMBER_RESOURCE: _("Number resources"),
    Procedure.WEBSITE_FILING: _("Website filing"),
}

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

OPEN_STATE_CHOICES = [(value, label) for value, label in State.choices if value in OPEN_STATES]


class WorklistFilters(forms.Form):
    """The worklist's GET parameters; a value that does not validate is simply not applied."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Tracking number or applicant")}),
    )
    procedure = forms.ChoiceField(label=_("Procedure"), required=False)
    state = forms.ChoiceField(label=_("Status"), required=False)
    level = forms.ChoiceField(label=_("Alert level"), required=False)
    officer = forms.ChoiceField(label=_("Case officer"), required=False)

    def __init__(self, data, *, officers: list[User] | None = None) -> None:
        super().__init__(data)
        everything = [("", _("All"))]
        self.fields["procedure"].choices = everything + list(Procedure.choices)
        self.fields["state"].choices = everything + OPEN_STATE_CHOICES
        self.fields["level"].choices = everything + [(name, LEVEL_LABELS[name]) for name in LEVELS]
        if officers is None:
            del self.fields["officer"]
        else:
            self.fields["officer"].choices = (
                everything + [(str(o.pk), str(o)) for o in officers] + [("none", _("Not assigned"))]
            )

    def value(self, name: str) -> str:
        if not self.is_bound or name not in self.fields:
            return ""
        self.is_valid()
        return self.cleaned_data.get(name) or ""


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    """Officers: their own open cases (or, read only, their department's); managers: their
    department's; administrators: every open case. Applicants and access providers: 403.

    What is under the frame is kept (``approvals.kept``) per user, role, department and query
    until the data changes: the first view after any workflow action, or on another day, counts
    and renders afresh."""
    user = request.user
    role = permissions.role_of(user)
    if role not in (Role.OFFICER, Role.MANAGER, Role.ADMIN):
        raise PermissionDenied
    today = workflow.today()
    calendar = work_calendar()
    key = kept.key(
        "worklist", user.pk, role, user.department_id, request.GET.urlencode(), calendar=calendar, today=today
    )
    body = kept.through(
        key, lambda: render_to_string("approvals/officer/_worklist.html", _worklist(request, role, today, calendar))
    )
    return render(request, "approvals/officer/worklist.html", {"body": body})


def _worklist(request: HttpRequest, role: str, today: date, calendar: WorkCalendar) -> dict:
    """The worklist's counts and page of cases, for _worklist.html."""
    user = request.user
    cases = visible(user).open()  # the department (everything for an administrator)
    officers = None
    if role == Role.OFFICER:
        scope = "department" if request.GET.get("scope") == "department" else "mine"
        if scope == "mine":
            cases = cases.filter(officer=user)
    else:
        scope = "department"
    if scope == "department":
        officers = User.objects.filter(role=Role.OFFICER)
        if role != Role.ADMIN:
            officers = officers.filter(department_id=user.department_id)
        officers = list(officers.order_by("name", "username"))
    filters = WorklistFilters(request.GET, officers=officers)

    officer = filters.value("officer")
    if officer == "none":
        cases = cases.filter(officer__isnull=True)
    elif officer:
        cases = cases.filter(officer_id=int(officer))
    if filters.value("procedure"):
        cases = cases.filter(procedure=filters.value("procedure"))
    if filters.value("state"):
        cases = cases.filter(state=filters.value("state"))
    search = filters.value("q").strip()
    if search:
        cases = cases.filter(Q(tracking_number__icontains=search) | Q(organisation__name__icontains=search))

    cases = cases.by_urgency(today)
    # The counts per level, one aggregate query, with every filter but the level itself.
    counts = dict.fromkeys(LEVELS, 0)
    for rank, n in cases.order_by().values_list("urgency_rank").annotate(n=Count("pk")):
        counts[LEVELS[rank]] = n
    level = filters.value("level")
    if level:
        cases = cases.filter(urgency_rank=LEVELS.index(level))

    # The page in two steps: the ids of the page, in order, from the ordering columns alone (an
    # officer's own cases: from the index application_officer_open, without reading a row), then
    # those 50 applications with what the table shows.
    paginator = Paginator(cases.values_list("pk", flat=True), PAGE_SIZE)
    paginator.count = counts[level] if level else sum(counts.values())  # known: spare a COUNT query
    page = paginator.get_page(request.GET.get("page"))
    ids = list(page.object_list)
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
    page.object_list = annotate_standing([rows[pk] for pk in ids if pk in rows], today, calendar)
    # Each label translated once for the page, not once per row.
    waits_for, short, names = translated(WAITS_FOR), translated(PROCEDURE_SHORT), translated(Procedure.choices)
    application_url = per_pk("approvals:application")
    for app in page.object_list:
        app.url = application_url(app.pk)
        # The row's level, as by_urgency() put it in SQL (Application.level_on is the same rule).
        row_level = app.standing.level
        app.urgency = "paused" if row_level == "none" and app.clock == ClockKind.PAUSED else row_level
        app.waits_for = waits_for.get(app.state, "")
        app.procedure_short = short.get(app.procedure, app.procedure)
        app.procedure_name = names.get(app.procedure, app.procedure)
        app.mine = app.officer_id == user.pk

    query = request.GET.copy()
    query.pop("page", None)
    without_level = query.copy()
    without_level.pop("level", None)
    figures = [
        {"level": name, "label": LEVEL_LABELS[name], "n": counts[name], "current": name == level}
        for name in LEVELS
        if counts[name] or name != "none"
    ]
    filtered = any(filters.value(name) for name in ("q", "procedure", "state", "level", "officer"))
    return {
        "user": user,
        "page": page,
        "filters": filters,
        "scope": scope,
        "role": role,
        "show_officer": scope == "department",
        "can_switch_scope": role == Role.OFFICER,
        "figures": figures,
        "filtered": filtered,
        "query": query.urlencode(),
        "query_without_level": without_level.urlencode(),
        "today": today,
    }


urlpatterns = [
    path("worklist/", worklist, name="worklist"),
]

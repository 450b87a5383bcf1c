"""The case officer's worklist: every open case, most urgent first (the query, its counts and
its page: ``approvals.selectors.worklist``). This module reads the request's filters and lays
the rows out: their labels and addresses."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext_lazy as _

from approvals import kept, permissions, workflow
from approvals.addresses import per_pk
from approvals.calendar import WorkCalendar
from approvals.holidays import work_calendar
from approvals.labels import translated
from approvals.models import OPEN_STATES, Procedure, State, User
from approvals.roles import Role
from approvals.selectors import worklist as selector
from approvals.selectors.worklist import LEVELS

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
    officers = None
    if role == Role.OFFICER:
        scope = "department" if request.GET.get("scope") == "department" else "mine"
    else:
        scope = "department"
    if scope == "department":
        officers = selector.officers(user, role)
    filters = WorklistFilters(request.GET, officers=officers)
    level = filters.value("level")
    chosen = selector.Filters(
        officer=filters.value("officer"),
        procedure=filters.value("procedure"),
        state=filters.value("state"),
        search=filters.value("q").strip(),
        level=level,
    )
    found = selector.worklist(
        user, chosen, mine=scope == "mine", page=request.GET.get("page"), today=today, calendar=calendar
    )
    counts, page = found.counts, found.page
    # Each label translated once for the page, not once per row.
    waits_for, short, names = translated(WAITS_FOR), translated(PROCEDURE_SHORT), translated(Procedure.choices)
    application_url = per_pk("approvals:application")
    for app in page.object_list:
        app.url = application_url(app.pk)
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

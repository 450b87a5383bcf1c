"""The case officer's worklist: every open case, most urgent first (the query, its counts and
its page: ``approvals.selectors.worklist``). This module reads the request's filters and lays
the rows out: their labels and addresses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

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
from approvals.waiting import WAITS_FOR

LEVEL_LABELS = {
    "severe": _("Past the statutory limit"),
    "red": _("Overdue"),
    "yellow": _("Due soon"),
    "green": _("Running normally"),
    "paused": _("Paused"),
    "none": _("Clock stopped"),
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


#: The worklist's scopes an officer may ask for (``?scope=``); managers and administrators
#: always see their department's, or everything.
SCOPES = ("mine", "department")

#: The filters, in the order the page's links carry them.
FILTER_NAMES = ("q", "procedure", "state", "level", "officer")


@dataclass(frozen=True)
class Asked:
    """What the request asks the worklist for, parsed: the scope, the filters (the form, and the
    selector's values from its valid fields), the page; ``valid``: every value it gave is one
    the page knows (only such a page is kept)."""

    scope: str
    form: WorklistFilters
    chosen: selector.Filters
    page: str | None
    valid: bool


def _asked(request: HttpRequest, role: str) -> Asked:
    user = request.user
    raw_scope = request.GET.get("scope", "")
    scope = "mine" if role == Role.OFFICER and raw_scope != "department" else "department"
    officers = selector.officers(user, role) if scope == "department" else None
    form = WorklistFilters(request.GET, officers=officers)
    chosen = selector.Filters(
        officer=form.value("officer"),
        procedure=form.value("procedure"),
        state=form.value("state"),
        search=form.value("q").strip(),
        level=form.value("level"),
    )
    page = request.GET.get("page")
    valid = form.is_valid() and raw_scope in ("", *SCOPES) and kept.page_number(page) is not None
    return Asked(scope, form, chosen, page, valid)


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    """Officers: their own open cases (or, read only, their department's); managers: their
    department's; administrators: every open case. Applicants and access providers: 403.

    What is under the frame is kept (``approvals.kept``) per user, role, department, scope, valid
    filters and page until the data changes: the first view after any workflow action, or on
    another day, counts and renders afresh. A parameter the page does not read changes nothing;
    a page with a value that does not validate is made but not kept."""
    user = request.user
    role = permissions.role_of(user)
    if role not in (Role.OFFICER, Role.MANAGER, Role.ADMIN):
        raise PermissionDenied
    today = workflow.today()
    calendar = work_calendar()
    asked = _asked(request, role)
    key = (
        kept.key(
            "worklist",
            user.pk,
            role,
            user.department_id,
            asked.scope,
            asked.chosen,
            kept.page_number(asked.page),
            scope=_data_scope(user, role, asked.scope),
            calendar=calendar,
            today=today,
        )
        if asked.valid
        else None
    )
    body = kept.through(
        key,
        lambda: render_to_string("approvals/officer/_worklist.html", _worklist(request, role, asked, today, calendar)),
        owner=user.pk,
    )
    return render(request, "approvals/officer/worklist.html", {"body": body})


def _data_scope(user: User, role: str, scope: str) -> str | None:
    """Whose cases the worklist shows, for its key (``approvals.kept``): an officer's own, a
    department's, or (an administrator's) every department's."""
    if role == Role.ADMIN:
        return None
    if scope == "mine":
        return kept.officer_scope(user.pk)
    return kept.department_scope(user.department_id)


def _worklist(request: HttpRequest, role: str, asked: Asked, today: date, calendar: WorkCalendar) -> dict:
    """The worklist's counts and page of cases, for _worklist.html."""
    user = request.user
    scope, filters, chosen = asked.scope, asked.form, asked.chosen
    found = selector.worklist(user, chosen, mine=scope == "mine", page=asked.page, today=today, calendar=calendar)
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

    # The links carry the parsed filters, not what else the address held.
    query = {"scope": "department"} if role == Role.OFFICER and scope == "department" else {}
    query.update((name, filters.value(name)) for name in FILTER_NAMES if filters.value(name))
    without_level = {name: value for name, value in query.items() if name != "level"}
    level = chosen.level
    figures = [
        {"level": name, "label": LEVEL_LABELS[name], "n": counts[name], "current": name == level}
        for name in LEVELS
        if counts[name] or name != "none"
    ]
    filtered = any(filters.value(name) for name in FILTER_NAMES)
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
        "query": urlencode(query),
        "query_without_level": urlencode(without_level),
        "today": today,
    }


urlpatterns = [
    path("worklist/", worklist, name="worklist"),
]

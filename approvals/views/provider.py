"""The access provider's queue: the website filings sent to its organisation, those awaiting its
check first (``/provider/``). Checking and forwarding a filing is an action of its case page."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy

from approvals import workflow
from approvals.holidays import work_calendar
from approvals.models import State
from approvals.roles import Role
from approvals.views.common import chosen_filters, require_role, search, visible

PAGE_SIZE = 30

PROVIDER_FILTERS = [
    ("", gettext_lazy("All")),
    ("waiting", gettext_lazy("Awaiting your check")),
    ("forwarded", gettext_lazy("Sent to the administration")),
    ("withdrawn", gettext_lazy("Withdrawn")),
]


class ProviderFilters(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=PROVIDER_FILTERS)
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": gettext_lazy("Tracking number, website or applicant")}
        ),
    )


def _provider_rows(queryset: QuerySet, status: str) -> QuerySet:
    return queryset.filter(
        {
            "waiting": Q(state=State.PROVIDER_REVIEW),
            "forwarded": Q(arrived_on__isnull=False),
            "withdrawn": Q(state=State.WITHDRAWN),
        }.get(status, Q())
    )


@login_required
def provider(request: HttpRequest) -> HttpResponse:
    """The filings sent to the user's access provider: those awaiting its check on top, then the
    rest, newest first. A constant number of queries."""
    require_role(request, Role.PROVIDER)
    today = workflow.today()
    calendar = work_calendar()
    mine = visible(request.user)
    summary = mine.aggregate(
        total=Count("pk"),
        waiting=Count("pk", filter=Q(state=State.PROVIDER_REVIEW)),
        forwarded=Count("pk", filter=Q(arrived_on__isnull=False)),
    )
    form = ProviderFilters(request.GET)
    chosen = chosen_filters(form)
    rows = _provider_rows(mine.select_related("organisation"), chosen.get("status", ""))
    if chosen.get("q"):
        rows = rows.filter(search(chosen["q"].strip(), "tracking_number", "subject", "organisation__name"))
    rows = rows.annotate(
        waiting=Case(When(state=State.PROVIDER_REVIEW, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("waiting", "-last_action_on", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    apps = list(page.object_list)
    for app in apps:
        details = app.details or {}
        domains = details.get("domains")
        app.domains = domains if isinstance(domains, list) else [details["domain"]] if details.get("domain") else []
        app.website = details.get("website", "")
        app.days_waiting = None
        if app.state == State.PROVIDER_REVIEW and app.last_action_on:
            app.days_waiting = calendar.working_days_between(app.last_action_on, today).days
    context = {
        "summary": summary,
        "form": form,
        "filtered": bool(chosen),
        "page": page,
        "apps": apps,
        "query": urlencode(chosen),
    }
    return render(request, "approvals/enterprise/provider.html", context)


urlpatterns = [
    path("provider/", provider, name="provider"),
]

"""The access provider's queue: the website filings sent to its organisation, those awaiting its
check first (``/provider/``). Checking and forwarding a filing is an action of its case page."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy

from approvals import workflow
from approvals.holidays import work_calendar
from approvals.roles import Role
from approvals.selectors.provider import queue
from approvals.views.common import chosen_filters, list_context, require_role
from approvals.waiting import PROVIDER_CHECK

PROVIDER_FILTERS = [
    ("", gettext_lazy("All")),
    ("waiting", PROVIDER_CHECK),
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


@login_required
def provider(request: HttpRequest) -> HttpResponse:
    """The filings sent to the user's access provider (``approvals.selectors.provider``)."""
    require_role(request, Role.PROVIDER)
    form = ProviderFilters(request.GET)
    chosen = chosen_filters(form)
    listing = queue(
        request.user,
        status=chosen.get("status", ""),
        text=chosen.get("q", "").strip(),
        page=request.GET.get("page"),
        today=workflow.today(),
        calendar=work_calendar(),
    )
    return render(request, "approvals/enterprise/provider.html", list_context(form, chosen, listing))


urlpatterns = [
    path("provider/", provider, name="provider"),
]

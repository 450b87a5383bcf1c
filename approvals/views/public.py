"""The public lookup (办件进度查询): tracking number plus query code, no account needed.

It shows where an application stands and how its due date is counted, and nothing about the
people or the business behind it. Failed attempts are counted per address and per tracking number,
atomically and before the lookup (approvals/throttle.py); past the limit the page answers 429 with
Retry-After until the window passes, so query codes cannot be guessed.
"""

from __future__ import annotations

import math
from datetime import timedelta

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals import throttle, timeline, workflow
from approvals.clocks import standing
from approvals.holidays import work_calendar
from approvals.selectors.public import tracked


class LookupForm(forms.Form):
    tracking_number = forms.CharField(
        label=gettext_lazy("Tracking number"), max_length=20, help_text=gettext_lazy("For example XK2026000123")
    )
    query_code = forms.CharField(
        label=gettext_lazy("Query code"), max_length=12, help_text=gettext_lazy("8 characters, on your receipt")
    )

    def clean_tracking_number(self) -> str:
        return self.cleaned_data["tracking_number"].strip().upper()

    def clean_query_code(self) -> str:
        return self.cleaned_data["query_code"].strip().upper()


def client_address(request: HttpRequest) -> str:
    # Behind the load balancer gunicorn sets REMOTE_ADDR from the PROXY protocol (docs/DEPLOY.md).
    # The sign-in lockouts count by it too (AXES_CLIENT_IP_CALLABLE).
    return request.META.get("REMOTE_ADDR", "unknown")


def sign_in_address(request: HttpRequest) -> str | None:
    """The address django-axes records a sign-in from: REMOTE_ADDR, or None where a request has
    none (Django's test client's force_login); PostgreSQL's inet column refuses "unknown"."""
    return request.META.get("REMOTE_ADDR") or None


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE) on the sign-in pages: its page
    (AXES_LOCKOUT_TEMPLATE), 429, and Retry-After with the cool-off in seconds, as every 429 has."""
    cool_off = get_cool_off(request) or timedelta(minutes=settings.AXES_COOLOFF_MINUTES)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "cooloff_timedelta": cool_off,
    }
    response = render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


def _keys(request: HttpRequest, tracking_number: str | None = None) -> list[str]:
    """The throttle's keys: the address, and the tracking number once the form names one."""
    keys = [f"track:address:{client_address(request)}"]
    return keys if tracking_number is None else [*keys, f"track:number:{tracking_number}"]


def _blocked(request: HttpRequest, spent: throttle.Spent) -> HttpResponse:
    """The 429: the page says why and for how long, the header says it to a program."""
    minutes = max(math.ceil(spent.retry_after / 60), 1)
    by_number = (spent.refused_by or "").startswith("track:number:")
    message = (
        _("Too many unsuccessful lookups of this tracking number. Try again in %(minutes)s minutes.")
        if by_number
        else _("Too many unsuccessful lookups from your address. Try again in %(minutes)s minutes.")
    ) % {"minutes": minutes}
    context = {"form": LookupForm(), "blocked": message}
    response = render(request, "approvals/public/track.html", context, status=429)
    response["Retry-After"] = str(spent.retry_after)
    return response


def track(request: HttpRequest) -> HttpResponse:
    """Failures count per address and per tracking number (TRACK_MAX_FAILURES in a window of
    TRACK_WINDOW_SECONDS). Each lookup is counted before it is made and given back when it
    finds the application, so concurrent guesses cannot pass the limit (approvals/throttle.py)."""
    limit, window = settings.TRACK_MAX_FAILURES, settings.TRACK_WINDOW_SECONDS
    already = throttle.exhausted(_keys(request), limit, window)
    if already is not None:
        return _blocked(request, already)
    form = LookupForm(request.POST or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["tracking_number"]
        spent = throttle.spend(_keys(request, number), limit, window)
        if not spent.allowed:
            return _blocked(request, spent)
        app = tracked(number, form.cleaned_data["query_code"])
        if app is None:
            form.add_error(None, _("No application matches this tracking number and query code."))
            return render(request, "approvals/public/track.html", context, status=404)
        throttle.refund(spent)  # only failures count
        context.update(
            app=app,
            standing=standing(app, workflow.today(), work_calendar()),
            events=timeline.events(app, public=True),
            explanation=timeline.explanation(app),
        )
    return render(request, "approvals/public/track.html", context)


urlpatterns = [path("track/", track, name="track")]

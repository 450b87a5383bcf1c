"""The public lookup (办件进度查询): tracking number plus query code, no account needed.

It shows where an application stands and how its due date is counted, and nothing about the
people or the business behind it. Failed attempts are counted per address; past the limit the
page answers 429 until the window passes, so query codes cannot be guessed.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals import timeline, workflow
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


def _key(request: HttpRequest) -> str:
    return f"track-failures:{client_address(request)}"


def track(request: HttpRequest) -> HttpResponse:
    limit, window = settings.TRACK_MAX_FAILURES, settings.TRACK_WINDOW_SECONDS
    failures = cache.get(_key(request), 0)
    if failures >= limit:
        message = _("Too many unsuccessful lookups from your address. Try again in %(minutes)s minutes.") % {
            "minutes": max(window // 60, 1)
        }
        return render(request, "approvals/public/track.html", {"form": LookupForm(), "blocked": message}, status=429)
    form = LookupForm(request.POST or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        app = tracked(form.cleaned_data["tracking_number"], form.cleaned_data["query_code"])
        if app is None:
            cache.add(_key(request), 0, window)
            try:
                cache.incr(_key(request))
            except ValueError:  # expired between add and incr
                cache.set(_key(request), 1, window)
            form.add_error(None, _("No application matches this tracking number and query code."))
            return render(request, "approvals/public/track.html", context, status=404)
        context.update(
            app=app,
            standing=standing(app, workflow.today(), work_calendar()),
            events=timeline.events(app, public=True),
            explanation=timeline.explanation(app),
        )
    return render(request, "approvals/public/track.html", context)


urlpatterns = [path("track/", track, name="track")]

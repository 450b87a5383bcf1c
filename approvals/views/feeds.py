"""Calendar feeds: the page where an officer or manager makes, regenerates or revokes their
due-date feed, the feed itself (no sign-in: the secret address is the credential), and the public
working-day calendar of a year. The iCalendar is made in approvals.feeds.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from approvals import feeds, permissions, workflow
from approvals.models import Application
from approvals.roles import Role
from approvals.views.common import permitted

# The plain token, kept in the session between the POST that made it and the page that shows
# it once (then removed), so that a reload neither shows it again nor makes another.
SHOWN_TOKEN = "calendar_feed_token"
CONTENT_TYPE = "text/calendar; charset=utf-8"


feed_users_only = permitted(permissions.can_have_feed)


def feed_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("approvals:feed", kwargs={"token": token}))


@feed_users_only
def feeds_page(request: HttpRequest) -> HttpResponse:
    """What the feed is, whether one is active, and the buttons; after a POST made a new
    address, that address, once."""
    token = request.session.pop(SHOWN_TOKEN, None)
    feed = feeds.active_feed(request.user)
    if feed is None:
        token = None  # revoked since (another tab): the address shown would not work
    year = workflow.today().year
    context = {
        "feed": feed,
        "new_url": feed_url(request, token) if token else None,
        "manager": permissions.role_of(request.user) == Role.MANAGER,
        "years": [year, year + 1],
    }
    response = render(request, "approvals/feeds/feeds.html", context)
    patch_cache_control(response, no_store=True)  # the page may carry the secret address
    return response


def _made(request: HttpRequest, token: str | None, done: str) -> HttpResponse:
    if token is None:
        messages.warning(request, _("You already have a calendar feed: regenerate it for a new address."))
    else:
        request.session[SHOWN_TOKEN] = token
        messages.success(request, done)
    return redirect("approvals:feeds")


@feed_users_only
@require_POST
def feed_create(request: HttpRequest) -> HttpResponse:
    token = feeds.create_feed(request.user)
    return _made(request, token, _("Your calendar feed is ready. Copy its address now: it is shown only once."))


@feed_users_only
@require_POST
def feed_regenerate(request: HttpRequest) -> HttpResponse:
    token = feeds.create_feed(request.user, replace=True)
    return _made(
        request, token, _("New address made: the old one no longer works. Copy the new one now: it is shown only once.")
    )


@feed_users_only
@require_POST
def feed_revoke(request: HttpRequest) -> HttpResponse:
    request.session.pop(SHOWN_TOKEN, None)
    if feeds.revoke_feed(request.user):
        messages.success(request, _("Calendar feed revoked: its address no longer works."))
    else:
        messages.info(request, _("You have no active calendar feed."))
    return redirect("approvals:feeds")


def _calendar_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The due-date feed. No sign-in: an unknown or revoked token, or an owner who is no longer
    an active officer or manager, is a 404 (the same answer for each: nothing to probe)."""
    found = feeds.feed_for_token(token)
    if found is None:
        raise Http404
    now = timezone.now()
    feeds.touch(found, now)

    def link(app: Application) -> str:
        return request.build_absolute_uri(reverse("approvals:application", args=[app.pk]))

    response = _calendar_response(feeds.due_dates_calendar(found.user, link, now), "shixian.ics")
    patch_cache_control(response, private=True, no_cache=True)  # a shared cache must not keep it
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def working_days(request: HttpRequest) -> HttpResponse:
    """The working-day calendar of ``?year=`` (this year by default), for anyone."""
    raw = request.GET.get("year", "").strip()
    year = workflow.today().year
    if raw:
        try:
            year = int(raw)
        except ValueError:
            year = None
        if year is None or not feeds.FIRST_YEAR <= year <= feeds.LAST_YEAR:
            return HttpResponseBadRequest(
                _("year must be a whole number from %(first)s to %(last)s")
                % {"first": feeds.FIRST_YEAR, "last": feeds.LAST_YEAR},
                content_type="text/plain; charset=utf-8",
            )
    body = feeds.working_days_calendar(year, timezone.now())
    response = _calendar_response(body, f"working-days-{year}.ics")
    patch_cache_control(response, public=True, max_age=3600)
    return response


urlpatterns = [
    path("feeds/", feeds_page, name="feeds"),
    path("feeds/create/", feed_create, name="feed-create"),
    path("feeds/regenerate/", feed_regenerate, name="feed-regenerate"),
    path("feeds/revoke/", feed_revoke, name="feed-revoke"),
    re_path(r"^feeds/(?P<token>[A-Za-z0-9_-]{20,100})\.ics$", feed, name="feed"),
    path("calendar.ics", working_days, name="calendar-ics"),
]

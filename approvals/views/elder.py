"""The header's easy-reading switch (approvals.elder): a POST, like the language form, that
turns the mode on or off and goes back to the page it was on."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from approvals import elder


@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    """``elder=1`` turns it on, ``elder=0`` off (anything else: the other way round from now);
    back to ``next`` if it is an address on this site, else to the home page."""
    chosen = request.POST.get("elder")
    on = chosen == "1" if chosen in ("0", "1") else not elder.is_on(request)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("approvals:home")
    response = redirect(target)
    if request.user.is_authenticated and request.user.elder_mode != on:
        request.user.elder_mode = on
        request.user.save(update_fields=["elder_mode"])
    if on:  # this browser's choice too (approvals.elder)
        response.set_cookie(
            elder.COOKIE,
            "1",
            max_age=elder.COOKIE_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(elder.COOKIE, samesite="Lax")
    return response


urlpatterns = [path("easy-reading/", switch, name="elder-mode")]

"""Easy reading (适老化, MIIT's 互联网网站适老化通用设计规范): larger text, stronger contrast,
bigger buttons and simpler pages, chosen with the header's switch. A signed-in user's choice is
kept on the user (User.elder_mode, every browser they sign in from) and decides while they are
signed in; the browser keeps its last choice in a cookie too, which decides for anonymous
visitors (the public lookup, the sign-in page) and is taken over by whoever signs in with it on
(someone who turned it on to read the sign-in page keeps it). The looks are app.css's ``.elder``
block."""

from __future__ import annotations

from django.http import HttpRequest

COOKIE = "shixian_elder"
COOKIE_AGE = 365 * 24 * 3600  # a year: the choice of a browser, not of a visit


def is_on(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(getattr(user, "elder_mode", False))
    return request.COOKIES.get(COOKIE) == "1"


def adopt(sender, request: HttpRequest | None = None, user=None, **kwargs) -> None:
    """On signing in (``user_logged_in``): a browser in easy reading keeps it for the user."""
    if request is None or user is None or getattr(user, "elder_mode", True):
        return
    if request.COOKIES.get(COOKIE) == "1":
        user.elder_mode = True
        user.save(update_fields=["elder_mode"])

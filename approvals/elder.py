"""Easy reading (适老化, MIIT's 互联网网站适老化通用设计规范): larger text, stronger contrast,
bigger buttons and simpler pages, chosen with the header's switch. A signed-in user's choice is
kept on the user (User.elder_mode, every browser they sign in from); an anonymous visitor's (the
public lookup) in a cookie of this browser. The looks are app.css's ``.elder`` block."""

from __future__ import annotations

from django.http import HttpRequest

COOKIE = "shixian_elder"
COOKIE_AGE = 365 * 24 * 3600  # a year: the choice of a browser, not of a visit


def is_on(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(getattr(user, "elder_mode", False))
    return request.COOKIES.get(COOKIE) == "1"

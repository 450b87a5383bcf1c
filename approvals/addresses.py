"""The addresses the application gives out: those of a list's rows, from one ``reverse()``, and
the absolute ones that emails (and anything read away from the site) link to, from ``SITE_URL``."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse

#: An id no address holds otherwise: reversed once, then replaced by each row's id.
_MARK = 987654321


def per_pk(name: str) -> Callable[[int], str]:
    """``pk -> reverse(name, args=[pk])`` for the rows of a page from a single reverse(): a
    ``{% url %}`` or a reverse() per row is a noticeable part of a list page's time."""
    before, after = reverse(name, args=[_MARK]).split(str(_MARK))
    return lambda pk: f"{before}{pk}{after}"


def absolute(name: str, *args: object) -> str:
    """The address of the screen ``name`` (with ``args``) on the site as its users reach it
    (``settings.SITE_URL``): for an email, which has no request to take a host from."""
    return f"{settings.SITE_URL}{reverse(name, args=args)}"

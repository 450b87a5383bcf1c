"""What a page counted or rendered, kept in the cache until the data it shows can have changed.

The key of what is kept holds the state of everything such a page reads: the day (levels and
working days left move with it), the calendar tables' version (a calendar change recomputes the
clocks), the version of the page's scope and the language. A scope is whose cases the page
shows: a department's (``d:<id>``), an officer's own (``u:<id>``) or an organisation's
(``o:<id>``), named by ``department_scope`` and its siblings here; ``approvals.audit.scopes``
says which an application is on. Every change approvals.workflow makes to an
application (a status change, a reassignment, a moved due date, an alert, a rating: every one
leaves an audit row) sets the versions of that application's scopes to the chain's new count,
in the same transaction. So the first view after an action on one of its cases counts afresh,
a page of another department or organisation stays kept, and a view that finds its key reads a
few milliseconds instead of counting over a million applications. A page of every department
(an administrator's) keys on the chain's count itself, which every append moves.

What changes outside the workflow (a name edited in the admin) shows within ``SECONDS``. What
decides who sees what (the user, their role and department) belongs in the caller's parts of
the key; permissions themselves are checked before anything kept is read.

What a user can make the cache hold is bounded (the cache is also django-q2's broker): the
caller's parts are the parsed, valid filters, never the raw query string (a parameter the page
does not read changes nothing; a page whose filters do not validate is not kept: ``None`` for
its key), only the first ``FIRST_PAGES`` pages are kept (``page_number``), and each owner
stores at most ``per_owner()`` pages in ``SECONDS`` (``through(..., owner=)``); past that the
page is made afresh for every view, as if nothing were kept.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from approvals.calendar import WorkCalendar
from approvals.holidays import calendar_version
from approvals.models import AuditHead, KeptVersion

T = TypeVar("T")

#: At most how long anything is kept: the bound on changes made outside the workflow.
SECONDS = 300

#: Pages past these (of a list) are made for every view: few go there, and each is one more entry.
FIRST_PAGES = 5

#: The default of ``settings.KEPT_PAGES_PER_USER``: how many pages one user may have kept in
#: ``SECONDS`` (a page of the worklist is 25-60 KB).
PER_OWNER = 30


def per_owner() -> int:
    return getattr(settings, "KEPT_PAGES_PER_USER", PER_OWNER)


def page_number(raw: str | None) -> int | None:
    """The page asked for, if it is one that is kept: none asked is the first; None for anything
    else (not a number, or past ``FIRST_PAGES``), which is then made but not kept."""
    if raw is None or raw == "":
        return 1
    if raw.isascii() and raw.isdigit() and len(raw) <= 2 and 1 <= int(raw) <= FIRST_PAGES:
        return int(raw)
    return None


def department_scope(department_id: int | None) -> str:
    """The scope of a department's pages (cases of no department: ``d:none``)."""
    return f"d:{department_id if department_id is not None else 'none'}"


def figures_scope(department_id: int | None, *, every: bool = False) -> str:
    """The scope of a department's on-time figures, or (``every``) of every department's."""
    return "f:all" if every else f"f:{department_id if department_id is not None else 'none'}"


def officer_scope(officer_id: int) -> str:
    """The scope of an officer's own cases."""
    return f"u:{officer_id}"


def organisation_scope(organisation_id: int) -> str:
    """The scope of an organisation's cases (its portal)."""
    return f"o:{organisation_id}"


def key(*parts: object, scope: str | None, calendar: WorkCalendar, today: date) -> str | None:
    """The cache key of ``parts`` (what the page is: its name, whose, which filters) as the data
    of ``scope`` stands (None: every department's data); None when the calendar changed while
    the page was being made (keep nothing then). One query."""
    version = calendar_version(calendar)
    if version is None:
        return None
    if scope is None:
        count, last_hash = AuditHead.objects.values_list("count", "last_hash").first() or (0, "")
        data = f"{count}:{last_hash[:16]}"
    else:
        data = f"{scope}={KeptVersion.objects.filter(scope=scope).values_list('version', flat=True).first() or 0}"
    state = f"{today.isoformat()}:{version}:{data}:{get_language() or ''}"
    what = hashlib.sha256(repr(parts).encode()).hexdigest()[:24]  # filters may be long: a digest
    return f"kept:{what}:{state}"


#: How long a view waits for the page another request is making (then makes it itself), and how
#: often it looks.
WAIT_SECONDS = 1.0
WAIT_STEP = 0.01


def through(key: str | None, make: Callable[[], T], *, owner: object = None) -> T:
    """What is kept under ``key``, or ``make()`` kept there now; ``make()`` alone for no key, and
    for an ``owner`` (whose page it is) who has had ``per_owner()`` pages kept in ``SECONDS``.

    One request makes a missing page: the views that ask for it meanwhile (right after an
    action, every reader of the department at once) wait up to ``WAIT_SECONDS`` for it instead
    of counting the same thing side by side, and get the same fresh page."""
    found = cache.get(key) if key else None
    if found is not None:
        return found
    making = f"{key}:making" if key else None
    mine = making is not None and cache.add(making, 1, int(WAIT_SECONDS * 10) + 1)
    if making is not None and not mine:
        found = _wait_for(key)
        if found is not None:
            return found
    try:
        found = make()
        if key and (owner is None or _within_budget(owner)):
            cache.set(key, found, SECONDS)
    finally:
        if mine:
            cache.delete(making)
    return found


def _wait_for(key: str) -> object:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(WAIT_STEP)
        found = cache.get(key)
        if found is not None:
            return found
    return None


def _within_budget(owner: object) -> bool:
    """Count one more page kept for ``owner``: whether it is within their budget. The counter is
    atomic (add, then incr) and lives ``SECONDS`` from its first page, so that at most twice the
    budget of an owner's pages are alive at once."""
    counter = f"kept-budget:{owner}"
    cache.add(counter, 0, SECONDS)
    try:
        stored = cache.incr(counter)
    except ValueError:  # expired between add and incr: a new window
        cache.add(counter, 1, SECONDS)
        stored = 1
    return stored <= per_owner()

"""What a page counted or rendered, kept in the cache until the data it shows can have changed.

The key of what is kept holds the state of everything such a page reads: the day (levels and
working days left move with it), the calendar tables' version (a calendar change recomputes the
clocks) and the audit chain's head, which moves with every change approvals.workflow makes (a
status change, a reassignment, a moved due date, an alert, a rating: every one leaves an audit
row), and the language. So the first view after any action counts afresh, and a view that finds
its key reads a few milliseconds instead of counting over a million applications.

What changes outside the workflow (a name edited in the admin) shows within ``SECONDS``. What
decides who sees what (the user, their role and department) belongs in the caller's parts of
the key; permissions themselves are checked before anything kept is read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from django.core.cache import cache
from django.utils.translation import get_language

from approvals.calendar import WorkCalendar
from approvals.holidays import calendar_version
from approvals.models import AuditHead

T = TypeVar("T")

#: At most how long anything is kept: the bound on changes made outside the workflow.
SECONDS = 300


def key(*parts: object, calendar: WorkCalendar, today: date) -> str | None:
    """The cache key of ``parts`` (what the page is: its name, whose, which filters) as the data
    stands; None when the calendar changed while the page was being made (keep nothing then)."""
    version = calendar_version(calendar)
    if version is None:
        return None
    count, last_hash = AuditHead.objects.values_list("count", "last_hash").first() or (0, "")
    state = f"{today.isoformat()}:{version}:{count}:{last_hash[:16]}:{get_language() or ''}"
    what = hashlib.sha256(repr(parts).encode()).hexdigest()[:24]  # filters may be long: a digest
    return f"kept:{what}:{state}"


def through(key: str | None, make: Callable[[], T]) -> T:
    """What is kept under ``key``, or ``make()`` kept there now; ``make()`` alone for no key."""
    found = cache.get(key) if key else None
    if found is None:
        found = make()
        if key:
            cache.set(key, found, SECONDS)
    return found

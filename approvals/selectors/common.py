"""What the list selectors share: a search over a few fields, and a filtered list's answer."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page
from django.db.models import Q


@dataclass
class Listing:
    """A filtered list: its counts (``summary``), the page asked for, and that page's rows."""

    summary: dict[str, int]
    page: Page
    rows: list


def search(q: str, *fields: str) -> Q:
    """``q`` in any of ``fields`` (case-insensitive)."""
    query = Q()
    for field in fields:
        query |= Q(**{f"{field}__icontains": q})
    return query

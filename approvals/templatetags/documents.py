"""Filters for the documents' faces (templates/documents/)."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils import formats
from django.utils.translation import get_language

register = template.Library()


@register.filter
def document_date(day: date | None) -> str:
    """A date as documents write it: 2026年12月2日 in Chinese, 2 December 2026 in English."""
    if day is None:
        return ""
    if (get_language() or "").startswith("zh"):
        return f"{day.year}年{day.month}月{day.day}日"
    return formats.date_format(day, "j F Y")


@register.filter
def days_to(start: date | None, end: date | None) -> int:
    """The calendar days from ``start`` to ``end``, both counted (a special procedure's expected
    duration: from 5 March to 3 April is 30 days)."""
    if start is None or end is None:
        return 0
    return (end - start).days + 1

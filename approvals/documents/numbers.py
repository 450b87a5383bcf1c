"""Document numbers (文号): one sequence per kind and year, without gaps or duplicates.

A number is taken inside the act's transaction, under the counter's row lock: acts of one kind
queue on it for the moment it takes to issue, and an act that fails gives its number back with
the rest of its transaction. The form is the administration's (settings.DOCUMENT_NUMBER_FORMAT,
e.g. 皖通管许{code}〔{year}〕第{serial:04d}号, and DOCUMENT_KIND_CODES, 受 for an acceptance)."""

from __future__ import annotations

from django.conf import settings

from approvals.models import DocumentCounter


def formatted(kind: str, year: int, serial: int) -> str:
    return settings.DOCUMENT_NUMBER_FORMAT.format(code=settings.DOCUMENT_KIND_CODES[kind], year=year, serial=serial)


def take(kind: str, year: int) -> tuple[int, str]:
    """The next serial of ``kind`` in ``year`` and its number; call inside a transaction."""
    # The row first (a no-op when it exists, and safe when two acts create it at once), then its lock.
    DocumentCounter.objects.bulk_create([DocumentCounter(kind=kind, year=year)], ignore_conflicts=True)
    counter = DocumentCounter.objects.select_for_update().get(kind=kind, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, formatted(kind, year, counter.last)

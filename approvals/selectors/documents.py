"""A case's documents (approvals.models.Document): the list the case page and the API show, in
the order they were issued, and one of them to hand out. Plain ids in (the caller has already
found the application among those the user may see); a queryset or a document out, None for
a document that is not the case's."""

from __future__ import annotations

from django.db.models import QuerySet

from approvals.models import Document


def documents(application_id: int) -> QuerySet:
    """The application's documents, oldest first: one query, whatever their number (a row reads
    only the document's own columns)."""
    return Document.objects.filter(application_id=application_id).order_by("issued_on", "pk")


def document(application_id: int, document_id: int | None) -> Document | None:
    """The document ``document_id`` if it is one of the application's, with the act it records
    (the English reading copy is typeset from it); None otherwise."""
    if document_id is None:
        return None
    return Document.objects.filter(application_id=application_id, pk=document_id).select_related("event").first()

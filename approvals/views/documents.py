"""A case's documents on the screens: the issued PDF and its English reading copy, each after
the case page's own visibility check (a case the user may not see, or a document of another
case, is a 404). The list itself is on the case page (templates/approvals/partials/documents.html)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from approvals.documents import delivery
from approvals.inputs import parse_id
from approvals.models import Document
from approvals.selectors.documents import document as find_document
from approvals.views.common import get_application


def _found(request: HttpRequest, pk: int, doc_id: int):
    app = get_application(request, pk)
    document: Document | None = find_document(app.pk, parse_id(doc_id))
    if document is None:
        raise Http404
    return app, document


@login_required
def document_download(request: HttpRequest, pk: int, doc_id: int) -> HttpResponse:
    """The signed PDF as issued."""
    _app, document = _found(request, pk, doc_id)
    return delivery.stored(document)


@login_required
def document_english(request: HttpRequest, pk: int, doc_id: int) -> HttpResponse:
    """An English reading copy, typeset now, unsigned."""
    app, document = _found(request, pk, doc_id)
    return delivery.reading_copy(document, app)


urlpatterns = [
    path("applications/<int:pk>/documents/<int:doc_id>/", document_download, name="document"),
    path("applications/<int:pk>/documents/<int:doc_id>/english/", document_english, name="document-english"),
]

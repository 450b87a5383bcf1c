"""A document handed out: the stored PDF as issued, and the English reading copy typeset on the
fly from the act it records. For the case page's links and the API alike; each caller checks
first that the user may see the case (approvals.selectors.documents finds the document there)."""

from __future__ import annotations

import io

from django.http import FileResponse, Http404

from approvals import uploads
from approvals.documents import issue, render
from approvals.models import Application, Document, private_storage

PDF = "application/pdf"


def filename(document: Document) -> str:
    """The name a saved copy gets: the document number (Chinese: sent as RFC 5987 ``filename*``)."""
    return f"{document.number}.pdf"


def stored(document: Document) -> FileResponse:
    """The signed PDF as issued, shown inline (the service made it: it is no uploaded file)."""
    try:
        handle = private_storage.open(document.file, "rb")
    except FileNotFoundError:
        raise Http404 from None
    return uploads.file_response(handle, filename=filename(document), content_type=PDF, inline=True)


def act_of(document: Document) -> render.Act | None:
    """The act the document records, from its audit event (None: a document without one)."""
    event = document.event
    if event is None:
        return None
    return render.Act(event.action, event.on, event.note, dict(event.data or {}), event.actor_id)


def reading_copy(document: Document, app: Application) -> FileResponse:
    """The document in English, typeset now from its act: unsigned, and its face says that it
    is a reading copy (templates/documents/base.html ``reading_copy``); the Chinese one is the
    document."""
    act = act_of(document)
    if act is None:
        raise Http404
    copy = issue.face(document, app, act, language="en")
    return uploads.file_response(io.BytesIO(copy), filename=f"{document.number}-en.pdf", content_type=PDF, inline=True)

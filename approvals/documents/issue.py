"""Issuing a document: number, face, signature, storage, hash; in the caller's transaction.

The workflow calls ``issue`` for each act the action catalogue says owes a document
(catalogue.Entry.document), after the clocks are recomputed (a document names the new due
dates) and before the act's audit event is appended (the event carries the document's number
and SHA-256). Anything that fails raises DocumentFailed, and the act fails with it: the number,
the row and the act roll back together, and the stored file is removed (``discard``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import secrets
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals import catalogue
from approvals.codes import readable_code
from approvals.documents import numbers, render, signing
from approvals.models import Application, AuditEvent, Document, private_storage

log = logging.getLogger(__name__)

#: The actions that owe a document, and its kind.
OWED = {e.name: e.document for e in catalogue.ENTRIES if e.document}


class DocumentFailed(Exception):
    """The document could not be issued; ``str()`` says why, for the log and the administrator."""


def owed(action: str) -> str:
    """The kind of document ``action`` issues ("" for none)."""
    return OWED.get(action, "")


_deferred: ContextVar[Callable[[Application], bool] | None] = ContextVar("documents_deferred", default=None)


@contextlib.contextmanager
def deferred(unless: Callable[[Application], bool] = lambda app: False) -> Iterator[None]:
    """Acts taken inside leave their documents to ``issue_documents --missing`` (issued later,
    dated as the act), except on the applications ``unless`` names. For loading a history in
    bulk (seed_demo): typesetting some 400 documents in a row would keep a newcomer waiting."""
    token = _deferred.set(unless)
    try:
        yield
    finally:
        _deferred.reset(token)


def issued_now(app: Application, action: str) -> bool:
    """Whether ``action`` on ``app`` issues its document now, in the act's transaction."""
    if not owed(action):
        return False
    unless = _deferred.get()
    return unless is None or unless(app)


def _path(document: Document) -> str:
    return f"documents/{document.year}/{document.kind}-{document.serial:05d}-{secrets.token_hex(4)}.pdf"


def face(document: Document, app: Application, act: render.Act, *, language: str = render.ISSUED_LANGUAGE) -> bytes:
    """The document typeset (not signed): the issued face, or a reading copy in ``language``."""
    return render.pdf(render.html(document, render.context(document, app, act), language=language))


def issue(app: Application, act: render.Act, *, event: AuditEvent | None = None, late: bool = False) -> Document:
    """Issue the document ``act`` owes, dated as the act; ``late`` for one issued afterwards."""
    kind = owed(act.action)
    if not kind:
        raise ValueError(f"{act.action} issues no document")
    try:
        signer = signing.current()
    except signing.SigningUnavailable as exc:
        raise DocumentFailed(str(exc)) from None
    serial, number = numbers.take(kind, act.on.year)
    document = Document(
        application=app,
        kind=kind,
        number=number,
        year=act.on.year,
        serial=serial,
        code=readable_code(),
        issued_on=act.on,
        issued_at=timezone.now(),
        late=late,
        event=event,
        signer=signer.subject,
        test_signature=signer.test,
    )
    try:
        signed = signing.sign(
            face(document, app, act),
            reason=_("%(kind)s %(number)s") % {"kind": document.get_kind_display(), "number": number},
            location=settings.ADMINISTRATION_PLACE,
        )
    except Exception as exc:  # typesetting or signing: the act cannot go on without it
        log.exception("document %s for %s not issued", number, app.tracking_number)
        raise DocumentFailed(f"{type(exc).__name__}: {exc}") from exc
    document.sha256 = hashlib.sha256(signed).hexdigest()
    document.size = len(signed)
    document.file = private_storage.save(_path(document), ContentFile(signed))
    try:
        document.save()
    except Exception:
        discard([document])
        raise
    return document


def recorded(document: Document) -> dict[str, str]:
    """What the audit chain keeps of a document (on its act's event, or its own)."""
    return {"kind": document.kind, "number": document.number, "sha256": document.sha256}


def discard(documents: list[Document]) -> None:
    """Remove the stored files of documents whose act failed after they were issued."""
    for document in documents:
        if document.file:
            private_storage.delete(document.file)

"""Verification (验真): anyone holding a document can check it, without an account.

By its number and the verification code printed on it (the QR code carries both): the issuing
body, the kind, the number, the date, the case's public status and the document's SHA-256,
nothing else. A wrong code gets the same answer as an unknown number. By the PDF itself: whether
it is byte for byte a document this office issued, and whether its signature is intact and made
with the administration's certificate. The pages and the API call these; they throttle.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from approvals.documents import signing
from approvals.models import Document

MAX_PDF_BYTES = 5 * 1024 * 1024  # an issued document is a few hundred KB


@dataclass(frozen=True)
class Facts:
    """What verification shows of a document: what the document itself prints, and the case's status."""

    issuer: str
    kind: str
    kind_display: str
    number: str
    issued_on: date
    late: bool
    status: str
    status_display: str
    sha256: str
    test_signature: bool


@dataclass(frozen=True)
class Checked:
    """An uploaded PDF: the issued document it is byte for byte (None: none), and its signature."""

    document: Facts | None
    signature: signing.Validation

    @property
    def issued(self) -> bool:
        return self.document is not None


def normal_code(raw: str) -> str:
    """A code as typed or scanned: any case, with or without its dash and spaces."""
    return "".join(raw.split()).replace("-", "").upper()


def facts(document: Document) -> Facts:
    app = document.application
    return Facts(
        issuer=settings.ADMINISTRATION_NAME,
        kind=document.kind,
        kind_display=str(document.get_kind_display()),
        number=document.number,
        issued_on=document.issued_on,
        late=document.late,
        status=app.state,
        status_display=str(app.get_state_display()),
        sha256=document.sha256,
        test_signature=document.test_signature,
    )


def lookup(number: str, code: str) -> Facts | None:
    """The document of ``number`` if ``code`` is its verification code; None otherwise (the same
    None for an unknown number and a wrong code)."""
    document = Document.objects.select_related("application").filter(number=number.strip()).first()
    given = normal_code(code)
    if document is None or not hmac.compare_digest(given.encode(), document.code.encode()):
        return None
    return facts(document)


def check_pdf(data: bytes) -> Checked:
    """Whether ``data`` is an issued document, and whether its signature is valid."""
    digest = hashlib.sha256(data).hexdigest()
    document = Document.objects.select_related("application").filter(sha256=digest).first()
    return Checked(facts(document) if document else None, signing.validate(data))


class InMemoryUpload(FileUploadHandler):
    """The upload handler of the verification's requests: a file is kept in memory, never in a
    temporary file on disk (Django's default for a file over 2.5 MB), and only its first
    MAX_PDF_BYTES + 1 bytes (the rest is read and dropped); its ``size`` is the whole file's, so
    a file too big is refused by its size. Set before the request's body is read."""

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        room = MAX_PDF_BYTES + 1 - self.buffer.tell()
        if room > 0:
            self.buffer.write(raw_data[:room])
        return None  # no other handler sees the data

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer, self.field_name, self.file_name, self.content_type, file_size, self.charset
        )

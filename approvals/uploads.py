"""Checks on uploaded materials: size, and a type told by the file's first bytes, not its name."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# extension -> (content type, the bytes every such file starts with)
ACCEPTED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    # OFD, the national e-document format (GB/T 33190), is a ZIP container.
    ".ofd": ("application/ofd", (b"PK\x03\x04",)),
}


class UploadRejected(ValueError):
    """A file refused, with the reason for the person who chose it."""


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str


def accepted_types_text() -> str:
    return _("PDF, JPEG, PNG or OFD, at most %(size)s each") % {"size": filesizeformat(settings.UPLOAD_MAX_BYTES)}


def check(upload: UploadedFile) -> CheckedFile:
    """Refuse empty, oversized, misnamed or mistyped files; return what to store about the rest."""
    name = PurePath(upload.name or "").name.strip()
    if not name:
        raise UploadRejected(_("The file has no name."))
    if len(name) > 150:
        raise UploadRejected(_("The file name is longer than 150 characters: rename the file."))
    if upload.size == 0:
        raise UploadRejected(_("“%(name)s” is empty.") % {"name": name})
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise UploadRejected(
            _("“%(name)s” is %(size)s; files may be at most %(max)s.")
            % {"name": name, "size": filesizeformat(upload.size), "max": filesizeformat(settings.UPLOAD_MAX_BYTES)}
        )
    extension = PurePath(name).suffix.lower()
    if extension not in ACCEPTED:
        raise UploadRejected(
            _("“%(name)s” is not an accepted type: use %(types)s.") % {"name": name, "types": accepted_types_text()}
        )
    content_type, signatures = ACCEPTED[extension]
    upload.seek(0)
    head = upload.read(16)
    if not head.startswith(signatures):
        raise UploadRejected(
            _("“%(name)s” does not contain what its name says (%(ext)s): it may be damaged or renamed.")
            % {"name": name, "ext": extension}
        )
    upload.seek(0)
    sha = hashlib.sha256()
    for chunk in upload.chunks():
        sha.update(chunk)
    upload.seek(0)
    return CheckedFile(name, content_type, upload.size, sha.hexdigest())


def serve(material) -> FileResponse:
    """A material as a download, for the screens and the API alike (each checks first that the
    caller may see its application): never rendered inline, never kept by a shared cache."""
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=material.name, content_type=material.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

"""Uploaded materials: the checks (size, and a type told by the file's first bytes, not its name),
the files kept aside while a form comes back with errors, and the download response."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
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


# -- files chosen with a form that came back with errors --------------------------------------------


@dataclass(frozen=True)
class Kept:
    token: str
    name: str
    size: int


class PendingUploads:
    """The files a user chose with a form that came back with errors, kept aside in private
    storage and remembered in the session, offered again until the form is saved (nothing a user
    chose is lost) and forgotten after a day."""

    KEY = "enterprise-pending-uploads"
    LIFETIME = timedelta(days=1)

    def __init__(self, session) -> None:
        self.session = session

    def _entries(self) -> dict[str, dict]:
        return dict(self.session.get(self.KEY, {}))

    def drop(self, tokens: Iterable[str]) -> None:
        from approvals.models import private_storage

        entries = self._entries()
        for token in tokens:
            entry = entries.pop(token, None)
            if entry is not None:
                private_storage.delete(entry["path"])
        self.session[self.KEY] = entries

    def prune(self) -> None:
        """Forget kept files older than a day: this session's, and any left by ended sessions."""
        from approvals.models import private_storage

        cutoff = timezone.now() - self.LIFETIME
        self.drop([t for t, e in self._entries().items() if datetime.fromisoformat(e["at"]) < cutoff])
        try:
            _dirs, names = private_storage.listdir("pending")
        except FileNotFoundError:
            return
        for name in names:
            if private_storage.get_modified_time(f"pending/{name}") < cutoff:
                private_storage.delete(f"pending/{name}")

    def ticked(self, post: Mapping) -> list[Kept]:
        """The kept files the form still ticks; those it offered and the user unticked are dropped."""
        entries = self._entries()
        ticked = [t for t in post.getlist("kept") if t in entries]
        self.drop([t for t in post.getlist("offered") if t in entries and t not in ticked])
        return [Kept(t, entries[t]["name"], entries[t]["size"]) for t in dict.fromkeys(ticked)]

    def keep(self, files: Iterable[UploadedFile]) -> tuple[list[Kept], list[str]]:
        """Keep the acceptable files aside; the others are refused with the reason."""
        from approvals.models import private_storage

        self.prune()
        kept, refused = [], []
        entries = self._entries()
        for upload in files:
            try:
                checked = check(upload)
            except UploadRejected as exc:
                refused.append(str(exc))
                continue
            token = secrets.token_urlsafe(16)
            stored = private_storage.save(f"pending/{token}", upload)
            at = timezone.now().isoformat()
            entries[token] = {"name": checked.name, "size": checked.size, "path": stored, "at": at}
            kept.append(Kept(token, checked.name, checked.size))
        self.session[self.KEY] = entries
        return kept, refused

    def open(self, item: Kept) -> UploadedFile | None:
        """The kept file, to attach; None if it is gone (kept too long)."""
        from approvals.models import private_storage

        entry = self._entries().get(item.token)
        try:
            return UploadedFile(private_storage.open(entry["path"], "rb"), item.name, "", item.size)
        except (TypeError, FileNotFoundError):
            return None

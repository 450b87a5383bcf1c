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


def file_response(handle, *, filename: str, content_type: str, inline: bool = False) -> FileResponse:
    """A private file's response (a material, a document): its type as stored, never sniffed,
    never kept by a shared cache; a download unless ``inline`` (only for what the service made
    itself: an uploaded file is never shown in the site's origin). A name that is not ASCII goes
    as RFC 5987's ``filename*``."""
    response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def serve(material) -> FileResponse:
    """A material as a download, for the screens and the API alike (each checks first that the
    caller may see its application): never rendered inline, never kept by a shared cache."""
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return file_response(handle, filename=material.name, content_type=material.content_type)


# -- files chosen with a form that came back with errors --------------------------------------------

#: The defaults of the quotas (settings of the same names): how many files one form may carry at
#: once and their total size (the files of one request, kept aside or attached), and the total
#: size of the files one user may have kept aside, in all their sessions.
UPLOAD_REQUEST_MAX_FILES = 10
UPLOAD_REQUEST_MAX_BYTES = 100 * 1024 * 1024
UPLOAD_PENDING_MAX_BYTES = 100 * 1024 * 1024


def quota(name: str) -> int:
    return getattr(settings, name, globals()[name])


def over_request_quota(files: Iterable[UploadedFile]) -> str | None:
    """Why the files one request carries are too many or too large together, or None: such a
    request is refused whole (nothing kept, nothing attached), with this message on the form."""
    files = list(files)
    count, size = len(files), sum(upload.size or 0 for upload in files)
    most, most_bytes = quota("UPLOAD_REQUEST_MAX_FILES"), quota("UPLOAD_REQUEST_MAX_BYTES")
    if count <= most and size <= most_bytes:
        return None
    return _(
        "You chose %(count)s files (%(size)s) at once; a form takes at most %(most)s files and %(max)s "
        "at a time. Nothing was saved: choose fewer files, save, then add the others."
    ) % {"count": count, "size": filesizeformat(size), "most": most, "max": filesizeformat(most_bytes)}


@dataclass(frozen=True)
class Kept:
    token: str
    name: str
    size: int


class PendingUploads:
    """The files a user chose with a form that came back with errors, kept aside in private
    storage (``pending/<user id>-<token>``) and remembered in the session, offered again until the form
    is saved (nothing a user chose is lost) and forgotten after a day (``clean_expired``, a
    scheduled task, deletes what ended sessions left). One user's kept files come to at most
    UPLOAD_PENDING_MAX_BYTES, whatever their sessions."""

    KEY = "enterprise-pending-uploads"
    LIFETIME = timedelta(days=1)

    def __init__(self, session, owner: int) -> None:
        self.session = session
        self.owner = owner

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
        """Forget this session's kept files older than a day (``clean_expired`` deletes those of
        sessions that ended)."""
        cutoff = timezone.now() - self.LIFETIME
        self.drop([t for t, e in self._entries().items() if datetime.fromisoformat(e["at"]) < cutoff])

    def ticked(self, post: Mapping) -> list[Kept]:
        """The kept files the form still ticks; those it offered and the user unticked are dropped."""
        entries = self._entries()
        ticked = [t for t in post.getlist("kept") if t in entries]
        self.drop([t for t in post.getlist("offered") if t in entries and t not in ticked])
        return [Kept(t, entries[t]["name"], entries[t]["size"]) for t in dict.fromkeys(ticked)]

    def waiting_bytes(self) -> int:
        """The size of the files kept aside for this user, in every session of theirs."""
        from approvals.models import private_storage

        try:
            _dirs, names = private_storage.listdir("pending")
        except FileNotFoundError:
            return 0
        total = 0
        for name in names:
            if name.startswith(f"{self.owner}-"):
                try:
                    total += private_storage.size(f"pending/{name}")
                except FileNotFoundError:  # deleted meanwhile
                    continue
        return total

    def keep(self, files: Iterable[UploadedFile]) -> tuple[list[Kept], list[str]]:
        """Keep the acceptable files aside; the others are refused with the reason (a file that
        does not pass ``check``, or one past the user's UPLOAD_PENDING_MAX_BYTES)."""
        from approvals.models import private_storage

        self.prune()
        kept, refused = [], []
        entries = self._entries()
        waiting, most = self.waiting_bytes(), quota("UPLOAD_PENDING_MAX_BYTES")
        for upload in files:
            try:
                checked = check(upload)
            except UploadRejected as exc:
                refused.append(str(exc))
                continue
            if waiting + checked.size > most:
                refused.append(
                    _(
                        "“%(name)s” was not kept: the files waiting for you to save a form already come to "
                        "%(size)s, and at most %(max)s are kept. Save the form, or untick files you do not need, "
                        "then choose it again."
                    )
                    % {"name": checked.name, "size": filesizeformat(waiting), "max": filesizeformat(most)}
                )
                continue
            token = secrets.token_urlsafe(16)
            stored = private_storage.save(f"pending/{self.owner}-{token}", upload)
            waiting += checked.size
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


def clean_expired(now: datetime | None = None) -> int:
    """Delete the kept-aside files older than PendingUploads.LIFETIME, every user's; returns how
    many. Safe to run anywhere and often: a file deleted meanwhile is skipped."""
    from approvals.models import private_storage

    cutoff = (now or timezone.now()) - PendingUploads.LIFETIME
    deleted = 0
    try:
        _dirs, names = private_storage.listdir("pending")
    except FileNotFoundError:
        return 0
    for path in (f"pending/{name}" for name in names):
        try:
            if private_storage.get_modified_time(path) < cutoff:
                private_storage.delete(path)
                deleted += 1
        except FileNotFoundError:
            continue
    return deleted


def clean_pending_task() -> int:
    """django-q2's hourly clean-up (approvals.schedules)."""
    return clean_expired()

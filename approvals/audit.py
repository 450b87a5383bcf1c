"""The audit trail: append-only, hash-chained.

Each event's hash covers the previous event's hash and the event's own content, and the chain
head (AuditHead) keeps the newest hash: changing, removing or reordering any event breaks the
chain at that event, and removing the newest ones no longer matches the head. Only
approvals.workflow appends.

Each issued document's SHA-256 is in the chain too (on its act's event, or on the
``document_issued`` event of one issued later): ``verify_documents`` checks that every stored
file is still the one whose hash the chain recorded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date

from django.utils import timezone

from approvals.kept import department_scope, figures_scope, officer_scope, organisation_scope
from approvals.models import Application, AuditEvent, AuditHead, Document, KeptVersion, private_storage
from approvals.rows import insert_rows

GENESIS = "0" * 64


@dataclass(frozen=True)
class Draft:
    """An event to append; the chain fills in time and hashes."""

    application: Application | None
    actor_id: int | None
    action: str
    on: date
    from_state: str = ""
    to_state: str = ""
    note: str = ""
    data: dict | None = None
    #: Nothing for the outbox to deliver: its people are told otherwise (an appointment's own
    #: notifications) or not at all (a calendar upload's status). Marked delivered at once.
    delivered: bool = False


def digest(prev_hash: str, event: AuditEvent) -> str:
    content = [
        prev_hash,
        event.application_id,
        event.actor_id,
        event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        event.on.isoformat(),
        event.action,
        event.from_state,
        event.to_state,
        event.note,
        event.data,
    ]
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(drafts: Iterable[Draft]) -> list[AuditEvent]:
    """Append events in order. Call inside the caller's transaction: the head's row lock, taken
    last, serialises appends without holding other transactions up for long."""
    drafts = list(drafts)
    if not drafts:
        return []
    head = AuditHead.objects.select_for_update().get(pk=1)
    now = timezone.now()
    events = []
    prev = head.last_hash
    for draft in drafts:
        event = AuditEvent(
            application=draft.application,
            actor_id=draft.actor_id,
            at=now,
            on=draft.on,
            action=draft.action,
            from_state=draft.from_state,
            to_state=draft.to_state,
            note=draft.note,
            data=draft.data or {},
            prev_hash=prev,
            notified_at=now if draft.delivered else None,
        )
        event.hash = prev = digest(prev, event)
        events.append(event)
    insert_rows(events)
    created = events
    count = head.count + len(events)
    AuditHead.objects.filter(pk=1).update(last_hash=prev, count=count)
    _move_versions(drafts, count)
    return created


#: The fields of an application that say whose pages it is on (``scopes``).
SCOPE_FIELDS = ("department_id", "officer_id", "organisation_id", "decided_on")


def scopes(
    department_id: int | None, officer_id: int | None, organisation_id: int | None, decided_on: date | None = None
) -> list[str]:
    """The kept pages' scopes (``KeptVersion``) an application of these is on: its department's
    pages, its officer's and its organisation's; and, once it is decided, its department's
    on-time figures and every department's, which nothing else moves."""
    found = [department_scope(department_id)]
    if decided_on is not None:
        found += [figures_scope(department_id), figures_scope(None, every=True)]
    if officer_id is not None:
        found.append(officer_scope(officer_id))
    if organisation_id is not None:
        found.append(organisation_scope(organisation_id))
    return found


def _move_versions(drafts: list[Draft], count: int) -> None:
    """Set the version of every scope the drafts' applications are on to the chain's new
    ``count`` (so it only grows), in one statement; an event of a reassignment moves its
    previous officer's pages too. Events of no application (a calendar upload's status) move
    only the chain's count, which the pages of every department key on. The rows are locked
    after the head, which serialises appends: no two appends wait on each other's rows."""
    moved: set[str] = set()
    unread: set[int] = set()
    for draft in drafts:
        app = draft.application
        if app is None:
            continue
        if all(name in app.__dict__ for name in SCOPE_FIELDS):
            moved.update(scopes(*(getattr(app, name) for name in SCOPE_FIELDS)))
        else:  # loaded with only() some fields: read its scopes below, all at once
            unread.add(app.pk)
        previous = (draft.data or {}).get("previous_officer")
        if previous:
            moved.add(officer_scope(previous))
    if unread:
        for fields in Application.objects.filter(pk__in=unread).values_list(*SCOPE_FIELDS):
            moved.update(scopes(*fields))
    if moved:
        KeptVersion.objects.bulk_create(
            [KeptVersion(scope=scope, version=count) for scope in sorted(moved)],
            update_conflicts=True,
            unique_fields=["scope"],
            update_fields=["version"],
        )


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


def verify_chain(batch: int = 2000) -> Verdict:
    """Walk the whole chain in id order; name the first event that does not fit.

    The head is read first: events appended while the walk runs are checked too, and the head's
    snapshot must match the chain at the position it names, so a live system is not reported as
    tampered with."""
    head = AuditHead.objects.get(pk=1)
    prev = GENESIS
    at_head = GENESIS if head.count == 0 else None
    checked = 0
    last_id = 0
    while True:
        rows = list(AuditEvent.objects.filter(pk__gt=last_id).order_by("pk")[:batch])
        if not rows:
            break
        for event in rows:
            if event.prev_hash != prev:
                return Verdict(False, checked, event.pk, "its previous hash is not the hash of the event before it")
            if digest(prev, event) != event.hash:
                return Verdict(False, checked, event.pk, "its content does not match its hash")
            prev = event.hash
            checked += 1
            last_id = event.pk
            if checked == head.count:
                at_head = prev
    if checked < head.count or at_head != head.last_hash:
        return Verdict(False, checked, None, "the newest events are missing (the chain head does not match)")
    return Verdict(True, checked)


@dataclass(frozen=True)
class DocumentVerdict:
    checked: int
    bad_number: str = ""  # the first document that does not fit
    reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.bad_number


def _file_digest(name: str) -> str:
    sha = hashlib.sha256()
    with private_storage.open(name, "rb") as stored:
        for chunk in iter(lambda: stored.read(1 << 16), b""):
            sha.update(chunk)
    return sha.hexdigest()


def verify_documents(batch: int = 500) -> DocumentVerdict:
    """Every issued document, in id order: the chain records its number and SHA-256, and its
    stored file has that SHA-256. Run after ``verify_chain``, which vouches for what the chain says."""
    checked = 0
    documents = Document.objects.select_related("recorded_in").order_by("pk")
    for document in documents.iterator(chunk_size=batch):
        recorded = (document.recorded_in.data or {}).get("document", {}) if document.recorded_in else {}
        if recorded.get("number") != document.number or recorded.get("sha256") != document.sha256:
            return DocumentVerdict(checked, document.number, "the audit chain does not record it as it is")
        try:
            found = _file_digest(document.file)
        except OSError:
            return DocumentVerdict(checked, document.number, "its file is missing")
        if found != document.sha256:
            return DocumentVerdict(checked, document.number, "its file is not the one issued (its SHA-256 differs)")
        checked += 1
    return DocumentVerdict(checked)

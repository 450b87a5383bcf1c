"""Documents owed by acts recorded before documents were issued (``issue_documents --missing``).

A live act issues its document in its own transaction (core._finish). An act recorded earlier has
none: ``issue_missing`` issues it now, dated as the act and marked as issued later, and appends a
``document_issued`` audit event carrying its number and SHA-256 (the act's own event cannot change).
Each in its own transaction, under the application's lock; an act that has its document is
skipped, so running it twice issues nothing the second time."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.db import connection, transaction

from approvals import audit
from approvals.documents import issue, render
from approvals.models import AuditEvent, Document
from approvals.workflow.core import _lock


@dataclass
class Backfill:
    issued: list[str] = field(default_factory=list)  # the numbers issued
    failed: dict[int, str] = field(default_factory=dict)  # audit event id: why


def owed_events():
    """The recorded acts that owe a document and have none, oldest first."""
    return AuditEvent.objects.filter(action__in=issue.OWED, document__isnull=True, application__isnull=False).order_by(
        "pk"
    )


def issue_for(event_id: int) -> Document | None:
    """Issue the document the recorded act ``event_id`` owes (None when it has one already)."""
    with transaction.atomic():
        event = AuditEvent.objects.get(pk=event_id)
        app = _lock(event.application_id)
        if Document.objects.filter(event_id=event.pk).exists():
            return None
        act = render.Act(event.action, event.on, event.note, dict(event.data), event.actor_id)
        document = issue.issue(app, act, event=event, late=True)
        try:
            (recorded,) = audit.append(
                [
                    audit.Draft(
                        application=app,
                        actor_id=None,
                        action="document_issued",
                        on=event.on,
                        data={"document": issue.recorded(document), "act": event.pk},
                        delivered=True,
                    )
                ]
            )
            Document.objects.filter(pk=document.pk).update(recorded_in=recorded)
        except BaseException:
            issue.discard([document])
            raise
        document.recorded_in = recorded
        return document


#: On SQLite, the background backfill's pause between two documents. Each document takes the
#: database's one write lock while it is typeset and signed, and a backfill takes it again at
#: once: a request waiting for the lock (a sign-in just after `make run` seeded the demo) polls
#: every 100 ms at most, so without a gap it could wait past its 20 s timeout and answer 503
#: (3 sign-ins in 40 did, measured; none with the pause). PostgreSQL locks rows, not the database.
SQLITE_PAUSE = 0.15

#: The background backfill issues this many documents a task, then queues the next task: each
#: ends well within Q_CLUSTER's 120 s timeout however many are owed (the demo's 327 in one task
#: were stopped at 120 s and handed out again only after the 1,000 s retry).
BACKFILL_BATCH = 20
BACKFILL_TASK = "approvals.workflow.documents.issue_missing_in_background"


def issue_missing(limit: int | None = None, *, pause: float = 0.0) -> Backfill:
    """Issue every owed document (at most ``limit``, ``pause`` seconds apart); a failure is
    reported and the rest go on."""
    result = Backfill()
    ids = list(
        owed_events().values_list("pk", flat=True)[:limit] if limit else owed_events().values_list("pk", flat=True)
    )
    for n, event_id in enumerate(ids):
        if n and pause:
            time.sleep(pause)
        try:
            document = issue_for(event_id)
        except issue.DocumentFailed as exc:
            result.failed[event_id] = str(exc)
            continue
        if document is not None:
            result.issued.append(document.number)
    return result


def queue_backfill(batch: int = BACKFILL_BATCH) -> None:
    """Have the worker issue the owed documents, ``batch`` a task (issue_missing_in_background)."""
    from django_q.tasks import async_task

    async_task(BACKFILL_TASK, batch, group="documents")


def issue_missing_in_background(batch: int = BACKFILL_BATCH) -> Backfill:
    """The worker's backfill: ``batch`` owed documents, then the next batch as a new task while
    this one issued any (documents that keep failing do not queue tasks for ever: the last
    batch's failures are in its result, and `manage.py issue_documents --missing` retries)."""
    result = issue_missing(batch, pause=SQLITE_PAUSE if connection.vendor == "sqlite" else 0.0)
    if result.issued and owed_events().exists():
        queue_backfill(batch)
    return result

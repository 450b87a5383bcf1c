"""Who hears about what, and the in-app notifications.

The workflow calls ``notify`` inside its transaction (in-app notifications are part of the
change) and ``queue`` to run ``deliver`` in the django-q2 worker once the transaction commits.
The audit event is the outbox: ``notified_at`` marks it delivered; the unique (recipient, event)
constraint makes telling someone twice about one event impossible.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.labels import ACTIONS
from approvals.models import Application, AuditEvent, Notification, Role, User

# Who is told: the applicant's organisation, the case officer, the department's managers, the provider.
APPLICANT, OFFICER, MANAGERS, PROVIDER = "applicant", "officer", "managers", "provider"
AUDIENCE = {
    "submit": {OFFICER},
    "submit_to_provider": {PROVIDER},
    "return_to_applicant": {APPLICANT},
    "forward_to_administration": {APPLICANT, OFFICER},
    "accept": {APPLICANT},
    "deem_accepted": {APPLICANT, OFFICER, MANAGERS},
    "refuse_to_accept": {APPLICANT},
    "request_correction": {APPLICANT},
    "resubmit": {OFFICER},
    "start_special_procedure": {APPLICANT},
    "end_special_procedure": {APPLICANT},
    "request_extension": {MANAGERS},
    "approve_extension": {APPLICANT, OFFICER},
    "reject_extension": {OFFICER},
    "grant": {APPLICANT},
    "deny": {APPLICANT},
    "serve_certificate": {APPLICANT},
    "file": {APPLICANT, PROVIDER},
    "refuse_filing": {APPLICANT, PROVIDER},
    "withdraw": {OFFICER},
    "reassign": {OFFICER},
    "due_date_moved": {APPLICANT, OFFICER},
}


def recipients(event: AuditEvent, app: Application) -> set[int]:
    """The ids of the users to tell about ``event`` (never its own actor)."""
    audience = AUDIENCE.get(event.action, set())
    who = Q(pk__in=[])
    if APPLICANT in audience:
        who |= Q(role=Role.ENTERPRISE, organisation_id=app.organisation_id)
    if PROVIDER in audience and app.provider_id:
        who |= Q(role=Role.PROVIDER, organisation_id=app.provider_id)
    if OFFICER in audience:
        officers = {app.officer_id, event.data.get("previous_officer")} - {None}
        who |= Q(pk__in=officers)
    if MANAGERS in audience and app.department_id:
        who |= Q(role=Role.MANAGER, department_id=app.department_id)
    ids = set(User.objects.filter(who, is_active=True).values_list("pk", flat=True))
    ids.discard(event.actor_id)
    return ids


def notify(events: Iterable[AuditEvent]) -> int:
    """Create the in-app notifications for ``events``, inside the workflow's transaction: who
    is told is decided as the event happens (the officer then, not the officer later), and a
    rolled-back change tells nobody. A second call for the same events adds nothing."""
    events = [event for event in events if event.application is not None]
    told = set(Notification.objects.filter(event__in=events).values_list("event_id", "recipient_id"))
    rows = []
    for event in events:
        app = event.application
        data = {"tracking_number": app.tracking_number or "", **event.data}
        rows += [
            Notification(recipient_id=user_id, application=app, event=event, kind=event.action, data=data)
            for user_id in sorted(recipients(event, app))
            if (event.pk, user_id) not in told
        ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)  # a concurrent run may have won
    return len(rows)


def deliver(event_ids: Iterable[int]) -> int:
    """The after-commit part of telling people (the django-q2 task): marks the events as
    delivered. Safe to run twice or concurrently; returns how many it marked."""
    return AuditEvent.objects.filter(pk__in=list(event_ids), notified_at__isnull=True).update(
        notified_at=timezone.now()
    )


def queue(event_ids: list[int]) -> None:
    """Deliver after the current transaction commits, in the django-q2 worker."""
    from django_q.tasks import async_task

    if event_ids:
        transaction.on_commit(lambda: async_task("approvals.notifications.deliver", event_ids))


def text(notification: Notification) -> str:
    """The notification in the active language."""
    label = ACTIONS.get(notification.kind, notification.kind)
    number = notification.data.get("tracking_number") or ""
    return f"{number} {label}".strip()


FIELD_LABELS = {
    "acceptance_due": _("acceptance due"),
    "due_date": _("due date"),
    "statutory_due": _("statutory due date"),
    "certificate_due": _("certificate due"),
}


def describe(event: AuditEvent) -> str:
    """One line for a timeline or an audit list, in the active language, e.g.
    "due date 2027-01-08 → 2027-01-11: 2027 schedule loaded"."""
    if event.action == "due_date_moved":
        moves = "; ".join(
            f"{FIELD_LABELS.get(field, field)} {old or '—'} → {new or '—'}" for field, (old, new) in event.data.items()
        )
        return f"{moves}: {event.note}" if event.note else moves
    label = str(ACTIONS.get(event.action, event.action))
    return f"{label}: {event.note}" if event.note else label

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

from approvals.models import Application, AuditEvent, Notification, Role, User

# What each action is called, in timelines and notifications.
ACTIONS = {
    "created": _("Draft created"),
    "updated": _("Draft updated"),
    "material_added": _("Material added"),
    "submit": _("Submitted"),
    "submit_to_provider": _("Sent to the access provider"),
    "return_to_applicant": _("Returned by the access provider"),
    "forward_to_administration": _("Reached the administration"),
    "accept": _("Accepted"),
    "deem_accepted": _("Deemed accepted (no answer within 5 working days)"),
    "refuse_to_accept": _("Not accepted"),
    "request_correction": _("Correction notice sent"),
    "resubmit": _("Corrections submitted"),
    "start_special_procedure": _("Special procedure started: clock paused"),
    "end_special_procedure": _("Special procedure ended: clock running"),
    "request_extension": _("Extension requested"),
    "approve_extension": _("Extension approved"),
    "reject_extension": _("Extension rejected"),
    "grant": _("Granted"),
    "deny": _("Denied"),
    "serve_certificate": _("Certificate served"),
    "file": _("Filed"),
    "refuse_filing": _("Filing refused"),
    "withdraw": _("Withdrawn"),
    "reassign": _("Reassigned"),
    "due_date_moved": _("Due date moved by a calendar change"),
}

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

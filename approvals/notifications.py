"""Who hears about what, and the in-app notifications.

The workflow calls ``notify`` inside its transaction (in-app notifications are part of the
change) and ``queue`` to run ``deliver`` in the django-q2 worker once the transaction commits.
The audit event is the outbox: ``notified_at`` marks it delivered; the unique (recipient, event)
constraint makes telling someone twice about one event impossible.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template import Context, engines
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from approvals import catalogue
from approvals.addresses import absolute
from approvals.catalogue import ADMINS, APPLICANT, MANAGERS, OFFICER, PROVIDER
from approvals.clocks import LABELS as CLOCK_LABELS
from approvals.labels import ACTIONS
from approvals.models import (
    CLOCK_DUE_COLUMNS,
    Application,
    AuditEvent,
    Document,
    DocumentKind,
    Notification,
    Role,
    User,
)
from approvals.rows import insert_rows

# Who is told of each action, from the action catalogue.
AUDIENCE = {e.name: set(e.audience) for e in catalogue.ENTRIES if e.audience}
# SLA alerts (DOMAIN.md): the officer hears of every level, the department's managers of red and
# severe, the administrators of severe too.
ALERT_AUDIENCE = {
    "yellow": {OFFICER},
    "red": {OFFICER, MANAGERS},
    "severe": {OFFICER, MANAGERS, ADMINS},
}
# Kinds that also go by email (to users with an address): what someone must act on (the catalogue).
EMAILED = frozenset(e.name for e in catalogue.ENTRIES if e.emailed)


def audience(event: AuditEvent) -> set[str]:
    """Who, by role in the case, hears of ``event`` (the catalogue's audience; an alert's by level)."""
    if event.action == "alert":
        return ALERT_AUDIENCE.get(event.data.get("level"), set())
    return AUDIENCE.get(event.action, set())


def recipients(events: list[AuditEvent]) -> dict[int, dict[int, str]]:
    """The users to tell about each event (never its own actor), with their email addresses, by
    event id: one query for any number of events."""
    wanted = [(event, event.application, audience(event)) for event in events]
    organisations = {(Role.ENTERPRISE, app.organisation_id) for _e, app, who in wanted if APPLICANT in who}
    organisations |= {
        (Role.PROVIDER, app.provider_id) for _e, app, who in wanted if PROVIDER in who and app.provider_id
    }
    officers = {pk for event, app, who in wanted if OFFICER in who for pk in _officers(event, app)}
    departments = {app.department_id for _e, app, who in wanted if MANAGERS in who and app.department_id}
    admins = any(ADMINS in who for _e, _app, who in wanted)
    query = Q(pk__in=officers) | Q(role=Role.MANAGER, department_id__in=departments)
    for role in (Role.ENTERPRISE, Role.PROVIDER):
        query |= Q(role=role, organisation_id__in={org for r, org in organisations if r == role})
    if admins:
        query |= Q(role=Role.ADMIN)
    users = []
    if officers or departments or organisations or admins:
        users = list(
            User.objects.filter(query, is_active=True).values_list(
                "pk", "email", "role", "organisation_id", "department_id"
            )
        )
    email = {pk: address for pk, address, *_rest in users}
    members: dict[tuple, list[int]] = {}  # (role, organisation or department) -> users
    for pk, _address, role, organisation, department in users:
        scope = None if role == Role.ADMIN else department if role == Role.MANAGER else organisation
        members.setdefault((role, scope), []).append(pk)
    found: dict[int, dict[int, str]] = {}
    for event, app, who in wanted:
        told = [pk for pk in _officers(event, app) if pk in email] if OFFICER in who else []
        if APPLICANT in who:
            told += members.get((Role.ENTERPRISE, app.organisation_id), [])
        if PROVIDER in who and app.provider_id:
            told += members.get((Role.PROVIDER, app.provider_id), [])
        if MANAGERS in who and app.department_id:
            told += members.get((Role.MANAGER, app.department_id), [])
        if ADMINS in who:
            told += members.get((Role.ADMIN, None), [])
        found[event.pk] = {pk: email[pk] for pk in told if pk != event.actor_id}
    return found


def _officers(event: AuditEvent, app: Application) -> set[int]:
    """The officers an event concerns: the case's, and the one it was taken from (a reassignment)."""
    return {app.officer_id, event.data.get("previous_officer")} - {None}


def notify(events: Iterable[AuditEvent]) -> int:
    """Create the in-app notifications for ``events``, inside the workflow's transaction: who
    is told is decided as the event happens (the officer then, not the officer later), and a
    rolled-back change tells nobody. A second call for the same events adds nothing. A constant
    number of queries for any number of events."""
    events = [event for event in events if event.application is not None]
    if not events:
        return 0
    told = set(Notification.objects.filter(event__in=events).values_list("event_id", "recipient_id"))
    issued = _document_ids(events)
    to_tell = recipients(events)
    rows = []
    for event in events:
        app = event.application
        data = {"tracking_number": app.tracking_number or "", **event.data}
        if data.get("document", {}).get("number") in issued:  # the act's document: its id, for its address
            data["document"] = {**data["document"], "id": issued[data["document"]["number"]]}
        rows += [
            Notification(
                recipient_id=user_id,
                application=app,
                event=event,
                kind=event.action,
                data=data,
                email=bool(address) and event.action in EMAILED,
            )
            for user_id, address in sorted(to_tell[event.pk].items())
            if (event.pk, user_id) not in told
        ]
    insert_rows(rows, ignore_conflicts=True)  # a concurrent run may have won
    return len(rows)


def _document_ids(events: list[AuditEvent]) -> dict[str, int]:
    """The ids of the documents ``events`` issued (their data names each by number): one query,
    none if they issued none."""
    numbers = [event.data["document"].get("number") for event in events if isinstance(event.data.get("document"), dict)]
    if not numbers:
        return {}
    return dict(Document.objects.filter(number__in=numbers).values_list("number", "pk"))


def document_of(notification: Notification) -> dict | None:
    """The document a notification's act issued ({"kind", "number", "id"}), or None."""
    document = notification.data.get("document")
    return document if isinstance(document, dict) and document.get("number") else None


def deliver(event_ids: Iterable[int]) -> int:
    """The after-commit part of telling people (the django-q2 task): sends the emails of these
    events' notifications and marks the events delivered. Safe to run twice or concurrently."""
    ids = list(event_ids)
    send_emails(Notification.objects.filter(event_id__in=ids))
    return AuditEvent.objects.filter(pk__in=ids, notified_at__isnull=True).update(notified_at=timezone.now())


# -- email --------------------------------------------------------------------------------------

EMAIL_MAX_ATTEMPTS = 8


def _open_clocks(app: Application | None) -> list:
    """The clocks an email names: those that run or are paused, each with its label and, while
    provisional, its range and reason (approvals.clocks)."""
    if app is None:
        return []
    from approvals.clocks import standing
    from approvals.holidays import work_calendar
    from approvals.workflow import today

    return [c for c in standing(app, today(), work_calendar()).clocks if c.status in ("running", "paused") and c.due]


def plain_text(template: str, context: dict) -> str:
    """A plain-text template rendered without HTML escaping: a subject and a text/plain part
    carry the raw text (``<``, ``'``), which only the HTML part escapes."""
    engine = engines["django"].engine
    return engine.get_template(template).render(Context(context, autoescape=False))


def render_email(notification: Notification) -> EmailMultiAlternatives:
    """The message for one notification, in the default language: subject, text and HTML from
    templates/approvals/email/<template>.{subject.txt,txt,html}."""
    template = notification.kind if notification.kind in ("alert", "digest") else "event"
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "clocks": _open_clocks(notification.application),
            "notification": notification,
            "recipient": notification.recipient,
            "application": notification.application,
            "data": notification.data,
            "text": text(notification),
            "event": notification.event,
            "cases": [
                {**case, "level_label": str(LEVEL_LABELS.get(case.get("level"), case.get("level")))}
                for case in notification.data.get("cases", [])
            ],
            "home": absolute("approvals:home"),
            "document_url": document_url(notification),
            "url": (
                absolute("approvals:application", notification.application_id)
                if notification.application_id
                else absolute("approvals:home")
            ),
        }
        subject = " ".join(plain_text(f"approvals/email/{template}.subject.txt", context).split())
        body = plain_text(f"approvals/email/{template}.txt", context)
        html = render_to_string(f"approvals/email/{template}.html", context)
    message = EmailMultiAlternatives(subject, body, to=[notification.recipient.email])
    message.attach_alternative(html, "text/html")
    return message


def document_url(notification: Notification) -> str:
    """The absolute address of the PDF a notification's act issued, for its email ("" for none)."""
    document = document_of(notification)
    if document is None or not document.get("id") or not notification.application_id:
        return ""
    return absolute("approvals:document", notification.application_id, document["id"])


def send_emails(queryset=None, *, limit: int = 500) -> int:
    """Send the email copies still owed (the outbox), each claimed first so that two workers
    never both send it; a failure is counted and retried on a later run, up to
    EMAIL_MAX_ATTEMPTS. A worker killed after sending but before marking makes the message go
    again after the lease: at least once, never lost."""
    now = timezone.now()
    lease = timedelta(seconds=settings.EMAIL_LEASE_SECONDS)  # a sender owns a message this long
    owed = (queryset if queryset is not None else Notification.objects).filter(
        email=True, emailed_at__isnull=True, email_attempts__lt=EMAIL_MAX_ATTEMPTS
    )
    owed = owed.filter(Q(email_claimed_until__isnull=True) | Q(email_claimed_until__lt=now))
    sent = 0
    for pk in list(owed.order_by("pk").values_list("pk", flat=True)[:limit]):
        claimed = (
            Notification.objects.filter(pk=pk, emailed_at__isnull=True)
            .filter(Q(email_claimed_until__isnull=True) | Q(email_claimed_until__lt=now))
            .update(email_claimed_until=now + lease, email_attempts=F("email_attempts") + 1)
        )
        if not claimed:
            continue  # another worker has it
        notification = Notification.objects.select_related("recipient", "application", "event").get(pk=pk)
        try:
            render_email(notification).send()
        except Exception as exc:  # noqa: BLE001  (any failure of the mail system: retried later)
            Notification.objects.filter(pk=pk).update(email_error=str(exc)[:300], email_claimed_until=None)
            continue
        Notification.objects.filter(pk=pk).update(emailed_at=timezone.now(), email_error="")
        sent += 1
    return sent


def queue(event_ids: list[int]) -> None:
    """Deliver after the current transaction commits, in the django-q2 worker."""
    from django_q.tasks import async_task

    if event_ids:
        transaction.on_commit(lambda: async_task("approvals.notifications.deliver", event_ids))


LEVEL_LABELS = {
    "yellow": _("due soon"),
    "red": _("overdue"),
    "severe": _("past the statutory limit"),
}

ALERT_TEXT = {
    ("decision", "yellow"): _("due soon: the promised limit ends on %(due)s"),
    ("decision", "red"): _("overdue: the promised limit ended on %(due)s"),
    ("decision", "severe"): _("past the statutory limit, which ended on %(due)s"),
    ("acceptance", "yellow"): _("accept, refuse or ask for corrections by %(due)s"),
    ("certificate", "yellow"): _("serve the certificate by %(due)s"),
    ("certificate", "red"): _("the certificate was due to be served by %(due)s"),
}


def text(notification: Notification) -> str:
    """The notification in the active language."""
    data = notification.data
    if notification.kind == "digest":
        return ngettext(
            "Morning digest %(day)s: %(n)s case due soon or overdue",
            "Morning digest %(day)s: %(n)s cases due soon or overdue",
            len(data.get("cases", [])),
        ) % {"day": data.get("day", ""), "n": len(data.get("cases", []))}
    if notification.kind == "alert":
        label = ALERT_TEXT.get((data.get("clock"), data.get("level")), data.get("level", ""))
        label = str(label) % {"due": data.get("due", "")}
    elif notification.kind == "due_date_moved":
        label = f"{ACTIONS['due_date_moved']}: {moved_clocks(data)}"
    else:
        label = ACTIONS.get(notification.kind, notification.kind)
    number = data.get("tracking_number") or ""
    document = document_of(notification)
    if document is not None:  # the act's written notice or decision, by name and number
        label = _("%(act)s: %(kind)s %(number)s") % {
            "act": label,
            "kind": DocumentKind(document["kind"]).label if document.get("kind") in DocumentKind.values else "",
            "number": document["number"],
        }
    return f"{number} {label}".strip()


#: Audit rows before the clocks model named a moved clock by its stored column.
MOVED_COLUMNS = {column: kind for kind, column in CLOCK_DUE_COLUMNS.items()}


def moved_clock_label(key: str) -> str:
    """The label of the clock a ``due_date_moved`` audit row names (by kind, or an old row's column)."""
    return str(CLOCK_LABELS.get(MOVED_COLUMNS.get(key, key), key))


def moved_clocks(data: dict) -> str:
    """The clocks a ``due_date_moved`` row (or its notification) moved: "承诺期限 2027-02-15 → 2027-02-12"."""
    return "; ".join(
        f"{moved_clock_label(kind)} {moved[0] or '—'} → {moved[1] or '—'}"
        for kind, moved in data.items()
        if isinstance(moved, list) and len(moved) == 2
    )


def describe(event: AuditEvent) -> str:
    """One line for a timeline or an audit list, in the active language, e.g.
    "promised deadline 2027-01-08 → 2027-01-11: 2027 schedule loaded"."""
    if event.action == "due_date_moved":
        moves = moved_clocks(event.data)
        return f"{moves}: {event.note}" if event.note else moves
    label = str(ACTIONS.get(event.action, event.action))
    return f"{label}: {event.note}" if event.note else label

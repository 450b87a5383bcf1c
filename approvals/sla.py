"""SLA alerts: the sweep, the email outbox and the officers' morning digest.

The sweep reads only applications whose stored ``next_alert_on`` has come (an indexed range
query), so its cost follows the number of alerts due, not the number of applications.
``process_one`` takes one due unit: it claims it with a conditional UPDATE (only the sweep whose
UPDATE changes the row goes on) and, in the same transaction, records the alert, writes the
audit event and the in-app notifications, and aims the application at its next level. A worker
killed before the commit leaves everything as it was, so the next sweep does the unit again; one
killed after it leaves only emails owed, which the outbox sends on the next run. Parallel sweeps
never raise an alert twice: the claim lets one through, and the unique active alert stops a
second anyway.

django-q2's schedules (approvals.schedules) call ``sweep_task`` every few minutes and
``digest_task`` every morning; both are thin wrappers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Q

from approvals import notifications, workflow
from approvals.clocks import standing
from approvals.holidays import work_calendar
from approvals.models import OPEN_STATES, URGENCY_ORDER, Application, Digest, Notification, Role, User

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    raised: int = 0  # new alerts (deemed acceptances included)
    deemed: int = 0
    stale: int = 0  # units whose clock had moved: re-aimed, nothing raised
    failed: list[int] = field(default_factory=list)  # applications whose unit raised an error
    emails: int = 0


def process_one(today: date, result: SweepResult, skip: frozenset[int] = frozenset()) -> bool:
    """Handle one due unit; False when nothing is due."""
    due = (
        Application.objects.filter(next_alert_on__lte=today)
        .exclude(pk__in=skip)
        .order_by("next_alert_on", "pk")
        .values_list("pk", "next_alert_on", "next_alert_level")
        .first()
    )
    if due is None:
        return False
    pk, day, key = due
    try:
        with transaction.atomic():
            # The claim: exactly one sweep's UPDATE matches this unit.
            claimed = Application.objects.filter(pk=pk, next_alert_on=day, next_alert_level=key).update(
                next_alert_on=None
            )
            if not claimed:
                return True  # another sweep took it
            clock, _, level = key.partition(":")
            alert = workflow.raise_alert(pk, clock, level, on=today)
    except Exception:
        logger.exception("SLA sweep: application %s, %s failed; the next sweep retries it", pk, key)
        result.failed.append(pk)
        return True
    if alert is None:
        result.stale += 1
    else:
        result.raised += 1
        result.deemed += alert.level == "deemed"
    return True


def sweep(today: date | None = None) -> SweepResult:
    """Raise every alert due by ``today``, then send the emails still owed."""
    today = today or workflow.today()
    result = SweepResult()
    while process_one(today, result, frozenset(result.failed)):
        pass
    result.emails = notifications.send_emails()
    return result


#: The levels a digest lists, most urgent first (models.URGENCY_ORDER).
LEVEL_ORDER = {level: rank for rank, level in enumerate(URGENCY_ORDER[:3])}


def send_digests(today: date | None = None) -> int:
    """Each officer's morning digest of cases due soon or overdue, on working days only (an
    adjusted working Saturday included, a holiday not). Once a day per officer."""
    today = today or workflow.today()
    if not work_calendar().is_working_day(today):
        return 0
    sent = 0
    cases_by_officer: dict[int, list[dict]] = {}
    waiting = (
        Application.objects.filter(state__in=sorted(OPEN_STATES), officer__isnull=False)
        .filter(Q(yellow_on__lte=today) | Q(red_on__lte=today))
        .order_by("pk")
    )
    calendar = work_calendar()
    for app in waiting:
        clocks = standing(app, today, calendar)
        if clocks.level not in LEVEL_ORDER:
            continue
        clock = clocks.statutory if clocks.level == "severe" else clocks.primary
        due = clock.due if clock else None
        cases_by_officer.setdefault(app.officer_id, []).append(
            {
                "id": app.pk,
                "tracking_number": app.tracking_number,
                "subject": app.subject,
                "level": clocks.level,
                "clock": app.clock,
                "due": due.isoformat() if due else "",
            }
        )
    officers = User.objects.filter(pk__in=cases_by_officer, role=Role.OFFICER, is_active=True)
    for officer in officers:
        cases = sorted(cases_by_officer[officer.pk], key=lambda c: (LEVEL_ORDER[c["level"]], c["due"]))
        with transaction.atomic():
            _digest, created = Digest.objects.get_or_create(officer=officer, day=today, defaults={"cases": len(cases)})
            if not created:
                continue
            Notification.objects.create(
                recipient=officer,
                kind="digest",
                data={"day": today.isoformat(), "cases": cases},
                email=bool(officer.email),
            )
        sent += 1
    notifications.send_emails(Notification.objects.filter(kind="digest"))
    return sent


# -- django-q2 tasks: thin wrappers ------------------------------------------------------------


def sweep_task() -> str:
    result = sweep()
    return f"alerts raised: {result.raised}; emails sent: {result.emails}; failed: {len(result.failed)}"


def digest_task() -> str:
    return f"digests sent: {send_digests()}"

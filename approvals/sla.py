"""SLA alerts: the sweep, the email outbox and the officers' morning digest.

The sweep reads only applications whose stored ``next_alert_on`` has come (an indexed range
query), so its cost follows the number of alerts due, not the number of applications. It works
in batches: ``claim`` takes a batch of due units in one statement (a conditional UPDATE that
clears their ``next_alert_on``; on PostgreSQL it skips the rows another sweep has locked, so two
sweeps in parallel split the work instead of queueing on one lock) and, in the same transaction,
``workflow.raise_alerts`` records the alerts, the audit events and the in-app notifications and
aims each application at its next level, in a number of queries that does not grow with the
batch. A worker killed before the commit leaves the whole batch as it was, so the next sweep does
it again; one killed after it leaves only emails owed, which the outbox sends on the next run.
Parallel sweeps never raise an alert twice: a claimed row is locked until its batch commits, and
the unique active alert stops a second anyway.

The first batch is one unit and each next one twice the last, up to ``batch_size()``: the first
alerts are out at once, a worker killed early in a sweep loses little work, and a large backlog
goes in large batches. A batch that fails is done
again one unit at a time, so that only the unit at fault waits for the next sweep.

django-q2's schedules (approvals.schedules) call ``sweep_task`` every few minutes and
``digest_task`` every morning; both are thin wrappers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from approvals import notifications, workflow
from approvals.clocks import standing
from approvals.holidays import work_calendar
from approvals.models import OPEN_STATES, URGENCY_ORDER, Application, Digest, Notification, Role, User

logger = logging.getLogger(__name__)

#: The first batch of a sweep; each next one is twice the last, up to ``batch_size()``.
FIRST_BATCH = 1
#: The default of ``settings.SLA_SWEEP_BATCH``: the most units one transaction takes.
BATCH = 500


def batch_size() -> int:
    return getattr(settings, "SLA_SWEEP_BATCH", BATCH)


@dataclass
class SweepResult:
    raised: int = 0  # new alerts (deemed acceptances included)
    deemed: int = 0
    stale: int = 0  # units whose clock had moved: re-aimed, nothing raised
    failed: list[int] = field(default_factory=list)  # applications whose unit raised an error
    emails: int = 0
    batches: int = 0


def claim(today: date, limit: int, skip: frozenset[int] = frozenset()) -> list[tuple[int, str]]:
    """Claim up to ``limit`` units due by ``today`` (the earliest first), in the caller's
    transaction and one statement: their ``next_alert_on`` cleared, so that no other sweep
    takes them, and their rows locked until the transaction ends. Returns (application, level
    key) pairs in id order. ``skip``: applications not to take (units that failed this sweep)."""
    table = connection.ops.quote_name(Application._meta.db_table)
    excluded = f"AND id NOT IN ({', '.join(['%s'] * len(skip))})" if skip else ""
    lock = "FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    sql = (
        f"UPDATE {table} SET next_alert_on = NULL WHERE id IN ("
        f"SELECT id FROM {table} WHERE next_alert_on <= %s {excluded} ORDER BY next_alert_on, id LIMIT %s {lock}"
        ") RETURNING id, next_alert_level"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [today, *sorted(skip), limit])
        return sorted(cursor.fetchall())


def process_batch(today: date, result: SweepResult, size: int) -> int:
    """Claim and raise one batch of at most ``size`` due units; the number claimed (0: nothing
    is due), or -1 when the batch failed (rolled back: the units are due again). A failed unit
    alone (``size`` 1) is logged and left for the next sweep."""
    units: list[tuple[int, str]] = []
    try:
        with transaction.atomic():
            units = claim(today, size, frozenset(result.failed))
            if not units:
                return 0
            alerts = workflow.raise_alerts([(pk, *_clock_level(key)) for pk, key in units], on=today)
    except Exception:
        if len(units) != 1:
            logger.warning("SLA sweep: a batch of %s failed; its units are done one by one", len(units))
            return -1
        pk, key = units[0]
        logger.exception("SLA sweep: application %s, %s failed; the next sweep retries it", pk, key)
        result.failed.append(pk)
        return 1
    result.batches += 1
    for alert in alerts:
        if alert is None:
            result.stale += 1
        else:
            result.raised += 1
            result.deemed += alert.level == "deemed"
    return len(units)


def _clock_level(key: str) -> tuple[str, str]:
    clock, _, level = key.partition(":")
    return clock, level


def sweep(today: date | None = None) -> SweepResult:
    """Raise every alert due by ``today``, in batches, then send the emails still owed."""
    today = today or workflow.today()
    result = SweepResult()
    size, one_by_one = FIRST_BATCH, 0
    while True:
        claimed = process_batch(today, result, 1 if one_by_one else size)
        if claimed == 0:
            break
        if claimed < 0:  # the units of the failed batch come first again: one at a time
            one_by_one = size
        elif one_by_one:
            one_by_one -= 1
        else:
            size = min(2 * size, batch_size())
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

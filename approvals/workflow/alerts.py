"""SLA alerts, raised in batches: the sweep's part of the workflow.

``raise_alerts`` takes the units a sweep claimed (an application, a clock, a level) and, in one
transaction and a number of queries that does not grow with the batch, re-reads each locked
application's clocks, records the alerts still due (one bulk insert), re-aims each application at
its next level (one bulk update), appends the audit events in order (one append: the chain's
hashes computed in the batch's order) and creates the in-app notifications (one bulk insert,
their recipients looked up once for the batch); one django-q2 task delivers the batch's emails
once it commits. The acceptance clock's last level is the exception: the application is deemed
accepted through its transition, one by one (it issues the acceptance receipt).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction

from approvals import audit
from approvals.deadlines import alert_plan, pauses_of, read_clocks
from approvals.holidays import work_calendar
from approvals.models import Alert, Application
from approvals.rows import update_rows
from approvals.workflow.applications import deem_accepted
from approvals.workflow.core import _tell, refresh_clocks, today

#: The levels of a clock, least serious first.
LEVELS = ["yellow", "red", "severe", "deemed"]


def raise_alert(app_id: int, clock: str, level: str, *, on: date | None = None) -> Alert | None:
    """Record that a running clock reached ``level``: ``raise_alerts`` for one unit."""
    return raise_alerts([(app_id, clock, level)], on=on)[0]


def raise_alerts(units: Sequence[tuple[int, str, str]], *, on: date | None = None) -> list[Alert | None]:
    """Record that these running clocks reached these levels, tell the people concerned (in-app,
    and by email after commit), and aim each application at its next level; for the acceptance
    clock's last level the application is deemed accepted. Returns, unit by unit, the new alert,
    or None when the level is not (or no longer) due, or the application is gone: raising is
    idempotent. All or nothing: an error in one unit leaves every unit as it was."""
    on = on or today()
    with transaction.atomic():
        apps = {
            app.pk: app
            for app in Application.objects.filter(pk__in={pk for pk, _clock, _level in units})
            .select_related("policy")
            .prefetch_related("special_procedures", "alerts")
            .select_for_update(of=("self",))
            .order_by("pk")
        }
        calendar = work_calendar()
        outcomes: list[Alert | None] = []
        raised: list[tuple[Application, Alert, bool]] = []  # with: a later level has come too
        new: dict[int, list[Alert]] = {}  # the alerts this batch raised, by application
        dirty: dict[int, Application] = {}
        changed_fields: set[str] = set()
        for pk, clock, level in units:
            app = apps.get(pk)
            if app is None:
                outcomes.append(None)
                continue
            plan = alert_plan(app, read_clocks(app, calendar, pauses_of(app)), calendar)
            item = next((i for i in plan if (i.clock, i.level) == (clock, level)), None)
            known = [*app.alerts.all(), *new.get(pk, [])]
            active = any((a.clock, a.level) == (clock, level) and a.cleared_on is None for a in known)
            if item is None or item.day > on or active:
                # Stale: the clock moved on since the next alert was stored. Re-aim and stop.
                changed = refresh_clocks(app, calendar, alerts=known)
                if changed:
                    dirty[pk] = app
                    changed_fields.update(changed)
                outcomes.append(None)
                continue
            alert = Alert(application=app, clock=clock, level=level, due=item.due, raised_on=on)
            # When a later level of the same clock has come too (a sweep catching up), this one is
            # recorded but only the most serious is told: "due soon" about an overdue case is noise.
            passed = any(
                other.clock == clock and other.day <= on and LEVELS.index(other.level) > LEVELS.index(level)
                for other in plan
            )
            raised.append((app, alert, passed))
            new.setdefault(pk, []).append(alert)
            outcomes.append(alert)
        Alert.objects.bulk_create([alert for _app, alert, _passed in raised])

        deemed = {app.pk for app, alert, _passed in raised if alert.level == "deemed"}
        drafts: list[audit.Draft] = []
        quiet: set[int] = set()  # the drafts recorded but not told
        for app, alert, passed in raised:
            if app.pk in deemed:
                continue
            app.last_action_on = max(on, app.last_action_on or on)
            changed_fields.add("last_action_on")
            changed_fields.update(refresh_clocks(app, calendar, alerts=[*app.alerts.all(), *new[app.pk]]))
            dirty[app.pk] = app
            data = {"clock": alert.clock, "level": alert.level, "due": alert.due.isoformat()}
            if passed:
                quiet.add(len(drafts))
                data["passed"] = True
            drafts.append(audit.Draft(application=app, actor_id=None, action="alert", on=on, data=data))
        updated = [app for pk, app in dirty.items() if pk not in deemed]
        if updated and changed_fields:
            update_rows(updated, sorted(changed_fields))
        events = audit.append(drafts)
        told = [event for index, event in enumerate(events) if index not in quiet]
        _tell(told)
        for pk in sorted(deemed):  # its own transition, which issues the acceptance receipt
            deem_accepted(pk, on=on)
    return outcomes

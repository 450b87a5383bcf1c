"""django-q2's schedules, declared once here and installed idempotently
(``manage.py install_schedules``; ``make run`` calls it)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django_q.models import Schedule


def _next_morning() -> datetime:
    hour, minute = map(int, settings.SLA_DIGEST_AT.split(":"))
    now = timezone.localtime()
    first = timezone.make_aware(datetime.combine(now.date(), time(hour, minute)))
    return first if first > now else first + timedelta(days=1)


def _after_midnight() -> datetime:
    now = timezone.localtime()
    first = timezone.make_aware(datetime.combine(now.date(), time(0, 20)))
    return first if first > now else first + timedelta(days=1)


def declared() -> list[dict]:
    return [
        {
            "name": "shixian: SLA sweep",
            "func": "approvals.sla.sweep_task",
            "schedule_type": Schedule.MINUTES,
            "minutes": settings.SLA_SWEEP_MINUTES,
            "repeats": -1,
        },
        {
            # Daily at 08:30; the task itself skips weekends and holidays, and sends on adjusted
            # working days, which no weekly rule could express.
            "name": "shixian: morning digest",
            "func": "approvals.sla.digest_task",
            "schedule_type": Schedule.DAILY,
            "repeats": -1,
            "next_run": _next_morning,
        },
        {
            # The dashboard's figures of the months that ended, counted ahead
            # (approvals.reports.count_months): a new month's the night it ends.
            "name": "shixian: month figures",
            "func": "approvals.reports.count_months_task",
            "schedule_type": Schedule.DAILY,
            "repeats": -1,
            "next_run": _after_midnight,
        },
        {
            # The files kept aside for forms that came back with errors, past their day
            # (approvals.uploads.clean_expired): those of sessions that ended are deleted here.
            "name": "shixian: pending uploads clean-up",
            "func": "approvals.uploads.clean_pending_task",
            "schedule_type": Schedule.HOURLY,
            "repeats": -1,
        },
    ]


def install() -> list[tuple[str, str]]:
    """Create or update each declared schedule by name; remove stale ``shixian:`` ones. Returns
    (name, what happened) pairs."""
    done = []
    names = []
    for spec in declared():
        spec = dict(spec)
        name = spec.pop("name")
        names.append(name)
        next_run = spec.pop("next_run", None)
        schedule = Schedule.objects.filter(name=name).first()
        if schedule is None:
            Schedule.objects.create(name=name, next_run=next_run() if next_run else timezone.now(), **spec)
            done.append((name, "created"))
            continue
        changed = [key for key, value in spec.items() if getattr(schedule, key) != value]
        if changed:
            for key in changed:
                setattr(schedule, key, spec[key])
            if next_run:
                schedule.next_run = next_run()
            schedule.save()
            done.append((name, "updated"))
        else:
            done.append((name, "unchanged"))
    for stale in Schedule.objects.filter(name__startswith="shixian:").exclude(name__in=names):
        stale.delete()
        done.append((stale.name, "removed"))
    return done

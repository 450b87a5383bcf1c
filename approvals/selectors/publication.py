"""The public on-time publication (定期公布): every department's monthly reports for the months
that have ended, from the first month anything was decided."""

from __future__ import annotations

from datetime import date

from django.db.models import Min

from approvals.calendar import WorkCalendar
from approvals.models import Application
from approvals.reports import MonthlyReport, last_complete_month, monthly_reports, months_back
from approvals.selectors.scope import Scope


def published_reports(today: date, calendar: WorkCalendar, months: int) -> list[MonthlyReport]:
    """The reports of at most ``months`` ended months, newest first, none before the first month
    anything was decided (none at all before a decision in an ended month)."""
    last = last_complete_month(today)
    first_decided = Application.objects.filter(decided_on__isnull=False).aggregate(first=Min("decided_on"))["first"]
    if first_decided is None or first_decided >= months_back(today, 0):
        return []
    first = max(months_back(first_decided, 0), months_back(last, months - 1))
    return monthly_reports(Scope.everything(), first, last, calendar)[::-1]

"""The dashboard's on-time figures of ended months, counted ahead (``approvals.reports``)."""

from __future__ import annotations

from django.db import models


class MonthTally(models.Model):
    """One ended month's decided cases of one department (``department_key``: its id; 0 for
    every department together), counted by procedure and by officer against the calendar of
    version ``calendar``: what ``approvals.reports.figures`` reads instead of counting a month
    that cannot gain decisions any more. Written by ``reports.count_months`` (a scheduled task)
    and kept right by the workflow when a decided case is reassigned; a row counted on another
    calendar is not read (the month is counted again)."""

    department_key = models.PositiveIntegerField()
    month = models.DateField()  # its first day
    calendar = models.CharField(max_length=80)
    tally = models.JSONField(default=dict)
    counted_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["department_key", "month"], name="month_tally_once")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} of {self.department_key or 'all'}"

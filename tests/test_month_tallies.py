"""The dashboard's ended months, counted ahead into MonthTally (approvals.reports.count_months):
no dashboard view counts a month that has ended, the count is idempotent, and a decided case
reassigned afterwards moves in its month's figures."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals import reports, workflow
from approvals.holidays import work_calendar
from approvals.models import MonthTally, Procedure
from approvals.selectors.scope import Scope
from tests.cast import Cast

D = date.fromisoformat
TODAY = D("2026-06-15")
NUMBERS = Procedure.NUMBER_RESOURCE


def summary(counted: reports.Figures) -> dict:
    """What a dashboard shows of the figures, comparable."""
    return {
        "total": (counted.total.decided, counted.total.on_time, counted.total.used, counted.total.counted),
        "share": counted.total.share,
        "procedures": {f.label: (f.decided, f.on_time, f.used) for f in counted.procedures},
        "officers": {f.label: (f.decided, f.on_time, f.used) for f in counted.officers},
        "months": [(f.label, f.decided, f.on_time) for f in counted.months],
    }


@pytest.fixture
def decided(cast: Cast, now) -> dict:
    now(TODAY)
    made = {}
    for name, received, accepted, decided_on in (
        ("march", "2026-03-02", "2026-03-03", "2026-03-10"),
        ("april_late", "2026-03-02", "2026-03-03", "2026-04-20"),
        ("may", "2026-05-04", "2026-05-06", "2026-05-12"),
        ("june", "2026-06-01", "2026-06-02", "2026-06-12"),
    ):
        app = cast.under_review(NUMBERS, received=D(received), accepted=D(accepted))
        made[name] = workflow.grant(app.pk, app.officer, reasons="准予许可", on=D(decided_on))
    filing = cast.under_review(Procedure.WEBSITE_FILING, received=D("2026-04-01"), accepted=D("2026-04-02"))
    made["filing"] = workflow.file(filing.pk, filing.officer, "皖ICP备2026000001号", on=D("2026-04-08"))
    return made


def view(scope: Scope) -> tuple[reports.Figures, list[str]]:
    """The dashboard's figures (the last twelve months), and the queries that read decided cases."""
    with CaptureQueriesContext(connection) as queries:
        counted = reports.figures(scope, reports.months_back(TODAY, 11), TODAY, work_calendar(), today=TODAY)
    return counted, [q["sql"] for q in queries if "decided_on" in q["sql"] and "approvals_application" in q["sql"]]


def test_counted_ahead_the_dashboard_counts_only_the_current_month(cast: Cast, decided: dict) -> None:
    scopes = [Scope(department=cast.licensing), Scope(department=cast.internet), Scope.everything()]
    live = {
        scope.department: summary(reports.figures(scope, D("2025-07-01"), TODAY, work_calendar())) for scope in scopes
    }

    assert [m.strftime("%Y-%m") for m in reports.count_months(TODAY, work_calendar())][-3:] == [
        "2026-03",
        "2026-04",
        "2026-05",
    ]
    for scope in scopes:
        counted, reads = view(scope)
        assert summary(counted) == live[scope.department]
        assert len(reads) == 1, reads  # the current month's decided cases, nothing else
        assert "2026-06-01" in reads[0] and "2026-05" not in reads[0]
    assert live[None]["total"][0] == 5 and live[cast.licensing]["total"][0] == 4


def test_the_count_is_idempotent(cast: Cast, decided: dict) -> None:
    calendar = work_calendar()
    first = reports.count_months(TODAY, calendar)
    assert len(first) == reports.MONTHS_KEPT
    stored = {(row.department_key, row.month): (row.tally, row.counted_at) for row in MonthTally.objects.all()}
    assert len(stored) == reports.MONTHS_KEPT * 3  # each department's and all of them together

    assert reports.count_months(TODAY, calendar) == []  # counted: nothing to do
    again = {(row.department_key, row.month): (row.tally, row.counted_at) for row in MonthTally.objects.all()}
    assert again == stored

    reports.count_months(TODAY, calendar, recount=True)  # counted again: the same figures
    recounted = {(row.department_key, row.month): row.tally for row in MonthTally.objects.all()}
    assert recounted == {key: tally for key, (tally, _at) in stored.items()}


def test_the_command_counts_and_says_how_many(cast: Cast, decided: dict, capsys) -> None:
    call_command("count_months", "--months", "3")
    assert capsys.readouterr().out.splitlines() == ["2026-03", "2026-04", "2026-05", "months counted: 3"]
    call_command("count_months", "--months", "3")
    assert capsys.readouterr().out.splitlines() == ["months counted: 0"]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--months 0"):
        call_command("count_months", "--months", "0")


def test_a_reassigned_decided_case_moves_in_its_months_figures(cast: Cast, decided: dict) -> None:
    reports.count_months(TODAY, work_calendar())
    granted = decided["may"]  # granted in May, its certificate not served yet: still open
    assert granted.is_open
    before = granted.officer
    other = cast.oscar if before.pk == cast.olga.pk else cast.olga
    licensing = Scope(department=cast.licensing)
    counted, _reads = view(licensing)
    officers = {f.label: f.decided for f in counted.officers}

    workflow.reassign(granted.pk, cast.mia, other.pk, note="调岗")

    for scope in (licensing, Scope.everything()):
        counted, reads = view(scope)
        assert len(reads) == 1  # still read from the table
        moved = {f.label: f.decided for f in counted.officers}
        assert moved[str(other)] == officers.get(str(other), 0) + 1
        assert moved.get(str(before), 0) == officers[str(before)] - 1
        assert summary(counted) == summary(
            reports.figures(scope, reports.months_back(TODAY, 11), TODAY, work_calendar())
        ), "the kept tallies are those a count from scratch gives"


def test_a_decision_entered_for_an_ended_month_drops_its_tallies(cast: Cast, decided: dict) -> None:
    reports.count_months(TODAY, work_calendar())
    late = cast.under_review(NUMBERS, received=D("2026-04-01"), accepted=D("2026-04-02"))
    workflow.deny(late.pk, late.officer, "不符合条件", "可申请行政复议", on=D("2026-05-20"))
    assert not MonthTally.objects.filter(month=D("2026-05-01")).exists()
    counted, _reads = view(Scope(department=cast.licensing))
    assert {f.label: f.decided for f in counted.months}["2026-05"] == 2
    assert MonthTally.objects.filter(month=D("2026-05-01"), department_key=cast.licensing.pk).exists()

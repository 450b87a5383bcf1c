"""Live clocks: what the workflow stores on an application as events and the calendar move them."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from approvals import workflow
from approvals.deadlines import pauses_of, read_clocks
from approvals.holidays import work_calendar
from approvals.models import Application, AuditEvent, ClockKind, Procedure, State
from tests.cast import Cast, noon
from tests.reference import HOLIDAY_CN

D = date.fromisoformat
SAMPLE_2027 = HOLIDAY_CN / "sample-2027.json"


def fresh(app: Application) -> Application:
    return Application.objects.get(pk=app.pk)


def test_receipt_starts_the_five_working_day_acceptance_clock(cast: Cast) -> None:
    # Received Fri 26 Sep 2025: Sun 28 Sep is a working day, 1-8 Oct a holiday.
    app = cast.received(on=D("2025-09-26"))
    assert (app.state, app.clock) == (State.RECEIVED, ClockKind.ACCEPTANCE)
    assert app.acceptance_due == D("2025-10-10")
    # Yellow on the last working day but one; deemed acceptance the day after the last.
    assert (app.next_alert_on, app.next_alert_level) == (D("2025-10-09"), "acceptance:yellow")
    assert app.tracking_number.startswith("XK2025") and len(app.query_code) == 8


def test_deemed_acceptance_counts_the_decision_clock_from_receipt(cast: Cast) -> None:
    app = cast.received(on=D("2026-03-02"))  # acceptance due Mon 9 Mar
    with pytest.raises(workflow.ActionInvalid):
        workflow.deem_accepted(app.pk, on=D("2026-03-09"))
    app = workflow.deem_accepted(app.pk, on=D("2026-03-10"))
    assert (app.state, app.accepted_on, app.deemed_accepted) == (State.UNDER_REVIEW, D("2026-03-02"), True)
    assert app.due_date == D("2026-04-08")  # 26 working days after 2 Mar (4-6 Apr: Qingming)
    assert app.statutory_due == D("2026-05-06")  # 60 days: Fri 1 May, a holiday until Tue 5 May
    event = AuditEvent.objects.filter(application=app).last()
    assert (event.action, event.actor_id) == ("deem_accepted", None)


def test_an_officer_who_accepts_late_accepts_as_of_receipt(cast: Cast) -> None:
    app = cast.received(on=D("2026-03-02"))
    app = workflow.accept(app.pk, cast.olga, on=D("2026-03-12"))
    assert (app.accepted_on, app.deemed_accepted) == (D("2026-03-02"), True)


def test_corrections_make_their_arrival_day_the_acceptance_day(cast: Cast) -> None:
    app = cast.received(on=D("2026-03-02"))
    workflow.request_correction(app.pk, cast.olga, "营业执照副本不清晰", on=D("2026-03-04"))
    app = fresh(app)
    assert (app.clock, app.acceptance_due, app.next_alert_on) == (ClockKind.NONE, None, None)  # waiting on alice
    workflow.resubmit(app.pk, cast.alice, on=D("2026-03-16"))
    app = fresh(app)
    assert app.acceptance_due == D("2026-03-23")  # five working days from the corrections
    app = workflow.accept(app.pk, cast.olga, on=D("2026-03-18"))
    assert app.accepted_on == D("2026-03-16")
    assert app.statutory_due == D("2026-05-15")  # 60 days from the complete application


def test_a_special_procedure_pauses_both_clocks(cast: Cast) -> None:
    app = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-03-02"), accepted=D("2026-03-02"))
    assert (app.due_date, app.statutory_due) == (D("2026-03-16"), D("2026-03-30"))
    app = cast.paused(
        app, on=D("2026-03-04"), until=D("2026-03-20"), notice=D("2026-03-05"), basis="电信网码号资源管理办法"
    )
    assert (app.state, app.clock, app.due_date, app.statutory_due) == (State.PAUSED, ClockKind.PAUSED, None, None)
    assert app.days_left_when_paused == 8  # 3 and 4 March counted
    assert app.next_alert_on is None, "nothing alerts on a paused clock"
    app = workflow.end_special_procedure(app.pk, cast.olga, on=D("2026-03-16"))
    # 5-16 March (eight working days) are not counted: due dates move by eight working days.
    assert (app.clock, app.due_date, app.statutory_due) == (ClockKind.DECISION, D("2026-03-26"), D("2026-04-10"))
    reading = read_clocks(app, work_calendar(), pauses_of(app))
    assert [s.kind for s in reading.promised.segments] == ["counted", "paused", "counted"]


def test_an_approved_extension_lengthens_both_clocks_and_a_rejected_one_does_not(cast: Cast) -> None:
    app = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-03-02"), accepted=D("2026-03-02"))
    workflow.request_extension(app.pk, cast.olga, 5, "需征求相关部门意见", on=D("2026-03-05"))
    app = workflow.reject_extension(app.pk, cast.mia, "理由不充分", on=D("2026-03-06"))
    assert (app.due_date, app.extension_days) == (D("2026-03-16"), 0)
    app = cast.extended(app, 10, asked=D("2026-03-09"), approved=D("2026-03-10"), reason="需征求相关部门意见")
    assert app.extension_days == 10
    assert (app.due_date, app.statutory_due) == (D("2026-03-30"), D("2026-04-14"))


def test_the_yellow_day_leaves_the_threshold_of_working_days(cast: Cast) -> None:
    app = cast.under_review(Procedure.TELECOM_LICENCE, received=D("2026-03-02"), accepted=D("2026-03-03"))
    assert app.due_date == D("2026-04-09")
    # 26 x 25% = 6 working days: 1, 2, 3, 7, 8, 9 April remain from Tue 31 March.
    assert (app.next_alert_on, app.next_alert_level) == (D("2026-03-31"), "decision:yellow")


def test_a_filing_clock_starts_when_the_record_reaches_the_administration(cast: Cast) -> None:
    app = cast.draft(Procedure.WEBSITE_FILING, on=D("2026-02-10"))
    app = workflow.submit(app.pk, cast.alice, on=D("2026-02-10"))
    assert (app.state, app.clock, app.due_date) == (State.PROVIDER_REVIEW, ClockKind.NONE, None)
    app = workflow.forward_to_administration(
        app.pk, cast.pat, method="face", verified_at=noon(D("2026-02-12")), reference="FACE-7", on=D("2026-02-12")
    )
    assert (app.state, app.arrived_on, app.officer) == (State.ARRIVED, D("2026-02-12"), cast.fiona)
    assert (app.due_date, app.statutory_due) == (D("2026-03-02"), D("2026-03-18"))  # DOMAIN.md: 8 WD → 2 Mar
    assert app.policy.pauses_allowed is False


def test_a_grant_starts_the_ten_day_certificate_clock(cast: Cast) -> None:
    app = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    app = workflow.grant(app.pk, cast.olga, on=D("2026-03-20"))
    assert (app.clock, app.certificate_due) == (ClockKind.CERTIFICATE, D("2026-04-03"))
    assert (app.next_alert_on, app.next_alert_level) == (D("2026-04-01"), "certificate:yellow")
    app = workflow.serve_certificate(app.pk, cast.olga, "B2-20260042", on=D("2026-03-25"))
    assert (app.state, app.clock, app.next_alert_on) == (State.SERVED, ClockKind.NONE, None)
    assert app.due_date == D("2026-04-09"), "the decision's due date stays for the reports"


def test_the_policy_in_force_on_the_clock_start_applies(cast: Cast) -> None:
    app = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2021-05-10"), accepted=D("2021-05-11"))
    assert (app.policy.promised_limit, app.due_date) == (20, D("2021-06-08"))


def test_loading_a_schedule_moves_open_due_dates_and_records_each_move(cast: Cast, now) -> None:
    now(D("2026-12-18"))
    app = cast.under_review(received=D("2026-12-17"), accepted=D("2026-12-17"))
    closed = cast.under_review(received=D("2026-12-16"), accepted=D("2026-12-16"))
    workflow.withdraw(closed.pk, cast.alice, "不再需要", on=D("2026-12-18"))
    # The promised date counts only days that are certain in the unpublished 2027 (1 January is
    # statutory; nothing bridges before the Spring Festival); the statutory 60 days from receipt
    # end on Mon 15 Feb 2027, also certain: a calendar-day limit depends only on its last day.
    assert (app.due_date, app.promised_provisional) == (D("2027-01-25"), False)
    before = AuditEvent.objects.count()

    out = StringIO()
    with translation.override("en"):
        call_command("import_calendar", str(SAMPLE_2027), stdout=out)
    assert out.getvalue().splitlines()[-1] == "open applications whose due dates moved: 1"
    app = fresh(app)
    # The sample makes Sun 27 Dec 2026 a working day and the first days of 2027 official.
    assert (app.due_date, app.promised_provisional, app.statutory_provisional) == (D("2027-01-22"), False, False)
    moved = AuditEvent.objects.filter(action="due_date_moved")
    assert list(moved.values_list("application", flat=True)) == [app.pk]
    event = moved.get()
    assert event.data["promised"] == ["2027-01-25", "2027-01-22"]
    assert event.note == "2027 schedule loaded" or event.note.startswith("已载入 2027")
    assert AuditEvent.objects.count() == before + 1, "the withdrawn application is left alone"


def test_a_failed_schedule_load_moves_nothing(cast: Cast, now, tmp_path) -> None:
    now(D("2026-12-18"))
    app = cast.under_review(received=D("2026-12-17"), accepted=D("2026-12-17"))
    bad = tmp_path / "bad.json"
    bad.write_text('{"year": 2027, "days": [{"name": "x", "date": "2027-01-04", "isOffDay": "no"}]}')
    with pytest.raises(Exception):  # noqa: B017 (the command's CommandError)
        call_command("import_calendar", str(bad), stdout=StringIO())
    assert fresh(app).due_date == app.due_date
    assert not AuditEvent.objects.filter(action="due_date_moved").exists()


def test_hand_edits_of_the_calendar_reach_open_cases(cast: Cast) -> None:
    from approvals.models import CalendarDay, DayKind

    app = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-03-02"), accepted=D("2026-03-02"))
    CalendarDay.objects.create(date=D("2026-03-10"), kind=DayKind.HOLIDAY, name="test", notice_year=2026)
    assert workflow.calendar_days_changed([D("2026-03-10")], "edited") == 1
    assert fresh(app).due_date == D("2026-03-17")


def test_an_extension_is_decided_within_the_limit(cast: Cast, now) -> None:
    """行政许可法 art. 42: an extension lengthens a limit that has not yet run out."""
    now(D("2026-03-17"))
    app = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-03-02"), accepted=D("2026-03-02"))
    assert app.due_date == D("2026-03-16")
    with pytest.raises(workflow.ActionInvalid, match="within the limit"):
        workflow.request_extension(app.pk, cast.olga, 5, "太晚了", on=D("2026-03-17"))
    assert "request_extension" not in workflow.available_actions(app, cast.olga)
    workflow.request_extension(app.pk, cast.olga, 5, "还来得及", on=D("2026-03-16"))
    app = Application.objects.get(pk=app.pk)
    assert "approve_extension" not in workflow.available_actions(app, cast.mia)
    assert "reject_extension" in workflow.available_actions(app, cast.mia)
    with pytest.raises(workflow.ActionInvalid, match="within the limit"):
        workflow.approve_extension(app.pk, cast.mia, on=D("2026-03-17"))

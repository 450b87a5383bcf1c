"""SLA alerts and the morning digest, with time pinned: each day of a case's life is swept."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import translation

from approvals import notifications, schedules, sla, workflow
from approvals.models import (
    Alert,
    Application,
    AuditEvent,
    CalendarDay,
    DayKind,
    Digest,
    Notification,
    Procedure,
    State,
)
from tests.cast import Cast

D = date.fromisoformat


def sweep_days(now, first: date, last: date) -> dict[date, list[str]]:
    """Sweep every day from ``first`` to ``last`` (twice a day), as the schedule would."""
    raised: dict[date, list[str]] = {}
    day = first
    while day <= last:
        now(day)
        for _ in range(2):
            before = set(Alert.objects.values_list("pk", flat=True))
            sla.sweep(day)
            new = Alert.objects.exclude(pk__in=before).order_by("pk")
            raised.setdefault(day, []).extend(f"{a.clock}:{a.level}" for a in new)
        day += timedelta(days=1)
    return {day: levels for day, levels in raised.items() if levels}


@pytest.fixture
def emails(cast: Cast) -> Cast:
    for user in (cast.olga, cast.mia, cast.root, cast.alice):
        user.email = f"{user.username}@example.gov.cn"
        user.save(update_fields=["email"])
    return cast


def test_each_level_fires_once_on_its_day(emails: Cast, now) -> None:
    cast = emails
    now(D("2026-03-03"))
    app = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    # 26 WD → Thu 9 Apr (yellow from Tue 31 Mar, 6 left); 60 days from receipt → Fri 1 May, a
    # holiday, so the statutory limit ends Wed 6 May: severe from Thu 7 May.
    assert (app.due_date, app.statutory_due, app.yellow_on) == (D("2026-04-09"), D("2026-05-06"), D("2026-03-31"))
    raised = sweep_days(now, D("2026-03-04"), D("2026-05-12"))
    assert raised == {
        D("2026-03-31"): ["decision:yellow"],
        D("2026-04-10"): ["decision:red"],
        D("2026-05-07"): ["decision:severe"],
    }
    assert Alert.objects.filter(application=app).count() == 3
    assert Application.objects.get(pk=app.pk).next_alert_on is None, "nothing left to raise"


def test_the_right_people_hear_of_each_level(emails: Cast, now) -> None:
    cast = emails
    now(D("2026-03-03"))
    cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    mail.outbox.clear()
    sweep_days(now, D("2026-03-31"), D("2026-05-07"))
    told = {
        level: set(
            Notification.objects.filter(kind="alert", data__level=level).values_list("recipient__username", flat=True)
        )
        for level in ("yellow", "red", "severe")
    }
    assert told == {"yellow": {"olga"}, "red": {"olga", "mia"}, "severe": {"olga", "mia", "root"}}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["olga@example.gov.cn"] * 3 + ["mia@example.gov.cn"] * 2 + ["root@example.gov.cn"]
    )
    assert all(Notification.objects.filter(kind="alert").values_list("emailed_at", flat=True))
    severe = next(m for m in mail.outbox if m.to == ["root@example.gov.cn"])
    assert "XK2026" in severe.subject
    assert severe.alternatives and "2026-05-06" in severe.alternatives[0][0]


def test_alert_emails_are_in_chinese(emails: Cast, now) -> None:
    cast = emails
    now(D("2026-03-03"))
    cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    mail.outbox.clear()
    sweep_days(now, D("2026-03-31"), D("2026-03-31"))
    (message,) = mail.outbox
    assert message.subject.startswith("[时限]") and "即将到期" in message.subject
    assert "承诺期限" in message.body


def test_nothing_fires_on_a_paused_clock(emails: Cast, now) -> None:
    cast = emails
    now(D("2026-03-03"))
    app = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-03-02"), accepted=D("2026-03-02"))
    now(D("2026-03-04"))
    cast.paused(app, kind="site_check", basis="电信网码号资源管理办法", on=D("2026-03-04"), until=D("2026-04-30"))
    assert sweep_days(now, D("2026-03-05"), D("2026-04-30")) == {}
    now(D("2026-05-06"))
    app = workflow.end_special_procedure(app.pk, cast.olga, on=D("2026-05-06"))
    # 8 working days were left: due Fri 15 May (Sat 9 May is a working day); yellow from 13 May;
    # red the day after the due date, a Saturday.
    assert (app.due_date, app.yellow_on) == (D("2026-05-15"), D("2026-05-13"))
    assert sweep_days(now, D("2026-05-06"), D("2026-05-19")) == {
        D("2026-05-13"): ["decision:yellow"],
        D("2026-05-16"): ["decision:red"],
    }


def test_deemed_acceptance_happens_the_day_after_the_five_working_days(emails: Cast, now) -> None:
    cast = emails
    now(D("2026-03-02"))
    app = cast.received(on=D("2026-03-02"))  # acceptance due Mon 9 Mar
    raised = sweep_days(now, D("2026-03-03"), D("2026-03-10"))
    assert raised == {D("2026-03-06"): ["acceptance:yellow"], D("2026-03-10"): ["acceptance:deemed"]}
    app = Application.objects.get(pk=app.pk)
    assert (app.state, app.accepted_on, app.deemed_accepted) == (State.UNDER_REVIEW, D("2026-03-02"), True)
    assert AuditEvent.objects.filter(application=app, action="deem_accepted", actor=None).count() == 1
    assert app.due_date == D("2026-04-08") and app.next_alert_level == "decision:yellow"


def test_an_acceptance_before_the_deadline_disarms_deemed_acceptance(cast: Cast, now) -> None:
    now(D("2026-03-02"))
    app = cast.received(on=D("2026-03-02"))
    now(D("2026-03-09"))
    workflow.accept(app.pk, cast.olga, on=D("2026-03-09"))
    raised = sweep_days(now, D("2026-03-09"), D("2026-03-12"))
    assert not any("acceptance:deemed" in levels for levels in raised.values())


def test_a_moved_due_date_rearms_the_levels(emails: Cast, now) -> None:
    cast = emails
    now(D("2026-03-02"))
    app = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-03-02"), accepted=D("2026-03-02"))
    assert sweep_days(now, D("2026-03-12"), D("2026-03-12")) == {D("2026-03-12"): ["decision:yellow"]}
    app = cast.extended(app, 10, asked=D("2026-03-12"), reason="需征求意见")
    # Due 30 March now: yellow is no longer true, so it is cleared and armed again.
    assert Alert.objects.get(application=app, level="yellow").cleared_on == D("2026-03-12")
    assert (app.due_date, app.next_alert_on) == (D("2026-03-30"), D("2026-03-26"))
    assert sweep_days(now, D("2026-03-13"), D("2026-03-31")) == {
        D("2026-03-26"): ["decision:yellow"],
        D("2026-03-31"): ["decision:red"],
    }


def test_a_level_still_true_after_a_move_does_not_fire_again(emails: Cast, now) -> None:
    cast = emails
    now(D("2026-03-02"))
    app = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-03-02"), accepted=D("2026-03-02"))
    sweep_days(now, D("2026-03-17"), D("2026-03-17"))  # yellow and red both due: raised, in order
    assert list(Alert.objects.filter(application=app).order_by("pk").values_list("level", flat=True)) == [
        "yellow",
        "red",
    ]
    # An administrator declares Mon 16 March a holiday: due Tue 17 March, so red no longer holds.
    CalendarDay.objects.create(date=D("2026-03-16"), kind=DayKind.HOLIDAY, name="test", notice_year=2026)
    workflow.calendar_days_changed([D("2026-03-16")], "edited")
    assert list(Alert.objects.filter(application=app, cleared_on__isnull=True).values_list("level", flat=True)) == [
        "yellow"
    ]
    assert sweep_days(now, D("2026-03-17"), D("2026-03-18")) == {D("2026-03-18"): ["decision:red"]}


def test_the_command_reports_new_alerts_and_then_none(emails: Cast, now) -> None:
    cast = emails
    now(D("2026-03-02"))
    for _ in range(3):
        cast.received(on=D("2026-03-02"))
    now(D("2026-03-06"))
    out = StringIO()
    call_command("sla_sweep", stdout=out)
    assert out.getvalue().splitlines()[-1] == "alerts raised: 3"
    out = StringIO()
    call_command("sla_sweep", "--date", "2026-03-06", stdout=out)
    assert out.getvalue().splitlines()[-1] == "alerts raised: 0"


def test_the_command_refuses_a_day_in_the_future_and_raises_nothing(emails: Cast, now) -> None:
    cast = emails
    now(D("2026-03-02"))
    cast.received(on=D("2026-03-02"))
    with pytest.raises(CommandError, match="2026-03-06 is in the future"):
        call_command("sla_sweep", "--date", "2026-03-06", stdout=StringIO())
    assert not Alert.objects.exists()
    with pytest.raises(CommandError, match="expected a date"):
        call_command("sla_sweep", "--date", "2026-3-6", stdout=StringIO())


def test_a_failed_email_is_retried_and_counted(emails: Cast, now, monkeypatch) -> None:
    cast = emails
    now(D("2026-03-02"))
    cast.received(on=D("2026-03-02"))
    now(D("2026-03-06"))
    from django.core.mail import EmailMultiAlternatives

    real = EmailMultiAlternatives.send
    monkeypatch.setattr(EmailMultiAlternatives, "send", lambda self, *a, **k: 1 / 0)
    result = sla.sweep(D("2026-03-06"))
    assert (result.raised, result.emails) == (1, 0)
    failed = Notification.objects.get(kind="alert")
    assert (failed.emailed_at, failed.email_attempts) == (None, 1) and "division" in failed.email_error
    monkeypatch.setattr(EmailMultiAlternatives, "send", real)
    result = sla.sweep(D("2026-03-06"))
    assert (result.raised, result.emails) == (0, 1)
    assert Notification.objects.get(kind="alert").emailed_at is not None


def test_a_broken_unit_does_not_stop_the_sweep(cast: Cast, now, monkeypatch) -> None:
    now(D("2026-03-02"))
    first = cast.received(on=D("2026-03-02"))
    second = cast.received(on=D("2026-03-02"))
    now(D("2026-03-06"))
    real = workflow.raise_alerts

    def broken(units, **kwargs):
        if any(pk == first.pk for pk, _clock, _level in units):
            raise RuntimeError("boom")
        return real(units, **kwargs)

    monkeypatch.setattr(workflow, "raise_alerts", broken)
    result = sla.sweep(D("2026-03-06"))
    # The batch of both failed; done again one by one, only the broken unit is left.
    assert (result.raised, result.failed) == (1, [first.pk])
    assert Alert.objects.filter(application=second).count() == 1
    assert Application.objects.get(pk=first.pk).next_alert_on == D("2026-03-06"), "left for the next sweep"


def _received(cast: Cast, count: int) -> list[int]:
    return [cast.received(on=D("2026-03-02")).pk for _ in range(count)]


def _batch_counting(day: date, size: int) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        claimed = sla.process_batch(day, sla.SweepResult(), size)
    return claimed, len(queries)


def test_a_batch_costs_the_same_queries_for_3_alerts_as_for_30(cast: Cast, now) -> None:
    """Claimed in one statement, raised with bulk writes: the queries are per batch, not per alert."""
    now(D("2026-03-02"))
    pks = _received(cast, 33)
    now(D("2026-03-06"))
    assert _batch_counting(D("2026-03-06"), 3)[0] == 3
    claimed, few_queries = _batch_counting(D("2026-03-06"), 3)
    assert claimed == 3
    claimed, many_queries = _batch_counting(D("2026-03-06"), 30)
    assert claimed == 27
    assert many_queries == few_queries, "the queries of a batch do not grow with its alerts"
    assert Alert.objects.filter(application__in=pks, level="yellow").count() == 33
    assert Notification.objects.filter(application__in=pks, kind="alert").count() == 33
    assert AuditEvent.objects.filter(application__in=pks, action="alert").count() == 33
    from approvals.audit import verify_chain

    assert verify_chain().ok, "the batch's events are chained in order"
    assert not Application.objects.filter(pk__in=pks, next_alert_level="acceptance:yellow").exists()
    assert sla.sweep(D("2026-03-06")).raised == 0


def test_batches_double_up_to_the_configured_size(cast: Cast, now, settings) -> None:
    settings.SLA_SWEEP_BATCH = 16
    now(D("2026-03-02"))
    _received(cast, 40)
    now(D("2026-03-06"))
    result = sla.sweep(D("2026-03-06"))
    assert (result.raised, result.batches) == (40, 6), "1, 2, 4, 8, then 16 (not 32), then the 9 left"
    assert sla.sweep(D("2026-03-06")).raised == 0


def test_a_failed_batch_rolls_back_whole(cast: Cast, now, monkeypatch) -> None:
    """An error in one unit of a batch leaves every unit of it as it was: no alert, no audit row."""
    now(D("2026-03-02"))
    pks = _received(cast, 3)
    now(D("2026-03-06"))
    from approvals.workflow import alerts

    monkeypatch.setattr(alerts.audit, "append", lambda drafts: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError):
        workflow.raise_alerts([(pk, "acceptance", "yellow") for pk in pks], on=D("2026-03-06"))
    assert not Alert.objects.filter(application__in=pks).exists()
    assert all(
        d == D("2026-03-06") for d in Application.objects.filter(pk__in=pks).values_list("next_alert_on", flat=True)
    )


# -- the morning digest ---------------------------------------------------------------------


@pytest.fixture
def overdue(emails: Cast, now) -> Application:
    """olga's licence, overdue from late February 2026 on."""
    now(D("2026-01-06"))
    return emails.under_review(received=D("2026-01-05"), accepted=D("2026-01-05"))


@pytest.mark.parametrize(
    ("day", "sent"),
    [
        ("2026-02-13", 1),  # a Friday
        ("2026-02-14", 1),  # Saturday, declared a working day (Spring Festival)
        ("2026-02-15", 0),  # Sunday, Spring Festival
        ("2026-02-16", 0),  # Monday, Spring Festival holiday
        ("2026-03-07", 0),  # an ordinary Saturday
    ],
)
def test_the_digest_goes_out_on_working_days_only(overdue: Application, now, day: str, sent: int) -> None:
    now(D(day))
    mail.outbox.clear()
    assert sla.send_digests(D(day)) == sent
    assert len(mail.outbox) == sent
    assert Digest.objects.count() == sent


def test_one_digest_a_day_listing_the_officers_due_cases(overdue: Application, emails: Cast, now) -> None:
    now(D("2026-02-24"))
    assert overdue.due_date == D("2026-02-10")
    mail.outbox.clear()
    assert sla.send_digests(D("2026-02-24")) == 1
    assert sla.send_digests(D("2026-02-24")) == 0
    (message,) = mail.outbox
    assert message.to == ["olga@example.gov.cn"] and overdue.tracking_number in message.body
    digest = Notification.objects.get(kind="digest")
    assert digest.recipient == emails.olga
    assert [c["level"] for c in digest.data["cases"]] == ["red"]
    with translation.override("en"):
        assert notifications.text(digest) == "Morning digest 2026-02-24: 1 case due soon or overdue"


def test_schedules_install_once_and_update_in_place(db, settings) -> None:
    from django_q.models import Schedule

    declared = len(schedules.declared())
    assert [what for _name, what in schedules.install()] == ["created"] * declared
    assert [what for _name, what in schedules.install()] == ["unchanged"] * declared
    settings.SLA_SWEEP_MINUTES = 2
    assert dict(schedules.install())["shixian: SLA sweep"] == "updated"
    assert Schedule.objects.filter(name__startswith="shixian:").count() == declared
    digest = Schedule.objects.get(name="shixian: morning digest")
    assert digest.schedule_type == Schedule.DAILY and digest.next_run.astimezone().strftime("%M") == "30"


def test_a_sweep_catching_up_tells_only_the_most_serious_level(emails: Cast, now) -> None:
    cast = emails
    now(D("2026-03-03"))
    app = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    now(D("2026-05-08"))
    mail.outbox.clear()
    assert sla.sweep(D("2026-05-08")).raised == 3, "yellow, red and severe are all recorded"
    assert set(Alert.objects.filter(application=app).values_list("level", flat=True)) == {"yellow", "red", "severe"}
    assert set(Notification.objects.filter(kind="alert").values_list("data__level", flat=True)) == {"severe"}
    assert len(mail.outbox) == 3  # olga, mia, root: severe only
    quiet = AuditEvent.objects.filter(application=app, action="alert", data__passed=True)
    assert sorted(quiet.values_list("data__level", flat=True)) == ["red", "yellow"]


def test_emails_link_to_the_site_as_its_users_reach_it(overdue: Application, emails: Cast, now, settings) -> None:
    """An email's links are SITE_URL and the screen's path (approvals.addresses.absolute): an
    alert's to its case page, the digest's to the home page."""
    settings.SITE_URL = "https://shixian.example.gov.cn"
    mail.outbox.clear()
    sweep_days(now, D("2026-02-24"), D("2026-02-24"))
    sla.send_digests(D("2026-02-24"))
    case_page = f"https://shixian.example.gov.cn/applications/{overdue.pk}/"
    alerts = [m for m in mail.outbox if overdue.tracking_number in m.subject]
    assert alerts and all(case_page in m.body and case_page in m.alternatives[0][0] for m in alerts)
    (digest,) = [m for m in mail.outbox if m not in alerts]
    assert "https://shixian.example.gov.cn/\n" in digest.body
    assert 'href="https://shixian.example.gov.cn/"' in digest.alternatives[0][0]

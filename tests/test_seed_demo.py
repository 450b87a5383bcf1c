"""`python manage.py seed_demo`: a demo data set built through the workflow, dated relative to today.

Time is pinned (to 2026-11-28, a Saturday whose next year has no published holiday schedule, the
day the brief was written for; and to two days inside long holidays) so that what the data looks
like does not depend on the day the suite runs.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone
from django_q.models import OrmQ

from approvals import audit, credit_code, details, workflow
from approvals.catalogue import ENTRIES
from approvals.holidays import work_calendar
from approvals.management.commands.seed_demo import PASSWORD, Command
from approvals.management.demo_plans import SCENARIOS, Planner, allocate
from approvals.models import (
    CLOCK_DUE_COLUMNS,
    Application,
    AuditEvent,
    AuditHead,
    ClockKind,
    Document,
    ExtensionState,
    Material,
    Notification,
    Organisation,
    OrganisationKind,
    Procedure,
    ProcedureRoute,
    Role,
    State,
    User,
)
from approvals.workflow.documents import BACKFILL_TASK, issue_missing, owed_events

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def uploads(settings, tmp_path):
    """Materials go to a temporary folder (as in the ``cast`` fixture); DEBUG on, as on the
    development machine the command is for."""

    settings.DEBUG = True
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def pin(monkeypatch):
    """Pin the time the workflow, the audit trail and the command see."""

    def pin(day: date, at: time = time(10, 0)) -> datetime:
        moment = datetime.combine(day, at, tzinfo=SHANGHAI)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return pin


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "users": sorted(User.objects.values_list("username", "password", "role")),
        "organisations": Organisation.objects.count(),
        "applications": sorted(Application.objects.values_list("pk", "state", "extension_state", "last_action_on")),
        "events": AuditEvent.objects.count(),
        "head": AuditHead.objects.values_list("last_hash", flat=True).get(),
        "materials": Material.objects.count(),
        "notifications": Notification.objects.count(),
    }


def test_the_scenarios_are_allocated_in_proportion_and_each_at_least_once():
    assert len(allocate(300)) == 300
    assert len(allocate(60)) == 60
    assert {(p, s) for p, s, _w in SCENARIOS} == set(allocate(len(SCENARIOS)))
    assert len(allocate(7)) == 7
    assert allocate(0) == []


def test_each_action_it_plays_is_a_catalogue_entry_and_it_plays_every_transition():
    """The plans' steps are named by the catalogue (approvals.catalogue): a renamed action fails
    here, and so does a transition added to the catalogue that no scenario plays."""
    plays = set(Command().plays())
    assert plays <= {e.name for e in ENTRIES}
    planned = {
        action
        for seed in range(20)
        for procedure, scenario, _w in SCENARIOS
        for _offset, action, _kwargs in Planner(random.Random(seed)).plan(scenario, procedure)
    }
    assert planned == plays
    assert {e.name for e in ENTRIES if e.machine} <= planned


def test_it_builds_a_live_demo_once(db, uploads, pin):
    """One seed of 60 applications, checked from every side (seeding takes seconds: once is enough)."""
    pin(date(2026, 11, 28))
    out = seed("--applications", "60")
    it_makes_every_procedure_and_every_state()
    it_builds_through_the_workflow_in_date_order()
    the_deadlines_look_live()
    the_people_and_organisations_are_complete()
    the_fixed_logins_sign_in_and_have_something_to_show(out)
    each_appointment_is_about_its_own_procedure()
    it_leaves_no_task_for_a_worker_and_ends_with_how_to_sign_in(out)
    the_demo_enterprise_has_its_documents_and_the_worker_issues_the_rest(out)
    running_it_again_changes_nothing(pin)


def the_demo_enterprise_has_its_documents_and_the_worker_issues_the_rest(out: str) -> None:
    """The fixed enterprise login's cases have their documents at once (a granted licence's and a
    refusal's among them); the worker's task issues every other one, marked as issued later."""
    enterprise = User.objects.get(username="enterprise").organisation
    shown = Document.objects.filter(application__organisation=enterprise)
    assert shown.filter(kind="grant").exists()
    assert shown.filter(kind__in=["denial", "non_acceptance", "filing_refusal"]).exists()
    assert not shown.filter(late=True).exists()
    assert not Document.objects.exclude(application__organisation=enterprise).exists()
    owed = owed_events().count()
    assert owed > 0
    assert f"Documents: {shown.count()} issued for {enterprise}'s cases; {owed} more" in out
    result = issue_missing()
    assert (len(result.issued), result.failed) == (owed, {})
    assert not owed_events().exists()
    assert Document.objects.filter(late=True).count() == owed
    assert audit.verify_chain().ok and audit.verify_documents().ok


def it_makes_every_procedure_and_every_state() -> None:
    apps = Application.objects.all()
    assert apps.count() == 60
    assert set(apps.values_list("procedure", flat=True)) == set(Procedure.values)
    assert set(apps.values_list("state", flat=True)) == set(State.values)
    assert set(apps.values_list("extension_state", flat=True)) == set(ExtensionState.values)
    assert apps.filter(correction_notices__gt=1, state=State.CORRECTION).exists()  # the flagged second notice
    assert apps.filter(details__has_key="domains").count() == apps.filter(procedure=Procedure.WEBSITE_FILING).count()
    # Every application's details are complete, as a submission through the screens needs them.
    for app in apps:
        assert details.clean(app.procedure, app.details, details.COMPLETE) == app.details, app


def it_builds_through_the_workflow_in_date_order() -> None:
    today = workflow.today()
    assert audit.verify_chain().ok
    for app in Application.objects.prefetch_related("materials"):
        days = list(app.events.order_by("pk").values_list("on", "action"))
        assert days[0][1] == "created"  # made by workflow.create_application, not by hand
        assert [on for on, _a in days] == sorted(on for on, _a in days), app
        assert app.last_action_on == days[-1][0] <= today
        assert app.materials.all()
    # Actions fall on working days (reassignments, ratings and appointment bookings and answers
    # are recorded today, a Saturday).
    calendar = work_calendar()
    today_only = ["reassign", "rated", "rated_bad", "rating_followed_up"]
    today_only += ["appointment_requested", "appointment_confirmed", "appointment_declined", "appointment_cancelled"]
    days = AuditEvent.objects.exclude(action__in=today_only).values_list("on", flat=True)
    assert all(calendar.is_working_day(on) for on in days)
    assert 100 <= (today - min(days)).days <= 190  # spread over about five months


def the_deadlines_look_live() -> None:
    today = workflow.today()
    deciding = Application.objects.filter(clock=ClockKind.DECISION)
    assert deciding.filter(due_date__lt=today).exists()  # red
    assert deciding.filter(statutory_due__lt=today).exists()  # severe
    assert deciding.filter(due_date__gte=today, due_date__lte=date(2026, 12, 2)).exists()  # due soon
    assert deciding.filter(due_date__gt=date(2026, 12, 2)).exists()  # green
    assert Application.objects.filter(state=State.PAUSED, clock=ClockKind.PAUSED).exists()
    assert Application.objects.filter(state=State.RECEIVED, acceptance_due__gte=today).exists()
    # 2027 has no published schedule: clocks that count its uncertain days say so, each by itself.
    # Only clocks that count an uncertain day are provisional (in late November: the licences whose
    # statutory 60 days and extension reach the 2027 Spring Festival's bridging days).
    provisional = Application.objects.provisional()
    assert provisional.count() >= 1
    for app in provisional:
        marked = [
            kind
            for kind in ("acceptance", "promised", "statutory", "certificate")
            if getattr(app, f"{kind}_provisional")
        ]
        for kind in marked:
            due = getattr(app, CLOCK_DUE_COLUMNS[kind])
            assert due.year >= 2027 and getattr(app, f"{kind}_earliest") <= due <= getattr(app, f"{kind}_latest")
    assert Application.objects.filter(statutory_provisional=True, promised_provisional=False).exists(), (
        "a promised date wholly in 2026 beside a provisional statutory one"
    )


def the_people_and_organisations_are_complete() -> None:
    routes = dict(ProcedureRoute.objects.values_list("procedure", "department__name"))
    assert routes == {
        Procedure.TELECOM_LICENCE: "信息通信管理处",
        Procedure.NUMBER_RESOURCE: "信息通信管理处",
        Procedure.WEBSITE_FILING: "信息通信管理处",  # the demo officer and manager handle filings too (issue 16)
    }
    enterprises = Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE)
    assert enterprises.count() == 25
    assert Organisation.objects.filter(kind=OrganisationKind.ACCESS_PROVIDER).count() == 3
    assert all(credit_code.is_valid(code) for code in Organisation.objects.values_list("credit_code", flat=True))
    assert all(code[2:4] == "34" for code in enterprises.values_list("credit_code", flat=True))  # Anhui
    assert all(org.members.exists() for org in Organisation.objects.all())
    assert len(set(User.objects.values_list("name", flat=True))) == User.objects.count()
    filing_numbers = list(Application.objects.filter(state=State.FILED).values_list("filing_number", flat=True))
    assert filing_numbers and all(workflow.FILING_NUMBER.match(n) for n in filing_numbers)


def each_appointment_is_about_its_own_procedure() -> None:
    """A licence's visit was booked "码号资源使用证书变更咨询" (the walk-through's finding)."""
    from approvals.models import Appointment

    booked = list(Appointment.objects.values_list("procedure", "purpose"))
    assert booked
    for procedure, purpose in booked:
        assert ("码号" in purpose) <= (procedure == Procedure.NUMBER_RESOURCE), (procedure, purpose)
        assert ("许可" in purpose) <= (procedure == Procedure.TELECOM_LICENCE), (procedure, purpose)


def the_fixed_logins_sign_in_and_have_something_to_show(out: str) -> None:
    roles = {
        "enterprise": Role.ENTERPRISE,
        "officer": Role.OFFICER,
        "manager": Role.MANAGER,
        "provider": Role.PROVIDER,
        "admin": Role.ADMIN,
    }
    sign_in = RequestFactory().post("/accounts/login/")  # django-axes checks each attempt's request
    for username, role in roles.items():
        user = authenticate(sign_in, username=username, password=PASSWORD)
        assert user is not None and user.role == role, username
        assert authenticate(sign_in, username=username, password="wrong") is None
        assert f"  {username} " in out
    officer, manager = User.objects.get(username="officer"), User.objects.get(username="manager")
    enterprise, admin = User.objects.get(username="enterprise"), User.objects.get(username="admin")
    assert officer.department == manager.department and officer.department.name == "信息通信管理处"
    assert admin.is_superuser and admin.is_staff
    worklist = Application.objects.open().filter(officer=officer)
    assert worklist.count() >= 5
    assert len(set(worklist.values_list("state", flat=True))) >= 3
    assert Application.objects.filter(department=manager.department, extension_state=ExtensionState.REQUESTED).exists()
    assert Application.objects.filter(organisation=enterprise.organisation).count() >= 3
    assert Notification.objects.filter(recipient=officer).exists()


def it_leaves_no_task_for_a_worker_and_ends_with_how_to_sign_in(out: str) -> None:
    # One task only: the documents of the other enterprises' acts, issued in the background.
    assert [task.func() for task in OrmQ.objects.all()] == [BACKFILL_TASK]
    assert not AuditEvent.objects.filter(notified_at__isnull=True).exists()
    last = out.strip().splitlines()
    assert PASSWORD in last[-1]
    text = "\n".join(last[-8:])
    assert "http://127.0.0.1:8000/accounts/login/" in text and "http://127.0.0.1:8000/admin/" in text


def running_it_again_changes_nothing(pin) -> None:
    before = snapshot()
    pin(date(2026, 11, 30))
    out = seed()
    assert snapshot() == before
    assert PASSWORD not in out


def test_it_leaves_a_database_with_users_alone(db, uploads, pin):
    pin(date(2026, 11, 28))
    User.objects.create_user("someone", password="x", role=Role.ADMIN)
    seed("--applications", "5")
    assert User.objects.count() == 1
    assert not Application.objects.exists() and not Organisation.objects.exists()


@pytest.mark.parametrize("day", [date(2026, 2, 18), date(2026, 10, 5)])  # Spring Festival, National Day
def test_it_works_on_any_day_even_in_a_holiday(db, uploads, pin, day):
    pin(day, time(8, 30))
    seed("--applications", str(len(SCENARIOS)))
    assert set(Application.objects.values_list("state", flat=True)) == set(State.values)
    assert audit.verify_chain().ok
    assert not AuditEvent.objects.filter(on__gt=day).exists()


@pytest.mark.django_db
def test_it_refuses_to_run_without_debug(settings) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo", "--applications", "5", stdout=StringIO())
    assert not User.objects.exists()


def test_the_five_demo_users_walk_a_website_filing_to_its_end(db, uploads, pin):
    """enterprise applies, provider forwards with the identity check, officer records the
    filing, manager and enterprise see it: filings went to 互联网管理处, where the demo's officer
    and manager could neither open nor decide one (issue 16, item 4)."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from tests.cast import DETAILS, browser, pdf

    day = date(2026, 11, 30)
    pin(day)
    seed("--applications", "60")
    users = {name: User.objects.get(username=name) for name in ("enterprise", "provider", "officer", "manager")}
    for _ in range(3):  # a demo user tries the other procedures first: they reach ``officer`` too
        other = workflow.create_application(
            users["enterprise"], Procedure.TELECOM_LICENCE, "试用", details=dict(DETAILS[Procedure.TELECOM_LICENCE])
        )
        workflow.add_material(other.pk, users["enterprise"], pdf())
        assert workflow.submit(other.pk, users["enterprise"], complete=True).officer == users["officer"]
    app = workflow.create_application(
        users["enterprise"],
        Procedure.WEBSITE_FILING,
        "演示网站备案",
        details=dict(DETAILS[Procedure.WEBSITE_FILING]),
        provider_id=users["provider"].organisation_id,
    )
    workflow.add_material(app.pk, users["enterprise"], pdf())
    app = workflow.submit(app.pk, users["enterprise"], complete=True)
    assert app.tracking_number and app.tracking_number in browser(users["provider"]).get("/provider/").content.decode()
    verified = datetime.combine(day, time(9, 0), tzinfo=ZoneInfo("Asia/Shanghai"))
    workflow.forward_to_administration(
        app.pk, users["provider"], method="face", verified_at=verified, reference="FACE-DEMO"
    )
    app.refresh_from_db()
    assert app.officer == users["officer"], app.officer
    for name in ("officer", "manager", "enterprise"):
        assert browser(users[name]).get(f"/applications/{app.pk}/").status_code == 200, name
    assert "file" in workflow.available_actions(app, users["officer"])
    workflow.file(app.pk, users["officer"], "皖ICP备2026990001号")
    app.refresh_from_db()
    assert app.state == State.FILED
    assert "皖ICP备2026990001号" in browser(users["enterprise"]).get(f"/applications/{app.pk}/").content.decode()

"""The Django admin: every page opens, nothing edits what the workflow owns, and the actions and
calendar edits go through approvals.workflow."""

import re
from datetime import date

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from approvals import feeds, notifications, workflow
from approvals.models import (
    Application,
    AuditEvent,
    CalendarDay,
    CalendarYear,
    DayKind,
    Notification,
    Policy,
    Procedure,
    Role,
    State,
    User,
)
from tests.cast import Cast


@pytest.fixture
def admin_client_zh(db) -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.com", "x-very-long-pass-2026")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["calendaryear", "calendarday", "policy"])
def test_each_list_and_add_page_opens(admin_client_zh: Client, model: str) -> None:
    CalendarYear.objects.create(year=2027, source="国办发明电")
    CalendarDay.objects.create(date="2027-01-01", kind=DayKind.HOLIDAY, name="元旦", notice_year=2027)
    for page in ("changelist", "add"):
        response = admin_client_zh.get(reverse(f"admin:approvals_{model}_{page}"))
        assert response.status_code == 200


def test_the_seeded_policies_are_listed_in_chinese_by_default(admin_client_zh: Client) -> None:
    response = admin_client_zh.get(reverse("admin:approvals_policy_changelist"))
    assert Policy.objects.count() == 6
    text = response.content.decode()
    assert "增值电信业务经营许可" in text
    assert "互联网网站备案" in text


def test_chinese_whatever_the_browser_says_until_english_is_chosen(admin_client_zh: Client) -> None:
    url = reverse("admin:approvals_policy_changelist")
    response = admin_client_zh.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "增值电信业务经营许可" in response.content.decode()
    assert response["Content-Language"] == "zh-hans"
    admin_client_zh.post(reverse("set_language"), {"language": "en", "next": url})
    response = admin_client_zh.get(url)
    assert "Value-added telecom business licence" in response.content.decode()
    assert response["Content-Language"] == "en"


@pytest.mark.django_db
def test_the_home_page_asks_a_visitor_to_sign_in(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response.url == reverse("login")


# -- the whole admin, with the cast -------------------------------------------------------------

D = date.fromisoformat


@pytest.fixture
def root(cast: Cast) -> User:
    """The cast's administrator, let into the admin (the cast creates them without staff status)."""
    cast.root.is_staff = cast.root.is_superuser = True
    cast.root.save(update_fields=["is_staff", "is_superuser"])
    return cast.root


@pytest.fixture
def root_client(client: Client, root: User) -> Client:
    client.force_login(root)
    return client


def fresh(app: Application) -> Application:
    return Application.objects.get(pk=app.pk)


def changelist(model: type) -> str:
    return reverse(f"admin:approvals_{model._meta.model_name}_changelist")


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def moved_message(count: int) -> str:
    with translation.override("zh-hans"):
        text = translation.ngettext(
            "The due dates of %(count)d open application moved.",
            "The due dates of %(count)d open applications moved.",
            count,
        )
    return text % {"count": count}


def run_action(client: Client, action: str, apps: list[Application], **extra) -> object:
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [app.pk for app in apps], **extra}
    return client.post(changelist(Application), data, follow=True)


def test_every_changelist_and_change_page_opens_for_a_superuser(cast: Cast, root_client: Client) -> None:
    app = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-03-02"), accepted=D("2026-03-02"))
    cast.paused(app, on=D("2026-03-04"), until=D("2026-03-20"), notice=D("2026-03-05"), basis="电信网码号资源管理办法")
    notifications.deliver(AuditEvent.objects.values_list("pk", flat=True))
    CalendarYear.objects.create(year=2027, source="国办发明电")
    CalendarDay.objects.create(date=D("2027-01-01"), kind=DayKind.HOLIDAY, name="元旦", notice_year=2027)
    feeds.create_feed(cast.olga)
    registered = [model for model in admin.site._registry if model._meta.app_label == "approvals"]
    assert {model.__name__ for model in registered} >= {
        "Application",
        "AuditEvent",
        "CalendarDay",
        "CalendarYear",
        "Department",
        "Notification",
        "Organisation",
        "Policy",
        "User",
    }
    request = RequestFactory().get("/")
    request.user = cast.root
    for model, model_admin in admin.site._registry.items():
        if model not in registered:
            continue
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, model
        name = model._meta.model_name
        urls = [changelist(model), reverse(f"admin:approvals_{name}_change", args=[obj.pk])]
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"admin:approvals_{name}_add"))
        for url in urls:
            response = root_client.get(url)
            assert response.status_code == 200, url


def test_the_application_page_shows_materials_procedures_and_events_but_no_file_links(
    cast: Cast, root_client: Client
) -> None:
    app = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-03-02"), accepted=D("2026-03-02"))
    cast.paused(
        app, on=D("2026-03-04"), until=D("2026-03-20"), notice=D("2026-03-05"), basis="电信网码号资源管理办法第十条"
    )
    response = root_client.get(reverse("admin:approvals_application_change", args=[app.pk]))
    text = response.content.decode()
    with translation.override("zh-hans"):
        accepted = str(notifications.ACTIONS["accept"])
    assert "申请书.pdf" in text and "电信网码号资源管理办法第十条" in text and accepted in text
    assert "materials/" not in text, "materials are private: no link to the file"
    assert ">None<" not in text


def test_the_application_change_page_edits_nothing_and_ignores_a_posted_state(cast: Cast, root_client: Client) -> None:
    app = cast.received()
    url = reverse("admin:approvals_application_change", args=[app.pk])
    text = root_client.get(url).content.decode()
    names = set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', text))
    fields = {field.name for field in Application._meta.get_fields()}
    assert not names & fields, f"editable application fields: {names & fields}"
    assert 'name="_save"' not in text
    response = root_client.post(url, {"state": State.GRANTED, "due_date": "2030-01-01", "_save": "1"})
    assert response.status_code == 403
    assert (fresh(app).state, fresh(app).due_date) == (State.RECEIVED, app.due_date)
    assert root_client.get(reverse("admin:approvals_application_add")).status_code == 403
    assert root_client.get(reverse("admin:approvals_application_delete", args=[app.pk])).status_code == 403


def test_the_recompute_action_moves_clocks_through_the_workflow(cast: Cast, root_client: Client) -> None:
    app = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-03-02"), accepted=D("2026-03-02"))
    assert app.due_date == D("2026-03-16")
    # A calendar change that bypassed the workflow: the stored clock is stale until recomputed.
    CalendarDay.objects.create(date=D("2026-03-10"), kind=DayKind.HOLIDAY, name="测试", notice_year=2026)
    assert fresh(app).due_date == D("2026-03-16")
    response = run_action(root_client, "recompute_clocks", [app])
    assert fresh(app).due_date == D("2026-03-17")
    event = AuditEvent.objects.filter(application=app).last()
    assert (event.action, event.data["promised"]) == ("due_date_moved", ["2026-03-16", "2026-03-17"])
    assert any(app.tracking_number in text for text in texts(response))


def test_deemed_acceptance_from_the_admin_changes_only_applications_whose_period_ran_out(
    cast: Cast, root_client: Client, now
) -> None:
    now(D("2026-03-10"))  # the admin's and the workflow's today alike
    overdue = cast.received(on=D("2026-03-02"))  # acceptance due Mon 9 Mar
    in_time = cast.received(on=D("2026-03-05"))  # acceptance due Thu 12 Mar
    accepted = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    response = run_action(root_client, "apply_deemed_acceptance", [overdue, in_time, accepted])
    assert (fresh(overdue).state, fresh(overdue).deemed_accepted) == (State.UNDER_REVIEW, True)
    assert fresh(in_time).state == State.RECEIVED
    assert fresh(accepted).deemed_accepted is False
    deemed = AuditEvent.objects.filter(action="deem_accepted")
    assert list(deemed.values_list("application", flat=True)) == [overdue.pk]
    report = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    assert [level for level, _text in report] == ["success", "warning", "warning"], report
    for (_level, text), app in zip(report, [overdue, in_time, accepted], strict=True):
        assert app.tracking_number in text


def test_reassigning_from_the_admin_asks_for_the_officer_then_goes_through_the_workflow(
    cast: Cast, root_client: Client
) -> None:
    app = cast.received()
    assert app.officer == cast.olga
    page = run_action(root_client, "reassign", [app], index="0")
    assert page.status_code == 200
    assert "admin/approvals/application/reassign.html" in [t.name for t in page.templates]
    officers = list(page.context["form"].fields["officer"].queryset)
    assert officers == sorted([cast.olga, cast.oscar], key=lambda u: u.name), "only the department's officers"

    response = run_action(root_client, "reassign", [app], apply="yes", officer=cast.oscar.pk, note="Olga 休假")
    assert fresh(app).officer == cast.oscar
    event = AuditEvent.objects.filter(application=app).last()
    assert (event.action, event.actor, event.note) == ("reassign", cast.root, "Olga 休假")
    assert event.data == {"previous_officer": cast.olga.pk, "officer": cast.oscar.pk}
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]

    events = AuditEvent.objects.count()
    response = run_action(root_client, "reassign", [app], apply="yes", officer=cast.oscar.pk)
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert AuditEvent.objects.count() == events


def test_audit_events_cannot_be_added_changed_or_deleted_even_by_a_superuser(cast: Cast, root_client: Client) -> None:
    app = cast.received()
    event = AuditEvent.objects.filter(application=app).last()
    assert root_client.get(reverse("admin:approvals_auditevent_add")).status_code == 403
    change = reverse("admin:approvals_auditevent_change", args=[event.pk])
    assert root_client.post(change, {"action": "grant", "note": "x"}).status_code == 403
    assert (
        root_client.post(reverse("admin:approvals_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    response = root_client.post(
        changelist(AuditEvent), {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [event.pk], "post": "yes"}
    )
    assert AuditEvent.objects.filter(pk=event.pk, action="submit", note=event.note).exists()
    request = RequestFactory().get("/")
    request.user = cast.root
    model_admin = admin.site._registry[AuditEvent]
    assert not any(
        (
            model_admin.has_add_permission(request),
            model_admin.has_change_permission(request, event),
            model_admin.has_delete_permission(request, event),
        )
    )
    response = root_client.get(changelist(AuditEvent), {"action": "submit", "q": app.tracking_number})
    assert list(response.context["cl"].result_list) == [event]


def test_a_schedule_day_added_in_the_admin_moves_open_clocks_and_deleting_it_moves_them_back(
    cast: Cast, root_client: Client
) -> None:
    app = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-03-02"), accepted=D("2026-03-02"))
    assert app.due_date == D("2026-03-16")
    data = {"date": "2026-03-10", "kind": DayKind.HOLIDAY, "name": "临时调休", "notice_year": 2026, "source": ""}
    response = root_client.post(reverse("admin:approvals_calendarday_add"), data, follow=True)
    assert response.status_code == 200
    assert fresh(app).due_date == D("2026-03-17")
    event = AuditEvent.objects.filter(application=app, action="due_date_moved").get()
    assert event.data["promised"] == ["2026-03-16", "2026-03-17"]
    assert "root" in event.note and "2026-03-10" in event.note
    assert moved_message(1) in texts(response)

    root_client.post(reverse("admin:approvals_calendarday_add"), {**data, "date": "2026-03-11"})
    assert fresh(app).due_date == D("2026-03-18")
    first, second = CalendarDay.objects.order_by("date")
    root_client.post(reverse("admin:approvals_calendarday_delete", args=[first.pk]), {"post": "yes"})
    assert fresh(app).due_date == D("2026-03-17")
    bulk = {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [second.pk], "post": "yes"}
    response = root_client.post(changelist(CalendarDay), bulk, follow=True)
    assert not CalendarDay.objects.exists()
    assert fresh(app).due_date == D("2026-03-16")
    assert moved_message(1) in texts(response)
    assert AuditEvent.objects.filter(application=app, action="due_date_moved").count() == 4


def test_toggling_a_year_official_recomputes_the_whole_year(
    cast: Cast, root_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = workflow.calendar_days_changed

    def spy(days, reason: str, actor=None) -> int:
        calls.append((list(days), reason))
        return real(days, reason, actor=actor)

    monkeypatch.setattr(workflow, "calendar_days_changed", spy)
    year = CalendarYear.objects.create(year=2027, official=True, source="国办发明电")
    url = reverse("admin:approvals_calendaryear_change", args=[year.pk])
    root_client.post(url, {"year": 2027, "source": "国办发明电"})  # official unticked
    assert CalendarYear.objects.get(pk=year.pk).official is False
    [(days, reason)] = calls
    assert (days[0], days[-1], len(days)) == (D("2027-01-01"), D("2027-12-31"), 365)
    assert "root" in reason and "2027" in reason
    root_client.post(url, {"year": 2027, "source": "国办发明电 (更正)", "official": "on"})
    root_client.post(url, {"year": 2027, "source": "国办发明电 (再更正)", "official": "on"})  # no toggle
    assert len(calls) == 2


def test_a_policy_in_use_keeps_its_limits_but_its_effective_date_can_be_corrected(
    cast: Cast, root_client: Client
) -> None:
    app = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-03-02"), accepted=D("2026-03-02"))
    policy = app.policy
    url = reverse("admin:approvals_policy_change", args=[policy.pk])
    assert 'name="promised_limit"' not in root_client.get(url).content.decode()
    data = {
        "procedure": Procedure.TELECOM_LICENCE,
        "effective_from": "2021-05-15",
        "promised_limit": 1,
        "promised_unit": "calendar_days",
        "statutory_limit": 1,
        "statutory_unit": "calendar_days",
        "max_extension": 99,
        "basis": policy.basis,
    }
    response = root_client.post(url, data)
    assert response.status_code == 302
    after = Policy.objects.get(pk=policy.pk)
    assert after.effective_from == D("2021-05-15")
    locked = ["procedure", "promised_limit", "promised_unit", "statutory_limit", "statutory_unit"]
    locked += ["statutory_from_receipt", "pauses_allowed", "max_extension"]
    assert [getattr(after, f) for f in locked] == [getattr(policy, f) for f in locked]

    unused = Policy.objects.filter(procedure=Procedure.WEBSITE_FILING).first()
    text = root_client.get(reverse("admin:approvals_policy_change", args=[unused.pk])).content.decode()
    assert 'name="promised_limit"' in text


def test_a_new_policy_can_be_added(root_client: Client) -> None:
    data = {
        "procedure": Procedure.TELECOM_LICENCE,
        "effective_from": "2027-01-01",
        "promised_limit": 15,
        "promised_unit": "working_days",
        "statutory_limit": 60,
        "statutory_unit": "calendar_days",
        "max_extension": 0,
        "basis": "新承诺",
    }
    response = root_client.post(reverse("admin:approvals_policy_add"), data)
    assert response.status_code == 302
    assert Policy.objects.filter(effective_from=D("2027-01-01"), promised_limit=15).exists()


def test_the_application_list_runs_the_same_queries_for_3_or_30_applications(cast: Cast, root_client: Client) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = root_client.get(changelist(Application))
        assert response.status_code == 200
        return len(queries)

    for _ in range(3):
        cast.received()
    few = count()
    for _ in range(27):
        cast.received()
    assert Application.objects.count() == 30
    many = count()
    assert many == few, f"{few} queries for 3 applications, {many} for 30"


def test_an_officer_is_added_with_role_and_department(cast: Cast, root_client: Client) -> None:
    data = {
        "username": "olivia",
        "usable_password": "true",
        "password1": "a-long-password-2026",
        "password2": "a-long-password-2026",
        "name": "Olivia",
        "role": Role.OFFICER,
        "department": "",
        "organisation": "",
        "phone": "0551-1234567",
    }
    response = root_client.post(reverse("admin:approvals_user_add"), data)
    assert response.status_code == 200, "an officer without a department is refused"
    assert not User.objects.filter(username="olivia").exists()
    response = root_client.post(reverse("admin:approvals_user_add"), {**data, "department": cast.licensing.pk})
    assert response.status_code == 302
    olivia = User.objects.get(username="olivia")
    assert (olivia.role, olivia.department, olivia.phone) == (Role.OFFICER, cast.licensing, "0551-1234567")
    response = root_client.get(reverse("admin:approvals_user_changelist"), {"role__exact": Role.OFFICER})
    assert {u.username for u in response.context["cl"].result_list} == {"olga", "oscar", "fiona", "olivia"}


def test_the_read_and_active_filters_keep_what_their_choice_says(cast: Cast, root_client: Client) -> None:
    feeds.create_feed(cast.olga)
    feeds.create_feed(cast.mia)
    feeds.revoke_feed(cast.mia)
    feed_list = reverse("admin:approvals_calendarfeed_changelist")
    active = root_client.get(feed_list, {"active": "yes"}).context["cl"].result_list
    revoked = root_client.get(feed_list, {"active": "no"}).context["cl"].result_list
    assert [f.user for f in active] == [cast.olga]
    assert [f.user for f in revoked] == [cast.mia]

    Notification.objects.create(recipient=cast.olga, kind="accept", read_at=timezone.now())
    Notification.objects.create(recipient=cast.bob, kind="accept")
    note_list = reverse("admin:approvals_notification_changelist")
    read = root_client.get(note_list, {"read": "yes"}).context["cl"].result_list
    unread = root_client.get(note_list, {"read": "no"}).context["cl"].result_list
    assert [n.recipient for n in read] == [cast.olga]
    assert [n.recipient for n in unread] == [cast.bob]
    page = root_client.get(note_list).content.decode()
    assert "?kind=accept" in page and "kind=calendar_job_done" not in page  # only the kinds sent

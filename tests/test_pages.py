"""The application page every audience shares, its action forms, materials and notifications."""

from datetime import date

import pytest
from django.test import Client

from approvals import workflow
from approvals.models import Application, AuditEvent, Material, Notification, Procedure, Rating, State
from tests.api import api, error
from tests.cast import PDF, Cast, browser

D = date.fromisoformat


client_for = browser


@pytest.fixture
def case(cast: Cast, now) -> Application:
    now(D("2026-03-05"))
    return cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))


def test_the_page_shows_the_deadline_and_how_it_is_counted(cast: Cast, case: Application) -> None:
    page = client_for(cast.olga).get(f"/applications/{case.pk}/").content.decode()
    assert case.tracking_number in page and "2026-04-09" in page
    assert "The clock starts after 2026-03-03" in page
    assert "request an extension".capitalize() in page  # olga's buttons
    assert "Grant" in page


def test_only_those_who_may_see_it_get_it(cast: Cast, case: Application) -> None:
    for user, status in [
        (cast.alice, 200),
        (cast.olga, 200),
        (cast.oscar, 200),
        (cast.mia, 200),
        (cast.root, 200),
        (cast.bob, 404),
        (cast.fiona, 404),
        (cast.max, 404),
        (cast.pat, 404),
    ]:
        assert client_for(user).get(f"/applications/{case.pk}/").status_code == status, user
    assert Client().get(f"/applications/{case.pk}/").status_code == 302  # to the sign-in page


def test_an_action_runs_the_workflow_and_an_invalid_form_keeps_what_was_typed(cast: Cast, case: Application) -> None:
    olga = client_for(cast.olga)
    response = olga.post(
        f"/applications/{case.pk}/do/request_extension/",
        {"request_extension-days": "11", "request_extension-reason": "需要专家论证"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "An extension is 1 to 10 working days." in page and "需要专家论证" in page
    assert Application.objects.get(pk=case.pk).extension_state == "none"
    response = olga.post(
        f"/applications/{case.pk}/do/request_extension/",
        {"request_extension-days": "5", "request_extension-reason": "需要专家论证"},
    )
    assert response.status_code == 302
    assert Application.objects.get(pk=case.pk).extension_state == "requested"


def test_an_action_the_user_does_not_have_is_refused_and_changes_nothing(cast: Cast, case: Application) -> None:
    response = client_for(cast.alice).post(f"/applications/{case.pk}/do/grant/", {})
    assert response.status_code == 409 and "not available to you" in response.content.decode()
    assert Application.objects.get(pk=case.pk).state == State.UNDER_REVIEW
    assert client_for(cast.bob).post(f"/applications/{case.pk}/do/grant/", {}).status_code == 404
    assert client_for(cast.olga).get(f"/applications/{case.pk}/do/grant/").status_code == 405


def test_materials_are_served_only_to_those_who_may_see_the_case(cast: Cast, case: Application) -> None:
    material = Material.objects.get(application=case)
    url = f"/applications/{case.pk}/materials/{material.pk}/"
    response = client_for(cast.olga).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(cast.bob).get(url).status_code == 404
    other = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-03-02"), accepted=D("2026-03-03"))
    assert client_for(cast.olga).get(f"/applications/{other.pk}/materials/{material.pk}/").status_code == 404


def test_a_closed_case_can_be_rated_once_and_a_bad_rating_reaches_the_manager(
    cast: Cast, case: Application, now
) -> None:
    workflow.deny(case.pk, cast.olga, "不符合条件", "可申请行政复议", on=D("2026-03-05"))
    alice = client_for(cast.alice)
    assert "Rate the service" in alice.get(f"/applications/{case.pk}/").content.decode()
    response = alice.post(f"/applications/{case.pk}/rate/", {"level": "1", "comment": "太慢了"})
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=cast.mia, kind="rated_bad").exists()
    assert alice.post(f"/applications/{case.pk}/rate/", {"level": "5"}).status_code == 400
    mia = client_for(cast.mia)
    assert mia.post(f"/applications/{case.pk}/follow-up/", {"note": "已电话回访，解释原因"}).status_code == 302
    assert case.rating.followed_up_on == D("2026-03-05")


def test_notifications_list_and_unread_count(cast: Cast, case: Application) -> None:
    olga = client_for(cast.olga)
    page = olga.get("/notifications/").content.decode()
    unread = Notification.objects.filter(recipient=cast.olga, read_at__isnull=True).count()
    assert unread >= 1 and '<span class="count"' in page
    notification = Notification.objects.filter(recipient=cast.olga).first()
    assert olga.get(f"/notifications/{notification.pk}/").status_code == 302
    olga.post("/notifications/read/", {})
    assert not Notification.objects.filter(recipient=cast.olga, read_at__isnull=True).exists()
    assert client_for(cast.bob).get(f"/notifications/{notification.pk}/").status_code == 404


def test_pages_are_chinese_unless_english_is_chosen(cast: Cast, case: Application) -> None:
    page = client_for(cast.olga, "zh-hans").get(f"/applications/{case.pk}/").content.decode()
    assert "申请延期" in page and "承诺期限" in page


def test_the_staff_who_decide_a_filing_see_the_identity_verification_the_provider_forwarded(cast: Cast, now) -> None:
    now(D("2026-03-05"))
    filing = cast.under_review(Procedure.WEBSITE_FILING, received=D("2026-03-02"), accepted=D("2026-03-03"))
    for user in (cast.fiona, cast.max, cast.root):
        page = client_for(user).get(f"/applications/{filing.pk}/").content.decode()
        assert "<dt>Identity verification method</dt><dd>Face recognition check</dd>" in page, user
        assert "<dt>Identity verified at</dt><dd>2026-03-02 12:00</dd>" in page, user
        assert "<dt>Verification reference</dt><dd>FACE-1</dd>" in page, user
    chinese = client_for(cast.fiona, language="zh-hans").get(f"/applications/{filing.pk}/").content.decode()
    assert "<dt>身份核验方式</dt><dd>人脸识别核验</dd>" in chinese
    assert "<dt>核验凭证编号</dt><dd>FACE-1</dd>" in chinese
    # The applicant sees the case, not the provider's verification record; others not the case.
    applicant = client_for(cast.alice).get(f"/applications/{filing.pk}/").content.decode()
    assert "FACE-1" not in applicant and "Identity verification method" not in applicant
    for user in (cast.olga, cast.mia, cast.bob):
        assert client_for(user).get(f"/applications/{filing.pk}/").status_code == 404, user


def test_a_good_rating_shows_no_follow_up_line_and_a_bad_one_its_deadline(cast: Cast, case: Application, now) -> None:
    workflow.deny(case.pk, cast.olga, "不符合条件", "可申请行政复议", on=D("2026-03-05"))
    workflow.rate(case.pk, cast.alice, 5, "")
    for user in (cast.alice, cast.mia):
        for language in ("en", "zh-hans"):
            page = client_for(user, language=language).get(f"/applications/{case.pk}/").content.decode()
            assert "To be followed up by" not in page and "整改反馈" not in page, (user, language)
    bad = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    workflow.deny(bad.pk, cast.olga, "不符合条件", "可申请行政复议", on=D("2026-03-05"))
    workflow.rate(bad.pk, cast.alice, 2, "太慢了")
    due = bad.rating.follow_up_due.isoformat()
    assert f"To be followed up by {due}." in client_for(cast.mia).get(f"/applications/{bad.pk}/").content.decode()
    chinese = client_for(cast.alice, language="zh-hans").get(f"/applications/{bad.pk}/").content.decode()
    assert f"须于 {due} 前整改反馈。" in chinese


def test_a_filing_withdrawn_at_its_access_provider_cannot_be_rated(cast: Cast, now) -> None:
    now(D("2026-03-05"))
    filing = cast.received(Procedure.WEBSITE_FILING, on=D("2026-03-02"))
    assert filing.state == State.PROVIDER_REVIEW and filing.tracking_number
    workflow.withdraw(filing.pk, cast.alice, "网站暂不上线", on=D("2026-03-04"))
    alice = client_for(cast.alice)
    page = alice.get(f"/applications/{filing.pk}/").content.decode()
    assert "Rate the service" not in page and "/rate/" not in page
    response = alice.post(f"/applications/{filing.pk}/rate/", {"level": "5", "comment": ""})
    assert response.status_code == 400
    assert "Only a case the administration received and ended can be rated." in response.content.decode()
    refused = error(api(cast.alice).post(f"/api/applications/{filing.pk}/rate/", {"level": 5}, format="json"), 400)
    assert refused["message"] == "Only a case the administration received and ended can be rated."
    assert not Rating.objects.filter(application=filing).exists()
    assert not AuditEvent.objects.filter(application=filing, action__startswith="rated").exists()
    # Withdrawn after the administration received it, a case is rated as any ended case is.
    licence = cast.received(on=D("2026-03-02"))
    workflow.withdraw(licence.pk, cast.alice, "暂不申请", on=D("2026-03-04"))
    assert "Rate the service" in alice.get(f"/applications/{licence.pk}/").content.decode()
    assert alice.post(f"/applications/{licence.pk}/rate/", {"level": "4", "comment": ""}).status_code == 302


def test_the_extension_input_takes_1_to_10_working_days_and_the_form_refuses_more(
    cast: Cast, case: Application
) -> None:
    olga = client_for(cast.olga)
    page = olga.get(f"/applications/{case.pk}/").content.decode()
    field = (
        page.split('name="request_extension-days"')[0].rsplit("<input", 1)[1]
        + page.split('name="request_extension-days"')[1].split(">", 1)[0]
    )
    assert 'min="1"' in field and 'max="10"' in field, field
    assert "1 to 10 working days, approved by the department&#x27;s manager." in page
    for days in ("0", "11", "30"):
        response = olga.post(
            f"/applications/{case.pk}/do/request_extension/",
            {"request_extension-days": days, "request_extension-reason": "需要专家论证"},
        )
        assert response.status_code == 400, days
        assert "An extension is 1 to 10 working days." in response.content.decode(), days
    assert Application.objects.get(pk=case.pk).extension_state == "none"
    assert not AuditEvent.objects.filter(application=case, action="request_extension").exists()


def test_what_may_be_rated_is_one_rule_in_python_and_in_sql(cast: Cast, now) -> None:
    now(D("2026-03-05"))
    at_provider = cast.received(Procedure.WEBSITE_FILING, on=D("2026-03-02"))
    workflow.withdraw(at_provider.pk, cast.alice, "网站暂不上线", on=D("2026-03-04"))
    licence = cast.received(on=D("2026-03-02"))
    workflow.withdraw(licence.pk, cast.alice, "暂不申请", on=D("2026-03-04"))
    cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))  # open
    cast.draft(on=D("2026-03-02"))
    rows = Application.objects.all()
    assert {app.pk for app in rows if app.rateable} == set(Application.objects.rateable().values_list("pk", flat=True))
    assert [app.pk for app in Application.objects.rateable()] == [licence.pk]

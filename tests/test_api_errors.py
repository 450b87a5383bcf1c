"""What the API refuses, and how: every refusal in the one error format with the status that
says why (401 who are you, 400 bad input or not possible now, 403 not yours, 404 not visible or
no such thing, 409 someone else's change won); its language; the list filters, pagination, and
list endpoints whose number of queries does not grow with their rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from approvals import sla, workflow
from approvals.models import Application, AuditEvent, Procedure
from tests.api import act, api, error, ok
from tests.cast import Cast, pdf

D = date.fromisoformat


@pytest.fixture
def case(cast: Cast, now) -> Application:
    """Alice's licence, received on Mon 2 March 2026 and olga's to handle; today is 4 March."""
    now(D("2026-03-04"))
    return cast.received(on=D("2026-03-02"))


# -- 401: who are you? --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/applications/"),
        ("get", "/api/applications/1/"),
        ("post", "/api/applications/1/accept/"),
        ("get", "/api/notifications/"),
        ("get", "/api/alerts/"),
        ("get", "/api/calendar/years/"),
        ("get", "/api/deadline/"),
    ],
)
def test_without_credentials_the_answer_is_401_in_the_error_format(db, method: str, path: str) -> None:
    response = getattr(APIClient(HTTP_ACCEPT_LANGUAGE="en"), method)(path)
    found = error(response, 401, "not_authenticated")
    assert found["message"] == "Authentication credentials were not provided."
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_or_password_is_refused(cast: Cast) -> None:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert error(client.get("/api/applications/"), 401, "authentication_failed")["message"] == "Invalid token."
    wrong = APIClient(HTTP_ACCEPT_LANGUAGE="en").post("/api/auth/token/", {"username": "alice", "password": "x"})
    assert error(wrong, 400, "invalid")["fields"] == {
        "non_field_errors": ["Unable to log in with provided credentials."]
    }


def test_a_session_signs_in_too(cast: Cast, case: Application) -> None:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.olga)
    assert ok(client.get(f"/api/applications/{case.pk}/"))["officer"] == "Olga"


# -- 400: bad input, or not possible now ----------------------------------------------------------


def test_missing_fields_are_named_in_fields(cast: Cast) -> None:
    found = error(api(cast.alice).post("/api/applications/", {}, format="json"), 400, "invalid")
    assert found["message"] == "Some fields are not right: see fields."
    assert found["fields"] == {"procedure": ["This field is required."], "subject": ["This field is required."]}


def test_a_bad_date_is_named_in_fields(cast: Cast, case: Application) -> None:
    workflow.accept(case.pk, cast.olga, on=D("2026-03-03"))
    body = {"kind": "expert_review", "basis": "第十二条", "notice_date": "2026-02-30", "expected_end": "soon"}
    found = error(act(api(cast.olga), case.pk, "start_special_procedure", **body), 400, "invalid")
    assert found["fields"] == {
        "notice_date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
        "expected_end": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
    }
    # A well-formed date the rules refuse: the workflow's message, on its field.
    body |= {"notice_date": "2026-03-09", "expected_end": "2026-03-20"}
    found = error(act(api(cast.olga), case.pk, "start_special_procedure", **body), 400, "action_invalid")
    assert list(found["fields"]) == ["notice_date"] and found["fields"]["notice_date"] == [found["message"]]
    assert Application.objects.get(pk=case.pk).state == "under_review", "nothing changed"


def test_malformed_bodies_are_400_not_500(cast: Cast, case: Application) -> None:
    alice = api(cast.alice)
    error(alice.post("/api/applications/", "{", content_type="application/json"), 400, "parse_error")
    error(alice.post("/api/applications/", "x", content_type="text/plain"), 415, "unsupported_media_type")
    # What the database cannot store is bad input: a NUL (PostgreSQL), an unpaired surrogate.
    for details in ('{"domain": "a\\u0000b"}', '{"a\\u0000": 1}', '{"x": ["\\ud800"]}'):
        body = f'{{"procedure": "telecom_licence", "subject": "x", "details": {details}}}'
        response = alice.post("/api/applications/", body, content_type="application/json")
        assert list(error(response, 400)["fields"]) == ["details"]
    found = error(
        alice.post("/api/applications/", {"procedure": "telecom_licence", "subject": "a\x00"}, format="json"), 400
    )
    assert list(found["fields"]) == ["subject"]
    upload = error(alice.post(f"/api/applications/{case.pk}/materials/", {}, format="multipart"), 400, "invalid")
    assert upload["fields"] == {"file": ["No file was submitted."]}


def test_an_action_not_possible_now_is_400(cast: Cast, case: Application) -> None:
    olga = api(cast.olga)
    ok(act(olga, case.pk, "accept"))
    found = error(act(olga, case.pk, "accept"), 400, "action_invalid")
    assert found == {
        "status": 400,
        "code": "action_invalid",
        "message": "You cannot accept now: the application is “Under review”.",
        "fields": {},
    }
    error(act(api(cast.alice), case.pk, "resubmit"), 400, "action_invalid")
    error(
        api(cast.alice).patch(f"/api/applications/{case.pk}/", {"subject": "y"}, format="json"), 400, "action_invalid"
    )


# -- 403: visible, but not yours --------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "action", "body"),
    [
        ("alice", "accept", {}),  # the applicant does not accept her own application
        ("oscar", "accept", {}),  # a colleague sees the case, only the assigned officer acts
        ("mia", "request_correction", {"items": "补正"}),  # the manager does not handle cases
        ("olga", "reassign", {"officer": 0}),  # an officer does not hand cases around
        ("alice", "withdraw", None),  # visible and possible: alice may, so this is the control
    ],
)
def test_an_action_the_role_may_not_take_is_403(cast: Cast, case: Application, who, action, body) -> None:
    client = api(getattr(cast, who))
    if body is None:
        ok(act(client, case.pk, action, reason="不再需要"))
        return
    if action == "reassign":
        body = {"officer": cast.oscar.pk}
    before = AuditEvent.objects.count()
    found = error(act(client, case.pk, action, **body), 403, "action_denied")
    assert found["message"].startswith("You may not ")
    assert AuditEvent.objects.count() == before


def test_staff_only_endpoints_are_403_for_others(cast: Cast) -> None:
    error(api(cast.olga).post("/api/applications/", {"procedure": "telecom_licence", "subject": "x"}), 403)
    error(api(cast.alice).get("/api/alerts/"), 403, "permission_denied")
    schedule = {"file": pdf("2027.json")}
    error(api(cast.olga).post("/api/calendar/years/", schedule, format="multipart"), 403, "permission_denied")


# -- 404: not visible, or no such thing ------------------------------------------------------------


def test_another_organisations_application_is_404_as_if_it_did_not_exist(cast: Cast, case: Application) -> None:
    bob = api(cast.bob)
    hidden = error(bob.get(f"/api/applications/{case.pk}/"), 404, "not_found")
    missing = error(bob.get("/api/applications/999999/"), 404, "not_found")
    assert hidden == missing == {"status": 404, "code": "not_found", "message": "No such application.", "fields": {}}
    error(act(bob, case.pk, "withdraw", reason="x"), 404, "not_found")
    error(bob.post(f"/api/applications/{case.pk}/materials/", {"file": pdf()}, format="multipart"), 404)
    material = case.materials.get()
    error(bob.get(f"/api/applications/{case.pk}/materials/{material.pk}/"), 404)
    assert ok(bob.get("/api/applications/"))["count"] == 0
    error(api(cast.fiona).get(f"/api/applications/{case.pk}/"), 404)  # another department's officer
    error(api(cast.pat).get(f"/api/applications/{case.pk}/"), 404)  # not a filing sent to pat


def test_malformed_ids_and_unknown_paths_are_404_in_the_error_format(cast: Cast, case: Application) -> None:
    alice = api(cast.alice)
    for path in (
        "/api/applications/abc/",
        "/api/applications/1.5/",
        f"/api/applications/{case.pk}/materials/999999/",
        "/api/notifications/null,null/read/",
        "/api/no-such-thing/",
        f"/api/applications/{case.pk}/deem-accepted/",
    ):
        response = alice.post(path) if path.endswith("/read/") or "deem" in path else alice.get(path)
        error(response, 404, "not_found")
    error(alice.get("/api/applications/", {"page": "99"}), 404, "not_found")


# -- 409: someone else's change won ---------------------------------------------------------------


def test_a_concurrent_change_is_409_and_changes_nothing(cast: Cast, case: Application, monkeypatch) -> None:
    """Another request changes the application between this one's read and its write: the state
    machine's conditional UPDATE (django-fsm's ConcurrentTransitionMixin) matches no row."""
    lock = workflow.core._lock  # the lock every action takes (approvals.workflow.core)

    def raced(app_id):
        app = lock(app_id)
        Application.objects.filter(pk=app.pk).update(state="withdrawn")  # the other request's commit
        return app

    monkeypatch.setattr(workflow.core, "_lock", raced)
    before = AuditEvent.objects.count()
    found = error(act(api(cast.olga), case.pk, "accept"), 409, "concurrent_change")
    assert found["message"] == "Someone else changed this application at the same time; reload it and try again."
    assert AuditEvent.objects.count() == before
    assert Application.objects.get(pk=case.pk).state == "received", "this request's transaction rolled back"


# -- the language of the messages -------------------------------------------------------------------


def test_messages_follow_accept_language_and_default_to_chinese(cast: Cast, case: Application) -> None:
    path = f"/api/applications/{case.pk}/"
    english = api(cast.bob, language="en").get(path)
    chinese = api(cast.bob, language="zh-hans").get(path)
    assert error(english, 404)["message"] == "No such application."
    assert error(chinese, 404)["message"] == "申请不存在。"
    assert (english["Content-Language"], chinese["Content-Language"]) == ("en", "zh-hans")
    unspecified = APIClient()
    unspecified.force_authenticate(cast.alice)
    assert error(act(unspecified, case.pk, "accept"), 403)["message"] == "您无权对此申请执行“受理”。"
    required = error(api(cast.alice, language="zh-CN,zh;q=0.9").post("/api/applications/", {}), 400)
    assert required["fields"]["subject"] == ["该字段是必填项。"]
    assert error(APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/api/applications/"), 401)["message"] == (
        "身份认证信息未提供。"
    )


# -- the list: filters, pagination, and a constant number of queries ------------------------------------


def test_the_list_filters_by_procedure_state_and_text(cast: Cast, now) -> None:
    now(D("2026-03-04"))
    draft = cast.draft(on=D("2026-03-02"))
    received = cast.received(on=D("2026-03-02"))
    numbers = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-03-02"), accepted=D("2026-03-03"))
    alice = api(cast.alice)

    def ids(**query) -> list[int]:
        return [row["id"] for row in ok(alice.get("/api/applications/", query))["results"]]

    assert ids() == [numbers.pk, received.pk, draft.pk]  # newest first
    assert ids(procedure="number_resource") == [numbers.pk]
    assert ids(state="received") == [received.pk]
    assert ids(state="draft,under_review") == [numbers.pk, draft.pk]
    assert ids(state="open") == [numbers.pk, received.pk]
    assert ids(q=numbers.tracking_number) == [numbers.pk]
    assert ids(q=numbers.tracking_number[-4:]) == [numbers.pk, received.pk]  # MH…0001 and XK…0001
    assert ids(q="信息服务") == [numbers.pk, received.pk, draft.pk]
    assert ids(q="a\x00") == []
    assert list(error(alice.get("/api/applications/", {"state": "lost"}), 400)["fields"]) == ["state"]
    assert list(error(alice.get("/api/applications/", {"procedure": "visa"}), 400)["fields"]) == ["procedure"]
    assert ids() == [row["id"] for row in ok(api(cast.root).get("/api/applications/"))["results"]]
    assert ids(state="open") == [row["id"] for row in ok(api(cast.olga).get("/api/applications/"))["results"]]


def test_the_list_filters_open_cases_by_their_alert_level_today(cast: Cast, now) -> None:
    # The README's example, ?state=open&level=red: a red case in, a green one out.
    now(D("2026-03-03"))
    red = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    now(D("2026-04-10"))  # the first case passed its red day (10 April); the second is fresh
    green = cast.under_review(received=D("2026-04-08"), accepted=D("2026-04-09"))
    mia = api(cast.mia)

    def ids(**query) -> list[int]:
        return [row["id"] for row in ok(mia.get("/api/applications/", query))["results"]]

    rows = {row["id"]: row["standing"]["level"] for row in ok(mia.get("/api/applications/"))["results"]}
    assert (rows[red.pk], rows[green.pk]) == ("red", "green")
    assert ids(state="open", level="red") == [red.pk]
    assert ids(state="open", level="green") == [green.pk]
    assert ids(level="severe") == []
    assert list(error(mia.get("/api/applications/", {"level": "purple"}), 400)["fields"]) == ["level"]
    assert list(error(mia.get("/api/applications/", {"level": ""}), 400)["fields"]) == ["level"]


def test_the_list_is_paginated(cast: Cast, now) -> None:
    now(D("2026-03-04"))
    pks = [cast.draft(on=D("2026-03-02")).pk for _ in range(5)][::-1]
    alice = api(cast.alice)
    first = ok(alice.get("/api/applications/", {"page_size": 2}))
    assert (first["count"], [row["id"] for row in first["results"]], first["previous"]) == (5, pks[:2], None)
    assert first["next"].endswith("/api/applications/?page=2&page_size=2")
    last = ok(alice.get("/api/applications/", {"page_size": 2, "page": 3}))
    assert ([row["id"] for row in last["results"]], last["next"]) == (pks[4:], None)
    assert ok(alice.get("/api/applications/", {"page_size": 1000}))["count"] == 5
    error(alice.get("/api/applications/", {"page": 4, "page_size": 2}), 404, "not_found")


def queries(client: APIClient, path: str, rows: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert len(ok(client.get(path))["results"]) == rows
    return len(captured)


def test_the_applications_list_costs_the_same_queries_for_2_or_8_rows(cast: Cast, now) -> None:
    now(D("2026-03-06"))
    for _ in range(2):
        cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    olga, alice = api(cast.olga), api(cast.alice)
    few = queries(olga, "/api/applications/", 2), queries(alice, "/api/applications/", 2)
    for _ in range(3):
        cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
        cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-03-02"), accepted=D("2026-03-02"))
    assert (queries(olga, "/api/applications/", 8), queries(alice, "/api/applications/", 8)) == few


def test_the_list_filtered_by_level_costs_the_same_queries_for_2_or_8_rows(cast: Cast, now) -> None:
    now(D("2026-03-03"))
    for _ in range(2):
        cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    now(D("2026-04-10"))  # past their red day
    cast.under_review(received=D("2026-04-08"), accepted=D("2026-04-09"))  # green, left out
    mia, path = api(cast.mia), "/api/applications/?state=open&level=red"
    few = queries(mia, path, 2)
    now(D("2026-03-03"))
    for _ in range(6):
        cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    now(D("2026-04-10"))
    assert queries(mia, path, 8) == few


def test_the_notifications_list_costs_the_same_queries_for_2_or_8_rows(cast: Cast, now) -> None:
    now(D("2026-03-06"))
    apps = [cast.received(on=D("2026-03-02")) for _ in range(4)]
    for app in apps[:2]:
        workflow.accept(app.pk, app.officer)
    alice = api(cast.alice)
    few = queries(alice, "/api/notifications/", 2)
    for app in apps[2:]:
        workflow.accept(app.pk, app.officer)
    for app in apps:
        workflow.start_special_procedure(
            app.pk,
            app.officer,
            kind="testing",
            basis="第十二条",
            notice_date=D("2026-03-06"),
            expected_end=D("2026-03-20"),
        )
    assert queries(alice, "/api/notifications/", 8) == few


def test_the_alerts_list_costs_the_same_queries_for_2_or_8_rows(cast: Cast, now) -> None:
    now(D("2026-03-03"))
    apps = [cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03")) for _ in range(4)]
    now(D("2026-04-10"))  # each passed its yellow (31 March) and red (10 April) days
    workflow.raise_alert(apps[0].pk, "decision", "yellow")
    workflow.raise_alert(apps[0].pk, "decision", "red")
    mia = api(cast.mia)
    few = queries(mia, "/api/alerts/", 2)
    sla.sweep()
    assert queries(mia, "/api/alerts/", 8) == few


@pytest.mark.parametrize("path", ["/api/calendar/years/", "/api/auth/token/", "/api/applications/"])
def test_a_body_nested_past_the_decoder_is_a_400_not_a_500(cast: Cast, path: str) -> None:
    body = '{"text": ' + "[" * 50_000 + "]" * 50_000 + "}"
    refused = error(api(cast.root).post(path, body, content_type="application/json"), 400, "parse_error")
    assert refused["message"] == "The JSON nests more than 32 levels deep."


def test_a_material_downloads_whatever_the_client_accepts(cast: Cast, case: Application) -> None:
    """``Accept: application/pdf`` (what a PDF client sends) got 406: the file is the answer, as
    for a document's PDF; an error stays in the API's JSON format."""
    alice = api(cast.alice)
    material = case.materials.get()
    response = alice.get(f"/api/applications/{case.pk}/materials/{material.pk}/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content]).startswith(b"%PDF")
    missing = alice.get(f"/api/applications/{case.pk}/materials/999999/", HTTP_ACCEPT="application/pdf")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("application/json")

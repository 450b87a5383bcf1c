"""Issue 13's reproductions, each kept closed: what an attacker's input did (a 500, an escaped
email, a silent acceptance) and what it does now (a 4xx naming the field, the raw text)."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils.html import escape

from approvals import notifications, workflow
from approvals.inputs import JSONRefused, parse_id, read_json
from approvals.models import (
    Application,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    CalendarDay,
    CalendarJob,
    Notification,
    Procedure,
)
from tests.api import api, error
from tests.cast import Cast, browser

D = date.fromisoformat
NASTY = "<script>alert('x')</script> & \"quoted\""


# -- emails: the text part carries the raw text, the HTML part escapes it ---------------------------


def test_an_email_s_text_part_carries_the_raw_subject_and_its_html_part_escapes_it(cast: Cast) -> None:
    app = cast.received(on=D("2026-03-02"))
    Application.objects.filter(pk=app.pk).update(subject=NASTY)
    workflow.accept(app.pk, cast.olga, on=D("2026-03-03"))
    notification = Notification.objects.get(kind="accept", recipient=cast.alice)
    message = notifications.render_email(notification)
    assert NASTY in message.body
    assert "&lt;" not in message.body and "&#x27;" not in message.body and "&amp;" not in message.body
    html = message.alternatives[0].content
    assert "<script>" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)" in html


# -- ids: one parser, a message rather than a 500 ----------------------------------------------------


@pytest.mark.parametrize("raw", ["abc", "1.5", "-1", "0", "²", "99999999999999999999", " ", "1e3"])
def test_an_id_that_is_not_one_is_none(raw: str) -> None:
    assert parse_id(raw) is None


def test_an_id_in_ascii_digits_up_to_a_bigint_is_read() -> None:
    assert (parse_id("42"), parse_id(" 7 "), parse_id(str(2**63 - 1)), parse_id(2**63)) == (42, 7, 2**63 - 1, None)


@pytest.mark.parametrize("raw", ["abc", "1.5", "99999999999999999999"])
def test_marking_a_notification_read_with_a_bad_id_marks_nothing_and_says_so(cast: Cast, raw: str) -> None:
    cast.received(on=D("2026-03-02"))  # olga is told of the submission
    assert cast.olga.notifications.filter(read_at__isnull=True).count() == 1
    response = browser(cast.olga).post("/notifications/read/", {"id": raw}, follow=True)
    assert response.status_code == 200
    assert escape(f"“{raw}” is not a notification's number: nothing was marked.") in response.content.decode()
    assert cast.olga.notifications.filter(read_at__isnull=True).count() == 1


def test_marking_one_notification_read_still_marks_it(cast: Cast) -> None:
    cast.received(on=D("2026-03-02"))
    notification = cast.olga.notifications.get()
    assert browser(cast.olga).post("/notifications/read/", {"id": str(notification.pk)}).status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None


# -- JSON: one reader, bounded in size and depth, finite numbers only -------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": 1e999}', "The JSON holds 1e999, a number too large to keep."),
        ('{"a": -1e999}', "The JSON holds -1e999, a number too large to keep."),
        ('{"a": NaN}', "The JSON holds NaN, which is not a number JSON allows."),
        ('{"a": Infinity}', "The JSON holds Infinity, which is not a number JSON allows."),
        ('{"a": ' + "9" * 5000 + "}", "The JSON holds an integer of 5000 digits; at most 30."),
        ("[" * 200_000, "The JSON nests more than 10 levels deep."),
        ('{"a": ' * 5000 + "1" + "}" * 5000, "The JSON nests more than 10 levels deep."),
        ('{"a": 1', "not valid JSON: Expecting ',' delimiter at line 1 column 8"),
        (b'{"a": "\xff"}', "The JSON is not UTF-8 (byte 8)."),
        ("[" + " " * 300_000 + "]", "The JSON is 300002 bytes long; at most 300000 are read."),
    ],
)
def test_the_json_reader_refuses_what_it_cannot_take_with_a_message(text: str | bytes, message: str) -> None:
    with pytest.raises(JSONRefused) as refused:
        read_json(text, max_depth=10, max_bytes=300_000)
    assert str(refused.value) == message


def test_the_json_reader_reads_brackets_in_strings_and_big_finite_numbers() -> None:
    assert read_json('{"a": "[[[[[[[[[[[[[", "b": 1e300, "c": -12}', max_depth=2, max_bytes=100) == {
        "a": "[[[[[[[[[[[[[",
        "b": 1e300,
        "c": -12,
    }


def _create(details: str) -> str:
    return '{"procedure": "number_resource", "subject": "申请", "details": ' + details + "}"


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ('{"a": 1e999}', "The JSON holds 1e999, a number too large to keep."),
        ('{"quantity": NaN}', "The JSON holds NaN, which is not a number JSON allows."),
        ('{"a": ' * 5000 + "1" + "}" * 5000, "The JSON nests more than 32 levels deep."),
    ],
)
def test_the_api_refuses_infinity_and_deep_details_as_a_parse_error(cast: Cast, details: str, message: str) -> None:
    answer = api(cast.alice).post("/api/applications/", _create(details), content_type="application/json")
    assert error(answer, 400, "parse_error")["message"] == message
    assert not Application.objects.exists()


DEEP_CALENDAR = "[" * 200_000
TOO_DEEP = "the JSON nests more than 20 levels deep; a holiday-cn file is three deep"


def test_a_deep_calendar_is_refused_by_the_page_the_api_and_the_command(cast: Cast, tmp_path) -> None:
    def upload() -> SimpleUploadedFile:
        return SimpleUploadedFile("deep.json", DEEP_CALENDAR.encode(), "application/json")

    page = browser(cast.root).post("/calendar/", {"file": upload()})
    assert page.status_code == 400 and TOO_DEEP in page.content.decode()
    root = api(cast.root)
    assert error(root.post("/api/calendar/years/", {"file": upload()}), 400)["fields"] == {"file": [TOO_DEEP]}
    answer = root.post("/api/calendar/years/", {"text": DEEP_CALENDAR}, format="json")
    assert error(answer, 400)["fields"] == {"text": [TOO_DEEP]}
    path = tmp_path / "deep.json"
    path.write_text(DEEP_CALENDAR)
    with pytest.raises(CommandError, match=TOO_DEEP):
        call_command("import_calendar", str(path), "--dry-run", stdout=StringIO(), stderr=StringIO())
    assert not CalendarJob.objects.exists() and not CalendarDay.objects.filter(date__year=2027).exists()


# -- a body over Django's limit: the API's error format ----------------------------------------------


def test_a_body_over_the_limit_is_the_apis_413_not_djangos_html_400(cast: Cast) -> None:
    body = json.dumps({"procedure": "number_resource", "subject": "x" * (4 * 1024 * 1024)})
    refused = error(api(cast.alice).post("/api/applications/", body, content_type="application/json"), 413)
    assert refused == {
        "status": 413,
        "code": "too_large",
        "message": "The body is over 2560 KB; no operation reads more.",
        "fields": {},
    }
    assert not Application.objects.exists()


# -- stored text: NUL and lone surrogates refused by the one validator -------------------------------


@pytest.mark.django_db
def test_a_nul_in_an_appointment_reply_is_refused_on_the_form(cast: Cast, now) -> None:
    now(D("2026-09-24"))
    appointment = workflow.book_appointment(
        cast.alice,
        kind=AppointmentKind.WINDOW,
        procedure=Procedure.TELECOM_LICENCE,
        day=D("2026-09-28"),
        slot="08:30-09:30",
        purpose="提交材料",
        contact_phone="13800000000",
    )
    response = browser(cast.olga).post(
        f"/appointments/{appointment.pk}/answer/", {"answer": "decline", "reply": "a\x00b"}
    )
    assert response.status_code == 400
    assert "Text may not contain null characters or unpaired surrogates." in response.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.REQUESTED
    response = browser(cast.olga).post(f"/appointments/{appointment.pk}/answer/", {"answer": "maybe"})
    assert response.status_code == 400 and "Choose to confirm or decline." in response.content.decode()


@pytest.mark.parametrize("bad", ["\x00", "\ud800"])
def test_a_nul_or_a_lone_surrogate_in_a_calendar_name_or_paper_is_refused(cast: Cast, bad: str) -> None:
    root = api(cast.root)
    day = {"name": "元旦" + bad, "date": "2027-01-01", "isOffDay": True}
    named = json.dumps({"year": 2027, "days": [day]})
    answer = root.post("/api/calendar/years/", json.dumps({"text": named}), content_type="application/json")
    assert "days[0] (2027-01-01): name holds a" in error(answer, 400)["fields"]["text"][0]
    papers = json.dumps({"year": 2027, "papers": ["https://gov.cn/" + bad], "days": [{**day, "name": "元旦"}]})
    answer = root.post("/api/calendar/years/", json.dumps({"text": papers}), content_type="application/json")
    assert "papers[0]: paper holds a" in error(answer, 400)["fields"]["text"][0]
    assert not CalendarJob.objects.exists()


@pytest.mark.parametrize("bad", ["\x00", "\ud800"])
def test_details_holding_a_nul_or_a_surrogate_are_refused_through_the_api(cast: Cast, bad: str) -> None:
    body = json.dumps({"procedure": "number_resource", "subject": "申请", "details": {"purpose": "短信" + bad}})
    answer = api(cast.alice).post("/api/applications/", body, content_type="application/json")
    assert error(answer, 400, "invalid")["fields"] == {
        "details": ["Text may not contain null characters or unpaired surrogates."]
    }
    assert not Application.objects.exists()


# -- a race's loser: 409 saying what changed; an extension on a decided case says so ---------------


@pytest.fixture
def raced(monkeypatch):
    """``raced(change)``: the next action's lock is taken after ``change()`` has run and
    committed, as when two requests race and the other one's change wins while this one waits."""
    from approvals.workflow import core

    original = core._lock
    pending: list = []

    def lock_after_the_winner(app_id):
        if pending:
            pending.pop(0)()
        return original(app_id)

    monkeypatch.setattr(core, "_lock", lock_after_the_winner)
    return pending.append


RACE_LOST = (
    "Someone else changed this application first: it is now “Under review” (it was “Received, awaiting acceptance”), "
    "so you cannot refuse to accept. Reload it to see what changed."
)


def test_the_loser_of_a_race_gets_a_409_saying_what_changed_through_the_api(cast: Cast, now, raced) -> None:
    now(D("2026-03-04"))
    app = cast.received(on=D("2026-03-02"))
    raced(lambda: workflow.accept(app.pk, app.officer))
    answer = api(app.officer).post(
        f"/api/applications/{app.pk}/refuse-to-accept/", {"reasons": "不属于本机关职权范围"}, format="json"
    )
    assert error(answer, 409, "concurrent_change")["message"] == RACE_LOST
    # (The request's transaction held the winner's change too, and rolled it back with the refusal.)
    assert Application.objects.get(pk=app.pk).outcome_reasons == ""


def test_the_loser_of_a_race_gets_a_409_saying_what_changed_on_the_page(cast: Cast, now, raced) -> None:
    now(D("2026-03-04"))
    app = cast.received(on=D("2026-03-02"))
    raced(lambda: workflow.accept(app.pk, app.officer))
    page = browser(app.officer).post(
        f"/applications/{app.pk}/do/refuse_to_accept/", {"refuse_to_accept-reasons": "不属于本机关职权范围"}
    )
    assert page.status_code == 409
    assert escape(RACE_LOST) in page.content.decode()


def test_an_action_on_a_case_changed_long_before_is_still_a_400(cast: Cast, now) -> None:
    now(D("2026-03-04"))
    app = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    answer = api(app.officer).post(f"/api/applications/{app.pk}/accept/", {}, format="json")
    assert error(answer, 400)["message"] == "You cannot accept now: the application is “Under review”."


def test_an_extension_asked_for_a_decided_case_says_the_case_is_decided(cast: Cast, now) -> None:
    now(D("2026-03-10"))
    app = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    workflow.grant(app.pk, app.officer, reasons="符合条件", on=D("2026-03-09"))
    answer = api(app.officer).post(
        f"/api/applications/{app.pk}/request-extension/", {"days": 5, "reason": "需要专家论证"}, format="json"
    )
    assert (
        error(answer, 400)["message"]
        == "You cannot request an extension: the case is decided (“Granted, certificate to serve”)."
    )


# -- the lists' filters, declared once: unknown or malformed values refused, each in the schema -----


@pytest.mark.parametrize(
    ("path", "field", "message"),
    [
        ("/api/notifications/?unread=maybe", "unread", "Write 1 or true, 0 or false."),
        ("/api/alerts/?active=yes", "active", "Write 1 or true, 0 or false."),
        ("/api/alerts/?level=purple", "level", "Select a valid choice. purple is not one of the available choices."),
        ("/api/applications/?state=open,lost", "state", "Unknown states: lost"),
        ("/api/applications/?bogus=1", "bogus", "Not a parameter of this list."),
        ("/api/notifications/?page_size=abc", "page_size", "A page size is a whole number from 1 to 200."),
        ("/api/applications/?page_size=0", "page_size", "A page size is a whole number from 1 to 200."),
        ("/api/alerts/?page_size=", "page_size", "A page size is a whole number from 1 to 200."),
        ("/api/alerts/?level=", "level", "Give a value, or leave the parameter out."),
        ("/api/notifications/?page=", "page", "A page is a whole number from 1."),
        ("/api/applications/?procedure=", "procedure", "Give a value, or leave the parameter out."),
        ("/api/notifications/?unread=", "unread", "Give a value, or leave the parameter out."),
    ],
)
def test_a_malformed_or_unknown_list_parameter_is_a_400_naming_it(cast: Cast, path: str, field: str, message: str):
    assert error(api(cast.mia).get(path), 400, "invalid")["fields"] == {field: [message]}


def test_the_lists_filters_still_answer_as_before(cast: Cast) -> None:
    app = cast.received(on=D("2026-03-02"))
    olga = api(cast.olga)
    assert [
        row["id"] for row in olga.get("/api/applications/?state=open&procedure=telecom_licence").json()["results"]
    ] == [app.pk]
    assert olga.get("/api/applications/?q=XK%00&page_size=500").json()["count"] == 1
    assert olga.get("/api/notifications/?unread=1").json()["count"] == 1
    assert olga.get("/api/notifications/?unread=0").json()["count"] == 1  # all of them
    assert api(cast.mia).get("/api/alerts/?active=true&level=red").json()["count"] == 0


def test_every_list_filter_is_in_the_schema() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    names = {
        path: {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        for path in ("/api/applications/", "/api/notifications/", "/api/alerts/")
    }
    assert names == {
        "/api/applications/": {"procedure", "state", "level", "q", "page", "page_size"},
        "/api/notifications/": {"unread", "page", "page_size"},
        "/api/alerts/": {"level", "active", "page", "page_size"},
    }

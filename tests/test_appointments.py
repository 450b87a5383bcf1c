"""Service appointments (预约办 / 上门办): an enterprise books on a working day, the department's
officers confirm or decline, either side is told; each sees only its own."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_fsm import TransitionNotAllowed

from approvals import timeline, workflow
from approvals.audit import Verdict, verify_chain
from approvals.models import Appointment, AppointmentKind, AppointmentStatus, AuditEvent, Notification, Procedure
from tests.cast import Cast, browser

D = date.fromisoformat
TODAY = D("2026-09-24")  # a Thursday: Friday is Mid-Autumn, National Day runs 1-7 October, Sat 10 October is worked
FIRST = "08:30-09:30"


@pytest.fixture
def today(cast: Cast, now) -> date:
    now(TODAY)
    return TODAY


def booking(**overrides) -> dict:
    data = {
        "kind": AppointmentKind.WINDOW,
        "procedure": Procedure.TELECOM_LICENCE,
        "day": "2026-09-28",
        "slot": FIRST,
        "purpose": "提交纸质材料原件",
        "contact_phone": "0551-62000000",
        "address": "",
        "application": "",
    }
    data.update(overrides)
    return data


def book(cast: Cast, day: str = "2026-09-28", slot: str = FIRST, who=None, **fields) -> Appointment:
    return workflow.book_appointment(
        who or cast.alice,
        kind=fields.pop("kind", AppointmentKind.WINDOW),
        procedure=fields.pop("procedure", Procedure.TELECOM_LICENCE),
        day=D(day),
        slot=slot,
        purpose=fields.pop("purpose", "提交材料"),
        contact_phone="13800000000",
        **fields,
    )


def told(user, kind: str) -> int:
    return Notification.objects.filter(recipient=user, kind=kind).count()


def test_an_enterprise_books_a_window_place_and_the_departments_officers_are_told(cast: Cast, today) -> None:
    alice = browser(cast.alice)
    page = alice.get("/appointments/").content.decode()
    # Only working days from tomorrow are offered: not Mid-Autumn, the weekend or National Day;
    # the adjusted working Saturday is.
    assert 'value="2026-09-28"' in page and 'value="2026-10-10"' in page
    for day in ("2026-09-24", "2026-09-25", "2026-09-26", "2026-09-27", "2026-10-01", "2026-10-07", "2026-10-11"):
        assert f'value="{day}"' not in page, day
    assert "Places left at the window" in page and "信息通信管理处" in page

    app = cast.under_review(received=D("2026-09-21"), accepted=D("2026-09-22"))
    # The form keeps the organisation's address for a visit; a window booking does not store it.
    response = alice.post("/appointments/book/", booking(application=str(app.pk), address="合肥市蜀山区"))
    assert response.status_code == 302 and response["Location"] == "/appointments/"
    appointment = Appointment.objects.get()
    assert (appointment.department, appointment.day, appointment.slot) == (cast.licensing, D("2026-09-28"), FIRST)
    assert (appointment.status, appointment.application_id) == (AppointmentStatus.REQUESTED, app.pk)
    assert appointment.address == ""
    assert told(cast.olga, "appointment_requested") == told(cast.oscar, "appointment_requested") == 1
    assert told(cast.fiona, "appointment_requested") == 0, "another department's officer"

    page = alice.get("/appointments/").content.decode()
    assert "Requested: At the service window" in page  # the message after the redirect
    mine = page.split("Your organisation")[1].split("Book an appointment")[0]
    assert "2026-09-28" in mine and "提交纸质材料原件" in mine and app.tracking_number in mine
    assert f'action="/appointments/{appointment.pk}/cancel/"' in mine


def test_an_on_site_visit_needs_an_address_and_is_not_limited_by_places(cast: Cast, today, settings) -> None:
    settings.APPOINTMENT_PLACES = 1
    book(cast)
    alice = browser(cast.alice)
    response = alice.post("/appointments/book/", booking(kind=AppointmentKind.ONSITE))
    assert response.status_code == 400
    assert "The address to visit is required." in response.content.decode()
    response = alice.post(
        "/appointments/book/", booking(kind=AppointmentKind.ONSITE, address="合肥市蜀山区创新大道1号")
    )
    assert response.status_code == 302
    assert Appointment.objects.filter(kind=AppointmentKind.ONSITE, address="合肥市蜀山区创新大道1号").exists()


@pytest.mark.parametrize(
    ("day", "slot", "message"),
    [
        ("2026-10-17", FIRST, "2026-10-17 is not a working day."),  # a Saturday
        ("2026-09-25", FIRST, "2026-09-25 is not a working day."),  # Mid-Autumn, tomorrow
        ("2026-10-01", FIRST, "2026-10-01 is not a working day."),  # National Day
        ("2026-09-23", FIRST, "Choose a day from tomorrow to 30 days ahead."),  # the past
        ("2026-09-24", FIRST, "Choose a day from tomorrow to 30 days ahead."),  # today
        ("2026-10-26", FIRST, "Choose a day from tomorrow to 30 days ahead."),  # beyond the horizon
        ("2026-09-28", "12:00-13:00", "Select a valid choice."),  # not a slot offered
    ],
)
def test_a_day_that_cannot_be_booked_is_refused_and_everything_typed_stays(
    cast: Cast, today, day: str, slot: str, message: str
) -> None:
    response = browser(cast.alice).post(
        "/appointments/book/", booking(day=day, slot=slot, purpose="领取许可证书", contact_phone="13912345678")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "领取许可证书" in page and 'value="13912345678"' in page
    assert f'<option value="{day}" selected>' in page, "the day sent stays chosen"
    assert not Appointment.objects.exists()
    assert not Notification.objects.filter(kind="appointment_requested").exists()


def test_a_full_slot_is_refused_and_the_table_shows_it(cast: Cast, today, settings) -> None:
    settings.APPOINTMENT_PLACES = 2
    book(cast)
    book(cast, who=cast.bob)
    book(cast, slot="09:30-10:30")
    Appointment.objects.filter(slot="09:30-10:30").update(status=AppointmentStatus.DECLINED)  # frees its place
    book(cast, procedure=Procedure.WEBSITE_FILING)  # another department's window
    alice = browser(cast.alice)
    response = alice.post("/appointments/book/", booking())
    assert response.status_code == 400
    page = response.content.decode()
    assert "That time is fully booked: choose another." in page
    table = page.split('id="availability"')[1].split("</table>")[0]
    first_row = table.split("<tbody>")[1].split("</tr>")[0]
    assert "09-28" in first_row and 'class="full"' in first_row
    assert first_row.count('class="free"') == 5  # the other five slots: two places each
    assert Appointment.objects.filter(department=cast.licensing, day=D("2026-09-28"), slot=FIRST).count() == 2
    # The internet department's window is another table, which htmx swaps in on a change.
    partial = alice.get("/appointments/availability/", {"procedure": Procedure.WEBSITE_FILING}).content.decode()
    assert "<html" not in partial and "互联网管理处" in partial
    row = partial.split("<tbody>")[1].split("</tr>")[0]
    assert row.count('class="few"') == 1 and row.count('class="free"') == 5


def test_the_places_left_take_one_grouped_query_whatever_the_bookings(cast: Cast, today) -> None:
    alice = browser(cast.alice)
    alice.get("/appointments/availability/", {"procedure": Procedure.TELECOM_LICENCE})  # warm the calendar

    def queries_on_appointments() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            assert alice.get("/appointments/availability/", {"procedure": Procedure.TELECOM_LICENCE}).status_code == 200
        on_table = [q["sql"] for q in captured.captured_queries if '"approvals_appointment"' in q["sql"]]
        return len(on_table), len(captured.captured_queries)

    before = queries_on_appointments()
    for day, slot in [("2026-09-28", FIRST), ("2026-09-29", "14:00-15:00"), ("2026-10-10", "16:00-17:00")]:
        book(cast, day, slot)
    assert queries_on_appointments() == before
    assert before[0] == 1


def test_the_lists_take_a_constant_number_of_queries(cast: Cast, today) -> None:
    alice, olga = browser(cast.alice), browser(cast.olga)
    app = cast.under_review(received=D("2026-09-21"), accepted=D("2026-09-22"))
    first = book(cast, application_id=app.pk)
    workflow.answer_appointment(first.pk, cast.olga, confirm=True, reply="请到3号窗口")
    alice.get("/appointments/")
    olga.get("/appointments/")

    def count(client: Client) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/appointments/").status_code == 200
        return len(captured.captured_queries)

    few = count(alice), count(olga)
    for index, day in enumerate(["2026-09-28", "2026-09-29", "2026-09-30", "2026-10-08", "2026-10-09"]):
        appointment = book(cast, day, slot=workflow.appointment_slots()[index], application_id=app.pk)
        if index % 2:
            workflow.answer_appointment(appointment.pk, cast.oscar, confirm=index == 1, reply="已安排")
    book(cast, kind=AppointmentKind.ONSITE, address="合肥市高新区", who=cast.alice)
    assert (count(alice), count(olga)) == few


def test_officers_confirm_or_decline_and_the_enterprise_is_told(cast: Cast, today) -> None:
    first = book(cast, purpose="递交补正材料")
    second = book(cast, "2026-09-29", purpose="咨询许可条件")
    olga = browser(cast.olga)
    page = olga.get("/appointments/").content.decode()
    waiting = page.split("Waiting for an answer")[1].split("Confirmed, upcoming")[0]
    assert "递交补正材料" in waiting and "咨询许可条件" in waiting
    assert waiting.index("递交补正材料") < waiting.index("咨询许可条件")  # by day

    response = olga.post(f"/appointments/{first.pk}/answer/", {"answer": "confirm", "reply": "请到3号窗口"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.status, first.handled_by, first.reply) == (AppointmentStatus.CONFIRMED, cast.olga, "请到3号窗口")
    assert told(cast.alice, "appointment_confirmed") == 1 and told(cast.bob, "appointment_confirmed") == 0

    # Declining needs the reason; without it, the form comes back with the error on that request.
    response = olga.post(f"/appointments/{second.pk}/answer/", {"answer": "decline", "reply": "  "})
    assert response.status_code == 400
    assert f'id="error-{second.pk}"' in response.content.decode()
    assert "The reason is required." in response.content.decode()
    assert Appointment.objects.get(pk=second.pk).status == AppointmentStatus.REQUESTED
    response = olga.post(f"/appointments/{second.pk}/answer/", {"answer": "decline", "reply": "当日窗口检修"})
    assert response.status_code == 302
    assert Appointment.objects.get(pk=second.pk).status == AppointmentStatus.DECLINED
    assert told(cast.alice, "appointment_declined") == 1

    page = olga.get("/appointments/").content.decode()
    confirmed = page.split("Confirmed, upcoming")[1]
    assert "递交补正材料" in confirmed.split("Earlier, declined and cancelled")[0]
    assert "No request is waiting." in page
    # Answering again is refused; the enterprise sees both answers with the replies.
    response = olga.post(f"/appointments/{first.pk}/answer/", {"answer": "decline", "reply": "x"}, follow=True)
    assert "This appointment has already been answered." in response.content.decode()
    page = browser(cast.alice).get("/appointments/").content.decode()
    assert "请到3号窗口" in page and "当日窗口检修" in page and "Confirmed" in page and "Declined" in page


def test_an_enterprise_cancels_and_the_place_is_free_again(cast: Cast, today, settings) -> None:
    settings.APPOINTMENT_PLACES = 1
    appointment = book(cast)
    assert browser(cast.bob).post(f"/appointments/{appointment.pk}/cancel/").status_code == 404, "not bob's"
    alice = browser(cast.alice)
    response = alice.post(f"/appointments/{appointment.pk}/cancel/")
    assert response.status_code == 302
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.CANCELLED
    assert told(cast.olga, "appointment_cancelled") == told(cast.oscar, "appointment_cancelled") == 1
    response = alice.post(f"/appointments/{appointment.pk}/cancel/", follow=True)
    assert "This appointment can no longer be cancelled." in response.content.decode()
    assert browser(cast.bob).post("/appointments/book/", booking()).status_code == 302  # the place is free


def test_each_side_sees_only_its_own(cast: Cast, today) -> None:
    alices = book(cast, purpose="合肥云端的预约")
    bobs = book(cast, who=cast.bob, purpose="芜湖星河的预约")
    filing = book(cast, procedure=Procedure.WEBSITE_FILING, purpose="备案咨询")
    assert "芜湖星河的预约" not in browser(cast.alice).get("/appointments/").content.decode()
    assert "合肥云端的预约" not in browser(cast.bob).get("/appointments/").content.decode()
    for user in (cast.olga, cast.mia):  # the licensing department, officer and manager
        page = browser(user).get("/appointments/").content.decode()
        assert "合肥云端的预约" in page and "芜湖星河的预约" in page and "备案咨询" not in page
    page = browser(cast.fiona).get("/appointments/").content.decode()
    assert "备案咨询" in page and "合肥云端的预约" not in page
    # Answering or cancelling someone else's is a 404; managers of the department may answer.
    assert browser(cast.fiona).post(f"/appointments/{alices.pk}/answer/", {"answer": "confirm"}).status_code == 404
    assert browser(cast.max).post(f"/appointments/{bobs.pk}/answer/", {"answer": "confirm"}).status_code == 404
    assert browser(cast.mia).post(f"/appointments/{bobs.pk}/answer/", {"answer": "confirm"}).status_code == 302
    assert browser(cast.alice).post(f"/appointments/{filing.pk}/answer/", {"answer": "confirm"}).status_code == 403
    assert browser(cast.olga).post(f"/appointments/{alices.pk}/cancel/").status_code == 403


def test_providers_and_administrators_get_403_and_visitors_sign_in(cast: Cast, today) -> None:
    for user in (cast.pat, cast.root):
        client = browser(user)
        assert client.get("/appointments/").status_code == 403
        assert client.post("/appointments/book/", booking()).status_code == 403
    assert browser(cast.olga).post("/appointments/book/", booking()).status_code == 403
    assert browser(cast.olga).get("/appointments/availability/").status_code == 403
    assert Client().get("/appointments/")["Location"].startswith("/accounts/login/")
    assert browser(cast.alice).get("/appointments/book/").status_code == 405
    assert not Appointment.objects.exists()


def test_the_page_speaks_chinese_by_default(cast: Cast, today) -> None:
    page = browser(cast.alice, language="zh-hans").get("/appointments/").content.decode()
    assert '<html lang="zh-hans">' in page and "信息通信管理处" in page


# -- the audit trail ------------------------------------------------------------------------------


def appointment_events(appointment: Appointment) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(data__appointment=appointment.pk)
        .order_by("pk")
        .values_list("application_id", "actor_id", "action", "from_state", "to_state", "note")
    )


def test_every_status_change_is_in_the_audit_chain_with_who_from_and_to(cast: Cast, today) -> None:
    app = cast.under_review(received=D("2026-09-21"), accepted=D("2026-09-22"))
    linked = book(cast, application_id=app.pk)
    workflow.answer_appointment(linked.pk, cast.olga, confirm=True, reply="请到3号窗口")
    workflow.cancel_appointment(linked.pk, cast.alice)
    assert appointment_events(linked) == [
        (app.pk, cast.alice.pk, "appointment_requested", "", "requested", ""),
        (app.pk, cast.olga.pk, "appointment_confirmed", "requested", "confirmed", "请到3号窗口"),
        (app.pk, cast.alice.pk, "appointment_cancelled", "confirmed", "cancelled", ""),
    ]
    # One without an application is chained too, on its own.
    alone = book(cast, "2026-09-29")
    workflow.answer_appointment(alone.pk, cast.oscar, confirm=False, reply="当日窗口检修")
    assert appointment_events(alone) == [
        (None, cast.alice.pk, "appointment_requested", "", "requested", ""),
        (None, cast.oscar.pk, "appointment_declined", "requested", "declined", "当日窗口检修"),
    ]
    event = AuditEvent.objects.get(action="appointment_declined")
    assert event.on == TODAY
    assert event.data == {"appointment": alone.pk, "kind": "window", "day": "2026-09-29", "slot": FIRST}
    # The application's (staff) timeline shows its appointment's changes.
    assert "Appointment confirmed" in [entry.title for entry in timeline.events(app)]
    assert verify_chain() == Verdict(True, AuditEvent.objects.count())

    # Tampering with an appointment's event is caught at that event.
    events = list(AuditEvent.objects.order_by("pk"))
    AuditEvent.objects.filter(pk=event.pk).update(note="已安排")
    assert verify_chain() == Verdict(False, events.index(event), event.pk, "its content does not match its hash")


def test_a_refused_change_writes_no_event(cast: Cast, today) -> None:
    appointment = book(cast)
    workflow.cancel_appointment(appointment.pk, cast.alice)
    before = AuditEvent.objects.count()
    with pytest.raises(workflow.ActionInvalid, match="already been answered"):
        workflow.answer_appointment(appointment.pk, cast.olga, confirm=True)
    with pytest.raises(workflow.ActionInvalid, match="can no longer be cancelled"):
        workflow.cancel_appointment(appointment.pk, cast.alice)
    declined = book(cast, "2026-09-29")
    with pytest.raises(workflow.ActionInvalid, match="The reason is required"):
        workflow.answer_appointment(declined.pk, cast.olga, confirm=False, reply=" ")
    assert AuditEvent.objects.count() == before + 1  # the second booking only
    assert Appointment.objects.get(pk=declined.pk).status == AppointmentStatus.REQUESTED


def test_the_status_changes_only_through_its_transitions(cast: Cast, today) -> None:
    appointment = book(cast)
    with pytest.raises(AttributeError, match="Direct status modification is not allowed"):
        appointment.status = AppointmentStatus.CONFIRMED
    appointment.refresh_from_db()  # a protected field still reloads
    assert appointment.status == AppointmentStatus.REQUESTED
    appointment.decline(cast.olga, "x")
    assert appointment.status == AppointmentStatus.DECLINED
    with pytest.raises(TransitionNotAllowed):
        appointment.confirm(cast.olga)
    with pytest.raises(TransitionNotAllowed):
        appointment.cancel()

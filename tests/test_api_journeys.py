"""The journeys of the screens, through the REST API only, with every role: a licence from draft
to certificate and rating, a website filing through its access provider, and the other ways a
case ends or moves (refusal, withdrawal, a rejected extension, reassignment, deemed acceptance,
alerts). The calendar and the deadline calculator answer as the screens and the command do.

Expected dates are worked out by hand from DOMAIN.md's counting rules and the 2026 schedule
(Qingming 4-6 April, Labour Day 1-5 May, Sat 9 May worked).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from approvals import sla, workflow
from approvals.models import CalendarDay, Procedure
from tests.api import act, api, error, ok
from tests.cast import DETAILS, Cast, pdf
from tests.reference import HOLIDAY_CN

D = date.fromisoformat
SHANGHAI = ZoneInfo("Asia/Shanghai")


def signed_in(username: str, password: str) -> APIClient:
    """A client that signs in as a real client does: a token for the username and password."""
    anonymous = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    token = ok(anonymous.post("/api/auth/token/", {"username": username, "password": password}, format="json"))
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
    return client


def detail(client: APIClient, pk: int) -> dict:
    return ok(client.get(f"/api/applications/{pk}/"))


# -- a licence, from draft to rating ------------------------------------------------------------


def test_a_licence_goes_from_draft_to_certificate_and_rating_through_the_api(cast: Cast, now) -> None:
    alice = signed_in("alice", "pw-alice")  # the enterprise signs in with a real token
    olga, mia = api(cast.olga), api(cast.mia)

    now(D("2026-03-02"))  # Monday
    body = {"procedure": "telecom_licence", "subject": "ICP 经营许可", "details": DETAILS[Procedure.TELECOM_LICENCE]}
    draft = ok(alice.post("/api/applications/", body, format="json"), 201)
    pk = draft["id"]
    assert (draft["state"], draft["tracking_number"], draft["available_actions"]) == (
        "draft",
        None,
        ["submit", "withdraw"],
    )
    material = ok(
        alice.post(f"/api/applications/{pk}/materials/", {"file": pdf(), "description": "申请书"}, format="multipart"),
        201,
    )
    assert (material["name"], material["content_type"], material["description"]) == (
        "申请书.pdf",
        "application/pdf",
        "申请书",
    )
    received = ok(act(alice, pk, "submit"))
    assert received["state"] == "received" and received["tracking_number"].startswith("XK2026")
    assert received["officer"] == "Olga"
    assert received["acceptance_due"] == "2026-03-09"  # 5 working days after Mon 2 March
    assert received["query_code"], "the applicant sees the query code for the public lookup"
    assert detail(olga, pk)["query_code"] is None, "nobody else does"

    now(D("2026-03-03"))
    assert "request_correction" in detail(olga, pk)["available_actions"]
    corrected = ok(act(olga, pk, "request_correction", items="1. 营业执照副本加盖公章"))
    assert (corrected["state"], corrected["correction_notices"], corrected["acceptance_due"]) == ("correction", 1, None)

    now(D("2026-03-05"))
    ok(alice.post(f"/api/applications/{pk}/materials/", {"file": pdf("营业执照.pdf")}, format="multipart"), 201)
    resubmitted = ok(act(alice, pk, "resubmit", note="已补正"))
    # The corrections arrived on Thu 5 March: 5 working days from then.
    assert (resubmitted["state"], resubmitted["corrected_on"], resubmitted["acceptance_due"]) == (
        "received",
        "2026-03-05",
        "2026-03-12",
    )

    now(D("2026-03-06"))
    accepted = ok(act(olga, pk, "accept"))
    # Acceptance counts from the day the corrections arrived. 26 working days after Thu 5 March,
    # Qingming (4-6 April) not counted: Mon 13 April. 60 days: Mon 4 May, a holiday to Tue 5 May.
    assert (accepted["state"], accepted["accepted_on"], accepted["due_date"], accepted["statutory_due"]) == (
        "under_review",
        "2026-03-05",
        "2026-04-13",
        "2026-05-06",
    )
    assert accepted["standing"] == {
        "clock": "decision",
        "level": "green",
        "due": "2026-04-13",
        "statutory_due": "2026-05-06",
        "days_left": 25,
        "provisional": False,
    }

    now(D("2026-03-09"))
    paused = ok(
        act(
            olga,
            pk,
            "start_special_procedure",
            kind="expert_review",
            basis="电信业务经营许可管理办法 第十二条",
            notice_date="2026-03-09",
            expected_end="2026-03-20",
        )
    )
    assert (paused["state"], paused["due_date"], paused["standing"]["clock"]) == ("paused", None, "paused")
    assert paused["days_left_when_paused"] == 24  # 6 and 9 March counted
    assert paused["special_procedures"][0]["kind"] == "expert_review"

    now(D("2026-03-19"))
    resumed = ok(act(olga, pk, "end_special_procedure", note="专家评审完毕"))
    # Paused on Mon 9 March, resumed Thu 19 March: the 8 working days 10-19 March are not
    # counted, so the decision is due 8 working days later, Thu 23 April; the statutory 60
    # days lose the 10 days 10-19 March: Thu 14 May.
    assert (resumed["state"], resumed["due_date"], resumed["statutory_due"]) == (
        "under_review",
        "2026-04-23",
        "2026-05-14",
    )
    assert resumed["special_procedures"][0]["ended_on"] == "2026-03-19"

    now(D("2026-03-24"))
    asked = ok(act(olga, pk, "request_extension", days=5, reason="需征求相关部门意见"))
    assert (asked["extension_state"], asked["extension_requested_days"], asked["due_date"]) == (
        "requested",
        5,
        "2026-04-23",
    )
    assert "approve_extension" in detail(mia, pk)["available_actions"]
    error(act(olga, pk, "approve_extension"), 403, "action_denied")  # the officer does not approve

    now(D("2026-03-25"))
    extended = ok(act(mia, pk, "approve_extension", note="同意"))
    # Five more working days on both clocks, counted on from each due date: Thu 23 April →
    # Thu 30 April; Thu 14 May → Thu 21 May.
    assert (extended["extension_state"], extended["extension_days"], extended["due_date"]) == (
        "approved",
        5,
        "2026-04-30",
    )
    assert extended["statutory_due"] == "2026-05-21"

    now(D("2026-03-26"))
    granted = ok(act(olga, pk, "grant", reasons="材料齐全，符合条件"))
    # The certificate is served within 10 working days of the decision: Fri 10 April.
    assert (granted["state"], granted["decided_on"], granted["certificate_due"]) == (
        "granted",
        "2026-03-26",
        "2026-04-10",
    )
    assert granted["standing"]["clock"] == "certificate"

    now(D("2026-03-30"))
    served = ok(act(olga, pk, "serve_certificate", certificate_number="B2-20260042"))
    assert (served["state"], served["certificate_number"], served["standing"]["clock"]) == (
        "served",
        "B2-20260042",
        "none",
    )
    assert served["due_date"] == "2026-04-30", "the decision's due date stays for the reports"

    now(D("2026-03-31"))
    rating = ok(alice.post(f"/api/applications/{pk}/rate/", {"level": 5, "comment": "办理很快"}, format="json"), 201)
    assert (rating["level"], rating["comment"], rating["follow_up_due"]) == (5, "办理很快", None)
    error(alice.post(f"/api/applications/{pk}/rate/", {"level": 4}, format="json"), 400, "action_invalid")

    seen = detail(alice, pk)
    assert seen["rating"]["level"] == 5
    assert [(entry["on"], entry["title"], entry["actor"]) for entry in seen["timeline"]] == [
        ("2026-03-02", "Draft created", "Alice"),
        ("2026-03-02", "Material added", "Alice"),
        ("2026-03-02", "Submitted", "Alice"),
        ("2026-03-03", "Correction notice sent", "Olga"),
        ("2026-03-05", "Material added", "Alice"),
        ("2026-03-05", "Corrections submitted", "Alice"),
        ("2026-03-06", "Accepted", "Olga"),
        ("2026-03-09", "Special procedure started: clock paused", "Olga"),
        ("2026-03-19", "Special procedure ended: clock running", "Olga"),
        ("2026-03-24", "Extension requested", "Olga"),
        ("2026-03-25", "Extension approved", "Mia"),
        ("2026-03-26", "Granted", "Olga"),
        ("2026-03-30", "Certificate served", "Olga"),
        ("2026-03-31", "Service rated", "Alice"),
    ]
    assert [m["name"] for m in seen["materials"]] == ["申请书.pdf", "营业执照.pdf"]
    download = alice.get(seen["materials"][0]["download"])
    assert (download.status_code, download["Content-Type"]) == (200, "application/pdf")
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    notifications = ok(alice.get("/api/notifications/"))
    assert [n["kind"] for n in notifications["results"]] == [
        "serve_certificate",
        "grant",
        "approve_extension",
        "end_special_procedure",
        "start_special_procedure",
        "accept",
        "request_correction",
    ]
    tracking = received["tracking_number"]
    granted = notifications["results"][1]  # names the decision it issued (test_documents_delivery.py)
    assert (
        granted["text"] == f"{tracking} Granted: Decision to grant the licence {granted['data']['document']['number']}"
    )
    assert all(n["application"] == pk and n["read_at"] is None for n in notifications["results"])
    first = notifications["results"][0]["id"]
    assert ok(alice.post(f"/api/notifications/{first}/read/"))["read_at"] is not None
    assert ok(alice.get("/api/notifications/", {"unread": "1"}))["count"] == 6
    assert ok(alice.post("/api/notifications/read-all/")) == {"marked": 6}
    assert ok(alice.get("/api/notifications/", {"unread": "1"}))["count"] == 0
    error(api(cast.bob).post(f"/api/notifications/{first}/read/"), 404, "not_found")  # not bob's

    # The officer heard of the submission, the corrections and the approved extension; the manager
    # of the extension asked for.
    assert [n["kind"] for n in ok(olga.get("/api/notifications/"))["results"]] == [
        "approve_extension",
        "resubmit",
        "submit",
    ]
    assert [n["kind"] for n in ok(mia.get("/api/notifications/"))["results"]] == ["request_extension"]


def test_an_applicant_removes_a_material_from_her_draft_only(cast: Cast, now) -> None:
    now(D("2026-03-02"))
    alice = api(cast.alice)
    body = {"procedure": "number_resource", "subject": "106 短信端口号", "details": DETAILS[Procedure.NUMBER_RESOURCE]}
    pk = ok(alice.post("/api/applications/", body, format="json"), 201)["id"]
    kept, dropped = (
        ok(alice.post(f"/api/applications/{pk}/materials/", {"file": pdf(name)}, format="multipart"), 201)["id"]
        for name in ("申请书.pdf", "旧版.pdf")
    )
    error(api(cast.bob).delete(f"/api/applications/{pk}/materials/{dropped}/"), 404, "not_found")
    left = ok(alice.delete(f"/api/applications/{pk}/materials/{dropped}/"))
    assert [m["id"] for m in left["materials"]] == [kept]
    error(alice.get(f"/api/applications/{pk}/materials/{dropped}/"), 404, "not_found")
    error(alice.delete(f"/api/applications/{pk}/materials/{dropped}/"), 404, "not_found")
    download = alice.get(f"/api/applications/{pk}/materials/{kept}/")
    assert (download.status_code, download["Cache-Control"]) == (200, "private, no-store")
    ok(act(alice, pk, "submit"))
    sent = error(alice.delete(f"/api/applications/{pk}/materials/{kept}/"), 400, "action_invalid")
    assert sent["message"] == "Materials can be removed only from a draft."
    error(api(cast.olga).delete(f"/api/applications/{pk}/materials/{kept}/"), 403, "action_denied")


def test_a_bad_rating_is_followed_up_by_the_departments_manager(cast: Cast, now) -> None:
    now(D("2026-03-10"))
    app = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    workflow.deny(app.pk, app.officer, "不符合条件", "可申请行政复议", on=D("2026-03-09"))
    alice, mia = api(cast.alice), api(cast.mia)
    error(api(cast.olga).post(f"/api/applications/{app.pk}/rate/", {"level": 1}, format="json"), 403)
    error(alice.post(f"/api/applications/{app.pk}/rate/", {"level": 0}, format="json"), 400, "invalid")
    rating = ok(alice.post(f"/api/applications/{app.pk}/rate/", {"level": 1, "comment": "太慢了"}, format="json"), 201)
    assert rating["follow_up_due"] == "2026-03-31"  # 15 working days after Tue 10 March
    assert [n["kind"] for n in ok(mia.get("/api/notifications/"))["results"]] == ["rated_bad"]
    follow_up = f"/api/applications/{app.pk}/rating/follow-up/"
    error(api(cast.olga).post(follow_up, {"note": "已回访"}, format="json"), 403, "action_denied")
    error(mia.post(follow_up, {}, format="json"), 400, "invalid")
    done = ok(mia.post(follow_up, {"note": "已电话回访，说明原因"}, format="json"))
    assert (done["followed_up_on"], done["follow_up_note"]) == ("2026-03-10", "已电话回访，说明原因")
    assert detail(alice, app.pk)["rating"]["followed_up_on"] == "2026-03-10"


# -- a website filing, through its access provider ------------------------------------------------


def filing_draft(client: APIClient, cast: Cast, subject: str = "www.yunduan.example 企业官网") -> int:
    created = ok(
        client.post(
            "/api/applications/",
            {
                "procedure": "website_filing",
                "subject": subject,
                "provider": cast.telecom.pk,
                "details": DETAILS[Procedure.WEBSITE_FILING],
            },
            format="json",
        ),
        201,
    )
    ok(client.post(f"/api/applications/{created['id']}/materials/", {"file": pdf()}, format="multipart"), 201)
    return created["id"]


def test_a_website_filing_is_checked_by_the_access_provider_and_filed_by_the_officer(cast: Cast, now) -> None:
    alice, pat, fiona = api(cast.alice), api(cast.pat), api(cast.fiona)
    now(D("2026-02-10"))
    pk = filing_draft(alice, cast)
    assert detail(alice, pk)["provider"] == "中国电信安徽分公司"
    error(pat.get(f"/api/applications/{pk}/"), 404, "not_found")  # a draft is the applicant's alone
    sent = ok(act(alice, pk, "submit_to_provider"))
    assert (sent["state"], sent["tracking_number"][:6], sent["due_date"]) == ("provider_review", "BA2026", None)
    assert sent["officer"] is None, "a filing reaches a department only when the provider forwards it"

    now(D("2026-02-12"))  # Thursday
    assert [row["id"] for row in ok(pat.get("/api/applications/"))["results"]] == [pk]
    assert detail(pat, pk)["available_actions"] == ["forward_to_administration", "return_to_applicant"]
    error(act(alice, pk, "forward_to_administration", method="face", verified_at="2026-02-12T10:30:00+08:00"), 400)
    error(
        act(alice, pk, "forward_to_administration", method="face", verified_at="2026-02-12T10:30", reference="F-7"),
        403,
        "action_denied",
    )
    arrived = ok(
        act(
            pat,
            pk,
            "forward_to_administration",
            method="face",
            verified_at="2026-02-12T10:30:00+08:00",
            reference="F-7",
        )
    )
    # The clock starts when the record reaches the administration: 8 working days after Thu 12
    # February, the Spring Festival (15-23 February) not counted and Sat 28 February worked: Mon 2 March.
    assert (arrived["state"], arrived["arrived_on"], arrived["due_date"], arrived["officer"]) == (
        "arrived",
        "2026-02-12",
        "2026-03-02",
        "Fiona",
    )
    assert (arrived["verification_method"], arrived["verification_reference"]) == ("face", "F-7")
    assert datetime.fromisoformat(arrived["verified_at"]) == datetime(2026, 2, 12, 10, 30, tzinfo=SHANGHAI)

    now(D("2026-02-26"))
    error(api(cast.mia).get(f"/api/applications/{pk}/"), 404, "not_found")  # the other department's manager
    assert "file" in detail(fiona, pk)["available_actions"]
    assert "start_special_procedure" not in detail(fiona, pk)["available_actions"]  # filings do not pause
    refused = error(act(fiona, pk, "file", filing_number="ICP-123"), 400, "action_invalid")
    assert list(refused["fields"]) == ["filing_number"]
    filed = ok(act(fiona, pk, "file", filing_number="皖ICP备2026001234号"))
    assert (filed["state"], filed["filing_number"], filed["decided_on"]) == (
        "filed",
        "皖ICP备2026001234号",
        "2026-02-26",
    )
    assert [n["kind"] for n in ok(alice.get("/api/notifications/"))["results"]] == ["file", "forward_to_administration"]
    assert [n["kind"] for n in ok(pat.get("/api/notifications/"))["results"]] == ["file", "submit_to_provider"]
    assert ok(api(cast.max).get(f"/api/applications/{pk}/"))["state"] == "filed"  # the internet department's manager


def test_a_filing_returned_by_the_provider_is_edited_sent_again_and_refused(cast: Cast, now) -> None:
    alice, pat, fiona = api(cast.alice), api(cast.pat), api(cast.fiona)
    now(D("2026-03-02"))
    pk = filing_draft(alice, cast)
    ok(act(alice, pk, "submit_to_provider"))
    returned = ok(act(pat, pk, "return_to_applicant", reasons="域名证书与主体不一致"))
    assert returned["state"] == "draft"
    error(pat.get(f"/api/applications/{pk}/"), 404)  # back with the applicant
    edited = ok(alice.patch(f"/api/applications/{pk}/", {"subject": "www.yunduan.example 官网（更正）"}, format="json"))
    assert edited["subject"] == "www.yunduan.example 官网（更正）"
    ok(act(alice, pk, "submit_to_provider"))
    ok(
        act(
            pat,
            pk,
            "forward_to_administration",
            method="video",
            verified_at="2026-03-02T09:00:00+08:00",
            reference="V-1",
        )
    )
    error(act(fiona, pk, "refuse_filing"), 400, "invalid")
    error(act(alice, pk, "withdraw", reason="不备了"), 400, "action_invalid")  # too late: it reached the administration
    refused = ok(act(fiona, pk, "refuse_filing", reasons="网站名称不符合规范"))
    assert (refused["state"], refused["outcome_reasons"], refused["available_actions"]) == (
        "filing_refused",
        "网站名称不符合规范",
        [],
    )
    assert ok(alice.get("/api/notifications/"))["results"][0]["kind"] == "refuse_filing"


# -- the other ways a case ends or moves ----------------------------------------------------------


def test_an_officer_refuses_to_accept_within_five_working_days(cast: Cast, now) -> None:
    now(D("2026-03-04"))
    app = cast.received(on=D("2026-03-02"))
    olga = api(cast.olga)
    missing = error(act(olga, app.pk, "refuse_to_accept"), 400, "invalid")
    assert missing["fields"] == {"reasons": ["This field is required."]}
    refused = ok(act(olga, app.pk, "refuse_to_accept", reasons="不属于本机关职权范围"))
    assert (refused["state"], refused["outcome_reasons"], refused["standing"]["clock"]) == (
        "not_accepted",
        "不属于本机关职权范围",
        "none",
    )
    assert detail(api(cast.alice), app.pk)["state_label"] == "Not accepted"


def test_after_five_working_days_only_accepting_is_left_and_it_counts_from_receipt(cast: Cast, now) -> None:
    now(D("2026-03-10"))  # received Mon 2 March: the 5 working days ended on Mon 9 March
    app = cast.received(on=D("2026-03-02"))
    olga = api(cast.olga)
    assert detail(olga, app.pk)["available_actions"] == ["accept"]
    late = error(act(olga, app.pk, "request_correction", items="补正"), 400, "action_invalid")
    assert "deemed accepted" in late["message"]
    accepted = ok(act(olga, app.pk, "accept"))
    assert (accepted["accepted_on"], accepted["deemed_accepted"], accepted["due_date"]) == (
        "2026-03-02",
        True,
        "2026-04-08",
    )


def test_the_applicant_withdraws_and_the_officer_hears_of_it(cast: Cast, now) -> None:
    now(D("2026-03-05"))
    app = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    alice = api(cast.alice)
    assert "withdraw" in detail(alice, app.pk)["available_actions"]
    error(act(api(cast.olga), app.pk, "withdraw", reason="x"), 403, "action_denied")
    withdrawn = ok(act(alice, app.pk, "withdraw", reason="业务调整，不再申请"))
    assert (withdrawn["state"], withdrawn["closed_on"], withdrawn["available_actions"]) == (
        "withdrawn",
        "2026-03-05",
        [],
    )
    assert ok(api(cast.olga).get("/api/notifications/"))["results"][0]["kind"] == "withdraw"
    error(act(alice, app.pk, "withdraw", reason="again"), 400, "action_invalid")


def test_a_rejected_extension_leaves_the_due_date(cast: Cast, now) -> None:
    now(D("2026-03-02"))
    app = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-03-02"), accepted=D("2026-03-02"))
    assert app.due_date == D("2026-03-16")  # 10 working days after Mon 2 March
    olga, mia = api(cast.olga), api(cast.mia)
    now(D("2026-03-05"))
    too_long = error(act(olga, app.pk, "request_extension", days=11, reason="x"), 400, "invalid")
    assert too_long["fields"] == {"days": ["An extension is 1 to 10 working days."]}
    ok(act(olga, app.pk, "request_extension", days=5, reason="需征求相关部门意见"))
    now(D("2026-03-06"))
    error(act(mia, app.pk, "reject_extension"), 400, "invalid")  # a rejection says why
    rejected = ok(act(mia, app.pk, "reject_extension", note="理由不充分"))
    assert (rejected["extension_state"], rejected["extension_days"], rejected["due_date"]) == (
        "rejected",
        0,
        "2026-03-16",
    )
    assert ok(olga.get("/api/notifications/"))["results"][0]["kind"] == "reject_extension"


def test_a_manager_or_an_administrator_reassigns_a_case(cast: Cast, now) -> None:
    now(D("2026-03-05"))
    app = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    assert app.officer == cast.olga
    olga, oscar, mia = api(cast.olga), api(cast.oscar), api(cast.mia)
    assert "reassign" in detail(mia, app.pk)["available_actions"]
    assert "reassign" not in detail(olga, app.pk)["available_actions"]
    error(act(olga, app.pk, "reassign", officer=cast.oscar.pk), 403, "action_denied")
    other_department = error(act(mia, app.pk, "reassign", officer=cast.fiona.pk), 400, "invalid")
    assert list(other_department["fields"]) == ["officer"]
    moved = ok(act(mia, app.pk, "reassign", officer=cast.oscar.pk, note="olga 休假"))
    assert moved["officer"] == "Oscar"
    assert ok(oscar.get("/api/notifications/"))["results"][0]["kind"] == "reassign"
    error(act(olga, app.pk, "grant"), 403, "action_denied")  # no longer hers to decide
    assert "grant" in detail(oscar, app.pk)["available_actions"]
    back = ok(act(api(cast.root), app.pk, "reassign", officer=cast.olga.pk))
    assert back["officer"] == "Olga"


def test_deemed_acceptance_is_the_systems_alone(cast: Cast, now) -> None:
    now(D("2026-03-02"))
    app = cast.received(on=D("2026-03-02"))
    for user in (cast.alice, cast.olga, cast.mia, cast.root):
        assert "deem_accepted" not in detail(api(user), app.pk)["available_actions"]
        error(api(user).post(f"/api/applications/{app.pk}/deem-accepted/"), 404, "not_found")  # no such endpoint
    now(D("2026-03-10"))  # the day after the 5 working days
    sla.sweep()
    deemed = detail(api(cast.olga), app.pk)
    assert (deemed["state"], deemed["deemed_accepted"], deemed["accepted_on"]) == ("under_review", True, "2026-03-02")
    assert deemed["due_date"] == "2026-04-08"  # 26 working days after Mon 2 March (Qingming not counted)
    assert deemed["timeline"][-1] == {
        "on": "2026-03-10",
        "title": "Deemed accepted (no answer within 5 working days)",
        "note": "",
        "actor": "the system",
    }


def test_managers_see_the_alerts_the_sweep_raised(cast: Cast, now) -> None:
    late = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))  # due Thu 9 April
    filing = cast.under_review(Procedure.WEBSITE_FILING, received=D("2026-03-02"), accepted=D("2026-03-03"))
    now(D("2026-04-10"))
    sla.sweep()
    mia = api(cast.mia)
    rows = ok(mia.get("/api/alerts/"))["results"]
    mine = {(row["tracking_number"], row["clock"], row["level"]) for row in rows}
    assert {(late.tracking_number, "decision", "yellow"), (late.tracking_number, "decision", "red")} <= mine
    assert filing.tracking_number not in {row["tracking_number"] for row in rows}, "another department's"
    red = ok(mia.get("/api/alerts/", {"level": "red", "active": "1"}))["results"]
    assert [(row["application"], row["due"], row["raised_on"], row["cleared_on"]) for row in red] == [
        (late.pk, "2026-04-09", "2026-04-10", None)
    ]
    assert {row["tracking_number"] for row in ok(api(cast.max).get("/api/alerts/"))["results"]} == {
        filing.tracking_number
    }
    assert ok(api(cast.root).get("/api/alerts/"))["count"] == len(rows) + ok(api(cast.max).get("/api/alerts/"))["count"]
    error(api(cast.alice).get("/api/alerts/"), 403, "permission_denied")
    error(api(cast.pat).get("/api/alerts/"), 403, "permission_denied")
    error(mia.get("/api/alerts/", {"level": "purple"}), 400, "invalid")
    assert ok(mia.get("/api/notifications/"))["results"][0]["kind"] == "alert"


# -- the calendar and the deadline calculator -----------------------------------------------------


def test_everyone_reads_which_years_are_official_and_the_loaded_days(cast: Cast, now) -> None:
    now(D("2026-11-20"))
    years = ok(api(cast.alice).get("/api/calendar/years/"))
    assert {row["year"]: row["official"] for row in years if row["year"] >= 2025} == {
        2025: True,
        2026: True,
        2027: False,
    }
    CalendarDay.objects.create(date=D("2026-03-10"), kind="holiday", name="test", notice_year=2026)
    days = ok(api(cast.pat).get("/api/calendar/days/", {"year": "2026"}))
    assert [(row["date"], row["kind"], row["name"]) for row in days["results"]] == [("2026-03-10", "holiday", "test")]
    assert ok(api(cast.pat).get("/api/calendar/days/", {"year": "2025"}))["count"] == 0
    error(api(cast.pat).get("/api/calendar/days/", {"year": "26"}), 400, "invalid")


def test_an_administrator_loads_next_years_schedule_and_open_due_dates_follow(cast: Cast, now) -> None:
    now(D("2026-12-18"))
    app = cast.under_review(received=D("2026-12-11"), accepted=D("2026-12-17"))
    olga = api(cast.olga)
    before = detail(olga, app.pk)
    clocks = {clock["kind"]: clock for clock in before["clocks"]}
    # The promised 26 working days count certain days only; the statutory 60 days from receipt
    # end in the unpublished 2027 Spring Festival's bridging days.
    assert (clocks["promised"]["due"], clocks["promised"]["provisional"]) == ("2027-01-25", False)
    assert (clocks["statutory"]["due"], clocks["statutory"]["provisional"]) == ("2027-02-14", True)
    assert clocks["statutory"]["due_earliest"] < "2027-02-14" < clocks["statutory"]["due_latest"]
    assert (before["due_date"], before["provisional"], before["standing"]["provisional"]) == ("2027-01-25", True, True)
    sample = (HOLIDAY_CN / "sample-2027.json").read_bytes()

    def upload(user, content: bytes = sample):
        schedule = SimpleUploadedFile("2027.json", content, content_type="application/json")
        return api(user).post("/api/calendar/years/", {"file": schedule, "source": "国办发明电〔2026〕7号"})

    error(upload(cast.mia), 403, "permission_denied")
    bad = error(
        upload(cast.root, b'{"year": 2027, "days": [{"name": "x", "date": "2027-01-04", "isOffDay": "no"}]}'), 400
    )
    assert list(bad["fields"]) == ["file"]
    preview = ok(upload(cast.root), 201)
    assert (preview["status"], preview["year"], preview["source"]) == ("previewed", 2027, "国办发明电〔2026〕7号")
    ok(api(cast.root).post(preview["confirm"]), 202)
    assert {row["year"]: row["official"] for row in ok(olga.get("/api/calendar/years/"))}[2027] is True
    assert ("2027-01-01", "holiday") in {
        (row["date"], row["kind"]) for row in ok(olga.get("/api/calendar/days/", {"year": "2027"}))["results"]
    }
    after = detail(olga, app.pk)
    # The sample makes Sun 27 December 2026 a working day and the first days of 2027 official.
    assert (after["due_date"], after["provisional"]) == ("2027-01-22", False)
    assert not any(clock["provisional"] for clock in after["clocks"])
    assert after["timeline"][-1]["title"].startswith("Promised deadline 2027-01-25 → 2027-01-22")


@pytest.mark.parametrize(
    "argv",
    [
        ["website_filing", "2025-09-26"],
        ["telecom_licence", "2026-02-12"],
        ["number_resource", "2025-04-30", "--extend", "10"],
        ["telecom_licence", "2026-03-05", "--received", "2026-03-02", "--pause", "2026-03-09:2026-03-19"],
        ["number_resource", "2026-03-02", "--pause", "2026-03-04:2026-03-16", "--pause", "2026-03-18:2026-03-20"],
        ["telecom_licence", "2026-12-17"],  # into 2027, on certain days
        ["website_filing", "2027-01-28"],  # across the unpublished 2027 Spring Festival: provisional
    ],
)
def test_the_deadline_endpoint_answers_as_the_command(cast: Cast, argv: list[str]) -> None:
    out = StringIO()
    call_command("deadline", *argv, "--json", stdout=out)
    kind, start, *options = argv
    query: dict[str, list[str]] = {"kind": [kind], "start": [start]}
    for flag, value in zip(options[::2], options[1::2], strict=True):
        query.setdefault(flag.removeprefix("--"), []).append(value)
    assert ok(api(cast.alice).get("/api/deadline/", query)) == json.loads(out.getvalue())


def test_the_deadline_endpoint_refuses_what_the_command_refuses(cast: Cast) -> None:
    client = api(cast.olga)
    assert list(error(client.get("/api/deadline/", {"kind": "visa", "start": "2026-03-02"}), 400)["fields"]) == ["kind"]
    assert list(
        error(client.get("/api/deadline/", {"kind": "website_filing", "start": "2026-02-30"}), 400)["fields"]
    ) == ["start"]
    no_pause = error(
        client.get(
            "/api/deadline/", {"kind": "website_filing", "start": "2026-03-02", "pause": "2026-03-03:2026-03-05"}
        ),
        400,
    )
    assert "does not allow pauses" in no_pause["fields"]["non_field_errors"][0]
    garbled = error(
        client.get("/api/deadline/", {"kind": "number_resource", "start": "2026-03-02", "pause": "soon"}), 400
    )
    assert garbled["fields"] == {"pause": ["0: This value does not match the required pattern."]}
    error(
        APIClient().get("/api/deadline/", {"kind": "website_filing", "start": "2026-03-02"}), 401, "not_authenticated"
    )

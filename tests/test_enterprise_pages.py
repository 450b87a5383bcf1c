"""The enterprise portal, new applications, draft edits and the access provider's queue."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from approvals import workflow
from approvals.holidays import work_calendar
from approvals.models import Application, Organisation, OrganisationKind, Procedure, State, User, private_storage
from approvals.procedures import normalise_domain
from approvals.selectors.portal import portal
from approvals.selectors.provider import queue
from tests.cast import Cast, browser, noon, pdf

D = date.fromisoformat
TODAY = D("2026-03-10")
LICENCE, NUMBERS, FILING = Procedure.TELECOM_LICENCE, Procedure.NUMBER_RESOURCE, Procedure.WEBSITE_FILING


@pytest.fixture(autouse=True)
def pinned(now) -> None:
    now(TODAY)


def text(response) -> str:
    return response.content.decode()


def rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return re.findall(r"<tr[ >].*?</tr>", body, flags=re.S)


def pending_files() -> list[str]:
    try:
        return private_storage.listdir("pending")[1]
    except FileNotFoundError:
        return []


def licence_post(**overrides) -> dict:
    data = {
        "subject": "第二类增值电信业务 信息服务业务",
        "categories": ["B21", "B25"],
        "coverage": "安徽省",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def fake(name: str, content: bytes = b"MZ\x90\x00 not a document") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# -- the portal -----------------------------------------------------------------------------------


def test_the_portal_shows_where_each_application_stands(cast: Cast) -> None:
    case = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    draft = cast.draft(NUMBERS, on=TODAY)
    filing = cast.draft(FILING, on=TODAY)
    workflow.submit(filing.pk, cast.alice, on=TODAY)
    page = text(browser(cast.alice).get("/portal/"))
    assert case.tracking_number in page and "2026-04-09" in page  # 26 working days after 2026-03-03
    assert "Under review" in page and "The administration&#x27;s decision" in page
    assert "working days left" in page and 'class="chip green"' in page
    assert "With the access provider" in page and "中国电信安徽分公司" in page  # whose check it waits for
    assert f"/portal/applications/{draft.pk}/edit/" in page  # a draft can be edited from the list
    assert len(rows(page)) == 3
    empty = workflow.create_application(cast.alice, LICENCE, "信息服务业务", on=TODAY)
    first = rows(text(browser(cast.alice).get("/portal/?status=drafts")))[0]
    assert f"/applications/{empty.pk}/" in first and "You: add the materials" in first


def test_the_summary_counts_open_cases_corrections_due_soon_and_drafts(cast: Cast, now) -> None:
    now(D("2026-03-02"))
    asked = cast.received(on=D("2026-03-02"))
    workflow.request_correction(asked.pk, asked.officer, "营业执照副本未盖章", on=D("2026-03-02"))
    cast.under_review(NUMBERS, received=D("2026-03-02"), accepted=D("2026-03-02"))  # 10 WD: due 2026-03-16
    cast.draft(on=D("2026-03-02"))
    now(D("2026-03-12"))  # two working days before the numbers case is due: yellow
    page = text(browser(cast.alice).get("/portal/"))
    figures = dict((label.strip(), int(n)) for n, label in re.findall(r'<span class="n">(\d+)</span>([^<]+)</a>', page))
    assert figures == {
        "waiting for you": 1,
        "overdue": 0,
        "in progress": 2,
        "due soon": 1,
        "paused": 0,
        "decided or ended": 0,
        "drafts not submitted": 1,
    }
    first = rows(page)[0]
    assert asked.tracking_number in first and "Send corrections" in first  # what needs alice comes first
    due_soon = rows(text(browser(cast.alice).get("/portal/?status=due_soon")))
    assert len(due_soon) == 1 and "2026-03-16" in due_soon[0] and 'class="chip yellow"' in due_soon[0]


def test_the_portal_selector_counts_due_soon_by_the_level_rule_in_two_queries(cast: Cast, now) -> None:
    """approvals.selectors.portal: "due soon" is LEVEL_RULE's yellow (with_level), as level_on
    reads it; the summary and a page are two queries, filtered or not."""
    now(D("2026-03-02"))
    soon = cast.under_review(NUMBERS, received=D("2026-03-02"), accepted=D("2026-03-02"))  # due 2026-03-16
    cast.under_review(LICENCE, received=D("2026-03-02"), accepted=D("2026-03-02"))  # due in April
    asked = cast.received(on=D("2026-03-02"))
    workflow.request_correction(asked.pk, asked.officer, "营业执照副本未盖章", on=D("2026-03-02"))
    cast.draft(on=D("2026-03-02"))
    day = D("2026-03-12")
    yellow = [a.pk for a in Application.objects.filter(organisation=cast.acme) if a.level_on(day) == "yellow"]
    assert yellow == [soon.pk]
    calendar = work_calendar()
    for status, expected in (("", 4), ("due_soon", 1), ("correction", 1), ("drafts", 1), ("open", 3)):
        with CaptureQueriesContext(connection) as queries:
            listing = portal(cast.alice, status=status, page=1, today=day, calendar=calendar)
        assert len(queries) == 2, status
        assert listing.summary["matching"] == len(listing.rows) == expected, status
    assert listing.summary == {
        "total": 4,
        "yours": 1,
        "open": 3,
        "overdue": 0,
        "correction": 1,
        "due_soon": 1,
        "paused": 0,
        "drafts": 1,
        "closed": 0,
        "matching": 3,
    }
    (due,) = portal(cast.alice, status="due_soon", page=1, today=day, calendar=calendar).rows
    assert due.pk == soon.pk and due.standing.level == "yellow"


def test_filters_and_search_narrow_the_list(cast: Cast) -> None:
    case = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    cast.draft(NUMBERS, on=TODAY)
    workflow.create_application(cast.alice, FILING, "云端科技官网（yunduan.cn）", provider_id=cast.telecom.pk, on=TODAY)
    alice = browser(cast.alice)
    assert len(rows(text(alice.get("/portal/?procedure=number_resource")))) == 1
    assert len(rows(text(alice.get("/portal/?status=drafts")))) == 2
    assert len(rows(text(alice.get("/portal/?status=open")))) == 1
    assert len(rows(text(alice.get("/portal/?status=closed")))) == 0
    found = rows(text(alice.get(f"/portal/?q={case.tracking_number.lower()}")))
    assert len(found) == 1 and case.tracking_number in found[0]
    found = rows(text(alice.get("/portal/?q=yunduan")))
    assert len(found) == 1 and "云端科技官网" in found[0]
    page = text(alice.get("/portal/?q=nothing-like-this"))
    assert "No application matches these filters." in page and not rows(page)
    assert len(rows(text(alice.get("/portal/?status=bogus&procedure=bogus")))) == 3  # ignored, not an error


def test_the_portal_is_kept_until_the_workflow_changes_anything(cast: Cast) -> None:
    """The summary and the list are kept per user and query (approvals.kept): a second view
    counts nothing, another organisation's user gets their own page, and the next view after
    any workflow action (here a new draft, then its submission) shows it."""
    case = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    alice = browser(cast.alice)

    def view(client: Client) -> tuple[list[str], list[str]]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/portal/")
        assert response.status_code == 200
        counting = [q["sql"] for q in queries if "COUNT(" in q["sql"] and "approvals_application" in q["sql"]]
        return rows(text(response)), counting

    first, counted = view(alice)
    assert len(first) == 1 and case.tracking_number in first[0] and counted
    again, counted = view(alice)
    assert (again, counted) == (first, [])  # kept

    bobs, counted = view(browser(cast.bob))  # another organisation: its own (empty) page
    assert bobs == [] and counted

    draft = cast.draft(NUMBERS, on=TODAY)
    after, counted = view(alice)
    assert counted and len(after) == 2 and any(f"/portal/applications/{draft.pk}/edit/" in row for row in after)
    workflow.submit(draft.pk, cast.alice, on=TODAY)
    submitted, counted = view(alice)
    number = Application.objects.get(pk=draft.pk).tracking_number
    assert counted and any(number in row for row in submitted)


def test_bob_never_sees_acmes_applications(cast: Cast) -> None:
    case = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    draft = cast.draft(NUMBERS, on=TODAY)
    bob = browser(cast.bob)
    for url in ("/portal/", f"/portal/?q={case.tracking_number}", "/portal/?status=drafts"):
        page = text(bob.get(url))
        assert not rows(page) and case.subject not in page and draft.subject not in page
    assert "You have no applications yet" in text(bob.get("/portal/"))
    assert bob.get(f"/portal/applications/{draft.pk}/edit/").status_code == 404
    assert bob.post(f"/portal/applications/{draft.pk}/edit/", {"subject": "x"}).status_code == 404
    assert Application.objects.get(pk=draft.pk).subject == draft.subject


def test_an_organisation_without_applications_is_invited_to_start_one(cast: Cast) -> None:
    page = text(browser(cast.alice).get("/portal/"))
    assert "You have no applications yet" in page and 'href="/portal/new/"' in page


def make_applications(cast: Cast, n: int) -> None:
    for i in range(n):
        procedure = (LICENCE, NUMBERS, FILING)[i % 3]
        if i % 3 == 2:
            app = cast.draft(procedure, on=D("2026-03-02"))
            if i % 2:
                workflow.submit(app.pk, cast.alice, on=D("2026-03-02"))
        elif i % 2:
            cast.under_review(procedure, received=D("2026-03-02"), accepted=D("2026-03-03"))
        else:
            cast.received(procedure, on=D("2026-03-02"))


def count_queries(client, url: str) -> int:
    client.get(url)  # warm: the session, the calendar's cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_portal_runs_the_same_number_of_queries_for_3_and_30_applications(cast: Cast) -> None:
    alice = browser(cast.alice)
    make_applications(cast, 3)
    few = count_queries(alice, "/portal/"), count_queries(alice, "/portal/?status=open&q=2026")
    make_applications(cast, 27)
    assert Application.objects.filter(organisation=cast.acme).count() == 30
    many = count_queries(alice, "/portal/"), count_queries(alice, "/portal/?status=open&q=2026")
    assert few == many, (few, many)
    assert len(rows(text(alice.get("/portal/")))) == 30


def test_the_list_is_paginated_by_30(cast: Cast) -> None:
    for i in range(31):
        workflow.create_application(cast.alice, LICENCE, f"申请 {i:02d}", on=TODAY)
    alice = browser(cast.alice)
    first = text(alice.get("/portal/?status=drafts"))
    assert len(rows(first)) == 30 and "Page 1 of 2" in first and "status=drafts&amp;page=2" in first
    second = text(alice.get("/portal/?status=drafts&page=2"))
    assert len(rows(second)) == 1 and "申请 00" in second


# -- who may come in ------------------------------------------------------------------------------


URLS = ["/portal/", "/portal/new/", "/portal/new/telecom_licence/", "/provider/"]


def test_anonymous_visitors_are_sent_to_sign_in(cast: Cast) -> None:
    draft = cast.draft(on=TODAY)
    for url in [*URLS, f"/portal/applications/{draft.pk}/edit/"]:
        response = browser().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next="), url


def test_other_roles_get_the_403_page_and_foreign_drafts_are_404(cast: Cast) -> None:
    for user in (cast.olga, cast.mia, cast.root, cast.pat):
        for url in URLS[:3]:
            response = browser(user).get(url)
            assert response.status_code == 403, (user, url)
            assert "You are not allowed to do that" in text(response)
    for user in (cast.alice, cast.olga, cast.root):
        assert browser(user).get("/provider/").status_code == 403, user
    draft = cast.draft(FILING, on=TODAY)
    for user in (cast.olga, cast.fiona, cast.pat, cast.bob, cast.root):
        assert browser(user).get(f"/portal/applications/{draft.pk}/edit/").status_code == 404, user
    assert browser(cast.alice).get("/portal/new/no_such_procedure/").status_code == 404
    assert browser(cast.alice).get("/portal/applications/999999/edit/").status_code == 404


# -- a new application ----------------------------------------------------------------------------


def test_the_chooser_explains_each_procedure(cast: Cast) -> None:
    page = text(browser(cast.alice).get("/portal/new/"))
    for promised in ("26 working days", "10 working days", "8 working days"):
        assert promised in page
    assert "60 calendar days from receipt" in page and "20 working days" in page
    assert "What to prepare" in page and "The network and information security measures" in page
    for procedure in (LICENCE, NUMBERS, FILING):
        assert f'href="/portal/new/{procedure}/"' in page


def test_a_licence_application_is_saved_as_a_draft_with_its_materials_and_then_submitted(cast: Cast) -> None:
    alice = browser(cast.alice)
    form = text(alice.get("/portal/new/telecom_licence/"))
    assert "B25 Information services" in form and "B11 Internet data centre" in form and "信息服务业务" not in form
    assert 'enctype="multipart/form-data"' in form and "PDF, JPEG, PNG or OFD" in form
    response = alice.post("/portal/new/telecom_licence/", licence_post(files=[pdf("申请书.pdf"), pdf("营业执照.pdf")]))
    app = Application.objects.get(organisation=cast.acme)
    assert response.status_code == 302 and response["Location"] == f"/applications/{app.pk}/"
    assert app.state == State.DRAFT and app.applicant == cast.alice
    assert app.details == {
        "categories": ["B21", "B25"],
        "business": "B21 在线数据处理与交易处理业务；B25 信息服务业务",
        "coverage": "安徽省",
    }
    assert sorted(app.materials.values_list("name", flat=True)) == ["申请书.pdf", "营业执照.pdf"]
    page = text(alice.get(response["Location"]))
    assert "The draft is saved with its materials" in page and "Submit" in page
    assert alice.post(f"/applications/{app.pk}/do/submit/").status_code == 302
    assert Application.objects.get(pk=app.pk).state == State.RECEIVED


def test_a_number_resource_application(cast: Cast) -> None:
    alice = browser(cast.alice)
    form = text(alice.get("/portal/new/number_resource/"))
    assert "SMS service access code" in form and "Intended use" in form
    response = alice.post(
        "/portal/new/number_resource/",
        {
            "subject": "短消息类服务接入代码",
            "number_type": "sms_access_code",
            "quantity": "2",
            "code": "1069055112345",
            "purpose": "验证码及通知类短信",
            "files": [pdf()],
        },
    )
    app = Application.objects.get(organisation=cast.acme)
    assert response.status_code == 302 and app.procedure == NUMBERS
    assert app.details == {
        "number_type": "sms_access_code",
        "quantity": 2,
        "code": "1069055112345",
        "purpose": "验证码及通知类短信",
    }


def test_a_website_filing_needs_its_access_provider_and_keeps_what_was_typed(cast: Cast) -> None:
    alice = browser(cast.alice)
    form = text(alice.get("/portal/new/website_filing/"))
    assert "中国电信安徽分公司" in form and "Domain names" in form
    typed = {
        "subject": "云端科技官网",
        "website": "云端科技官网",
        "domains": "https://www.YunDuan.cn/\nyunduan.com.cn www.yunduan.cn",
    }
    response = alice.post("/portal/new/website_filing/", typed)
    page = text(response)
    assert response.status_code == 400 and not Application.objects.exists()
    assert "Choose the access provider that hosts the website." in page
    assert "云端科技官网" in page and "https://www.YunDuan.cn/" in page
    response = alice.post("/portal/new/website_filing/", {**typed, "provider": cast.telecom.pk, "files": [pdf()]})
    app = Application.objects.get()
    assert response.status_code == 302 and app.provider == cast.telecom
    assert app.details == {"website": "云端科技官网", "domains": ["www.yunduan.cn", "yunduan.com.cn"]}
    alice.post(f"/applications/{app.pk}/do/submit_to_provider/")
    assert Application.objects.get(pk=app.pk).state == State.PROVIDER_REVIEW


def test_a_filing_without_a_subject_is_named_after_its_website(cast: Cast) -> None:
    response = browser(cast.alice).post(
        "/portal/new/website_filing/",
        {"subject": "", "website": "云端科技官网", "domains": "yunduan.cn", "provider": cast.telecom.pk},
    )
    assert response.status_code == 302
    assert Application.objects.get().subject == "云端科技官网（yunduan.cn）"


def test_wrong_domain_names_are_named_in_the_error(cast: Cast) -> None:
    response = browser(cast.alice).post(
        "/portal/new/website_filing/",
        {
            "subject": "官网",
            "website": "官网",
            "domains": "good.cn\nnot a domain\nlocalhost, a.cn b.cn",
            "provider": cast.telecom.pk,
        },
    )
    page = text(response)
    assert response.status_code == 400
    assert "Not a domain name: “not a domain”、“localhost”." in page
    assert "good.cn" in page  # what was typed stays


def test_domain_names_are_normalised() -> None:
    assert normalise_domain("HTTPS://Www.Example.com.cn:8443/path?q") == "www.example.com.cn"
    assert normalise_domain("中国移动.中国") == "中国移动.中国"
    assert normalise_domain("localhost") is None
    assert normalise_domain("-bad-.cn") is None
    assert normalise_domain("1.2.3.4") is None


def test_form_errors_keep_everything_typed_and_the_files_chosen(cast: Cast) -> None:
    alice = browser(cast.alice)
    response = alice.post(
        "/portal/new/telecom_licence/",
        licence_post(categories=None, coverage="合肥市、芜湖市", files=[pdf("公司章程.pdf"), fake("病毒.exe")]),
    )
    page = text(response)
    assert response.status_code == 400 and not Application.objects.exists()
    assert "Tick at least one business category." in page
    assert "第二类增值电信业务 信息服务业务" in page and "合肥市、芜湖市" in page
    assert "公司章程.pdf" in page and "kept until you save" in page  # the good file waits
    assert "“病毒.exe” is not an accepted type" in page  # the bad one is refused at once
    token = re.search(r'name="kept" value="([^"]+)"', page).group(1)
    assert len(pending_files()) == 1
    response = alice.post(
        "/portal/new/telecom_licence/",
        licence_post(coverage="合肥市、芜湖市", kept=[token], offered=[token], files=[pdf("申请表.pdf")]),
    )
    app = Application.objects.get()
    assert response.status_code == 302
    assert sorted(app.materials.values_list("name", flat=True)) == ["公司章程.pdf", "申请表.pdf"]
    assert app.details["coverage"] == "合肥市、芜湖市"
    assert pending_files() == []


def test_an_unticked_kept_file_is_dropped(cast: Cast) -> None:
    alice = browser(cast.alice)
    page = text(alice.post("/portal/new/telecom_licence/", licence_post(subject="", files=[pdf("章程.pdf")])))
    token = re.search(r'name="kept" value="([^"]+)"', page).group(1)
    response = alice.post("/portal/new/telecom_licence/", licence_post(offered=[token]))
    assert response.status_code == 302 and pending_files() == []
    assert not Application.objects.get().materials.exists()
    assert response["Location"].endswith("/edit/")  # a draft without materials: add them there


def test_a_refused_file_keeps_the_draft_and_the_other_files(cast: Cast) -> None:
    alice = browser(cast.alice)
    response = alice.post(
        "/portal/new/telecom_licence/",
        licence_post(files=[pdf("申请书.pdf"), fake("伪装.pdf"), pdf("营业执照.pdf")]),
    )
    app = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/portal/applications/{app.pk}/edit/"
    assert sorted(app.materials.values_list("name", flat=True)) == ["申请书.pdf", "营业执照.pdf"]
    page = text(alice.get(response["Location"]))
    assert "“伪装.pdf” does not contain what its name says" in page
    assert "The draft is saved with the files that were accepted (2)" in page
    assert "第二类增值电信业务 信息服务业务" in page  # the edit form, filled in


def test_an_empty_subject_is_an_error_on_its_field(cast: Cast) -> None:
    response = browser(cast.alice).post("/portal/new/telecom_licence/", licence_post(subject="   "))
    assert response.status_code == 400
    assert re.search(r'has-error[^>]*>\s*<label for="id_subject"', text(response))


# -- a draft --------------------------------------------------------------------------------------


def test_a_draft_is_edited_and_gets_more_materials(cast: Cast) -> None:
    app = workflow.create_application(
        cast.alice,
        LICENCE,
        "第二类增值电信业务：信息服务业务（仅限互联网信息服务）",
        details={"business": "第二类增值电信业务：信息服务业务", "category": "B2", "coverage": "安徽省"},
        on=TODAY,
    )
    alice = browser(cast.alice)
    form = text(alice.get(f"/portal/applications/{app.pk}/edit/"))
    assert re.search(r'value="B25"[^>]*checked', form) and not re.search(r'value="B21"[^>]*checked', form)
    assert "安徽省" in form and "Save and submit" in form
    response = alice.post(
        f"/portal/applications/{app.pk}/edit/",
        licence_post(subject="信息服务业务（含互联网信息服务）", categories=["B25", "B24"], files=[pdf("补充.pdf")]),
    )
    assert response.status_code == 302 and response["Location"] == f"/applications/{app.pk}/"
    app.refresh_from_db()
    assert app.subject == "信息服务业务（含互联网信息服务）"
    assert app.details["categories"] == ["B24", "B25"] and app.details["category"] == "B2"  # old keys kept
    assert list(app.materials.values_list("name", flat=True)) == ["补充.pdf"]
    assert f"/applications/{app.pk}/materials/" in text(alice.get(f"/portal/applications/{app.pk}/edit/"))


def test_edit_errors_keep_what_was_typed_and_change_nothing(cast: Cast) -> None:
    app = cast.draft(NUMBERS, on=TODAY)
    response = browser(cast.alice).post(
        f"/portal/applications/{app.pk}/edit/",
        {"subject": "新的名称", "number_type": "call_centre", "quantity": "0", "purpose": "客服热线"},
    )
    page = text(response)
    assert response.status_code == 400
    assert "新的名称" in page and "客服热线" in page and 'value="0"' in page
    assert "Ensure this value is greater than or equal to 1." in page
    assert Application.objects.get(pk=app.pk).subject == app.subject


def test_save_and_submit_sends_the_draft(cast: Cast) -> None:
    app = cast.draft(FILING, on=TODAY)
    response = browser(cast.alice).post(
        f"/portal/applications/{app.pk}/edit/",
        {
            "subject": "官网",
            "website": "云端官网",
            "domains": "yunduan.cn",
            "provider": cast.telecom.pk,
            "then": "submit",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/applications/{app.pk}/"
    app.refresh_from_db()
    assert app.state == State.PROVIDER_REVIEW and app.provider == cast.telecom and app.tracking_number


def test_save_and_submit_without_materials_says_what_is_missing(cast: Cast) -> None:
    app = workflow.create_application(cast.alice, LICENCE, "信息服务业务", on=TODAY)
    alice = browser(cast.alice)
    response = alice.post(f"/portal/applications/{app.pk}/edit/", licence_post(then="submit"))
    assert response["Location"] == f"/portal/applications/{app.pk}/edit/"
    assert "Add the application&#x27;s materials before submitting." in text(alice.get(response["Location"]))
    app.refresh_from_db()
    assert app.state == State.DRAFT and app.details["coverage"] == "安徽省"  # the edits were saved


def test_only_a_draft_can_be_edited(cast: Cast) -> None:
    app = cast.received(on=D("2026-03-02"))
    alice = browser(cast.alice)
    response = alice.get(f"/portal/applications/{app.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == f"/applications/{app.pk}/"
    # Submitted by a colleague while alice was typing: her text comes back, nothing changes.
    response = alice.post(f"/portal/applications/{app.pk}/edit/", licence_post(subject="改过的名称"))
    page = text(response)
    assert response.status_code == 409 and "no longer a draft" in page and "改过的名称" in page
    assert Application.objects.get(pk=app.pk).subject == app.subject


def test_a_returned_filing_shows_the_providers_reasons(cast: Cast) -> None:
    app = cast.draft(FILING, on=TODAY)
    workflow.submit(app.pk, cast.alice, on=TODAY)
    workflow.return_to_applicant(app.pk, cast.pat, "域名证书与主体名称不一致", on=TODAY)
    alice = browser(cast.alice)
    assert "the access provider returned it" in text(alice.get("/portal/"))
    page = text(alice.get(f"/portal/applications/{app.pk}/edit/"))
    assert "Returned by the access provider" in page and "域名证书与主体名称不一致" in page
    assert "Save and send to the access provider" in page


# -- the access provider's queue ------------------------------------------------------------------


def filing(cast: Cast, *, forwarded: bool = False, who: User | None = None, provider: Organisation | None = None):
    who = who or cast.alice
    app = workflow.create_application(
        who,
        FILING,
        "云端官网（yunduan.cn）",
        details={"website": "云端官网", "domains": ["yunduan.cn"]},
        provider_id=(provider or cast.telecom).pk,
        on=D("2026-03-02"),
    )
    workflow.add_material(app.pk, who, pdf(), on=D("2026-03-02"))
    workflow.submit(app.pk, who, on=D("2026-03-02"))
    if forwarded:
        workflow.forward_to_administration(
            app.pk, cast.pat, method="face", verified_at=noon(D("2026-03-03")), reference="FACE-1", on=D("2026-03-03")
        )
    return Application.objects.get(pk=app.pk)


def test_the_provider_sees_the_filings_sent_to_it_awaiting_ones_first(cast: Cast) -> None:
    unicom = Organisation.objects.create(
        name="中国联通安徽分公司", credit_code="91340000MA2N0DDD4E", kind=OrganisationKind.ACCESS_PROVIDER
    )
    forwarded = filing(cast, forwarded=True)
    waiting = filing(cast, who=cast.bob)
    elsewhere = filing(cast, provider=unicom)
    draft = cast.draft(FILING, on=TODAY)
    licence = cast.received(on=D("2026-03-02"))
    page = text(browser(cast.pat).get("/provider/"))
    listed = rows(page)
    assert len(listed) == 2
    assert waiting.tracking_number in listed[0] and "芜湖星河信息技术有限公司" in listed[0]
    assert "Sent to you on 2026-03-02" in listed[0] and "waiting 6 working days" in listed[0]
    assert f'href="/applications/{waiting.pk}/"' in listed[0] and "Check" in listed[0]
    assert forwarded.tracking_number in listed[1] and "Forwarded on 2026-03-03" in listed[1]
    assert "yunduan.cn" in listed[1]
    for other in (elsewhere, licence):
        assert other.tracking_number not in page
    assert f"/applications/{draft.pk}/" not in page
    assert len(rows(text(browser(cast.pat).get("/provider/?status=waiting")))) == 1
    assert len(rows(text(browser(cast.pat).get("/provider/?q=星河")))) == 1
    # The application page offers the provider its two actions.
    detail = text(browser(cast.pat).get(f"/applications/{waiting.pk}/"))
    assert "Forward to the administration" in detail and "Return to the applicant" in detail


def test_the_provider_queue_runs_the_same_number_of_queries_for_3_and_30_filings(cast: Cast) -> None:
    pat = browser(cast.pat)
    for i in range(3):
        filing(cast, forwarded=bool(i % 2))
    few = count_queries(pat, "/provider/"), count_queries(pat, "/provider/?status=waiting&q=yunduan")
    for i in range(27):
        filing(cast, forwarded=bool(i % 2), who=cast.bob if i % 3 else cast.alice)
    many = count_queries(pat, "/provider/"), count_queries(pat, "/provider/?status=waiting&q=yunduan")
    assert few == many, (few, many)
    assert len(rows(text(pat.get("/provider/")))) == 30


def test_the_provider_queue_selector_puts_awaiting_filings_first_in_three_queries(cast: Cast) -> None:
    """approvals.selectors.provider: the summary, the count and the page are three queries; the
    filings awaiting the check come first, with the working days they have waited."""
    forwarded = filing(cast, forwarded=True)
    waiting = filing(cast, who=cast.bob)
    calendar = work_calendar()
    with CaptureQueriesContext(connection) as queries:
        listing = queue(cast.pat, page=1, today=TODAY, calendar=calendar)
    assert len(queries) == 3
    assert [app.pk for app in listing.rows] == [waiting.pk, forwarded.pk]
    assert [app.days_waiting for app in listing.rows] == [6, None]
    assert listing.rows[1].domains == ["yunduan.cn"] and listing.rows[1].website == "云端官网"
    assert listing.summary == {"total": 2, "waiting": 1, "forwarded": 1}
    assert [app.pk for app in queue(cast.pat, status="forwarded", page=1, today=TODAY, calendar=calendar).rows] == [
        forwarded.pk
    ]


def test_a_provider_with_nothing_yet_sees_what_the_page_is_for(cast: Cast) -> None:
    assert "No filing has been sent to you yet" in text(browser(cast.pat).get("/provider/"))


# -- language and the frame -------------------------------------------------------------------------


def test_pages_are_chinese_by_default_whatever_the_browser_says(cast: Cast) -> None:
    cast.draft(on=TODAY)
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")  # no language chosen
    client.force_login(cast.alice)
    for url in ("/portal/", "/portal/new/", "/portal/new/website_filing/"):
        assert '<html lang="zh-hans">' in text(client.get(url)), url
    assert "草稿" in text(client.get("/portal/"))  # the draft's status, in Chinese
    assert '<html lang="en">' in text(browser(cast.alice).get("/portal/"))  # the language cookie chooses


def test_the_details_partial_shows_what_the_forms_store(cast: Cast) -> None:
    from django.template.loader import render_to_string

    app = cast.draft(NUMBERS, on=TODAY)
    app.details = {"number_type": "call_centre", "quantity": 3, "purpose": "客服热线"}
    html = render_to_string("approvals/enterprise/details.html", {"app": app})
    assert "Call-centre number" in html and "客服热线" in html and "3" in html


def test_a_draft_file_can_be_removed_from_the_edit_page(cast, now) -> None:
    from approvals.models import Material
    from tests.cast import browser

    now(date(2026, 3, 2))
    app = cast.draft(on=date(2026, 3, 2))
    material = Material.objects.get(application=app)
    alice = browser(cast.alice)
    page = alice.get(f"/portal/applications/{app.pk}/edit/").content.decode()
    assert f'form="remove-{material.pk}"' in page
    assert browser(cast.bob).post(f"/portal/applications/{app.pk}/materials/{material.pk}/remove/").status_code == 404
    response = alice.post(f"/portal/applications/{app.pk}/materials/{material.pk}/remove/")
    assert response.status_code == 302 and not Material.objects.filter(pk=material.pk).exists()


def test_a_filing_draft_can_change_its_provider_on_the_edit_page(cast, now) -> None:
    from approvals.models import Organisation, OrganisationKind, Procedure
    from tests.cast import browser

    now(date(2026, 3, 2))
    other = Organisation.objects.create(
        name="中国移动安徽公司", credit_code="91340000MA2N0DDD42", kind=OrganisationKind.ACCESS_PROVIDER
    )
    app = cast.draft(Procedure.WEBSITE_FILING, on=date(2026, 3, 2))
    response = browser(cast.alice).post(
        f"/portal/applications/{app.pk}/edit/",
        {"website": "云端官网", "domains": "yunduan.cn", "provider": other.pk, "subject": ""},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.provider_id == other.pk


# -- the portal's states, like the worklist's counts (issue 16) ----------------------------------


def portal_cases(cast: Cast) -> dict[str, Application]:
    """On 2026-03-19: one case of each standing for alice's organisation, and one of bob's."""
    green = cast.under_review(LICENCE, received=D("2026-03-02"), accepted=D("2026-03-03"))  # due April
    overdue = cast.under_review(NUMBERS, received=D("2026-03-02"), accepted=D("2026-03-02"))  # due 03-16
    asked = cast.received(on=D("2026-03-02"))
    workflow.request_correction(asked.pk, asked.officer, "营业执照副本未盖章", on=D("2026-03-02"))
    paused = cast.paused(
        cast.under_review(LICENCE, received=D("2026-03-02"), accepted=D("2026-03-03")),
        on=D("2026-03-05"),
        until=D("2026-04-30"),
    )
    decided = cast.under_review(LICENCE, received=D("2026-03-02"), accepted=D("2026-03-03"))
    workflow.deny(decided.pk, decided.officer, "不符合条件", "可申请行政复议", on=D("2026-03-06"))
    draft = cast.draft(NUMBERS, on=D("2026-03-02"))
    rivals = cast.draft(NUMBERS, on=D("2026-03-02"), who=cast.bob)
    return {
        "green": green,
        "overdue": overdue,
        "asked": asked,
        "paused": paused,
        "decided": decided,
        "draft": draft,
        "rivals": rivals,
    }


def figures_of(page: str) -> dict[str, int]:
    return {label.strip(): int(n) for n, label in re.findall(r'<span class="n">(\d+)</span>([^<]+)</a>', page)}


def test_overdue_cases_and_those_waiting_for_you_come_first(cast: Cast, now) -> None:
    now(D("2026-03-06"))
    cases = portal_cases(cast)
    now(D("2026-03-19"))  # the numbers case is 3 working days past its 2026-03-16
    listed = rows(text(browser(cast.alice).get("/portal/")))
    first_three = "".join(listed[:3])
    assert "overdue by 3 working days" in listed[0]  # the overdue case first of all
    for name in ("overdue", "asked", "decided"):  # overdue; corrections asked; denied, to rate
        assert f"/applications/{cases[name].pk}/" in first_three, name
    assert "You: rate the service" in first_three and 'class="overdue"' in first_three
    # then by fewest working days left: the green case's April date before the paused and the draft
    assert f"/applications/{cases['green'].pk}/" in listed[3]


def test_the_portal_counts_each_state_and_each_count_filters_the_list(cast: Cast, now) -> None:
    now(D("2026-03-06"))
    cases = portal_cases(cast)
    now(D("2026-03-19"))
    alice = browser(cast.alice)
    page = text(alice.get("/portal/"))
    assert figures_of(page) == {
        "waiting for you": 2,  # the corrections asked and the denied case to rate
        "overdue": 1,
        "in progress": 4,  # green, overdue, asked, paused
        "due soon": 0,
        "paused": 1,
        "decided or ended": 1,
        "drafts not submitted": 1,
    }
    expected = {
        "yours": {"asked", "decided"},
        "overdue": {"overdue"},
        "paused": {"paused"},
        "drafts": {"draft"},
        "open": {"green", "overdue", "asked", "paused"},
        "closed": {"decided"},
    }
    for status, names in expected.items():
        assert f'href="?status={status}"' in page
        listed = rows(text(alice.get(f"/portal/?status={status}")))
        found = {name for name, app in cases.items() if any(f"/applications/{app.pk}/" in row for row in listed)}
        assert found == names, status


def test_the_portal_counts_a_rated_case_no_longer_as_waiting(cast: Cast, now) -> None:
    now(D("2026-03-04"))
    decided = cast.under_review(NUMBERS, received=D("2026-03-02"), accepted=D("2026-03-02"))
    workflow.deny(decided.pk, decided.officer, "不符合条件", "可申请行政复议", on=D("2026-03-04"))
    alice = browser(cast.alice)
    before = figures_of(text(alice.get("/portal/")))
    assert before["waiting for you"] == 1 and before["decided or ended"] == 1
    from approvals.workflow.ratings import rate

    rate(decided.pk, cast.alice, 5)
    after = figures_of(text(alice.get("/portal/")))  # the kept page renewed by the rating
    assert after["waiting for you"] == 0 and after["decided or ended"] == 1


def test_another_organisations_cases_are_neither_listed_nor_counted(cast: Cast, now) -> None:
    now(D("2026-03-06"))
    cases = portal_cases(cast)
    now(D("2026-03-19"))
    bob = browser(cast.bob)
    page = text(bob.get("/portal/"))
    assert figures_of(page)["drafts not submitted"] == 1 and figures_of(page)["overdue"] == 0
    for status in ("", "yours", "overdue", "open", "paused", "closed", "drafts"):
        listed = rows(text(bob.get(f"/portal/?status={status}")))
        for name, app in cases.items():
            assert (f"/applications/{app.pk}/" in "".join(listed)) == (name == "rivals" and status in ("", "drafts"))
    alices = text(browser(cast.alice).get("/portal/"))
    assert f"/applications/{cases['rivals'].pk}/" not in alices


def test_the_portal_runs_the_same_number_of_queries_for_5_and_50_cases_in_every_state(cast: Cast, now) -> None:
    now(D("2026-03-06"))
    urls = ["/portal/", "/portal/?status=yours", "/portal/?status=overdue", "/portal/?status=paused&q=2026"]
    portal_cases(cast)  # 6 of alice's, in every state
    now(D("2026-03-19"))
    alice = browser(cast.alice)
    few = [count_queries(alice, url) for url in urls]
    now(D("2026-03-06"))
    for _ in range(8):
        portal_cases(cast)
    now(D("2026-03-19"))
    assert Application.objects.filter(organisation=cast.acme).count() >= 50
    alice = browser(cast.alice)
    many = [count_queries(alice, url) for url in urls]
    assert few == many, (few, many)

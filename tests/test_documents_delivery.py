"""Delivery of documents (issue 14, item 5): the case page lists a case's documents (kind, number,
date, the PDF, an English reading copy) for everyone who may see the case; the PDF and the
reading copy are served after the page's own check; the API lists them (paginated, constant
queries) and serves each PDF; the applicant's notification and email name the document and
link it. Anyone else gets a 404 on every route; anonymous visitors sign in (pages) or get a 401.

The documents here are the test suite's stand-ins (tests/conftest.py quick_documents): numbered,
stored and hashed like the real ones; the one test marked ``documents`` reads a real PDF."""

from __future__ import annotations

import hashlib
import re
import subprocess
from datetime import date
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals import notifications, workflow
from approvals.models import Application, Document, DocumentKind, Notification, private_storage
from tests.api import api, error, ok
from tests.cast import Cast, browser

D = date.fromisoformat
ITEMS = "营业执照副本未加盖公章\n网络与信息安全保障措施缺少应急预案"


def stored(document: Document) -> bytes:
    with private_storage.open(document.file, "rb") as f:
        return f.read()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def corrected(cast: Cast) -> Application:
    """acme's licence: a correction notice (two items), the corrections, then accepted."""
    app = cast.received(on=D("2026-03-02"))
    workflow.request_correction(app.pk, app.officer, ITEMS, on=D("2026-03-03"))
    workflow.resubmit(app.pk, cast.alice, on=D("2026-03-04"))
    return workflow.accept(app.pk, app.officer, on=D("2026-03-05"))


def documents_of(app: Application) -> list[Document]:
    return list(Document.objects.filter(application=app).order_by("issued_on", "pk"))


def extra_document(app: Application, serial: int, *, late: bool = False) -> Document:
    """A document row beside those the workflow issued (for counting queries, and a late one)."""
    return Document.objects.create(
        application=app,
        kind=DocumentKind.EXTENSION,
        number=f"测试〔2026〕第{serial:04d}号",
        year=2026,
        serial=serial,
        code="ABCDEFGH",
        issued_on=D("2026-03-06"),
        issued_at=timezone.now(),
        late=late,
        file="documents/none.pdf",
        sha256="0" * 64,
        size=1,
        signer="test",
    )


# -- the case page ---------------------------------------------------------------------------------


def test_the_case_page_lists_the_documents_for_everyone_who_may_see_the_case(cast: Cast, corrected) -> None:
    notice, acceptance = documents_of(corrected)
    assert (notice.kind, acceptance.kind) == ("correction", "acceptance")
    for who in (cast.alice, cast.olga, cast.mia, cast.root):
        page = browser(who).get(f"/applications/{corrected.pk}/").content.decode()
        table = page[page.index('aria-labelledby="docs-h"') :]
        table = table[: table.index("</section>")]
        assert "<caption" in table and ">Documents</h2>" in table
        for document, label, on in (
            (notice, "Notice to correct the materials", "2026-03-03"),
            (acceptance, "Notice of acceptance", "2026-03-05"),
        ):
            assert label in table and document.number in table and on in table
            assert f'href="/applications/{corrected.pk}/documents/{document.pk}/"' in table
            assert f'href="/applications/{corrected.pk}/documents/{document.pk}/english/"' in table
        assert "issued later" not in table


def test_a_document_issued_later_is_marked(cast: Cast, corrected) -> None:
    late = extra_document(corrected, 1, late=True)
    page = browser(cast.alice).get(f"/applications/{corrected.pk}/").content.decode()
    row = page[page.index(late.number) :]
    row = row[: row.index("</tr>")]
    assert "issued later" in row and "2026-03-06" in row


def test_a_case_without_documents_says_so(cast: Cast) -> None:
    app = cast.received(on=D("2026-03-02"))
    page = browser(cast.alice).get(f"/applications/{app.pk}/").content.decode()
    assert "No documents yet." in page


def page_queries(client, pk: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/applications/{pk}/").status_code == 200
    return len(captured)


def test_the_case_page_costs_the_same_queries_for_2_or_8_documents(cast: Cast, corrected) -> None:
    alice, olga = browser(cast.alice), browser(cast.olga)
    few = page_queries(alice, corrected.pk), page_queries(olga, corrected.pk)
    for serial in range(1, 7):
        extra_document(corrected, serial)
    assert len(documents_of(corrected)) == 8
    assert (page_queries(alice, corrected.pk), page_queries(olga, corrected.pk)) == few


# -- the PDF and its reading copy -----------------------------------------------------------------


def test_the_pdf_is_the_stored_file_shown_inline_with_the_number_as_its_name(cast: Cast, corrected) -> None:
    notice = documents_of(corrected)[0]
    response = browser(cast.alice).get(f"/applications/{corrected.pk}/documents/{notice.pk}/")
    assert response.status_code == 200
    pdf = body(response)
    assert pdf == stored(notice) and hashlib.sha256(pdf).hexdigest() == notice.sha256
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f"inline; filename*=utf-8''{quote(notice.number + '.pdf')}"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


def test_the_reading_copy_is_the_document_in_english_marked_as_such(cast: Cast, corrected) -> None:
    notice = documents_of(corrected)[0]
    response = browser(cast.olga).get(f"/applications/{corrected.pk}/documents/{notice.pk}/english/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; filename*=utf-8''")
    assert response["X-Content-Type-Options"] == "nosniff" and "private" in response["Cache-Control"]
    copy = body(response)
    face = copy.decode()  # the stand-in's PDF carries its HTML
    assert "A translation for reading only." in face
    assert notice.number in face and corrected.tracking_number in face
    for item in ITEMS.splitlines():
        assert item in face
    assert copy != stored(notice)  # typeset anew, not the issued file


@pytest.mark.documents
def test_the_real_reading_copy_is_an_unsigned_english_pdf(cast: Cast) -> None:
    app = cast.received(on=D("2026-03-02"))
    workflow.request_correction(app.pk, app.officer, ITEMS, on=D("2026-03-03"))
    notice = Document.objects.get(application=app)
    response = browser(cast.alice).get(f"/applications/{app.pk}/documents/{notice.pk}/english/")
    pdf = body(response)
    assert pdf.startswith(b"%PDF-") and b"/ByteRange" not in pdf  # no signature
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    text = re.sub(r"\s+", " ", text)
    assert "A translation for reading only." in text
    assert app.tracking_number in text and notice.number in text
    issued = browser(cast.alice).get(f"/applications/{app.pk}/documents/{notice.pk}/")
    assert b"/ByteRange" in body(issued)  # the issued one is signed


def test_a_document_without_its_act_has_no_reading_copy(cast: Cast, corrected) -> None:
    orphan = extra_document(corrected, 1)
    assert browser(cast.alice).get(f"/applications/{corrected.pk}/documents/{orphan.pk}/english/").status_code == 404


def test_a_missing_file_is_a_404(cast: Cast, corrected) -> None:
    orphan = extra_document(corrected, 1)  # its file was never stored
    assert browser(cast.alice).get(f"/applications/{corrected.pk}/documents/{orphan.pk}/").status_code == 404
    assert api(cast.alice).get(f"/api/applications/{corrected.pk}/documents/{orphan.pk}/pdf/").status_code == 404


# -- who may have them -------------------------------------------------------------------------------


def routes(app: Application, document: Document) -> dict[str, str]:
    return {
        "page": f"/applications/{app.pk}/",
        "pdf": f"/applications/{app.pk}/documents/{document.pk}/",
        "english": f"/applications/{app.pk}/documents/{document.pk}/english/",
        "api list": f"/api/applications/{app.pk}/documents/",
        "api pdf": f"/api/applications/{app.pk}/documents/{document.pk}/pdf/",
    }


def test_another_organisation_gets_a_404_on_every_route(cast: Cast, corrected) -> None:
    notice = documents_of(corrected)[0]
    bob = browser(cast.bob)
    bob_api = api(cast.bob)
    for name, path in routes(corrected, notice).items():
        response = (bob_api if name.startswith("api") else bob).get(path)
        assert response.status_code == 404, name
        assert notice.number.encode() not in body(response), name
        assert corrected.tracking_number.encode() not in body(response), name


def test_another_departments_officer_gets_a_404(cast: Cast, corrected) -> None:
    notice = documents_of(corrected)[0]
    for name, path in routes(corrected, notice).items():
        response = (api(cast.fiona) if name.startswith("api") else browser(cast.fiona)).get(path)
        assert response.status_code == 404, name


def test_anonymous_visitors_sign_in_or_get_a_401(cast: Cast, corrected) -> None:
    notice = documents_of(corrected)[0]
    for name, path in routes(corrected, notice).items():
        if name.startswith("api"):
            error(api().get(path), 401)
        else:
            response = browser().get(path)
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next="), name


def test_a_document_of_another_case_is_a_404_under_this_one(cast: Cast, corrected) -> None:
    other = cast.received(on=D("2026-03-02"))
    workflow.accept(other.pk, other.officer, on=D("2026-03-03"))
    theirs = documents_of(other)[0]
    alice = browser(cast.alice)
    for name, path in routes(corrected, theirs).items():
        if name in ("page", "api list"):
            continue
        response = (api(cast.alice) if name.startswith("api") else alice).get(path)
        assert response.status_code == 404, name
    assert alice.get(f"/applications/{other.pk}/documents/{theirs.pk}/").status_code == 200


def test_ids_that_are_not_ids_are_404s(cast: Cast, corrected) -> None:
    alice = api(cast.alice)
    for path in (
        f"/api/applications/{corrected.pk}/documents/{2**70}/pdf/",
        f"/api/applications/{2**70}/documents/",
        f"/api/applications/{corrected.pk}/documents/x/pdf/",
    ):
        error(alice.get(path), 404)
    assert browser(cast.alice).get(f"/applications/{corrected.pk}/documents/{2**70}/").status_code == 404


# -- the API ---------------------------------------------------------------------------------------


def test_the_api_lists_the_documents_with_their_pdfs_address(cast: Cast, corrected) -> None:
    notice, acceptance = documents_of(corrected)
    found = ok(api(cast.alice).get(f"/api/applications/{corrected.pk}/documents/"))
    assert (found["count"], found["count_exact"], found["next"]) == (2, True, None)
    first, second = found["results"]
    assert first == {
        "id": notice.pk,
        "number": notice.number,
        "kind": "correction",
        "kind_display": "Notice to correct the materials",
        "issued_on": "2026-03-03",
        "late": False,
        "sha256": notice.sha256,
        "url": f"http://testserver/api/applications/{corrected.pk}/documents/{notice.pk}/pdf/",
    }
    assert (second["id"], second["kind"], second["issued_on"]) == (acceptance.pk, "acceptance", "2026-03-05")


def test_the_api_serves_the_pdf_with_a_token_or_a_session(cast: Cast, corrected) -> None:
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    notice = documents_of(corrected)[0]
    url = ok(api(cast.olga).get(f"/api/applications/{corrected.pk}/documents/"))["results"][0]["url"]
    path = url.removeprefix("http://testserver")
    by_token = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=cast.alice).key}")
    by_session = browser(cast.alice)
    for client in (by_token, by_session):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline; filename*=utf-8''")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert hashlib.sha256(body(response)).hexdigest() == notice.sha256


def test_the_api_list_is_paginated_and_takes_only_its_pages(cast: Cast, corrected) -> None:
    alice = api(cast.alice)
    path = f"/api/applications/{corrected.pk}/documents/"
    first = ok(alice.get(path, {"page_size": 1}))
    assert first["count"] == 2 and len(first["results"]) == 1
    assert first["next"].endswith(f"{path}?page=2&page_size=1")
    assert ok(alice.get(path, {"page_size": 1, "page": 2}))["results"][0]["kind"] == "acceptance"
    assert "kind" in error(alice.get(path, {"kind": "grant"}), 400)["fields"]
    error(alice.get(path, {"page": ""}), 400)
    error(alice.get(path, {"page": 3, "page_size": 1}), 404)


def api_queries(client, pk: int, rows: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert len(ok(client.get(f"/api/applications/{pk}/documents/"))["results"]) == rows
    return len(captured)


def test_the_api_list_costs_the_same_queries_for_2_or_8_documents(cast: Cast, corrected) -> None:
    alice, olga = api(cast.alice), api(cast.olga)
    few = api_queries(alice, corrected.pk, 2), api_queries(olga, corrected.pk, 2)
    for serial in range(1, 7):
        extra_document(corrected, serial)
    assert (api_queries(alice, corrected.pk, 8), api_queries(olga, corrected.pk, 8)) == few


# -- the applicant is told ---------------------------------------------------------------------------


def test_the_notification_names_the_document_and_links_it(cast: Cast, django_capture_on_commit_callbacks) -> None:
    cast.alice.email = "alice@acme.example.cn"
    cast.alice.save()
    app = cast.received(on=D("2026-03-02"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_correction(app.pk, app.officer, ITEMS, on=D("2026-03-03"))
    notice = Document.objects.get(application=app)
    told = Notification.objects.get(recipient=cast.alice, kind="request_correction")
    assert told.data["document"] == {
        "kind": "correction",
        "number": notice.number,
        "sha256": notice.sha256,
        "id": notice.pk,
    }
    assert told.event.data["document"] == {"kind": "correction", "number": notice.number, "sha256": notice.sha256}
    from django.utils import translation

    with translation.override("en"):
        assert notifications.text(told) == (
            f"{app.tracking_number} Correction notice sent: Notice to correct the materials {notice.number}"
        )

    # In the app: the notifications page links the PDF.
    page = browser(cast.alice).get("/notifications/").content.decode()
    assert f'href="/applications/{app.pk}/documents/{notice.pk}/"' in page
    assert notice.number in page
    found = ok(api(cast.alice).get("/api/notifications/"))["results"][0]
    assert notice.number in found["text"] and found["data"]["document"]["id"] == notice.pk

    # By email: the absolute address, from SITE_URL.
    (message,) = [m for m in mail.outbox if m.to == ["alice@acme.example.cn"]]
    address = f"{settings.SITE_URL}/applications/{app.pk}/documents/{notice.pk}/"
    assert notice.number in message.subject
    assert address in message.body and notice.number in message.body
    html = message.alternatives[0][0]
    assert f'href="{address}"' in html


def test_an_act_without_a_document_is_told_as_before(cast: Cast) -> None:
    app = cast.received(on=D("2026-03-02"))
    told = Notification.objects.get(recipient=cast.olga, kind="submit")
    assert "document" not in told.data
    assert notifications.document_url(told) == ""
    assert notifications.text(told).startswith(app.tracking_number)


def test_the_api_pdf_answers_a_client_that_asks_for_a_pdf(cast: Cast, corrected) -> None:
    notice = documents_of(corrected)[0]
    alice = api(cast.alice)
    path = f"/api/applications/{corrected.pk}/documents/{notice.pk}/pdf/"
    response = alice.get(path, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    error(api(cast.bob).get(path, HTTP_ACCEPT="application/pdf"), 404)  # the error in JSON still

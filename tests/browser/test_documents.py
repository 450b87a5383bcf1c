"""A correction notice from the officer's click to the applicant's PDF, in a real browser, with
real documents (typeset by WeasyPrint and signed: marked ``documents``).

olga sends a correction notice through the case page's form; the case page lists the notice.
alice signs in, opens the application from her portal, finds the notice in its documents and
opens it; the PDF it answers with (fetched with her session) reads, under pdftotext, the
tracking number, the document number and every item. The English reading copy opens too.
Pages are read in English (the language cookie). Screenshots: artifacts/screenshots/
documents-olga-*.png and documents-alice-*.png (the documents list on its own: *-list.png).
"""

from __future__ import annotations

import re
import subprocess

import pytest
from playwright.sync_api import expect

from approvals import workflow
from approvals.models import Document, State
from tests.browser.conftest import SHOTS
from tests.cast import Cast

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.documents]

ITEMS = [
    "营业执照复印件未加盖公章。",
    "网络与信息安全保障措施缺少应急预案。",
    "股权结构说明未列明实际控制人。",
]


@pytest.fixture(autouse=True)
def _one_day(now) -> None:
    now(workflow.today())  # every act of the test is dated the day it starts


def flat(text: str) -> str:
    """Without line breaks and spacing (a wrapped line splits a phrase)."""
    return re.sub(r"\s+", "", text)


def text_of(pdf: bytes) -> str:
    """The PDF's text as pdftotext reads it, flat."""
    return flat(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode())


def shot_of_list(person, page) -> str:
    """The documents list on its own (and the whole page, by the visitor's shot)."""
    path = SHOTS / f"{person.name}-list.png"
    page.locator("section[aria-labelledby=docs-h]").screenshot(path=str(path))
    return str(path)


def test_the_officers_correction_notice_reaches_the_applicant_as_a_pdf(committed_cast: Cast, visitor) -> None:
    app = committed_cast.received(on=workflow.today())
    assert app.officer == committed_cast.olga

    # olga sends the notice through the case page's form.
    olga = visitor("documents-olga", language="en")
    olga.sign_in("olga", "pw-olga")
    page = olga.go(f"/applications/{app.pk}/")
    expect(page.locator("section[aria-labelledby=docs-h]")).to_contain_text("No documents yet.")
    form = page.locator(f"form[action='/applications/{app.pk}/do/request_correction/']")
    page.locator("details.action").filter(has=form).locator("summary").click()
    form.locator("#id_request_correction-items").fill("\n".join(ITEMS))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("ul.messages li.success")).to_contain_text("Done: send a correction notice.")
    app.refresh_from_db()
    assert app.state == State.CORRECTION
    notice = Document.objects.get(application=app)
    assert notice.kind == "correction"

    documents = page.locator("section[aria-labelledby=docs-h]")
    expect(documents.locator("caption")).to_have_count(1)
    row = documents.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Notice to correct the materials")
    expect(row).to_contain_text(notice.number)
    expect(row).to_contain_text(notice.issued_on.isoformat())
    olga.shot("case")
    shot_of_list(olga, page)

    # alice opens it from her portal.
    alice = visitor("documents-alice", language="en")
    alice.sign_in("alice", "pw-alice")
    page = alice.go("/portal/")
    page.locator(f"table.portal a[href='/applications/{app.pk}/']").first.click()
    page.wait_for_url(f"**/applications/{app.pk}/")
    documents = page.locator("section[aria-labelledby=docs-h]")
    row = documents.locator("tbody tr", has_text=notice.number)
    expect(row).to_contain_text("Notice to correct the materials")
    alice.shot("case")
    shot_of_list(alice, page)

    link = row.locator("a.document-pdf")
    href = link.get_attribute("href")
    assert href == f"/applications/{app.pk}/documents/{notice.pk}/"
    response = page.request.get(alice.base + href)  # with her session's cookies
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline; filename*=utf-8''")
    pdf = response.body()
    assert pdf.startswith(b"%PDF-") and b"/ByteRange" in pdf  # signed
    text = text_of(pdf)
    assert app.tracking_number in text
    assert notice.number in text
    for item in ITEMS:
        assert flat(item) in text, item
    (SHOTS / "documents-alice-notice.pdf").write_bytes(pdf)

    english = page.request.get(alice.base + row.locator("a.document-english").get_attribute("href"))
    assert english.status == 200 and english.headers["content-type"] == "application/pdf"
    reading = text_of(english.body())
    assert flat("A translation for reading only.") in reading and notice.number in reading

    # Someone else's session gets nothing.
    bob = visitor("documents-bob", language="en")
    bob.sign_in("bob", "pw-bob")
    assert bob.page.request.get(bob.base + href).status == 404

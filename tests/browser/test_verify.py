"""Verification (验真) in a real browser, with a real document (typeset and signed: ``documents``).

A visitor without an account opens the QR code's address of a correction notice and reads the
answer; then uploads the issued PDF through the page's file field, and a copy with one byte
changed. The answers are announced (role=status) and keyboard-reachable; a form error is shown
with its field. Pages in English (the language cookie). Screenshots: artifacts/screenshots/
verify-*.png (the match, the upload of the issued file, the changed file, the error).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from playwright.sync_api import expect

from approvals import workflow
from approvals.documents.render import verification_url
from approvals.models import Document, private_storage
from tests.cast import Cast

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.documents]


@pytest.fixture(autouse=True)
def _one_day(now) -> None:
    now(workflow.today())


def test_a_visitor_verifies_a_notice_by_its_qr_code_and_by_its_pdf(committed_cast: Cast, visitor, tmp_path) -> None:
    app = committed_cast.received(on=workflow.today())

    # Signed off the test's thread: Playwright's sync API runs an event loop on it, and pyHanko's
    # synchronous signing calls asyncio.run() (the live server's thread signs olga's clicks).
    def correct() -> None:
        try:
            workflow.request_correction(app.pk, app.officer, "营业执照副本\n公司章程", on=workflow.today())
        finally:
            connection.close()  # the thread's own connection (PostgreSQL would keep it open)

    with ThreadPoolExecutor(1) as elsewhere:
        elsewhere.submit(correct).result()
    document = Document.objects.get(application=app)
    with private_storage.open(document.file, "rb") as f:
        issued = f.read()
    issued_path = tmp_path / "notice.pdf"
    issued_path.write_bytes(issued)
    changed = bytearray(issued)
    changed[len(changed) // 2] ^= 0x01
    changed_path = tmp_path / "notice-changed.pdf"
    changed_path.write_bytes(bytes(changed))

    anyone = visitor("verify", language="en")
    # The QR code's address, on the live server (SITE_URL is the deployment's).
    query = verification_url(document).split("?", 1)[1]
    page = anyone.go(f"/verify/?{query}")
    answer = page.locator("section[aria-labelledby=found]")
    expect(answer).to_have_attribute("role", "status")
    expect(answer).to_contain_text("This document was issued by this office")
    expect(answer).to_contain_text(document.number)
    expect(answer).to_contain_text(document.sha256)
    expect(answer).to_contain_text("Awaiting corrections")
    expect(answer).to_contain_text("A test signature")
    expect(answer).to_be_focused()
    assert app.tracking_number not in page.content() and "营业执照副本" not in page.content()
    anyone.shot("match")

    # The issued PDF, chosen in the file field by its label.
    page = anyone.go("/verify/")
    page.get_by_label("The document's PDF").set_input_files(str(issued_path))
    with page.expect_navigation():
        page.get_by_role("button", name="Check the file").click()
    checked = page.locator("section[aria-labelledby=checked]")
    expect(checked).to_contain_text("The file is exactly a document this office issued")
    expect(checked).to_contain_text(document.number)
    expect(checked).to_contain_text("Valid: intact, and made with this office's certificate")
    expect(checked).to_be_focused()  # the answer is where the keyboard and the screen reader land
    anyone.shot("upload-issued")

    # One byte changed: not the issued one, and its signature is not valid.
    page.get_by_label("The document's PDF").set_input_files(str(changed_path))
    with page.expect_navigation():
        page.get_by_role("button", name="Check the file").click()
    checked = page.locator("section[aria-labelledby=checked]")
    expect(checked).to_contain_text("The file is not a document this office issued")
    expect(checked).to_contain_text("Not valid")
    anyone.shot("upload-changed")

    # A file that is not a PDF: the error with its field.
    not_pdf = tmp_path / "photo.pdf"
    not_pdf.write_bytes(b"GIF89a not a pdf")
    page.get_by_label("The document's PDF").set_input_files(str(not_pdf))
    with page.expect_navigation():
        page.get_by_role("button", name="Check the file").click()
    summary = page.locator("#errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("This file is not a PDF")
    expect(page.locator("section[aria-labelledby=by-file] .errorlist")).to_contain_text("This file is not a PDF")
    expect(page.get_by_label("The document's PDF")).to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link").click()  # the summary's link takes the keyboard to the field
    expect(page.get_by_label("The document's PDF")).to_be_focused()
    anyone.shot("upload-not-pdf")

    # A wrong code: the answer an unknown number gets, with the summary pointing at the number.
    page = anyone.go("/verify/")
    page.get_by_label("Document number").fill(document.number)
    page.get_by_label("Verification code").fill("ZZZZ-ZZZZ")
    with page.expect_navigation():
        page.get_by_role("button", name="Verify").click()
    summary = page.locator("#errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("No document matches this number and verification code.")
    expect(page.locator("section[aria-labelledby=found]")).to_have_count(0)
    anyone.shot("wrong-code")

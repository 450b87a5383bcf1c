"""Verification (验真): the page /verify/ and POST /api/verify/, by number and code or by the PDF.

The real document verifies; one changed byte does not; a wrong code gets the answer an unknown
number gets; the signature validates with pyHanko's own validator; failures are throttled."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from rest_framework.test import APIClient

from approvals import workflow
from approvals.models import Document, private_storage
from tests.cast import Cast

pytestmark = pytest.mark.documents  # real, signed PDFs


def visitor(address: str = "198.51.100.7") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def anyone(address: str = "198.51.100.8") -> APIClient:
    return APIClient(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def issued(cast: Cast) -> tuple[Document, bytes]:
    app = cast.received(on=date(2026, 3, 2))
    workflow.request_correction(app.pk, app.officer, "营业执照副本\n公司章程", on=date(2026, 3, 3))
    document = Document.objects.get()
    with private_storage.open(document.file, "rb") as f:
        return document, f.read()


def changed(data: bytes) -> bytes:
    copy = bytearray(data)
    copy[len(copy) // 2] ^= 0x01
    return bytes(copy)


def upload(data: bytes, name: str = "notice.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "application/pdf")


# -- by number and code ------------------------------------------------------------------------


def test_the_page_verifies_a_document_by_number_and_code(issued) -> None:
    document, _data = issued
    page = visitor().post("/verify/", {"by": "code", "number": document.number, "code": document.shown_code})
    text = page.content.decode()
    assert page.status_code == 200
    for shown in ("This document was issued by this office", "安徽省通信管理局", document.number, document.sha256):
        assert shown in text
    assert "Notice to correct the materials" in text and "Awaiting corrections" in text  # kind; case's status
    assert "test signature" in text
    # Nothing the document does not print: no reasons, no contact, no tracking number.
    assert "营业执照副本" not in text and document.application.tracking_number not in text


def test_the_qr_code_s_address_opens_the_answer_and_takes_the_code_in_any_form(issued) -> None:
    document, _data = issued
    for code in (document.shown_code, document.code.lower(), f" {document.code[:4]} {document.code[4:]} "):
        page = visitor().get("/verify/", {"number": document.number, "code": code})
        assert page.status_code == 200, code
        assert document.sha256 in page.content.decode()


def test_a_wrong_code_gets_exactly_the_answer_of_an_unknown_number(issued) -> None:
    document, _data = issued
    wrong = visitor().post("/verify/", {"by": "code", "number": document.number, "code": "ZZZZ-ZZZZ"})
    unknown = visitor().post("/verify/", {"by": "code", "number": document.number + "X", "code": document.code})
    assert wrong.status_code == unknown.status_code == 404

    def answer(response) -> str:  # the page without the echo of what was typed
        return response.content.decode().replace(document.number + "X", "N").replace(document.number, "N")

    strip = ("ZZZZ-ZZZZ", document.code)
    first, second = answer(wrong), answer(unknown)
    for typed in strip:
        first, second = first.replace(typed, "C"), second.replace(typed, "C")

    def main(page: str) -> str:  # the page's content, without the per-request CSRF tokens
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page.split("<main")[1].split("</main>")[0])

    assert main(first) == main(second)
    assert "No document matches this number and verification code." in answer(wrong)
    api_wrong = anyone().post("/api/verify/", {"number": document.number, "code": "ZZZZZZZZ"}, format="json")
    api_unknown = anyone().post(
        "/api/verify/", {"number": "皖通管许补〔2026〕第9999号", "code": document.code}, format="json"
    )
    assert api_wrong.status_code == api_unknown.status_code == 404
    assert api_wrong.json() == api_unknown.json()


def test_the_api_answers_the_document_s_public_facts(issued) -> None:
    document, _data = issued
    answer = anyone().post("/api/verify/", {"number": document.number, "code": document.shown_code}, format="json")
    assert answer.status_code == 200
    assert answer.json() == {
        "issuer": "安徽省通信管理局",
        "kind": "correction",
        "kind_display": "Notice to correct the materials",
        "number": document.number,
        "issued_on": "2026-03-03",
        "late": False,
        "status": "correction",
        "status_display": "Awaiting corrections",
        "sha256": document.sha256,
        "test_signature": True,
    }


@pytest.mark.parametrize(
    "body",
    [{}, {"number": "x"}, {"code": "ABCD1234"}, {"number": "", "code": ""}, {"number": ["x"], "code": 1}, []],
)
def test_the_api_refuses_a_body_without_number_and_code_with_a_400(db, body) -> None:
    answer = anyone().post("/api/verify/", body, format="json")
    assert answer.status_code == 400
    assert answer.json()["error"]["status"] == 400


# -- by the PDF --------------------------------------------------------------------------------


def test_the_issued_pdf_uploaded_is_recognised_and_its_signature_is_valid(issued) -> None:
    document, data = issued
    page = visitor().post("/verify/", {"by": "file", "pdf": upload(data)})
    text = page.content.decode()
    assert page.status_code == 200
    assert "The file is exactly a document this office issued" in text
    assert document.number in text
    assert "Valid: intact, and made with this office" in text
    answer = anyone().post("/api/verify/", {"file": upload(data)}, format="multipart")
    assert answer.status_code == 200
    body = answer.json()
    assert body["issued"] is True and body["document"]["number"] == document.number
    assert body["signature"] == {"signed": True, "intact": True, "trusted": True, "valid": True}


def test_one_changed_byte_is_not_the_issued_document_and_breaks_the_signature(issued) -> None:
    _document, data = issued
    page = visitor().post("/verify/", {"by": "file", "pdf": upload(changed(data))})
    text = page.content.decode()
    assert "The file is not a document this office issued" in text
    assert "Not valid" in text
    body = anyone().post("/api/verify/", {"file": upload(changed(data))}, format="multipart").json()
    assert body["issued"] is False and body["document"] is None
    assert body["signature"]["valid"] is False


def test_a_pdf_signed_by_another_certificate_is_not_trusted(issued, tmp_path, settings) -> None:
    from approvals.documents import signing

    _document, data = issued
    # The same file judged against another administration's certificate: intact, but not ours.
    signing.generate_development_pair(tmp_path / "k.pem", tmp_path / "c.pem", "另一个机关")
    settings.DOCUMENT_SIGNING_KEY, settings.DOCUMENT_SIGNING_CERT = str(tmp_path / "k.pem"), str(tmp_path / "c.pem")
    result = signing.validate(data)
    assert (result.signed, result.intact, result.trusted, result.valid) == (True, True, False, False)


def test_the_signature_validates_with_pyhanko_s_own_validator(issued, signing_pair) -> None:
    _document, data = issued
    _key, cert = signing_pair
    signature = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    status = validate_pdf_signature(
        signature, ValidationContext(trust_roots=[load_cert_from_pemder(str(cert))], allow_fetching=False)
    )
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert signature.field_name == "Signature"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a not a pdf", "This file is not a PDF"),
        (b"%PDF-" + b"0" * (5 * 1024 * 1024), "an issued document is at most"),
    ],
)
def test_a_file_that_cannot_be_a_document_gets_a_clear_error(db, content, message) -> None:
    page = visitor().post("/verify/", {"by": "file", "pdf": upload(content)})
    assert page.status_code == 400
    assert message in page.content.decode()
    answer = anyone().post("/api/verify/", {"file": upload(content)}, format="multipart")
    assert answer.status_code == 400
    assert message in answer.json()["error"]["fields"]["file"][0]


def test_the_upload_form_without_a_file_says_so(db) -> None:
    page = visitor().post("/verify/", {"by": "file"})
    assert page.status_code == 400
    assert "This field is required." in page.content.decode()


def test_the_upload_is_not_kept(issued, settings) -> None:
    _document, data = issued
    before = sorted(p.name for p in settings.PRIVATE_MEDIA_ROOT.rglob("*") if p.is_file())
    visitor().post("/verify/", {"by": "file", "pdf": upload(changed(data))})
    assert sorted(p.name for p in settings.PRIVATE_MEDIA_ROOT.rglob("*") if p.is_file()) == before


# -- throttled ---------------------------------------------------------------------------------


def test_wrong_codes_are_throttled_per_address_and_a_right_one_is_not_counted(issued, settings) -> None:
    document, _data = issued
    settings.VERIFY_MAX_FAILURES = 3
    client = visitor("203.0.113.9")
    for _ in range(5):  # right answers give their attempt back
        assert (
            client.post("/verify/", {"by": "code", "number": document.number, "code": document.code}).status_code == 200
        )
    for _ in range(3):
        assert client.post("/verify/", {"by": "code", "number": "N", "code": "WRONG123"}).status_code == 404
    refused = client.post("/verify/", {"by": "code", "number": document.number, "code": document.code})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many unsuccessful checks" in refused.content.decode()
    api = anyone("203.0.113.9")
    answer = api.post("/api/verify/", {"number": document.number, "code": document.code}, format="json")
    assert answer.status_code == 429 and int(answer["Retry-After"]) > 0
    # Another address is not held up by this one.
    assert (
        visitor("203.0.113.10")
        .post("/verify/", {"by": "code", "number": document.number, "code": document.code})
        .status_code
        == 200
    )


def test_wrong_codes_for_a_number_from_elsewhere_do_not_block_its_holder(issued, settings) -> None:
    """Numbers follow each other: were they counted, anyone could keep a document unverifiable."""
    document, _data = issued
    settings.VERIFY_MAX_FAILURES = 2
    for i in range(6):
        visitor(f"192.0.2.{i}").post("/verify/", {"by": "code", "number": document.number, "code": "WRONG123"})
    holder = visitor("192.0.2.99").post("/verify/", {"by": "code", "number": document.number, "code": document.code})
    assert holder.status_code == 200


def test_a_body_larger_than_any_document_is_refused_unread(db) -> None:
    big = {"CONTENT_LENGTH": str(50 * 1024 * 1024), "CONTENT_TYPE": "multipart/form-data; boundary=x"}
    page = visitor().generic("POST", "/verify/", b"", **big)
    assert page.status_code == 413
    assert "larger than any document" in page.content.decode()
    answer = anyone().generic("POST", "/api/verify/", b"", **big)
    assert answer.status_code == 413
    assert answer.json()["error"]["status"] == 413


def test_bytes_added_after_the_signature_read_as_a_change_after_signing(issued) -> None:
    _document, data = issued
    page = visitor().post("/verify/", {"by": "file", "pdf": upload(data + b"\n% appended\n")})
    text = page.content.decode()
    assert "The file is not a document this office issued" in text
    assert "Not valid: the file was changed after it was signed" in text


def test_the_api_s_schema_describes_the_endpoint(db) -> None:
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/verify/"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert {"200", "400", "404", "429"} <= set(operation["responses"])
    assert operation.get("security") in (None, [], [{}])


def test_an_upload_never_reaches_the_disk_and_a_big_one_is_read_no_further_than_the_limit(db, monkeypatch) -> None:
    from django.core.files import uploadedfile

    from approvals.documents import verify as checks

    def no_temporary_file(*args, **kwargs):
        raise AssertionError("an upload written to a temporary file")

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", no_temporary_file)
    kept: list[int] = []
    original = checks.InMemoryUpload.file_complete

    def measured(self, file_size):
        kept.append(self.buffer.getbuffer().nbytes)
        return original(self, file_size)

    monkeypatch.setattr(checks.InMemoryUpload, "file_complete", measured)
    # Over Django's 2.5 MB in memory and over the limit, but within the body a form may declare
    # (a larger one is refused by its length, unread: test_a_body_larger_than_any_document_…).
    big = b"%PDF-" + b"0" * (checks.MAX_PDF_BYTES + 32 * 1024)
    page = visitor().post("/verify/", {"by": "file", "pdf": upload(big)})
    assert page.status_code == 400 and "an issued document is at most" in page.content.decode()
    answer = anyone().post("/api/verify/", {"file": upload(big)}, format="multipart")
    assert answer.status_code == 400 and "an issued document is at most" in answer.json()["error"]["fields"]["file"][0]
    assert kept == [checks.MAX_PDF_BYTES + 1] * 2


def test_the_page_still_asks_for_its_csrf_token(issued) -> None:
    document, data = issued
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.20")
    assert client.post("/verify/", {"by": "code", "number": document.number, "code": document.code}).status_code == 403
    assert client.post("/verify/", {"by": "file", "pdf": upload(data)}).status_code == 403
    # The QR code's address is a GET: no token needed.
    assert client.get("/verify/", {"number": document.number, "code": document.code}).status_code == 200

"""approvals/uploads.py: an uploaded file's type is told by its first bytes, its size is bounded,
and each refusal says what is wrong with which file; the API and the pages pass the reason on."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from approvals import workflow
from approvals.models import Material, Procedure
from approvals.uploads import UploadRejected, check
from tests.api import api, error, ok
from tests.cast import PDF, Cast

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
OFD = b"PK\x03\x04" + b"\x00" * 40  # OFD is a ZIP container


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")  # the browser's guess is ignored


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("申请书.pdf", PDF, "application/pdf"),
        ("SCAN.PDF", PDF, "application/pdf"),
        ("营业执照.jpg", JPEG, "image/jpeg"),
        ("营业执照.jpeg", JPEG, "image/jpeg"),
        ("网络拓扑.png", PNG, "image/png"),
        ("电子证照.ofd", OFD, "application/ofd"),
    ],
)
def test_each_accepted_type_passes_with_its_content_type(name: str, content: bytes, content_type: str) -> None:
    checked = check(upload(name, content))
    assert (checked.name, checked.content_type, checked.size) == (name, content_type, len(content))
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.pdf", PNG, "“scan.pdf” does not contain what its name says (.pdf): it may be damaged or renamed."),
        ("photo.png", JPEG, "“photo.png” does not contain what its name says (.png)"),
        (
            "report.docx",
            b"PK\x03\x04" + b"\x00" * 40,
            "“report.docx” is not an accepted type: use PDF, JPEG, PNG or OFD",
        ),
        ("setup.exe", b"MZ\x90\x00", "“setup.exe” is not an accepted type"),
        ("no-extension", PDF, "“no-extension” is not an accepted type"),
        ("page.html.pdf", b"<html><script>alert(1)</script>", "“page.html.pdf” does not contain what its name says"),
        ("empty.pdf", b"", "“empty.pdf” is empty."),
        ("x" * 147 + ".pdf", PDF, "The file name is longer than 150 characters: rename the file."),
    ],
)
def test_a_bad_file_is_refused_with_its_name_and_the_reason(name: str, content: bytes, message: str) -> None:
    with pytest.raises(UploadRejected) as refused:
        check(upload(name, content))
    assert message in str(refused.value)


def test_a_path_in_the_name_is_dropped() -> None:
    assert check(upload("../../etc/申请书.pdf", PDF)).name == "申请书.pdf"


def test_the_size_limit_is_inclusive_and_says_both_sizes(settings) -> None:
    settings.UPLOAD_MAX_BYTES = 2048
    assert check(upload("max.pdf", PDF + b"0" * (2048 - len(PDF)))).size == 2048
    with pytest.raises(UploadRejected) as refused:
        check(upload("big.pdf", PDF + b"0" * (2049 - len(PDF))))
    assert str(refused.value) == "“big.pdf” is 2.0\xa0KB; files may be at most 2.0\xa0KB."


def test_the_limit_comes_from_upload_max_mb(settings) -> None:
    assert settings.UPLOAD_MAX_BYTES == 20 * 1024 * 1024


def test_the_api_passes_the_reason_on_for_the_file_field(cast: Cast, settings, now) -> None:
    now(date(2026, 3, 2))
    settings.UPLOAD_MAX_BYTES = 1024
    draft = workflow.create_application(cast.alice, Procedure.TELECOM_LICENCE, "呼叫中心业务", on=date(2026, 3, 2))
    alice = api(cast.alice)
    url = f"/api/applications/{draft.pk}/materials/"
    big = error(alice.post(url, {"file": upload("big.pdf", PDF + b"0" * 2000)}, format="multipart"), 400)
    assert big["fields"] == {"file": ["“big.pdf” is 2.0\xa0KB; files may be at most 1.0\xa0KB."]}
    renamed = error(alice.post(url, {"file": upload("photo.pdf", PNG)}, format="multipart"), 400)
    assert "“photo.pdf” does not contain what its name says" in renamed["fields"]["file"][0]
    assert not Material.objects.exists()
    ok(alice.post(url, {"file": upload("申请书.pdf", PDF)}, format="multipart"), 201)

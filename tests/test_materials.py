"""Uploaded materials: checked on the way in, stored outside the web root, nothing kept on refusal."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from approvals import workflow
from approvals.models import AuditEvent, Material, Procedure, private_storage
from tests.cast import PDF, Cast, pdf

D = date.fromisoformat
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def stored_files() -> list[Path]:
    root = Path(private_storage.location)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def draft(cast: Cast):
    return workflow.create_application(cast.alice, Procedure.TELECOM_LICENCE, "信息服务业务", on=D("2026-03-02"))


def test_an_accepted_file_is_stored_privately_with_its_checksum(cast: Cast) -> None:
    app = draft(cast)
    material = workflow.add_material(app.pk, cast.alice, pdf("申请书.pdf"), description="申请书", on=D("2026-03-02"))
    assert (material.name, material.content_type, material.size) == ("申请书.pdf", "application/pdf", len(PDF))
    assert len(material.sha256) == 64
    path = Path(material.file.path)
    assert path.read_bytes() == PDF
    assert not str(path).startswith(str(django_settings.STATIC_ROOT))
    with pytest.raises(ValueError):
        material.file.url  # noqa: B018  (no public URL: files are served only through a permission check)
    assert AuditEvent.objects.filter(application=app, action="material_added").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.pdf", PNG, "does not contain what its name says"),
        ("virus.exe", b"MZ\x90\x00", "is not an accepted type"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_a_refused_file_leaves_nothing_behind(cast: Cast, name: str, content: bytes, message: str) -> None:
    app = draft(cast)
    events = AuditEvent.objects.count()
    with pytest.raises(workflow.ActionInvalid) as error:
        workflow.add_material(app.pk, cast.alice, SimpleUploadedFile(name, content), on=D("2026-03-02"))
    assert message in str(error.value) and error.value.field == "file"
    assert not Material.objects.exists() and not stored_files()
    assert AuditEvent.objects.count() == events


def test_files_over_the_limit_are_refused_with_the_limit(cast: Cast, settings) -> None:
    settings.UPLOAD_MAX_BYTES = 1024
    app = draft(cast)
    with pytest.raises(workflow.ActionInvalid, match=r"at most 1.0\sKB"):
        workflow.add_material(app.pk, cast.alice, SimpleUploadedFile("big.pdf", PDF + b"0" * 2000), on=D("2026-03-02"))


def test_only_the_applicant_adds_materials_and_only_before_review(cast: Cast) -> None:
    app = draft(cast)
    with pytest.raises(workflow.NotFound):
        workflow.add_material(app.pk, cast.bob, pdf(), on=D("2026-03-02"))
    workflow.add_material(app.pk, cast.alice, pdf(), on=D("2026-03-02"))
    workflow.submit(app.pk, cast.alice, on=D("2026-03-02"))
    with pytest.raises(workflow.ActionDenied):
        workflow.add_material(app.pk, cast.olga, pdf(), on=D("2026-03-03"))
    with pytest.raises(workflow.ActionInvalid):
        workflow.add_material(app.pk, cast.alice, pdf(), on=D("2026-03-03"))
    workflow.request_correction(app.pk, cast.olga, "补充营业执照", on=D("2026-03-03"))
    workflow.add_material(app.pk, cast.alice, pdf("营业执照.pdf"), on=D("2026-03-04"))
    assert Material.objects.filter(application=app).count() == 2


def test_an_application_cannot_be_submitted_without_materials(cast: Cast) -> None:
    app = draft(cast)
    with pytest.raises(workflow.ActionInvalid, match="materials"):
        workflow.submit(app.pk, cast.alice, on=D("2026-03-02"))


def test_a_draft_file_can_be_removed_and_is_deleted(cast: Cast, django_capture_on_commit_callbacks) -> None:
    app = draft(cast)
    material = workflow.add_material(app.pk, cast.alice, pdf("wrong.pdf"), on=D("2026-03-02"))
    path = Path(material.file.path)
    with pytest.raises(workflow.NotFound):
        workflow.remove_material(app.pk, cast.bob, material.pk)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.remove_material(app.pk, cast.alice, material.pk)
    assert not Material.objects.exists() and not path.exists()
    assert AuditEvent.objects.filter(application=app, action="material_removed", note="wrong.pdf").exists()


def test_a_filing_draft_can_move_to_another_provider(cast: Cast) -> None:
    from approvals.models import Organisation, OrganisationKind

    other = Organisation.objects.create(
        name="中国移动安徽公司", credit_code="91340000MA2N0DDD42", kind=OrganisationKind.ACCESS_PROVIDER
    )
    app = workflow.create_application(
        cast.alice, Procedure.WEBSITE_FILING, "企业官网", provider_id=cast.telecom.pk, on=D("2026-03-02")
    )
    app = workflow.update_draft(app.pk, cast.alice, subject="企业官网", provider_id=other.pk)
    assert app.provider_id == other.pk
    with pytest.raises(workflow.ActionInvalid):
        workflow.update_draft(app.pk, cast.alice, subject="企业官网", provider_id=cast.acme.pk)

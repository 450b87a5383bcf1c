"""Documents issued by the workflow: in the act's transaction, numbered without gaps, hashed into
the audit chain, checked by verify_audit, back-filled for acts recorded before (issue_documents).

The faces of each kind: tests/test_document_kinds.py; delivery: test_documents_delivery.py;
verification: test_verify.py; twenty acts at once on PostgreSQL: test_concurrency.py."""

from __future__ import annotations

import hashlib
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from approvals import workflow
from approvals.audit import verify_chain, verify_documents
from approvals.documents import issue, numbers, render, signing
from approvals.models import (
    Application,
    AuditEvent,
    Document,
    DocumentCounter,
    Procedure,
    State,
    private_storage,
)
from tests.cast import Cast

RECEIVED = date(2026, 3, 2)
ACTED = date(2026, 3, 3)


def stored(document: Document) -> bytes:
    with private_storage.open(document.file, "rb") as f:
        return f.read()


def stored_files() -> list[str]:
    try:
        years, _files = private_storage.listdir("documents")
    except FileNotFoundError:
        return []
    return [name for year in years for name in private_storage.listdir(f"documents/{year}")[1]]


# -- issued with the act ---------------------------------------------------------------------


def test_each_act_that_owes_a_document_issues_one_numbered_in_its_kinds_sequence(cast: Cast) -> None:
    first = cast.received(on=RECEIVED)
    second = cast.received(on=RECEIVED)
    workflow.accept(first.pk, first.officer, on=ACTED)
    workflow.request_correction(second.pk, second.officer, "营业执照副本", on=ACTED)
    workflow.resubmit(second.pk, cast.alice, on=ACTED)
    workflow.accept(second.pk, second.officer, on=ACTED)

    numbers_ = list(Document.objects.order_by("pk").values_list("kind", "serial", "number"))
    assert numbers_ == [
        ("acceptance", 1, "皖通管许受〔2026〕第0001号"),
        ("correction", 1, "皖通管许补〔2026〕第0001号"),
        ("acceptance", 2, "皖通管许受〔2026〕第0002号"),
    ]
    # Submitting and resubmitting are not written acts of the office: no document.
    assert not Document.objects.filter(event__action__in=["submit", "resubmit"]).exists()


def test_the_number_follows_the_administrations_format(cast: Cast, settings) -> None:
    settings.DOCUMENT_NUMBER_FORMAT = "京通管{code}字〔{year}〕{serial:03d}号"
    settings.DOCUMENT_KIND_CODES = {**settings.DOCUMENT_KIND_CODES, "acceptance": "受理"}
    app = cast.received(on=RECEIVED)
    workflow.accept(app.pk, app.officer, on=ACTED)
    assert Document.objects.get().number == "京通管受理字〔2026〕001号"
    assert numbers.formatted("grant", 2027, 12) == "京通管准字〔2027〕012号"


def test_the_sequence_starts_again_each_year(cast: Cast) -> None:
    app = cast.received(on=date(2025, 12, 29))
    workflow.accept(app.pk, app.officer, on=date(2025, 12, 30))
    later = cast.received(on=date(2026, 1, 5))
    workflow.accept(later.pk, later.officer, on=date(2026, 1, 6))
    assert sorted(Document.objects.values_list("year", "serial")) == [(2025, 1), (2026, 1)]


def test_the_act_s_audit_event_holds_the_document_s_hash_and_the_file_has_it(cast: Cast) -> None:
    app = cast.received(on=RECEIVED)
    workflow.request_correction(app.pk, app.officer, "营业执照副本\n公司章程", on=ACTED)
    document = Document.objects.get()
    event = AuditEvent.objects.get(application=app, action="request_correction")
    assert document.event == event == document.recorded_in
    assert event.data["document"] == {"kind": "correction", "number": document.number, "sha256": document.sha256}
    assert hashlib.sha256(stored(document)).hexdigest() == document.sha256
    assert document.size == len(stored(document))
    assert verify_chain().ok
    assert verify_documents().ok


def test_the_correction_notice_names_the_day_the_corrections_are_due(cast: Cast, settings) -> None:
    settings.CORRECTION_REPLY_WORKING_DAYS = 5
    app = cast.received(on=RECEIVED)
    workflow.request_correction(app.pk, app.officer, "营业执照副本", on=ACTED)
    event = AuditEvent.objects.get(application=app, action="request_correction")
    assert event.data["reply_by"] == "2026-03-10"  # five working days after Tuesday 3 March
    assert "2026年3月10日".encode() in stored(Document.objects.get())  # the stand-in keeps the face's HTML


# -- nothing half done -------------------------------------------------------------------------


def _broken(markup: str) -> bytes:
    raise OSError("the fonts are gone")


@pytest.mark.parametrize("step", ["typeset", "sign"])
def test_a_document_that_cannot_be_made_stops_the_act_and_changes_nothing(cast: Cast, monkeypatch, step) -> None:
    app = cast.received(on=RECEIVED)
    other = cast.received(on=RECEIVED)
    workflow.accept(other.pk, other.officer, on=ACTED)  # a document issued before
    before = (AuditEvent.objects.count(), Document.objects.count(), stored_files())
    with pytest.MonkeyPatch.context() as patch:
        if step == "typeset":
            patch.setattr(render, "pdf", _broken)
        else:
            patch.setattr(signing, "sign", lambda pdf, **kw: _broken(""))
        with pytest.raises(workflow.DocumentNotIssued) as raised:
            workflow.refuse_to_accept(app.pk, app.officer, "材料不属于本机关职权范围", on=ACTED)

    assert raised.value.status == 503
    assert "nothing was changed" in str(raised.value)
    app.refresh_from_db()
    assert (app.state, app.outcome_reasons, app.closed_on) == (State.RECEIVED, "", None)
    assert (AuditEvent.objects.count(), Document.objects.count(), stored_files()) == before
    assert not DocumentCounter.objects.filter(kind="non_acceptance").exclude(last=0).exists()
    workflow.refuse_to_accept(app.pk, app.officer, "材料不属于本机关职权范围", on=ACTED)
    assert Document.objects.get(kind="non_acceptance").serial == 1  # the failed act's number came back


def test_a_failure_after_the_document_is_stored_removes_its_file(cast: Cast, monkeypatch) -> None:
    app = cast.received(on=RECEIVED)
    from approvals.workflow import core

    def fail(drafts, *, tell=True):
        raise RuntimeError("the audit chain's head is locked away")

    monkeypatch.setattr(core, "_announce", fail)
    with pytest.raises(RuntimeError):
        workflow.accept(app.pk, app.officer, on=ACTED)
    assert stored_files() == []
    assert not Document.objects.exists()
    app.refresh_from_db()
    assert app.state == State.RECEIVED


def test_without_a_signing_key_the_act_is_refused_with_a_clear_message(cast: Cast, settings) -> None:
    app = cast.received(on=RECEIVED)
    settings.DOCUMENT_SIGNING_KEY = ""
    with pytest.raises(workflow.DocumentNotIssued):
        workflow.accept(app.pk, app.officer, on=ACTED)
    app.refresh_from_db()
    assert app.state == State.RECEIVED


def test_the_page_answers_a_failed_document_with_its_message_and_keeps_the_case(
    cast: Cast, client, monkeypatch, now
) -> None:
    now(date(2026, 3, 4))
    app = cast.received(on=RECEIVED)
    monkeypatch.setattr(render, "pdf", _broken)
    client.force_login(app.officer)
    response = client.post(
        f"/applications/{app.pk}/do/refuse_to_accept/",
        {"refuse_to_accept-reasons": "不属于本机关职权范围"},
    )
    assert response.status_code == 503
    assert "任何内容均未改变" in response.content.decode()  # "nothing was changed", in the page's Chinese
    app.refresh_from_db()
    assert app.state == State.RECEIVED


def test_the_api_answers_a_failed_document_with_503_in_its_error_format(cast: Cast, monkeypatch, now) -> None:
    from rest_framework.test import APIClient

    now(date(2026, 3, 4))
    app = cast.received(on=RECEIVED)
    monkeypatch.setattr(render, "pdf", _broken)
    api = APIClient()
    api.force_authenticate(app.officer)
    response = api.post(f"/api/applications/{app.pk}/accept/", {}, format="json")
    assert response.status_code == 503
    assert "任何内容均未改变" in response.json()["error"]["message"]  # "nothing was changed" (zh-hans by default)
    app.refresh_from_db()
    assert app.state == State.RECEIVED


# -- verify_audit ------------------------------------------------------------------------------


def _verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_verify_audit_detects_a_replaced_file(cast: Cast) -> None:
    app = cast.received(on=RECEIVED)
    workflow.accept(app.pk, app.officer, on=ACTED)
    workflow.grant(app.pk, app.officer, on=date(2026, 3, 10))
    assert _verify().endswith("documents OK: 2 documents\n")
    grant = Document.objects.get(kind="grant")
    with open(private_storage.path(grant.file), "r+b") as f:  # one byte changed
        data = bytearray(f.read())
        data[len(data) // 2] ^= 0x01
        f.seek(0)
        f.write(data)
    with pytest.raises(CommandError) as raised:
        _verify()
    assert str(raised.value) == (
        f"document {grant.number} does not verify (the 1 documents before it do): "
        "its file is not the one issued (its SHA-256 differs)"
    )


def test_verify_audit_detects_a_missing_file_and_a_hash_changed_in_the_table(cast: Cast) -> None:
    app = cast.received(on=RECEIVED)
    workflow.accept(app.pk, app.officer, on=ACTED)
    document = Document.objects.get()
    # Replacing the file and the table's hash together does not help: the chain keeps the old one.
    forged = b"%PDF-1.7 forged"
    with open(private_storage.path(document.file), "wb") as f:
        f.write(forged)
    Document.objects.filter(pk=document.pk).update(sha256=hashlib.sha256(forged).hexdigest())
    with pytest.raises(CommandError, match="the audit chain does not record it as it is"):
        _verify()
    Document.objects.filter(pk=document.pk).update(sha256=document.sha256)
    private_storage.delete(document.file)
    with pytest.raises(CommandError, match="its file is missing"):
        _verify()


# -- back-filling ------------------------------------------------------------------------------


@pytest.fixture
def recorded_before(cast: Cast) -> list[Application]:
    """Acts recorded as they were before documents existed: the catalogue owed none."""
    with pytest.MonkeyPatch.context() as before:
        before.setattr(issue, "owed", lambda action: "")
        licence = cast.received(on=RECEIVED)
        workflow.request_correction(licence.pk, licence.officer, "营业执照副本\n公司章程", on=ACTED)
        workflow.resubmit(licence.pk, cast.alice, on=date(2026, 3, 5))
        workflow.accept(licence.pk, licence.officer, on=date(2026, 3, 6))
        workflow.grant(licence.pk, licence.officer, on=date(2026, 3, 20))
        filing = cast.under_review(Procedure.WEBSITE_FILING)
        workflow.refuse_filing(filing.pk, filing.officer, "域名未实名", on=date(2026, 3, 4))
    assert not Document.objects.exists()
    return [licence, filing]


def _backfill(*args: str) -> str:
    out = StringIO()
    call_command("issue_documents", *args, stdout=out)
    return out.getvalue()


def test_issue_documents_missing_issues_each_owed_document_once_dated_as_its_act(recorded_before) -> None:
    assert _backfill("--missing", "--dry-run") == "4 documents owed\n"
    out = _backfill("--missing")
    assert out.splitlines()[-1] == "4 documents issued"
    documents = {d.kind: d for d in Document.objects.all()}
    assert set(documents) == {"correction", "acceptance", "grant", "filing_refusal"}
    for document in documents.values():
        assert document.late
        assert document.issued_on == document.event.on  # dated as the act
        assert document.recorded_in.action == "document_issued"
        assert document.recorded_in.data["document"]["sha256"] == document.sha256
        assert document.recorded_in.data["act"] == document.event_id
        assert document.number in out
    assert documents["grant"].issued_on == date(2026, 3, 20)
    assert "营业执照副本".encode() in stored(documents["correction"])
    # Idempotent: nothing is owed any more.
    assert _backfill("--missing") == "0 documents issued\n"
    assert Document.objects.count() == 4
    assert verify_chain().ok
    assert verify_documents().ok


def test_issue_documents_needs_missing_and_refuses_a_bad_limit(db) -> None:
    with pytest.raises(CommandError, match="--missing"):
        _backfill()
    with pytest.raises(CommandError, match="--limit must be a positive number"):
        _backfill("--missing", "--limit", "0")


def test_issue_documents_reports_what_it_could_not_issue_and_exits_non_zero(recorded_before, monkeypatch) -> None:
    monkeypatch.setattr(render, "pdf", _broken)
    err = StringIO()
    with pytest.raises(CommandError, match="4 documents could not be issued"):
        call_command("issue_documents", "--missing", stdout=StringIO(), stderr=err)
    assert "the fonts are gone" in err.getvalue()
    assert not Document.objects.exists()
    assert stored_files() == []


# -- the real thing ----------------------------------------------------------------------------


@pytest.mark.documents
def test_an_issued_document_is_a_signed_pdf_that_validates(cast: Cast, signing_pair) -> None:
    app = cast.received(on=RECEIVED)
    workflow.accept(app.pk, app.officer, on=ACTED)
    document = Document.objects.get()
    data = stored(document)
    assert data.startswith(b"%PDF-")
    assert document.test_signature
    result = signing.validate(data)
    assert result.valid, result
    changed = bytearray(data)
    changed[len(changed) // 3] ^= 0x01
    assert not signing.validate(bytes(changed)).valid


@override_settings(DOCUMENT_SIGNING_KEY="", DOCUMENT_SIGNING_CERT="")
def test_signing_key_refuses_to_run_without_a_key(db) -> None:
    with pytest.raises(CommandError, match="DOCUMENT_SIGNING_KEY"):
        call_command("signing_key", stdout=StringIO())


def test_signing_key_makes_the_development_pair_once(settings, tmp_path) -> None:
    settings.BASE_DIR = tmp_path
    key, cert = (
        tmp_path / "var" / "signing" / "development-key.pem",
        tmp_path / "var" / "signing" / "development-cert.pem",
    )
    settings.DOCUMENT_SIGNING_KEY, settings.DOCUMENT_SIGNING_CERT = str(key), str(cert)
    first, second = StringIO(), StringIO()
    call_command("signing_key", stdout=first)
    assert "Made a development signing key" in first.getvalue()
    assert "test signatures" in first.getvalue()
    made = key.read_bytes()
    call_command("signing_key", stdout=second)
    assert "Made" not in second.getvalue()
    assert key.read_bytes() == made
    assert oct(key.stat().st_mode & 0o777) == "0o600"


# -- what the face prints (the stand-in keeps the face's HTML) ------------------------------------


def test_a_correction_notice_numbers_each_item_once_and_leaves_out_a_heading(cast: Cast) -> None:
    app = cast.received(on=RECEIVED)
    items = "请补正以下材料：\n1. 营业执照副本复印件\n2、法定代表人身份证明\n（3）公司章程\n四、网络安全保障措施"
    workflow.request_correction(app.pk, app.officer, items, on=ACTED)
    face = stored(Document.objects.get()).decode()
    listed = [line.split("<li>")[1] for line in face.split("</li>") if "<li>" in line]
    assert listed == ["营业执照副本复印件", "法定代表人身份证明", "公司章程", "网络安全保障措施"]
    assert "请补正以下材料" not in face


def test_a_denial_with_the_form_s_suggested_remedies_states_them_once(cast: Cast) -> None:
    from approvals.actions import Deny

    app = cast.under_review()
    suggested = str(Deny.base_fields["remedies"].initial)
    workflow.deny(app.pk, app.officer, "网络与信息安全保障措施不落实", suggested, on=date(2026, 3, 20))
    face = stored(Document.objects.get(kind="denial")).decode()
    assert suggested not in face
    assert face.count("administrative reconsideration") + face.count("行政复议") == 1


def test_a_document_issued_later_names_the_local_day_it_was_issued(recorded_before, monkeypatch) -> None:
    from datetime import UTC, datetime

    from approvals.documents import issue as issuing

    monkeypatch.setattr(issuing.timezone, "now", lambda: datetime(2026, 12, 2, 20, 45, tzinfo=UTC))  # 04:45 in Shanghai
    _backfill("--missing")
    face = stored(Document.objects.filter(late=True).first()).decode()
    assert "2026年12月3日" in face and "2026年12月2日" not in face


def test_the_background_backfill_goes_in_batches_each_queueing_the_next(recorded_before, monkeypatch) -> None:
    """The demo's 327 owed documents in one task ran past Q_CLUSTER's 120 s timeout: the worker
    issues a batch a task and queues the next while some are still owed."""
    from approvals.workflow import documents as backfill

    queued: list[int] = []
    monkeypatch.setattr(backfill, "queue_backfill", lambda batch=backfill.BACKFILL_BATCH: queued.append(batch))
    monkeypatch.setattr(backfill, "SQLITE_PAUSE", 0.0)
    first = backfill.issue_missing_in_background(3)
    assert (len(first.issued), queued) == (3, [3])  # one owed still: the next batch queued
    second = backfill.issue_missing_in_background(3)
    assert (len(second.issued), queued) == (1, [3])  # none owed: no more tasks
    assert Document.objects.count() == 4


def test_the_background_backfill_stops_when_a_batch_issues_nothing(recorded_before, monkeypatch) -> None:
    from approvals.workflow import documents as backfill

    queued: list[int] = []
    monkeypatch.setattr(backfill, "queue_backfill", lambda batch=backfill.BACKFILL_BATCH: queued.append(batch))
    monkeypatch.setattr(render, "pdf", _broken)
    result = backfill.issue_missing_in_background(2)
    assert (result.issued, len(result.failed), queued) == ([], 2, [])  # failing ones queue no task for ever

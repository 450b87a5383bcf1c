"""Every kind of document, issued through the workflow and read back from its stored PDF with
pdftotext (poppler-utils): the tracking number, the document number, the dates as the face
prints them (the ``document_date`` filter in Chinese: the issued document is always zh-hans),
the items, reasons and remedies. Typeset and signed for real (marked ``documents``).

The assertions hold on data that no translation changes (numbers, dates, names, the officer's
words), except ``test_the_face_names_its_kind_in_chinese``, which reads the Chinese titles."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.utils import translation

from approvals import sla, workflow
from approvals.models import Application, Document, DocumentKind, Procedure, private_storage
from approvals.templatetags.documents import document_date
from tests.cast import Cast

pytestmark = [
    pytest.mark.documents,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)"),
]

D = date.fromisoformat
RECEIVED, ACCEPTED = D("2026-03-02"), D("2026-03-03")
ITEMS = ["营业执照副本复印件未加盖公章", "法定代表人身份证明已过有效期", "网络与信息安全保障措施缺少应急预案"]

#: The zh-hans titles of the kinds (the DocumentKind labels' translations).
TITLES = {
    DocumentKind.ACCEPTANCE: "受理通知书",
    DocumentKind.NON_ACCEPTANCE: "不予受理决定书",
    DocumentKind.CORRECTION: "补正材料通知书",
    DocumentKind.SPECIAL_PROCEDURE: "特别程序告知书",
    DocumentKind.EXTENSION: "延长期限告知书",
    DocumentKind.GRANT: "准予行政许可决定书",
    DocumentKind.DENIAL: "不予行政许可决定书",
    DocumentKind.FILING: "备案通过通知",
    DocumentKind.FILING_REFUSAL: "不予备案通知",
}


def zh(day: date | None) -> str:
    """A date as the issued face prints it (2026年3月3日)."""
    assert day is not None
    with translation.override("zh-hans"):
        return document_date(day)


def flat(text: str) -> str:
    """pdftotext's text without its line breaks and spacing (a wrapped line splits a phrase)."""
    return re.sub(r"\s+", "", text)


def text_of(pdf: bytes) -> str:
    """The PDF's text as pdftotext reads it, whitespace removed."""
    return flat(
        subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    )


def issued(app: Application, kind: str) -> tuple[Document, str]:
    """The one document of ``kind`` the case holds, and its stored PDF's text (whitespace removed)."""
    documents = list(Document.objects.filter(application=app, kind=kind))
    assert len(documents) == 1, f"{len(documents)} documents of kind {kind}"
    document = documents[0]
    with private_storage.open(document.file) as stored:
        data = stored.read()
    assert data.startswith(b"%PDF-") and b"stand-in" not in data
    assert len(data) == document.size
    return document, text_of(data)


def has_common_facts(text: str, document: Document, app: Application) -> None:
    """What every face names: the document number, the tracking number, the applicant, the
    administration and the date of issue, and the verification code."""
    for value in (
        document.number,
        app.tracking_number,
        app.organisation.name,
        settings.ADMINISTRATION_NAME,
        zh(document.issued_on),
        document.shown_code,
    ):
        assert flat(value) in text, value


def test_acceptance(cast: Cast) -> None:
    app = Application.objects.get(pk=cast.under_review(received=RECEIVED, accepted=ACCEPTED).pk)
    document, text = issued(app, DocumentKind.ACCEPTANCE)
    has_common_facts(text, document, app)
    assert document.issued_on == ACCEPTED
    for day in (app.received_on, app.accepted_on, app.due_date, app.statutory_due):
        assert zh(day) in text
    assert app.due_date != app.statutory_due  # the two limits are told apart on the face


def test_a_deemed_acceptance_says_it_was_deemed(cast: Cast) -> None:
    app = cast.received(on=RECEIVED)  # nobody answers within five working days (due 9 March)
    workflow.deem_accepted(app.pk, on=D("2026-03-10"))
    app = Application.objects.get(pk=app.pk)
    document, text = issued(app, DocumentKind.ACCEPTANCE)
    has_common_facts(text, document, app)
    assert app.deemed_accepted and document.event.action == "deem_accepted" and document.event.actor is None
    assert zh(D("2026-03-10")) in text and zh(RECEIVED) in text and zh(app.due_date) in text
    # The deemed notice is not the ordinary one: it says the application is deemed accepted
    # (视为受理 on the issued face; "deemed" in the msgid, before the translations are compiled).
    _ordinary, ordinary = issued(cast.under_review(received=RECEIVED, accepted=ACCEPTED), DocumentKind.ACCEPTANCE)
    deemed = ("视为受理", "deemed")
    assert any(word in text for word in deemed)
    assert not any(word in ordinary for word in deemed)


def test_the_sweep_issues_the_deemed_acceptance_notice(cast: Cast) -> None:
    app = cast.received(on=RECEIVED)
    day = D("2026-03-03")
    while day <= D("2026-03-10"):  # the alert sweep, day by day: deemed accepted on Tuesday 10 March
        sla.sweep(day)
        day += timedelta(days=1)
    app = Application.objects.get(pk=app.pk)
    document, text = issued(app, DocumentKind.ACCEPTANCE)
    assert app.deemed_accepted and document.issued_on == D("2026-03-10")
    has_common_facts(text, document, app)
    assert any(word in text for word in ("视为受理", "deemed"))


def test_a_long_correction_notice_carries_the_verification_footer_on_every_page(cast: Cast) -> None:
    items = [f"第{n}项：{ITEMS[n % 3]}，请补充提交经法定代表人签字并加盖公章的书面说明" for n in range(1, 25)]
    app = cast.received(on=RECEIVED)
    workflow.request_correction(app.pk, app.officer, "\n".join(items), on=D("2026-03-04"))
    document, text = issued(app, DocumentKind.CORRECTION)
    for item in items:
        assert flat(item) in text
    with private_storage.open(document.file) as stored:
        data = stored.read()
    pages = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    pages = [flat(page) for page in pages.split("\f") if page.strip()]
    assert len(pages) >= 2
    assert all(document.shown_code in page for page in pages)


def test_non_acceptance(cast: Cast) -> None:
    app = cast.received(on=RECEIVED)
    workflow.refuse_to_accept(app.pk, app.officer, "申请事项不属于本机关职权范围", on=D("2026-03-04"))
    app = Application.objects.get(pk=app.pk)
    document, text = issued(app, DocumentKind.NON_ACCEPTANCE)
    has_common_facts(text, document, app)
    assert "申请事项不属于本机关职权范围" in text
    assert zh(RECEIVED) in text and zh(D("2026-03-04")) in text
    assert flat(settings.RECONSIDERATION_BODY) in text


def test_correction_lists_every_item_and_the_day_they_are_due(cast: Cast) -> None:
    app = cast.received(on=RECEIVED)
    workflow.request_correction(app.pk, app.officer, "\n".join(ITEMS), on=D("2026-03-04"))
    app = Application.objects.get(pk=app.pk)
    document, text = issued(app, DocumentKind.CORRECTION)
    has_common_facts(text, document, app)
    for item in ITEMS:
        assert item in text
    assert text.index(ITEMS[0]) < text.index(ITEMS[1]) < text.index(ITEMS[2])
    reply_by = D(document.event.data["reply_by"])
    assert reply_by > D("2026-03-04")
    assert zh(reply_by) in text and zh(RECEIVED) in text and zh(D("2026-03-04")) in text


def test_correction_with_three_items_fits_on_one_page(cast: Cast) -> None:
    """The Chinese face (once the translations are compiled: the English msgids are longer)."""
    app = cast.received(on=RECEIVED)
    workflow.request_correction(app.pk, app.officer, "\n".join(ITEMS), on=D("2026-03-04"))
    document = Document.objects.get(application=app, kind=DocumentKind.CORRECTION)
    with private_storage.open(document.file) as stored:
        info = subprocess.run(["pdfinfo", "-"], input=stored.read(), capture_output=True, check=True).stdout.decode()
    assert re.search(r"^Pages:\s+1$", info, re.M), info


def test_special_procedure_names_its_kind_basis_and_expected_end(cast: Cast) -> None:
    app = cast.under_review(received=RECEIVED, accepted=ACCEPTED)
    cast.paused(
        app, kind="expert_review", basis="《电信业务经营许可管理办法》第十条", on=D("2026-03-05"), until=D("2026-04-03")
    )
    app = Application.objects.get(pk=app.pk)
    document, text = issued(app, DocumentKind.SPECIAL_PROCEDURE)
    has_common_facts(text, document, app)
    assert "《电信业务经营许可管理办法》第十条" in text
    assert zh(D("2026-03-05")) in text and zh(D("2026-04-03")) in text


def test_extension_names_the_reasons_and_the_new_due_date(cast: Cast) -> None:
    app = cast.under_review(received=RECEIVED, accepted=ACCEPTED)
    before = app.due_date
    app = cast.extended(
        app, 10, asked=D("2026-03-20"), approved=D("2026-03-23"), reason="申请涉及跨省业务，需征求相关省局意见"
    )
    app = Application.objects.get(pk=app.pk)
    document, text = issued(app, DocumentKind.EXTENSION)
    has_common_facts(text, document, app)
    assert app.due_date > before
    assert "申请涉及跨省业务，需征求相关省局意见" in text
    assert zh(app.due_date) in text and zh(D("2026-03-23")) in text


def test_grant_names_the_certificate_due_date(cast: Cast) -> None:
    app = cast.under_review(received=RECEIVED, accepted=ACCEPTED)
    workflow.grant(app.pk, app.officer, reasons="申请材料齐全，符合法定条件", on=D("2026-03-20"))
    app = Application.objects.get(pk=app.pk)
    document, text = issued(app, DocumentKind.GRANT)
    has_common_facts(text, document, app)
    assert app.certificate_due and app.certificate_due > D("2026-03-20")
    assert zh(app.certificate_due) in text and zh(ACCEPTED) in text and zh(D("2026-03-20")) in text
    assert "申请材料齐全，符合法定条件" in text and flat(app.subject) in text


def test_denial_names_the_reasons_and_the_remedies(cast: Cast) -> None:
    app = cast.under_review(received=RECEIVED, accepted=ACCEPTED)
    workflow.deny(app.pk, app.officer, "网络与信息安全保障措施不落实", "", on=D("2026-03-20"))
    app = Application.objects.get(pk=app.pk)
    document, text = issued(app, DocumentKind.DENIAL)
    has_common_facts(text, document, app)
    assert "网络与信息安全保障措施不落实" in text
    assert zh(ACCEPTED) in text and zh(D("2026-03-20")) in text
    # the remedies: reconsideration by the body the settings name, within 60 days; a suit within 6 months
    assert flat(settings.RECONSIDERATION_BODY) in text and flat(settings.LITIGATION_COURT) in text
    assert re.search("60日|六十日|60days", text) and re.search("6个月|六个月|6months", text), text


def test_denial_with_the_officers_remedies_keeps_the_statutory_ones(cast: Cast, settings) -> None:
    settings.RECONSIDERATION_BODY = "安徽省人民政府"
    app = cast.under_review(received=RECEIVED, accepted=ACCEPTED)
    workflow.deny(app.pk, app.officer, "不符合条件", "可先行与本局沟通", on=D("2026-03-20"))
    _document, text = issued(app, DocumentKind.DENIAL)
    assert "可先行与本局沟通" in text and "安徽省人民政府" in text
    assert "中华人民共和国工业和信息化部" not in text


def test_filing_names_the_filing_number(cast: Cast) -> None:
    app = cast.under_review(Procedure.WEBSITE_FILING, received=RECEIVED, accepted=ACCEPTED)
    workflow.file(app.pk, app.officer, "皖ICP备2026001234号", on=D("2026-03-10"))
    app = Application.objects.get(pk=app.pk)
    document, text = issued(app, DocumentKind.FILING)
    has_common_facts(text, document, app)
    assert "皖ICP备2026001234号" in text
    assert zh(app.arrived_on) in text and zh(D("2026-03-10")) in text


def test_filing_refusal_names_the_reasons(cast: Cast) -> None:
    app = cast.under_review(Procedure.WEBSITE_FILING, received=RECEIVED, accepted=ACCEPTED)
    workflow.refuse_filing(app.pk, app.officer, "网站名称与主办单位名称不符", on=D("2026-03-10"))
    app = Application.objects.get(pk=app.pk)
    document, text = issued(app, DocumentKind.FILING_REFUSAL)
    has_common_facts(text, document, app)
    assert "网站名称与主办单位名称不符" in text
    assert zh(app.arrived_on) in text and zh(D("2026-03-10")) in text


def test_the_face_names_its_kind_in_chinese(cast: Cast) -> None:
    """The title on each face is the kind's Chinese title (once the translations are compiled)."""
    app = cast.received(on=RECEIVED)
    workflow.request_correction(app.pk, app.officer, "\n".join(ITEMS), on=D("2026-03-04"))
    workflow.resubmit(app.pk, cast.alice, on=D("2026-03-05"))
    workflow.accept(app.pk, app.officer, on=D("2026-03-06"))
    workflow.deny(app.pk, app.officer, "不符合条件", "", on=D("2026-03-20"))
    filing = cast.under_review(Procedure.WEBSITE_FILING, received=RECEIVED, accepted=ACCEPTED)
    workflow.refuse_filing(filing.pk, filing.officer, "网站名称与主办单位名称不符", on=D("2026-03-10"))
    for case, kind in ((app, DocumentKind.CORRECTION), (app, DocumentKind.ACCEPTANCE), (app, DocumentKind.DENIAL)):
        _document, text = issued(case, kind)
        assert TITLES[kind] in text, kind
    _document, text = issued(filing, DocumentKind.FILING_REFUSAL)
    assert TITLES[DocumentKind.FILING_REFUSAL] in text
    with translation.override("zh-hans"):
        assert {kind: str(kind.label) for kind in DocumentKind} == TITLES


def test_an_english_reading_copy_says_it_is_one(cast: Cast) -> None:
    from approvals.documents import issue, render

    app = cast.received(on=RECEIVED)
    workflow.request_correction(app.pk, app.officer, "\n".join(ITEMS), on=D("2026-03-04"))
    document = Document.objects.get(application=app, kind=DocumentKind.CORRECTION)
    event = document.event
    act = render.Act(event.action, event.on, event.note, event.data, event.actor_id)
    text = text_of(issue.face(document, document.application, act, language="en"))
    assert "Atranslationforreadingonly" in text and document.number in text
    assert "2March2026" in text
    for item in ITEMS:
        assert item in text


def test_a_second_correction_notice_does_not_claim_to_tell_everything_at_once(cast: Cast) -> None:
    """一次告知: the first notice tells everything once; a further one (flagged) says what is still
    to be corrected, not 一次性告知 again."""
    app = cast.received(on=RECEIVED)
    workflow.request_correction(app.pk, app.officer, "\n".join(ITEMS), on=D("2026-03-04"))
    workflow.resubmit(app.pk, cast.alice, on=D("2026-03-05"))
    workflow.request_correction(app.pk, app.officer, "法定代表人身份证明", on=D("2026-03-06"))
    first, second = Document.objects.filter(application=app, kind=DocumentKind.CORRECTION).order_by("pk")
    texts = []
    for document in (first, second):
        with private_storage.open(document.file) as stored:
            texts.append(text_of(stored.read()))
    assert "一次性告知" in texts[0] and "仍需补正" not in texts[0]
    assert "一次性告知" not in texts[1] and "仍需补正" in texts[1] and "法定代表人身份证明" in texts[1]

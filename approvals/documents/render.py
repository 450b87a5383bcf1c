"""A document's face: its HTML template (templates/documents/<kind>.html, on documents/base.html)
filled from the case and the act, then typeset as an A4 PDF by WeasyPrint with the CJK fonts
embedded (Debian's fonts-noto-cjk), and a QR code (segno) that opens its verification page.

The issued document is always in Chinese, the language of the act; ``language="en"`` gives an
English reading copy, which says that it is one and is neither numbered anew nor signed."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from approvals import addresses
from approvals.models import Application, Document, SpecialProcedure, User

ISSUED_LANGUAGE = "zh-hans"


@dataclass(frozen=True)
class Act:
    """What a document records: the act's name, date, note (reasons, items) and data, and who
    took it (None: the system), from a workflow step's draft or a recorded audit event."""

    action: str
    on: date
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    actor_id: int | None = None


def verification_url(document: Document) -> str:
    """The verification page with the number and code filled in (the QR code's address)."""
    query = urlencode({"number": document.number, "code": document.shown_code})
    return f"{addresses.absolute('approvals:verify')}?{query}"


def _qr(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=3, border=2, dark="#000")


def context(document: Document, app: Application, act: Act) -> dict[str, Any]:
    """Everything a kind's template may name (templates/documents/base.html lists it)."""
    officer = User.objects.filter(pk=act.actor_id).first() if act.actor_id else None
    url = verification_url(document)
    values: dict[str, Any] = {
        "document": document,
        "app": app,
        "applicant": app.organisation,
        "act": act,
        "officer": officer,
        "administration": settings.ADMINISTRATION_NAME,
        "place": settings.ADMINISTRATION_PLACE,
        "reconsideration_body": settings.RECONSIDERATION_BODY,
        "court": settings.LITIGATION_COURT,
        "verify_url": url,
        "verify_page": addresses.absolute("approvals:verify"),
        "qr": _qr(url),
    }
    kind = document.kind
    if document.late:
        values["issued_later_on"] = timezone.localdate(document.issued_at)
    if kind == "correction":
        values["items"] = correction_items(act.note)
        values["reply_by"] = date.fromisoformat(act.data["reply_by"]) if act.data.get("reply_by") else None
        # A further notice (the one-notice duty broken, flagged by the workflow) cannot say it
        # tells everything once: it says what is still to be corrected.
        values["repeated"] = bool(act.data.get("repeated"))
    elif kind == "special_procedure":
        values["special"] = SpecialProcedure.objects.filter(application=app, started_on=act.on).order_by("-pk").first()
    elif kind == "extension":
        values["extension_days"] = app.extension_days
        values["extension_reason"] = app.extension_reason
    elif kind == "denial":
        values["own_remedies"] = "" if _standard_remedies(app.remedies) else app.remedies
    return values


#: An item's own numbering as officers type it: "1.", "2、", "（3）", "四、".
_NUMBERED = re.compile(r"^\s*(?:[(（]?\s*(?:\d+|[一二三四五六七八九十]+)\s*[)）.、．:：]|[-*•·])\s*")


def correction_items(note: str) -> list[str]:
    """The items of a correction notice, one a line, without the numbering the officer typed
    (the face numbers them) and without a heading line such as 请补正以下材料：."""
    lines = [line.strip() for line in note.splitlines() if line.strip()]
    items = [_NUMBERED.sub("", line, count=1).strip() for line in lines if not line.endswith((":", "："))]
    return [item for item in items if item]


def _standard_remedies(text: str) -> bool:
    """Whether ``text`` is the deny form's own suggestion, in either language: the face's statutory
    paragraph says it already, naming the reconsideration body."""
    from approvals.actions import Deny

    given = " ".join(text.split())
    suggested = set()
    for language in ("en", ISSUED_LANGUAGE):
        with translation.override(language):
            suggested.add(" ".join(str(Deny.base_fields["remedies"].initial).split()))
    return not given or given in suggested


def html(document: Document, values: dict[str, Any], *, language: str = ISSUED_LANGUAGE) -> str:
    with translation.override(language):
        return render_to_string(
            f"documents/{document.kind}.html", {**values, "reading_copy": language != ISSUED_LANGUAGE}
        )


@functools.cache
def _fonts():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def pdf(markup: str) -> bytes:
    """The HTML typeset as PDF (fonts subset and embedded)."""
    from weasyprint import HTML

    return HTML(string=markup, base_url=str(settings.BASE_DIR)).write_pdf(font_config=_fonts())

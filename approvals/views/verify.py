"""The public verification of documents (验真): by number and verification code (the QR code
opens this page with both filled in), or by uploading the PDF. No account needed.

It shows only what the document itself prints and the case's public status
(approvals.documents.verify). A wrong code gets the same answer as an unknown number. Failed
attempts are counted per address, before the lookup, as the public lookup's are
(approvals/throttle.py; VERIFY_MAX_FAILURES in VERIFY_WINDOW_SECONDS); past the limit the page
answers 429 with Retry-After. An uploaded PDF is read and forgotten, never stored; a body larger
than any document is refused (413) before it is read.
"""

from __future__ import annotations

import math

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from approvals import throttle
from approvals.documents import verify as checks
from approvals.views.public import client_address


class ByCode(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Document number"),
        max_length=60,
        help_text=gettext_lazy("As printed under the masthead, e.g. 皖通管许受〔2026〕第0001号"),
    )
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=20,
        help_text=gettext_lazy("8 characters at the foot of the document, e.g. AB3K-7QXZ"),
    )

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip()

    def clean_code(self) -> str:
        code = checks.normal_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("Enter the verification code."))
        return code


def read_pdf(upload) -> bytes:
    """The uploaded file's bytes, if it is a PDF of a size a document can have; ValidationError otherwise."""
    if upload.size > checks.MAX_PDF_BYTES:
        raise forms.ValidationError(
            _("The file is %(size)s KB; an issued document is at most %(max)s KB.")
            % {"size": upload.size // 1024, "max": checks.MAX_PDF_BYTES // 1024}
        )
    data = upload.read(checks.MAX_PDF_BYTES + 1)
    if not data.startswith(b"%PDF-"):
        raise forms.ValidationError(_("This file is not a PDF: choose the document's PDF file."))
    return data


class ByFile(forms.Form):
    pdf = forms.FileField(
        label=gettext_lazy("The document's PDF"),
        help_text=gettext_lazy("The file is checked and not kept."),
    )

    def clean_pdf(self) -> bytes:
        return read_pdf(self.cleaned_data["pdf"])


def keys(request: HttpRequest) -> list[str]:
    """The throttle's key: the address. Not the document number as well, as the public lookup
    counts the tracking number: anyone may name a document's number (they follow each other), so
    a count per number would let one address keep any document from being verified by its holder,
    ten wrong codes a window. An 8-character code of 31 symbols (about 10^12) is out of reach at
    VERIFY_MAX_FAILURES a window per address."""
    return [f"verify:address:{client_address(request)}"]


def too_large(request: HttpRequest) -> bool:
    """A body larger than any document with its form: refused by its declared length, unread."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    return declared > checks.MAX_PDF_BYTES + 64 * 1024


def _blocked(request: HttpRequest, spent: throttle.Spent) -> HttpResponse:
    minutes = max(math.ceil(spent.retry_after / 60), 1)
    message = _("Too many unsuccessful checks. Try again in %(minutes)s minutes.") % {"minutes": minutes}
    context = {"by_code": ByCode(), "by_file": ByFile(), "blocked": message}
    response = render(request, "approvals/public/verify.html", context, status=429)
    response["Retry-After"] = str(spent.retry_after)
    return response


@csrf_exempt  # only so that the upload handler is set before the body is read: the token is checked next
def verify(request: HttpRequest) -> HttpResponse:
    """The upload is kept in memory and never on disk (checks.InMemoryUpload)."""
    if too_large(request):
        context = {"by_code": ByCode(), "by_file": ByFile(), "blocked": _too_large_message()}
        return render(request, "approvals/public/verify.html", context, status=413)
    request.upload_handlers = [checks.InMemoryUpload(request)]
    return _verify(request)


def _too_large_message() -> str:
    return _("The file is larger than any document this office issues (at most %(max)s KB).") % {
        "max": checks.MAX_PDF_BYTES // 1024
    }


@csrf_protect
def _verify(request: HttpRequest) -> HttpResponse:
    limit, window = settings.VERIFY_MAX_FAILURES, settings.VERIFY_WINDOW_SECONDS
    already = throttle.exhausted(keys(request), limit, window)
    if already is not None:
        return _blocked(request, already)
    posted_file = request.method == "POST" and (request.POST.get("by") == "file" or "pdf" in request.FILES)
    by_file = ByFile(request.POST, request.FILES) if posted_file else ByFile()
    posted_code = request.method == "POST" and not posted_file
    scanned = request.method == "GET" and ("number" in request.GET or "code" in request.GET)
    by_code = ByCode(request.POST if posted_code else request.GET) if posted_code or scanned else ByCode()
    context: dict = {"by_code": by_code, "by_file": by_file}
    status = 200
    if by_code.is_bound:
        if not by_code.is_valid():
            return render(request, "approvals/public/verify.html", context, status=400)
        number = by_code.cleaned_data["number"]
        spent = throttle.spend(keys(request), limit, window)
        if not spent.allowed:
            return _blocked(request, spent)
        found = checks.lookup(number, by_code.cleaned_data["code"])
        if found is None:
            by_code.add_error(None, _("No document matches this number and verification code."))
            status = 404
        else:
            throttle.refund(spent)  # only failures count
            context["found"] = found
    elif by_file.is_bound:
        if not by_file.is_valid():
            return render(request, "approvals/public/verify.html", context, status=400)
        spent = throttle.spend(keys(request), limit, window)
        if not spent.allowed:
            return _blocked(request, spent)
        checked = checks.check_pdf(by_file.cleaned_data["pdf"])
        if checked.issued:
            throttle.refund(spent)
        context["checked"] = checked
    return render(request, "approvals/public/verify.html", context, status=status)


urlpatterns = [path("verify/", verify, name="verify")]

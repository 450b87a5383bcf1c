"""``POST /api/verify/``: the public verification (验真) for programs, no credentials needed.

JSON ``{"number", "code"}`` answers the document's public facts, or a 404 (the same for an unknown
number and a wrong code). Multipart with a ``file`` answers whether the PDF is byte for byte an
issued document, and whether its signature is valid. Throttled with the page's counters
(approvals/views/verify.py): past the limit, 429 with Retry-After.
"""

from __future__ import annotations

from dataclasses import asdict

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals import throttle
from approvals.api.errors import ERROR_REF, TooLarge
from approvals.api.parsers import BoundedJSONParser
from approvals.documents import verify as checks
from approvals.views import verify as page


class FactsSerializer(serializers.Serializer):
    issuer = serializers.CharField()
    kind = serializers.CharField()
    kind_display = serializers.CharField()
    number = serializers.CharField()
    issued_on = serializers.DateField()
    late = serializers.BooleanField()
    status = serializers.CharField(help_text=gettext_lazy("The case's status now (its public lookup's)."))
    status_display = serializers.CharField()
    sha256 = serializers.CharField()
    test_signature = serializers.BooleanField()


class SignatureSerializer(serializers.Serializer):
    signed = serializers.BooleanField()
    intact = serializers.BooleanField()
    trusted = serializers.BooleanField()
    valid = serializers.BooleanField()


class CheckedSerializer(serializers.Serializer):
    issued = serializers.BooleanField(help_text=gettext_lazy("Byte for byte a document this office issued."))
    document = FactsSerializer(allow_null=True)
    signature = SignatureSerializer()


class ByCodeRequest(serializers.Serializer):
    number = serializers.CharField(max_length=60)
    code = serializers.CharField(max_length=20)


class ByFileRequest(serializers.Serializer):
    file = serializers.FileField()


class Throttled(exceptions.Throttled):
    def __init__(self, spent: throttle.Spent) -> None:
        super().__init__(wait=spent.retry_after, detail=_("Too many unsuccessful checks: wait and retry."))


class VerifyView(APIView):
    authentication_classes: list = []  # anyone; no session, so no CSRF token is asked for
    permission_classes = [AllowAny]
    parser_classes = [BoundedJSONParser, MultiPartParser]

    def initial(self, request: Request, *args, **kwargs) -> None:
        if page.too_large(request._request):  # before any parser reads the body
            raise TooLarge(page._too_large_message())
        super().initial(request, *args, **kwargs)

    @extend_schema(
        summary=gettext_lazy("Verify a document"),
        description=gettext_lazy(
            "By its number and verification code (JSON), or by its PDF (multipart, field file). "
            "An unknown number and a wrong code get the same 404."
        ),
        request={"application/json": ByCodeRequest, "multipart/form-data": ByFileRequest},
        responses={
            200: PolymorphicProxySerializer(
                component_name="Verification",
                serializers=[FactsSerializer, CheckedSerializer],
                resource_type_field_name=None,
            ),
            404: OpenApiResponse(ERROR_REF, description=gettext_lazy("No document matches the number and code.")),
            413: OpenApiResponse(ERROR_REF, description=gettext_lazy("A body larger than any document.")),
            429: OpenApiResponse(ERROR_REF, description=gettext_lazy("Too many unsuccessful checks: wait and retry.")),
        },
    )
    def post(self, request: Request) -> Response:
        request._request.upload_handlers = [checks.InMemoryUpload(request._request)]  # before the body is read
        limit, window = settings.VERIFY_MAX_FAILURES, settings.VERIFY_WINDOW_SECONDS
        already = throttle.exhausted(page.keys(request), limit, window)
        if already is not None:
            raise Throttled(already)
        if "file" in request.FILES or request.content_type.startswith("multipart/"):
            return self._by_file(request, limit, window)
        given = ByCodeRequest(data=request.data if isinstance(request.data, dict) else {})
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError({"non_field_errors": [_("Send an object with number and code.")]})
        given.is_valid(raise_exception=True)
        number = given.validated_data["number"].strip()
        spent = throttle.spend(page.keys(request), limit, window)
        if not spent.allowed:
            raise Throttled(spent)
        found = checks.lookup(number, given.validated_data["code"])
        if found is None:
            raise exceptions.NotFound(_("No document matches this number and verification code."))
        throttle.refund(spent)
        return Response(FactsSerializer(asdict(found)).data)

    def _by_file(self, request: Request, limit: int, window: int) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise exceptions.ValidationError({"file": [_("Send the PDF as the field file.")]})
        try:
            data = page.read_pdf(upload)
        except forms.ValidationError as exc:
            raise exceptions.ValidationError({"file": exc.messages}) from None
        spent = throttle.spend(page.keys(request), limit, window)
        if not spent.allowed:
            raise Throttled(spent)
        checked = checks.check_pdf(data)
        if checked.issued:
            throttle.refund(spent)
        signature = checked.signature
        return Response(
            CheckedSerializer(
                {
                    "issued": checked.issued,
                    "document": asdict(checked.document) if checked.document else None,
                    "signature": {
                        "signed": signature.signed,
                        "intact": signature.intact,
                        "trusted": signature.trusted,
                        "valid": signature.valid,
                    },
                }
            ).data
        )

"""An application's documents in the API: the list (``GET /api/applications/{id}/documents/``,
paginated as the other lists are) and each signed PDF (``GET …/documents/{doc_id}/pdf/``), with
token or session authentication, after the application detail's visibility check: a case the
caller may not see, or a document of another case, is a 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals.api import filters
from approvals.documents import delivery
from approvals.inputs import parse_id
from approvals.models import Application, Document, User
from approvals.selectors.documents import document as find_document
from approvals.selectors.documents import documents

APPLICATION_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description=gettext_lazy("The application's id.")
)
DOCUMENT_ID = OpenApiParameter(
    "doc_id", OpenApiTypes.INT, OpenApiParameter.PATH, description=gettext_lazy("The document's id.")
)


def visible_application(user: User, raw_id: object) -> Application:
    """The application ``raw_id`` names if ``user`` may see it; a 404 otherwise."""
    pk = parse_id(raw_id)
    app = Application.objects.visible_to(user).filter(pk=pk).first() if pk else None
    if app is None:
        raise Http404(_("No such application."))
    return app


class DocumentSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(
        source="get_kind_display", read_only=True, help_text=gettext_lazy("The kind's name (受理通知书 …).")
    )
    url = serializers.SerializerMethodField(help_text=gettext_lazy("The signed PDF's address in the API."))

    class Meta:
        model = Document
        fields = ["id", "number", "kind", "kind_display", "issued_on", "late", "sha256", "url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, document: Document) -> str:
        path = reverse("api:application-document-pdf", kwargs={"pk": document.application_id, "doc_id": document.pk})
        return self.context["request"].build_absolute_uri(path)


@extend_schema(
    parameters=[APPLICATION_ID],
    summary=gettext_lazy("An application's documents"),
    description=gettext_lazy(
        "The numbered, signed documents issued on the application (notices and decisions), oldest first."
    ),
)
class DocumentList(generics.ListAPIView):
    serializer_class = DocumentSerializer
    filter_backends = [filters.Filters]
    filterset_class = filters.DocumentFilters

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Document.objects.none()
        return documents(visible_application(self.request.user, self.kwargs["pk"]).pk)

    def list(self, request: Request, *args, **kwargs) -> Response:
        filters.parsed(filters.DocumentFilters, request)  # only the pages: anything else is a 400
        return super().list(request, *args, **kwargs)


class FileNegotiation(BaseContentNegotiation):
    """The answer is the file whatever the client accepts (``Accept: application/pdf`` is no
    406); an error is in the API's JSON format."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        if format_suffix:  # a router's format suffix (/materials/0.5/): no such path, as DRF answers
            raise Http404(_("No such file."))
        return renderers[0], renderers[0].media_type


class DocumentPdf(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        parameters=[APPLICATION_ID, DOCUMENT_ID],
        responses={(200, delivery.PDF): OpenApiTypes.BINARY},
        summary=gettext_lazy("A document's signed PDF"),
        description=gettext_lazy("The document as issued: the PDF whose SHA-256 the audit trail records."),
    )
    def get(self, request: Request, pk: str, doc_id: str):
        app = visible_application(request.user, pk)
        document = find_document(app.pk, parse_id(doc_id))
        if document is None:
            raise Http404(_("No such document."))
        return delivery.stored(document)

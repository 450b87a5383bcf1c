"""The API's endpoints. Every change goes through approvals.workflow, so the API, the screens and
the admin share each rule; what a caller may see is Application.objects.visible_to(user)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from axes.helpers import get_cool_off
from django import forms
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError

# DRF's get_object_or_404: unlike Django's, a malformed id is a 404 too.
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from approvals import actions, permissions, uploads, workflow
from approvals.api import filters
from approvals.api import serializers as s
from approvals.api.documents import FileNegotiation
from approvals.api.errors import ERROR_REF
from approvals.api.parsers import BoundedJSONParser
from approvals.clocks import annotate_standing, standing
from approvals.holidays import work_calendar
from approvals.models import Alert, Application, Material, Notification, User
from approvals.selectors import api as selectors
from approvals.selectors.notifications import notifications_of


class LockedOut(APIException):
    """Too many wrong passwords for one user name from one address (django-axes): 429, with
    Retry-After in seconds (DRF's exception handler sets it from ``wait``)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self, cool_off_minutes: int) -> None:
        super().__init__(
            ngettext(
                "Too many wrong passwords for this user from this address: try again in %(n)d minute.",
                "Too many wrong passwords for this user from this address: try again in %(n)d minutes.",
                cool_off_minutes,
            )
            % {"n": cool_off_minutes}
        )
        self.wait = cool_off_minutes * 60


@extend_schema_serializer(component_name="AuthToken")  # the schema's name for it, as before
class TokenRequest(AuthTokenSerializer):
    # DRF's, with the user name bounded as the model bounds it: a longer one is refused before
    # authenticate() (whose failure django-axes records in a varchar(255): a 500 on PostgreSQL).
    # (A comment, not a docstring: the schema would show a docstring to the API's readers.)

    username = serializers.CharField(
        label=gettext_lazy("Username"), max_length=User._meta.get_field("username").max_length, write_only=True
    )


class TokenView(ObtainAuthToken):
    """POST a user name and password, get the user's token. DRF's serializer passes the request to
    authenticate(), so django-axes counts the wrong passwords here as on the sign-in page; it marks
    the DRF request (not the HttpRequest its middleware reads), so the lockout is answered here."""

    parser_classes = (FormParser, MultiPartParser, BoundedJSONParser)
    serializer_class = TokenRequest

    @extend_schema(
        request=TokenRequest,
        responses={
            200: TokenRequest,
            429: OpenApiResponse(ERROR_REF, description=gettext_lazy("Too many wrong passwords: wait and retry.")),
        },
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        valid = serializer.is_valid()
        if getattr(request, "axes_locked_out", False):
            raise LockedOut(int(get_cool_off(request).total_seconds() // 60))
        if not valid:
            raise ValidationError(serializer.errors)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


class ApplicationLookup:
    """What the application views share: the application the caller may see (a 404 otherwise),
    with its clocks, and the answer after a change."""

    def get_object(self) -> Application:
        try:
            app = super().get_object()
        except Http404:
            raise Http404(_("No such application.")) from None
        app.standing = standing(app, workflow.today(), work_calendar())
        return app

    def changed(self, pk: int, status_code: int = status.HTTP_200_OK) -> Response:
        """The application after the caller's change, even when the change took it out of their
        sight (a filing the provider returned to its applicant is a draft again): they saw it a
        moment ago, and the answer must not be a server error."""
        app = selectors.application(pk)
        app.standing = standing(app, workflow.today(), work_calendar())
        return Response(s.ApplicationDetailSerializer(app, context=self.get_serializer_context()).data, status_code)


ACTION_DESCRIPTION = gettext_lazy(
    "Runs the workflow action. 404: not visible to you; 403: not yours to take; 400: not possible "
    "now, or bad input (see fields); 409: someone else changed the application first."
)


class ActionSchema(AutoSchema):
    """An action's operation: its body the view's serializer (the description of the action's
    form), its answer the application, its summary the action's verb (approvals.catalogue)."""

    def get_response_serializers(self) -> type[serializers.Serializer]:
        return s.ApplicationDetailSerializer

    def get_summary(self) -> str:
        return self.view.get_view_name()

    def get_description(self) -> str:
        return self.view.get_view_description()


def cleaned(request: Request, form_for: Callable[[Mapping], forms.Form]) -> forms.Form:
    """The body validated by the form the page uses for it (``form_for(data)``), once: a 400
    naming each field otherwise (a JSON list or number has no fields to read)."""
    if not isinstance(request.data, Mapping):
        invalid = serializers.Serializer.default_error_messages["invalid"]
        raise ValidationError({"non_field_errors": [invalid.format(datatype=type(request.data).__name__)]})
    form = form_for(request.data)
    if not form.is_valid():
        raise ValidationError(
            {"non_field_errors" if key == "__all__" else key: errors for key, errors in form.errors.items()}
        )
    return form


class ActionView(ApplicationLookup, GenericAPIView):
    """POST /api/applications/{id}/<action>/: one workflow action (``action_name``, one of
    approvals.actions.ACTIONS; api/urls.py gives each its route). The body is validated once, by
    the action's form, as the application's page validates it; its cleaned values go to the
    workflow call that the page makes (``actions.RUNS``)."""

    action_name = ""  # set per route by as_view(action_name=...)
    schema = ActionSchema()
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet:
        return selectors.visible_applications(self.request.user)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        """The body's description, for the schema and OPTIONS; the form validates the body."""
        return s.ACTION_BODIES[self.action_name]

    def get_view_name(self) -> str:
        """The action's verb (approvals.catalogue): the schema's summary and OPTIONS's name."""
        return capfirst(workflow.ACTION_LABELS.get(self.action_name, self.action_name))

    def get_view_description(self, html: bool = False) -> str:
        """What the caller reads in the schema and in OPTIONS (not this class's docstring)."""
        return str(ACTION_DESCRIPTION)

    def post(self, request: Request, pk: str | None = None, format: str | None = None) -> Response:
        app = self.get_object()
        form = cleaned(request, lambda data: actions.make_form(self.action_name, app, data, prefixed=False))
        actions.ACTIONS[self.action_name].run(app, request.user, form.cleaned_data)
        return self.changed(app.pk)


class ApplicationViewSet(
    ApplicationLookup,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Applications the caller may see, with their clocks; create and edit drafts, add
    materials, and one POST endpoint per workflow action."""

    # (That docstring is the schema's description of these operations. The action endpoints are
    # ActionView's, declared in api/urls.py.)

    serializer_class = s.ApplicationSerializer
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]
    filter_backends = [filters.Filters]
    filterset_class = filters.ApplicationFilters

    def get_queryset(self) -> QuerySet:
        if self.action == "list":
            return selectors.applications(self.request.user, **self._filters())
        return selectors.visible_applications(self.request.user)

    def _filters(self) -> dict:
        """The list's query parameters (filters.ApplicationFilters) as selectors.applications
        takes them; a 400 naming each unknown parameter or malformed value."""
        chosen = filters.parsed(filters.ApplicationFilters, self.request)
        found = {
            "procedure": chosen.get("procedure"),
            "states": chosen.get("state"),
            "text": chosen.get("q"),
            "level": chosen.get("level"),
        }
        found = {name: value for name, value in found.items() if value}
        if "level" in found:
            found["today"] = workflow.today()  # the day the rows' own levels are read on (list())
        return found

    def get_serializer_class(self):
        return {
            "retrieve": s.ApplicationDetailSerializer,
            "create": s.ApplicationCreateSerializer,
            "partial_update": s.ApplicationUpdateSerializer,
        }.get(self.action, s.ApplicationSerializer)

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = annotate_standing(page, workflow.today(), work_calendar())
        return self.get_paginated_response(
            s.ApplicationSerializer(rows, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(request=s.ApplicationCreateSerializer, responses={201: s.ApplicationDetailSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        body = s.ApplicationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        provider = data.get("provider")
        app = workflow.create_application(
            request.user,
            data["procedure"],
            data["subject"],
            details=data.get("details") or {},
            provider_id=provider.pk if provider else None,
        )
        return self.changed(app.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.ApplicationUpdateSerializer, responses={200: s.ApplicationDetailSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        app = self.get_object()
        body = s.ApplicationUpdateSerializer(data=request.data, context={"procedure": app.procedure})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        provider = data.get("provider")
        workflow.update_draft(
            app.pk,
            request.user,
            subject=data["subject"],
            details=data.get("details"),
            provider_id=provider.pk if provider else None,
        )
        return self.changed(app.pk)

    @extend_schema(request=s.MaterialUploadSerializer, responses={201: s.MaterialSerializer})
    @action(detail=True, methods=["post"], url_path="materials", parser_classes=[MultiPartParser, FormParser])
    def materials(self, request: Request, pk: str | None = None) -> Response:
        app = self.get_object()
        body = s.MaterialUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        material = workflow.add_material(
            app.pk, request.user, body.validated_data["file"], description=body.validated_data.get("description", "")
        )
        return Response(s.MaterialSerializer(material).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})  # the material's own type (PDF, JPEG …)
    @action(
        detail=True,
        methods=["get"],
        url_path=r"materials/(?P<material_id>\d+)",
        url_name="material-download",
        content_negotiation_class=FileNegotiation,  # the file whatever Accept says (application/pdf: not 406)
    )
    def material_download(self, request: Request, pk: str | None = None, material_id: str | None = None):
        app = self.get_object()
        return uploads.serve(get_object_or_404(Material, pk=material_id, application=app))

    @extend_schema(
        request=None,
        responses={200: s.ApplicationDetailSerializer},
        summary=gettext_lazy("Remove a material from a draft"),
    )
    @material_download.mapping.delete
    def material_remove(self, request: Request, pk: str | None = None, material_id: str | None = None) -> Response:
        app = self.get_object()
        workflow.remove_material(app.pk, request.user, int(material_id))
        return self.changed(app.pk)

    @extend_schema(
        request=s.RateSerializer,
        responses={201: s.RatingSerializer},
        summary=gettext_lazy("Rate the service"),
        description=gettext_lazy("The applicant rates a case that has ended (好差评), once."),
    )
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, pk: str | None = None) -> Response:
        app = self.get_object()
        data = cleaned(request, actions.Rate).cleaned_data  # the page's form: s.RateSerializer describes it
        rating = workflow.rate(app.pk, request.user, data["level"], data["comment"])
        return Response(s.RatingSerializer(rating).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.FollowUpSerializer,
        responses={200: s.RatingSerializer},
        summary=gettext_lazy("Follow up a bad rating"),
        description=gettext_lazy("A manager of the department records how a bad rating was followed up."),
    )
    @action(detail=True, methods=["post"], url_path="rating/follow-up", url_name="rating-follow-up")
    def rating_follow_up(self, request: Request, pk: str | None = None) -> Response:
        app = self.get_object()
        note = cleaned(request, actions.FollowUp).cleaned_data["note"]  # s.FollowUpSerializer describes it
        rating = workflow.follow_up_rating(app.pk, request.user, note)
        return Response(s.RatingSerializer(rating).data)


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=gettext_lazy("How many notifications were marked read."))


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's notifications, newest first; ?unread=1 for the unread ones."""

    serializer_class = s.NotificationSerializer
    filter_backends = [filters.Filters]
    filterset_class = filters.NotificationFilters

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Notification.objects.none()
        unread = self.action == "list" and filters.parsed(filters.NotificationFilters, self.request).get("unread")
        return notifications_of(self.request.user, unread=bool(unread))

    @extend_schema(request=None, responses={200: s.NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = get_object_or_404(self.request.user.notifications, pk=pk)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(s.NotificationSerializer(notification).data)

    @extend_schema(request=None, responses={200: MarkedSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        count = self.request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
        return Response({"marked": count})


class AlertViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """SLA alerts of the applications the caller may see (staff only); ?level=, ?active=1."""

    serializer_class = s.AlertSerializer
    filter_backends = [filters.Filters]
    filterset_class = filters.AlertFilters

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Alert.objects.none()
        if not permissions.is_staff_member(self.request.user):
            raise PermissionDenied(_("Alerts are for the administration's staff."))
        chosen = filters.parsed(filters.AlertFilters, self.request)
        return selectors.alerts(self.request.user, level=chosen.get("level", ""), active=bool(chosen.get("active")))


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
def not_found(request: Request) -> Response:
    """Any other path under /api/ (the last URL pattern): a 404 in the API's error format."""
    raise NotFound(_("No such API endpoint."))

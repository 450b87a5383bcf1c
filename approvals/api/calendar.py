"""The API's calendar endpoints: each year's schedule, the two-step load of a new one (preview,
then confirm; administrators only), the loaded days and the deadline calculator."""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals import permissions, workflow
from approvals.api import serializers as s
from approvals.api.errors import ERROR_REF
from approvals.calendar import Pause, parse_day
from approvals.deadlines import DeadlineError, calculate
from approvals.holidays import ScheduleError, work_calendar
from approvals.models import CalendarDay, CalendarJob, CalendarYear, Procedure
from approvals.roles import Role
from approvals.workflow.calendar import PreviewNotQueued


@extend_schema_serializer(component_name="CalendarPreview")  # the one the schema shows
class CalendarUploadSerializer(s.CalendarPreviewSerializer):
    """A schedule upload: its preview (being counted while ``previewing``: the counts are 0 and
    ``moves`` empty until it is ``previewed``), then its load, with the progress of either."""

    total = serializers.IntegerField(
        help_text=gettext_lazy("While previewing or running: the open applications to check (0 until known).")
    )
    done = serializers.IntegerField(help_text=gettext_lazy("While previewing or running: those checked so far."))


class CalendarYearView(APIView):
    """Each year's schedule: official (published and loaded) or provisional."""

    @extend_schema(responses={200: s.CalendarYearSerializer(many=True)})
    def get(self, request: Request) -> Response:
        calendar = work_calendar()
        loaded = {year.year: year for year in CalendarYear.objects.all()}
        today = workflow.today()
        years = range(calendar.first_day.year, today.year + 2)
        rows = [
            {
                "year": year,
                "official": calendar.is_official_year(year),
                "source": loaded[year].source
                if year in loaded
                else ("chinesecalendar" if calendar.is_official_year(year) else ""),
            }
            for year in years
        ]
        return Response(s.CalendarYearSerializer(rows, many=True).data)

    @extend_schema(
        request=s.ScheduleUploadSerializer,
        responses={
            201: CalendarUploadSerializer,
            503: OpenApiResponse(
                ERROR_REF, description=gettext_lazy("The background worker could not be reached: nothing changed.")
            ),
        },
        summary=gettext_lazy("Preview a year's schedule (administrators)"),
        description=gettext_lazy(
            "Step 1 of 2. Reads and checks a holiday-cn JSON file, a date,type,name CSV or the State "
            "Council's notice as published (a file, or `text`), and counts in the background what loading "
            "it would do: every open due date that moves, old → new, and how many applications. The "
            "answer is the upload, `previewing` (with its progress, `done` of `total`) until the count is "
            "made, then `previewed`: GET its url to follow it. Nothing is loaded: POST the preview's "
            "`confirm` address to load it (step 2). A file with a single day is refused unless "
            "`correction` is true; 503 if the background worker cannot be reached."
        ),
    )
    def post(self, request: Request) -> Response:
        """Preview a year's schedule (administrators); nothing changes until it is confirmed."""
        _administrator(request)
        body = s.ScheduleUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        upload = data.get("file")
        field, name = ("file", upload.name) if upload is not None else ("text", _("(pasted text)"))
        try:
            job = workflow.preview_upload(
                upload if upload is not None else data["text"],
                name,
                year=data.get("year"),
                source=data.get("source", ""),
                correction=data["correction"],
                actor=request.user,
            )
        except ScheduleError as exc:
            raise ValidationError({field: [str(exc)]}) from None
        except PreviewNotQueued:
            raise WorkerUnreachable() from None
        response = Response(_preview(job), status=status.HTTP_201_CREATED)
        response["Location"] = reverse("api:calendar-preview", kwargs={"pk": job.pk})
        return response


def _administrator(request: Request) -> None:
    if permissions.role_of(request.user) != Role.ADMIN:
        raise PermissionDenied(_("Only administrators load holiday schedules."))


PREVIEW_COUNTS = (
    "entries",
    "holidays",
    "workdays",
    "applications",
    "provisional",
    "become_official",
    "stay_provisional",
)


def _preview(job: CalendarJob) -> dict:
    """A calendar upload as the API shows it: the page's preview, and where to confirm it."""
    preview = job.preview or {}
    body = {
        "id": job.pk,
        "url": reverse("api:calendar-preview", kwargs={"pk": job.pk}),
        "confirm": reverse("api:calendar-preview-confirm", kwargs={"pk": job.pk}),
        "status": job.status,
        "result": workflow.job_result_text(job.result),  # in the caller's language
        "year": job.year,
        "correction": preview.get("correction", False),
        "replaces": preview.get("replaces", []),
        "file_name": job.file_name,
        "source": job.source,
        "created_at": job.created_at,
        "total": job.total,
        "done": job.done,
        "first": preview.get("first"),
        "last": preview.get("last"),
        "was_official": preview.get("was_official", False),
        **{key: preview.get(key, 0) for key in PREVIEW_COUNTS},
        "moves": [
            dict(zip(("application", "tracking_number", "clock", "old", "new", "shift"), row[:6], strict=True))
            for row in preview.get("moves", [])
        ],
    }
    return CalendarUploadSerializer(body).data


class CalendarPreviewView(APIView):
    """A previewed schedule upload (administrators): what loading it would do, and then how its
    load went."""

    @extend_schema(responses={200: CalendarUploadSerializer})
    def get(self, request: Request, pk: int) -> Response:
        _administrator(request)
        return Response(_preview(_calendar_job(pk)))


class CalendarPreviewConfirmView(APIView):
    """Step 2 of 2: load a previewed schedule (administrators), once."""

    @extend_schema(
        request=None,
        responses={
            202: CalendarUploadSerializer,
            503: OpenApiResponse(
                ERROR_REF, description=gettext_lazy("The background worker could not be reached: nothing changed.")
            ),
        },
        summary=gettext_lazy("Load a previewed schedule (administrators)"),
        description=gettext_lazy(
            "Loads the schedule exactly as previewed, in the background: the answer is the preview with "
            "its status (queued, running, done or failed; GET its url to follow it). 409 if it was "
            "already confirmed, if its preview is still being counted, or if the calendar changed since "
            "the preview (another load came first: preview again)."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        _administrator(request)
        job = _calendar_job(pk)
        outcome = workflow.confirm_job(job, actor=request.user)
        if outcome == "previewing":
            raise StillPreviewing()
        if outcome == "confirmed":
            raise AlreadyConfirmed()
        if outcome == "stale":
            raise StalePreview(workflow.stale_preview_message())
        if outcome == "unreachable":
            raise WorkerUnreachable()
        job.refresh_from_db()
        return Response(_preview(job), status=status.HTTP_202_ACCEPTED)


def _calendar_job(pk: int) -> CalendarJob:
    job = CalendarJob.objects.filter(pk=pk).first()
    if job is None:
        raise Http404(_("No such preview."))
    return job


class AlreadyConfirmed(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "already_confirmed"
    default_detail = gettext_lazy("This upload was already confirmed.")


class StillPreviewing(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "still_previewing"
    default_detail = gettext_lazy("This upload's preview is still being counted: confirm it once it is previewed.")


class StalePreview(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "stale_preview"


class WorkerUnreachable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "worker_unavailable"
    default_detail = gettext_lazy("The background worker could not be reached: nothing was changed. Try again.")


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("year", int, description=gettext_lazy("Four digits, e.g. 2027."))])
)
class CalendarDayViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The loaded schedule entries (holidays and adjusted working days); ?year=YYYY."""

    serializer_class = s.CalendarDaySerializer

    def get_queryset(self) -> QuerySet:
        rows = CalendarDay.objects.all()
        year = self.request.query_params.get("year")
        if year:
            # ASCII digits only: str.isdigit() takes "²", which int() refuses; year 0 has no dates.
            if not re.fullmatch(r"[1-9][0-9]{3}", year):
                raise ValidationError({"year": [_("A year is four digits.")]})
            rows = rows.filter(date__year=int(year))
        return rows.order_by("date")


class DeadlineQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Procedure.choices)
    start = serializers.DateField()
    received = serializers.DateField(required=False)
    extend = serializers.IntegerField(required=False, default=0, min_value=0)
    pause = serializers.ListField(
        child=serializers.RegexField(r"^\d{4}-\d{2}-\d{2}:\d{4}-\d{2}-\d{2}$"),
        required=False,
        help_text=gettext_lazy("STOP:RESUME, repeatable."),
    )


class DeadlineView(APIView):
    """The deadline calculator: the same answers as `manage.py deadline --json`."""

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, required=True, enum=Procedure.values),
            OpenApiParameter("start", OpenApiTypes.DATE, required=True),
            OpenApiParameter("received", OpenApiTypes.DATE),
            OpenApiParameter("extend", int),
            OpenApiParameter("pause", str, many=True, description=gettext_lazy("STOP:RESUME, two ISO dates")),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        query = DeadlineQuerySerializer(
            data={**request.query_params.dict(), "pause": request.query_params.getlist("pause")}
        )
        query.is_valid(raise_exception=True)
        data = query.validated_data
        pauses = []
        for raw in data.get("pause", []):
            stop, resume = raw.split(":")
            try:
                pauses.append(Pause(parse_day(stop), parse_day(resume)))
            except ValueError:
                raise ValidationError({"pause": [_("%(raw)s: not two valid dates") % {"raw": raw}]}) from None
        try:
            answer = calculate(
                data["kind"],
                data["start"],
                pauses=pauses,
                extension=data.get("extend", 0),
                received=data.get("received"),
            )
        except DeadlineError as exc:
            raise ValidationError({"non_field_errors": [str(exc)]}) from None
        return Response(answer.as_dict())

"""The monthly on-time report as JSON: the same figures as the report page, its CSV and its XLSX
(approvals.reports computes them), for managers (their department) and administrators (every
department, or ``?department=``)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals import workflow
from approvals.holidays import work_calendar
from approvals.reports import NotBegun, begun_month, last_complete_month, monthly_report
from approvals.selectors.scope import scope_for


class ReportRowSerializer(serializers.Serializer):
    procedure = serializers.CharField(help_text=_("The procedure's code; empty for the total of all procedures."))
    label = serializers.CharField()
    decided = serializers.IntegerField(help_text=_("Cases decided in the month."))
    on_time = serializers.IntegerField(help_text=_("Decided on or before the promised due date."))
    on_time_rate = serializers.FloatField(
        allow_null=True, help_text=_("On time in percent, one decimal; null when nothing was decided.")
    )
    late = serializers.IntegerField()
    statutory_breaches = serializers.IntegerField(help_text=_("Decided after the statutory due date."))
    average_used = serializers.FloatField(
        allow_null=True, help_text=_("Average working days used (special procedures not counted), two decimals.")
    )
    p90_used = serializers.IntegerField(
        allow_null=True, help_text=_("90th percentile of the working days used, nearest-rank method.")
    )
    limit = serializers.IntegerField(
        allow_null=True,
        help_text=_("The promised limit in working days at the end of the month; null for the total."),
    )
    extensions = serializers.IntegerField(help_text=_("Decided cases with an approved extension."))
    special_procedures = serializers.IntegerField(help_text=_("Special procedures (pauses) of the decided cases."))
    repeated_corrections = serializers.IntegerField(help_text=_("Decided cases with a second correction notice."))
    deemed_acceptances = serializers.IntegerField(help_text=_("Decided cases that were deemed accepted."))
    ratings = serializers.IntegerField(help_text=_("Ratings given in the month."))
    average_rating = serializers.FloatField(allow_null=True, help_text=_("Average of the ratings (1-5)."))
    bad_ratings = serializers.IntegerField(help_text=_("Ratings in the bottom two levels."))


class MonthlyReportSerializer(serializers.Serializer):
    month = serializers.CharField(help_text=_("YYYY-MM"))
    start = serializers.DateField()
    end = serializers.DateField()
    complete = serializers.BooleanField(help_text=_("Whether the month has ended (false: the figures so far)."))
    department = serializers.IntegerField(allow_null=True, help_text=_("null: every department."))
    department_name = serializers.CharField(allow_null=True)
    procedures = ReportRowSerializer(many=True)
    total = ReportRowSerializer()


class MonthlyReportView(APIView):
    """The monthly on-time report of one month."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "month",
                str,
                description=_("YYYY-MM; by default the last month that has ended."),
                pattern=r"^\d{4}-\d{2}$",
            ),
            OpenApiParameter("department", int, description=_("Administrators: one department's report.")),
        ],
        responses={200: MonthlyReportSerializer},
        description=_(
            "Managers get their department's figures, administrators every department's (or one's). "
            "403 for everyone else; 400 for a month that is not YYYY-MM or has not begun."
        ),
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        scope = scope_for(request.user, params.get("department", ""))
        if scope is None:
            raise PermissionDenied(_("Reports are for managers and administrators."))
        if scope.is_admin and params.get("department") and scope.department is None:
            raise ValidationError({"department": [_("No such department.")]})
        today = workflow.today()
        month = last_complete_month(today)
        if params.get("month"):
            try:
                month = begun_month(params["month"], today)
            except NotBegun:
                raise ValidationError({"month": [_("%(month)s has not begun.") % {"month": params["month"]}]}) from None
            except ValueError:
                raise ValidationError(
                    {"month": [_("“%(month)s” is not a month: write it as YYYY-MM.") % {"month": params["month"]}]}
                ) from None
        report = monthly_report(scope, month, work_calendar())
        body = {
            "month": report.key,
            "start": report.month,
            "end": report.end,
            "complete": report.end < today,
            "department": scope.department.pk if scope.department else None,
            "department_name": scope.department.name if scope.department else None,
            "procedures": report.rows,
            "total": report.total,
        }
        return Response(MonthlyReportSerializer(body).data)


urlpatterns = [path("monthly/", MonthlyReportView.as_view(), name="reports-monthly")]

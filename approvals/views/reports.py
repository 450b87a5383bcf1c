"""The monthly on-time report (managers and administrators) as a page, a CSV and an XLSX
workbook, and its public publication (定期公布) without any personal data.

The figures come from ``approvals.reports``; this module only lays them out. A manager's report
covers their department; an administrator's every department or the one chosen with
``?department=``. The publication covers every department and only months that have ended.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals import workflow
from approvals.holidays import work_calendar
from approvals.reports import (
    COLUMNS,
    PUBLIC_COLUMNS,
    Column,
    MonthlyReport,
    NotBegun,
    begun_month,
    cells,
    last_complete_month,
    monthly_report,
    months_back,
)
from approvals.selectors.publication import published_reports
from approvals.selectors.scope import Scope
from approvals.views.common import report_scope

PICKER_MONTHS = 36  # how many months back the report's month picker offers
PUBLISHED_MONTHS = 12  # how many ended months the publication lists


def month_label(month: date) -> str:
    """ "March 2026", "2026年3月"."""
    return date_format(month, "YEAR_MONTH_FORMAT")


def check_month(text: str, today: date) -> date:
    """The month ``text`` names (YYYY-MM), if it has begun by ``today``; ValidationError otherwise."""
    try:
        return begun_month(text, today)
    except NotBegun:
        message = _("%(month)s has not begun: there is nothing to report yet.")
    except ValueError:
        message = _("“%(month)s” is not a month: write it as YYYY-MM, for example 2026-03.")
    raise ValidationError(message % {"month": text})


class MonthForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("Month"), required=False)

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        this_month = months_back(today, 0)
        choices = [(this_month.strftime("%Y-%m"), _("%(month)s (so far)") % {"month": month_label(this_month)})]
        for n in range(1, PICKER_MONTHS + 1):
            month = months_back(today, n)
            choices.append((month.strftime("%Y-%m"), month_label(month)))
        try:  # a month older than the list (a bookmarked address) is still shown as chosen
            chosen = check_month(self.data.get("month", ""), today) if self.is_bound else None
        except ValidationError:
            chosen = None
        if chosen is not None and chosen < months_back(today, PICKER_MONTHS):
            choices.append((chosen.strftime("%Y-%m"), month_label(chosen)))
        self.fields["month"].widget = forms.Select(choices=choices)
        self.fields["month"].initial = last_complete_month(today).strftime("%Y-%m")

    def clean_month(self) -> date:
        text = self.cleaned_data["month"]
        return check_month(text, self.today) if text else last_complete_month(self.today)


# -- the table, as every format lays it out ------------------------------------------------------------


def display(value: int | Decimal | None, column: Column) -> str:
    """A figure as the page shows it."""
    if value is None:
        return "—"
    return f"{value}%" if column.kind == "percent" else str(value)


@dataclass
class Line:
    label: str
    cells: list[str]
    total: bool = False


def lines(report: MonthlyReport, columns: tuple[Column, ...]) -> list[Line]:
    return [
        Line(row.label, [display(row.value(c.key), c) for c in columns], total=row is report.total)
        for row in report.all_rows
    ]


def _title(report: MonthlyReport, scope: Scope) -> str:
    where = str(scope.department) if scope.department else _("All departments")
    return _("On-time report, %(month)s, %(where)s") % {"month": month_label(report.month), "where": where}


def _filename(report: MonthlyReport, scope: Scope, extension: str) -> str:
    suffix = f"-{scope.department.pk}" if scope.department and scope.is_admin else ""
    return f"shixian-report-{report.key}{suffix}.{extension}"


def report_csv(report: MonthlyReport) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads the Chinese labels right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Procedure"), *(str(c.label) for c in COLUMNS)])
    for row in report.all_rows:
        writer.writerow([row.label, *("" if v is None else str(v) for v in cells(row))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def report_xlsx(report: MonthlyReport, scope: Scope) -> bytes:
    """A title row, a line saying what is counted, a bold header, then one row per procedure and
    the total. Figures are numbers: percentages as fractions with a percent format."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = report.key
    sheet.append([_title(report, scope)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(
        [
            _(
                "Cases decided from %(start)s to %(end)s. Working days exclude special procedures; "
                "ratings are those given in the month."
            )
            % {"start": report.month.isoformat(), "end": report.end.isoformat()}
        ]
    )
    sheet["A2"].font = Font(italic=True, color="555555")
    sheet.append([_("Procedure"), *(str(c.label) for c in COLUMNS)])
    header = sheet.max_row
    for cell in sheet[header]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E5E7EB")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.row_dimensions[header].height = 45
    formats = {"percent": "0.0%", "decimal": "0.00", "days": "0", "count": "0"}
    for row in report.all_rows:
        values: list = [row.label]
        for column in COLUMNS:
            value = row.value(column.key)
            if value is not None and column.kind == "percent":
                value = float(row.on_time_share)  # the exact share; the cell's format shows 75.0%
            elif isinstance(value, Decimal):
                value = float(value)
            values.append(value)
        sheet.append(values)
        for index, column in enumerate(COLUMNS, start=2):
            sheet.cell(sheet.max_row, index).number_format = formats[column.kind]
        if row is report.total:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 36
    for index in range(2, len(COLUMNS) + 2):
        sheet.column_dimensions[get_column_letter(index)].width = 14
    sheet.freeze_panes = sheet.cell(header + 1, 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- the pages -------------------------------------------------------------------------------------------


def _page(
    request: HttpRequest, scope: Scope, form: MonthForm, month: date, status: int = 200, error: str = ""
) -> HttpResponse:
    today = workflow.today()
    report = monthly_report(scope, month, work_calendar())
    query = f"?{scope.query}" if scope.query else ""
    context = {
        "scope": scope,
        "form": form,
        "report": report,
        "month_label": month_label(month),
        "complete": month < months_back(today, 0),
        "today": today,
        "procedures": report.rows,
        "figures": [
            {"label": column.label, "cells": [display(row.value(column.key), column) for row in report.all_rows]}
            for column in COLUMNS
        ],
        "csv_url": reverse("approvals:report-csv", args=[report.key]) + query,
        "xlsx_url": reverse("approvals:report-xlsx", args=[report.key]) + query,
        "error": error,
    }
    return render(request, "approvals/reports/report.html", context, status=status)


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    scope = report_scope(request)
    today = workflow.today()
    form = MonthForm(request.GET or None, today=today)
    if form.is_bound and not form.is_valid():
        return _page(request, scope, form, last_complete_month(today), status=400)
    month = form.cleaned_data["month"] if form.is_bound else last_complete_month(today)
    return _page(request, scope, form, month)


def _download(request: HttpRequest, month: str, extension: str) -> HttpResponse:
    scope = report_scope(request)
    today = workflow.today()
    try:
        first = check_month(month, today)
    except ValidationError as exc:
        form = MonthForm(today=today)
        return _page(request, scope, form, last_complete_month(today), status=404, error=exc.messages[0])
    report = monthly_report(scope, first, work_calendar())
    if extension == "csv":
        response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            report_xlsx(report, scope),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, scope, extension)}"'
    return response


@login_required
def report_csv_view(request: HttpRequest, month: str) -> HttpResponse:
    return _download(request, month, "csv")


@login_required
def report_xlsx_view(request: HttpRequest, month: str) -> HttpResponse:
    return _download(request, month, "xlsx")


def published(request: HttpRequest) -> HttpResponse:
    """The public on-time publication: every department's figures for the months that have
    ended, newest first, from the first month anything was decided (at most PUBLISHED_MONTHS).
    Only counts and averages by procedure: no officer, organisation, applicant or case."""
    today = workflow.today()
    reports = published_reports(today, work_calendar(), PUBLISHED_MONTHS)
    months = [
        {"key": r.key, "label": month_label(r.month), "report": r, "lines": lines(r, PUBLIC_COLUMNS)} for r in reports
    ]
    context = {"months": months, "columns": PUBLIC_COLUMNS, "today": today}
    return render(request, "approvals/reports/published.html", context)


urlpatterns = [
    path("reports/", report_page, name="reports"),
    path("reports/<str:month>.csv", report_csv_view, name="report-csv"),
    path("reports/<str:month>.xlsx", report_xlsx_view, name="report-xlsx"),
    path("published/", published, name="published"),
]

"""The holiday calendar page, for administrators.

Each year's status (official, from the chinesecalendar package or a loaded notice, or
provisional), its holidays and adjusted working days, and how many open applications have a
provisional due date in it. An administrator uploads a year's schedule (holiday-cn JSON, the
date,type,name CSV, or the notice's text, uploaded or pasted), possibly marked as a correction.
The load is the workflow's (``approvals.workflow.calendar``): the page hands the upload to
``workflow.preview_upload`` (checked, previewed, nothing changes, kept in a ``CalendarJob``),
confirming calls ``workflow.confirm_job`` (queued in django-q2), and the job's page polls the
run's progress with htmx.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from approvals import permissions, workflow
from approvals.holidays import (
    MAX_BYTES,
    MAX_SOURCE,
    ScheduleError,
)
from approvals.models import CalendarJob
from approvals.notifications import moved_clock_label
from approvals.selectors.calendar import recent_jobs, year_rows
from approvals.views.common import permitted
from approvals.workflow.calendar import PreviewNotQueued

MAX_UPLOAD = MAX_BYTES  # a year's notice is a few kilobytes; anything near a megabyte is the wrong file
STALLED_AFTER = timedelta(minutes=10)
MOVES_PER_PAGE = 100
RECENT_JOBS = 10
ACTIVE = (CalendarJob.Status.PREVIEWING, CalendarJob.Status.QUEUED, CalendarJob.Status.RUNNING)
WORKING = (CalendarJob.Status.PREVIEWING, CalendarJob.Status.RUNNING)  # the tasks that report progress
FINISHED = (CalendarJob.Status.DONE, CalendarJob.Status.FAILED)


administrators_only = permitted(permissions.is_administrator)


# -- the upload ---------------------------------------------------------------------------------


class UploadForm(forms.Form):
    """A year's schedule: a file, or the notice's text pasted (either one), which the view hands
    to ``workflow.preview_upload`` to read and check like every other load."""

    file = forms.FileField(
        label=gettext_lazy("Schedule file"),
        required=False,
        help_text=gettext_lazy(
            "A holiday-cn JSON file, a CSV file with the header date,type,name (type: holiday or workday), "
            "or the notice's text as a .txt file; at most 1 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.csv,.txt,application/json,text/csv,text/plain"}),
    )
    text = forms.CharField(
        label=gettext_lazy("Or paste the notice"),
        required=False,
        strip=False,
        help_text=gettext_lazy(
            "The State Council's notice as published (国务院办公厅关于…年部分节假日安排的通知), copied whole "
            "from gov.cn: its title, its festivals' lines, the rest is ignored. JSON or CSV text works too."
        ),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        required=False,
        min_value=2000,
        max_value=9998,
        help_text=gettext_lazy("Only if the text does not say it: the notice's title names its year."),
    )
    source = forms.CharField(
        label=gettext_lazy("Source notice"),
        required=False,
        max_length=MAX_SOURCE,
        help_text=gettext_lazy(
            "The State Council notice's title or address (a holiday-cn JSON file names its own papers, "
            "a notice's text its title and number)."
        ),
    )
    correction = forms.BooleanField(
        label=gettext_lazy("A correction"),
        required=False,
        help_text=gettext_lazy(
            "Merge it into the year's loaded schedule date by date, leaving the other days as they are "
            "(a follow-up notice, such as 2019's Labour Day one, is a correction by itself). A file with a "
            "single day can only be loaded as a correction."
        ),
    )

    upload: UploadedFile | str  # the file, or the pasted text
    field: str  # the field it came in: the one an error in it belongs to
    file_name: str

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and upload.size > MAX_UPLOAD:
            raise forms.ValidationError(
                _("“%(name)s” is %(size)s KB; a schedule file may be at most 1 MB.")
                % {"name": upload.name, "size": upload.size // 1024}
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        upload, text = cleaned.get("file"), cleaned.get("text") or ""
        if upload and text.strip():
            raise forms.ValidationError(_("Upload a file or paste the notice, not both."))
        if not upload and not text.strip():
            raise forms.ValidationError(_("Upload a schedule file or paste the notice's text."))
        if upload:
            self.field, self.file_name, self.upload = "file", upload.name, upload
        else:
            self.field, self.file_name, self.upload = "text", _("(pasted text)"), text
        return cleaned


@administrators_only
def calendar_page(request: HttpRequest) -> HttpResponse:
    """The years, recent uploads and the upload form; a POST uploads and goes to the preview."""
    form = UploadForm()
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = workflow.preview_upload(
                    form.upload,
                    form.file_name,
                    year=data.get("year"),
                    source=data.get("source", "").strip(),
                    correction=data.get("correction", False),
                    actor=request.user,
                )
            except ScheduleError as exc:
                form.add_error(
                    form.field, _("%(file)s: %(error)s; nothing was changed") % {"file": form.file_name, "error": exc}
                )
            except PreviewNotQueued as exc:
                messages.error(request, str(exc))
                return redirect("approvals:calendar-job", pk=exc.job.pk)
            else:
                return redirect("approvals:calendar-job", pk=job.pk)
        status = 400
    today = workflow.today()
    rows, provisional_total = year_rows(today)
    recent_after = today.year - 2
    context = {
        "form": form,
        "recent": [row for row in rows if row.year >= recent_after],
        "earlier": [row for row in rows if row.year < recent_after],
        "earliest": rows[-1].year,
        "recent_after": recent_after,
        "provisional_total": provisional_total,
        "jobs": recent_jobs(RECENT_JOBS),
        "max_upload": MAX_UPLOAD,
    }
    return render(request, "approvals/staff/calendar.html", context, status=status)


# -- a job: preview, confirm, progress ------------------------------------------------------------


def _job_context(request: HttpRequest, job: CalendarJob) -> dict:
    preview = job.preview or {}
    page = Paginator(preview.get("moves", []), MOVES_PER_PAGE).get_page(request.GET.get("page"))
    moves = [
        {
            "application_id": row[0],
            "tracking_number": row[1],
            "field": moved_clock_label(row[2]),
            "old": row[3],
            "new": row[4],
            "shift": row[5],
            "steps": abs(row[5]) if row[5] is not None else None,
            "days": abs(row[6]) if row[6] is not None else None,
        }
        for row in page
    ]
    percent = 100 if job.status == CalendarJob.Status.DONE else (job.done * 100 // job.total if job.total else 0)
    # A worker that was killed (the task's time limit, a restart) leaves the job previewing or
    # running for ever: say so after a while without progress, so that the administrator uploads
    # again.
    stalled = job.status in WORKING and timezone.now() - job.updated_at > STALLED_AFTER
    return {
        "stalled": stalled,
        "job": job,
        "result": workflow.job_result_text(job.result),  # in the reader's language
        "preview": preview,
        "page": page,
        "moves": moves,
        "percent": percent,
        "active": job.status in ACTIVE,
        "finished": job.status in FINISHED,
        # Whether the preview's counts are there: not while it is being made, nor when making it failed.
        "counted": "moves" in preview,
    }


@administrators_only
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    """An upload being previewed (its progress), then previewed with its Confirm button; once
    confirmed, the progress and the result."""
    job = get_object_or_404(CalendarJob.objects.select_related("created_by"), pk=pk)
    return render(request, "approvals/staff/calendar_job.html", _job_context(request, job))


@administrators_only
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress box alone, which the job page polls while the job is previewed, queued or running."""
    job = get_object_or_404(CalendarJob, pk=pk)
    response = render(request, "approvals/staff/calendar_progress.html", _job_context(request, job))
    if job.status not in ACTIVE and request.headers.get("HX-Request"):
        # The whole page changes at the end (its status, its headings), and once previewed (the
        # moves, the Confirm button).
        response["HX-Refresh"] = "true"
    return response


@administrators_only
@require_POST
def job_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm a preview: queue the load in the background (once, whatever is clicked twice)."""
    job = get_object_or_404(CalendarJob, pk=pk)
    outcome = workflow.confirm_job(job, actor=request.user)
    if outcome == "previewing":
        messages.warning(request, _("This upload's preview is still being counted: confirm it once it is previewed."))
    elif outcome == "confirmed":
        messages.warning(request, _("This upload was already confirmed."))
    elif outcome == "stale":
        messages.error(request, workflow.stale_preview_message())
    elif outcome == "unreachable":
        messages.error(request, _("The background worker could not be reached: nothing was changed. Try again."))
    return redirect("approvals:calendar-job", pk=job.pk)


urlpatterns = [
    path("calendar/", calendar_page, name="calendar"),
    path("calendar/jobs/<int:pk>/", job_page, name="calendar-job"),
    path("calendar/jobs/<int:pk>/progress/", job_progress, name="calendar-job-progress"),
    path("calendar/jobs/<int:pk>/apply/", job_apply, name="calendar-job-apply"),
]

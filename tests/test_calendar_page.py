"""The holiday calendar page: the years and their status, an upload previewed then applied in
the background (django-q2 runs the task inline in tests), its progress, and who may use it."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from approvals import workflow
from approvals.models import Application, AuditEvent, CalendarDay, CalendarJob, CalendarYear, Notification, Procedure
from tests.cast import Cast, browser
from tests.reference import HOLIDAY_CN

D = date.fromisoformat
SAMPLE_2027 = HOLIDAY_CN / "sample-2027.json"


def upload(name: str, content: bytes, content_type: str = "application/json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def sample() -> SimpleUploadedFile:
    return upload("2027.json", SAMPLE_2027.read_bytes())


@pytest.fixture
def december(cast: Cast, now) -> dict[str, Application]:
    """Late December 2026, when 2027's notice is not loaded: a licence accepted on Thursday
    17 December is due on Monday 25 January 2027 (provisional), a number-resource case accepted
    on 15 December on Tuesday 29 December (official), a withdrawn case is left alone."""
    now(D("2026-12-18"))
    licence = cast.under_review(received=D("2026-12-17"), accepted=D("2026-12-17"))
    numbers = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-12-14"), accepted=D("2026-12-15"))
    closed = cast.under_review(received=D("2026-12-16"), accepted=D("2026-12-16"))
    workflow.withdraw(closed.pk, cast.alice, "不再需要", on=D("2026-12-18"))
    now(D("2026-12-20"))
    return {"licence": Application.objects.get(pk=licence.pk), "numbers": Application.objects.get(pk=numbers.pk)}


def test_the_page_lists_each_year_with_its_status_and_the_provisional_cases(cast: Cast, december) -> None:
    assert december["licence"].provisional and december["licence"].due_date == D("2027-01-25")
    page = browser(cast.root).get("/calendar/").content.decode()
    assert "2027" in page and "2026" in page and "2004" in page  # from the earliest year to next year
    row_2027 = page.split("<strong>2027</strong>")[1].split("</tr>")[0]
    assert "provisional" in row_2027 and ">2</strong>" in row_2027  # both open cases reach into 2027
    row_2026 = page.split("<strong>2026</strong>")[1].split("</tr>")[0]
    assert "official" in row_2026 and "chinesecalendar package" in row_2026
    assert ">33<" in row_2026 and ">6<" in row_2026  # 2026's holidays and adjusted working days
    assert "open applications have a due date that depends on a provisional year" in page


def test_uploading_the_sample_previews_then_applies_it_in_the_background(cast: Cast, december) -> None:
    root = browser(cast.root)
    licence = december["licence"]
    response = root.post("/calendar/", {"file": sample()})
    job = CalendarJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/calendar/jobs/{job.pk}/"
    # The preview changes nothing but is kept on the job, with the file.
    assert (job.status, job.year, job.file_name) == (CalendarJob.Status.PREVIEWED, 2027, "2027.json")
    assert job.content == SAMPLE_2027.read_text(encoding="utf-8")
    assert not CalendarYear.objects.filter(year=2027).exists() and not CalendarDay.objects.exists()
    assert Application.objects.get(pk=licence.pk).due_date == D("2027-01-25")
    assert not AuditEvent.objects.filter(action="due_date_moved").exists()
    preview = job.preview
    assert (len(preview["moves"]), preview["applications"]) == (3, 2)
    assert (preview["provisional"], preview["become_official"], preview["stay_provisional"]) == (2, 2, 0)

    page = root.get(response["Location"]).content.decode()
    assert f'href="/applications/{licence.pk}/"' in page and licence.tracking_number in page
    assert "2027-01-25" in page and "2027-01-22" in page
    assert "1 working day earlier" in page  # Sun 27 Dec 2026 becomes a working day
    numbers = december["numbers"]
    assert numbers.tracking_number in page and "2026-12-29" in page and "2026-12-28" in page
    assert "provisional applications become official" in page
    assert f'action="/calendar/jobs/{job.pk}/apply/"' in page

    response = root.post(f"/calendar/jobs/{job.pk}/apply/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == CalendarJob.Status.DONE, job.result
    assert (job.done, job.total) == (2, 2)
    assert "2027 schedule loaded: 33 entries added" in job.result and "Due dates moved: 2." in job.result
    licence = Application.objects.get(pk=licence.pk)
    assert (licence.due_date, licence.provisional) == (D("2027-01-22"), False)
    assert CalendarYear.objects.get(year=2027).official
    assert AuditEvent.objects.filter(action="due_date_moved").count() == 2
    assert Notification.objects.filter(kind="due_date_moved", recipient=cast.alice).count() == 2

    page = root.get(f"/calendar/jobs/{job.pk}/").content.decode()
    assert "Due dates moved: 2." in page and "hx-trigger" not in page  # finished: no more polling
    # Confirming twice queues nothing more.
    response = root.post(f"/calendar/jobs/{job.pk}/apply/", follow=True)
    assert "already confirmed" in response.content.decode()
    assert AuditEvent.objects.filter(action="due_date_moved").count() == 2
    row_2027 = root.get("/calendar/").content.decode().split("<strong>2027</strong>")[1].split("</tr>")[0]
    assert "official" in row_2027 and "loaded from the notice" in row_2027


def test_the_progress_box_polls_while_the_job_runs_and_stops_when_it_ends(cast: Cast, december) -> None:
    root = browser(cast.root)
    root.post("/calendar/", {"file": sample()})
    job = CalendarJob.objects.get()
    CalendarJob.objects.filter(pk=job.pk).update(status=CalendarJob.Status.RUNNING, done=200, total=800)
    page = root.get(f"/calendar/jobs/{job.pk}/").content.decode()
    assert f'hx-get="/calendar/jobs/{job.pk}/progress/"' in page and 'hx-trigger="every 1s"' in page
    partial = root.get(f"/calendar/jobs/{job.pk}/progress/").content.decode()
    assert "<html" not in partial and 'value="200"' in partial and "200 of 800" in partial and "(25%)" in partial
    assert "hx-trigger" in partial
    assert "HX-Refresh" not in root.get(f"/calendar/jobs/{job.pk}/progress/", headers={"HX-Request": "true"})
    CalendarJob.objects.filter(pk=job.pk).update(status=CalendarJob.Status.FAILED, result="database went away")
    partial = root.get(f"/calendar/jobs/{job.pk}/progress/").content.decode()
    assert "database went away" in partial and "hx-trigger" not in partial
    # At the end htmx reloads the whole page, whose status and headings change too.
    polled = root.get(f"/calendar/jobs/{job.pk}/progress/", headers={"HX-Request": "true"})
    assert polled["HX-Refresh"] == "true"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "bad.json",
            b'{"year": 2027, "days": [{"name": "x", "date": "2027-01-04", "isOffDay": "no"}]}',
            "days[0] (2027-01-04): isOffDay must be true or false, not &#x27;no&#x27;",
        ),
        ("bad.csv", "date,type,name\n2027-01-01,holiday,元旦\n2027-02-30,holiday,春节\n".encode(), "line 3"),
        ("bad.csv", b"day,kind\n2027-01-01,holiday\n", "the header must be exactly: date,type,name"),
        ("big.json", b"{" + b" " * (1024 * 1024 + 1) + b"}", "at most 1 MB"),
        ("latin1.csv", "date,type,name\n2027-01-01,holiday,fête\n".encode("latin-1"), "is not UTF-8 text"),
    ],
)
def test_a_bad_file_names_the_bad_entry_and_changes_nothing(cast: Cast, december, name, content, message) -> None:
    response = browser(cast.root).post("/calendar/", {"file": upload(name, content)})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "nothing was changed" in page or name == "big.json"
    assert not CalendarJob.objects.exists() and not CalendarDay.objects.exists()
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert Application.objects.get(pk=december["licence"].pk).due_date == D("2027-01-25")


def test_a_csv_schedule_is_accepted_too(cast: Cast, december) -> None:
    csv = "date,type,name\n2026-12-27,workday,元旦\n2027-01-01,holiday,元旦\n2027-02-08,holiday,春节\n"
    response = browser(cast.root).post("/calendar/", {"file": upload("2027.csv", csv.encode(), "text/csv")})
    assert response.status_code == 302
    job = CalendarJob.objects.get()
    assert (job.year, job.preview["entries"], job.preview["holidays"], job.preview["workdays"]) == (2027, 3, 2, 1)


def test_only_administrators_use_the_calendar_page(cast: Cast, december) -> None:
    browser(cast.root).post("/calendar/", {"file": sample()})
    job = CalendarJob.objects.get()
    urls = ["/calendar/", f"/calendar/jobs/{job.pk}/", f"/calendar/jobs/{job.pk}/progress/"]
    for user in (cast.alice, cast.pat, cast.olga, cast.mia):
        client = browser(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
        assert client.post("/calendar/", {"file": sample()}).status_code == 403
        assert client.post(f"/calendar/jobs/{job.pk}/apply/").status_code == 403
    for url in urls:
        assert Client().get(url)["Location"].startswith("/accounts/login/")
    assert CalendarJob.objects.get().status == CalendarJob.Status.PREVIEWED
    assert browser(cast.root).get(f"/calendar/jobs/{job.pk}/apply/").status_code == 405


def test_the_page_speaks_chinese_by_default(cast: Cast, december) -> None:
    page = browser(cast.root, language="zh-hans").get("/calendar/").content.decode()
    assert '<html lang="zh-hans">' in page


def test_when_the_worker_cannot_be_reached_the_preview_stays_to_confirm_again(
    cast: Cast, december, monkeypatch
) -> None:
    import django_q.tasks

    def unreachable(*args, **kwargs):
        raise ConnectionError("broker down")

    root = browser(cast.root)
    root.post("/calendar/", {"file": sample()})
    job = CalendarJob.objects.get()
    monkeypatch.setattr(django_q.tasks, "async_task", unreachable)
    page = root.post(f"/calendar/jobs/{job.pk}/apply/", follow=True).content.decode()
    assert "The background worker could not be reached: nothing was changed." in page
    assert CalendarJob.objects.get().status == CalendarJob.Status.PREVIEWED
    assert f'action="/calendar/jobs/{job.pk}/apply/"' in page
    assert not CalendarYear.objects.filter(year=2027).exists()

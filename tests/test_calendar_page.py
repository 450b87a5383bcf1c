"""The holiday calendar page: the years and their status, an upload previewed then applied in
the background (django-q2 runs the task inline in tests), its progress, and who may use it."""

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from approvals import workflow
from approvals.models import Application, AuditEvent, CalendarDay, CalendarJob, CalendarYear, Notification, Procedure
from tests import reference
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
    """Late December 2026, when 2027's notice is not loaded: a licence received on Friday 11 and
    accepted on Thursday 17 December is due on Monday 25 January 2027 (promised: certain days
    only); its statutory 60 days end on Tuesday 9 February 2027, a day the unpublished Spring
    Festival is guessed to bridge, rolled to the guessed make-up Sunday 14 February (provisional);
    a number-resource case accepted on 15 December is due on Tuesday 29 December (official); a
    withdrawn case is left alone."""
    now(D("2026-12-18"))
    licence = cast.under_review(received=D("2026-12-11"), accepted=D("2026-12-17"))
    numbers = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-12-14"), accepted=D("2026-12-15"))
    closed = cast.under_review(received=D("2026-12-16"), accepted=D("2026-12-16"))
    workflow.withdraw(closed.pk, cast.alice, "不再需要", on=D("2026-12-18"))
    now(D("2026-12-20"))
    return {"licence": Application.objects.get(pk=licence.pk), "numbers": Application.objects.get(pk=numbers.pk)}


def test_the_page_lists_each_year_with_its_status_and_the_provisional_cases(cast: Cast, december) -> None:
    licence = december["licence"]
    assert (licence.due_date, licence.promised_provisional) == (D("2027-01-25"), False)
    assert (licence.statutory_due, licence.statutory_provisional) == (D("2027-02-14"), True)
    page = browser(cast.root).get("/calendar/").content.decode()
    assert "2027" in page and "2026" in page and "2004" in page  # from the earliest year to next year
    row_2027 = page.split("<strong>2027</strong>")[1].split("</tr>")[0]
    assert "provisional" in row_2027 and ">1</strong>" in row_2027  # the licence's statutory date
    assert ">25<" in row_2027  # the estimate's holidays: festival rest days, not a Sunday the notice may work
    row_2026 = page.split("<strong>2026</strong>")[1].split("</tr>")[0]
    assert "official" in row_2026 and "chinesecalendar package" in row_2026
    assert ">33<" in row_2026 and ">6<" in row_2026  # 2026's holidays and adjusted working days
    assert "open application has a due date that depends on a provisional year" in page


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
    # The licence's promised and statutory dates, the number case's promised and statutory ones.
    assert (len(preview["moves"]), preview["applications"]) == (4, 2)
    assert (preview["provisional"], preview["become_official"], preview["stay_provisional"]) == (1, 1, 0)

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
    result = workflow.job_result_text(job.result)
    assert "2027 schedule loaded: 33 entries added" in result and "Due dates moved: 2." in result
    # Kept as codes, said in each reader's language (the task ran in nobody's).
    done = root.get(f"/calendar/jobs/{job.pk}/").content.decode()
    assert "2027 schedule loaded: 33 entries added" in done and "Due dates moved: 2." in done
    chinese = browser(cast.root, language="zh-hans").get(f"/calendar/jobs/{job.pk}/").content.decode()
    assert "已载入 2027 年放假安排：新增 33 条" in chinese and "schedule loaded" not in chinese
    licence = Application.objects.get(pk=licence.pk)
    assert (licence.due_date, licence.promised_provisional, licence.statutory_provisional) == (
        D("2027-01-22"),
        False,
        False,
    )
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
    csv = reference.sample_2027_csv()
    response = browser(cast.root).post("/calendar/", {"file": upload("2027.csv", csv.encode(), "text/csv")})
    assert response.status_code == 302
    job = CalendarJob.objects.get()
    assert (job.year, job.preview["entries"], job.preview["holidays"], job.preview["workdays"]) == (2027, 33, 27, 6)


def test_a_year_without_a_festival_the_law_fixes_is_refused(cast: Cast, december) -> None:
    # A whole year's file that lost the Spring Festival (a line the notice's reader did not
    # see, a CSV cut short): loading it would make 除夕 a working day.
    csv = "\n".join(line for line in reference.sample_2027_csv().splitlines() if "春节" not in line) + "\n"
    response = browser(cast.root).post("/calendar/", {"file": upload("2027.csv", csv.encode(), "text/csv")})
    assert response.status_code == 400 and not CalendarJob.objects.exists()
    assert "the 2027 schedule has no 春节: 2027-02-05, a day off that the law fixes" in response.content.decode()
    worked = reference.sample_2027_csv().replace("2027-02-05,holiday", "2027-02-05,workday")
    response = browser(cast.root).post("/calendar/", {"file": upload("2027.csv", worked.encode(), "text/csv")})
    assert response.status_code == 400 and "makes it a working day" in response.content.decode()


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


# -- the notice's text, pasted; corrections --------------------------------------------------------

# Made up like sample-2027.json (its very days), in the form of a published notice: NOT the State
# Council's 2027 notice.
SAMPLE_2027_NOTICE = """国务院办公厅关于2027年部分节假日安排的通知（样例，非正式通知）

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：

　　一、元旦：1月1日（周五）至3日（周日）放假调休，共3天。2026年12月27日（周日）上班。
　　二、春节：2月5日（农历除夕、周五）至13日（周六）放假调休，共9天。1月30日（周六）、2月20日（周六）上班。
　　三、清明节：4月5日（周一）放假，共1天。
　　四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）上班。
　　五、端午节：6月9日（周三）放假，共1天。
　　六、中秋节：9月15日（周三）放假，共1天。
　　七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。

国务院办公厅
"""


def test_the_page_offers_a_file_or_the_pasted_notice_and_a_correction_box(cast: Cast, december) -> None:
    page = browser(cast.root).get("/calendar/").content.decode()
    assert '<textarea name="text"' in page and 'type="file" name="file"' in page
    assert 'type="checkbox" name="correction"' in page and 'name="year"' in page
    assert "Or paste the notice" in page and "A correction" in page
    assert "<script>" not in page and " onclick=" not in page  # the Content-Security-Policy allows no inline script


def test_pasting_the_notice_previews_the_same_moves_as_uploading_the_file(cast: Cast, december) -> None:
    root = browser(cast.root)
    root.post("/calendar/", {"file": sample()})
    from_file = CalendarJob.objects.get()
    response = root.post("/calendar/", {"text": SAMPLE_2027_NOTICE})
    job = CalendarJob.objects.exclude(pk=from_file.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/calendar/jobs/{job.pk}/"
    assert (job.year, job.file_name, job.content) == (2027, "(pasted text)", SAMPLE_2027_NOTICE)
    assert job.source.startswith("国务院办公厅关于2027年部分节假日安排的通知")
    assert job.preview["moves"] == from_file.preview["moves"] and len(job.preview["moves"]) == 4
    assert (job.preview["entries"], job.preview["correction"]) == (33, False)
    assert not CalendarDay.objects.exists()  # a preview changes nothing

    page = root.get(f"/calendar/jobs/{job.pk}/").content.decode()
    assert "2027-01-25" in page and "2027-01-22" in page and "1 working day earlier" in page
    assert "The 2027 notice: every festival of the year." in page
    root.post(f"/calendar/jobs/{job.pk}/apply/")
    job.refresh_from_db()
    assert job.status == CalendarJob.Status.DONE, job.result
    assert "2027 schedule loaded: 33 entries added" in workflow.job_result_text(job.result)
    assert Application.objects.get(pk=december["licence"].pk).due_date == D("2027-01-22")
    assert CalendarYear.objects.get(year=2027).official


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Upload a schedule file or paste the notice&#x27;s text."),
        ({"text": SAMPLE_2027_NOTICE, "file": "x"}, "Upload a file or paste the notice, not both."),
        ({"text": "各省、自治区：\n节假日期间…"}, "the text holds no schedule"),
        ({"text": "国务院办公厅关于2027年部分节假日安排的通知\n三、植树节：3月12日放假。"}, "is not a festival"),
        ({"text": "一、元旦：1月1日（周四）放假。", "year": "2027"}, "1月1日 is a 星期五 in 2027"),
        ({"text": "一、元旦：1月1日放假。"}, "does not say which year"),
        ({"text": "[" * 200_000}, "the JSON nests more than 20 levels deep"),
        ({"text": '{"year": 2027, "days": [{"name": "x", "date": "2027-W05-1", "isOffDay": true}]}'}, "YYYY-MM-DD"),
        ({"text": "date,type,name\n2027-02-13,workday,春节\n"}, "Mark it as a correction"),
        ({"text": '{"year": 2027, "days": [{"name": "\\u0000", "date": "2027-01-01", "isOffDay": true}]}'}, "NUL"),
        (
            {"text": '{"year": 2027, "days": [{"name": "\\ud800", "date": "2027-01-01", "isOffDay": true}]}'},
            "surrogate",
        ),
        ({"text": "x" * (1024 * 1024 + 1)}, "at most 1 MB"),
        ({"text": "x", "year": "27"}, "greater than or equal to 2000"),
    ],
)
def test_bad_pasted_text_is_refused_and_changes_nothing(cast: Cast, december, data: dict, message: str) -> None:
    if data.get("file") == "x":
        data = {**data, "file": sample()}
    response = browser(cast.root).post("/calendar/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CalendarJob.objects.exists() and not CalendarDay.objects.exists()


def test_a_one_day_correction_is_merged_and_leaves_the_year_provisional(cast: Cast, december) -> None:
    root = browser(cast.root)
    one = upload("fix.csv", "date,type,name\n2026-12-27,workday,元旦\n".encode(), "text/csv")
    refused = root.post("/calendar/", {"file": one})
    assert refused.status_code == 400 and "Mark it as a correction" in refused.content.decode()
    one.seek(0)
    response = root.post("/calendar/", {"file": one, "correction": "on"})
    assert response.status_code == 302
    job = CalendarJob.objects.get()
    assert (job.year, job.preview["correction"], job.preview["entries"]) == (2026, True, 1)
    # Read again as a plain CSV it would not be a correction: the job keeps what was read, marked.
    assert json.loads(job.content)["correction"] is True
    page = root.get(f"/calendar/jobs/{job.pk}/").content.decode()
    assert "A correction: it changes the dates it names" in page and "Load the 2026 correction" in page
    # Sunday 27 December 2026 becomes a working day: the number-resource case is due a day earlier.
    assert "2026-12-29" in page and "2026-12-28" in page
    root.post(f"/calendar/jobs/{job.pk}/apply/")
    job.refresh_from_db()
    assert job.status == CalendarJob.Status.DONE, job.result
    assert "2026 correction loaded: 1 entries added" in workflow.job_result_text(job.result)
    assert CalendarDay.objects.get(date=D("2026-12-27")).kind == "workday"
    assert not CalendarYear.objects.filter(year__in=[2026, 2027]).exists()  # 2026: the package's


def test_a_follow_up_notice_pasted_is_a_correction_of_its_festival(cast: Cast, december) -> None:
    root = browser(cast.root)
    root.post("/calendar/", {"text": SAMPLE_2027_NOTICE})
    root.post(f"/calendar/jobs/{CalendarJob.objects.get().pk}/apply/")
    follow_up = (
        "国务院办公厅关于调整2027年劳动节假期安排的通知（样例）\n"
        "一、2027年5月1日至4日放假调休，共4天。4月25日（星期日）、5月8日（星期六）上班。\n"
    )
    response = root.post("/calendar/", {"text": follow_up})
    assert response.status_code == 302
    job = CalendarJob.objects.latest("pk")
    assert (job.preview["correction"], job.preview["replaces"], job.content) == (True, ["劳动节"], follow_up)
    page = root.get(f"/calendar/jobs/{job.pk}/").content.decode()
    assert "It replaces the loaded days of 劳动节." in page
    root.post(f"/calendar/jobs/{job.pk}/apply/")
    job.refresh_from_db()
    assert job.status == CalendarJob.Status.DONE, job.result
    assert sorted(CalendarDay.objects.filter(name="劳动节").values_list("date", flat=True)) == [
        D("2027-04-25"),
        D("2027-05-01"),
        D("2027-05-02"),
        D("2027-05-03"),
        D("2027-05-04"),
        D("2027-05-08"),
    ]
    assert CalendarDay.objects.filter(notice_year=2027).count() == 33 - 6 + 6  # 5 May off goes, 8 May comes


def test_a_notice_without_its_title_takes_the_year_from_the_form_and_keeps_it(cast: Cast, december) -> None:
    root = browser(cast.root)
    body = SAMPLE_2027_NOTICE.split("\n", 1)[1]  # the title left out when copying
    assert "does not say which year" in root.post("/calendar/", {"text": body}).content.decode()
    response = root.post("/calendar/", {"text": body, "year": "2027", "source": "样例"})
    assert response.status_code == 302
    job = CalendarJob.objects.get()
    assert (job.year, job.source, json.loads(job.content)["year"]) == (2027, "样例", 2027)
    root.post(f"/calendar/jobs/{job.pk}/apply/")
    job.refresh_from_db()
    assert job.status == CalendarJob.Status.DONE, job.result
    assert CalendarYear.objects.get(year=2027).source == "样例"


def test_a_jobs_result_is_kept_as_codes_and_said_in_the_readers_language() -> None:
    from django.utils import translation

    from approvals.workflow.calendar import job_result

    kept = job_result(("moved", {"n": 2}), ("error", {"text": "disk full"}))
    assert workflow.job_result_text(kept) == "Due dates moved: 2. disk full"
    with translation.override("zh-hans"):
        assert workflow.job_result_text(kept).startswith(translation.gettext("Due dates moved: %(n)s.") % {"n": 2})
        assert "Due dates" not in workflow.job_result_text(kept)
    # A result kept as text before the codes were kept, or anything else, is shown as it is.
    for old in ("2027 年放假安排已载入。", "[]x", '[["unknown", {}]]', "42"):
        assert workflow.job_result_text(old) == old

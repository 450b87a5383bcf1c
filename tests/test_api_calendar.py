"""The API's calendar upload, in two steps: POST /api/calendar/years/ previews a schedule (a file,
or the notice's text) and loads nothing; POST the preview's confirm address loads it, once. The
same checks as the page and the command (holidays.read_upload), in the API's error format."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator

from approvals.models import Application, AuditEvent, CalendarDay, CalendarJob, CalendarYear
from tests.api import api, error, ok
from tests.cast import Cast
from tests.reference import HOLIDAY_CN
from tests.test_calendar_page import SAMPLE_2027_NOTICE

D = date.fromisoformat
SAMPLE = (HOLIDAY_CN / "sample-2027.json").read_bytes()
NOTICES = HOLIDAY_CN.parent / "notices"


def schedule_file(content: bytes = SAMPLE, name: str = "2027.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/json")


@pytest.fixture
def december(cast: Cast, now) -> Application:
    """A licence accepted on Thursday 17 December 2026, due on Monday 25 January 2027 (provisional)."""
    now(D("2026-12-18"))
    return cast.under_review(received=D("2026-12-17"), accepted=D("2026-12-17"))


def test_a_schedule_is_previewed_then_loaded_once_confirmed(cast: Cast, december: Application) -> None:
    root = api(cast.root)
    response = root.post("/api/calendar/years/", {"file": schedule_file(), "source": "样例"})
    preview = ok(response, 201)
    job = CalendarJob.objects.get()
    assert response["Location"] == f"/api/calendar/previews/{job.pk}/"
    assert preview["url"] == f"/api/calendar/previews/{job.pk}/"
    assert preview["confirm"] == f"/api/calendar/previews/{job.pk}/confirm/"
    assert (preview["status"], preview["year"], preview["correction"], preview["source"]) == (
        "previewed",
        2027,
        False,
        "样例",
    )
    assert (preview["entries"], preview["holidays"], preview["workdays"]) == (33, 27, 6)
    assert (preview["first"], preview["last"]) == ("2026-12-27", "2027-10-09")
    moved = {(m["application"], m["old"], m["new"]) for m in preview["moves"]}
    assert (december.pk, "2027-01-25", "2027-01-22") in moved
    assert preview["applications"] == 1
    assert next(m["shift"] for m in preview["moves"] if m["new"] == "2027-01-22") == -1
    # Nothing is loaded by a preview.
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.filter(year=2027).exists()
    assert Application.objects.get(pk=december.pk).due_date == D("2027-01-25")
    assert not AuditEvent.objects.filter(action="due_date_moved").exists()
    assert ok(root.get(preview["url"])) == preview

    loaded = ok(root.post(preview["confirm"]), 202)
    assert loaded["status"] == "done", loaded["result"]  # django-q2 runs inline in the tests
    assert "2027 schedule loaded: 33 entries added" in loaded["result"]
    assert Application.objects.get(pk=december.pk).due_date == D("2027-01-22")
    assert CalendarYear.objects.get(year=2027).official
    assert ok(root.get(preview["url"]))["status"] == "done"
    # Once: a second confirmation changes nothing.
    error(root.post(preview["confirm"]), 409, "already_confirmed")
    assert AuditEvent.objects.filter(action="due_date_moved").count() == 1


def test_the_notices_text_as_published_previews_the_same(cast: Cast, december: Application) -> None:
    root = api(cast.root)
    from_file = ok(root.post("/api/calendar/years/", {"file": schedule_file()}), 201)
    from_text = ok(root.post("/api/calendar/years/", {"text": SAMPLE_2027_NOTICE}, format="json"), 201)
    assert from_text["moves"] == from_file["moves"] and from_text["entries"] == 33
    assert from_text["source"].startswith("国务院办公厅关于2027年部分节假日安排的通知")
    assert from_text["file_name"] == "(pasted text)"
    # A .txt file works too, and a real notice for a year of the package: nothing moves.
    real = (NOTICES / "2026.txt").read_bytes()
    preview = ok(root.post("/api/calendar/years/", {"file": schedule_file(real, "2026.txt")}), 201)
    assert (preview["year"], preview["entries"], preview["moves"]) == (2026, 39, [])
    assert preview["source"].endswith("（国办发明电〔2025〕7号）")


def test_a_single_day_is_a_correction_and_a_follow_up_notice_is_one(cast: Cast, december: Application) -> None:
    root = api(cast.root)
    one = "date,type,name\n2027-02-13,workday,春节\n"
    refused = error(root.post("/api/calendar/years/", {"text": one}, format="json"), 400, "invalid")
    assert "Mark it as a correction" in refused["fields"]["text"][0]
    preview = ok(root.post("/api/calendar/years/", {"text": one, "correction": True}, format="json"), 201)
    assert (preview["correction"], preview["entries"], preview["replaces"]) == (True, 1, [])
    loaded = ok(root.post(preview["confirm"]), 202)
    assert "2027 correction loaded: 1 entries added" in loaded["result"]
    assert not CalendarYear.objects.filter(year=2027).exists()  # a correction makes no year official

    follow_up = (NOTICES / "2019-labour-day.txt").read_text(encoding="utf-8")
    preview = ok(root.post("/api/calendar/years/", {"text": follow_up}, format="json"), 201)
    assert (preview["year"], preview["correction"], preview["replaces"]) == (2019, True, ["劳动节"])


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "file", "Send a file or text."),
        ({"text": "x", "file": "sample"}, "file", "not both"),
        ({"text": "[" * 200_000}, "text", "the JSON nests more than 20 levels deep"),
        (
            {"text": '{"year": 2027, "days": [{"name": "x", "date": "2027-W05-1", "isOffDay": true}]}'},
            "text",
            "YYYY-MM-DD",
        ),
        (
            {"text": '{"year": 2027, "days": [{"name": "\\u0000", "date": "2027-01-01", "isOffDay": true}]}'},
            "text",
            "days[0] (2027-01-01): name holds a NUL character",
        ),
        (
            {"text": "国务院办公厅关于2027年部分节假日安排的通知\n三、植树节：3月12日放假。"},
            "text",
            "is not a festival",
        ),
        ({"text": "各省、自治区：\n节假日期间…"}, "text", "holds no schedule"),
        ({"text": "一、元旦：1月1日放假。", "year": 27}, "year", "greater than or equal to 2000"),
        ({"file": "big"}, "file", "at most 1 MB"),
        ({"file": "deep"}, "file", "nests more than 20 levels"),
    ],
)
def test_bad_input_is_refused_in_the_error_format_and_nothing_is_kept(
    cast: Cast, december: Application, data: dict, field: str, message: str
) -> None:
    files = {
        "sample": schedule_file(),
        "big": schedule_file(b"{" + b" " * (1024 * 1024 + 1) + b"}"),
        "deep": schedule_file(b"[" * 200_000),
    }
    body = {key: files.get(value, value) if key == "file" else value for key, value in data.items()}
    multipart = "file" in body
    response = api(cast.root).post("/api/calendar/years/", body, format="multipart" if multipart else "json")
    found = error(response, 400, "invalid")
    assert list(found["fields"]) == [field]
    assert message in found["fields"][field][0], found
    assert not CalendarJob.objects.exists() and not CalendarDay.objects.exists()


def test_only_administrators_preview_and_confirm(cast: Cast, december: Application) -> None:
    preview = ok(api(cast.root).post("/api/calendar/years/", {"file": schedule_file()}), 201)
    for user in (cast.olga, cast.mia, cast.alice, cast.pat):
        client = api(user)
        error(client.post("/api/calendar/years/", {"file": schedule_file()}), 403, "permission_denied")
        error(client.get(preview["url"]), 403, "permission_denied")
        error(client.post(preview["confirm"]), 403, "permission_denied")
    error(api().post(preview["confirm"]), 401)
    error(api(cast.root).get("/api/calendar/previews/999999/"), 404)
    error(api(cast.root).post("/api/calendar/previews/999999/confirm/"), 404)
    assert CalendarJob.objects.get().status == CalendarJob.Status.PREVIEWED
    assert not CalendarDay.objects.exists()


def test_when_the_worker_cannot_be_reached_the_preview_stays(cast: Cast, december: Application, monkeypatch) -> None:
    import django_q.tasks

    def unreachable(*args, **kwargs):
        raise ConnectionError("broker down")

    root = api(cast.root)
    preview = ok(root.post("/api/calendar/years/", {"file": schedule_file()}), 201)
    monkeypatch.setattr(django_q.tasks, "async_task", unreachable)
    error(root.post(preview["confirm"]), 503, "worker_unavailable")
    assert ok(root.get(preview["url"]))["status"] == "previewed"
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_the_schema_documents_both_steps() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    upload = schema["paths"]["/api/calendar/years/"]["post"]
    assert set(upload["responses"]) >= {"201", "400", "403"}
    assert upload["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("CalendarPreview")
    request = upload["requestBody"]["content"]
    assert "multipart/form-data" in request and "application/json" in request
    properties = schema["components"]["schemas"]["ScheduleUploadRequest"]["properties"]
    assert {"file", "text", "year", "source", "correction"} <= set(properties)
    confirm = schema["paths"]["/api/calendar/previews/{id}/confirm/"]["post"]
    assert set(confirm["responses"]) >= {"202", "404", "409", "503"}
    assert confirm["responses"]["503"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "get" in schema["paths"]["/api/calendar/previews/{id}/"]
    json.dumps(schema)  # a plain document


def test_a_preview_made_before_another_load_cannot_be_confirmed(cast: Cast, december: Application) -> None:
    # A short correction-less upload previewed while 2027 was estimated, then the real notice
    # loaded: confirming the old preview would have replaced the year by its two days.
    root = api(cast.root)
    early = ok(root.post("/api/calendar/years/", {"text": SAMPLE_2027_NOTICE}), 201)
    notice = ok(root.post("/api/calendar/years/", {"file": schedule_file()}), 201)
    ok(root.post(notice["confirm"]), 202)
    loaded = set(CalendarDay.objects.values_list("date", "kind"))
    assert len(loaded) == 33
    refused = error(root.post(early["confirm"]), 409, "stale_preview")
    assert "upload it again" in refused["message"]
    assert set(CalendarDay.objects.values_list("date", "kind")) == loaded
    assert ok(root.get(early["url"]))["status"] == "previewed"


def test_a_notice_that_lost_a_festival_line_is_refused(cast: Cast, december: Application) -> None:
    text = SAMPLE_2027_NOTICE.replace("一、元旦：", "1、元旦：")  # not a line the reader knows
    refused = error(api(cast.root).post("/api/calendar/years/", {"text": text}), 400)
    assert "the 2027 schedule has no 元旦: 2027-01-01" in json.dumps(refused, ensure_ascii=False)
    assert not CalendarJob.objects.exists()

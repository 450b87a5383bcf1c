"""Official schedules: reading holiday-cn JSON and CSV files, loading them atomically, and what
every load refuses (dates, text, nesting, size, a single day that is not a correction). The
notice's text: tests/test_notice.py."""

import json
import re
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from approvals.holidays import (
    ScheduleError,
    import_schedule,
    parse_csv,
    parse_holiday_cn,
    read_schedule,
    read_schedule_bytes,
    read_schedule_text,
    read_upload,
    work_calendar,
)
from approvals.models import CalendarDay, CalendarYear, DayKind
from tests import reference
from tests.reference import HOLIDAY_CN

D = date.fromisoformat
SAMPLE_2027 = HOLIDAY_CN / "sample-2027.json"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def holiday_cn(days: list[dict], year: int = 2027) -> str:
    return json.dumps({"year": year, "papers": ["https://example.gov.cn/notice"], "days": days}, ensure_ascii=False)


def snapshot() -> list[tuple]:
    return list(
        CalendarDay.objects.values_list("date", "kind", "name", "notice_year", "source").order_by("date")
    ) + list(CalendarYear.objects.values_list("year", "official", "source").order_by("year"))


def test_the_real_files_parse(tmp_path: Path) -> None:
    schedule = read_schedule(HOLIDAY_CN / "2026.json")
    assert schedule.year == 2026
    assert schedule.source == "https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm"
    assert len(schedule.entries) == 39
    first = schedule.entries[0]
    assert (first.date, first.working, first.name) == (D("2026-01-01"), False, "元旦")
    assert {e.date for e in schedule.entries if e.working} == {
        D(d) for d in ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
    }


@pytest.mark.django_db
def test_importing_a_year_stores_its_days_and_makes_it_official(capsys) -> None:
    assert not work_calendar().is_official_year(2027)
    call_command("import_calendar", str(SAMPLE_2027))
    assert "2027 schedule loaded: 33 entries added, 0 changed, 0 removed, 0 unchanged" in capsys.readouterr().out
    year = CalendarYear.objects.get(year=2027)
    assert year.official and year.source.startswith("sample")
    assert CalendarDay.objects.get(date=D("2027-02-08")).kind == DayKind.HOLIDAY
    # A notice may move December of the year before: it is merged by date.
    assert CalendarDay.objects.get(date=D("2026-12-27")).kind == DayKind.WORKDAY
    calendar = work_calendar()
    assert calendar.is_official_year(2027)
    assert calendar.is_working_day(D("2027-02-08")) == (False, False)
    assert calendar.is_working_day(D("2026-12-27")) == (True, False)  # a Sunday, now a working day


@pytest.mark.django_db
def test_importing_again_replaces_what_the_same_notice_brought(tmp_path: Path) -> None:
    call_command("import_calendar", str(SAMPLE_2027))
    corrected = write(
        tmp_path,
        "2027.json",
        holiday_cn(
            [
                {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
                {"name": "春节", "date": "2027-02-08", "isOffDay": False},
            ]
        ),
    )
    result = import_schedule(read_schedule(corrected))
    assert (result.created, result.updated, result.unchanged, result.deleted) == (0, 2, 0, 31)
    assert set(CalendarDay.objects.values_list("date", "kind")) == {
        (D("2027-01-01"), DayKind.HOLIDAY),
        (D("2027-02-08"), DayKind.WORKDAY),
    }
    assert CalendarDay.objects.get(date=D("2027-01-01")).source == "https://example.gov.cn/notice"


@pytest.mark.django_db
def test_a_csv_file_loads_like_json(tmp_path: Path) -> None:
    csv = reference.sample_2027_csv().replace("\n2027-02-08", "\n\n2027-02-08")  # a blank line is skipped
    path = write(tmp_path, "2027.csv", csv)
    call_command("import_calendar", str(path), "--source", "国办发明电〔2026〕X号")
    assert CalendarYear.objects.get(year=2027).source == "国办发明电〔2026〕X号"
    assert CalendarDay.objects.count() == 33
    assert CalendarDay.objects.get(date=D("2026-12-27")).notice_year == 2027


BAD_FILES = [
    ("bad.json", '{"year": 2027, "days": [', "not valid JSON"),
    ("bad.json", holiday_cn([{"name": "x", "date": "2027-02-30", "isOffDay": True}]), "days[0]: date '2027-02-30'"),
    (
        "bad.json",
        holiday_cn(
            [
                {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
                {"name": "春节", "date": "2027-02-08", "isOffDay": "yes"},
            ]
        ),
        "days[1] (2027-02-08): isOffDay must be true or false",
    ),
    (
        "bad.json",
        holiday_cn([{"name": "a", "date": "2027-01-01", "isOffDay": True}] * 2),
        "days[1] (2027-01-01): 2027-01-01 appears twice (first at days[0] (2027-01-01))",
    ),
    (
        "bad.json",
        holiday_cn([{"name": "a", "date": "2026-11-30", "isOffDay": True}]),
        "outside the 2027 notice",
    ),
    ("bad.json", holiday_cn([], year="2027"), "year: '2027' is not a year"),
    ("bad.json", holiday_cn([]), "the file lists no days"),
    ("bad.csv", "day,kind\n2027-01-01,holiday\n", "line 1: the header must be exactly: date,type,name"),
    ("bad.csv", "date,type,name\n2027-01-01,holiday,元旦\n2027-01-04,off,x\n", "line 3 (2027-01-04): type 'off'"),
    ("bad.csv", "date,type,name\n2027-01-01,holiday\n", "line 2: expected 3 fields"),
    ("bad.csv", "date,type,name\n2027/01/01,holiday,元旦\n", "line 2: date '2027/01/01'"),
    # What every load refuses, through the command:
    (
        "week.json",
        holiday_cn([{"name": "x", "date": "2027-W05-1", "isOffDay": True}]),
        "date '2027-W05-1' is not a date",
    ),
    ("deep.json", "[" * 200_000, "the JSON nests more than 20 levels deep"),
    (
        "nul.json",
        holiday_cn([{"name": "\u0000", "date": "2027-01-01", "isOffDay": True}]),
        "name holds a NUL character",
    ),
    ("one.csv", "date,type,name\n2027-03-01,holiday,x\n", "other 33 loaded days of 2027. Mark it as a correction"),
    ("notice.txt", "国务院办公厅关于2027年部分节假日安排的通知\n节假日期间…", "the text holds no schedule"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_a_bad_file_changes_nothing_and_names_the_bad_entry(tmp_path: Path, name: str, content: str, message) -> None:
    call_command("import_calendar", str(SAMPLE_2027))
    before = snapshot()
    with pytest.raises(CommandError) as error:
        call_command("import_calendar", str(write(tmp_path, name, content)))
    assert message in str(error.value)
    assert "nothing was changed" in str(error.value)
    assert snapshot() == before


@pytest.mark.django_db
def test_a_failure_while_writing_rolls_back_everything(monkeypatch) -> None:
    """Atomic even when the database fails half-way, not only when parsing fails."""
    call_command("import_calendar", str(HOLIDAY_CN / "2026.json"))
    before = snapshot()
    original = CalendarDay.save
    calls = []

    def failing_save(self, *args, **kwargs):
        calls.append(self.date)
        if len(calls) == 5:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(CalendarDay, "save", failing_save)
    with pytest.raises(RuntimeError):
        import_schedule(read_schedule(SAMPLE_2027))
    assert len(calls) == 5
    assert snapshot() == before


def test_files_that_are_not_text_or_missing_are_reported(tmp_path: Path) -> None:
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\xff\xfe\x00date")
    with pytest.raises(ScheduleError, match="not UTF-8"):
        read_schedule(binary)
    with pytest.raises(ScheduleError, match="cannot read"):
        read_schedule(tmp_path / "missing.json")


def test_a_json_file_for_another_year_than_asked_is_refused() -> None:
    with pytest.raises(ScheduleError, match="the file is the 2026 notice, not 2027"):
        read_schedule(HOLIDAY_CN / "2026.json", year=2027)


def test_files_may_start_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("date,type,name\n2027-01-01,holiday,元旦\n".encode("utf-8-sig"))
    assert read_schedule(path).entries[0].date == D("2027-01-01")
    assert parse_csv("date,type,name\n2027-01-01,holiday,元旦\n").year == 2027
    assert parse_holiday_cn(holiday_cn([{"name": "元旦", "date": "2027-01-01", "isOffDay": True}])).year == 2027


@pytest.mark.django_db
def test_the_cached_calendar_follows_every_change() -> None:
    first = work_calendar()
    assert work_calendar() is first, "no change, no rebuild"
    day = CalendarDay.objects.create(date=D("2026-03-02"), kind=DayKind.HOLIDAY, notice_year=2026)
    assert not work_calendar().is_working_day(D("2026-03-02"))
    day.kind = DayKind.WORKDAY
    day.save()
    assert work_calendar().is_working_day(D("2026-03-02"))
    day.delete()
    CalendarDay.objects.create(date=D("2026-03-03"), kind=DayKind.HOLIDAY, notice_year=2026)
    assert work_calendar().is_working_day(D("2026-03-02"))
    assert not work_calendar().is_working_day(D("2026-03-03"))


# -- hardening: what every load refuses (holidays.read_upload, behind the page, the API, the command) --

ONE_DAY = {"name": "元旦", "date": "2027-01-01", "isOffDay": True}


@pytest.mark.parametrize(
    "raw",
    [
        "2027-W05-1",
        "2027-W053",
        "2027-005",
        "20270105",
        "2027-1-05",
        "２０２７-01-05",
        "2027-01-05T00:00",
        " 2027-01-05",
    ],
)
def test_dates_are_exactly_yyyy_mm_dd(raw: str) -> None:
    """Python 3.11's date.fromisoformat takes 2027-W05-1 (an ISO week date) and other forms."""
    with pytest.raises(ScheduleError, match=r"days\[1\]: date .* is not a date in the form YYYY-MM-DD"):
        parse_holiday_cn(holiday_cn([ONE_DAY, {"name": "x", "date": raw, "isOffDay": True}]))
    if raw.strip() == raw:  # the CSV strips its cells
        with pytest.raises(ScheduleError, match=r"line 3: date .* is not a date in the form YYYY-MM-DD"):
            parse_csv(f"date,type,name\n2027-01-01,holiday,元旦\n{raw},holiday,x\n")


@pytest.mark.parametrize(
    ("raw", "ok"), [("2026-12-01", True), ("2026-11-30", False), ("2027-12-31", True), ("2028-01-01", False)]
)
def test_dates_stay_within_the_notices_span(raw: str, ok: bool) -> None:
    text = holiday_cn([ONE_DAY, {"name": "x", "date": raw, "isOffDay": True}])
    if ok:
        assert len(parse_holiday_cn(text).entries) == 2
    else:
        with pytest.raises(ScheduleError, match=rf"days\[1\] \({raw}\): {raw} is outside the 2027 notice"):
            parse_holiday_cn(text)


@pytest.mark.parametrize(
    ("days", "papers", "message"),
    [
        (
            [{"name": "元\u0000旦", "date": "2027-01-01", "isOffDay": True}],
            None,
            r"days\[0\] \(2027-01-01\): name holds a NUL",
        ),
        (
            [{"name": "元\ud800", "date": "2027-01-01", "isOffDay": True}],
            None,
            r"name holds a lone surrogate \(U\+D800\)",
        ),
        (
            [{"name": "元\u001b", "date": "2027-01-01", "isOffDay": True}],
            None,
            r"name holds a control character \(U\+001B\)",
        ),
        (
            [{"name": "节" * 101, "date": "2027-01-01", "isOffDay": True}],
            None,
            "name is 101 characters long; at most 100",
        ),
        ([{"name": 7, "date": "2027-01-01", "isOffDay": True}], None, r"days\[0\] \(2027-01-01\): name must be text"),
        ([ONE_DAY], ["https://gov.cn/\u0000"], r"papers\[0\]: paper holds a NUL character"),
        ([ONE_DAY], ["ok", "\udfff"], r"papers\[1\]: paper holds a lone surrogate"),
        ([ONE_DAY], ["x" * 501], r"papers\[0\]: paper is 501 characters long; at most 500"),
        ([ONE_DAY], ["x" * 300, "y" * 300], "papers: 601 characters in all; at most 500"),
    ],
)
def test_names_and_papers_are_plain_text_of_bounded_length(days, papers, message) -> None:
    data = {"year": 2027, "papers": papers if papers is not None else [], "days": days}
    text = json.dumps(data)  # ASCII escapes: \u0000, \ud800 reach the parser as JSON escapes
    with pytest.raises(ScheduleError) as error:
        parse_holiday_cn(text)
    assert re.search(message, str(error.value)), str(error.value)


def test_raw_nul_and_control_characters_in_a_csv_are_refused_naming_the_line() -> None:
    with pytest.raises(ScheduleError, match="line 3 holds a NUL character"):
        read_schedule_text("date,type,name\n2027-01-01,holiday,元旦\n2027-01-02,holiday,元\x00旦\n", "x.csv")
    with pytest.raises(ScheduleError, match=r"line 2 \(2027-01-01\): name holds a control character"):
        parse_csv("date,type,name\n2027-01-01,holiday,元\x07旦\n")
    with pytest.raises(ScheduleError, match="line 1 holds a lone surrogate"):
        read_schedule_text("date,type,name\ud800\n")


@pytest.mark.parametrize(
    "text",
    [
        "[" * 200_000,
        "[" * 200_000 + "]" * 200_000,
        '{"year": 2027, "days": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"year": 2027, "papers": [' + '{"a": ' * 50_000 + "1" + "}" * 50_000 + "]}",
    ],
)
def test_a_deeply_nested_json_file_is_a_clear_error(text: str, tmp_path: Path) -> None:
    with pytest.raises(ScheduleError, match="the JSON nests more than 20 levels deep"):
        read_schedule_text(text, "deep.json")
    with pytest.raises(ScheduleError, match="nests more than 20 levels"):
        read_schedule(write(tmp_path, "deep.json", text))


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = holiday_cn([{"name": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{{{{{", "date": "2027-01-01", "isOffDay": True}])
    assert parse_holiday_cn(text).entries[0].name.startswith("[[[")


def test_a_recursion_error_the_depth_check_missed_is_still_a_schedule_error(monkeypatch) -> None:
    from approvals import inputs  # the one JSON reader's module

    monkeypatch.setattr(inputs, "json_depth", lambda text, limit: 0)
    with pytest.raises(ScheduleError, match="nests more than 20 levels deep"):
        parse_holiday_cn("[" * 200_000)


def test_a_schedule_over_a_megabyte_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = '{"year": 2027, "days": []' + " " * (1024 * 1024) + "}"
    with pytest.raises(ScheduleError, match="at most 1 MB"):
        read_schedule_text(big)
    with pytest.raises(ScheduleError, match="the schedule is 1024 KB; a schedule may be at most 1 MB"):
        read_schedule(write(tmp_path, "big.json", big))
    with pytest.raises(ScheduleError, match="at most 1 MB"):
        read_schedule_bytes(big.encode(), "big.json")


def test_a_csv_field_over_the_csv_modules_limit_is_a_schedule_error() -> None:
    with pytest.raises(ScheduleError, match="not a readable CSV file"):
        parse_csv('date,type,name\n2027-01-01,holiday,"' + "x" * 200_000 + '"\n')


@pytest.mark.django_db
def test_a_single_day_is_refused_unless_marked_as_a_correction(tmp_path: Path) -> None:
    one = write(tmp_path, "one.csv", "date,type,name\n2027-02-13,workday,春节\n")
    with pytest.raises(ScheduleError, match=r"2027 has no loaded schedule yet\. Mark it as a correction"):
        read_upload(one)
    with pytest.raises(CommandError, match="has no loaded schedule yet"):
        call_command("import_calendar", str(one))
    assert snapshot() == []
    # Marked as a correction, it is merged: one day for a provisional year, which stays provisional.
    correction = read_upload(one, correction=True)
    assert correction.correction and correction.replaces == ()
    result = import_schedule(correction)
    assert str(result).startswith("2027 correction loaded: 1 entries added, 0 changed, 0 removed, 0 unchanged")
    assert not CalendarYear.objects.filter(year=2027).exists() and not work_calendar().is_official_year(2027)


@pytest.mark.django_db
def test_a_single_day_for_a_loaded_year_would_remove_the_rest_and_is_refused(capsys) -> None:
    call_command("import_calendar", str(SAMPLE_2027))
    one = holiday_cn([{"name": "春节", "date": "2027-02-13", "isOffDay": False}])
    with pytest.raises(ScheduleError, match="would remove the other 32 loaded days of 2027"):
        read_upload(one)
    before = snapshot()
    result = import_schedule(read_upload(one, correction=True))
    assert (result.created, result.updated, result.deleted, result.unchanged) == (0, 1, 0, 0)
    assert len(snapshot()) == len(before)
    assert CalendarDay.objects.get(date=D("2027-02-13")).kind == DayKind.WORKDAY
    assert CalendarYear.objects.get(year=2027).source.startswith("sample")  # the notice's, kept
    # Two days or more: a year's notice, as before (test_importing_again_replaces_what_the_same_notice_brought).


@pytest.mark.django_db
def test_a_json_file_may_mark_itself_as_a_correction() -> None:
    call_command("import_calendar", str(SAMPLE_2027))
    text = json.dumps({**json.loads(holiday_cn([ONE_DAY])), "correction": True, "replaces": ["春节"]})
    schedule = read_upload(text)
    assert (schedule.correction, schedule.replaces) == (True, ("春节",))
    result = import_schedule(schedule)
    assert result.deleted == 11  # the sample's 春节 days (9 off, 2 working); 元旦 stays
    assert CalendarDay.objects.filter(name="元旦").count() == 4
    with pytest.raises(ScheduleError, match="correction: must be true or false"):
        parse_holiday_cn(json.dumps({"year": 2027, "days": [ONE_DAY], "correction": "yes"}))

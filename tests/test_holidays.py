"""Official schedules: reading holiday-cn JSON and CSV files, loading them atomically."""

import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from approvals.holidays import ScheduleError, import_schedule, parse_csv, parse_holiday_cn, read_schedule, work_calendar
from approvals.models import CalendarDay, CalendarYear, DayKind
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
    path = write(
        tmp_path,
        "2027.csv",
        "date,type,name\n2026-12-27,workday,元旦\n2027-01-01,holiday,元旦\n\n2027-02-08,holiday,春节\n",
    )
    call_command("import_calendar", str(path), "--source", "国办发明电〔2026〕X号")
    assert CalendarYear.objects.get(year=2027).source == "国办发明电〔2026〕X号"
    assert CalendarDay.objects.count() == 3
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

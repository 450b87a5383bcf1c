"""The State Council's notice as published: parse_notice reads every form the notices have used
since 2007 (tests/fixtures/notices/, typed out as published), gives exactly the holiday-cn days
for 2024-2026 and the chinesecalendar package's for the older years, and refuses what it cannot
read, naming the line; import_calendar reads it too, with a dry run."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from chinese_calendar.constants import holidays as package_holidays
from chinese_calendar.constants import workdays as package_workdays
from django.core.management import call_command
from django.core.management.base import CommandError

from approvals.holidays import (
    Entry,
    ScheduleError,
    dump_holiday_cn,
    import_schedule,
    parse_notice,
    read_schedule,
    read_schedule_text,
    read_upload,
    schedule_format,
)
from approvals.models import CalendarDay, CalendarYear, DayKind
from tests import reference
from tests.reference import HOLIDAY_CN

D = date.fromisoformat
NOTICES = Path(__file__).parent / "fixtures" / "notices"


def days(schedule) -> list[tuple[str, bool]]:
    return [(entry.date.isoformat(), not entry.working) for entry in schedule.entries]


def holiday_cn_days(year: int) -> list[tuple[str, bool]]:
    data = json.loads((HOLIDAY_CN / f"{year}.json").read_text(encoding="utf-8"))
    return sorted((day["date"], day["isOffDay"]) for day in data["days"])


# -- the notices as published -----------------------------------------------------------------------


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_the_published_notices_give_exactly_the_holiday_cn_days(year: int) -> None:
    schedule = read_schedule(NOTICES / f"{year}.txt")
    assert schedule.year == year and not schedule.correction
    assert days(schedule) == holiday_cn_days(year)
    # The names too: the festival of each line, a combined line's both names as holiday-cn has them.
    data = json.loads((HOLIDAY_CN / f"{year}.json").read_text(encoding="utf-8"))
    assert [(e.date.isoformat(), e.name) for e in schedule.entries] == sorted(
        (day["date"], day["name"]) for day in data["days"]
    )


def test_the_source_is_the_title_and_the_document_number() -> None:
    assert (
        read_schedule(NOTICES / "2025.txt").source
        == "国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）"
    )
    # The title broken over two lines, as gov.cn prints it.
    assert (
        read_schedule(NOTICES / "2026.txt").source
        == "国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）"
    )
    assert read_schedule(NOTICES / "2026.txt", source="https://www.gov.cn/x").source == "https://www.gov.cn/x"


def test_the_2025_notice_keeps_the_combined_festival_and_reads_no_day_from_the_preamble() -> None:
    schedule = read_schedule(NOTICES / "2025.txt")
    names = {entry.date: entry.name for entry in schedule.entries}
    assert names[D("2025-10-08")] == names[D("2025-09-28")] == "国庆节、中秋节"
    # The preamble says 自2025年1月1日起 and 国庆节自10月1日起: only the festivals' lines count.
    assert [e for e in schedule.entries if e.name == "元旦"] == [Entry(D("2025-01-01"), False, "元旦")]


def test_advice_in_a_line_is_not_a_day_off() -> None:
    """2024's 春节: 鼓励各单位…安排职工在除夕（2月9日）休息 is advice, and 9 February a working Friday."""
    schedule = read_schedule(NOTICES / "2024.txt")
    assert D("2024-02-09") not in {entry.date for entry in schedule.entries}


def package_days(first: date, last: date) -> tuple[set[date], set[date]]:
    return (
        {day for day in package_holidays if first <= day <= last},
        {day for day in package_workdays if first <= day <= last},
    )


def as_the_package_says(off: set[date], working: set[date]) -> bool:
    """The same working days as the chinesecalendar package, and the same days off but for
    weekend days (the package lists a weekend inside a holiday or not: 2011-06-05 it does not)."""
    holidays, workdays = package_days(min(off | working), max(off | working))
    return working == workdays and all(day.weekday() >= 5 for day in off ^ holidays)


@pytest.mark.parametrize(
    ("name", "year"),
    [
        ("2007", 2007),  # “五一”, “十一”; 1月1日—3日; 其中…调至… explanations; 2006年12月30日、31日 上班
        ("2008", 2008),  # 2007年12月30日—2008年1月1日; 12月29日 (of 2007) 上班
        ("2011", 2011),  # 放假公休; 星期
        ("2017", 2017),  # 1月2日（星期一）补休
        ("2023", 2023),  # 2022年12月31日至2023年1月2日: a range across years
    ],
)
def test_older_notices_give_the_chinesecalendar_packages_days(name: str, year: int) -> None:
    schedule = read_schedule(NOTICES / f"{name}.txt")
    assert schedule.year == year
    off = {e.date for e in schedule.entries if not e.working}
    working = {e.date for e in schedule.entries if e.working}
    assert as_the_package_says(off, working)
    holidays, _workdays = package_days(min(off), max(off))
    assert holidays <= off  # the ranges have every day


def test_old_names_are_todays_and_the_year_before_is_found() -> None:
    schedule = read_schedule(NOTICES / "2008.txt")
    by_date = {entry.date: entry for entry in schedule.entries}
    assert by_date[D("2007-12-29")] == Entry(D("2007-12-29"), True, "元旦")  # "12月29日（星期六）上班"
    assert by_date[D("2007-12-30")].name == "元旦" and not by_date[D("2007-12-30")].working
    assert by_date[D("2008-05-04")] == Entry(D("2008-05-04"), True, "劳动节")  # “五一”国际劳动节
    assert {e.name for e in read_schedule(NOTICES / "2007.txt").entries} == {"元旦", "春节", "劳动节", "国庆节"}
    assert [(e.date.isoformat(), not e.working) for e in read_schedule(NOTICES / "2023.txt").entries][:3] == [
        ("2022-12-31", True),
        ("2023-01-01", True),
        ("2023-01-02", True),
    ]


# -- the forms of a line -------------------------------------------------------------------------------

TITLE = "国务院办公厅关于2027年部分节假日安排的通知\n"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # 12月27日: the year nearest the festival, 2026.
        ("一、元旦：1月1日至3日放假调休，共3天。12月27日（星期日）上班。", "off 01-01..03, work 12-27"),
        ("一、元旦：1月1日至3日放假调休，共3天。12月27日（周日）上班。", "off 01-01..03, work 12-27"),
        ("一、元旦:1月1日-3日放假,共3天。12月27日(周日)上班。", "off 01-01..03, work 12-27"),  # half-width
        ("一、元旦：１月１日—３日放假，共３天。１２月２７日（星期日）上班。", "off 01-01..03, work 12-27"),
        ("二、春节：2月18日—24日放假调休，共7天。", "off 02-18..24"),
        ("四、清明节：4月4日放假，与周末连休。", "off 04-04"),
        ("五、劳动节：5月1日至3日放假，4月28日（星期三）上班。", "off 05-01..03, work 04-28"),
        ("一、元旦：1月1日放假，1月4日（星期一）补休。", "off 01-01 01-04"),
        ("二、春节：2月5日（农历除夕、周五）至11日（农历正月初六、周四）放假调休，共7天。", "off 02-05..11"),
        (
            "七、国庆节：10月1日至7日放假调休，共7天。9月26日（星期日）、10月9日（星期六）上班。",
            "work 09-26 10-09",
        ),
        (
            "七、国庆节：10月1日至7日放假调休，共7天。10月9日（星期六）、10日（星期日）上班。",
            "work 10-09 10-10",
        ),
        ("三、中秋节、国庆节：9月29日至10月6日放假调休，共8天。", "off 09-29..10-06"),
        ("一、元旦：2026年12月31日至2027年1月2日放假调休，共3天。", "off 2026-12-31..01-02"),
        ("一、元旦：12月31日至1月2日放假调休，共3天。", "off 2026-12-31..01-02"),
        ("一、元旦：1月1日至3日放假公休，共3天。", "off 01-01..03"),
    ],
)
def test_every_form_of_a_festivals_line(line: str, expected: str) -> None:
    schedule = parse_notice(TITLE + line)
    off = sorted(e.date for e in schedule.entries if not e.working)
    working = sorted(e.date for e in schedule.entries if e.working)
    said = {
        "off 01-01..03, work 12-27": (("2027-01-01", "2027-01-03"), ["2026-12-27"]),
        "off 02-18..24": (("2027-02-18", "2027-02-24"), []),
        "off 04-04": (("2027-04-04", "2027-04-04"), []),
        "off 05-01..03, work 04-28": (("2027-05-01", "2027-05-03"), ["2027-04-28"]),
        "off 01-01 01-04": (None, []),
        "off 02-05..11": (("2027-02-05", "2027-02-11"), []),
        "work 09-26 10-09": (("2027-10-01", "2027-10-07"), ["2027-09-26", "2027-10-09"]),
        "work 10-09 10-10": (("2027-10-01", "2027-10-07"), ["2027-10-09", "2027-10-10"]),
        "off 09-29..10-06": (("2027-09-29", "2027-10-06"), []),
        "off 2026-12-31..01-02": (("2026-12-31", "2027-01-02"), []),
        "off 01-01..03": (("2027-01-01", "2027-01-03"), []),
    }[expected]
    span, want_working = said
    if span is None:
        assert off == [D("2027-01-01"), D("2027-01-04")]
    else:
        first, last = D(span[0]), D(span[1])
        assert off == [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
    assert working == [D(day) for day in want_working]


def test_the_text_may_come_with_blank_lines_indents_and_a_line_broken_in_two() -> None:
    text = (
        "\n\n国务院办公厅关于2027年\n\n部分节假日安排的通知\n\n【国办发明电[2026]9号】\n\n"
        "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n\n"
        "　　一、元旦：1月1日（周五）至3日（周日）放假，\n共3天。\n\n\n"
        "　　二、春节：2月6日（农历正月初一、周六）至\n\n12日（周五）放假调休，共7天。2月20日（周六）上班。\n\n"
        "　　节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作。\n\n国务院办公厅\n\n2026年11月1日\n"
    )
    schedule = parse_notice(text)
    assert schedule.source == "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕9号）"
    assert len([e for e in schedule.entries if not e.working]) == 10
    assert [e.date for e in schedule.entries if e.working] == [D("2027-02-20")]


@pytest.mark.parametrize("number", ["〔2026〕9号", "[2026]9号", "【2026】9号", "（2026）9号"])
def test_the_document_numbers_brackets(number: str) -> None:
    schedule = parse_notice(f"国办发明电{number}\n{TITLE}一、元旦：1月1日放假。")
    assert schedule.source.endswith("（国办发明电〔2026〕9号）")


def test_the_year_from_the_title_the_preamble_or_the_caller() -> None:
    line = "一、元旦：1月1日（周五）放假，共1天。"
    assert parse_notice(TITLE + line).year == 2027
    assert parse_notice("经国务院批准，现将2027年元旦、春节…的具体安排通知如下。\n" + line).year == 2027
    follow_up = parse_notice(
        "经国务院批准，现将调整2019年劳动节放假安排通知如下。\n一、2019年5月1日至4日放假调休，共4天。"
    )
    assert (follow_up.year, follow_up.correction, follow_up.replaces) == (2019, True, ("劳动节",))
    assert parse_notice(line, year=2027).year == 2027
    with pytest.raises(ScheduleError, match="does not say which year"):
        parse_notice(line)
    with pytest.raises(ScheduleError, match="the text is the 2027 notice, not 2028"):
        parse_notice(TITLE + line, year=2028)


BAD_NOTICES = [
    ("各省、自治区、直辖市人民政府：\n节假日期间，各地区要妥善安排好值班。", "holds no schedule"),
    ("", "holds no schedule"),
    (
        TITLE + "二、春节：2月30日至3月2日放假。",
        "line 2 (二、春节：2月30日至3月2日放假。): 2月30日 is not a date in 2027",
    ),
    (TITLE + "一、元旦：1月1日（周五）放假，共1天。\n二、春节：2月6日（周六）至5日放假。", "ends before it starts"),
    (
        TITLE + "一、元旦：1月1日（周四）放假，共1天。",
        "line 2 (一、元旦：1月1日（周四）放假，共1天。): 1月1日 is a 星期五 in 2027",
    ),
    (TITLE + "一、元旦：1月1日至3日放假，共4天。", "it says 4 days but its dates give 3 days off"),
    (TITLE + "一、元旦：1月1日至3日。", "cannot tell whether 1月1日 is a holiday or a working day"),
    (TITLE + "一、元旦：另行通知。", "it names no day off and no working day"),
    (
        TITLE + "一、元旦：1月1日至3日放假。1月2日（星期六）上班。",
        "2027-01-02 is named both as a day off and as a working day",
    ),
    (TITLE + "三、植树节：3月12日放假。", "“植树节” is not a festival the notices schedule"),
    (TITLE + "三、4月5日放假。", "the line names no festival"),
    (TITLE + "一、元旦：1月1日放假。\n二、元旦：1月1日放假。", "appears twice"),
    (TITLE + "二、春节：3月10日至5月20日放假。", "longer than a month"),
]


@pytest.mark.parametrize(("text", "message"), BAD_NOTICES)
def test_a_notice_that_cannot_be_read_is_refused_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(ScheduleError) as error:
        parse_notice(text)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


# -- the follow-up notice: a correction ------------------------------------------------------------


def test_the_2019_labour_day_follow_up_is_a_correction_of_that_festival() -> None:
    follow_up = read_schedule(NOTICES / "2019-labour-day.txt")
    assert (follow_up.year, follow_up.correction, follow_up.replaces) == (2019, True, ("劳动节",))
    assert follow_up.source == "国务院办公厅关于调整2019年劳动节假期安排的通知（国办发明电〔2019〕3号）"
    assert days(follow_up) == [
        ("2019-04-28", False),
        ("2019-05-01", True),
        ("2019-05-02", True),
        ("2019-05-03", True),
        ("2019-05-04", True),
        ("2019-05-05", False),
    ]
    assert {entry.name for entry in follow_up.entries} == {"劳动节"}


@pytest.mark.django_db
def test_the_follow_up_is_merged_by_date_and_leaves_the_other_festivals() -> None:
    original = import_schedule(read_schedule(NOTICES / "2019.txt"))
    assert original.created == len(read_schedule(NOTICES / "2019.txt").entries)
    before = {day.date: day.name for day in CalendarDay.objects.exclude(name="劳动节")}
    result = import_schedule(read_schedule(NOTICES / "2019-labour-day.txt"))
    assert (result.created, result.updated, result.deleted, result.unchanged) == (5, 1, 0, 0)
    assert "2019 correction loaded" in str(result) and "the rest of the 2019 schedule stays" in str(result)
    after = {day.date: day.name for day in CalendarDay.objects.exclude(name="劳动节")}
    assert after == before  # 元旦, 春节, … untouched
    # Merged, 2019 is what the chinesecalendar package (which has the follow-up) says.
    loaded = CalendarDay.objects.all()
    off = {day.date for day in loaded if day.kind == DayKind.HOLIDAY}
    working = {day.date for day in loaded if day.kind == DayKind.WORKDAY}
    assert as_the_package_says(off, working)
    assert {D("2019-05-02"), D("2019-05-03")} <= off
    assert CalendarDay.objects.get(date=D("2019-05-05")).source.startswith("国务院办公厅关于调整2019年")
    assert CalendarYear.objects.get(year=2019).source.startswith("国务院办公厅关于2019年")  # the notice's
    # Loading the whole notice again restores its Labour Day (the follow-up's days are the 2019 notice's).
    again = import_schedule(read_schedule(NOTICES / "2019.txt"))
    assert again.deleted == 5 and not CalendarDay.objects.filter(date=D("2019-05-05")).exists()


@pytest.mark.django_db
def test_a_correction_replaces_the_days_of_the_festival_it_changes() -> None:
    """A follow-up that shortens a festival: the days it no longer names go too."""
    import_schedule(read_schedule(NOTICES / "2019.txt"))
    import_schedule(read_schedule(NOTICES / "2019-labour-day.txt"))
    shorter = parse_notice("国务院办公厅关于调整2019年劳动节假期安排的通知\n一、2019年5月1日至2日放假，共2天。")
    result = import_schedule(shorter)
    assert result.deleted == 4  # 28 April, 3-5 May
    assert sorted(CalendarDay.objects.filter(name="劳动节").values_list("date", flat=True)) == [
        D("2019-05-01"),
        D("2019-05-02"),
    ]
    assert CalendarDay.objects.filter(name="春节").count() == 9


# -- the formats ------------------------------------------------------------------------------------


def test_the_format_is_told_by_the_content() -> None:
    assert schedule_format('{"year": 2027}') == "json"
    assert schedule_format("[[[") == "json"
    assert schedule_format("date,type,name\n2027-01-01,holiday,元旦\n") == "csv"
    assert schedule_format("day,kind\n") == "csv"
    assert schedule_format("国务院办公厅关于2027年部分节假日安排的通知") == "notice"
    assert schedule_format("一、元旦：1月1日放假。", "notice.txt") == "notice"
    text = (NOTICES / "2026.txt").read_text(encoding="utf-8")
    assert read_schedule_text(text) == read_schedule(NOTICES / "2026.txt")


def test_what_was_read_round_trips_through_the_holiday_cn_format() -> None:
    schedule = read_schedule(NOTICES / "2019-labour-day.txt")
    plain = json.loads(dump_holiday_cn(schedule))
    assert list(plain) == ["year", "papers", "days"]
    assert list(plain["days"][0]) == ["name", "date", "isOffDay"]
    marked = dump_holiday_cn(schedule, marks=True)
    assert read_schedule_text(marked) == schedule  # the correction and its festival, kept


# -- the command ------------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_calendar", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["2024", "2025", "2026"])
def test_the_dry_run_prints_what_was_read_as_holiday_cn_json_and_changes_nothing(name: str) -> None:
    printed = json.loads(run(str(NOTICES / f"{name}.txt"), "--dry-run", "--json"))
    assert list(printed) == ["year", "papers", "days"]
    assert printed["year"] == int(name)
    assert sorted((d["date"], d["isOffDay"]) for d in printed["days"]) == holiday_cn_days(int(name))
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.exists()


@pytest.mark.django_db
def test_the_dry_run_of_a_json_or_csv_file_prints_the_same_format(tmp_path: Path) -> None:
    printed = json.loads(run(str(HOLIDAY_CN / "2026.json"), "--dry-run", "--json"))
    original = json.loads((HOLIDAY_CN / "2026.json").read_text(encoding="utf-8"))
    assert printed == {"year": 2026, "papers": original["papers"], "days": original["days"]}
    csv = tmp_path / "2027.csv"
    csv.write_text(reference.sample_2027_csv(), encoding="utf-8")
    sample = json.loads((HOLIDAY_CN / "sample-2027.json").read_text(encoding="utf-8"))
    assert json.loads(run(str(csv), "--dry-run", "--json", "--source", "国办发明电〔2026〕1号")) == {
        "year": 2027,
        "papers": ["国办发明电〔2026〕1号"],
        "days": sample["days"],
    }
    assert not CalendarDay.objects.exists()


@pytest.mark.django_db
def test_the_readable_dry_run_says_what_a_load_would_do() -> None:
    import_schedule(read_schedule(NOTICES / "2019.txt"))
    out = run(str(NOTICES / "2019-labour-day.txt"), "--dry-run")
    assert out.startswith("Dry run: nothing was changed.\n2019 correction: 国务院办公厅关于调整2019年劳动节")
    assert "6 days: 4 days off, 2 adjusted working days, 2019-04-28 to 2019-05-05." in out
    assert "  劳动节: off 2019-05-01 to 2019-05-04; working 2019-04-28, 2019-05-05" in out
    assert "replaces the loaded days of 劳动节" in out
    assert "Loading it would add 5 entries, change 1, remove 0 and leave 0." in out
    assert "Open due dates that would move: 0, in 0 applications." in out
    assert CalendarDay.objects.get(date=D("2019-05-01")).source.startswith("国务院办公厅关于2019年")
    assert not CalendarDay.objects.filter(date=D("2019-05-05")).exists()


@pytest.mark.django_db
def test_the_command_loads_a_notice() -> None:
    out = run(str(NOTICES / "2026.txt"))
    assert "2026 schedule loaded: 39 entries added" in out
    assert CalendarYear.objects.get(year=2026).source.endswith("（国办发明电〔2025〕7号）")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("三、植树节：3月12日放假。", ("--year", "2027"), "“植树节” is not a festival"),
        ("各省、自治区：\n节假日期间…", (), "holds no schedule"),
        ("date,type,name\n2027-01-01,holiday,元旦\n", (), "Mark it as a correction"),
        (TITLE + "一、元旦：1月1日放假。", ("--json",), "--json goes with --dry-run"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(tmp_path: Path, content: str, args, message: str) -> None:
    path = tmp_path / "notice.txt"
    path.write_text(content, encoding="utf-8")
    for dry in ((), ("--dry-run",)):
        if "--json" in args and dry:
            continue
        with pytest.raises(CommandError) as error:
            run(str(path), *args, *dry)
        assert message in str(error.value) and "\n" not in str(error.value)
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.exists()


@pytest.mark.django_db
def test_the_correction_flag_loads_one_day(tmp_path: Path) -> None:
    run(str(HOLIDAY_CN / "sample-2027.json"))
    path = tmp_path / "fix.csv"
    path.write_text("date,type,name\n2027-02-13,workday,春节\n", encoding="utf-8")
    with pytest.raises(CommandError, match="would remove the other 32 loaded days of 2027"):
        run(str(path))
    out = run(str(path), "--correction")
    assert "2027 correction loaded: 0 entries added, 1 changed, 0 removed, 0 unchanged" in out
    assert CalendarDay.objects.filter(notice_year=2027).count() == 33
    assert CalendarDay.objects.get(date=D("2027-02-13")).kind == DayKind.WORKDAY
    assert CalendarYear.objects.get(year=2027).official


def test_read_upload_is_the_one_door() -> None:
    text = (NOTICES / "2026.txt").read_text(encoding="utf-8")
    assert read_upload(text) == read_upload(text.encode()) == read_upload(NOTICES / "2026.txt")
    assert read_upload(text, correction=True).correction

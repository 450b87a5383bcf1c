"""approvals.estimate: a year's schedule estimated from the law, checked against the published years."""

import json
import subprocess
import sys
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from chinese_calendar.constants import holidays, workdays
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.utils import translation

from approvals.calendar import WorkCalendar
from approvals.estimate import (
    FIRST_YEAR,
    LAST_YEAR,
    ONE_OFF_HOLIDAYS,
    EstimatedDay,
    estimate_year,
    festival_days,
    revision,
)

D = date.fromisoformat
ONE = timedelta(days=1)
ONE_OFF = {d for holiday in ONE_OFF_HOLIDAYS for d in (*holiday.off, *holiday.working)}


def official_off(day: date) -> bool:
    if day in holidays:
        return True
    if day in workdays:
        return False
    return day.weekday() >= 5


def by_day(year: int) -> dict[date, EstimatedDay]:
    return {entry.date: entry for entry in estimate_year(year)}


def test_the_module_imports_without_django_or_settings() -> None:
    code = "import sys, approvals.estimate; sys.exit('django' in sys.modules)"
    root = Path(__file__).parent.parent
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={}, cwd=root)
    assert result.returncode == 0, result.stderr


def test_the_2027_facts() -> None:
    days = festival_days(2027)
    assert days[D("2027-02-05")] == "春节"  # 除夕, a Friday: 腊月 has 29 days in 2027
    assert [d for d, name in days.items() if name == "春节"] == [D(f"2027-02-0{i}") for i in (5, 6, 7, 8)]
    assert days[D("2027-04-05")] == "清明"
    assert days[D("2027-06-09")] == "端午"
    assert days[D("2027-09-15")] == "中秋"
    assert [d for d, name in days.items() if name == "劳动节"] == [D("2027-05-01"), D("2027-05-02")]


def test_2027s_spring_festival_days_are_off_and_certain() -> None:
    days = by_day(2027)
    for day in ("2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"):
        assert days[D(day)] == EstimatedDay(D(day), "春节", True, True, True)
    # What the notice adds is uncertain: the 补休 and bridged weekdays after, the weekends near.
    for day in ("2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"):
        assert days[D(day)].off and not days[D(day)].certain
    assert not days[D("2027-01-31")].certain and not days[D("2027-02-14")].certain
    assert D("2027-02-04") not in days, "the weekday before 除夕 is plain"


def test_the_revisions() -> None:
    assert [revision(y) for y in (2013, 2014, 2024, 2025, 2030)] == [2014, 2014, 2014, 2025, 2025]
    spring_2024 = [d for d, name in festival_days(2024).items() if name == "春节"]
    assert spring_2024 == [D("2024-02-10"), D("2024-02-11"), D("2024-02-12")], "初一 to 初三; 除夕 was a weekday"
    assert D("2024-05-02") not in festival_days(2024)
    assert festival_days(2025)[D("2025-05-02")] == "劳动节"


@pytest.mark.parametrize("year", [2027, 2028, 2031, 2033, 2040, 2057, 2099])
def test_every_statutory_day_is_listed_off_and_certain(year: int) -> None:
    days = by_day(year)
    statutory = festival_days(year)
    names = {"元旦", "春节", "清明", "劳动节", "端午", "中秋", "国庆节"}
    assert {part for name in statutory.values() for part in name.split("、")} == names
    for day, name in statutory.items():
        assert days[day] == EstimatedDay(day, name, True, True, True), day


def test_the_lunar_dates_agree_with_the_published_years() -> None:
    # Every statutory day of 2008-2026 (since 清明, 端午 and 中秋 became holidays) is a rest day in
    # chinesecalendar's data: lunar_python's dates and solar terms are the notices' dates.
    for year in range(2008, 2027):
        for day, name in festival_days(year).items():
            assert official_off(day), (year, day, name)


def test_a_year_lists_only_its_own_days_sorted_with_the_next_new_year() -> None:
    for year in (2027, 2029, 2035):
        days = estimate_year(year)
        assert [d.date for d in days] == sorted({d.date for d in days})
        assert all(d.date.year == year for d in days)
    # 1 Jan 2030 is a Tuesday: Monday 31 Dec 2029 is bridged and Saturday 29 Dec worked, in 2029.
    days = by_day(2029)
    assert days[D("2029-12-31")] == EstimatedDay(D("2029-12-31"), "元旦", True, False, True)
    assert days[D("2029-12-29")] == EstimatedDay(D("2029-12-29"), "元旦", False, False)
    assert D("2029-12-31") not in by_day(2030)


def test_a_plain_day_is_listed_only_when_uncertain_and_then_unnamed() -> None:
    for year in (2027, 2030):
        for day in estimate_year(year):
            plain = day.off == (day.date.weekday() >= 5)
            if day.date not in festival_days(year):
                assert not (plain and day.certain), day
            if not day.name:
                assert plain and not day.certain, day


def test_a_holiday_is_a_festival_rest_day_not_a_weekend_the_notice_may_work() -> None:
    """2027: Sun 25 April may become Labour Day's make-up working day (named, uncertain); the guess
    leaves it a rest day, but an ordinary Sunday, not one of the holiday's rest days. Sat 13 Feb is
    inside the guessed Spring Festival: a holiday. The calendar page counts 25 holidays."""
    days = by_day(2027)
    assert days[D("2027-04-25")] == EstimatedDay(D("2027-04-25"), "劳动节", True, False, False)
    assert days[D("2027-02-13")] == EstimatedDay(D("2027-02-13"), "春节", True, False, True)
    assert sum(1 for day in days.values() if day.holiday) == 25
    assert all(day.off for day in days.values() if day.holiday)


def test_years_outside_the_lunar_range_are_refused() -> None:
    for year in (FIRST_YEAR - 1, LAST_YEAR + 1):
        with pytest.raises(ValueError, match="1901-2099"):
            estimate_year(year)
        with pytest.raises(ValueError):
            festival_days(year)
    assert estimate_year(FIRST_YEAR) and estimate_year(LAST_YEAR)


# -- the backtest: each published year as if unpublished -------------------------------------


@pytest.mark.parametrize("year", range(2016, 2027))
def test_no_certain_day_of_a_published_year_was_ever_wrong(year: int) -> None:
    days = by_day(year)
    wrong = []
    day = date(year, 1, 1)
    while day.year == year:
        entry = days.get(day)
        off, certain = (entry.off, entry.certain) if entry else (day.weekday() >= 5, True)
        if certain and off != official_off(day) and day not in ONE_OFF:
            wrong.append(day)
        day += ONE
    assert wrong == []
    assert sum(1 for entry in days.values() if not entry.certain) < 50


def test_the_one_off_holidays_are_named_and_2015s_lies_outside_the_rule() -> None:
    victory, epidemic = ONE_OFF_HOLIDAYS
    assert all(official_off(d) for d in victory.off) and not any(official_off(d) for d in victory.working)
    assert all(official_off(d) for d in epidemic.off)
    days = by_day(2015)
    assert days.get(D("2015-09-03")) is None, "no rule predicts Victory Day 2015: plain, and wrong"
    days = by_day(2020)
    assert all(not days[d].certain for d in epidemic.off if d.weekday() < 6), "inside the uncertain days"


@pytest.mark.parametrize(
    ("year", "festival", "first", "last", "worked"),
    [
        # The best guess reproduces the 2025 revision's notices.
        (2025, "春节", "2025-01-28", "2025-02-04", ["2025-01-26", "2025-02-08"]),
        (2025, "劳动节", "2025-05-01", "2025-05-05", ["2025-04-27"]),
        (2025, "国庆节", "2025-10-01", "2025-10-08", ["2025-09-28", "2025-10-11"]),
        (2026, "春节", "2026-02-15", "2026-02-23", ["2026-02-14", "2026-02-28"]),
        (2026, "劳动节", "2026-05-01", "2026-05-05", ["2026-05-09"]),
        (2026, "国庆节", "2026-10-01", "2026-10-07", ["2026-09-20", "2026-10-10"]),
        (2026, "元旦", "2026-01-01", "2026-01-03", ["2026-01-04"]),
    ],
)
def test_the_best_guess_matches_the_recent_notices(
    year: int, festival: str, first: str, last: str, worked: list[str]
) -> None:
    days = by_day(year)

    def off(day: date) -> bool:
        return days[day].off if day in days else day.weekday() >= 5

    day = D(first)
    while day <= D(last):
        assert off(day), day
        day += ONE
    assert not off(D(first) - ONE) and not off(D(last) + ONE)
    for raw in worked:
        assert days[D(raw)] == EstimatedDay(D(raw), festival, False, False)


# -- in the calendar: WorkCalendar with 2027 unpublished -------------------------------------


def test_a_clock_wholly_in_2026_is_never_provisional(official: WorkCalendar) -> None:
    day = D("2026-01-01")
    while day <= D("2026-12-31"):
        for n in (8, 10, 26):
            due = official.add_working_days(day, n)
            if due.date.year == 2026:
                assert not due.provisional, (day, n)
        day += ONE
    assert official.add_working_days(D("2026-12-01"), 8) == (D("2026-12-11"), False)


def test_a_website_filing_across_the_2027_spring_festival(official: WorkCalendar) -> None:
    # docs/domain.md's worked example: accepted Thu 2027-01-28, 8 working days.
    best = official.add_working_days(D("2027-01-28"), 8)
    earliest = official.bound("earliest").add_working_days(D("2027-01-28"), 8)
    latest = official.bound("latest").add_working_days(D("2027-01-28"), 8)
    assert best.provisional and best.date >= D("2027-02-11")
    assert earliest.date <= best.date <= latest.date
    assert (earliest.provisional, latest.provisional) == (False, False)


def test_the_bound_calendars_have_nothing_provisional(official: WorkCalendar) -> None:
    for which in ("earliest", "latest"):
        bound = official.bound(which)
        day = D("2026-06-01")
        while day <= D("2031-12-31"):
            assert not bound.is_working_day(day).provisional, (which, day)
            day += ONE
        assert not bound.working_days_between(D("2026-06-01"), D("2031-12-31")).provisional
        assert not bound.add_working_days(D("2027-01-28"), 260).provisional


def test_explicit_days_override_the_estimate(official: WorkCalendar) -> None:
    entered = official.with_days({D("2027-02-11"): True, D("2027-01-31"): False})
    assert entered.is_working_day(D("2027-02-11")) == (True, False)
    assert entered.is_working_day(D("2027-01-31")) == (False, False)
    assert entered.estimated(D("2027-02-11")) is None
    assert entered.bound("latest").is_working_day(D("2027-02-11")) == (True, False)


# -- manage.py estimate_calendar --------------------------------------------------------------


def run(capsys, monkeypatch, *argv: str) -> tuple[int, str, str]:
    """Run the command as the shell does (argument parsing, exit code, stdout and stderr)."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    try:
        ManagementUtility(["manage.py", "estimate_calendar", *argv]).execute()
        code = 0
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_prints_a_table_and_the_uncertain_days(capsys, monkeypatch) -> None:
    code, out, err = run(capsys, monkeypatch, "2027")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "2027 without its notice: estimated from the law and recent notices"
    assert lines[1].split() == ["Date", "Weekday", "Festival", "Best", "guess", "Certainty"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:-1]}
    for day, weekday in (("2027-02-05", "Fri"), ("2027-02-06", "Sat"), ("2027-02-07", "Sun"), ("2027-02-08", "Mon")):
        assert rows[day] == [weekday, "春节", "off", "certain"]
    assert rows["2027-02-09"] == ["Tue", "春节", "off", "uncertain"]
    uncertain = sum(1 for d in estimate_year(2027) if not d.certain)
    assert lines[-1] == f"uncertain days: {uncertain}"
    assert len(rows) == len(estimate_year(2027))


def test_the_command_prints_json(capsys, monkeypatch) -> None:
    code, out, err = run(capsys, monkeypatch, "2027", "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert set(data) == {"year", "days"} and data["year"] == 2027
    assert all(set(day) == {"date", "name", "isOffDay", "certain"} for day in data["days"])
    by_date = {day["date"]: day for day in data["days"]}
    for day in ("2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"):
        assert by_date[day] == {"date": day, "name": "春节", "isOffDay": True, "certain": True}
    assert [day["date"] for day in data["days"]] == [d.date.isoformat() for d in estimate_year(2027)]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["twenty"], "YEAR 'twenty' is not a year: expected a whole number such as 2027"),
        (["2027.5", "--json"], "YEAR '2027.5' is not a year: expected a whole number such as 2027"),
        (["1900"], "YEAR 1900 is outside the years the estimate covers, 1901-2099"),
        (["2100", "--json"], "YEAR 2100 is outside the years the estimate covers, 1901-2099"),
    ],
)
def test_bad_years_are_one_clear_line_and_a_non_zero_exit(capsys, monkeypatch, argv: list[str], message: str) -> None:
    code, out, err = run(capsys, monkeypatch, *argv)
    assert code != 0 and out == ""
    assert err == f"CommandError: {message}\n"
    with pytest.raises(CommandError, match="YEAR"):
        call_command("estimate_calendar", *argv, stdout=StringIO(), stderr=StringIO())


def test_the_command_in_chinese(capsys, monkeypatch) -> None:
    with translation.override("zh-hans"):
        code, out, _err = run(capsys, monkeypatch, "2027")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("2027-02-05"))
    assert row.split()[:3] == ["2027-02-05", "星期五", "春节"]

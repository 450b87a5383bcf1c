"""Backtest the estimate of an unpublished year (approvals.estimate) on the published years.

    python -m benchmarks.provisional                 # or: [--first 2016] [--last 2026]

Each year Y is estimated as if its notice were not out: a WorkCalendar with every other year of
chinesecalendar's data official and Y estimated, compared with the fully official calendar. For
every start day of Y (every calendar day) and limits of 8, 10 and 26 working days (the three
procedures): the share of due dates the best estimate gets exactly, the share of official due
dates inside [earliest, latest] (``bound()``), the share of due dates flagged provisional, the
certain days that are wrong, and the uncertain days; per year and in total. Beside it, in the
same run, the present rule this replaces: weekends plus 1 Jan, 1-2 May and 1-3 Oct, every day
provisional (it has no range and calls nothing certain). Then the one-off holidays
(``ONE_OFF_HOLIDAYS``), and whether each falls outside the estimate's uncertain days.

Exits non-zero if a certain day is wrong (one-off holidays apart) or an official due date falls
outside its range.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from approvals.calendar import WorkCalendar
from approvals.estimate import ONE_OFF_HOLIDAYS, EstimatedDay, estimate_year

LIMITS = (8, 10, 26)
ONE = timedelta(days=1)

# The present rule (until this estimate): the fixed-date statutory days, every day provisional.
PRESENT_FIXED = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


def present_rule(year: int) -> tuple[EstimatedDay, ...]:
    """The present rule as an estimate: every day uncertain, off on weekends and the fixed days."""
    day, days = date(year, 1, 1), []
    while day.year == year:
        fixed = (day.month, day.day) in PRESENT_FIXED
        days.append(EstimatedDay(day, "fixed" if fixed else "", fixed or day.weekday() >= 5, False))
        day += ONE
    return tuple(days)


def official_days() -> dict[date, bool]:
    from chinese_calendar.constants import holidays, workdays  # the package's data tables

    days = {d: False for d in holidays}
    days.update({d: True for d in workdays})
    return days


@dataclass
class Tally:
    clocks: int = 0
    exact: int = 0
    in_range: int = 0
    provisional: int = 0
    wrong_certain: list[date] = field(default_factory=list)
    uncertain: int = 0
    years: int = 0

    def add(self, other: Tally) -> None:
        self.clocks += other.clocks
        self.exact += other.exact
        self.in_range += other.in_range
        self.provisional += other.provisional
        self.wrong_certain += other.wrong_certain
        self.uncertain += other.uncertain
        self.years += other.years


def year_days(year: int) -> list[date]:
    day, days = date(year, 1, 1), []
    while day.year == year:
        days.append(day)
        day += ONE
    return days


def backtest(year: int, official: WorkCalendar, days: dict[date, bool], one_off: set[date]) -> tuple[Tally, Tally]:
    others = {d: working for d, working in days.items() if d.year != year}
    years = official.official_years - {year}
    estimated = WorkCalendar(others, years, first_year=official.first_day.year)
    present = WorkCalendar(others, years, first_year=official.first_day.year, estimate=present_rule)
    earliest, latest = estimated.bound("earliest"), estimated.bound("latest")
    ours, theirs = Tally(years=1), Tally(years=1)
    for day in year_days(year):
        truth = official.is_working_day(day).working
        status = estimated.is_working_day(day)
        if status.provisional:
            ours.uncertain += 1
        elif status.working != truth and day not in one_off:
            ours.wrong_certain.append(day)
        theirs.uncertain += 1
        for n in LIMITS:
            due = official.add_working_days(day, n).date
            best = estimated.add_working_days(day, n)
            ours.clocks += 1
            ours.exact += best.date == due
            ours.provisional += best.provisional
            ours.in_range += earliest.add_working_days(day, n).date <= due <= latest.add_working_days(day, n).date
            guess = present.add_working_days(day, n)
            theirs.clocks += 1
            theirs.exact += guess.date == due
            theirs.provisional += guess.provisional
    return ours, theirs


def share(part: int, whole: int) -> str:
    return f"{100 * part / whole:6.1f}%" if whole else "      -"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=int, default=2016)
    parser.add_argument("--last", type=int, default=2026)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    official = WorkCalendar.official()
    days = official_days()
    one_off = {d for holiday in ONE_OFF_HOLIDAYS for d in (*holiday.off, *holiday.working)}
    rows = []
    total_ours, total_theirs = Tally(), Tally()
    for year in range(args.first, args.last + 1):
        ours, theirs = backtest(year, official, days, one_off)
        rows.append((year, ours, theirs))
        total_ours.add(ours)
        total_theirs.add(theirs)
    elapsed = time.perf_counter() - started

    print(f"backtest of the estimate, {args.first}-{args.last}: each year estimated as if unpublished")
    print(f"every start day x {', '.join(map(str, LIMITS))} working days; {elapsed:.1f} s")
    print()
    print(
        f"{'':6}{'---------------- estimate from the law ----------------':>58}"
        f"  {'------------ present rule ------------':>33}"
    )
    print(
        f"{'year':<6}{'exact':>9}{'in range':>10}{'provisional':>13}{'certain wrong':>15}{'uncertain':>11}"
        f"  {'exact':>9}{'provisional':>13}{'uncertain':>11}"
    )
    for label, ours, theirs in [*rows, ("total", total_ours, total_theirs)]:
        per_year = ours.uncertain / ours.years
        print(
            f"{label!s:<6}{share(ours.exact, ours.clocks):>9}{share(ours.in_range, ours.clocks):>10}"
            f"{share(ours.provisional, ours.clocks):>13}{len(ours.wrong_certain):>15}"
            f"{per_year:>11.1f}"
            f"  {share(theirs.exact, theirs.clocks):>9}{share(theirs.provisional, theirs.clocks):>13}"
            f"{theirs.uncertain / theirs.years:>11.1f}"
        )
    print("(uncertain: days a year, the mean in the total line. The present rule calls no day certain and has")
    print(" no range. The estimate's rule was calibrated on these years: its figures are in-sample.)")
    print()

    print("one-off holidays, apart from the rule (approvals.estimate.ONE_OFF_HOLIDAYS):")
    for holiday in ONE_OFF_HOLIDAYS:
        listed = {d.date: d for y in {d.year for d in (*holiday.off, *holiday.working)} for d in estimate_year(y)}
        outside = []
        for day in (*holiday.off, *holiday.working):
            entry = listed.get(day)
            certain_off = entry.off if entry else day.weekday() >= 5
            certain = entry.certain if entry else True
            if certain and certain_off != (day in holiday.off):
                outside.append(day)
        days_text = ", ".join(f"{d:%Y-%m-%d}" for d in holiday.off)
        worked = ", ".join(f"{d:%Y-%m-%d}" for d in holiday.working)
        where = (
            f"outside the rule: {', '.join(f'{d:%m-%d}' for d in outside)}"
            if outside
            else "inside the estimate's uncertain days"
        )
        print(f"  {holiday.name}: off {days_text}" + (f"; worked {worked}" if worked else "") + f" ({where})")
    print()

    checks = {
        "no certain day wrong (one-off holidays apart)": not total_ours.wrong_certain,
        "every official due date inside [earliest, latest]": total_ours.in_range == total_ours.clocks,
        "fewer than 50 uncertain days in every year": all(o.uncertain < 50 for _, o, _ in rows),
        "the estimate is exact more often than the present rule": total_ours.exact > total_theirs.exact,
    }
    for name, ok in checks.items():
        print(f"  [{'ok' if ok else 'FAIL'}] {name}")
    if total_ours.wrong_certain:
        print("  certain days wrong:", ", ".join(d.isoformat() for d in total_ours.wrong_certain))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

"""A year's holiday schedule estimated from the law, for a year whose State Council notice is not out.

What is certain is what 全国年节及纪念日放假办法 fixes, in the revision in force that year:

* 2025 revision (years from 2025): 元旦 1 Jan; 春节 除夕 and 正月初一 to 初三 (4 days); 清明 the day of
  the solar term; 劳动节 1-2 May; 端午 五月初五; 中秋 八月十五; 国庆节 1-3 Oct.
* 2014 revision (2014-2024): the same, but 春节 is 初一 to 初三 and 劳动节 1 May only. Earlier years are
  estimated with the 2014 rules as an approximation (the 2007 revision had 春节 除夕 to 初二, and
  before 2008 there was no 清明, 端午 or 中秋 holiday).

The lunar dates and the solar term come from ``lunar_python``, for the years 1901-2099.

What the notice adds, the 调休, is estimated from the pattern of the notices since 2016; every day
it could touch is *uncertain*, and has a best guess:

* A one-day festival (元旦, 清明, 端午, 中秋 on its own) on a Tuesday takes the Monday off and works the
  Saturday before; on a Thursday it takes the Friday off and works the Sunday after (those two
  days uncertain). On a Monday, Wednesday or Friday it is the day alone, with its weekend. On a
  Saturday or Sunday the 补休 is the Monday after: certain, as in every notice since 2013 (2012
  gave a Friday), except a 中秋 in the week before 国庆节, whose 补休 a notice may fold into the
  National Day block (2015).
* 春节, 劳动节 and 国庆节 are blocks. 春节: 除夕 to 初七 (2025 revision); 除夕 to 初六, or 初一 to 初八 as
  in 2024 (2014 revision). 劳动节: five days, 1-5 May, from the Saturday before when 1 May is a
  Sunday, Monday or Tuesday (on a Tuesday also 1-5 May; on a Wednesday also 1-4 May, as 2019);
  before 2019 the notices kept it to the day, as a one-day festival, which is then the best guess.
  国庆节: 1-7 Oct, or eight days from the earlier of 中秋 and 1 Oct when 中秋 falls on 29 Sep-8 Oct.
  Every weekday of a block that is not statutory is uncertain (a 补休 or a bridged day), and so
  are the weekend days a notice could work: on each side of the block the weekend that touches
  it, else the nearest Sunday before and the nearest Saturday after (every make-up day of
  2016-2026 is one of these), passing over another festival's days (2026: Sunday 20 Sep, before
  中秋). The best guess works as many of them as the block has bridged weekdays, chosen as recent
  notices choose: no stretch of more than 6 working days (art. 7 of the 2025 revision; 7 before),
  as few lone rest days as possible, the days nearest the block, stretches as even as possible.

Calibrated on the published years (chinesecalendar's data): from 2016 on, no day this module calls
certain differs from the official schedule, except the one-off holidays in ``ONE_OFF_HOLIDAYS``;
2016-2026 have 20 uncertain days a year on average (11-27).

This module has no Django import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import cache
from itertools import combinations
from typing import NamedTuple

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "ONE_OFF_HOLIDAYS",
    "EstimatedDay",
    "OneOff",
    "estimate_year",
    "festival_days",
    "revision",
]

# The years lunar_python's dates can be relied on for (it computes further, but the lunar tables
# published for checking cover 1901-2100), and so the years this module estimates.
FIRST_YEAR, LAST_YEAR = 1901, 2099

NEW_YEAR, SPRING, QINGMING, LABOUR, DRAGON_BOAT, MID_AUTUMN, NATIONAL = (
    "元旦",
    "春节",
    "清明",
    "劳动节",
    "端午",
    "中秋",
    "国庆节",
)

# The first year whose notice made 劳动节 a block (1-4 May 2019; five days from 2020); before, the
# notices kept it to the day and its weekend.
LONG_LABOUR_DAY = 2019

ONE = timedelta(days=1)
WEEK = timedelta(days=7)


class EstimatedDay(NamedTuple):
    """A day of an estimated year that is not plain, or whose status is uncertain."""

    date: date
    name: str  # the festival (in Chinese, e.g. "春节") whose notice fixes or may change the day
    off: bool  # the best guess: True = a rest day
    certain: bool
    holiday: bool = False  # the best guess: one of the festival's rest days, not a plain weekend day


class OneOff(NamedTuple):
    """A holiday no rule predicts: its rest days and its make-up working days."""

    name: str
    off: tuple[date, ...]
    working: tuple[date, ...]


# One-off holidays in the published years, which the estimate does not predict (the backtest
# lists them apart). 2020's extension of the Spring Festival (the epidemic) falls inside the
# estimate's uncertain days: 31 Jan was 初七, 1 Feb the make-up Saturday the notice had named.
ONE_OFF_HOLIDAYS: tuple[OneOff, ...] = (
    OneOff(
        "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
        (date(2015, 9, 3), date(2015, 9, 4), date(2015, 9, 5)),
        (date(2015, 9, 6),),
    ),
    OneOff("春节延长假期（新冠肺炎疫情防控）", (date(2020, 1, 31), date(2020, 2, 1), date(2020, 2, 2)), ()),
)


def revision(year: int) -> int:
    """The revision of 全国年节及纪念日放假办法 whose days the estimate uses for ``year``: 2025 or 2014
    (the 2014 rules stand in for every earlier year)."""
    return 2025 if year >= 2025 else 2014


def _check(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"the estimate covers {FIRST_YEAR}-{LAST_YEAR}, not {year}")


class _Lunar(NamedTuple):
    chuxi: date  # 除夕, the last day of the 12th lunar month (the 29th or the 30th)
    chuyi: date  # 正月初一
    qingming: date
    duanwu: date  # 五月初五
    zhongqiu: date  # 八月十五


@cache
def _lunar(year: int) -> _Lunar:
    from lunar_python import Lunar, LunarYear, Solar

    def day(julian: float) -> date:
        solar = Solar.fromJulianDay(julian)
        return date(solar.getYear(), solar.getMonth(), solar.getDay())

    lunar_year = LunarYear.fromYear(year)
    first = {(m.getYear(), m.getMonth()): m.getFirstJulianDay() for m in lunar_year.getMonths()}
    chuyi = day(first[(year, 1)])
    qingming = day(lunar_year.getJieQiJulianDays()[Lunar.JIE_QI_IN_USE.index("清明")])
    return _Lunar(chuyi - ONE, chuyi, qingming, day(first[(year, 5)] + 4), day(first[(year, 8)] + 14))


def festival_days(year: int) -> dict[date, str]:
    """The statutory days of ``year``'s festivals, all of them in ``year``, with their names. A day
    that is two festivals at once (中秋 on 1 Oct) has both names."""
    _check(year)
    lunar = _lunar(year)
    later = revision(year) >= 2025
    days: dict[date, str] = {}

    def add(day: date, name: str) -> None:
        days[day] = f"{days[day]}、{name}" if day in days else name

    add(date(year, 1, 1), NEW_YEAR)
    for offset in range(0 if later else 1, 4):
        add(lunar.chuxi + offset * ONE, SPRING)
    add(lunar.qingming, QINGMING)
    add(date(year, 5, 1), LABOUR)
    if later:
        add(date(year, 5, 2), LABOUR)
    add(lunar.duanwu, DRAGON_BOAT)
    for day in (1, 2, 3):
        add(date(year, 10, day), NATIONAL)
    add(lunar.zhongqiu, MID_AUTUMN)
    return dict(sorted(days.items()))


# -- one festival's days ---------------------------------------------------------------------


def _weekend(day: date) -> bool:
    return day.weekday() >= 5


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += ONE


class _Plan(NamedTuple):
    days: dict[date, EstimatedDay]  # the festival's listed days
    reserved: frozenset[date]  # its rest days and make-up days in the best guess: no other festival's


def _single(day: date, name: str, *, sure_monday: bool = True) -> _Plan:
    """A one-day festival: bridged to a long weekend on a Tuesday or a Thursday, with the 补休 on the
    Monday after when it falls on a weekend."""
    days = {day: EstimatedDay(day, name, True, True, True)}
    weekday = day.weekday()
    if weekday == 1:  # Sunday to Tuesday off, the Saturday before worked
        days[day - ONE] = EstimatedDay(day - ONE, name, True, False, True)
        days[day - 3 * ONE] = EstimatedDay(day - 3 * ONE, name, False, False)
    elif weekday == 3:  # Thursday to Saturday off, the Sunday after worked
        days[day + ONE] = EstimatedDay(day + ONE, name, True, False, True)
        days[day + 3 * ONE] = EstimatedDay(day + 3 * ONE, name, False, False)
    elif weekday >= 5:
        monday = day + (7 - weekday) * ONE
        days[monday] = EstimatedDay(monday, name, True, sure_monday, True)
    rest = {d for d, entry in days.items() if entry.off}
    first, last = min(rest), max(rest)
    while _weekend(first - ONE) and first - ONE not in days:
        first -= ONE
    while _weekend(last + ONE) and last + ONE not in days:
        last += ONE
    return _Plan(days, frozenset([*_days(first, last), *days]))


def _status(day: date, context: Mapping[date, bool]) -> bool:
    """Whether ``day`` is a rest day in ``context`` (the best guess so far), else by the weekend."""
    off = context.get(day)
    return _weekend(day) if off is None else off


def _makeup_window(first: date, last: date, reserved: frozenset[date], statutory: Iterable[date]) -> list[date]:
    """The weekend days a notice could work for the block ``first``..``last``: on each side the
    weekend next to the block if it touches it, else the nearest Sunday before and the nearest
    Saturday after (every make-up day of 2016-2026 is one of these), passing over another
    festival's days."""
    taken = reserved | frozenset(statutory)
    window = []
    for day, step, far in ((first - ONE, -ONE, 6), (last + ONE, ONE, 5)):
        if _weekend(day) and day not in taken:
            while _weekend(day) and day not in taken:
                window.append(day)
                day += step
            continue
        while day in taken or day.weekday() != far:
            day += step
        window.append(day)
    return sorted(window)


def _runs(days: list[bool]) -> list[int]:
    """The lengths of the stretches of working days (False) in ``days``."""
    runs, current = [], 0
    for off in days:
        if off:
            if current:
                runs.append(current)
            current = 0
        else:
            current += 1
    if current:
        runs.append(current)
    return runs


def _block(
    name: str,
    statutory: Mapping[date, str],
    blocks: list[tuple[date, date]],
    *,
    rest_days: int,
    cap: int,
    context: Mapping[date, bool],
    reserved: frozenset[date],
) -> _Plan:
    """A festival given as a block of rest days: ``blocks[0]`` the best guess, the others what a
    notice might do instead. ``rest_days`` is the number of weekdays the law gives (each statutory
    day, on a weekday or as a 补休); the other weekdays of the block are bridged and as many
    weekend days near it are worked, chosen by ``_choose``."""
    first, last = blocks[0]
    bridged = sum(1 for day in _days(first, last) if not _weekend(day)) - rest_days
    if bridged < 0:  # pragma: no cover - every block of the rules holds its statutory days
        raise AssertionError(f"{name}: the block {first}..{last} is too short")
    window = _makeup_window(first, last, reserved, statutory)
    worked = _choose(first, last, window, bridged, cap, context)

    # The best guess's rest days run from lo to hi: the block and the weekend days it touches.
    lo, hi = first, last
    while _weekend(lo - ONE) and lo - ONE not in worked:
        lo -= ONE
    while _weekend(hi + ONE) and hi + ONE not in worked:
        hi += ONE
    union = {day for a, b in blocks for day in _days(a, b)}
    inside_all = set.intersection(*({day for day in _days(a, b)} for a, b in blocks))
    windows = {day for a, b in blocks for day in _makeup_window(a, b, reserved, statutory)}
    days: dict[date, EstimatedDay] = {}
    for day in sorted(union | windows | set(statutory)):
        if day in statutory:
            days[day] = EstimatedDay(day, statutory[day], True, True, True)
            continue
        in_block = first <= day <= last
        if _weekend(day):
            if day in inside_all:
                continue  # a weekend day of every possible block: plain and certain
            off = day not in worked
            holiday = off and lo <= day <= hi  # a weekend day the guessed rest days run through
        else:
            off = holiday = in_block
        # Every day the festival's notice may change bears its name, the best guess's or not.
        days[day] = EstimatedDay(day, name, off, False, holiday)
    return _Plan(days, frozenset([*_days(lo, hi), *worked]))


def _choose(
    first: date, last: date, window: list[date], count: int, cap: int, context: Mapping[date, bool]
) -> frozenset[date]:
    """The ``count`` weekend days of ``window`` to work, as recent notices choose them: no stretch
    of more than ``cap`` working days, as few lone rest days as possible, the days nearest the
    block, then stretches as even as possible (the least sum of squares)."""
    if count <= 0:
        return frozenset()
    span = list(_days(first - 3 * WEEK, last + 3 * WEEK))

    def cost(worked: tuple[date, ...]) -> tuple[int, int, int, int]:
        chosen = set(worked)
        offs = [False if day in chosen else True if first <= day <= last else _status(day, context) for day in span]
        runs = _runs(offs)
        lone = sum(1 for i in range(1, len(offs) - 1) if offs[i] and not offs[i - 1] and not offs[i + 1])
        distance = sum(min(abs((day - first).days), abs((day - last).days)) for day in worked)
        return max(0, max(runs, default=0) - cap), lone, distance, sum(run * run for run in runs)

    options = list(combinations(window, min(count, len(window))))
    if not options:
        return frozenset()
    best = min(options, key=cost)
    return frozenset(best)


# -- a year ----------------------------------------------------------------------------------


def _labour_blocks(year: int) -> list[tuple[date, date]]:
    may_day = date(year, 5, 1)
    weekday = may_day.weekday()
    if weekday in (0, 1, 6):  # Monday, Tuesday, Sunday: from the Saturday before (2022, 2023)
        first = may_day - ((weekday + 2) % 7) * ONE
        blocks = [(first, first + 4 * ONE)]
        if weekday == 1:  # no notice yet: 28 Apr-2 May, or 1-5 May
            blocks.append((may_day, may_day + 4 * ONE))
        return blocks
    if weekday == 2:  # 1-5 May (2024), or 1-4 May with Sunday 5 May worked (2019)
        return [(may_day, may_day + 4 * ONE), (may_day, may_day + 3 * ONE)]
    return [(may_day, may_day + 4 * ONE)]


@cache
def _year_plans(year: int) -> dict[date, EstimatedDay]:
    """Every listed day of the festivals of ``year`` (some of them in December of the year before)."""
    _check(year)
    lunar = _lunar(year)
    statutory = festival_days(year)
    later = revision(year) >= 2025
    cap = 6 if later else 7
    listed: dict[date, EstimatedDay] = {}
    reserved: frozenset[date] = frozenset()

    def add(plan: _Plan) -> None:
        nonlocal reserved
        for day, entry in plan.days.items():
            listed[day] = _merge(listed.get(day), entry)
        reserved |= plan.reserved

    def context() -> dict[date, bool]:
        return {day: entry.off for day, entry in listed.items()}

    def of(names: str, first: date, last: date) -> dict[date, str]:
        return {d: n for d, n in statutory.items() if first <= d <= last and any(x in n for x in names.split())}

    add(_single(date(year, 1, 1), NEW_YEAR))

    spring = of(SPRING, lunar.chuxi, lunar.chuxi + 4 * ONE)
    if later:
        spring_blocks = [(lunar.chuxi, lunar.chuyi + 6 * ONE)]
    else:  # 除夕 to 初六, as 2014-2023; or 初一 to 初八, as 2024
        spring_blocks = [(lunar.chuxi, lunar.chuyi + 5 * ONE), (lunar.chuyi, lunar.chuyi + 7 * ONE)]
    add(_block(SPRING, spring, spring_blocks, rest_days=len(spring), cap=cap, context=context(), reserved=reserved))

    add(_single(lunar.qingming, QINGMING))

    labour = of(LABOUR, date(year, 5, 1), date(year, 5, 2))
    five_days = _block(
        LABOUR, labour, _labour_blocks(year), rest_days=len(labour), cap=cap, context=context(), reserved=reserved
    )
    if year < LONG_LABOUR_DAY:  # the notices of 2014-2018 kept it one day; the block's days stay uncertain
        add(_overlay(_single(date(year, 5, 1), LABOUR), five_days))
    else:
        add(five_days)

    add(_single(lunar.duanwu, DRAGON_BOAT))

    october = date(year, 10, 1)
    merged = date(year, 9, 29) <= lunar.zhongqiu <= date(year, 10, 8)
    if merged:  # one block of eight days from the earlier of 中秋 and 1 Oct (2017, 2020, 2023, 2025)
        first = min(lunar.zhongqiu, october)
        national = of(f"{NATIONAL} {MID_AUTUMN}", first, first + 7 * ONE)
        rest = len(national) + (1 if october <= lunar.zhongqiu <= date(year, 10, 3) else 0)
        national_blocks = [(first, first + 7 * ONE)]
    else:
        # A 中秋 in the week before 国庆节: its 补休 may go into the National Day block (2015).
        add(_single(lunar.zhongqiu, MID_AUTUMN, sure_monday=lunar.zhongqiu < date(year, 9, 22)))
        national = of(NATIONAL, october, october + 2 * ONE)
        rest = len(national)
        national_blocks = [(october, october + 6 * ONE)]
    add(_block(NATIONAL, national, national_blocks, rest_days=rest, cap=cap, context=context(), reserved=reserved))
    return listed


def _overlay(best: _Plan, other: _Plan) -> _Plan:
    """``best``'s guess, uncertain wherever ``other`` is uncertain or disagrees."""
    days = {}
    for day in sorted(best.days.keys() | other.days.keys()):
        plain = EstimatedDay(day, "", _weekend(day), True)
        mine, theirs = best.days.get(day, plain), other.days.get(day, plain)
        certain = mine.certain and theirs.certain and mine.off == theirs.off
        days[day] = mine._replace(certain=certain)
    return _Plan(days, best.reserved | other.reserved)


def _merge(old: EstimatedDay | None, new: EstimatedDay) -> EstimatedDay:
    """Two festivals' entries for one day (which the rules do not produce in 1901-2099): certain
    only if both are and agree."""
    if old is None:
        return new
    name = "、".join(n for n in dict.fromkeys((old.name, new.name)) if n)
    certain = old.certain and new.certain and old.off == new.off
    return EstimatedDay(new.date, name, old.off or new.off, certain, old.holiday or new.holiday)


@cache
def estimate_year(year: int) -> tuple[EstimatedDay, ...]:
    """Every day of ``year`` that the estimate does not leave plain (a weekday working, a weekend
    day off, certain), sorted by date: the statutory days, the best guess's 补休, bridged and
    make-up days, and every uncertain day. Includes the days of the next 元旦 in late December.

    Raises ValueError for a year outside FIRST_YEAR..LAST_YEAR.
    """
    _check(year)
    days = {day: entry for day, entry in _year_plans(year).items() if day.year == year}
    for day, entry in _single(date(year + 1, 1, 1), NEW_YEAR).days.items():
        if day.year == year:
            days[day] = _merge(days.get(day), entry)
    return tuple(days[day] for day in sorted(days))

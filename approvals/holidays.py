"""Official holiday schedules: reading the files, loading them, and the calendar they make.

A schedule is the State Council's notice for one year: in the public holiday-cn JSON format, as a
CSV with the header ``date,type,name``, or the notice's own text as published
(国务院办公厅关于YYYY年部分节假日安排的通知, pasted or a .txt file: ``parse_notice``). Reading
checks every entry and names the first bad one; ``read_upload`` is the one door every load goes
through (the calendar page, the API, ``manage.py import_calendar``): size, text, format, entries,
and the correction rule. Loading is atomic; a year's notice replaces what the same notice brought
and makes the year official, a correction (a follow-up notice, or a file marked as one) replaces
only the dates it names and the days of the festivals it changes. ``work_calendar()`` is the
calendar the application counts with: the chinesecalendar package's data, overridden date by date
by the entries in the database.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from approvals.calendar import WorkCalendar, parse_day
from approvals.estimate import LAST_YEAR, festival_days
from approvals.models import CalendarDay, CalendarYear, DayKind


class ScheduleError(ValueError):
    """A schedule file that cannot be loaded; the message names the entry and what is wrong."""


@dataclass(frozen=True)
class Entry:
    date: date
    working: bool
    name: str


@dataclass(frozen=True)
class Schedule:
    """One year's notice: its holidays and adjusted working days (possibly a few in December of
    the year before), and where it was published.

    A ``correction`` (a follow-up notice such as 2019's Labour Day one, or a file marked as a
    correction) is merged by date into what is loaded: it replaces the dates it names, and of the
    year's other loaded days only those of the festivals named in ``replaces`` (the festivals a
    follow-up notice changes) go; it does not make the year official."""

    year: int
    source: str
    entries: tuple[Entry, ...]
    correction: bool = False
    replaces: tuple[str, ...] = ()

    @property
    def papers(self) -> list[str]:
        return [line for line in self.source.split("\n") if line]


@dataclass(frozen=True)
class ImportResult:
    year: int
    created: int
    updated: int
    unchanged: int
    deleted: int
    correction: bool = False

    def __str__(self) -> str:
        if self.correction:
            return _(
                "%(year)s correction loaded: %(created)s entries added, %(updated)s changed, "
                "%(deleted)s removed, %(unchanged)s unchanged; the rest of the %(year)s schedule stays."
            ) % vars(self)
        return _(
            "%(year)s schedule loaded: %(created)s entries added, %(updated)s changed, "
            "%(deleted)s removed, %(unchanged)s unchanged; %(year)s is now official."
        ) % vars(self)


MAX_BYTES = 1024 * 1024  # a year's notice is a few kilobytes; anything near a megabyte is the wrong file
MAX_NAME = 100  # CalendarDay.name
MAX_SOURCE = 500  # CalendarDay.source and CalendarYear.source: the papers, one a line
MAX_JSON_DEPTH = 20  # a holiday-cn file is three deep


def _parse_date(raw: object, where: str) -> date:
    """A date written exactly YYYY-MM-DD (ASCII digits): no ISO week or ordinal dates, no times."""
    try:
        return parse_day(raw)
    except ValueError:
        raise ScheduleError(
            _("%(where)s: date %(raw)r is not a date in the form YYYY-MM-DD") % {"where": where, "raw": raw}
        ) from None


def _bad_character(text: str) -> str | None:
    """What is wrong with a character of ``text`` that no name or address may hold, if any."""
    for char in text:
        code = ord(char)
        if char == "\x00":
            return _("a NUL character")
        if 0xD800 <= code <= 0xDFFF:
            return _("a lone surrogate (U+%(code)04X), which is not text") % {"code": code}
        if unicodedata.category(char) == "Cc":
            return _("a control character (U+%(code)04X)") % {"code": code}
    return None


def _check_text(value: object, where: str, field: str, limit: int) -> str:
    """A name or a paper: text, no NUL, lone surrogate or control character, at most ``limit`` long."""
    if not isinstance(value, str):
        raise ScheduleError(_("%(where)s: %(field)s must be text") % {"where": where, "field": field})
    bad = _bad_character(value)
    if bad:
        raise ScheduleError(_("%(where)s: %(field)s holds %(what)s") % {"where": where, "field": field, "what": bad})
    if len(value) > limit:
        raise ScheduleError(
            _("%(where)s: %(field)s is %(n)s characters long; at most %(limit)s")
            % {"where": where, "field": field, "n": len(value), "limit": limit}
        )
    return value


def _check_raw_text(text: str) -> None:
    """The whole text, before its format is read: no NUL or lone surrogate on any line."""
    if "\x00" not in text and not re.search("[\ud800-\udfff]", text):
        return
    for number, line in enumerate(text.splitlines() or [text], start=1):
        if "\x00" in line:
            raise ScheduleError(_("line %(n)s holds a NUL character") % {"n": number})
        surrogate = re.search("[\ud800-\udfff]", line)
        if surrogate:
            raise ScheduleError(
                _("line %(n)s holds a lone surrogate (U+%(code)04X), which is not text")
                % {"n": number, "code": ord(surrogate.group())}
            )


def check_size(size: int) -> None:
    """A schedule of ``size`` bytes may be read: at most ``MAX_BYTES`` (checked before reading)."""
    if size > MAX_BYTES:
        raise ScheduleError(
            _("the schedule is %(size)s KB; a schedule may be at most 1 MB (a year's notice is a few kilobytes)")
            % {"size": size // 1024}
        )


def _check_year(year: object, where: str) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 9998:
        raise ScheduleError(
            _("%(where)s: %(year)r is not a year between 2000 and 9998") % {"where": where, "year": year}
        )
    return year


def _checked(
    year: int, source: str, items: Iterable[tuple[str, Entry]], *, correction: bool = False, replaces=()
) -> Schedule:
    """The schedule, once every entry is in the notice's span and no date appears twice.

    The span is December of the year before to December of the year: a notice may move the last
    days of the year before (2023's 元旦 began on 31 December 2022), never a day of the next year
    (that is the next notice's), and the recompute after a load covers that span."""
    first, last = date(year - 1, 12, 1), date(year, 12, 31)
    seen: dict[date, str] = {}
    entries = []
    for where, entry in items:
        if not first <= entry.date <= last:
            raise ScheduleError(
                _("%(where)s: %(date)s is outside the %(year)s notice (December %(before)s to December %(year)s)")
                % {"where": where, "date": entry.date.isoformat(), "year": year, "before": year - 1}
            )
        if entry.date in seen:
            raise ScheduleError(
                _("%(where)s: %(date)s appears twice (first at %(first)s)")
                % {"where": where, "date": entry.date.isoformat(), "first": seen[entry.date]}
            )
        seen[entry.date] = where
        entries.append(entry)
    if not entries:
        raise ScheduleError(_("the file lists no days"))
    return Schedule(year, source, tuple(sorted(entries, key=lambda e: e.date)), correction, tuple(replaces))


def _json_depth(text: str) -> int:
    """How deep the JSON's arrays and objects nest (brackets inside strings do not count), read
    before ``json.loads``, whose recursion a deeply nested file would exhaust."""
    depth = deepest = 0
    outside = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    for match in re.finditer(r"[\[\]{}]", outside):
        depth += 1 if match.group() in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > MAX_JSON_DEPTH:
                break
    return deepest


def parse_holiday_cn(text: str) -> Schedule:
    """A schedule from the holiday-cn JSON format:
    ``{"year": 2027, "papers": ["https://..."], "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}``.
    """
    check_size(len(text.encode("utf-8", "surrogatepass")))
    _check_raw_text(text)
    if _json_depth(text) > MAX_JSON_DEPTH:
        raise ScheduleError(
            _("the JSON nests more than %(n)s levels deep; a holiday-cn file is three deep") % {"n": MAX_JSON_DEPTH}
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScheduleError(
            _("not valid JSON: %(msg)s at line %(line)s column %(col)s")
            % {"msg": exc.msg, "line": exc.lineno, "col": exc.colno}
        ) from None
    except RecursionError:  # what the depth check missed: still a message, not a server error
        raise ScheduleError(
            _("the JSON nests more than %(n)s levels deep; a holiday-cn file is three deep") % {"n": MAX_JSON_DEPTH}
        ) from None
    if not isinstance(data, dict):
        raise ScheduleError(_("the JSON must be an object with 'year' and 'days'"))
    year = _check_year(data.get("year"), "year")
    papers = data.get("papers", [])
    if not isinstance(papers, list) or not all(isinstance(p, str) for p in papers):
        raise ScheduleError(_("papers: must be a list of strings (the notice's addresses)"))
    for index, paper in enumerate(papers):
        _check_text(paper, f"papers[{index}]", "paper", MAX_SOURCE)
    source = "\n".join(papers)
    if len(source) > MAX_SOURCE:
        raise ScheduleError(
            _("papers: %(n)s characters in all; at most %(limit)s") % {"n": len(source), "limit": MAX_SOURCE}
        )
    # This project's marks, which the calendar page keeps on an upload marked as a correction.
    correction = data.get("correction", False)
    if not isinstance(correction, bool):
        raise ScheduleError(_("correction: must be true or false, not %(v)r") % {"v": correction})
    replaces = data.get("replaces", [])
    if not isinstance(replaces, list) or not all(isinstance(name, str) for name in replaces):
        raise ScheduleError(_("replaces: must be a list of festival names"))
    for index, name in enumerate(replaces):
        _check_text(name, f"replaces[{index}]", "name", MAX_NAME)
    days = data.get("days")
    if not isinstance(days, list):
        raise ScheduleError(_("days: missing, or not a list"))

    def items() -> Iterable[tuple[str, Entry]]:
        for index, item in enumerate(days):
            where = f"days[{index}]"
            if not isinstance(item, dict):
                raise ScheduleError(_("%(where)s: must be an object with name, date and isOffDay") % {"where": where})
            day = _parse_date(item.get("date"), where)
            where = f"days[{index}] ({day.isoformat()})"
            off = item.get("isOffDay")
            if not isinstance(off, bool):
                raise ScheduleError(
                    _("%(where)s: isOffDay must be true or false, not %(v)r") % {"where": where, "v": off}
                )
            name = _check_text(item.get("name", ""), where, "name", MAX_NAME)
            yield where, Entry(day, not off, name.strip())

    return _checked(year, source, items(), correction=correction, replaces=replaces)


def dump_holiday_cn(schedule: Schedule, *, marks: bool = False) -> str:
    """``schedule`` in the holiday-cn JSON format, as those files are written (four spaces);
    with ``marks``, a correction says so (``"correction": true`` and the festivals it replaces),
    which ``parse_holiday_cn`` reads back."""
    data: dict[str, object] = {
        "year": schedule.year,
        "papers": schedule.papers,
        "days": [
            {"name": entry.name, "date": entry.date.isoformat(), "isOffDay": not entry.working}
            for entry in schedule.entries
        ],
    }
    if marks and schedule.correction:
        data["correction"] = True
        data["replaces"] = list(schedule.replaces)
    return json.dumps(data, ensure_ascii=False, indent=4)


CSV_HEADER = ["date", "type", "name"]
_CSV_TYPES = {DayKind.HOLIDAY.value: False, DayKind.WORKDAY.value: True}


def parse_csv(text: str, year: int | None = None, source: str = "") -> Schedule:
    """A schedule from a CSV with the header ``date,type,name``; ``type`` is ``holiday`` or
    ``workday``. The notice's year is ``year``, or else the latest year among the dates."""
    check_size(len(text.encode("utf-8", "surrogatepass")))
    _check_raw_text(text)
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:  # a field over csv's limit, a stray quote
        raise ScheduleError(_("not a readable CSV file: %(err)s") % {"err": exc}) from None
    if not rows or [cell.strip().lower() for cell in rows[0]] != CSV_HEADER:
        raise ScheduleError(_("line 1: the header must be exactly: date,type,name"))
    parsed: list[tuple[str, Entry]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = _("line %(n)s") % {"n": number}
        if len(row) != 3:
            raise ScheduleError(
                _("%(where)s: expected 3 fields (date,type,name), found %(n)s") % {"where": where, "n": len(row)}
            )
        raw_date, raw_type, name = (cell.strip() for cell in row)
        day = _parse_date(raw_date, where)
        where = f"{where} ({day.isoformat()})"
        if raw_type.lower() not in _CSV_TYPES:
            raise ScheduleError(_("%(where)s: type %(t)r must be holiday or workday") % {"where": where, "t": raw_type})
        _check_text(name, where, "name", MAX_NAME)
        parsed.append((where, Entry(day, _CSV_TYPES[raw_type.lower()], name)))
    if year is None:
        if not parsed:
            raise ScheduleError(_("the file lists no days"))
        year = max(entry.date.year for _where, entry in parsed)
    return _checked(_check_year(year, "year"), source, parsed)


# -- the notice as published ----------------------------------------------------------------------

FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
# Older notices' names: 2007's “五一” and “十一”, 2008's “五一”国际劳动节.
_ALIASES = {
    "清明": "清明节",
    "五一": "劳动节",
    "劳动": "劳动节",
    "国际劳动节": "劳动节",
    "五一国际劳动节": "劳动节",
    "五一劳动节": "劳动节",
    "端午": "端午节",
    "中秋": "中秋节",
    "国庆": "国庆节",
    "十一": "国庆节",
    "十一国庆节": "国庆节",
}
_QUOTES = str.maketrans("", "", "“”\"'‘’「」『』《》")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


def _date_pattern(p: str) -> str:
    return (
        rf"(?:(?P<{p}y>\d{{4}})\s*年\s*)?(?:(?P<{p}m>\d{{1,2}})\s*月\s*)?(?P<{p}d>\d{{1,2}})\s*日"
        rf"(?:\s*\((?P<{p}n>[^()]*)\))?"
    )


# A day, or a range of days, as the notices write them (after NFKC: ASCII digits and brackets):
# "1月28日(农历除夕、周二)至2月4日(农历正月初七、周二)", "2月18日—24日", "2022年12月31日至2023年1月2日".
_ITEM = re.compile(_date_pattern("a") + r"(?:\s*(?:至|到|—+|–|-|~|〜)\s*" + _date_pattern("b") + ")?")
_NUMBERED = re.compile(r"^[-•·*\s]*(?P<num>[一二三四五六七八九十]+)\s*[、.]\s*(?P<rest>.*)$")
_LABELLED = re.compile(r"^[-•·*\s]*(?P<label>[^:\d]{1,40}?)\s*:\s*(?P<body>.*)$")
_TITLE = re.compile(
    r"(?P<office>国务院办公厅\s*)?关于\s*(?P<adjust>调整\s*)?(?P<year>\d{4})\s*年\s*"
    r"(?P<what>部分\s*节假日|[^\s,.:;。、]{1,20}?)\s*(?:假期|放假)?\s*安排\s*的\s*通知"
)
# Without the title, the preamble: "现将2026年元旦、春节…的具体安排通知如下", a follow-up's
# "现将调整2019年劳动节放假安排通知如下" or "现对2019年劳动节假期作如下调整".
_PREAMBLE = re.compile(
    r"现[将对]\s*(?:调整\s*)?(?P<year>\d{4})\s*年"
    r"(?:\s*(?P<what>[^\s,.:;。、]{1,20}?)\s*(?:假期|放假)\s*(?:安排\s*通知\s*如下|作\s*如下\s*调整))?"
)
_DOCUMENT = re.compile(r"(?P<kind>国办发(?:明电)?)\s*[〔\[【(]\s*(?P<year>\d{4})\s*[〕\]】)]\s*(?P<n>\d+)\s*号")
_COUNT = re.compile(r"(?:共|放假)\s*(\d+)\s*天")
# Where the notice's text ends: the closing, the signature and its date. A festival's line that
# was broken in two when pasted is joined up to one of these.
_CLOSING = re.compile(
    r"^(节假日期间|鼓励|国务院办公厅|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$|[一二三四五六七八九十〇○零]+年)"
)
# What a clause of a festival's line says about the days it names. Older notices explain each
# day ("其中，1月1日为法定节假日，12月30日为公休日，12月29日公休日调至12月31日"): those clauses
# change nothing, the range before them and the days before 上班 say it all.
_EXPLAINS = ("调至", "调到", "调为", "为法定", "法定节假日", "法定假日", "为公休", "照常公休", "照常休息", "正常上班")
_WORKING = ("上班",)
_OFF = ("放假", "补休", "调休", "公休")


def _festival_name(label: str) -> str | None:
    """The festival (or festivals, 、-joined) a line's label names, in today's names; None if a
    part is not a festival the notices schedule."""
    names = []
    for part in re.split(r"[、和及]", label.translate(_QUOTES)):
        part = part.strip()
        name = part if part in FESTIVALS else _ALIASES.get(part)
        if name is None:
            return None
        names.append(name)
    return "、".join(names) if names else None


@dataclass
class _Token:
    """One day as a line writes it, resolved to a date later: a day of a range has its partner."""

    year: int | None
    month: int
    day: int
    note: str
    text: str


def _snippet(line: str) -> str:
    line = " ".join(line.split())
    return line if len(line) <= 30 else line[:29] + "…"


class _Line:
    """One festival's line of a notice: the days it gives off and the weekend days it makes
    working days."""

    year: int  # the notice's, set by entries()

    def __init__(self, number: int, text: str, name: str, body: str) -> None:
        self.number, self.text, self.name, self.body = number, text, name, body

    @property
    def where(self) -> str:
        return _("line %(n)s") % {"n": self.number} + f" ({_snippet(self.text)})"

    def fail(self, message: str, **params: object) -> ScheduleError:
        return ScheduleError(f"{self.where}: " + (message % params if params else message))

    def entries(self, year: int) -> list[Entry]:
        self.year = year
        # Commas inside brackets ("(农历五月初五，端午节)") do not end a clause.
        body = re.sub(r"\([^()]*\)", lambda m: re.sub(r"[,;。]", "、", m.group()), self.body)
        month: int | None = None
        year: int | None = None
        ranges: list[tuple[str, _Token, _Token | None]] = []  # (kind, first, last)
        counts: list[int] = []
        for sentence in body.split("。"):
            if "鼓励" in sentence:  # advice ("鼓励各单位…安排职工在除夕(2月9日)休息"), not the schedule
                continue
            pending: list[tuple[_Token, _Token | None]] = []
            for clause in re.split(r"[,;:]", sentence):
                for match in _ITEM.finditer(clause):
                    first, month, year = self._token(match, "a", month, year)
                    last = None
                    if match.group("bd"):
                        last, month, year = self._token(match, "b", month, year)
                    pending.append((first, last))
                if any(word in clause for word in _EXPLAINS):
                    kind = "skip"
                elif any(word in clause for word in _WORKING):
                    kind = "working"
                elif any(word in clause for word in _OFF):
                    kind = "off"
                    counts += [int(n) for n in _COUNT.findall(clause)]
                else:
                    counts += [int(n) for n in _COUNT.findall(clause)]
                    continue  # the days, if any, are what the next clause says they are
                ranges += [(kind, first, last) for first, last in pending]
                pending = []
            if pending:
                raise self.fail(
                    _("cannot tell whether %(days)s is a holiday or a working day"),
                    days="、".join(token.text for token, _last in pending),
                )
        return self._resolve(ranges, counts)

    def _token(self, match: re.Match, p: str, month: int | None, year: int | None) -> tuple[_Token, int, int | None]:
        raw_year, raw_month = match.group(p + "y"), match.group(p + "m")
        if raw_month is None:  # "21日" after "2月20日": the month (and year) of the day before
            if month is None:
                raise self.fail(_("%(day)s has no month"), day=match.group(0))
            token_year = int(raw_year) if raw_year else year
            token_month = month
        else:
            token_year = int(raw_year) if raw_year else None
            token_month = int(raw_month)
        token = _Token(token_year, token_month, int(match.group(p + "d")), match.group(p + "n") or "", "")
        token.text = f"{token_month}月{token.day}日"
        return token, token_month, token_year

    def _date(self, token: _Token, year: int) -> date:
        try:
            return date(year, token.month, token.day)
        except ValueError:
            raise self.fail(_("%(day)s is not a date in %(year)s"), day=token.text, year=year) from None

    def _resolve(self, ranges: list[tuple[str, _Token, _Token | None]], counts: list[int]) -> list[Entry]:
        # The year of a day the line writes without one: a range's ends in order (12月31日至1月2日
        # starts the year before), any other day the year nearest the festival's days off (2008's
        # 元旦 names "12月29日(星期六)上班" after "2007年12月30日-2008年1月1日").
        anchors: list[date] = []
        resolved: list[tuple[str, date, date, _Token, _Token | None]] = []
        later = []
        for kind, first, last in ranges:
            if last is not None or first.year is not None:
                if last is None:
                    start = end = self._date(first, first.year)
                else:
                    start, end = self._range(first, last)
                resolved.append((kind, start, end, first, last))
                if kind == "off" or first.year is not None:
                    anchors += [start, end]
            else:
                later.append((kind, first))
        for kind, token in later:
            candidates = []
            for year in (self.year, self.year - 1, self.year + 1):
                try:
                    candidates.append(date(year, token.month, token.day))
                except ValueError:
                    continue
            if not candidates:
                raise self.fail(_("%(day)s is not a date in %(year)s"), day=token.text, year=self.year)
            day = candidates[0]
            if anchors:
                day = min(candidates, key=lambda d: min(abs((d - a).days) for a in anchors))
            resolved.append((kind, day, day, token, None))
        off: dict[date, None] = {}
        working: dict[date, None] = {}
        for kind, start, end, first, last in resolved:
            self._weekday(first, start)
            if last is not None:
                self._weekday(last, end)
            if kind == "skip":
                continue
            if end < start:
                raise self.fail(_("the range %(first)s to %(last)s ends before it starts"), first=start, last=end)
            if (end - start).days > 31:
                raise self.fail(_("the range %(first)s to %(last)s is longer than a month"), first=start, last=end)
            days = off if kind == "off" else working
            day = start
            while day <= end:
                days[day] = None
                day += timedelta(days=1)
        both = sorted(set(off) & set(working))
        if both:
            raise self.fail(_("%(day)s is named both as a day off and as a working day"), day=both[0].isoformat())
        if not off and not working:
            raise self.fail(_("it names no day off and no working day"))
        for count in counts:
            if count != len(off):
                raise self.fail(_("it says %(count)s days but its dates give %(n)s days off"), count=count, n=len(off))
        return [Entry(day, False, self.name) for day in off] + [Entry(day, True, self.name) for day in working]

    def _range(self, first: _Token, last: _Token) -> tuple[date, date]:
        crosses = first.month > last.month  # 12月31日至1月2日: over the new year
        if first.year is None and last.year is None:
            return self._date(first, self.year - crosses), self._date(last, self.year)
        if first.year is not None and last.year is None:
            return self._date(first, first.year), self._date(last, first.year + crosses)
        if first.year is None:
            return self._date(first, last.year - crosses), self._date(last, last.year)
        return self._date(first, first.year), self._date(last, last.year)

    def _weekday(self, token: _Token, day: date) -> None:
        """A day's weekday in brackets ("1月4日(周日)") must be that date's: a text read with the
        wrong year, or mistyped, is refused rather than loaded a day off."""
        said = re.search(r"(?:星期|周|礼拜)([一二三四五六日天])", token.note)
        if said and _WEEKDAYS[said.group(1)] != day.weekday():
            raise self.fail(
                _("%(day)s is a %(weekday)s in %(year)s, but the notice says %(said)s"),
                day=token.text,
                weekday=_WEEKDAY_NAMES[day.weekday()],
                year=day.year,
                said=said.group(0),
            )


_WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def parse_notice(text: str, year: int | None = None, source: str = "") -> Schedule:
    """A schedule from the State Council's notice as published (国务院办公厅关于YYYY年部分节假日
    安排的通知), pasted or a .txt file, in any of the forms the notices have used since 2007.

    Only the festivals' lines are read ("二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、
    周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。"): every day of a range (至, — or -)
    or a single day before 放假/补休/调休/公休 is off, every day named before 上班 is a working
    day; the greeting, the preamble, advice (鼓励…), the closing and the signature are not. Each
    day is named after its line's festival in today's names ("“五一”国际劳动节" is 劳动节); a line
    for two festivals ("六、中秋节、国庆节：") keeps both names, 、-joined, as the holiday-cn files
    do, because the notice does not divide those days between them. A weekday in brackets must be
    the date's, and "共N天" the number of days off.

    The year is the title's (or the preamble's: 现将2025年…), else ``year``; both given, they must
    agree. The source is ``source``, else the title and the document number
    (国办发明电〔2024〕12号; 〔〕 also written [] or 【】). A follow-up notice that changes one
    festival (国务院办公厅关于调整2019年劳动节假期安排的通知) is a correction of that festival:
    its lines need not name it, and loading it replaces that festival's days only.
    """
    check_size(len(text.encode("utf-8", "surrogatepass")))
    _check_raw_text(text)
    flat = unicodedata.normalize("NFKC", text)
    title = _TITLE.search(flat)
    preamble = _PREAMBLE.search(flat)
    found = title or preamble
    # The festival a follow-up notice changes: its title's (关于调整2019年劳动节假期安排的通知), or
    # its preamble's when the title was not pasted.
    what = title.group("what") if title and title.group("adjust") else None
    if title is None and preamble is not None:
        what = preamble.group("what")
    changes: str | None = None
    if what:
        changes = _festival_name(re.sub(r"\s", "", what))
        if changes is None:
            raise ScheduleError(
                _("the follow-up notice changes “%(what)s”, which is not a festival the notices schedule")
                % {"what": what}
            )
    lines = _festival_lines(text, changes)
    if not lines:
        raise ScheduleError(
            _(
                "the text holds no schedule: no festival's line with a date "
                "(such as “一、元旦：1月1日放假，共1天。”); nothing was read"
            )
        )
    if found:
        if year is not None and year != int(found.group("year")):
            raise ScheduleError(
                _("the text is the %(file)s notice, not %(year)s") % {"file": found.group("year"), "year": year}
            )
        year = int(found.group("year"))
    if year is None:
        raise ScheduleError(
            _(
                "the text does not say which year it is for: paste it with its title "
                "(国务院办公厅关于YYYY年部分节假日安排的通知) or give the year"
            )
        )
    year = _check_year(year, "year")
    items: list[tuple[str, Entry]] = []
    for line in lines:
        items += [(line.where, entry) for entry in line.entries(year)]
    if not source:
        parts = []
        if title:
            parts.append(re.sub(r"\s", "", title.group(0)))
        document = _DOCUMENT.search(flat)
        if document:
            parts.append(f"{document.group('kind')}〔{document.group('year')}〕{document.group('n')}号")
        source = "（".join(parts) + ("）" if len(parts) == 2 else "")
    _check_text(source, "source", "source", MAX_SOURCE)
    return _checked(year, source, items, correction=changes is not None, replaces=(changes,) if changes else ())


def _festival_lines(text: str, changes: str | None) -> list[_Line]:
    """The festivals' lines of a notice's text, each read in NFKC (ASCII digits and brackets)
    and named in messages as written, a line broken in two when pasted joined up."""
    lines: list[_Line] = []
    current: _Line | None = None
    for number, written in enumerate(text.splitlines(), start=1):
        line = unicodedata.normalize("NFKC", written).strip()
        written = written.strip()
        if not line:
            continue
        numbered = _NUMBERED.match(line)
        rest = numbered.group("rest") if numbered else line
        labelled = _LABELLED.match(rest)
        name = _festival_name(labelled.group("label")) if labelled else None
        if name is not None:
            current = _Line(number, written, name, labelled.group("body"))
            lines.append(current)
            continue
        has_day = bool(_ITEM.search(rest))
        says = any(word in rest for word in (*_WORKING, *_OFF))
        if changes is not None and re.match(r"\s*\d", rest) and has_day and says:
            # A follow-up notice's lines do not name the festival: "一、2019年5月1日至4日放假调休…"
            current = _Line(number, written, changes, rest)
            lines.append(current)
            continue
        if numbered and labelled and has_day:
            raise ScheduleError(
                _("line %(n)s (%(line)s): “%(label)s” is not a festival the notices schedule (%(festivals)s)")
                % {
                    "n": number,
                    "line": _snippet(written),
                    "label": labelled.group("label"),
                    "festivals": "、".join(FESTIVALS),
                }
            )
        if numbered and has_day and re.match(r"\s*\d", rest):
            raise ScheduleError(
                _("line %(n)s (%(line)s): the line names no festival (such as “二、春节：…”)")
                % {"n": number, "line": _snippet(written)}
            )
        broken = current is not None and not current.body.rstrip().endswith("。")
        if broken and not numbered and not _CLOSING.match(line):
            current.body += line  # the rest of a line broken in two when pasted
            current.text += written
            continue
        current = None
    return lines


# -- reading any of the formats ---------------------------------------------------------------------


def read_schedule(path: Path, *, year: int | None = None, source: str = "") -> Schedule:
    """Read a holiday-cn JSON file, a CSV file or a notice's text (see ``read_schedule_text``)."""
    try:
        check_size(path.stat().st_size)  # before reading a file that may be anything
        data = path.read_bytes()
    except OSError as exc:
        raise ScheduleError(_("cannot read %(path)s: %(err)s") % {"path": path, "err": exc.strerror}) from None
    return read_schedule_bytes(data, str(path), year=year, source=source)


def read_schedule_bytes(data: bytes, name: str, *, year: int | None = None, source: str = "") -> Schedule:
    """A schedule from an uploaded file's bytes (UTF-8, a byte-order mark allowed)."""
    check_size(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScheduleError(_("%(path)s is not UTF-8 text (byte %(pos)s)") % {"path": name, "pos": exc.start}) from None
    return read_schedule_text(text, name, year=year, source=source)


_CSV_HEADER_LINE = re.compile(r"[A-Za-z0-9_ ,;\"'\t]*,[A-Za-z0-9_ ,;\"'\t]*")


def schedule_format(text: str, name: str = "") -> str:
    """``"json"`` (it starts with ``{`` or ``[``, or the name ends with .json), ``"csv"`` (the
    name ends with .csv, or the first line is a comma-separated ASCII header such as
    ``date,type,name``), else ``"notice"``: the notice's text."""
    start = text.lstrip("\ufeff \t\r\n")
    lower = name.lower()
    if start.startswith(("{", "[")) or lower.endswith(".json"):
        return "json"
    first = start.split("\n", 1)[0].strip()
    if lower.endswith(".csv") or _CSV_HEADER_LINE.fullmatch(first):
        return "csv"
    return "notice"


def read_schedule_text(text: str, name: str = "", *, year: int | None = None, source: str = "") -> Schedule:
    """A schedule from text in any of the three formats (``schedule_format``): holiday-cn JSON,
    the ``date,type,name`` CSV, or the notice as published (``parse_notice``). ``source``, if
    given, replaces what the file says of where it comes from."""
    if source:
        _check_text(source, "source", "source", MAX_SOURCE)
    kind = schedule_format(text, name)
    if kind == "notice":
        return parse_notice(text, year=year, source=source)
    if kind == "csv":
        return parse_csv(text, year=year, source=source)
    schedule = parse_holiday_cn(text)
    if year is not None and year != schedule.year:
        raise ScheduleError(_("the file is the %(file)s notice, not %(year)s") % {"file": schedule.year, "year": year})
    if source:
        schedule = dataclasses.replace(schedule, source=source)
    return schedule


def check_loadable(schedule: Schedule) -> None:
    """What every load checks before it starts (the page, the API and the command call it with
    ``read_upload``): a year's notice lists every festival, so a file with a single day is a
    correction, and is refused unless marked as one. As a year's schedule it would make a year
    with no loaded schedule official with one day in it, or remove every other loaded day of the
    year; as a correction it changes that date only. A year's schedule must also keep every day
    off that the law fixes (``festival_days``): a notice that lost a festival's line, or a file
    that makes 除夕 a working day, is refused rather than loaded without it."""
    if schedule.correction:
        return
    if len(schedule.entries) != 1:
        _check_festivals(schedule)
        return
    entry = schedule.entries[0]
    loaded = CalendarDay.objects.filter(notice_year=schedule.year).exclude(date=entry.date).count()
    if loaded:
        raise ScheduleError(
            _(
                "the file lists one day, %(date)s: as the %(year)s schedule it would remove the other "
                "%(n)s loaded days of %(year)s. Mark it as a correction to change only that date"
            )
            % {"date": entry.date.isoformat(), "year": schedule.year, "n": loaded}
        )
    raise ScheduleError(
        _(
            "the file lists one day, %(date)s, but a year's notice lists every festival, and %(year)s "
            "has no loaded schedule yet. Mark it as a correction to change only that date"
        )
        % {"date": entry.date.isoformat(), "year": schedule.year}
    )


#: The first year whose statutory festival days are those of a revision the estimate knows exactly
#: (the 2014 revision of 全国年节及纪念日放假办法; before 2008 there was no 清明, 端午 or 中秋 holiday).
FESTIVALS_CHECKED_FROM = 2014


def _check_festivals(schedule: Schedule) -> None:
    """Every statutory festival day of the year is off in the schedule: listed as a day off, or a
    weekend day it does not make a working day."""
    if not FESTIVALS_CHECKED_FROM <= schedule.year <= LAST_YEAR:
        return
    listed = {entry.date: entry for entry in schedule.entries}
    for day, festival in sorted(festival_days(schedule.year).items()):
        entry = listed.get(day)
        if entry is not None and entry.working:
            raise ScheduleError(
                _(
                    "%(date)s is %(festival)s, a day off that the law fixes (全国年节及纪念日放假办法), but "
                    "the %(year)s schedule makes it a working day; nothing was read"
                )
                % {"date": day.isoformat(), "festival": festival, "year": schedule.year}
            )
        if entry is None and day.weekday() < 5:
            raise ScheduleError(
                _(
                    "the %(year)s schedule has no %(festival)s: %(date)s, a day off that the law fixes "
                    "(全国年节及纪念日放假办法), is not in it. A year's notice lists every festival: check "
                    "that every festival's line was read, or mark the file as a correction"
                )
                % {"date": day.isoformat(), "festival": festival, "year": schedule.year}
            )


def read_upload(
    content: bytes | str | Path,
    name: str = "",
    *,
    year: int | None = None,
    source: str = "",
    correction: bool = False,
) -> Schedule:
    """The one door of every load (the calendar page, the API, ``manage.py import_calendar``):
    a file (its path or its bytes) or a pasted text, read in whichever format it is in, every
    entry checked, marked as a correction if asked, and ``check_loadable``. Raises ScheduleError,
    which names the entry and what is wrong; nothing is changed."""
    if isinstance(content, Path):
        schedule = read_schedule(content, year=year, source=source)
    elif isinstance(content, bytes):
        schedule = read_schedule_bytes(content, name, year=year, source=source)
    else:
        schedule = read_schedule_text(content, name, year=year, source=source)
    if correction and not schedule.correction:
        schedule = dataclasses.replace(schedule, correction=True)
    check_loadable(schedule)
    return schedule


# -- loading ----------------------------------------------------------------------------------------


def _stale(schedule: Schedule, existing: dict[date, CalendarDay]) -> list[CalendarDay]:
    """The loaded days a load removes: those the same year's notice brought that it lacks, or for
    a correction those of the festivals it replaces."""
    wanted = {entry.date for entry in schedule.entries}
    return [
        day
        for d, day in existing.items()
        if d not in wanted
        and day.notice_year == schedule.year
        and (not schedule.correction or day.name in schedule.replaces)
    ]


def _values(schedule: Schedule, entry: Entry) -> dict[str, object]:
    kind = DayKind.WORKDAY if entry.working else DayKind.HOLIDAY
    return {"kind": kind, "name": entry.name, "notice_year": schedule.year, "source": schedule.source[:MAX_SOURCE]}


def plan_import(schedule: Schedule) -> ImportResult:
    """What ``import_schedule`` would do, counted without changing anything (the dry run)."""
    wanted = [entry.date for entry in schedule.entries]
    existing = {
        day.date: day
        for day in CalendarDay.objects.filter(notice_year=schedule.year) | CalendarDay.objects.filter(date__in=wanted)
    }
    created = updated = unchanged = 0
    for entry in schedule.entries:
        day = existing.get(entry.date)
        if day is None:
            created += 1
        elif any(getattr(day, field) != value for field, value in _values(schedule, entry).items()):
            updated += 1
        else:
            unchanged += 1
    return ImportResult(
        schedule.year, created, updated, unchanged, len(_stale(schedule, existing)), schedule.correction
    )


@transaction.atomic
def import_schedule(schedule: Schedule) -> ImportResult:
    """Load a year's notice: its entries replace the ones an earlier load of the same notice
    brought, date by date, and the year becomes official. A correction replaces the dates it
    names and the days of the festivals it ``replaces``, nothing else, and leaves the year as it
    is. All or nothing."""
    wanted = {entry.date: entry for entry in schedule.entries}
    existing = {
        day.date: day
        for day in CalendarDay.objects.select_for_update().filter(notice_year=schedule.year)
        | CalendarDay.objects.select_for_update().filter(date__in=list(wanted))
    }
    stale = [day.pk for day in _stale(schedule, existing)]
    deleted = CalendarDay.objects.filter(pk__in=stale).delete()[0] if stale else 0
    created = updated = unchanged = 0
    for entry in schedule.entries:
        values = _values(schedule, entry)
        day = existing.get(entry.date)
        if day is None:
            CalendarDay.objects.create(date=entry.date, **values)
            created += 1
        elif any(getattr(day, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(day, field, value)
            day.save()
            updated += 1
        else:
            unchanged += 1
    if not schedule.correction:
        CalendarYear.objects.update_or_create(
            year=schedule.year, defaults={"official": True, "source": schedule.source[:MAX_SOURCE]}
        )
    return ImportResult(schedule.year, created, updated, unchanged, deleted, schedule.correction)


_cache_lock = threading.Lock()
_cache: tuple[tuple, WorkCalendar] | None = None


def calendar_version(calendar: WorkCalendar) -> str | None:
    """A short digest of the calendar tables ``calendar`` was built from, for the keys of what
    is cached after counting with it; None for a calendar ``work_calendar()`` did not build."""
    cached = _cache
    if cached is None or cached[1] is not calendar:
        return None
    return hashlib.sha256(repr(cached[0]).encode()).hexdigest()[:16]


def work_calendar() -> WorkCalendar:
    """The calendar to count with: the package's data, then the database's entries and years.

    Built once per change of the calendar tables (two small aggregate queries tell whether
    anything changed) and shared by every caller in the process.
    """
    global _cache
    signature = (
        tuple(CalendarDay.objects.aggregate(n=Count("pk"), last=Max("updated_at")).values()),
        tuple(CalendarYear.objects.aggregate(n=Count("pk"), last=Max("updated_at")).values()),
    )
    cached = _cache
    if cached is not None and cached[0] == signature:
        return cached[1]
    with _cache_lock:
        days = {day.date: day.working for day in CalendarDay.objects.only("date", "kind")}
        years = CalendarYear.objects.filter(official=True).values_list("year", flat=True)
        calendar = WorkCalendar.official().with_days(days, years)
        _cache = (signature, calendar)
    return calendar

"""The State Council's notice as published (国务院办公厅关于YYYY年部分节假日安排的通知), read
from its text: ``parse_notice``."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from approvals.holidays.schedule import (
    Entry,
    Schedule,
    ScheduleError,
    _check_raw_text,
    _check_source,
    _check_year,
    _checked,
)

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
    _check_source(source)
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

"""A year's schedule as every reader gives it (``Schedule``, its ``Entry`` days) and the checks
every reader applies to what it read: dates written YYYY-MM-DD, text without NUL, control
characters or lone surrogates, the size, the year, and each entry inside the notice's span and
listed once (``_checked``). A reader that finds something wrong raises ``ScheduleError``, whose
message names the entry and what is wrong."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from approvals.calendar import parse_day
from approvals.inputs import unstorable


class ScheduleError(ValueError):
    """A schedule file that cannot be loaded; the message names the entry and what is wrong."""


@dataclass(frozen=True)
class Entry:
    """One day of a schedule: a holiday (not ``working``) or an adjusted working day, named after
    its festival."""

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


MAX_BYTES = 1024 * 1024  # a year's notice is a few kilobytes; anything near a megabyte is the wrong file
MAX_NAME = 100  # CalendarDay.name
MAX_SOURCE = 500  # CalendarDay.source and CalendarYear.source: the papers, one a line


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
    bad = unstorable(text)  # what no database stores: the project's one check
    if bad:
        return bad
    for char in text:
        if unicodedata.category(char) == "Cc":
            return _("a control character (U+%(code)04X)") % {"code": ord(char)}
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


def _check_source(source: str) -> str:
    """Where a schedule was published, given with it (the notice's title or address, or its
    papers, one a line): text, at most ``MAX_SOURCE`` long."""
    return _check_text(source, "source", "source", MAX_SOURCE)


def _check_raw_text(text: str) -> None:
    """The whole text, before its format is read (each reader's first step): at most
    ``MAX_BYTES`` in UTF-8, and no NUL or lone surrogate on any line."""
    check_size(len(text.encode("utf-8", "surrogatepass")))
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

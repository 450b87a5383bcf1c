"""The two file formats of a schedule: the public holiday-cn JSON (read and written) and the CSV
with the header ``date,type,name``."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from django.utils.translation import gettext as _

from approvals.holidays.schedule import (
    MAX_BYTES,
    MAX_NAME,
    MAX_SOURCE,
    Entry,
    Schedule,
    ScheduleError,
    _check_raw_text,
    _check_text,
    _check_year,
    _checked,
    _parse_date,
)
from approvals.inputs import JSONRefused, JSONTooDeep, read_json
from approvals.models import DayKind

MAX_JSON_DEPTH = 20  # a holiday-cn file is three deep


def parse_holiday_cn(text: str) -> Schedule:
    """A schedule from the holiday-cn JSON format:
    ``{"year": 2027, "papers": ["https://..."], "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}``.
    """
    _check_raw_text(text)
    try:
        data = read_json(text, max_depth=MAX_JSON_DEPTH, max_bytes=MAX_BYTES)
    except JSONTooDeep:
        raise ScheduleError(
            _("the JSON nests more than %(n)s levels deep; a holiday-cn file is three deep") % {"n": MAX_JSON_DEPTH}
        ) from None
    except JSONRefused as exc:
        raise ScheduleError(str(exc)) from None
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

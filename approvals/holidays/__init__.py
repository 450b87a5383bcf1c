"""Official holiday schedules: reading the files, loading them, and the calendar they make.

A schedule is the State Council's notice for one year: in the public holiday-cn JSON format, as a
CSV with the header ``date,type,name``, or the notice's own text as published
(国务院办公厅关于YYYY年部分节假日安排的通知, pasted or a .txt file: ``parse_notice``). Reading
checks every entry and names the first bad one; ``read_upload`` is the one door every load goes
through (the workflow's preview for the calendar page and the API, ``manage.py import_calendar``):
size, text, format, entries, and the correction rule. Loading is atomic; a year's notice replaces
what the same notice brought and makes the year official, a correction (a follow-up notice, or a
file marked as one) replaces only the dates it names and the days of the festivals it changes.
``work_calendar()`` is the calendar the application counts with: the chinesecalendar package's
data, overridden date by date by the entries in the database. (A load as a whole, from the
preview to the recompute of the open cases, is ``approvals.workflow.calendar``'s.)

The modules: ``schedule`` (a schedule, its entries and the checks every reader applies),
``formats`` (holiday-cn JSON and CSV), ``notice`` (the notice's text), ``reading`` (any format,
``read_upload``, ``check_loadable``), ``tables`` (loading into the calendar tables,
``work_calendar()``). Every name is importable from ``approvals.holidays``.
"""

from approvals.holidays.formats import CSV_HEADER, MAX_JSON_DEPTH, dump_holiday_cn, parse_csv, parse_holiday_cn
from approvals.holidays.notice import FESTIVALS, parse_notice
from approvals.holidays.reading import (
    FESTIVALS_CHECKED_FROM,
    check_loadable,
    read_schedule,
    read_schedule_bytes,
    read_schedule_text,
    read_upload,
    schedule_format,
)
from approvals.holidays.schedule import MAX_BYTES, MAX_NAME, MAX_SOURCE, Entry, Schedule, ScheduleError, check_size
from approvals.holidays.tables import ImportResult, calendar_version, import_schedule, plan_import, work_calendar

__all__ = [
    "CSV_HEADER",
    "FESTIVALS",
    "FESTIVALS_CHECKED_FROM",
    "MAX_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_NAME",
    "MAX_SOURCE",
    "Entry",
    "ImportResult",
    "Schedule",
    "ScheduleError",
    "calendar_version",
    "check_loadable",
    "check_size",
    "dump_holiday_cn",
    "import_schedule",
    "parse_csv",
    "parse_holiday_cn",
    "parse_notice",
    "plan_import",
    "read_schedule",
    "read_schedule_bytes",
    "read_schedule_text",
    "read_upload",
    "schedule_format",
    "work_calendar",
]

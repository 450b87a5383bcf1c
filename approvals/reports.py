"""The on-time figures: the dashboard's performance charts and the monthly on-time report.

Both count the same thing, the cases decided in a period, and measure each one the same way
(``working_days_used``); this module is the one place that does it. It reads the stored clock
columns (``due_date`` already skips special procedures and includes an approved extension) and
counts against the in-memory calendar, so a report runs a fixed number of queries whatever the
number of cases: one for the decided cases, one for the ratings, one for the policies, and the
calendar's two change checks. Which cases it counts is a ``Scope`` (``approvals.selectors.scope``);
it knows no URL (an officer's bar carries the officer's id, which the screens link).

What is counted (the monthly report)
------------------------------------
- Decided: cases whose decision (granted, denied, filed, filing refused) is dated in the month.
  Not accepting an application (不予受理) and withdrawals are not decisions on the merits and
  have no decision clock: they are not counted.
- On time: decided on or before the promised due date; late otherwise. Statutory breach: decided
  after the statutory due date.
- Working days used: see ``working_days_used``; the average and the 90th percentile (nearest rank,
  see ``nearest_rank``) are over the decided cases. The limit beside them is the promised limit in
  working days of the policy in force on the month's last day (the licence's statutory 60 calendar
  days are not a working-day yardstick, so the promised 26 working days stand for it).
- Extensions, special procedures, repeated correction notices and deemed acceptances are those of
  the decided cases: how many had an approved extension, how many special procedures (pauses)
  they went through, how many had a second correction notice (一次告知 broken), how many were
  deemed accepted.
- Ratings are those given in the month (their ``rated_on``), by the rated case's procedure: a
  month's ratings are final when it ends, so a published month never changes afterwards.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.calendar import Unit, WorkCalendar
from approvals.clocks import met_by
from approvals.holidays import calendar_version
from approvals.models import RATING_BAD_AT_MOST, Department, MonthTally, Policy, Procedure, User
from approvals.selectors.scope import Scope

# -- months ------------------------------------------------------------------------------------------


def months_back(day: date, n: int) -> date:
    """The first day of the month ``n`` months before ``day``'s month (after it, for negative n)."""
    index = day.year * 12 + day.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def month_end(first: date) -> date:
    following = months_back(first, -1)
    return date.fromordinal(following.toordinal() - 1)


def last_complete_month(today: date) -> date:
    """The first day of the last month that has ended by ``today``."""
    return months_back(today, 1)


def parse_month(text: str) -> date:
    """``"2026-03"`` → 2026-03-01; ValueError for anything else."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", (text or "").strip(), flags=re.ASCII)
    if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        raise ValueError(text)
    return date(int(match[1]), int(match[2]), 1)


class NotBegun(ValueError):
    """A month after today's: there is nothing to report yet."""


def begun_month(text: str, today: date) -> date:
    """The month ``text`` names (YYYY-MM) if it has begun by ``today``: ValueError for text that
    names no month, NotBegun (a ValueError) for a month after today's."""
    month = parse_month(text)
    if month > months_back(today, 0):
        raise NotBegun(text)
    return month


def _month_of(value: date | datetime) -> date:
    day = value.date() if isinstance(value, datetime) else value
    return day.replace(day=1)


# -- the arithmetic ------------------------------------------------------------------------------------


def _percent(part: Fraction | int, whole: int) -> int:
    """``part / whole`` in percent, rounded half up (82.5% shows as 83%)."""
    return math.floor(Fraction(part) * 100 / whole + Fraction(1, 2))


def _decimal(value: Fraction, places: int) -> Decimal:
    """``value`` rounded half up to ``places`` decimals (16.25 stays 16.25, 2/3 → 0.67)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def nearest_rank(values: Sequence[int], p: int) -> int | None:
    """The ``p``-th percentile of ``values`` by the nearest-rank method: the smallest value such
    that at least p% of the values are at most it, that is the ⌈p/100 × N⌉-th of the N values in
    ascending order. It is always one of the values (no interpolation: "9 in 10 cases were
    decided within 30 working days" is then literally true), which is why ``statistics.quantiles``,
    whose methods interpolate, is not used. None for no values.

    >>> nearest_rank([5, 10, 20, 30], 90)
    30
    >>> nearest_rank([3, 1, 2], 50)
    2
    """
    if not values:
        return None
    if not 0 < p <= 100:
        raise ValueError("a percentile is above 0 and at most 100")
    rank = math.ceil(Fraction(p, 100) * len(values))
    return sorted(values)[rank - 1]


def working_days_used(
    calendar: WorkCalendar,
    *,
    clock_start: date,
    decided_on: date,
    due_date: date,
    limit: int,
    unit: str,
    extension: int,
) -> tuple[int, int]:
    """(working days used, working days allowed) by a decided case.

    Used = allowed − the working days left at the decision, that is, working days in
    (decided_on, due_date], negative when decided late. For a limit in working days, allowed is
    the limit plus the approved extension, and since the due date already skips special
    procedures, so does "used". For a limit in calendar days (the licence before 2021-05-14),
    allowed is the working days from the clock start to the due date.
    """
    left = calendar.working_days_between(decided_on, due_date).days
    if unit == Unit.WORKING_DAYS:
        allowed = limit + extension
    else:
        allowed = calendar.working_days_between(clock_start, due_date).days
    return allowed - left, max(allowed, 1)


def decided_cases(scope: Scope, start: date, end: date) -> QuerySet:
    """The cases of ``scope`` decided from ``start`` to ``end`` (inclusive) against a clock."""
    return scope.applications().filter(
        decided_on__isnull=False, due_date__isnull=False, decided_on__gte=start, decided_on__lte=end
    )


def _measure(calendar: WorkCalendar, row: dict) -> tuple[int, int] | None:
    """``working_days_used`` of one decided case's values (see ``MEASURED``); None for a case
    without a clock start or a policy, which has nothing to be measured against."""
    clock_start = row["arrived_on"] if row["procedure"] == Procedure.WEBSITE_FILING else row["accepted_on"]
    if clock_start is None or row["policy__promised_limit"] is None:
        return None
    return working_days_used(
        calendar,
        clock_start=clock_start,
        decided_on=row["decided_on"],
        due_date=row["due_date"],
        limit=row["policy__promised_limit"],
        unit=row["policy__promised_unit"],
        extension=row["extension_days"],
    )


#: The fields ``_measure`` reads.
MEASURED = (
    "procedure",
    "accepted_on",
    "arrived_on",
    "decided_on",
    "due_date",
    "extension_days",
    "policy__promised_limit",
    "policy__promised_unit",
)


# -- the dashboard's figures ---------------------------------------------------------------------------


class _Decided:
    """What a chart's bar and a report's row both count: the cases decided, and those on time."""

    decided: int
    on_time: int

    @property
    def late(self) -> int:
        return self.decided - self.on_time

    @property
    def on_time_share(self) -> Fraction | None:
        """On time ÷ decided, exactly (the XLSX's percent cells hold it)."""
        return Fraction(self.on_time, self.decided) if self.decided else None


@dataclass
class Figure(_Decided):
    """One bar of a chart: a procedure, an officer (``officer_id``: the screens link it) or a month."""

    label: str
    decided: int = 0
    on_time: int = 0
    officer_id: int | None = None
    used: int = 0  # working days used, summed over the cases counted
    allowed: int = 0  # working days allowed (limit + extension), summed
    counted: int = 0  # cases whose working days were counted
    # Working days used, summed by the working days allowed: the average share of the limit is
    # then an exact sum of a few fractions (no float drift on a 82.5% that must show as 83%).
    used_by_allowed: Counter = field(default_factory=Counter)

    def merge(self, other: Figure, *, sign: int = 1) -> None:
        """Add the counts and working days of ``other`` (a month's, a procedure's) to this one
        (with ``sign=-1``, take them away)."""
        self.decided += sign * other.decided
        self.on_time += sign * other.on_time
        self.used += sign * other.used
        self.allowed += sign * other.allowed
        self.counted += sign * other.counted
        for allowed, used in other.used_by_allowed.items():
            self.used_by_allowed[allowed] += sign * used
            if not self.used_by_allowed[allowed]:
                del self.used_by_allowed[allowed]

    def stored(self) -> list:
        """The counts as JSON (``read`` reads them back): what ``MonthTally`` keeps."""
        return [self.decided, self.on_time, self.used, self.allowed, self.counted, sorted(self.used_by_allowed.items())]

    @classmethod
    def read(cls, values: list) -> Figure:
        decided, on_time, used, allowed, counted, by_allowed = values
        figure = cls("", decided=decided, on_time=on_time, used=used, allowed=allowed, counted=counted)
        figure.used_by_allowed.update({int(a): u for a, u in by_allowed})
        return figure

    def add(self, used: int, allowed: int, *, sign: int = 1) -> None:
        """Count one case's working days (with ``sign=-1``, take them away)."""
        self.used += sign * used
        self.allowed += sign * allowed
        self.counted += sign
        self.used_by_allowed[allowed] += sign * used
        if sign < 0 and not self.used_by_allowed[allowed]:
            del self.used_by_allowed[allowed]

    @property
    def rate(self) -> int | None:
        """The on-time rate in percent."""
        share = self.on_time_share
        return None if share is None else _percent(share, 1)

    @property
    def average_used(self) -> Fraction | None:
        return Fraction(self.used, self.counted) if self.counted else None

    @property
    def average_allowed(self) -> Fraction | None:
        return Fraction(self.allowed, self.counted) if self.counted else None

    @property
    def share(self) -> Fraction | None:
        """The average over the cases of working days used ÷ working days allowed."""
        if not self.counted:
            return None
        total = sum((Fraction(used, allowed) for allowed, used in self.used_by_allowed.items()), Fraction(0))
        return total / self.counted

    @property
    def share_percent(self) -> int | None:
        share = self.share
        return None if share is None else _percent(share, 1)

    @property
    def share_bar(self) -> int:
        return min(self.share_percent or 0, 100)


@dataclass
class Figures:
    start: date
    end: date
    total: Figure
    procedures: list[Figure] = field(default_factory=list)
    officers: list[Figure] = field(default_factory=list)
    months: list[Figure] = field(default_factory=list)


#: How many ended months ``count_months`` keeps counted: the dashboard's period filter offers the
#: current month and the 23 before it.
MONTHS_KEPT = 23

Tally = dict[str, dict]  # {"procedures": {procedure: Figure}, "officers": {officer id: Figure}}


def _empty() -> Tally:
    return {"procedures": {}, "officers": {}}


def _add_case(tally: Tally, row: dict, calendar: WorkCalendar, *, sign: int = 1, officer_id: object = ...) -> None:
    """Count one decided case (its values: ``MEASURED``, ``officer_id``) into ``tally``, under its
    officer or ``officer_id``; with ``sign=-1``, take it out again."""
    measured = _measure(calendar, row)
    on_time = int(met_by(row["decided_on"], row["due_date"]))
    officer = row["officer_id"] if officer_id is ... else officer_id
    for bucket, key in (("procedures", row["procedure"]), ("officers", officer)):
        figure = tally[bucket].get(key)
        if figure is None:
            figure = tally[bucket][key] = Figure("")
        figure.decided += sign
        figure.on_time += sign * on_time
        if measured is not None:
            figure.add(*measured, sign=sign)
        if not figure.decided:
            del tally[bucket][key]


def _tally(rows: Iterable[dict], calendar: WorkCalendar, *, only: int | None = None) -> dict[tuple[int, date], Tally]:
    """Each month's decided and on-time counts and working days used, by procedure and by officer
    (unlabelled Figures), from the decided cases' values (``MEASURED``, ``officer_id``,
    ``department_id``): per department (its id) and for every department together (0); with
    ``only``, under that key alone (the rows of one scope)."""
    tallies: dict[tuple[int, date], Tally] = {}
    for row in rows:
        month = months_back(row["decided_on"], 0)
        keys = [only] if only is not None else [k for k in (0, row["department_id"]) if k is not None]
        for key in keys:
            _add_case(tallies.setdefault((key, month), _empty()), row, calendar)
    return tallies


def _stored(tally: Tally) -> dict:
    """A tally as MonthTally keeps it (JSON: keys are strings, no officer is "")."""
    return {
        bucket: {("" if key is None else str(key)): figure.stored() for key, figure in figures.items()}
        for bucket, figures in tally.items()
    }


def _read(stored: dict) -> Tally:
    tally = _empty()
    for key, values in stored.get("procedures", {}).items():
        tally["procedures"][key] = Figure.read(values)
    for key, values in stored.get("officers", {}).items():
        tally["officers"][int(key) if key else None] = Figure.read(values)
    return tally


def _keep(tallies: dict[tuple[int, date], Tally], version: str) -> None:
    """Store these tallies (one statement), replacing those of the same department and month."""
    MonthTally.objects.bulk_create(
        [
            MonthTally(department_key=key, month=month, calendar=version, tally=_stored(tally))
            for (key, month), tally in sorted(tallies.items(), key=lambda item: (item[0][1], item[0][0]))
        ],
        update_conflicts=True,
        unique_fields=["department_key", "month"],
        update_fields=["calendar", "tally", "counted_at"],
    )


def count_months(
    today: date, calendar: WorkCalendar, *, months: int = MONTHS_KEPT, recount: bool = False
) -> list[date]:
    """Count ahead the on-time figures of the ``months`` months that ended by ``today``, for every
    department and for all together (``MonthTally``): the months not counted yet on this
    calendar, or all of them with ``recount``. Idempotent: run again, it counts nothing. The
    scheduled task behind the dashboard (``count_months_task``) and ``manage.py count_months``.
    Returns the months counted."""
    version = calendar_version(calendar)
    if version is None:
        return []
    ended = [months_back(today, n) for n in range(months, 0, -1)]
    keys = {0, *Department.objects.values_list("pk", flat=True)}
    if recount:
        due = ended
    else:
        have: dict[date, set[int]] = {}
        for key, month in MonthTally.objects.filter(month__in=ended, calendar=version).values_list(
            "department_key", "month"
        ):
            have.setdefault(month, set()).add(key)
        due = [month for month in ended if not keys <= have.get(month, set())]
    if due:
        _count_into_table(due, keys, calendar, version)
    return due


def _count_into_table(months: list[date], keys: Iterable[int], calendar: WorkCalendar, version: str) -> None:
    ranges = Q()
    for month in months:
        ranges |= Q(decided_on__gte=month, decided_on__lte=month_end(month))
    rows = decided_cases(Scope.everything(), months[0], month_end(months[-1])).filter(ranges)
    counted = _tally(rows.values(*MEASURED, "officer_id", "department_id").iterator(chunk_size=5_000), calendar)
    with transaction.atomic():
        _keep({(key, month): counted.get((key, month), _empty()) for key in keys for month in months}, version)


def count_months_task() -> str:
    """The scheduled task (approvals.schedules): the months that ended, counted ahead."""
    from approvals.holidays import work_calendar
    from approvals.workflow import today

    counted = count_months(today(), work_calendar())
    return f"{len(counted)} months counted"


def decided(on: date, today: date) -> None:
    """A case decided ``on``: a decision dated in a month that has ended (entered afterwards, as
    the demo data and the tests do; the screens date decisions today) makes that month's kept
    tallies wrong: they are dropped, to be counted again."""
    month = months_back(on, 0)
    if month_end(month) < today:
        MonthTally.objects.filter(month=month).delete()


def reassigned(row: dict, previous: tuple[int | None, int | None], today: date, calendar: WorkCalendar) -> None:
    """A decided case (its values: ``MEASURED``, ``officer_id``, ``department_id``) moved from
    ``previous`` (department, officer) to its officer now: move it in its ended month's kept
    tallies, in the caller's transaction (the rows locked). A month not counted on this
    calendar is left to be counted."""
    month = months_back(row["decided_on"], 0)
    version = calendar_version(calendar)
    if month_end(month) >= today or version is None:
        return
    old_department, old_officer = previous
    keys = {0, old_department, row["department_id"]} - {None}
    stored = MonthTally.objects.select_for_update().filter(month=month, calendar=version, department_key__in=keys)
    for kept in stored.order_by("pk"):
        tally = _read(kept.tally)
        if kept.department_key in (0, old_department):
            _add_case(tally, row, calendar, sign=-1, officer_id=old_officer)
        if kept.department_key in (0, row["department_id"]):
            _add_case(tally, row, calendar)
        MonthTally.objects.filter(pk=kept.pk).update(tally=_stored(tally), counted_at=timezone.now())


def figures(scope: Scope, start: date, end: date, calendar: WorkCalendar, *, today: date | None = None) -> Figures:
    """On-time counts and the working days used, by procedure, officer and month, tallied in
    memory over the decided cases (counted against the calendar).

    Given ``today``, the months that ended before it are read from their counts kept ahead
    (``count_months``); a month not counted yet is counted here and kept. A dashboard's twelve
    months are then one small query and the decided cases of the current month."""
    decided = decided_cases(scope, start, end)
    key = scope.department.pk if scope.department else 0
    months = {}
    first = months_back(start, 0)
    while first <= end:
        months[first] = Figure(first.strftime("%Y-%m"))
        first = months_back(first, -1)

    tallies: dict[date, Tally] = {}
    version = calendar_version(calendar) if today is not None else None
    ended = []
    if version is not None:
        ended = [m for m in months if month_end(m) < today and m >= start and month_end(m) <= end]
        if ended:
            for month, stored in MonthTally.objects.filter(
                department_key=key, month__in=ended, calendar=version
            ).values_list("month", "tally"):
                tallies[month] = _read(stored)
    live = [m for m in months if m not in tallies]
    if live:
        ranges = Q()
        for m in live:
            ranges |= Q(decided_on__gte=max(m, start), decided_on__lte=min(month_end(m), end))
        rows = decided.filter(ranges).values(*MEASURED, "officer_id").iterator(chunk_size=5_000)
        counted = {month: tally for (_key, month), tally in _tally(rows, calendar, only=key).items()}
        for m in live:
            tallies[m] = counted.get(m, _empty())
        missed = {(key, m): tallies[m] for m in live if m in ended}
        if missed:
            _keep(missed, version)

    procedures = {p: Figure(str(label)) for p, label in Procedure.choices}
    by_officer: dict[int | None, Figure] = {}
    total = Figure(_("All"))
    for month, tally in tallies.items():
        for procedure, figure in tally["procedures"].items():
            for into in (procedures[procedure], months[month], total):
                into.merge(figure)
        for officer_id, figure in tally["officers"].items():
            by_officer.setdefault(officer_id, Figure("")).merge(figure)
    names = {
        pk: name or username
        for pk, name, username in User.objects.filter(pk__in=[pk for pk in by_officer if pk]).values_list(
            "pk", "name", "username"
        )
    }
    for officer_id, figure in by_officer.items():
        figure.label, figure.officer_id = names.get(officer_id) or _("nobody"), officer_id
    return Figures(
        start=start,
        end=end,
        total=total,
        procedures=[f for f in procedures.values() if f.decided],
        officers=sorted(by_officer.values(), key=lambda f: f.label),
        months=list(months.values()),
    )


# -- the monthly on-time report ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One figure of a report row, as the page, the CSV, the XLSX and the API name it."""

    key: str
    label: Any  # a lazy translation
    kind: str = "count"  # count, percent (0-100), decimal, days
    public: bool = False  # shown in the public publication too


COLUMNS = (
    Column("decided", gettext_lazy("Decided"), public=True),
    Column("on_time", gettext_lazy("On time")),
    Column("on_time_rate", gettext_lazy("On time (%)"), "percent", public=True),
    Column("late", gettext_lazy("Late")),
    Column("statutory_breaches", gettext_lazy("Past the statutory limit")),
    Column("average_used", gettext_lazy("Average working days used"), "decimal", public=True),
    Column("p90_used", gettext_lazy("90th percentile of working days used"), "days"),
    Column("limit", gettext_lazy("Promised limit (working days)"), "days", public=True),
    Column("extensions", gettext_lazy("Extensions"), public=True),
    Column("special_procedures", gettext_lazy("Special procedures (pauses)")),
    Column("repeated_corrections", gettext_lazy("Repeated correction notices")),
    Column("deemed_acceptances", gettext_lazy("Deemed acceptances")),
    Column("ratings", gettext_lazy("Ratings")),
    Column("average_rating", gettext_lazy("Average rating (1-5)"), "decimal"),
    Column("bad_ratings", gettext_lazy("Bad ratings")),
)
PUBLIC_COLUMNS = tuple(c for c in COLUMNS if c.public)


@dataclass
class ReportRow(_Decided):
    """One procedure's figures for a month, or (``procedure`` empty) the total."""

    procedure: str
    label: str
    limit: int | None = None  # the promised limit in working days; None for the total
    decided: int = 0
    on_time: int = 0
    statutory_breaches: int = 0
    used: list[int] = field(default_factory=list)  # working days used, one per measured case
    extensions: int = 0
    special_procedures: int = 0
    repeated_corrections: int = 0
    deemed_acceptances: int = 0
    ratings: int = 0
    rating_sum: int = 0
    bad_ratings: int = 0

    @property
    def on_time_rate(self) -> Decimal | None:
        """The on-time rate in percent, one decimal, rounded half up; None when nothing was decided."""
        share = self.on_time_share
        return None if share is None else _decimal(share * 100, 1)

    @property
    def average_used(self) -> Decimal | None:
        """The mean of the working days used, two decimals, rounded half up."""
        return _decimal(statistics.mean(map(Fraction, self.used)), 2) if self.used else None

    @property
    def p90_used(self) -> int | None:
        return nearest_rank(self.used, 90)

    @property
    def average_rating(self) -> Decimal | None:
        return _decimal(Fraction(self.rating_sum, self.ratings), 2) if self.ratings else None

    def value(self, key: str) -> int | Decimal | None:
        return getattr(self, key)

    def add(self, other: ReportRow) -> None:
        """Add another row's counts to this one (the total)."""
        for name in (
            "decided",
            "on_time",
            "statutory_breaches",
            "extensions",
            "special_procedures",
            "repeated_corrections",
            "deemed_acceptances",
            "ratings",
            "rating_sum",
            "bad_ratings",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.used.extend(other.used)


@dataclass
class MonthlyReport:
    month: date  # the first day
    end: date  # the last day
    rows: list[ReportRow]  # one per procedure, in Procedure's order
    total: ReportRow

    @property
    def key(self) -> str:
        return self.month.strftime("%Y-%m")

    @property
    def all_rows(self) -> list[ReportRow]:
        return [*self.rows, self.total]


def _limits(end: date) -> dict[str, int | None]:
    """Each procedure's promised limit in working days under the policy in force on ``end``
    (one query); None where that policy counts calendar days or there is none."""
    limits: dict[str, int | None] = {}
    for policy in Policy.objects.filter(effective_from__lte=end).order_by("procedure", "-effective_from"):
        if policy.procedure not in limits:
            limits[policy.procedure] = policy.promised_limit if policy.promised_unit == Unit.WORKING_DAYS else None
    return limits


def monthly_reports(scope: Scope, first: date, last: date, calendar: WorkCalendar) -> list[MonthlyReport]:
    """One report per month from ``first``'s month to ``last``'s, oldest first, in a fixed number
    of queries (see the module docstring for what each figure counts)."""
    first, last = months_back(first, 0), months_back(last, 0)
    end = month_end(last)
    months: list[date] = []
    month = first
    while month <= last:
        months.append(month)
        month = months_back(month, -1)
    limits = _limits(end)
    labels = dict(Procedure.choices)
    rows: dict[date, dict[str, ReportRow]] = {
        m: {p: ReportRow(p, str(labels[p]), limit=limits.get(p)) for p in Procedure.values} for m in months
    }

    decided = (
        decided_cases(scope, first, end)
        .order_by()
        .values("pk", *MEASURED, "statutory_due", "correction_notices", "deemed_accepted")
        .annotate(pauses=Count("special_procedures"))
    )
    for case in decided:
        row = rows[_month_of(case["decided_on"])][case["procedure"]]
        row.decided += 1
        row.on_time += met_by(case["decided_on"], case["due_date"])
        row.statutory_breaches += case["statutory_due"] is not None and not met_by(
            case["decided_on"], case["statutory_due"]
        )
        row.extensions += case["extension_days"] > 0
        row.special_procedures += case["pauses"]
        row.repeated_corrections += case["correction_notices"] > 1
        row.deemed_acceptances += case["deemed_accepted"]
        measured = _measure(calendar, case)
        if measured is not None:
            row.used.append(measured[0])

    ratings = (
        scope.ratings()
        .filter(rated_on__gte=first, rated_on__lte=end)
        .annotate(month=TruncMonth("rated_on"))
        .order_by()
        .values("month", "application__procedure")
        .annotate(n=Count("pk"), total=Sum("level"), bad=Count("pk", filter=Q(level__lte=RATING_BAD_AT_MOST)))
    )
    for rating in ratings:
        row = rows[_month_of(rating["month"])][rating["application__procedure"]]
        row.ratings, row.rating_sum, row.bad_ratings = rating["n"], rating["total"], rating["bad"]

    reports = []
    for month in months:
        total = ReportRow("", _("All procedures"))
        for row in rows[month].values():
            total.add(row)
        reports.append(MonthlyReport(month, month_end(month), list(rows[month].values()), total))
    return reports


def monthly_report(scope: Scope, month: date, calendar: WorkCalendar) -> MonthlyReport:
    """The report of ``month``'s month for ``scope``."""
    return monthly_reports(scope, month, month, calendar)[0]


def cells(row: ReportRow, columns: Iterable[Column] = COLUMNS) -> list[int | Decimal | None]:
    """The row's figures in the order of ``columns``."""
    return [row.value(column.key) for column in columns]

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

from django.core.cache import cache
from django.db.models import Count, F, IntegerField, Max, Q, QuerySet, Sum
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.calendar import Unit, WorkCalendar
from approvals.clocks import met_by
from approvals.holidays import calendar_version
from approvals.models import RATING_BAD_AT_MOST, Policy, Procedure, User
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

    def merge(self, other: Figure) -> None:
        """Add the counts and working days of ``other`` (a month's, a procedure's) to this one."""
        self.decided += other.decided
        self.on_time += other.on_time
        self.used += other.used
        self.allowed += other.allowed
        self.counted += other.counted
        self.used_by_allowed.update(other.used_by_allowed)

    def add(self, used: int, allowed: int) -> None:
        self.used += used
        self.allowed += allowed
        self.counted += 1
        self.used_by_allowed[allowed] += used

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


#: How long a month's tallies stay in the cache. Its key already changes with everything that
#: could change them (see ``_fingerprints``); the limit only bounds what the cache holds.
TALLY_SECONDS = 30 * 24 * 3600


def _tally(rows: Iterable[dict], calendar: WorkCalendar) -> dict[date, dict[str, dict]]:
    """Each month's decided and on-time counts and working days used, by procedure and by officer
    (unlabelled Figures), from the decided cases' values (``MEASURED``, ``officer_id``)."""
    months: dict[date, dict[str, dict]] = {}
    for row in rows:
        month = months.setdefault(months_back(row["decided_on"], 0), {"procedures": {}, "officers": {}})
        measured = _measure(calendar, row)
        for bucket, key in (("procedures", row["procedure"]), ("officers", row["officer_id"])):
            figure = month[bucket].get(key)
            if figure is None:
                figure = month[bucket][key] = Figure("")
            figure.decided += 1
            figure.on_time += met_by(row["decided_on"], row["due_date"])
            if measured is not None:
                figure.add(*measured)
    return months


def _fingerprints(decided: QuerySet) -> dict[date, tuple]:
    """What identifies each month's decided cases, by month: how many, the largest id, and a sum
    over them of their officer weighted by their id. Only the workflow decides cases, dated the
    day it does so, so an ended month gains no decisions; a decided case's measured values do
    not change afterwards except its officer (a granted case can be reassigned until its
    certificate is served), and a calendar change, which is in the cache key. The weighted sum
    catches what a count alone would not: a reassignment, two officers' cases swapped.

    Grouped by day in SQL, in whole numbers that fit 32 bits, and added up by month here: the
    index application_dept_decided_ids answers it alone, without a date-to-timestamp conversion
    or a numeric sum per row (30 ms over the 134,000 decided cases of a department's eleven
    ended months, against 150 ms grouped by month in SQL)."""
    weighted = Cast((F("pk") % 1021 + 1) * Coalesce("officer_id", 0), IntegerField())
    rows = decided.order_by().values_list("decided_on").annotate(n=Count("pk"), top=Max("pk"), mix=Sum(weighted))
    months: dict[date, tuple] = {}
    for day, n, top, mix in rows:
        month = _month_of(day)
        count, largest, total = months.get(month, (0, 0, 0))
        months[month] = (count + n, max(largest, top), total + int(mix or 0))
    return months


def figures(scope: Scope, start: date, end: date, calendar: WorkCalendar, *, today: date | None = None) -> Figures:
    """On-time counts and the working days used, by procedure, officer and month, tallied in
    memory over the decided cases (counted against the calendar).

    Given ``today``, the tallies of months that ended before it are kept in the cache: a
    dashboard's twelve months are then one small aggregate (``_fingerprints``) and the decided
    cases of the current month, not a hundred thousand rows counted on every view."""
    decided = decided_cases(scope, start, end)
    months = {}
    first = months_back(start, 0)
    while first <= end:
        months[first] = Figure(first.strftime("%Y-%m"))
        first = months_back(first, -1)

    tallies: dict[date, dict[str, dict]] = {}
    keys: dict[date, str] = {}
    live = list(months)
    version = calendar_version(calendar) if today is not None else None
    if version is not None:
        ended = [m for m in months if month_end(m) < today and m >= start and month_end(m) <= end]
        if ended:
            marks = _fingerprints(decided.filter(decided_on__gte=ended[0], decided_on__lte=month_end(ended[-1])))
            department = scope.department.pk if scope.department else "all"
            mark = {m: "-".join(map(str, marks.get(m, (0, 0, 0)))) for m in ended}
            keys = {m: f"figures:{department}:{m:%Y-%m}:{version}:{mark[m]}" for m in ended}
            found = cache.get_many(list(keys.values()))
            tallies = {m: found[key] for m, key in keys.items() if key in found}
            live = [m for m in months if m not in tallies]
    if live:
        ranges = Q()
        for m in live:
            ranges |= Q(decided_on__gte=max(m, start), decided_on__lte=min(month_end(m), end))
        counted = _tally(decided.filter(ranges).values(*MEASURED, "officer_id").iterator(chunk_size=5_000), calendar)
        for m in live:
            tallies[m] = counted.get(m, {"procedures": {}, "officers": {}})
        if keys:
            cache.set_many({keys[m]: tallies[m] for m in live if m in keys}, TALLY_SECONDS)

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

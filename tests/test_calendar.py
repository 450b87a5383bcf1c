"""approvals.calendar: working days, with no database and no Django settings."""

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from approvals.calendar import CalendarRangeError, WorkCalendar
from approvals.estimate import EstimatedDay, estimate_year
from tests import reference

D = date.fromisoformat
ONE = timedelta(days=1)

# Starts over the years the fixtures cover, and some into the provisional future.
covered = st.dates(min_value=D("2024-01-01"), max_value=D("2026-12-31"))
anywhere = st.dates(min_value=D("2004-01-01"), max_value=D("2060-12-31"))
counts = st.integers(min_value=1, max_value=300)


def test_the_module_imports_without_django() -> None:
    code = "import sys, approvals.calendar; sys.exit('django' in sys.modules)"
    root = Path(__file__).parent.parent
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={}, cwd=root)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # docs/domain.md's worked examples.
        ("2025-09-26", 8, "2025-10-14"),  # Fri; Sun 28 Sep and Sat 11 Oct are working days
        ("2026-02-12", 8, "2026-03-02"),  # across the Spring Festival, Sat 14 and 28 Feb working
        ("2026-02-12", 26, "2026-03-26"),
        ("2025-04-30", 10, "2025-05-19"),  # across Labour Day
    ],
)
def test_the_worked_examples(official: WorkCalendar, start: str, n: int, due: str) -> None:
    assert official.add_working_days(D(start), n) == (D(due), False)


# Every holiday block of 2025 and 2026: its days off, and the weekend days declared working.
BLOCKS = [
    ("2025 元旦", "2025-01-01", "2025-01-01", []),
    ("2025 春节", "2025-01-28", "2025-02-04", ["2025-01-26", "2025-02-08"]),
    ("2025 清明", "2025-04-04", "2025-04-06", []),
    ("2025 劳动节", "2025-05-01", "2025-05-05", ["2025-04-27"]),
    ("2025 端午", "2025-05-31", "2025-06-02", []),
    ("2025 国庆中秋", "2025-10-01", "2025-10-08", ["2025-09-28", "2025-10-11"]),
    ("2026 元旦", "2026-01-01", "2026-01-03", ["2026-01-04"]),
    ("2026 春节", "2026-02-15", "2026-02-23", ["2026-02-14", "2026-02-28"]),
    ("2026 清明", "2026-04-04", "2026-04-06", []),
    ("2026 劳动节", "2026-05-01", "2026-05-05", ["2026-05-09"]),
    ("2026 端午", "2026-06-19", "2026-06-21", []),
    ("2026 中秋", "2026-09-25", "2026-09-27", ["2026-09-20"]),
    ("2026 国庆", "2026-10-01", "2026-10-07", ["2026-10-10"]),
]


@pytest.mark.parametrize(("name", "first", "last", "adjusted"), BLOCKS, ids=[b[0] for b in BLOCKS])
def test_every_holiday_block_of_2025_and_2026(
    official: WorkCalendar, name: str, first: str, last: str, adjusted: list[str]
) -> None:
    day = D(first)
    while day <= D(last):
        assert official.is_working_day(day) == (False, False), day
        day += ONE
    for raw in adjusted:
        assert D(raw).weekday() >= 5, "an adjusted working day is a weekend day"
        assert official.is_working_day(D(raw)) == (True, False)
    # The working day before the block is followed, one working day later, by the first
    # working day after it.
    before = D(first) - ONE
    while not official.is_working_day(before):
        before -= ONE
    after = D(last) + ONE
    while not official.is_working_day(after):
        after += ONE
    assert official.add_working_days(before, 1).date == after
    assert official.working_days_between(before, after) == (1, False)


def test_the_package_data_matches_the_holiday_cn_files_for_2024_to_2026(
    official: WorkCalendar, ref: reference.RefCalendar
) -> None:
    day = D("2024-01-01")
    while day <= D("2026-12-31"):
        assert bool(official.is_working_day(day)) == ref.is_work(day), day
        day += ONE


def test_a_status_is_true_exactly_on_a_working_day(official: WorkCalendar) -> None:
    assert official.is_working_day(D("2026-02-14"))  # adjusted Saturday
    assert not official.is_working_day(D("2026-02-16"))  # Spring Festival Monday
    working, provisional = official.is_working_day(D("2027-02-09"))  # a 补休 the 2027 notice will place
    assert (working, provisional) == (False, True)
    assert official.is_working_day(D("2027-03-01")) == (True, False), "a plain day of 2027 is certain"


def test_a_clock_started_on_a_rest_day_counts_from_the_next_working_day(official: WorkCalendar) -> None:
    # Sat 2025-10-04, inside the National Day holiday: day 1 is Thu 9 Oct, day 2 Fri 10 Oct,
    # day 3 the adjusted Sat 11 Oct.
    assert official.add_working_days(D("2025-10-04"), 1).date == D("2025-10-09")
    assert official.add_working_days(D("2025-10-04"), 3).date == D("2025-10-11")


def test_zero_and_negative_counts(official: WorkCalendar) -> None:
    assert official.add_working_days(D("2026-02-15"), 0) == (D("2026-02-15"), False)
    # One working day before Tue 24 Feb 2026 is the adjusted Sat 14 Feb.
    assert official.add_working_days(D("2026-02-24"), -1).date == D("2026-02-14")
    assert official.working_days_between(D("2026-02-24"), D("2026-02-14")) == (-1, False)


def test_calendar_day_limits_roll_forward_to_the_next_working_day(official: WorkCalendar) -> None:
    # 60 days after 2025-08-08 is Tue 2025-10-07, inside the holiday: due Thu 9 Oct.
    assert official.add_calendar_days(D("2025-08-08"), 60) == (D("2025-10-09"), False)
    # Landing on a working day stays put, even an adjusted Sunday.
    assert official.add_calendar_days(D("2025-07-30"), 60) == (D("2025-09-28"), False)
    assert official.roll_forward(D("2026-02-14")).date == D("2026-02-14")
    assert official.roll_forward(D("2026-02-15")).date == D("2026-02-24")


def test_years_without_a_schedule_count_by_the_estimate(official: WorkCalendar) -> None:
    assert not official.is_official_year(2027)
    # What the law fixes is certain: New Year's Day, the four days of the Spring Festival.
    assert official.is_working_day(D("2027-01-01")) == (False, False)
    for day in ("2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"):
        assert official.is_working_day(D(day)) == (False, False)
    # What the notice will add is uncertain, and counts by the estimate's best guess.
    assert official.is_working_day(D("2027-05-03")) == (False, True)  # a 补休 of Labour Day (Sat 1 May)
    assert official.is_working_day(D("2027-01-31")) == (True, True)  # a likely make-up Sunday
    assert official.is_provisional(D("2027-02-10")) and not official.is_provisional(D("2027-02-05"))
    # A window of certain days only is not provisional, even in 2027.
    assert official.add_working_days(D("2026-12-20"), 26) == (D("2027-01-26"), False)
    assert official.add_working_days(D("2026-12-01"), 5) == (D("2026-12-08"), False)
    # One that touches an uncertain day is.
    due = official.add_working_days(D("2027-01-28"), 8)
    assert due.provisional and due.date >= D("2027-02-11")


def test_estimated_names_the_days_of_the_estimate(official: WorkCalendar) -> None:
    assert official.estimated(D("2027-02-05")) == EstimatedDay(D("2027-02-05"), "春节", True, True, True)
    assert official.estimated(D("2027-02-10")) == EstimatedDay(D("2027-02-10"), "春节", True, False, True)
    assert official.estimated(D("2027-03-01")) is None, "a plain day"
    assert official.estimated(D("2026-02-16")) is None, "an official year"


def test_the_bound_calendars_take_every_uncertain_day_one_way(official: WorkCalendar) -> None:
    earliest, latest = official.bound("earliest"), official.bound("latest")
    assert official.bound("earliest") is earliest, "built once"
    assert earliest.bound("earliest") is earliest and latest.bound("earliest") is not latest
    assert earliest.is_working_day(D("2027-02-10")) == (True, False)
    assert latest.is_working_day(D("2027-02-10")) == (False, False)
    assert earliest.is_working_day(D("2027-02-05")) == latest.is_working_day(D("2027-02-05")) == (False, False)
    assert latest.is_working_day(D("2027-01-31")) == (False, False)  # a Sunday: off unless made working
    assert earliest.add_working_days(D("2027-01-28"), 8) == (D("2027-02-10"), False)  # docs/domain.md
    assert latest.add_working_days(D("2027-01-28"), 8) == (D("2027-02-17"), False)
    with pytest.raises(ValueError):
        official.bound("best")  # type: ignore[arg-type]


def test_far_future_years_never_raise(official: WorkCalendar) -> None:
    # The table grows by itself, far past its first build; past the estimate's years (1901-2099)
    # a year is weekends only, every day provisional.
    assert official.add_working_days(D("2099-12-31"), 1) == (D("2100-01-01"), True)  # a Friday
    assert official.add_working_days(D("2199-12-31"), 1) == (D("2200-01-01"), True)  # a Wednesday
    assert official.working_days_between(D("2026-12-31"), D("2300-01-01")).provisional
    assert official.bound("latest").is_working_day(D("2150-06-01")) == (True, True)
    assert official.add_calendar_days(D("9999-12-20"), 3).date == D("9999-12-23")
    with pytest.raises(CalendarRangeError):
        official.add_working_days(D("9999-12-31"), 1)


def test_dates_before_the_calendar_raise_a_clear_error(official: WorkCalendar) -> None:
    with pytest.raises(CalendarRangeError, match="before the calendar's first day, 2004-01-01"):
        official.add_working_days(D("2003-12-31"), 1)
    with pytest.raises(CalendarRangeError):
        official.add_working_days(D("2004-01-05"), -10)


def test_entries_override_the_package_and_official_years_end_provisional(official: WorkCalendar) -> None:
    loaded = official.with_days({D("2027-02-09"): True, D("2027-02-20"): True}, official_years=[2027])
    assert loaded.is_working_day(D("2027-02-09")) == (True, False)
    assert loaded.is_working_day(D("2027-02-20")) == (True, False)  # a Saturday declared working
    assert loaded.is_working_day(D("2027-02-10")) == (True, False), "an official year has no estimate"
    assert loaded.add_working_days(D("2026-12-20"), 26).provisional is False
    assert official.is_working_day(D("2027-02-09")) == (False, True), "the original is unchanged"


def test_entries_override_the_estimate_and_are_certain(official: WorkCalendar) -> None:
    # A day an administrator enters in a year still unofficial: certain, in the bound calendars too.
    entered = official.with_days({D("2027-02-10"): True, D("2027-02-05"): True})
    assert not entered.is_official_year(2027)
    assert entered.is_working_day(D("2027-02-10")) == (True, False)
    assert entered.is_working_day(D("2027-02-05")) == (True, False), "even over a statutory day"
    assert entered.estimated(D("2027-02-10")) is None
    for bound in ("earliest", "latest"):
        assert entered.bound(bound).is_working_day(D("2027-02-10")) == (True, False)
    assert entered.is_working_day(D("2027-02-11")) == (False, True), "the rest of 2027 is still estimated"


def test_an_estimate_can_be_injected(official: WorkCalendar) -> None:
    plain = WorkCalendar(official_years=range(2004, 2027), estimate=lambda year: ())
    assert plain.is_working_day(D("2027-02-08")) == (True, False)
    assert plain.with_days({D("2027-02-09"): False}).is_working_day(D("2027-02-08")) == (True, False)
    guess = EstimatedDay(D("2027-03-02"), "", True, False)
    one_day = WorkCalendar(official_years=[2026], estimate=lambda year: (guess,) if year == 2027 else ())
    assert one_day.is_working_day(D("2027-03-02")) == (False, True)
    assert one_day.estimated(D("2027-03-02")) == guess
    assert one_day.bound("earliest").is_working_day(D("2027-03-02")) == (True, False)
    # An estimate that cannot estimate a year (ValueError): weekends only, every day provisional.
    refusing = WorkCalendar(official_years=[2026], estimate=estimate_year, first_year=1890)
    assert refusing.is_working_day(D("1900-01-01")) == (True, True)


def test_the_bulk_form_gives_the_same_answers(official: WorkCalendar) -> None:
    starts = [D("2026-02-12"), D("2026-12-20"), D("2003-01-01"), D("2025-10-04")]
    ns = [26, 26, 0, 3]
    with pytest.raises(CalendarRangeError):
        official.add_working_days_many(starts, ns)
    del starts[2], ns[2]
    assert official.add_working_days_many(starts, ns) == [
        official.add_working_days(s, n) for s, n in zip(starts, ns, strict=True)
    ]


# -- properties -----------------------------------------------------------------------------


@given(
    start=st.dates(min_value=D("2006-01-01"), max_value=D("2060-12-31")), n=st.integers(min_value=-300, max_value=300)
)
def test_between_inverts_add(official: WorkCalendar, start: date, n: int) -> None:
    due = official.add_working_days(start, n)
    assert official.working_days_between(start, due.date).days == n


@given(start=anywhere, n=counts, m=counts)
def test_add_is_increasing_in_n(official: WorkCalendar, start: date, n: int, m: int) -> None:
    if n < m:
        assert official.add_working_days(start, n).date < official.add_working_days(start, m).date


@given(a=anywhere, b=anywhere, n=counts)
def test_add_is_monotonic_in_start(official: WorkCalendar, a: date, b: date, n: int) -> None:
    if a <= b:
        assert official.add_working_days(a, n).date <= official.add_working_days(b, n).date


@given(start=anywhere, n=counts)
def test_the_result_is_a_working_day_with_exactly_n_working_days_after_start(
    official: WorkCalendar, start: date, n: int
) -> None:
    due = official.add_working_days(start, n).date
    assert official.is_working_day(due)
    assert official.working_days_between(start, due - ONE).days == n - 1


@given(start=covered, n=counts)
def test_add_agrees_with_the_day_by_day_reference(
    official: WorkCalendar, ref: reference.RefCalendar, start: date, n: int
) -> None:
    assert official.add_working_days(start, n) == reference.add(ref, start, n)


@given(a=covered, b=covered)
def test_between_agrees_with_the_day_by_day_reference(
    official: WorkCalendar, ref: reference.RefCalendar, a: date, b: date
) -> None:
    a, b = min(a, b), max(a, b)
    assert official.working_days_between(a, b).days == reference.between(ref, a, b)


@given(day=anywhere)
def test_roll_forward_finds_the_first_working_day_on_or_after(official: WorkCalendar, day: date) -> None:
    rolled = official.roll_forward(day).date
    assert rolled >= day and official.is_working_day(rolled)
    while day < rolled:
        assert not official.is_working_day(day)
        day += ONE


@given(start=anywhere, n=st.integers(min_value=0, max_value=400))
def test_calendar_limits_are_the_rolled_day_n_days_later(official: WorkCalendar, start: date, n: int) -> None:
    assert official.add_calendar_days(start, n) == official.roll_forward(start + timedelta(days=n))


@given(start=st.dates(min_value=D("2026-06-01"), max_value=D("2028-12-31")), n=counts)
def test_provisional_exactly_when_a_counted_day_is_uncertain(official: WorkCalendar, start: date, n: int) -> None:
    due = official.add_working_days(start, n)
    uncertain = any(
        not entry.certain and start < day <= due.date
        for year in range(2027, due.date.year + 1)
        for day, entry in reference.estimated_days(year).items()
    )
    assert due.provisional == uncertain


@given(start=st.dates(min_value=D("2026-06-01"), max_value=D("2030-12-31")), n=counts)
def test_the_best_estimate_lies_between_the_bounds(official: WorkCalendar, start: date, n: int) -> None:
    best = official.add_working_days(start, n)
    earliest = official.bound("earliest").add_working_days(start, n)
    latest = official.bound("latest").add_working_days(start, n)
    assert earliest.date <= best.date <= latest.date
    assert not earliest.provisional and not latest.provisional
    assert (earliest.date != latest.date) <= best.provisional, "a range only where something is uncertain"

"""approvals.clock.compute_clock: limits, pauses, extensions and the segments that explain them."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from approvals.calendar import Pause, Unit, WorkCalendar
from approvals.clock import Clock, ClockError, Segment, compute_clock
from tests import reference

D = date.fromisoformat
WD, CD = Unit.WORKING_DAYS, Unit.CALENDAR_DAYS


def kinds(clock: Clock) -> list[tuple[str, str, str | None, int]]:
    return [(s.kind, s.after.isoformat(), s.until.isoformat() if s.until else None, s.days) for s in clock.segments]


def test_a_clock_without_pauses_is_the_nth_working_day(official: WorkCalendar) -> None:
    clock = compute_clock(official, D("2026-02-12"), 26, WD)
    assert (clock.due, clock.provisional) == (D("2026-03-26"), False)
    assert kinds(clock) == [("counted", "2026-02-12", "2026-03-26", 26)]


def test_a_pause_counts_its_stop_day_but_not_its_resume_day(official: WorkCalendar) -> None:
    # Accepted Mon 2 Mar 2026, 10 WD (due Mon 16 Mar). Expert review from Wed 4 Mar to Mon 16 Mar:
    # 3 and 4 Mar count; 5-16 Mar (8 working days) do not; 8 days are left from Tue 17 Mar.
    clock = compute_clock(official, D("2026-03-02"), 10, WD, pauses=[Pause(D("2026-03-04"), D("2026-03-16"))])
    assert clock.due == D("2026-03-26")
    assert kinds(clock) == [
        ("counted", "2026-03-02", "2026-03-04", 2),
        ("paused", "2026-03-04", "2026-03-16", 8),
        ("counted", "2026-03-16", "2026-03-26", 8),
    ]


def test_a_pause_may_stop_on_the_start_day_and_on_the_day_before_the_due_date(official: WorkCalendar) -> None:
    assert compute_clock(official, D("2026-03-02"), 10, WD, pauses=[(D("2026-03-02"), D("2026-03-03"))]).due == D(
        "2026-03-17"
    )
    assert compute_clock(official, D("2026-03-02"), 10, WD, pauses=[(D("2026-03-13"), D("2026-03-16"))]).due == D(
        "2026-03-17"
    )


def test_a_pause_that_resumes_the_day_it_stops_changes_nothing(official: WorkCalendar) -> None:
    clock = compute_clock(official, D("2026-03-02"), 10, WD, pauses=[(D("2026-03-05"), D("2026-03-05"))])
    assert clock.due == D("2026-03-16")


def test_a_running_pause_leaves_no_due_date_but_the_days_left(official: WorkCalendar) -> None:
    clock = compute_clock(official, D("2026-03-02"), 10, WD, pauses=[Pause(D("2026-03-04"), None)], extension=5)
    assert clock.due is None
    assert clock.remaining == (8, 5)
    assert kinds(clock)[-1] == ("paused", "2026-03-04", None, 0)


def test_an_extension_runs_on_from_the_end_of_the_limit(official: WorkCalendar) -> None:
    clock = compute_clock(official, D("2026-03-02"), 10, WD, extension=10)
    assert clock.due == official.add_working_days(D("2026-03-02"), 20).date
    assert kinds(clock) == [("counted", "2026-03-02", "2026-03-16", 10), ("extended", "2026-03-16", "2026-03-30", 10)]


def test_a_calendar_day_limit_rolls_forward_then_extends(official: WorkCalendar) -> None:
    # 60 days after 8 Aug 2025 is Tue 7 Oct, in the National Day holiday: due Thu 9 Oct; ten
    # working days on (Sat 11 Oct is one of them) is Wed 22 Oct.
    clock = compute_clock(official, D("2025-08-08"), 60, CD, extension=10)
    assert clock.due == D("2025-10-22")
    assert kinds(clock) == [
        ("counted", "2025-08-08", "2025-10-07", 60),
        ("rolled", "2025-10-07", "2025-10-09", 2),
        ("extended", "2025-10-09", "2025-10-22", 10),
    ]


def test_a_calendar_day_pause_removes_calendar_days(official: WorkCalendar) -> None:
    # 60 days from 5 Jan 2026 end Fri 6 Mar; a pause from 10 to 20 Jan removes ten days: Mon 16 Mar.
    clock = compute_clock(official, D("2026-01-05"), 60, CD, pauses=[(D("2026-01-10"), D("2026-01-20"))])
    assert clock.due == D("2026-03-16")


def test_a_pause_inside_the_roll_forward_ends_the_clock_on_the_next_working_day_after_it(
    official: WorkCalendar,
) -> None:
    clock = compute_clock(official, D("2025-08-08"), 60, CD, pauses=[(D("2025-10-08"), D("2025-10-20"))])
    assert clock.due == D("2025-10-21")


@pytest.mark.parametrize(
    ("pauses", "code"),
    [
        ([(D("2026-03-01"), D("2026-03-03"))], "before_start"),
        ([(D("2026-03-04"), D("2026-03-03"))], "resume_before_stop"),
        ([(D("2026-03-04"), D("2026-03-10")), (D("2026-03-09"), D("2026-03-11"))], "overlap"),
        ([(D("2026-03-04"), None), (D("2026-03-09"), D("2026-03-11"))], "running_not_last"),
        ([(D("2026-03-16"), D("2026-03-20"))], "late"),  # the due date itself: nothing left to pause
    ],
)
def test_pauses_that_do_not_fit_the_clock_are_refused(official: WorkCalendar, pauses, code: str) -> None:
    with pytest.raises(ClockError) as error:
        compute_clock(official, D("2026-03-02"), 10, WD, pauses=pauses)
    assert error.value.code == code


def test_late_pauses_can_be_ignored_and_are_reported(official: WorkCalendar) -> None:
    late = Pause(D("2026-03-20"), D("2026-03-25"))
    clock = compute_clock(official, D("2026-03-02"), 10, WD, pauses=[late], late_pauses="ignore")
    assert (clock.due, clock.late_pauses) == (D("2026-03-16"), (late,))


def test_negative_limits_are_refused(official: WorkCalendar) -> None:
    with pytest.raises(ClockError):
        compute_clock(official, D("2026-03-02"), -1, WD)
    with pytest.raises(ClockError):
        compute_clock(official, D("2026-03-02"), 10, WD, extension=-2)


def test_a_clock_touching_an_uncertain_day_is_provisional(official: WorkCalendar) -> None:
    # Into 2027 (unpublished) over certain days only: New Year's Day is fixed by law.
    clock = compute_clock(official, D("2026-12-01"), 26, WD)
    assert (clock.due, clock.provisional) == (D("2027-01-07"), False)
    assert not compute_clock(official, D("2026-10-01"), 60, CD).provisional  # Mon 30 Nov 2026
    rolled = compute_clock(official, D("2026-11-02"), 60, CD)  # Fri 1 Jan 2027, a statutory holiday
    assert (rolled.due, rolled.provisional) == (D("2027-01-04"), False)
    # Across the Spring Festival, whose 调休 the 2027 notice will settle.
    clock = compute_clock(official, D("2027-01-28"), 8, WD)
    assert clock.provisional and clock.due >= D("2027-02-11")
    # 60 days land on Tue 9 Feb, a likely 补休: the count is certain, the roll-forward is not.
    rolled = compute_clock(official, D("2026-12-11"), 60, CD)
    assert rolled.provisional and [s.provisional for s in rolled.segments] == [False, True]
    # Only the segment that touches the uncertain Sunday 31 Jan is provisional.
    paused = compute_clock(official, D("2027-01-20"), 10, WD, pauses=[Pause(D("2027-01-22"), D("2027-01-26"))])
    assert [s.provisional for s in paused.segments] == [False, False, True]


def test_the_bound_calendars_bracket_the_best_estimate(official: WorkCalendar) -> None:
    best = compute_clock(official, D("2027-01-28"), 8, WD)
    earliest = compute_clock(official.bound("earliest"), D("2027-01-28"), 8, WD)
    latest = compute_clock(official.bound("latest"), D("2027-01-28"), 8, WD)
    assert earliest.due <= best.due <= latest.due
    assert not earliest.provisional and not latest.provisional


# -- against the day-by-day reference --------------------------------------------------------


pause_st = st.tuples(st.integers(min_value=0, max_value=90), st.integers(min_value=0, max_value=40))


@given(
    start=st.dates(min_value=D("2025-01-01"), max_value=D("2026-12-31")),
    unit=st.sampled_from([WD, CD]),
    limit=st.integers(min_value=1, max_value=60),
    extension=st.integers(min_value=0, max_value=10),
    raw_pauses=st.lists(pause_st, max_size=3),
    late=st.sampled_from(["error", "ignore"]),
)
def test_clocks_agree_with_the_day_by_day_reference(
    official: WorkCalendar,
    ref: reference.RefCalendar,
    start: date,
    unit: Unit,
    limit: int,
    extension: int,
    raw_pauses: list[tuple[int, int]],
    late: str,
) -> None:
    pauses = [(start + timedelta(days=a), start + timedelta(days=a + b)) for a, b in raw_pauses]
    try:
        expected = reference.clock(ref, start, limit, str(unit), pauses, extension, late=late)
    except reference.Invalid:
        with pytest.raises(ClockError):
            compute_clock(official, start, limit, unit, pauses=pauses, extension=extension, late_pauses=late)
        return
    clock = compute_clock(official, start, limit, unit, pauses=pauses, extension=extension, late_pauses=late)
    assert (clock.due, clock.provisional) == expected
    assert_segments_explain(clock)


def assert_segments_explain(clock: Clock) -> None:
    """The segments are contiguous from the start to the due date and add up to the limit."""
    cursor = clock.start
    counted = {WD: 0, CD: 0}
    for segment in clock.segments:
        assert isinstance(segment, Segment)
        assert segment.after == cursor
        cursor = segment.until
        if segment.kind in ("counted", "extended"):
            counted[segment.unit] += segment.days
    assert cursor == clock.due
    if clock.unit is WD:
        assert counted[WD] == clock.limit + clock.extension
    else:
        assert counted[CD] == clock.limit and counted[WD] == clock.extension

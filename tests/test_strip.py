"""The clock strip's days (approvals/strip.py) for DOMAIN.md's worked examples."""

from datetime import date

from approvals.calendar import WorkCalendar
from approvals.clock import compute_clock
from approvals.strip import build

CAL = WorkCalendar.official()


def kinds(strip):
    return {d.on: d for d in strip.days}


def test_it_numbers_the_counted_days_and_marks_the_declared_sunday_and_the_holidays():
    clock = compute_clock(CAL, date(2025, 9, 26), 8, "working_days")
    strip = build(clock, None, CAL, date(2025, 10, 9))
    days = kinds(strip)
    assert strip.days[0].on == date(2025, 9, 27)
    assert days[date(2025, 9, 27)].kind == "rest"
    sunday = days[date(2025, 9, 28)]
    assert (sunday.kind, sunday.declared, sunday.number) == ("counted", True, 1)
    assert days[date(2025, 10, 1)].kind == "rest"  # National Day
    assert days[date(2025, 10, 14)].promised_end and days[date(2025, 10, 14)].number == 8
    assert days[date(2025, 10, 9)].today
    assert strip.days[-1].on == date(2025, 10, 14)


def test_a_pause_removes_its_days_and_an_extension_adds_numbered_days():
    # accepted Wed 2025-04-30, 10 WD; paused on Tue 6 May, resumed Fri 9 May; extended by 2
    clock = compute_clock(
        CAL, date(2025, 4, 30), 10, "working_days", pauses=[(date(2025, 5, 6), date(2025, 5, 9))], extension=2
    )
    statutory = compute_clock(
        CAL, date(2025, 4, 30), 20, "working_days", pauses=[(date(2025, 5, 6), date(2025, 5, 9))], extension=2
    )
    strip = build(clock, statutory, CAL, date(2025, 5, 12))
    days = kinds(strip)
    assert days[date(2025, 5, 6)].kind == "counted"  # the stop day counts
    assert [days[date(2025, 5, d)].kind for d in (7, 8, 9)] == ["paused"] * 3  # (P, R]
    counted = [d for d in strip.days if d.kind in ("counted", "extension")]
    assert len(counted) == 12 and [d.kind for d in counted[-2:]] == ["extension", "extension"]
    assert counted[-1].promised_end and counted[-1].on == clock.due
    assert days[statutory.due].statutory_end and days[statutory.due].kind == "statutory"
    assert not any(d.statutory_end for d in strip.days if d.on != statutory.due)


def test_an_unpublished_years_uncertain_days_are_marked_provisional():
    clock = compute_clock(CAL, date(2027, 1, 28), 8, "working_days")
    strip = build(clock, None, CAL, date(2027, 1, 29))
    assert clock.provisional
    days = kinds(strip)
    assert days[date(2027, 2, 5)].kind == "rest"  # 除夕, certain
    assert any(d.provisional for d in strip.days)
    assert strip.days[-1].promised_end and strip.days[-1].on == clock.due


def test_no_clock_gives_no_strip():
    assert build(None, None, CAL, date(2026, 1, 5)) is None


# -- the pages ------------------------------------------------------------------------------------

import pytest  # noqa: E402

from tests.cast import Cast, browser  # noqa: E402


@pytest.fixture
def case(cast: Cast, now):
    now(date(2026, 3, 5))
    return cast.under_review(received=date(2026, 3, 2), accepted=date(2026, 3, 3))


def test_the_case_page_and_the_enterprises_page_show_the_strip_and_its_text(cast: Cast, case) -> None:
    for user in (cast.olga, cast.alice):
        page = browser(user).get(f"/applications/{case.pk}/").content.decode()
        assert 'class="strip-grid" role="img" aria-label="' in page, user
        assert "2026-03-03" in page.split('class="strip-grid"')[1].split(">")[0]
        assert "strip-today" in page and "strip-promised-end" in page
        assert "The clock starts after 2026-03-03" in page  # the numbered list stays


def test_track_shows_the_strip_and_no_names_or_notes(cast: Cast, case) -> None:
    page = browser().post("/track/", {"tracking_number": case.tracking_number, "query_code": case.query_code})
    html = page.content.decode()
    assert 'role="img"' in html and "strip-promised-end" in html
    figure = html.split('<figure class="strip">')[1].split("</figure>")[0]
    for name in (cast.olga.username, cast.olga.get_full_name(), cast.alice.username):
        if name:
            assert name not in figure


def test_each_day_knows_its_column_in_a_monday_to_sunday_week() -> None:
    strip = build(compute_clock(CAL, date(2026, 2, 12), 8, "working_days"), None, CAL, date(2026, 2, 12))
    assert (strip.days[0].on, strip.days[0].column) == (date(2026, 2, 13), 5)

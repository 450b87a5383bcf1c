"""Calendar feeds: an officer's or manager's due dates at a secret address, and the public
working-day calendar of a year, both as iCalendar."""

import hashlib
import re
from datetime import date, timedelta

import pytest
from chinese_calendar.constants import holidays as package_holidays
from chinese_calendar.constants import workdays as package_workdays
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from approvals import feeds, workflow
from approvals.estimate import estimate_year
from approvals.models import Application, CalendarDay, CalendarFeed, CalendarYear, DayKind, Procedure, Role
from tests.cast import Cast, browser

D = date.fromisoformat
TODAY = D("2026-06-15")  # a Monday


def parse(response) -> Calendar:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(cal: Calendar) -> dict[str, dict]:
    """Each event by UID: its first and last day (DTEND is exclusive), title and description."""
    found = {}
    for event in cal.walk("VEVENT"):
        first, end = event.decoded("dtstart"), event.decoded("dtend")
        assert type(first) is date and type(end) is date, "all-day events"
        assert event.get("dtstamp") is not None
        found[str(event["uid"])] = {
            "first": first,
            "last": end - timedelta(days=1),
            "summary": str(event["summary"]),
            "description": str(event.get("description", "")),
        }
    assert len(found) == len(cal.walk("VEVENT")), "UIDs are unique"
    return found


def token_of(response) -> str:
    match = re.search(r'value="http://testserver/feeds/([A-Za-z0-9_-]+)\.ics"', response.content.decode())
    assert match, "the new address is shown"
    return match.group(1)


def make_feed(client) -> str:
    """Create the signed-in user's feed through the page; the token from the address shown."""
    response = client.post("/feeds/create/", follow=True)
    return token_of(response)


def assign(app: Application, officer, cast: Cast) -> Application:
    if app.officer_id != officer.pk:
        manager = cast.mia if app.department_id == cast.licensing.pk else cast.max
        app = workflow.reassign(app.pk, manager, officer.pk)
    return app


def due_uid(app: Application, kind: str = "due") -> str:
    return f"application-{app.pk}-{kind}@shixian"


@pytest.fixture
def cases(cast: Cast, now) -> dict[str, Application]:
    """Olga's cases in every state a feed cares about, one of Oscar's, one closed, one filing."""
    now(TODAY)
    c = cast
    made = {
        # DOMAIN.md's worked example: accepted Thu 2026-02-12, 26 working days → Thu 2026-03-26;
        # the licence's statutory 60 calendar days from receipt → Mon 2026-04-13.
        "licence": c.under_review(received=D("2026-02-12"), accepted=D("2026-02-12")),
        "numbers": c.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-06-01"), accepted=D("2026-06-02")),
        "received": c.received(on=D("2026-06-10")),
        "granted": c.under_review(received=D("2026-05-06"), accepted=D("2026-05-07")),
        "paused": c.under_review(received=D("2026-05-11"), accepted=D("2026-05-12")),
        "denied": c.under_review(received=D("2026-05-18"), accepted=D("2026-05-19")),
        "oscars": c.under_review(received=D("2026-06-03"), accepted=D("2026-06-04")),
        "filing": c.under_review(Procedure.WEBSITE_FILING, received=D("2026-06-08"), accepted=D("2026-06-09")),
    }
    for name, app in made.items():
        if name != "filing":
            made[name] = assign(app, c.oscar if name == "oscars" else c.olga, c)
    made["granted"] = workflow.grant(made["granted"].pk, c.olga, on=TODAY)
    made["paused"] = c.paused(made["paused"], on=TODAY, until=D("2026-07-10"), basis="电信业务经营许可管理办法")
    made["denied"] = workflow.deny(made["denied"].pk, c.olga, "不符合条件", "可申请行政复议", on=TODAY)
    return {name: Application.objects.get(pk=app.pk) for name, app in made.items()}


# -- what an officer's feed lists -----------------------------------------------------------------


def test_an_officers_feed_lists_exactly_her_open_cases_on_their_due_dates(cast: Cast, cases) -> None:
    client = browser(cast.olga)
    cal = parse(browser().get(f"/feeds/{make_feed(client)}.ics"))
    found = events(cal)

    licence, numbers, received, granted = (cases[k] for k in ("licence", "numbers", "received", "granted"))
    expected = {
        due_uid(licence): licence.due_date,
        due_uid(licence, "statutory"): licence.statutory_due,
        due_uid(numbers): numbers.due_date,
        due_uid(numbers, "statutory"): numbers.statutory_due,
        due_uid(received): received.acceptance_due,
        due_uid(granted): granted.certificate_due,
    }
    assert {uid: event["first"] for uid, event in found.items()} == expected
    assert all(event["first"] == event["last"] for event in found.values()), "one day each"
    # The hand-counted dates agree with the stored ones.
    assert found[due_uid(licence)]["first"] == D("2026-03-26")
    assert found[due_uid(licence, "statutory")]["first"] == D("2026-04-13")
    assert found[due_uid(received)]["first"] == D("2026-06-17")  # 5 working days after Wed 06-10
    # Paused (no due date), closed, Oscar's and the other department's cases are absent.
    for name in ("paused", "denied", "oscars", "filing"):
        assert not any(uid.startswith(f"application-{cases[name].pk}-") for uid in found), name


def test_an_event_names_the_case_and_its_dates_and_links_to_it(cast: Cast, cases) -> None:
    client = browser(cast.olga)
    cal = parse(browser().get(f"/feeds/{make_feed(client)}.ics"))
    licence = cases["licence"]
    event = events(cal)[due_uid(licence)]
    assert event["summary"] == f"{licence.tracking_number} Value-added telecom business licence: Promised deadline"
    assert "Promised due date: 2026-03-26." in event["description"]
    assert "Statutory due date: 2026-04-13." in event["description"]
    assert f"http://testserver/applications/{licence.pk}/" in event["description"]
    assert "provisional" not in event["description"]
    assert "Case officer" not in event["description"]  # her own cases: no need to say whose
    text = cal.to_ical().decode()
    assert "合肥云端网络科技有限公司" not in text and licence.subject not in text, "no applicant, no subject"
    assert events(cal)[due_uid(cases["received"])]["summary"].endswith(": Acceptance deadline")
    assert events(cal)[due_uid(cases["granted"])]["summary"].endswith(": Certificate service deadline")
    assert str(cal["x-wr-calname"]) == "shixian: my due dates"


def test_a_managers_feed_lists_the_departments_open_cases_with_their_officers(cast: Cast, cases) -> None:
    cal = parse(browser().get(f"/feeds/{make_feed(browser(cast.mia))}.ics"))
    found = events(cal)
    licensing_open = ("licence", "numbers", "received", "granted", "oscars")
    assert {uid.split("-")[1] for uid in found} == {str(cases[name].pk) for name in licensing_open}
    assert "Case officer: Oscar" in found[due_uid(cases["oscars"])]["description"]
    assert str(cal["x-wr-calname"]) == "shixian: due dates of 信息通信管理处"

    cal = parse(browser().get(f"/feeds/{make_feed(browser(cast.max))}.ics"))
    filing = cases["filing"]
    assert {uid: e["first"] for uid, e in events(cal).items()} == {
        due_uid(filing): filing.due_date,
        due_uid(filing, "statutory"): filing.statutory_due,
    }


def test_a_due_date_in_a_provisional_year_says_so(cast: Cast, now) -> None:
    now(D("2026-12-15"))
    app = assign(cast.under_review(received=D("2026-12-11"), accepted=D("2026-12-14")), cast.olga, cast)
    # The promised 26 working days end in January 2027 on certain days only; the statutory 60
    # days from receipt end on Tue 9 Feb 2027, a day the unpublished Spring Festival may bridge.
    assert not app.promised_provisional and app.due_date.year == 2027
    assert app.statutory_provisional and app.statutory_due.month == 2
    found = events(parse(browser().get(f"/feeds/{make_feed(browser(cast.olga))}.ics")))
    assert found[due_uid(app)]["summary"].endswith(": Promised deadline")
    statutory = found[due_uid(app, "statutory")]
    assert statutory["summary"].endswith(": Statutory deadline (provisional)")
    assert "Statutory deadline: expected" in statutory["description"]
    assert "holiday schedule is not yet published" in statutory["description"]


def test_the_feed_runs_the_same_queries_for_1_and_5_cases(cast: Cast, now) -> None:
    now(TODAY)
    anonymous = browser()
    url = f"/feeds/{make_feed(browser(cast.olga))}.ics"

    def add_case(day: date) -> None:
        assign(cast.under_review(received=day, accepted=day), cast.olga, cast)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert anonymous.get(url).status_code == 200
        return len(captured)

    add_case(D("2026-06-01"))
    first = queries()  # records the fetch: one UPDATE more
    one = queries()
    for day in ("2026-06-02", "2026-06-03", "2026-06-04", "2026-06-05"):
        add_case(D(day))
    assert len(events(parse(anonymous.get(url)))) == 10  # promised and statutory for each
    assert queries() == one
    assert first == one + 1
    assert one <= 5  # the feed, its cases, and the calendar's two version checks (clocks' ranges and reasons)


# -- the address -----------------------------------------------------------------------------------


def test_the_address_is_shown_once_and_only_its_hash_is_stored(cast: Cast) -> None:
    client = browser(cast.olga)
    response = client.post("/feeds/create/")
    assert response.status_code == 302 and response["Location"] == "/feeds/"
    page = client.get("/feeds/")
    token = token_of(page)
    assert page["Cache-Control"].count("no-store") == 1
    feed = CalendarFeed.objects.get(user=cast.olga)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(CalendarFeed.objects.values().get())
    again = client.get("/feeds/").content.decode()
    assert token not in again and "active" in again


def test_a_second_create_keeps_the_first_address(cast: Cast) -> None:
    client = browser(cast.olga)
    token = make_feed(client)
    response = client.post("/feeds/create/", follow=True)
    assert "You already have a calendar feed" in response.content.decode()
    assert CalendarFeed.objects.filter(user=cast.olga).count() == 1
    assert browser().get(f"/feeds/{token}.ics").status_code == 200


def test_regenerating_stops_the_old_address_and_revoking_stops_the_new_one(cast: Cast) -> None:
    client = browser(cast.olga)
    old = make_feed(client)
    new = token_of(client.post("/feeds/regenerate/", follow=True))
    assert new != old
    assert browser().get(f"/feeds/{old}.ics").status_code == 404
    assert browser().get(f"/feeds/{new}.ics").status_code == 200
    assert browser().head(f"/feeds/{new}.ics").status_code == 200, "some calendar apps ask HEAD first"
    assert CalendarFeed.objects.filter(user=cast.olga, revoked_at__isnull=True).count() == 1

    response = client.post("/feeds/revoke/", follow=True)
    assert "Calendar feed revoked" in response.content.decode()
    assert browser().get(f"/feeds/{new}.ics").status_code == 404
    assert feeds.active_feed(cast.olga) is None
    assert CalendarFeed.objects.filter(user=cast.olga).count() == 2, "revoked feeds are kept as a record"


def test_an_unknown_token_is_a_404(cast: Cast) -> None:
    make_feed(browser(cast.olga))
    assert browser().get("/feeds/" + "A" * 43 + ".ics").status_code == 404


@pytest.mark.parametrize("change", ["enterprise", "inactive"])
def test_a_feed_stops_when_its_owner_is_no_longer_an_active_officer(cast: Cast, change: str) -> None:
    token = make_feed(browser(cast.olga))
    assert browser().get(f"/feeds/{token}.ics").status_code == 200
    if change == "enterprise":
        cast.olga.role, cast.olga.organisation, cast.olga.department = Role.ENTERPRISE, cast.acme, None
    else:
        cast.olga.is_active = False
    cast.olga.save()
    assert browser().get(f"/feeds/{token}.ics").status_code == 404


def test_the_last_fetch_is_recorded_at_most_every_15_minutes(cast: Cast, now) -> None:
    start = now(TODAY)
    token = make_feed(browser(cast.olga))
    assert CalendarFeed.objects.get().last_used_at is None
    browser().get(f"/feeds/{token}.ics")
    assert CalendarFeed.objects.get().last_used_at == start
    now(start + timedelta(minutes=10))
    browser().get(f"/feeds/{token}.ics")
    assert CalendarFeed.objects.get().last_used_at == start
    now(start + timedelta(minutes=20))
    browser().get(f"/feeds/{token}.ics")
    assert CalendarFeed.objects.get().last_used_at == start + timedelta(minutes=20)


def test_only_officers_and_managers_have_the_page(cast: Cast) -> None:
    for user in (cast.alice, cast.pat, cast.root):
        assert browser(user).get("/feeds/").status_code == 403, user
        assert browser(user).post("/feeds/create/").status_code == 403, user
    assert not CalendarFeed.objects.exists()
    response = browser().get("/feeds/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for user in (cast.olga, cast.mia):
        page = browser(user).get("/feeds/").content.decode()
        assert '<a href="/feeds/" aria-current="page">Calendar feed</a>' in page
    assert 'href="/feeds/"' not in browser(cast.alice).get("/portal/").content.decode()


def test_the_buttons_post_with_the_csrf_token(cast: Cast) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.olga)
    assert client.post("/feeds/create/").status_code == 403
    assert client.get("/feeds/create/").status_code == 405
    page = client.get("/feeds/").content.decode()
    assert 'action="/feeds/create/"' in page and "csrfmiddlewaretoken" in page


# -- the working-day calendar ----------------------------------------------------------------------


def test_2026_has_its_official_holidays_and_adjusted_working_days(db, now) -> None:
    now(TODAY)
    cal = parse(browser().get("/calendar.ics?year=2026"))
    assert str(cal["x-wr-calname"]) == "Working-day calendar 2026"
    found = events(cal)
    spring = found["holiday-2026-02-15@shixian"]
    assert (spring["summary"], spring["first"], spring["last"]) == ("春节", D("2026-02-15"), D("2026-02-23"))
    holidays = {
        event["first"] + timedelta(days=n)
        for event in found.values()
        if not event["summary"].startswith("Adjusted")
        for n in range((event["last"] - event["first"]).days + 1)
    }
    assert holidays == {day for day in package_holidays if day.year == 2026}
    adjusted = {event["first"]: event["summary"] for event in found.values() if event["summary"].startswith("Adjusted")}
    assert sorted(adjusted) == [D(d) for d in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09")] + [
        D("2026-09-20"),
        D("2026-10-10"),
    ]
    assert set(adjusted) == {day for day in package_workdays if day.year == 2026}
    assert adjusted[D("2026-02-14")] == "Adjusted working day · 春节"
    assert "provisional" not in cal.to_ical().decode().lower()


def test_a_year_without_a_notice_is_marked_provisional(db) -> None:
    cal = parse(browser().get("/calendar.ics?year=2030"))
    assert str(cal["x-wr-calname"]) == "Working-day calendar 2030 (provisional)"
    assert "Provisional" in str(cal["x-wr-caldesc"])
    found = events(cal)
    days = {
        event["first"] + timedelta(days=n): event["summary"]
        for event in found.values()
        for n in range((event["last"] - event["first"]).days + 1)
    }
    # The estimate from the law: its statutory days as they are, its guesses named as estimated.
    for estimated in estimate_year(2030):
        if estimated.off == (estimated.date.weekday() >= 5):
            assert estimated.date not in days, estimated  # a plain day: no event
        elif estimated.certain:
            assert days[estimated.date] == estimated.name
        else:
            assert days[estimated.date].endswith(f"{estimated.name} (estimated)")
    assert days[D("2030-01-01")] == "元旦" and days[D("2030-10-01")].startswith("国庆节")
    assert all("Provisional" in e["description"] for e in found.values() if not e["summary"].startswith("Adjusted"))


def test_a_loaded_notice_makes_its_year_official_with_its_names(db) -> None:
    CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕")
    for day in ("2027-02-06", "2027-02-07", "2027-02-08"):
        CalendarDay.objects.create(date=D(day), kind=DayKind.HOLIDAY, name="春节", notice_year=2027)
    CalendarDay.objects.create(date=D("2027-02-20"), kind=DayKind.WORKDAY, name="春节", notice_year=2027)
    found = events(parse(browser().get("/calendar.ics?year=2027")))
    assert (found["holiday-2027-02-06@shixian"]["first"], found["holiday-2027-02-06@shixian"]["last"]) == (
        D("2027-02-06"),
        D("2027-02-08"),
    )
    assert found["workday-2027-02-20@shixian"]["summary"] == "Adjusted working day · 春节"
    assert "holiday-2027-01-01@shixian" not in found, "an official year has only its notice's days"


def test_the_year_defaults_to_this_year_and_a_bad_one_is_a_400(db, now) -> None:
    now(TODAY)
    response = browser().get("/calendar.ics")
    assert str(parse(response)["x-wr-calname"]) == "Working-day calendar 2026"
    assert 'filename="working-days-2026.ics"' in response["Content-Disposition"]
    for bad in ("abc", "2003", "2101", "2026.5", "-1"):
        response = browser().get(f"/calendar.ics?year={bad}")
        assert response.status_code == 400, bad
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response.content.decode() == "year must be a whole number from 2004 to 2100"


def test_an_administrator_sees_feeds_without_their_hash_and_can_revoke_one(cast: Cast) -> None:
    from django.contrib.admin import helpers

    token = make_feed(browser(cast.olga))
    feed = CalendarFeed.objects.get()
    cast.root.is_staff = cast.root.is_superuser = True
    cast.root.save(update_fields=["is_staff", "is_superuser"])
    client = browser(cast.root)
    page = client.get(f"/admin/approvals/calendarfeed/{feed.pk}/change/").content.decode()
    assert feed.token_hash not in page and token not in page
    assert client.get("/admin/approvals/calendarfeed/add/").status_code == 403
    response = client.post(
        "/admin/approvals/calendarfeed/",
        {"action": "revoke", helpers.ACTION_CHECKBOX_NAME: [feed.pk]},
        follow=True,
    )
    assert "1 calendar feed revoked." in response.content.decode()
    assert browser().get(f"/feeds/{token}.ics").status_code == 404


def test_the_holiday_calendar_page_links_each_years_calendar_file(cast: Cast, now) -> None:
    now(TODAY)
    page = browser(cast.root).get("/calendar/").content.decode()
    assert 'href="/calendar.ics?year=2026"' in page and 'href="/calendar.ics?year=2027"' in page
    feeds_page = browser(cast.olga).get("/feeds/").content.decode()
    assert 'href="/calendar.ics?year=2026"' in feeds_page

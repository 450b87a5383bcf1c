"""The manager's dashboard: levels, extension requests, bad ratings, cases per officer and the
performance figures, each checked against a small set whose answers are worked out by hand.

Every case is made through approvals.workflow with pinned dates; "today" is Wed 2026-04-15
(Qingming: Sat 4 - Mon 6 April 2026 are rest days, every other day of March and April from Monday
to Friday is a working day).
"""

from __future__ import annotations

import re
from datetime import date
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals import workflow
from approvals.calendar import WorkCalendar
from approvals.models import OPEN_STATES, Application, Procedure, Rating
from approvals.reports import working_days_used
from approvals.selectors import dashboard as dashboard_selector
from approvals.selectors.scope import Scope
from tests.cast import Cast, browser

D = date.fromisoformat
TODAY = D("2026-04-15")
LICENCE, NUMBERS, FILING = Procedure.TELECOM_LICENCE, Procedure.NUMBER_RESOURCE, Procedure.WEBSITE_FILING


@pytest.fixture
def today(now) -> date:
    now(TODAY)
    return TODAY


def deny(app: Application, on: date) -> Application:
    return workflow.deny(app.pk, app.officer, "不符合条件", "可申请行政复议", on=on)


def grant(app: Application, on: date) -> Application:
    return workflow.grant(app.pk, app.officer, on=on)


def numbers(html: str) -> str:
    """The page's text, for assertions that should not depend on markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- levels ------------------------------------------------------------------------------------------


@pytest.fixture
def levels(cast: Cast, today: date) -> dict[str, Application]:
    """One case per level in licensing (Mia's department) and an overdue filing in internet (Max's)."""
    cases = {
        # 10 WD from Tue 04-14: due 04-28.
        "green": cast.under_review(NUMBERS, received=D("2026-04-13"), accepted=D("2026-04-14")),
        # 10 WD from Wed 04-01: due Thu 04-16, one working day left (yellow at 2 or fewer).
        "yellow": cast.under_review(NUMBERS, received=D("2026-03-31"), accepted=D("2026-04-01")),
        # Received Wed 04-08, not accepted: the 5-day acceptance clock is due today (yellow at 1).
        "yellow_acceptance": cast.received(LICENCE, on=D("2026-04-08")),
        # 10 WD from Wed 03-25: due Thu 04-09, statutory 20 WD: 04-23; overdue by 4 (04-10, 13, 14, 15).
        "red": cast.under_review(NUMBERS, received=D("2026-03-24"), accepted=D("2026-03-25")),
        # 26 WD from Tue 03-03: due Thu 04-09; statutory 60 calendar days from receipt: not yet.
        "red_licence": cast.under_review(LICENCE, received=D("2026-03-02"), accepted=D("2026-03-03")),
        # 10 WD from Tue 03-03: due Tue 03-17; statutory 20 WD: Tue 03-31, passed.
        "severe": cast.under_review(NUMBERS, received=D("2026-03-02"), accepted=D("2026-03-03")),
        "paused": cast.under_review(NUMBERS, received=D("2026-03-31"), accepted=D("2026-04-01")),
        "closed": cast.under_review(NUMBERS, received=D("2026-03-02"), accepted=D("2026-03-03")),
        # 8 WD from Wed 03-25: due Tue 04-07; statutory 20 WD: 04-23.
        "filing": cast.under_review(FILING, received=D("2026-03-24"), accepted=D("2026-03-25")),
    }
    cast.paused(cases["paused"], on=D("2026-04-02"), until=D("2026-04-30"))
    deny(cases["closed"], D("2026-03-05"))
    return {name: Application.objects.get(pk=app.pk) for name, app in cases.items()}


def test_the_sql_levels_are_those_of_level_on(levels: dict[str, Application]) -> None:
    annotated = {app.pk: app.alert_level for app in Application.objects.with_level(TODAY)}
    for name, app in levels.items():
        assert annotated[app.pk] == app.level_on(TODAY), name
    assert [levels[n].level_on(TODAY) for n in ("green", "yellow", "yellow_acceptance", "red", "severe")] == [
        "green",
        "yellow",
        "yellow",
        "red",
        "severe",
    ]
    assert levels["paused"].level_on(TODAY) == "none"


def test_the_dashboard_counts_open_cases_per_level(cast: Cast, levels: dict[str, Application]) -> None:
    response = browser(cast.mia).get("/dashboard/")
    assert response.status_code == 200
    counts = {item["level"]: item["n"] for item in response.context["levels"]}
    assert counts == {"yellow": 2, "red": 2, "severe": 1}
    assert response.context["open_total"] == 7  # green, 2 yellow, 2 red, severe, paused; not the closed one
    html = response.content.decode()
    for level in ("yellow", "red", "severe"):
        assert f'href="/dashboard/cases/{level}/"' in html

    max_counts = {i["level"]: i["n"] for i in browser(cast.max).get("/dashboard/").context["levels"]}
    assert max_counts == {"yellow": 0, "red": 1, "severe": 0}
    root_counts = {i["level"]: i["n"] for i in browser(cast.root).get("/dashboard/").context["levels"]}
    assert root_counts == {"yellow": 2, "red": 3, "severe": 1}
    internet = browser(cast.root).get(f"/dashboard/?department={cast.internet.pk}")
    assert {i["level"]: i["n"] for i in internet.context["levels"]} == {"yellow": 0, "red": 1, "severe": 0}
    assert f'href="/dashboard/cases/red/?department={cast.internet.pk}"' in internet.content.decode()


def test_the_selector_counts_levels_and_each_officers_load_in_one_query(
    cast: Cast, levels: dict[str, Application]
) -> None:
    """approvals.selectors.dashboard.loads: one grouped query, whose levels are level_on's and
    whose loads add up to them."""
    licensing = Scope(department=cast.licensing)
    with CaptureQueriesContext(connection) as queries:
        by_level, loads = dashboard_selector.loads(licensing, TODAY)
    assert len(queries) == 1
    open_cases = [a for a in levels.values() if a.department_id == cast.licensing.pk and a.state in OPEN_STATES]
    expected: dict[str, int] = {}
    for app in open_cases:
        expected[app.level_on(TODAY)] = expected.get(app.level_on(TODAY), 0) + 1
    assert by_level == expected
    assert sum(load["open"] for load in loads.values()) == len(open_cases) == 7
    assert sum(load["soon"] for load in loads.values()) == by_level["yellow"]
    assert sum(load["overdue"] for load in loads.values()) == by_level["red"] + by_level["severe"]
    rows = dashboard_selector.per_officer(licensing, loads)
    assert [row["overdue"] for row in rows] == sorted((row["overdue"] for row in rows), reverse=True)


def test_a_level_list_shows_its_cases_with_the_working_days_overdue(cast: Cast, levels: dict[str, Application]) -> None:
    red = browser(cast.mia).get("/dashboard/cases/red/")
    assert red.status_code == 200
    assert {app.pk for app in red.context["cases"]} == {levels["red"].pk, levels["red_licence"].pk}
    assert {app.overdue_days for app in red.context["cases"]} == {4}
    page = red.content.decode()
    assert levels["red"].tracking_number in page and f'href="/applications/{levels["red"].pk}/"' in page
    assert levels["red"].organisation.name in page and str(levels["red"].officer) in page
    assert "2026-04-09" in page and "2026-04-23" in page  # due, statutory due

    severe = browser(cast.mia).get("/dashboard/cases/severe/")
    (case,) = severe.context["cases"]
    # Overdue since Tue 03-17: 03-18 to 04-15 holds 20 working days; 10 since the statutory 03-31.
    assert (case.pk, case.overdue_days, case.statutory_overdue_days) == (levels["severe"].pk, 20, 10)
    assert "2026-03-17" in severe.content.decode() and "2026-03-31" in severe.content.decode()

    yellow = browser(cast.mia).get("/dashboard/cases/yellow/")
    assert {a.pk for a in yellow.context["cases"]} == {levels["yellow"].pk, levels["yellow_acceptance"].pk}
    assert "1 working day left" in yellow.content.decode() and "due today" in yellow.content.decode()
    assert browser(cast.mia).get("/dashboard/cases/green/").status_code == 404


# -- who may see it ------------------------------------------------------------------------------


def test_only_managers_and_administrators_get_the_dashboard(cast: Cast, levels: dict[str, Application]) -> None:
    urls = ["/dashboard/", "/dashboard/cases/red/", f"/dashboard/officers/{cast.olga.pk}/"]
    for url in urls:
        for user in (cast.olga, cast.fiona, cast.alice, cast.pat):
            response = browser(user).get(url)
            assert response.status_code == 403, (url, user)
            assert "You are not allowed to do that" in response.content.decode()
        anonymous = browser().get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/?next=")
        assert browser(cast.mia).get(url).status_code == 200
        assert browser(cast.root).get(url).status_code == 200


def test_a_manager_never_sees_another_departments_cases(cast: Cast, levels: dict[str, Application]) -> None:
    licensing = [app.tracking_number for name, app in levels.items() if name != "filing"]
    filing = levels["filing"].tracking_number
    max_ = browser(cast.max)
    for url in ["/dashboard/", "/dashboard/cases/yellow/", "/dashboard/cases/red/", "/dashboard/cases/severe/"]:
        page = max_.get(url).content.decode()
        assert not [number for number in licensing if number in page], url
        assert "Olga" not in page and "Oscar" not in page
    assert filing in max_.get("/dashboard/cases/red/").content.decode()
    assert max_.get(f"/dashboard/officers/{cast.olga.pk}/").status_code == 404
    assert max_.get(f"/dashboard/?department={cast.licensing.pk}").context["levels"][1]["n"] == 1  # ignored
    assert filing not in browser(cast.mia).get("/dashboard/cases/red/").content.decode()


# -- cases per officer ----------------------------------------------------------------------------


def test_cases_per_officer_lead_to_each_officers_cases(cast: Cast, levels: dict[str, Application]) -> None:
    response = browser(cast.mia).get("/dashboard/")
    rows = {row["officer"].username: row for row in response.context["per_officer"]}
    assert set(rows) == {"olga", "oscar"}
    mine = Application.objects.open().filter(department=cast.licensing)
    for name in ("olga", "oscar"):
        officer = getattr(cast, name)
        cases = [a for a in mine if a.officer_id == officer.pk]
        assert rows[name]["open"] == len(cases)
        assert rows[name]["soon"] == sum(a.level_on(TODAY) == "yellow" for a in cases)
        assert rows[name]["overdue"] == sum(a.level_on(TODAY) in ("red", "severe") for a in cases)
    assert sum(r["open"] for r in rows.values()) == 7
    assert f'href="/dashboard/officers/{cast.olga.pk}/"' in response.content.decode()

    page = browser(cast.mia).get(f"/dashboard/officers/{cast.olga.pk}/")
    listed = [a.pk for a in page.context["cases"]]
    assert sorted(listed) == sorted(a.pk for a in mine if a.officer_id == cast.olga.pk)
    urgency = ["severe", "red", "yellow", "green", "none"]
    assert [urgency.index(a.standing.level) for a in page.context["cases"]] == sorted(
        urgency.index(a.standing.level) for a in page.context["cases"]
    )
    for pk in listed:
        assert f'href="/applications/{pk}/"' in page.content.decode()
    assert browser(cast.mia).get(f"/dashboard/officers/{cast.fiona.pk}/").status_code == 404
    assert browser(cast.mia).get(f"/dashboard/officers/{cast.mia.pk}/").status_code == 404
    assert browser(cast.root).get(f"/dashboard/officers/{cast.fiona.pk}/").status_code == 200


# -- extension requests ----------------------------------------------------------------------------


@pytest.fixture
def requested(cast: Cast, today: date) -> list[Application]:
    """Two requests of 3 working days on number-resource cases accepted Wed 04-08 (due Wed 04-22)."""
    apps = []
    for _ in range(2):
        app = cast.under_review(NUMBERS, received=D("2026-04-07"), accepted=D("2026-04-08"))
        apps.append(workflow.request_extension(app.pk, app.officer, 3, "需要专家论证", on=D("2026-04-09")))
    return apps


def test_an_extension_is_approved_from_the_dashboards_form(cast: Cast, requested: list[Application]) -> None:
    app = requested[0]
    mia = browser(cast.mia)
    page = mia.get("/dashboard/").content.decode()
    assert f'action="/applications/{app.pk}/do/approve_extension/"' in page
    assert f'action="/applications/{app.pk}/do/reject_extension/"' in page
    assert 'name="approve_extension-note"' in page and 'name="reject_extension-note"' in page
    assert f'id="id_{app.pk}_approve_extension-note"' in page  # one id per case
    assert "需要专家论证" in numbers(page) and "2026-04-22 → 2026-04-27" in numbers(page)

    response = mia.post(f"/applications/{app.pk}/do/approve_extension/", {"approve_extension-note": "同意"})
    assert response.status_code == 302 and response["Location"] == f"/applications/{app.pk}/"
    app.refresh_from_db()
    assert (app.extension_state, app.extension_days, app.due_date) == ("approved", 3, D("2026-04-27"))
    assert [a.pk for a in mia.get("/dashboard/").context["extensions"]] == [requested[1].pk]


def test_an_extension_is_rejected_from_the_dashboard_only_with_a_reason(
    cast: Cast, requested: list[Application]
) -> None:
    app = requested[1]
    mia = browser(cast.mia)
    assert mia.post(f"/applications/{app.pk}/do/reject_extension/", {"reject_extension-note": ""}).status_code == 400
    app.refresh_from_db()
    assert app.extension_state == "requested"
    response = mia.post(f"/applications/{app.pk}/do/reject_extension/", {"reject_extension-note": "理由不充分"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert (app.extension_state, app.due_date) == ("rejected", D("2026-04-22"))
    assert [a.pk for a in mia.get("/dashboard/").context["extensions"]] == [requested[0].pk]


def test_the_administrator_sees_requests_but_only_the_departments_manager_decides(
    cast: Cast, requested: list[Application]
) -> None:
    page = browser(cast.root).get("/dashboard/")
    assert [a.pk for a in page.context["extensions"]] == [a.pk for a in requested]
    assert "do/approve_extension/" not in page.content.decode()
    assert "The manager of the case's department decides." in page.content.decode()
    assert browser(cast.max).get("/dashboard/").context["extensions"] == []


# -- bad ratings -----------------------------------------------------------------------------------


def test_bad_ratings_waiting_for_a_follow_up_are_listed_with_their_due_dates(cast: Cast, now) -> None:
    now(D("2026-03-09"))
    cases = [cast.under_review(NUMBERS, received=D("2026-03-02"), accepted=D("2026-03-03")) for _ in range(4)]
    filing = cast.under_review(FILING, received=D("2026-03-02"), accepted=D("2026-03-03"))
    for app in cases:
        deny(app, D("2026-03-05"))
    workflow.refuse_filing(filing.pk, filing.officer, "域名证书已过期", on=D("2026-03-05"))
    late = workflow.rate(cases[0].pk, cast.alice, 1, "太慢了")  # on 03-09: 15 WD → Mon 03-30
    workflow.rate(filing.pk, cast.alice, 2, "不满意")  # internet's
    now(TODAY)
    recent = workflow.rate(cases[1].pk, cast.alice, 2, "")  # on 04-15: 15 WD → Sat 05-09, a working day
    workflow.rate(cases[2].pk, cast.alice, 4, "")  # good: nothing to follow up
    workflow.rate(cases[3].pk, cast.alice, 1, "")
    workflow.follow_up_rating(cases[3].pk, cast.mia, "已电话回访")
    assert (late.follow_up_due, recent.follow_up_due) == (D("2026-03-30"), D("2026-05-09"))

    response = browser(cast.mia).get("/dashboard/")
    listed = response.context["ratings"]
    assert [r.pk for r in listed] == [late.pk, recent.pk]
    assert [r.late for r in listed] == [True, False]
    page = numbers(response.content.decode())
    assert "2026-03-30 overdue" in page and "2026-05-09" in page and "太慢了" in page
    assert f'href="/applications/{cases[0].pk}/"' in response.content.decode()
    assert [r.application_id for r in browser(cast.max).get("/dashboard/").context["ratings"]] == [filing.pk]
    assert Rating.objects.filter(level__lte=2).count() == 4


# -- performance figures ---------------------------------------------------------------------------


def test_working_days_used_is_the_limit_less_the_days_left_at_the_decision(official: WorkCalendar) -> None:
    common = {"clock_start": D("2026-03-03"), "limit": 10, "unit": "working_days", "extension": 0}
    assert working_days_used(official, decided_on=D("2026-03-12"), due_date=D("2026-03-17"), **common) == (7, 10)
    assert working_days_used(official, decided_on=D("2026-03-19"), due_date=D("2026-03-17"), **common) == (12, 10)
    extended = {**common, "extension": 3}
    assert working_days_used(official, decided_on=D("2026-03-20"), due_date=D("2026-03-20"), **extended) == (13, 13)
    # 60 calendar days from Mon 03-02 end on Fri 05-01, a holiday: due Wed 05-06 (May Day, 1-5 May).
    calendar_days = {"clock_start": D("2026-03-02"), "limit": 60, "unit": "calendar_days", "extension": 0}
    allowed = official.working_days_between(D("2026-03-02"), D("2026-05-06")).days
    used = official.working_days_between(D("2026-03-02"), D("2026-04-15")).days
    assert working_days_used(official, decided_on=D("2026-04-15"), due_date=D("2026-05-06"), **calendar_days) == (
        used,
        allowed,
    )


@pytest.fixture
def decided(cast: Cast, today: date) -> dict[str, Application]:
    """Six decided licensing cases, assigned in turn (the officer with fewer open cases, Olga first):

    ===  =========  =======  ========  ========  =========================  ====  =======
    id   procedure  officer  accepted  due       decided                    used  allowed
    ===  =========  =======  ========  ========  =========================  ====  =======
    A    numbers    Olga     03-03     03-17     03-12, 3 WD left            7     10
    B    numbers    Oscar    03-03     03-17     03-19, 2 WD late            12    10
    C    licence    Olga     03-03     04-09     03-31, 6 WD left            20    26
    D    numbers    Oscar    03-03     03-20     03-20 (extension of 3)      13    13
    E    licence    Olga     03-03     04-14     03-31 (paused 03-05..10)    17    26
    G    numbers    Oscar    04-08     04-22     04-14, 6 WD left            4     10
    ===  =========  =======  ========  ========  =========================  ====  =======

    E's pause removes 03-06, 03-09 and 03-10: 20 working days elapsed, 17 used. Also a filing,
    decided late, in the internet department, which licensing's figures must not count.
    """
    a = cast.under_review(NUMBERS, received=D("2026-03-02"), accepted=D("2026-03-03"))
    b = cast.under_review(NUMBERS, received=D("2026-03-02"), accepted=D("2026-03-03"))
    c = cast.under_review(LICENCE, received=D("2026-03-02"), accepted=D("2026-03-03"))
    d = cast.under_review(NUMBERS, received=D("2026-03-02"), accepted=D("2026-03-03"))
    e = cast.under_review(LICENCE, received=D("2026-03-02"), accepted=D("2026-03-03"))
    g = cast.under_review(NUMBERS, received=D("2026-04-07"), accepted=D("2026-04-08"))
    f = cast.under_review(FILING, received=D("2026-03-02"), accepted=D("2026-03-03"))
    assert [x.officer for x in (a, b, c, d, e, g)] == [cast.olga, cast.oscar] * 3

    grant(a, D("2026-03-12"))
    deny(b, D("2026-03-19"))
    grant(c, D("2026-03-31"))
    cast.extended(d, 3, asked=D("2026-03-10"), approved=D("2026-03-11"))
    grant(d, D("2026-03-20"))
    cast.paused(e, on=D("2026-03-05"), until=D("2026-03-10"), ended=D("2026-03-10"))
    grant(e, D("2026-03-31"))
    grant(g, D("2026-04-14"))
    workflow.file(f.pk, f.officer, "皖ICP备2026000001号", on=D("2026-03-17"))  # due 03-13: late
    apps = {name: Application.objects.get(pk=x.pk) for name, x in zip("ABCDEGF", (a, b, c, d, e, g, f), strict=True)}
    assert [apps[x].due_date for x in "ABCDEG"] == [
        D(s) for s in ("2026-03-17", "2026-03-17", "2026-04-09", "2026-03-20", "2026-04-14", "2026-04-22")
    ]
    return apps


def by_label(figures) -> dict:
    return {f.label: (f.decided, f.on_time, f.rate, f.used, f.allowed, f.share, f.share_percent) for f in figures}


def test_the_figures_match_the_hand_computed_answers(cast: Cast, decided: dict[str, Application]) -> None:
    response = browser(cast.mia).get("/dashboard/")
    figures = response.context["figures"]
    assert (figures.start, figures.end) == (D("2025-05-01"), TODAY)  # the last 12 months

    # By procedure: numbers A B D G, 3 of 4 on time; shares 7/10, 12/10, 13/13, 4/10 average 82.5%.
    assert by_label(figures.procedures) == {
        "Telecom number resources": (4, 3, 75, 36, 43, Fraction(33, 40), 83),
        "Value-added telecom business licence": (2, 2, 100, 37, 52, Fraction(37, 52), 71),
    }
    # By officer: Olga A C E (7/10 + 20/26 + 17/26) / 3; Oscar B D G (12/10 + 13/13 + 4/10) / 3.
    assert by_label(figures.officers) == {
        "Olga": (3, 3, 100, 44, 62, (Fraction(7, 10) + Fraction(37, 26)) / 3, 71),
        "Oscar": (3, 2, 67, 29, 33, Fraction(13, 15), 87),
    }
    # By month: March A B C D E, 4 of 5; April G.
    months = by_label(figures.months)
    assert list(months) == [f"2025-{m:02}" for m in range(5, 13)] + [f"2026-{m:02}" for m in range(1, 5)]
    assert months["2026-03"][:5] == (5, 4, 80, 69, 85) and months["2026-03"][6] == 86
    assert months["2026-04"] == (1, 1, 100, 4, 10, Fraction(2, 5), 40)
    assert months["2026-02"] == (0, 0, None, 0, 0, None, None)
    total = figures.total
    assert (total.decided, total.on_time, total.rate, total.late, total.share_percent) == (6, 5, 83, 1, 79)
    assert (total.average_used, total.average_allowed) == (Fraction(73, 6), Fraction(95, 6))

    page = numbers(response.content.decode())
    assert "75% 3 of 4" in page and "83% 9.0 of 10.8 WD" in page and "71% 18.5 of 26.0 WD" in page
    assert "67% 2 of 3" in page and "87% 9.7 of 11.0 WD" in page
    assert 'style="width: 75%"' in response.content.decode()  # the bar
    assert "Working days used = the limit + the approved extension" in page  # the formula, stated


def test_the_figures_follow_the_month_and_the_department(cast: Cast, decided: dict[str, Application]) -> None:
    april = browser(cast.mia).get("/dashboard/?month=2026-04").context["figures"]
    assert (april.start, april.end, april.total.decided, april.total.on_time) == (
        D("2026-04-01"),
        D("2026-04-30"),
        1,
        1,
    )
    assert [m.label for m in april.months] == ["2026-04"]
    internet = browser(cast.max).get("/dashboard/").context["figures"]
    # The filing: 8 WD from 03-03 are due 03-13; filed Tue 03-17, 2 WD late: 10 of 8 used.
    assert by_label(internet.procedures) == {"Website filing (ICP)": (1, 0, 0, 10, 8, Fraction(5, 4), 125)}
    assert [f.label for f in internet.officers] == ["Fiona"]
    everyone = browser(cast.root).get("/dashboard/").context["figures"].total
    assert (everyone.decided, everyone.on_time) == (7, 5)
    bad = browser(cast.mia).get("/dashboard/?month=1999-01")
    assert bad.status_code == 200 and bad.context["figures"].start == D("2025-05-01")


# -- queries ---------------------------------------------------------------------------------------


def add_cases(cast: Cast, n: int) -> None:
    """``n`` of each: a red and a yellow case, a decided case rated badly, an extension request, and
    an overdue filing."""
    for _ in range(n):
        cast.under_review(NUMBERS, received=D("2026-03-24"), accepted=D("2026-03-25"))
        cast.under_review(NUMBERS, received=D("2026-03-31"), accepted=D("2026-04-01"))
        done = cast.under_review(NUMBERS, received=D("2026-03-02"), accepted=D("2026-03-03"))
        deny(done, D("2026-03-19"))
        workflow.rate(done.pk, cast.alice, 1, "太慢了")
        ext = cast.under_review(NUMBERS, received=D("2026-04-07"), accepted=D("2026-04-08"))
        workflow.request_extension(ext.pk, ext.officer, 3, "需要专家论证", on=D("2026-04-09"))
        cast.under_review(FILING, received=D("2026-03-24"), accepted=D("2026-03-25"))


def count_queries(cast: Cast) -> dict[str, int]:
    pages = {
        "mia": (cast.mia, ["/dashboard/", "/dashboard/cases/red/", f"/dashboard/officers/{cast.olga.pk}/"]),
        "root": (cast.root, ["/dashboard/", f"/dashboard/?department={cast.licensing.pk}", "/dashboard/cases/red/"]),
    }
    counts = {}
    for name, (user, urls) in pages.items():
        client = browser(user)
        client.get("/dashboard/")  # the calendar is built once per process: not part of the count
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[f"{name} {url}"] = len(queries)
    return counts


def test_the_pages_run_a_constant_number_of_queries(cast: Cast, today: date) -> None:
    add_cases(cast, 2)
    small = count_queries(cast)
    add_cases(cast, 18)
    large = count_queries(cast)
    assert large == small
    assert max(small.values()) <= 20
    page = browser(cast.mia).get("/dashboard/")
    assert len(page.context["extensions"]) == 20 and len(page.context["ratings"]) == 20
    assert page.context["figures"].total.decided == 20


def test_the_dashboard_speaks_chinese_by_default(cast: Cast, levels: dict[str, Application]) -> None:
    page = browser(cast.mia, "zh-hans").get("/dashboard/").content.decode()
    assert "即将到期" in page and "超期" in page and "法定超期" in page and "承办人" in page


def test_the_counts_are_kept_until_the_workflow_changes_anything(
    cast: Cast, levels: dict[str, Application], now
) -> None:
    """The dashboard's counts are counted once per state of the data (the audit chain's head and
    the day are in their key): a second view reads them, and the charts' HTML, from the cache;
    the next view after any workflow action, or on the next day, counts afresh, so a manager
    never sees counts older than the last action."""
    client = browser(cast.mia)

    def view() -> tuple[dict[str, int], list[str], str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/dashboard/")
        assert response.status_code == 200
        counting = [q["sql"] for q in queries if "GROUP BY" in q["sql"] and "approvals_application" in q["sql"]]
        levels_shown = {item["level"]: item["n"] for item in response.context["levels"]}
        return levels_shown, counting, numbers(response.content.decode())

    first, counted, html = view()
    assert first == {"yellow": 2, "red": 2, "severe": 1}
    assert counted  # the levels and the figures were counted
    assert " 1 of 1 " in html and " 0 of 1 " not in html  # the closed case, decided on time
    again, counted, html_again = view()
    assert (again, counted) == (first, [])  # kept
    assert " 1 of 1 " in html_again

    deny(levels["red"], TODAY)  # an overdue case decided: one red fewer, one late decision more
    after, counted, html = view()
    assert counted
    assert after == {"yellow": 2, "red": 1, "severe": 1}
    assert " 1 of 2 " in html and " 0 of 1 " in html  # the kept charts were rendered again: April late

    now(D("2026-04-16"))  # the next day: the acceptance due on the 15th is overdue now
    client = browser(cast.mia)  # signed in again: yesterday's session has expired
    next_day, counted, _ = view()
    assert counted
    assert next_day == {"yellow": 1, "red": 2, "severe": 1}


def test_a_kept_month_is_counted_again_when_a_decided_case_changes_officer(cast: Cast, today: date) -> None:
    """An ended month's figures are kept (approvals.reports), but a granted case reassigned
    before its certificate is served moves to the other officer's figures at once."""
    from approvals.holidays import work_calendar
    from approvals.reports import Scope, figures

    granted = grant(cast.under_review(NUMBERS, received=D("2026-03-02"), accepted=D("2026-03-03")), D("2026-03-10"))
    scope = Scope(department=cast.licensing)
    calendar = work_calendar()

    def by_officer() -> dict[str, int]:
        counted = figures(scope, D("2026-03-01"), TODAY, calendar, today=TODAY)
        return {figure.label: figure.decided for figure in counted.officers}

    before = by_officer()
    assert before == {str(granted.officer): 1}
    other = cast.oscar if granted.officer_id == cast.olga.pk else cast.olga
    workflow.reassign(granted.pk, cast.mia, other.pk, note="调岗")
    assert by_officer() == {str(other): 1}

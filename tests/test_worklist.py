"""The case officer's worklist: open cases, most urgent first, ordered by the database."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from approvals import workflow
from approvals.holidays import work_calendar
from approvals.models import Application, Procedure
from approvals.selectors import worklist as worklist_selector
from tests.cast import Cast, browser

D = date.fromisoformat
TODAY = D("2026-06-15")  # a Monday; the Dragon Boat Festival is Fri 2026-06-19

# The department's cases, most urgent first, as the worklist must list them on TODAY.
URGENCY_ORDER = [
    "severe_old",  # promised 2026-04-09, statutory 2026-05-06: both passed
    "severe_numbers",  # promised 2026-04-17, statutory 2026-05-06
    "red_numbers",  # promised 2026-06-09 passed, statutory 2026-06-24 not
    "red",  # promised 2026-06-11 passed
    "awaiting_acceptance_late",  # acceptance due today (yellow since 2026-06-12)
    "yellow_numbers",  # due 2026-06-16
    "granted",  # certificate due 2026-06-17
    "yellow",  # due 2026-06-18, an extension requested
    "awaiting_acceptance",  # acceptance due 2026-06-22
    "green",  # due 2026-07-20
    "paused_short",  # paused with fewer working days left ...
    "paused",  # ... than this one
    "correction",  # waiting for the applicant's corrections: no clock runs
]


def rows(response) -> list[tuple[str, str]]:
    """(tracking number, level) of each row of the worklist table, in order."""
    found = re.findall(r'<tr class="level-(\w+)">.*?<strong>(\w+)</strong>', response.content.decode(), re.S)
    return [(number, level) for level, number in found]


def numbers(response) -> list[str]:
    return [number for number, _level in rows(response)]


@pytest.fixture
def cases(cast: Cast, now) -> dict[str, Application]:
    """Cases of every kind, all opened through the workflow at different ages; routing hands
    new licensing cases to olga and oscar in turn. Then TODAY is pinned."""
    now(TODAY)
    c = cast
    made = {
        "severe_old": c.under_review(received=D("2026-03-02"), accepted=D("2026-03-03")),
        "severe_numbers": c.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-04-01"), accepted=D("2026-04-02")),
        "red": c.under_review(received=D("2026-05-06"), accepted=D("2026-05-07")),
        "red_numbers": c.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-05-25"), accepted=D("2026-05-26")),
        "yellow": c.under_review(received=D("2026-05-12"), accepted=D("2026-05-13")),
        "yellow_numbers": c.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-06-01"), accepted=D("2026-06-02")),
        "green": c.under_review(received=D("2026-06-10"), accepted=D("2026-06-11")),
        "awaiting_acceptance": c.received(on=D("2026-06-12")),
        "awaiting_acceptance_late": c.received(on=D("2026-06-08")),
    }
    paused = c.under_review(received=D("2026-05-20"), accepted=D("2026-05-21"))
    made["paused"] = c.paused(paused, basis="行政许可法第四十五条", on=D("2026-06-01"), until=D("2026-07-01"))
    short = c.under_review(received=D("2026-05-06"), accepted=D("2026-05-07"))
    made["paused_short"] = c.paused(
        short, kind="site_check", basis="行政许可法第四十五条", on=D("2026-06-03"), until=D("2026-06-30")
    )
    granted = c.under_review(received=D("2026-05-11"), accepted=D("2026-05-12"))
    made["granted"] = workflow.grant(granted.pk, granted.officer, on=D("2026-06-03"))
    corrected = c.received(on=D("2026-06-08"))
    c.corrected(corrected, asked=D("2026-06-09"), answered=D("2026-06-10"), items="补正营业执照")
    made["correction"] = workflow.request_correction(corrected.pk, corrected.officer, "再补正", on=D("2026-06-11"))
    yellow = made["yellow"]
    made["yellow"] = workflow.request_extension(yellow.pk, yellow.officer, 5, "需要专家论证", on=D("2026-06-12"))
    # Not on the licensing worklist: another department's filing, and cases already closed.
    made["filing"] = c.under_review(Procedure.WEBSITE_FILING, received=D("2026-06-05"), accepted=D("2026-06-08"))
    denied = c.under_review(received=D("2026-05-06"), accepted=D("2026-05-07"))
    made["denied"] = workflow.deny(denied.pk, denied.officer, "不符合条件", "可申请行政复议", on=D("2026-06-12"))
    made["draft"] = c.draft(on=D("2026-06-12"))
    return {name: Application.objects.get(pk=app.pk) for name, app in made.items()}


def test_the_department_is_listed_most_urgent_first(cast: Cast, cases: dict[str, Application]) -> None:
    response = browser(cast.mia).get("/worklist/")
    assert response.status_code == 200
    assert numbers(response) == [cases[name].tracking_number for name in URGENCY_ORDER]
    levels = dict(rows(response))
    for name in URGENCY_ORDER:  # the database's level is Application.level_on's
        app = cases[name]
        expected = app.level_on(TODAY)
        expected = {"none": "paused" if app.clock == "paused" else "none"}.get(expected, expected)
        assert levels[app.tracking_number] == expected, name
    assert [levels[cases[n].tracking_number] for n in ("severe_old", "red", "yellow", "green", "paused")] == [
        "severe",
        "red",
        "yellow",
        "green",
        "paused",
    ]


def test_an_officer_sees_her_own_cases_in_the_same_order(cast: Cast, cases: dict[str, Application]) -> None:
    olga = browser(cast.olga).get("/worklist/")
    hers = [cases[n].tracking_number for n in URGENCY_ORDER if cases[n].officer_id == cast.olga.pk]
    assert numbers(olga) == hers
    assert 0 < len(hers) < len(URGENCY_ORDER)  # routing shared the cases between olga and oscar
    page = olga.content.decode()
    assert "My open cases" in page and '<th scope="col">Case officer</th>' not in page


def test_a_row_shows_what_the_case_waits_for_and_how_long_is_left(cast: Cast, cases: dict[str, Application]) -> None:
    page = browser(cast.mia).get("/worklist/").content.decode()

    def row(name: str) -> str:
        app = cases[name]
        return re.search(rf'<tr class="level-\w+">(?:(?!</tr>).)*?{app.tracking_number}.*?</tr>', page, re.S).group(0)

    red = row("red")
    assert f'href="/applications/{cases["red"].pk}/"' in red
    assert "2026-06-11" in red and "overdue by 2 working days" in red and "decision" in red
    assert "Value-added telecom business licence" in red and cases["red"].organisation.name in red
    assert "past the statutory limit" in row("severe_old")
    assert "due today" in row("awaiting_acceptance_late") and "acceptance" in row("awaiting_acceptance_late")
    assert "2026-06-17" in row("granted") and "certificate service" in row("granted")
    assert "extension of 5 working days requested" in row("yellow")
    paused = row("paused")
    assert "paused: 19 working days left" in paused and "Expert review" in paused
    assert "2 correction notices" in row("correction")
    assert "Olga" in red or "Oscar" in red  # the manager sees whose case it is


def test_the_counts_per_level_come_from_one_aggregate(cast: Cast, cases: dict[str, Application]) -> None:
    page = browser(cast.mia).get("/worklist/").content.decode()
    figures = dict(re.findall(r'class="figure (\w+)"[^>]*><span class="n">(\d+)</span>', page))
    assert figures == {"severe": "2", "red": "2", "yellow": "4", "green": "2", "paused": "2", "none": "1"}
    filtered = browser(cast.mia).get("/worklist/?procedure=number_resource").content.decode()
    figures = dict(re.findall(r'class="figure (\w+)"[^>]*><span class="n">(\d+)</span>', filtered))
    assert figures == {"severe": "1", "red": "1", "yellow": "1", "green": "0", "paused": "0"}


def test_filters_and_search(cast: Cast, cases: dict[str, Application]) -> None:
    mia = browser(cast.mia)

    def listed(query: str) -> list[str]:
        return numbers(mia.get("/worklist/?" + query))

    def expected(*names: str) -> list[str]:
        return [cases[n].tracking_number for n in names]

    assert listed("procedure=number_resource") == expected("severe_numbers", "red_numbers", "yellow_numbers")
    assert listed("state=paused") == expected("paused_short", "paused")
    assert listed("state=received") == expected("awaiting_acceptance_late", "awaiting_acceptance")
    assert listed("level=yellow") == expected("awaiting_acceptance_late", "yellow_numbers", "granted", "yellow")
    assert listed("level=severe") == expected("severe_old", "severe_numbers")
    assert listed("level=paused") == expected("paused_short", "paused")
    assert listed("level=red&procedure=telecom_licence") == expected("red")
    assert listed("q=" + cases["green"].tracking_number[-4:]) == expected("green")
    assert listed("q=" + cases["green"].tracking_number.lower()) == expected("green")
    assert listed("q=云端网络") == [cases[n].tracking_number for n in URGENCY_ORDER]  # acme's name
    assert listed("q=星河") == []
    assert listed(f"officer={cast.oscar.pk}") == [
        cases[n].tracking_number for n in URGENCY_ORDER if cases[n].officer_id == cast.oscar.pk
    ]
    # A value that is not a choice is not applied (and breaks nothing).
    assert listed("level=purple&state=denied&procedure=x") == expected(*URGENCY_ORDER)
    empty = mia.get("/worklist/?q=星河").content.decode()
    assert "No open case matches these filters." in empty and "Nothing open." not in empty


def test_a_search_finds_another_applicants_case(cast: Cast, cases: dict[str, Application], now) -> None:
    draft = workflow.create_application(cast.bob, Procedure.TELECOM_LICENCE, "IDC", on=D("2026-06-12"))
    from tests.cast import pdf

    workflow.add_material(draft.pk, cast.bob, pdf(), on=D("2026-06-12"))
    rival = workflow.submit(draft.pk, cast.bob, on=D("2026-06-12"))
    assert numbers(browser(cast.mia).get("/worklist/?q=星河")) == [rival.tracking_number]


def test_pages_follow_the_same_order(cast: Cast, cases: dict[str, Application], monkeypatch) -> None:
    monkeypatch.setattr(worklist_selector, "PAGE_SIZE", 5)
    mia = browser(cast.mia)
    pages = [numbers(mia.get(f"/worklist/?page={n}")) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [5, 5, 3]
    assert [n for p in pages for n in p] == [cases[name].tracking_number for name in URGENCY_ORDER]
    assert numbers(mia.get("/worklist/?page=99")) == pages[-1]  # past the end: the last page
    link = browser(cast.mia).get("/worklist/?procedure=telecom_licence").content.decode()
    assert "procedure=telecom_licence&amp;page=2" in link  # the filters stay on the next page's link


def test_the_page_runs_the_same_queries_for_3_and_30_cases(cast: Cast, now) -> None:
    now(TODAY)
    people = [("olga", browser(cast.olga)), ("mia", browser(cast.mia))]
    urls = ("/worklist/", "/worklist/?level=red", "/worklist/?scope=department&procedure=telecom_licence")

    def open_cases(n: int) -> None:
        for i in range(n):
            day = D("2026-05-04") if i % 3 == 0 else D("2026-06-01") if i % 3 == 1 else D("2026-06-10")
            app = cast.under_review(Procedure.NUMBER_RESOURCE if i % 2 else Procedure.TELECOM_LICENCE, day, day)
            if i % 5 == 0 and i % 3:  # not the May cases: their limit has run out (an extension comes before)
                workflow.request_extension(app.pk, app.officer, 3, "需要核实", on=TODAY)
            if i % 7 == 3:
                cast.paused(app, kind="testing", basis="检测", on=TODAY, until=TODAY)

    def count(client: Client, url: str) -> int:
        client.get(url)  # the calendar's cache is warm from here on
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    open_cases(3)
    few = {(who, url): count(client, url) for who, client in people for url in urls}
    open_cases(27)
    assert len(numbers(browser(cast.mia).get("/worklist/"))) == 30
    many = {(who, url): count(client, url) for who, client in people for url in urls}
    assert many == few
    assert max(many.values()) <= 12


def test_the_selector_lists_most_urgent_first_in_four_queries_whatever_the_filters(
    cast: Cast, cases: dict[str, Application]
) -> None:
    """approvals.selectors.worklist on its own: the counts per level (every filter but the level)
    agree with each row's level as approvals.clocks reads it, and a page takes four queries (the
    counts, the page's ids, its rows, their running pauses), filtered or not."""
    calendar = work_calendar()
    Filters = worklist_selector.Filters

    def listed(filters: Filters, mine: bool = False) -> tuple[worklist_selector.Worklist, int]:
        with CaptureQueriesContext(connection) as queries:
            found = worklist_selector.worklist(cast.mia, filters, mine=mine, page=1, today=TODAY, calendar=calendar)
        return found, len(queries)

    def tally(apps: list[Application]) -> dict[str, int]:
        shown: dict[str, int] = {}
        for app in apps:
            shown[app.urgency] = shown.get(app.urgency, 0) + 1
        return shown

    everything, n = listed(Filters())
    assert [app.tracking_number for app in everything.page] == [cases[name].tracking_number for name in URGENCY_ORDER]
    assert {level: k for level, k in everything.counts.items() if k} == tally(everything.page)
    assert n == 4
    red, n = listed(Filters(level="red", procedure=Procedure.TELECOM_LICENCE, search="XK"))
    assert [app.tracking_number for app in red.page] == [cases["red"].tracking_number]
    licences = [app for app in everything.page if app.procedure == Procedure.TELECOM_LICENCE]
    assert {level: k for level, k in red.counts.items() if k} == tally(licences)
    assert n == 4
    nobody, n = listed(Filters(officer="none"))
    assert list(nobody.page) == [] and sum(nobody.counts.values()) == 0 and n <= 4


def test_an_officer_never_sees_another_departments_cases(cast: Cast, cases: dict[str, Application]) -> None:
    filing = cases["filing"].tracking_number
    licensing = {cases[n].tracking_number for n in URGENCY_ORDER}
    mine = browser(cast.olga).get("/worklist/")
    department = browser(cast.olga).get("/worklist/?scope=department")
    assert set(numbers(department)) == licensing and filing not in numbers(mine)
    assert "Case officer" in department.content.decode()
    # Her filter cannot reach a colleague's cases in "mine", nor another department's anywhere.
    assert numbers(browser(cast.olga).get(f"/worklist/?officer={cast.oscar.pk}")) == numbers(mine)
    assert numbers(browser(cast.olga).get(f"/worklist/?scope=department&officer={cast.fiona.pk}")) == numbers(
        department
    )
    assert numbers(browser(cast.fiona).get("/worklist/")) == [filing]
    assert numbers(browser(cast.fiona).get("/worklist/?scope=department")) == [filing]
    assert numbers(browser(cast.max).get("/worklist/")) == [filing]
    assert filing not in numbers(browser(cast.mia).get("/worklist/"))


def test_a_colleagues_case_opens_read_only(cast: Cast, cases: dict[str, Application]) -> None:
    theirs = next(
        cases[n] for n in URGENCY_ORDER if cases[n].officer_id == cast.oscar.pk and cases[n].state == "under_review"
    )
    olga = browser(cast.olga)
    assert theirs.tracking_number in numbers(olga.get("/worklist/?scope=department"))
    page = olga.get(f"/applications/{theirs.pk}/")
    assert page.status_code == 200 and "What you can do" not in page.content.decode()


def test_a_manager_sees_the_department_with_an_officer_filter(cast: Cast, cases: dict[str, Application]) -> None:
    page = browser(cast.mia).get("/worklist/").content.decode()
    assert "Open cases of 信息通信管理处" in page and 'name="officer"' in page
    assert "?scope=mine" not in page  # a manager has no "mine"
    assert numbers(browser(cast.mia).get("/worklist/?scope=mine")) == numbers(browser(cast.mia).get("/worklist/"))
    unassigned = numbers(browser(cast.mia).get("/worklist/?officer=none"))
    assert unassigned == []


def test_nothing_open_says_so(cast: Cast, now) -> None:
    now(TODAY)
    page = browser(cast.olga).get("/worklist/").content.decode()
    assert "Nothing open." in page and "<table" not in page


def test_applicants_and_providers_are_refused_and_visitors_sign_in(cast: Cast) -> None:
    for user in (cast.alice, cast.pat):
        response = browser(user).get("/worklist/")
        assert response.status_code == 403 and "You are not allowed" in response.content.decode()
    response = Client().get("/worklist/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/worklist/"


def test_an_administrator_sees_every_open_case(cast: Cast, cases: dict[str, Application]) -> None:
    listed = numbers(browser(cast.root).get("/worklist/"))
    assert set(listed) == {cases[n].tracking_number for n in [*URGENCY_ORDER, "filing"]}


def test_the_page_is_chinese_by_default(cast: Cast, cases: dict[str, Application]) -> None:
    page = browser(cast.olga, "zh-hans").get("/worklist/").content.decode()
    assert '<html lang="zh-hans">' in page and "审查中" in page  # the status badge, translated


def test_the_page_is_kept_until_the_workflow_changes_anything(cast: Cast, cases: dict[str, Application]) -> None:
    """The counts and the table are kept per user and query (approvals.kept): a second view
    counts nothing, a colleague gets their own page, and the next view after any workflow
    action shows it."""
    mia = browser(cast.mia)

    def view(client: Client, url: str = "/worklist/") -> tuple[list[str], list[str]]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counting = [q["sql"] for q in queries if "GROUP BY" in q["sql"]]
        return numbers(response), counting

    first, counted = view(mia)
    assert first == [cases[name].tracking_number for name in URGENCY_ORDER]
    assert counted
    again, counted = view(mia)
    assert (again, counted) == (first, [])  # kept
    filtered, counted = view(mia, "/worklist/?level=red")
    assert counted and filtered == [cases["red_numbers"].tracking_number, cases["red"].tracking_number]

    olga = browser(cast.olga)  # another user: her own cases, not Mia's page
    mine, counted = view(olga)
    assert counted and set(mine) < set(first)
    assert all(Application.objects.get(tracking_number=n).officer_id == cast.olga.pk for n in mine)

    red = cases["red"]
    workflow.deny(red.pk, red.officer, "不符合条件", "可申请行政复议", on=TODAY)
    after, counted = view(mia)
    assert counted
    assert after == [n for n in first if n != red.tracking_number]

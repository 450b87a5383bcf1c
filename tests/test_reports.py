"""The monthly on-time report: the function, the page, the CSV, the XLSX, the API and the public
publication, each checked against a small set whose answers are worked out by hand.

Every case is made through approvals.workflow with pinned dates. The calendar (State Council 2026):
Spring Festival rest days Sun 15 - Mon 23 February, Saturdays 14 and 28 February are working days;
every Monday to Friday of March is a working day; Qingming: Sat 4 - Mon 6 April are rest days.
"Today" is Wed 2026-04-15, so the last month that has ended is March 2026.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.test import APIClient

from approvals import workflow
from approvals.holidays import work_calendar
from approvals.models import Application, Procedure
from approvals.reports import (
    COLUMNS,
    NotBegun,
    begun_month,
    monthly_report,
    nearest_rank,
    parse_month,
)
from approvals.selectors.publication import published_reports
from approvals.selectors.scope import Scope, scope_for
from tests.cast import Cast, browser

D = date.fromisoformat
TODAY = D("2026-04-15")
MARCH = D("2026-03-01")
LICENCE, NUMBERS, FILING = Procedure.TELECOM_LICENCE, Procedure.NUMBER_RESOURCE, Procedure.WEBSITE_FILING
KEYS = [c.key for c in COLUMNS]


def label(procedure: str) -> str:
    """A row's label in the test's language (English)."""
    return str(Procedure(procedure).label) if procedure else "All procedures"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def api(user) -> APIClient:
    from tests.api import api as api_client

    return api_client(user)


@pytest.fixture
def decided(cast: Cast, now) -> dict[str, Application]:
    """Seven cases decided in March 2026 (the licence's promised limit is 26 working days, number
    resources' 10, filings' 8), and some that the March report must leave out.

    ====  ========  ========  =====================================  ========  ====  =========
    id    received  accepted  what happened                          decided   used  due
    ====  ========  ========  =====================================  ========  ====  =========
    L1    03-02     03-06     corrections asked 03-03 and again      03-13     5     04-14
                              03-05 (answered 03-04, 03-06):         granted
                              accepted 03-09, counts from 03-06
    L2    03-02     03-03     special procedure 03-05..03-10         03-20     10    04-14
                              (03-06, 03-09, 03-10 not counted)      denied
    L3    03-02     03-02     nobody answered in 5 WD (due 03-09):   03-30     20    04-15
                              deemed accepted 03-10 as of receipt;   granted         (26 + 5)
                              extension of 5 WD approved 03-12
    L4    02-10     02-11     Spring Festival in between             03-31     30    03-25
                                                                     granted         4 WD late
    N1    02-24     02-25     statutory 20 WD: due 03-24             03-26     22    03-10
                                                                     denied          12 WD late
    N2    03-02     03-03                                            03-12     7     03-17
                                                                     granted
    F1    03-02     03-03     (filing: reaches the administration)   03-11     6     03-13
                                                                     filed
    ====  ========  ========  =====================================  ========  ====  =========

    Licence: 4 decided, 3 on time (75.0%), working days 5, 10, 20, 30: average 16.25, 90th
    percentile (nearest rank ⌈0.9 × 4⌉ = 4th) 30; one extension, one special procedure, one
    repeated correction notice, one deemed acceptance. L4's statutory 60 calendar days from
    receipt end Sat 04-11, moved to Mon 04-13: not breached.
    Numbers: 2 decided, 1 on time (50.0%), 7 and 22: average 14.50, p90 (2nd of 2) 22; N1 is past
    its statutory date. Filing: 1 decided, on time, 6 working days.
    Ratings given in March (on 03-31): L1 5, L2 2 (bad), F1 4. L4's rating of 1 is given in April.
    Left out of March: a licence decided in February (G), one refused acceptance (R), one withdrawn
    (W), one still under review (O).
    """
    now(D("2026-03-31"))
    l1 = cast.received(LICENCE, on=D("2026-03-02"))
    cast.corrected(l1, asked=D("2026-03-03"), answered=D("2026-03-04"), items="1. 营业执照副本", note="已补充")
    cast.corrected(l1, asked=D("2026-03-05"), answered=D("2026-03-06"), items="2. 公章", note="已盖章")  # flagged
    workflow.accept(l1.pk, l1.officer, on=D("2026-03-09"))
    workflow.grant(l1.pk, l1.officer, on=D("2026-03-13"))
    workflow.serve_certificate(l1.pk, l1.officer, "B2-20260001", on=D("2026-03-16"))

    l2 = cast.under_review(LICENCE, received=D("2026-03-02"), accepted=D("2026-03-03"))
    cast.paused(l2, on=D("2026-03-05"), until=D("2026-03-10"), ended=D("2026-03-10"))
    workflow.deny(l2.pk, l2.officer, "不符合条件", "可申请行政复议", on=D("2026-03-20"))

    l3 = cast.received(LICENCE, on=D("2026-03-02"))
    workflow.deem_accepted(l3.pk, on=D("2026-03-10"))
    l3 = Application.objects.get(pk=l3.pk)
    cast.extended(l3, 5, asked=D("2026-03-11"), approved=D("2026-03-12"))
    workflow.grant(l3.pk, l3.officer, on=D("2026-03-30"))

    l4 = cast.under_review(LICENCE, received=D("2026-02-10"), accepted=D("2026-02-11"))
    workflow.grant(l4.pk, l4.officer, on=D("2026-03-31"))

    n1 = cast.under_review(NUMBERS, received=D("2026-02-24"), accepted=D("2026-02-25"))
    workflow.deny(n1.pk, n1.officer, "号码资源不足", "可申请行政复议", on=D("2026-03-26"))
    n2 = cast.under_review(NUMBERS, received=D("2026-03-02"), accepted=D("2026-03-03"))
    workflow.grant(n2.pk, n2.officer, on=D("2026-03-12"))
    f1 = cast.under_review(FILING, received=D("2026-03-02"), accepted=D("2026-03-03"))
    workflow.file(f1.pk, f1.officer, "皖ICP备2026000001号", on=D("2026-03-11"))

    g = cast.under_review(LICENCE, received=D("2026-02-02"), accepted=D("2026-02-03"))
    workflow.deny(g.pk, g.officer, "不符合条件", "可申请行政复议", on=D("2026-02-27"))
    r = cast.received(LICENCE, on=D("2026-03-02"))
    workflow.refuse_to_accept(r.pk, r.officer, "不属于本机关职权范围", on=D("2026-03-04"))
    w = cast.received(NUMBERS, on=D("2026-03-02"))
    workflow.withdraw(w.pk, cast.alice, "不再需要", on=D("2026-03-03"))
    o = cast.under_review(LICENCE, received=D("2026-03-16"), accepted=D("2026-03-17"))

    workflow.rate(l1.pk, cast.alice, 5, "很快")
    workflow.rate(l2.pk, cast.alice, 2, "理由不清楚")
    workflow.rate(f1.pk, cast.alice, 4, "")
    now(TODAY)
    workflow.serve_certificate(l4.pk, l4.officer, "B2-20260002", on=D("2026-04-01"))
    workflow.rate(l4.pk, cast.alice, 1, "太慢了")  # April's

    apps = {
        name: Application.objects.get(pk=app.pk)
        for name, app in dict(L1=l1, L2=l2, L3=l3, L4=l4, N1=n1, N2=n2, F1=f1, G=g, R=r, W=w, O=o).items()
    }
    # The due dates of the table above, as the workflow stored them.
    assert {name: apps[name].due_date for name in ("L1", "L2", "L3", "L4", "N1", "N2", "F1")} == {
        "L1": D("2026-04-14"),
        "L2": D("2026-04-14"),
        "L3": D("2026-04-15"),
        "L4": D("2026-03-25"),
        "N1": D("2026-03-10"),
        "N2": D("2026-03-17"),
        "F1": D("2026-03-13"),
    }
    assert (apps["N1"].statutory_due, apps["L4"].statutory_due) == (D("2026-03-24"), D("2026-04-13"))
    assert (apps["L1"].correction_notices, apps["L3"].deemed_accepted, apps["L3"].extension_days) == (2, True, 5)
    return apps


# The March figures, in the order of COLUMNS: decided, on time, on time %, late, statutory breaches,
# average and 90th percentile of working days used, limit, extensions, special procedures,
# repeated correction notices, deemed acceptances, ratings, average rating, bad ratings.
MARCH_ALL = {
    LICENCE: [4, 3, Decimal("75.0"), 1, 0, Decimal("16.25"), 30, 26, 1, 1, 1, 1, 2, Decimal("3.50"), 1],
    NUMBERS: [2, 1, Decimal("50.0"), 1, 1, Decimal("14.50"), 22, 10, 0, 0, 0, 0, 0, None, 0],
    FILING: [1, 1, Decimal("100.0"), 0, 0, Decimal("6.00"), 6, 8, 0, 0, 0, 0, 1, Decimal("4.00"), 0],
    # 5 of 7 = 71.43%; (5 + 10 + 20 + 30 + 22 + 7 + 6) / 7 = 100 / 7 = 14.29; the 7th of 7 is 30;
    # ratings (5 + 2 + 4) / 3 = 3.67.
    "": [7, 5, Decimal("71.4"), 2, 1, Decimal("14.29"), 30, None, 1, 1, 1, 1, 3, Decimal("3.67"), 1],
}
# Mia's department (licensing: licences and number resources): 4 of 6 on time, 94 / 6 = 15.67.
MARCH_LICENSING_TOTAL = [6, 4, Decimal("66.7"), 2, 1, Decimal("15.67"), 30, None, 1, 1, 1, 1, 2, Decimal("3.50"), 1]


def figures_of(report) -> dict[str, list]:
    return {row.procedure: [row.value(key) for key in KEYS] for row in report.all_rows}


# -- the arithmetic ----------------------------------------------------------------------------------


def test_the_percentile_is_the_nearest_rank() -> None:
    assert nearest_rank([30, 5, 20, 10], 90) == 30  # ⌈3.6⌉ = 4th
    assert nearest_rank([5, 10, 20, 30], 50) == 10  # ⌈2⌉ = 2nd
    assert nearest_rank(list(range(1, 11)), 90) == 9  # ⌈9⌉ = 9th of 10
    assert nearest_rank(list(range(1, 12)), 90) == 10  # ⌈9.9⌉ = 10th of 11
    assert nearest_rank([7], 90) == 7
    assert nearest_rank([], 90) is None
    with pytest.raises(ValueError):
        nearest_rank([1], 0)


def test_a_month_is_written_yyyy_mm() -> None:
    assert parse_month("2026-03") == MARCH
    for bad in ("2026-13", "2026-00", "2026-3", "03-2026", "march", "", "2026-03-01", "２０２６-03"):
        with pytest.raises(ValueError):
            parse_month(bad)


def test_a_month_to_report_must_have_begun() -> None:
    assert begun_month("2026-04", TODAY) == D("2026-04-01") and begun_month("2026-03", TODAY) == MARCH
    with pytest.raises(NotBegun):
        begun_month("2026-05", TODAY)
    with pytest.raises(ValueError) as refused:
        begun_month("2026-13", TODAY)
    assert not isinstance(refused.value, NotBegun)  # not a month at all: the other message


# -- the function --------------------------------------------------------------------------------------


def test_the_report_matches_the_hand_computed_answers(cast: Cast, decided: dict[str, Application]) -> None:
    report = monthly_report(Scope.everything(), MARCH, work_calendar())
    assert (report.month, report.end, report.key) == (MARCH, D("2026-03-31"), "2026-03")
    assert [row.procedure for row in report.rows] == [LICENCE, NUMBERS, FILING]
    assert figures_of(report) == MARCH_ALL
    licence = report.rows[0]
    assert sorted(licence.used) == [5, 10, 20, 30]
    assert (licence.label, report.total.label) == (label(LICENCE), "All procedures")


def test_a_manager_s_report_counts_their_department_only(cast: Cast, decided: dict[str, Application]) -> None:
    report = monthly_report(scope_for(cast.mia), MARCH, work_calendar())
    figures = figures_of(report)
    assert figures[LICENCE] == MARCH_ALL[LICENCE] and figures[NUMBERS] == MARCH_ALL[NUMBERS]
    assert figures[FILING] == [0, 0, None, 0, 0, None, None, 8, 0, 0, 0, 0, 0, None, 0]
    assert figures[""] == MARCH_LICENSING_TOTAL
    internet = figures_of(monthly_report(scope_for(cast.max), MARCH, work_calendar()))
    assert internet[""][:3] == [1, 1, Decimal("100.0")]
    chosen = figures_of(monthly_report(scope_for(cast.root, str(cast.internet.pk)), MARCH, work_calendar()))
    assert chosen == internet


def test_other_months_count_their_own_decisions_and_ratings(cast: Cast, decided: dict[str, Application]) -> None:
    february = monthly_report(Scope.everything(), D("2026-02-01"), work_calendar())
    # G: accepted Tue 02-03, denied Fri 02-27: 02-04..02-14 (the 14th a working Saturday) are 9
    # working days, 02-24..02-27 four more: 13 used of 26.
    assert figures_of(february)[LICENCE][:8] == [1, 1, Decimal("100.0"), 0, 0, Decimal("13.00"), 13, 26]
    april = monthly_report(Scope.everything(), D("2026-04-01"), work_calendar())
    assert april.total.decided == 0 and april.total.on_time_rate is None and april.total.average_used is None
    assert (april.total.ratings, april.total.average_rating, april.total.bad_ratings) == (1, Decimal("1.00"), 1)


def test_only_managers_and_administrators_have_a_scope(cast: Cast) -> None:
    for user in (cast.alice, cast.olga, cast.pat, AnonymousUser()):
        assert scope_for(user) is None
    assert scope_for(cast.mia).department == cast.licensing
    assert scope_for(cast.root).department is None


# -- the page -------------------------------------------------------------------------------------------


def test_the_page_shows_last_month_by_default(cast: Cast, decided: dict[str, Application]) -> None:
    response = browser(cast.root).get("/reports/")
    assert response.status_code == 200
    assert response.context["report"].key == "2026-03" and response.context["complete"]
    page = text(response.content.decode())
    assert "March 2026" in page and "All departments" in page
    # The table has a line per figure and a column per procedure, then the total.
    for column in COLUMNS:
        expected = [
            "—" if value is None else f"{value}%" if column.kind == "percent" else str(value)
            for value in (MARCH_ALL[p][KEYS.index(column.key)] for p in (LICENCE, NUMBERS, FILING, ""))
        ]
        assert f"{column.label} {' '.join(expected)}" in page, column.key
    assert "Average working days used 16.25 14.50 6.00 14.29" in page
    assert "On time (%) 75.0% 50.0% 100.0% 71.4%" in page
    html = response.content.decode()
    assert 'href="/reports/2026-03.csv"' in html and 'href="/reports/2026-03.xlsx"' in html


def test_the_page_follows_the_month_and_the_department(cast: Cast, decided: dict[str, Application]) -> None:
    mia = browser(cast.mia).get("/reports/?month=2026-03")
    assert mia.context["report"].total.decided == 6
    assert "信息通信管理处" in mia.content.decode()
    february = browser(cast.mia).get("/reports/?month=2026-02")
    assert february.context["report"].total.decided == 1
    april = browser(cast.mia).get("/reports/?month=2026-04")
    assert april.status_code == 200 and not april.context["complete"]
    assert "This month has not ended" in text(april.content.decode())
    old = browser(cast.mia).get("/reports/?month=2021-05")  # older than the picker's list: offered too
    assert old.status_code == 200 and '<option value="2021-05" selected>May 2021</option>' in old.content.decode()
    internet = browser(cast.root).get(f"/reports/?department={cast.internet.pk}&month=2026-03")
    assert internet.context["report"].total.decided == 1
    html = internet.content.decode()
    assert f'href="/reports/2026-03.csv?department={cast.internet.pk}"' in html


def test_a_bad_month_is_refused_with_a_message(cast: Cast, decided: dict[str, Application]) -> None:
    mia = browser(cast.mia)
    bad = mia.get("/reports/?month=2026-13")
    assert bad.status_code == 400
    assert "“2026-13” is not a month: write it as YYYY-MM" in bad.content.decode()
    future = mia.get("/reports/?month=2026-05")
    assert future.status_code == 400 and "2026-05 has not begun" in future.content.decode()
    for url in ("/reports/2026-13.csv", "/reports/march.xlsx", "/reports/2026-05.csv"):
        response = mia.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"].startswith("text/html")
        assert "YYYY-MM" in response.content.decode() or "has not begun" in response.content.decode()


# -- the downloads --------------------------------------------------------------------------------------


def test_the_csv_has_a_bom_a_translated_header_and_the_figures(cast: Cast, decided: dict[str, Application]) -> None:
    response = browser(cast.root).get("/reports/2026-03.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="shixian-report-2026-03.csv"'
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["Procedure", *(str(c.label) for c in COLUMNS)]
    expected = {label(p): ["" if v is None else str(v) for v in values] for p, values in MARCH_ALL.items()}
    assert {row[0]: row[1:] for row in rows[1:]} == expected
    assert expected[label(LICENCE)][:8] == ["4", "3", "75.0", "1", "0", "16.25", "30", "26"]


def test_the_csv_speaks_the_reader_s_language(cast: Cast, decided: dict[str, Application]) -> None:
    body = browser(cast.mia, "zh-hans").get("/reports/2026-03.csv").content.decode("utf-8-sig")
    header, licence = list(csv.reader(io.StringIO(body)))[:2]
    assert header[:2] == ["事项", "已办结"] and licence[:2] == ["增值电信业务经营许可", "4"]


def test_the_xlsx_opens_with_the_same_figures(cast: Cast, decided: dict[str, Application]) -> None:
    response = browser(cast.root).get("/reports/2026-03.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="shixian-report-2026-03.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "2026-03"
    assert sheet["A1"].value == "On-time report, March 2026, All departments" and sheet["A1"].font.bold
    header = [cell.value for cell in sheet[3]]
    assert header == ["Procedure", *(str(c.label) for c in COLUMNS)]
    assert all(cell.font.bold for cell in sheet[3])
    assert sheet.column_dimensions["A"].width == 36 and sheet.column_dimensions["B"].width == 14
    rows = {row[0].value: row[1:] for row in sheet.iter_rows(min_row=4) if row[0].value}
    assert list(rows) == [label(LICENCE), label(NUMBERS), label(FILING), "All procedures"]
    percent = KEYS.index("on_time_rate")
    for procedure, expected in MARCH_ALL.items():
        cells = rows[label(procedure)]
        for index, (cell, value) in enumerate(zip(cells, expected, strict=True)):
            if index == percent:
                # The exact share, shown as a percentage by the cell's format.
                assert cell.number_format == "0.0%"
                assert round(cell.value * 100, 1) == float(value), procedure
            elif value is None:
                assert cell.value is None, (procedure, KEYS[index])
            else:
                assert isinstance(cell.value, int | float) and not isinstance(cell.value, bool)
                assert cell.value == float(value), (procedure, KEYS[index])
    licence = rows[label(LICENCE)]
    assert (licence[0].value, licence[percent].value, licence[KEYS.index("average_used")].value) == (4, 0.75, 16.25)
    assert licence[KEYS.index("average_used")].number_format == "0.00"
    assert all(cell.font.bold for cell in rows["All procedures"])


# -- the API --------------------------------------------------------------------------------------------


def test_the_api_returns_the_same_figures_as_numbers(cast: Cast, decided: dict[str, Application]) -> None:
    response = api(cast.root).get("/api/reports/monthly/?month=2026-03")
    assert response.status_code == 200
    body = response.json()
    assert [body[key] for key in ("month", "start", "end", "complete")] == ["2026-03", "2026-03-01", "2026-03-31", True]
    assert (body["department"], body["department_name"]) == (None, None)
    rows = {row["procedure"]: row for row in [*body["procedures"], body["total"]]}
    for procedure, expected in MARCH_ALL.items():
        got = [rows[procedure][key] for key in KEYS]
        assert got == [None if v is None else float(v) if isinstance(v, Decimal) else v for v in expected]
    assert rows[LICENCE]["on_time_rate"] == 75.0 and rows[LICENCE]["average_used"] == 16.25
    assert rows[LICENCE]["label"] == label(LICENCE)
    mia = api(cast.mia).get("/api/reports/monthly/?month=2026-03").json()
    assert (mia["department"], mia["department_name"]) == (cast.licensing.pk, "信息通信管理处")
    assert mia["total"]["decided"] == 6
    default = api(cast.mia).get("/api/reports/monthly/").json()
    assert default["month"] == "2026-03"
    april = api(cast.mia).get("/api/reports/monthly/?month=2026-04").json()
    assert april["complete"] is False and april["total"]["on_time_rate"] is None and april["total"]["decided"] == 0
    chosen = api(cast.root).get(f"/api/reports/monthly/?month=2026-03&department={cast.internet.pk}").json()
    assert chosen["total"]["decided"] == 1


def test_the_api_refuses_bad_months_and_other_roles(cast: Cast, decided: dict[str, Application]) -> None:
    for month, message in (("2026-13", "is not a month"), ("march", "is not a month"), ("2026-05", "has not begun")):
        response = api(cast.mia).get(f"/api/reports/monthly/?month={month}")
        assert response.status_code == 400
        error = response.json()["error"]
        assert (error["status"], error["code"]) == (400, "invalid") and message in error["fields"]["month"][0]
    unknown = api(cast.root).get("/api/reports/monthly/?department=99999")
    assert unknown.status_code == 400 and "department" in unknown.json()["error"]["fields"]
    for user in (cast.alice, cast.olga, cast.pat):
        response = api(user).get("/api/reports/monthly/?month=2026-03")
        assert response.status_code == 403
        assert response.json()["error"]["message"] == "Reports are for managers and administrators."
    assert api(None).get("/api/reports/monthly/").status_code == 401


def test_the_api_is_in_the_schema(cast: Cast) -> None:
    schema = browser(cast.root).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/reports/monthly/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"month", "department"}


# -- who may see what -----------------------------------------------------------------------------------


def test_officers_and_enterprises_may_not_see_the_reports(cast: Cast, decided: dict[str, Application]) -> None:
    for user in (cast.alice, cast.olga, cast.pat):
        client = browser(user)
        for url in ("/reports/", "/reports/2026-03.csv", "/reports/2026-03.xlsx"):
            assert client.get(url).status_code == 403, (user, url)
        assert 'href="/reports/"' not in client.get("/published/").content.decode()  # not in their menu
    anonymous = browser()
    for url in ("/reports/", "/reports/2026-03.csv", "/reports/2026-03.xlsx"):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/reports/")
    assert 'href="/reports/"' in browser(cast.mia).get("/dashboard/").content.decode()  # the menu


def test_the_publication_is_public_and_names_nobody(cast: Cast, decided: dict[str, Application]) -> None:
    response = browser().get("/published/")
    assert response.status_code == 200
    months = response.context["months"]
    # Months that have ended, newest first, from the first month with a decision: not April.
    assert [m["key"] for m in months] == ["2026-03", "2026-02"]
    page = text(response.content.decode())
    assert "March 2026" in page and "February 2026" in page and "April 2026" not in page
    # Decided, on time %, average working days, promised limit, extensions.
    assert f"{label(LICENCE)} 4 75.0% 16.25 26 1" in page
    assert f"{label(NUMBERS)} 2 50.0% 14.50 10 0" in page
    assert f"{label(FILING)} 1 100.0% 6.00 8 0" in page
    assert "All procedures 7 71.4% 14.29 — 1" in page
    html = response.content.decode()
    people = [cast.acme.name, cast.rival.name, cast.telecom.name, "Olga", "Oscar", "Fiona", "Mia", "Max", "Alice"]
    people += [cast.licensing.name, cast.internet.name, "皖ICP备2026000001号", "B2-20260001"]
    people += [app.tracking_number for app in decided.values()]
    for name in people:
        assert name not in html, name
    assert 'href="/published/"' in html  # in everyone's menu


def test_the_publication_selector_lists_ended_months_newest_first(cast: Cast, decided: dict[str, Application]) -> None:
    """approvals.selectors.publication: at most the months asked for, none before the first
    decision, the month under way never."""
    calendar = work_calendar()
    assert [r.key for r in published_reports(TODAY, calendar, 12)] == ["2026-03", "2026-02"]
    assert [r.key for r in published_reports(TODAY, calendar, 1)] == ["2026-03"]
    assert [r.key for r in published_reports(D("2026-06-30"), calendar, 3)] == ["2026-05", "2026-04", "2026-03"]
    assert published_reports(D("2026-01-31"), calendar, 12) == []


def test_the_publication_waits_for_a_month_to_end(cast: Cast, now) -> None:
    now(D("2026-03-31"))
    app = cast.under_review(NUMBERS, received=D("2026-03-02"), accepted=D("2026-03-03"))
    workflow.grant(app.pk, app.officer, on=D("2026-03-12"))
    response = browser().get("/published/")
    assert response.context["months"] == []
    assert "Nothing is published yet" in text(response.content.decode())
    now(D("2026-04-01"))
    assert [m["key"] for m in browser().get("/published/").context["months"]] == ["2026-03"]


# -- queries -------------------------------------------------------------------------------------------


def add_cases(cast: Cast, n: int, first: int = 0) -> None:
    """``n`` licence cases decided in March, each with a pause, an extension, two correction
    notices and a rating, and ``n`` filings."""
    for i in range(first, first + n):
        app = cast.received(LICENCE, on=D("2026-03-02"))
        cast.corrected(app, asked=D("2026-03-03"), answered=D("2026-03-03"), items="1. 盖章")
        cast.corrected(app, asked=D("2026-03-04"), answered=D("2026-03-04"), items="2. 盖章")
        workflow.accept(app.pk, app.officer, on=D("2026-03-05"))
        cast.paused(app, kind="site_check", on=D("2026-03-06"), until=D("2026-03-09"), ended=D("2026-03-09"))
        cast.extended(app, 3, asked=D("2026-03-10"))
        workflow.deny(app.pk, app.officer, "不符合条件", "可申请行政复议", on=D("2026-03-20"))
        workflow.rate(app.pk, cast.alice, 1 + i % 5, "")
        filing = cast.under_review(FILING, received=D("2026-03-02"), accepted=D("2026-03-03"))
        workflow.file(filing.pk, filing.officer, f"皖ICP备20260{i:05}号", on=D("2026-03-11"))


def count_queries(cast: Cast) -> dict[str, int]:
    counts = {}
    client, service = browser(cast.root), api(cast.mia)
    for url in ("/reports/", "/reports/2026-03.csv", "/reports/2026-03.xlsx", "/published/"):
        client.get(url)  # the calendar is built once per process: not part of the count
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    with CaptureQueriesContext(connection) as queries:
        assert service.get("/api/reports/monthly/?month=2026-03").status_code == 200
    counts["api"] = len(queries)
    with CaptureQueriesContext(connection) as queries:
        monthly_report(Scope.everything(), MARCH, work_calendar())
    counts["function"] = len(queries)
    return counts


def test_a_report_runs_a_constant_number_of_queries(cast: Cast, now) -> None:
    now(D("2026-03-31"))
    add_cases(cast, 2)
    now(TODAY)
    small = count_queries(cast)
    now(D("2026-03-31"))
    add_cases(cast, 4, first=2)
    now(TODAY)
    large = count_queries(cast)
    assert large == small, (small, large)
    assert small["function"] <= 5  # the decided cases, the ratings, the policies; the calendar's checks
    report = monthly_report(Scope.everything(), MARCH, work_calendar())
    licence = report.rows[0]
    assert [licence.decided, licence.extensions, licence.special_procedures, licence.repeated_corrections] == [6] * 4
    assert (licence.ratings, report.rows[2].decided) == (6, 6)

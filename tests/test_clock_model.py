"""The clock model (approvals.clocks, models.LEVEL_RULE): each clock with its own date, label and
provisional mark, the same on every screen and in the API; the level rule in SQL equal to Python."""

from datetime import date, timedelta

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from approvals import workflow
from approvals.clocks import standing
from approvals.holidays import work_calendar
from approvals.models import URGENCY_ORDER, Application, AuditEvent, ClockKind, Notification, Procedure, State
from tests.api import api, ok
from tests.cast import Cast, browser
from tests.reference import HOLIDAY_CN

D = date.fromisoformat
TODAY = D("2026-06-15")


# -- the level rule, once --------------------------------------------------------------------------

days = st.one_of(st.none(), st.dates(min_value=TODAY - timedelta(days=20), max_value=TODAY + timedelta(days=20)))
columns = st.fixed_dictionaries(
    {
        "clock": st.sampled_from(ClockKind.values),
        "yellow_on": days,
        "red_on": days,
        "severe_on": days,
        "due_date": days,
        "days_left_when_paused": st.one_of(st.none(), st.integers(-5, 30)),
    }
)


@pytest.mark.django_db
@given(rows=st.lists(columns, min_size=1, max_size=12), today=st.sampled_from([TODAY, TODAY + timedelta(days=3)]))
def test_the_sql_level_and_urgency_are_the_python_rule(rows: list[dict], today: date) -> None:
    from approvals.models import Organisation, User

    organisation, _ = Organisation.objects.get_or_create(name="规则测试", credit_code="91340100MA2N0AAA14")
    user, _ = User.objects.get_or_create(username="rule", defaults={"role": "enterprise", "organisation": organisation})
    # Stored columns written directly: this tests the rule over every combination, not the
    # workflow that keeps the columns (tests/test_workflow_clocks.py does that).
    created = Application.objects.bulk_create(
        [Application(procedure=Procedure.TELECOM_LICENCE, organisation=organisation, applicant=user, **r) for r in rows]
    )
    ids = [app.pk for app in created]
    try:
        levels = dict(Application.objects.filter(pk__in=ids).with_level(today).values_list("pk", "alert_level"))
        ordered = list(Application.objects.filter(pk__in=ids).by_urgency(today).values_list("pk", "urgency_rank"))
        for app in Application.objects.filter(pk__in=ids):
            level = app.level_on(today)
            assert levels[app.pk] == level
            expected = "paused" if level == "none" and app.clock == ClockKind.PAUSED else level
            assert dict(ordered)[app.pk] == URGENCY_ORDER.index(expected)
        ranks = [rank for _pk, rank in ordered]
        assert ranks == sorted(ranks), "most urgent first"
    finally:
        Application.objects.filter(pk__in=ids).delete()


# -- each clock its own mark, label and range -------------------------------------------------------


def test_a_clock_wholly_in_2026_is_never_provisional(cast: Cast, now) -> None:
    now(D("2026-12-10"))
    # Number resources accepted Thu 10 Dec 2026: promised 10 working days, Thu 24 Dec 2026.
    app = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-12-09"), accepted=D("2026-12-10"))
    assert app.due_date == D("2026-12-24")
    assert (app.promised_provisional, app.promised_earliest, app.promised_latest) == (False, None, None)
    promised = standing(app, D("2026-12-10"), work_calendar()).get("promised")
    assert (promised.provisional, promised.reason, promised.label) == (False, "", "Promised deadline")
    page = browser(cast.olga).get(f"/applications/{app.pk}/").content.decode()
    assert "provisional" not in page.split("How the due date is counted")[0].split("Deadline")[1]


@pytest.fixture
def filing(cast: Cast, now) -> Application:
    """A website filing that reached the administration on Thu 28 Jan 2027 (DOMAIN.md's worked
    example): 8 working days across the unpublished 2027 Spring Festival."""
    now(D("2027-01-28"))
    return cast.under_review(Procedure.WEBSITE_FILING, received=D("2027-01-27"), accepted=D("2027-01-28"))


def test_a_clock_reaching_february_2027_is_provisional_with_a_range(filing: Application) -> None:
    app = filing
    # Fri 5 and Mon 8 Feb are statutory rest days (除夕, 初三): certain, so no earlier than Thu 11 Feb.
    assert app.promised_provisional and app.due_date >= D("2027-02-11")
    assert app.promised_earliest <= D("2027-02-11") <= app.due_date <= app.promised_latest
    assert app.statutory_provisional and app.statutory_earliest <= app.statutory_due <= app.statutory_latest
    promised = standing(app, D("2027-01-28"), work_calendar()).get("promised")
    assert promised.provisional and promised.unpublished == (2027,)
    assert promised.reason == (
        f"expected {app.due_date.isoformat()} (the 2027 holiday schedule is not yet published; it may fall between "
        f"{app.promised_earliest:%m-%d} and {app.promised_latest:%m-%d})"
    )
    with translation.override("zh-hans"):
        assert promised.reason.startswith(f"预计 {app.due_date.isoformat()}（2027 年放假安排尚未公布，可能在")


def test_alerts_come_on_the_days_of_the_earliest_date(filing: Application) -> None:
    app = filing
    # Red from the day after the earliest possible due date: no alert comes late because of a guess.
    assert app.red_on == app.promised_earliest + timedelta(days=1)
    assert app.severe_on == app.statutory_earliest + timedelta(days=1)
    assert app.yellow_on <= app.promised_earliest
    assert (app.next_alert_on, app.next_alert_level) == (app.yellow_on, "decision:yellow")


def test_every_screen_and_the_api_show_the_range_and_the_reason(cast: Cast, filing: Application) -> None:
    app = filing
    reason = standing(app, D("2027-01-28"), work_calendar()).get("promised").reason
    span = f"{app.promised_earliest:%m-%d}–{app.promised_latest:%m-%d}"
    case_page = browser(cast.fiona).get(f"/applications/{app.pk}/").content.decode()
    assert reason in case_page and span in case_page
    assert "Rest days the law fixes, counted as certain: Spring Festival 02-05–02-08." in case_page
    track = browser().post("/track/", {"tracking_number": app.tracking_number, "query_code": app.query_code})
    assert reason in track.content.decode()
    worklist = browser(cast.fiona).get("/worklist/").content.decode()
    assert span in worklist and reason in worklist  # the reason for screen readers and as the tooltip
    portal = browser(cast.alice).get("/portal/").content.decode()
    assert span in portal
    body = ok(api(cast.fiona).get(f"/api/applications/{app.pk}/"))
    clocks = {clock["kind"]: clock for clock in body["clocks"]}
    assert clocks["promised"] == {
        "kind": "promised",
        "label": "Promised deadline",
        "due": app.due_date.isoformat(),
        "status": "running",
        "running": True,
        "days_left": work_calendar().working_days_between(D("2027-01-28"), app.due_date).days,
        "level": "green",
        "provisional": True,
        "due_earliest": app.promised_earliest.isoformat(),
        "due_latest": app.promised_latest.isoformat(),
        "reason": reason,
    }
    assert clocks["statutory"]["provisional"] and clocks["statutory"]["label"] == "Statutory deadline"
    listed = ok(api(cast.fiona).get("/api/applications/"))["results"]
    assert [row["clocks"] for row in listed if row["id"] == app.pk] == [body["clocks"]]


def test_acceptance_and_certificate_clocks_are_labelled_as_such_everywhere(cast: Cast, now) -> None:
    now(D("2026-03-02"))
    waiting = cast.received(on=D("2026-03-02"))
    granted = cast.under_review(received=D("2026-02-02"), accepted=D("2026-02-03"))
    granted = workflow.grant(granted.pk, granted.officer, on=D("2026-03-02"))
    assert (waiting.clock, granted.clock) == (ClockKind.ACCEPTANCE, ClockKind.CERTIFICATE)

    for app, label in ((waiting, "Acceptance deadline"), (granted, "Certificate service deadline")):
        page = browser(cast.olga).get(f"/applications/{app.pk}/").content.decode()
        facts = page.split('id="clock-h"')[1].split("</section>")[0]
        assert label in facts
        assert "Promised deadline" not in facts if app is waiting else "Promised deadline" in facts
        track = browser().post("/track/", {"tracking_number": app.tracking_number, "query_code": app.query_code})
        assert label in track.content.decode()
        clocks = ok(api(cast.olga).get(f"/api/applications/{app.pk}/"))["clocks"]
        running = [c for c in clocks if c["running"]]
        assert [(c["kind"], c["label"]) for c in running] == [(label.split()[0].lower(), label)]
    # The granted case's promised clock was met (decided within it), not running.
    clocks = {c["kind"]: c for c in ok(api(cast.olga).get(f"/api/applications/{granted.pk}/"))["clocks"]}
    assert (clocks["promised"]["status"], clocks["promised"]["running"]) == ("met", False)

    worklist = browser(cast.olga).get("/worklist/?scope=department").content.decode()
    portal = browser(cast.alice).get("/portal/").content.decode()
    for page in (worklist, portal):
        assert "Acceptance deadline" in page and "Certificate service deadline" in page
    with translation.override("zh-hans"):
        labels = [str(c.label) for c in standing(waiting, D("2026-03-02"), work_calendar()).clocks]
        assert labels == ["受理期限"]
        assert [c.label for c in standing(granted, D("2026-03-02"), work_calendar()).clocks] == [
            "承诺期限",
            "法定期限",
            "证书送达期限",
        ]


def test_a_loaded_notice_tells_which_clock_moved_and_why(cast: Cast, filing: Application) -> None:
    from django.core.management import call_command

    from approvals.notifications import describe, text

    app = filing
    call_command("import_calendar", str(HOLIDAY_CN / "sample-2027.json"))
    app = Application.objects.get(pk=app.pk)
    assert not (app.promised_provisional or app.statutory_provisional)
    assert app.promised_earliest is None and app.state == State.ARRIVED
    moved = AuditEvent.objects.filter(application=app, action="due_date_moved").get()
    assert set(moved.data) <= {"promised", "statutory"} and moved.data
    told = Notification.objects.filter(event=moved).select_related("recipient")
    assert {n.recipient.username for n in told} == {"alice", "fiona"}
    kind = next(iter(moved.data))
    # The in-app notification and the email's first line say which clock moved, old → new.
    old, new = moved.data[kind]
    label = {"promised": "Promised deadline", "statutory": "Statutory deadline"}[kind]
    assert all(f"{label} {old} → {new}" in text(n) for n in told)
    assert describe(moved).startswith({"promised": "Promised deadline", "statutory": "Statutory deadline"}[kind])
    assert describe(moved).endswith("2027 schedule loaded")


def test_a_list_shows_a_provisional_statutory_date_beside_a_certain_promised_one(cast: Cast, now) -> None:
    now(D("2026-12-18"))
    # Promised 26 working days: Mon 25 Jan 2027, certain days only; statutory 60 days from
    # receipt: Tue 9 Feb, a guessed bridging day, rolled to the guessed make-up Sun 14 Feb.
    app = cast.under_review(received=D("2026-12-11"), accepted=D("2026-12-17"))
    assert (app.promised_provisional, app.statutory_provisional) == (False, True)
    span = f"{app.statutory_earliest:%m-%d}–{app.statutory_latest:%m-%d}"
    for user, path in ((app.officer, "/worklist/"), (cast.alice, "/portal/")):
        row = browser(user).get(path).content.decode().split(app.tracking_number)[-1].split("</tr>")[0]
        assert "Promised deadline" in row and "2027-01-25" in row
        assert "Statutory deadline 2027-02-14" in row and span in row, path


def test_a_preview_that_does_not_exist_is_a_404_that_names_no_model(cast: Cast) -> None:
    from tests.api import error

    found = error(api(cast.root).get("/api/calendar/previews/999/"), 404)
    assert found["message"] == "No such preview."

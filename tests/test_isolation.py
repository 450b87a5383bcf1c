"""No page shows another organisation's data, or another department's."""

from datetime import date

import pytest

from approvals import workflow
from approvals.models import Application, Material, Procedure
from tests.cast import Cast, browser

D = date.fromisoformat

PAGES = [
    "/",
    "/portal/",
    "/portal/new/",
    "/provider/",
    "/worklist/",
    "/dashboard/",
    "/dashboard/cases/red/",
    "/notifications/",
    "/appointments/",
    "/calendar/",
    "/track/",
]


@pytest.fixture
def acme_cases(cast: Cast, now) -> list[Application]:
    """acme's cases in many states, all handled by the licensing department or its provider."""
    now(D("2026-03-02"))
    cases = [
        cast.draft(on=D("2026-03-02")),
        cast.received(on=D("2026-03-02")),
        cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-02")),
        cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-03-02"), accepted=D("2026-03-02")),
        cast.under_review(Procedure.WEBSITE_FILING, received=D("2026-03-02"), accepted=D("2026-03-02")),
    ]
    workflow.request_extension(cases[2].pk, cases[2].officer, 5, "需要论证", on=D("2026-03-02"))
    now(D("2026-05-20"))  # everything overdue by now: the lists are full
    return [Application.objects.get(pk=app.pk) for app in cases]


def secrets_of(cases: list[Application]) -> list[str]:
    out = [cases[0].organisation.name]
    out += [app.tracking_number for app in cases if app.tracking_number]
    out += [app.query_code for app in cases if app.query_code]
    return out


@pytest.mark.parametrize("who", ["bob"])
def test_another_enterprise_sees_nothing_of_acme(cast: Cast, acme_cases, who: str) -> None:
    client = browser(getattr(cast, who))
    for url in PAGES:
        page = client.get(url, follow=True).content.decode()
        for secret in secrets_of(acme_cases):
            assert secret not in page, (url, secret)
    for app in acme_cases:
        assert client.get(f"/applications/{app.pk}/").status_code == 404
        for material in Material.objects.filter(application=app):
            assert client.get(f"/applications/{app.pk}/materials/{material.pk}/").status_code == 404


def test_the_other_department_sees_none_of_its_cases(cast: Cast, acme_cases) -> None:
    licensing_cases = [app for app in acme_cases if app.department_id == cast.licensing.pk]
    for user in (cast.fiona, cast.max):
        client = browser(user)
        for url in PAGES:
            page = client.get(url, follow=True).content.decode()
            for app in licensing_cases:
                assert app.tracking_number not in page, (user, url, app.tracking_number)
        for app in licensing_cases:
            assert client.get(f"/applications/{app.pk}/").status_code == 404


def test_the_provider_sees_only_filings_sent_to_it(cast: Cast, acme_cases) -> None:
    client = browser(cast.pat)
    filing = next(app for app in acme_cases if app.procedure == Procedure.WEBSITE_FILING)
    assert filing.tracking_number in client.get("/provider/").content.decode()
    for app in acme_cases:
        if app.procedure != Procedure.WEBSITE_FILING:
            assert client.get(f"/applications/{app.pk}/").status_code == 404
            for url in PAGES:
                assert (app.tracking_number or "—") not in client.get(url, follow=True).content.decode()


def test_the_rightful_users_do_see_them(cast: Cast, acme_cases) -> None:
    """The control: the strings the tests above look for are on these pages for their owners."""
    portal = browser(cast.alice).get("/portal/").content.decode()
    assert all(app.tracking_number in portal for app in acme_cases if app.tracking_number)
    worklist = browser(cast.mia).get("/worklist/").content.decode()
    assert all(app.tracking_number in worklist for app in acme_cases[1:4])

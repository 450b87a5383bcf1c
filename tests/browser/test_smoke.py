"""The sign-in page, a case page and the public lookup in a real browser."""

from datetime import date

import pytest

from approvals.models import Application
from tests.cast import Cast

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_officer_signs_in_and_opens_a_case(committed_cast: Cast, visitor, now) -> None:
    app = committed_cast.under_review(received=date(2026, 3, 2), accepted=date(2026, 3, 3))
    for user in (committed_cast.olga,):
        user.set_password("pw-test-2026")
        user.save()
    officer = visitor("officer")
    officer.sign_in("olga", "pw-test-2026")
    page = officer.go(f"/applications/{app.pk}/")
    assert app.tracking_number in page.content()
    assert page.get_by_text("准予许可").count() >= 1  # Chinese by default
    officer.shot("case")


def test_the_public_lookup_in_a_browser(committed_cast: Cast, visitor) -> None:
    app = committed_cast.received(on=date(2026, 3, 2))
    app = Application.objects.get(pk=app.pk)
    public = visitor("public")
    page = public.go("/track/")
    page.fill("#id_tracking_number", app.tracking_number)
    page.fill("#id_query_code", app.query_code)
    page.click("form button[type=submit]")
    assert "已收件" in page.content()
    public.shot("track")

"""A case the reader may not see answers the product's own 404 page, with DEBUG on as on a demo
machine: not Django's technical page listing the URL patterns (issue 16, item 4)."""

import pytest
from django.test import override_settings

from approvals.models import Procedure
from tests.cast import Cast, browser

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_another_departments_case_gets_the_products_404_page_with_debug_on(cast: Cast) -> None:
    filing = cast.under_review(Procedure.WEBSITE_FILING)  # 互联网管理处's
    response = browser(cast.olga).get(f"/applications/{filing.pk}/")  # an officer of 信息通信管理处
    assert response.status_code == 404
    page = response.content.decode()
    assert "There is nothing here, or nothing you may see." in page
    assert "URLconf" not in page and "urlpatterns" not in page
    assert filing.tracking_number not in page


@override_settings(DEBUG=True)
def test_an_unknown_case_number_too(cast: Cast) -> None:
    response = browser(cast.olga).get("/applications/999999/")
    assert response.status_code == 404
    assert "There is nothing here, or nothing you may see." in response.content.decode()


@override_settings(DEBUG=True)
def test_the_api_keeps_its_json_404(cast: Cast) -> None:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(cast.olga)
    response = client.get("/api/applications/999999/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/")
    assert "json" in response["Content-Type"]

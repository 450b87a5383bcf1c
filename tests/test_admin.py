"""The Django admin pages for calendar data and policies."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from approvals.models import CalendarDay, CalendarYear, DayKind, Policy


@pytest.fixture
def admin_client_zh(db) -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.com", "x-very-long-pass-2026")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["calendaryear", "calendarday", "policy"])
def test_each_list_and_add_page_opens(admin_client_zh: Client, model: str) -> None:
    CalendarYear.objects.create(year=2027, source="国办发明电")
    CalendarDay.objects.create(date="2027-01-01", kind=DayKind.HOLIDAY, name="元旦", notice_year=2027)
    for page in ("changelist", "add"):
        response = admin_client_zh.get(reverse(f"admin:approvals_{model}_{page}"))
        assert response.status_code == 200


def test_the_seeded_policies_are_listed_in_chinese_by_default(admin_client_zh: Client) -> None:
    response = admin_client_zh.get(reverse("admin:approvals_policy_changelist"))
    assert Policy.objects.count() == 6
    text = response.content.decode()
    assert "增值电信业务经营许可" in text
    assert "互联网网站备案" in text


def test_chinese_whatever_the_browser_says_until_english_is_chosen(admin_client_zh: Client) -> None:
    url = reverse("admin:approvals_policy_changelist")
    response = admin_client_zh.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "增值电信业务经营许可" in response.content.decode()
    assert response["Content-Language"] == "zh-hans"
    admin_client_zh.post(reverse("set_language"), {"language": "en", "next": url})
    response = admin_client_zh.get(url)
    assert "Value-added telecom business licence" in response.content.decode()
    assert response["Content-Language"] == "en"


@pytest.mark.django_db
def test_the_home_page_leads_to_the_admin(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response.url == reverse("admin:index")

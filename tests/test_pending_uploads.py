"""Quotas on uploads (approvals.uploads): the files one form carries at once (number and total
size), refused whole with a message on the form and nothing typed lost; the files one user may
have kept aside in all their sessions; and the hourly task deleting what was kept too long."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta

import pytest
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.module_loading import import_string

from approvals import schedules, uploads
from approvals.models import Application, private_storage
from tests.cast import PDF, Cast, browser, pdf

TODAY = date.fromisoformat("2026-03-10")


@pytest.fixture(autouse=True)
def pinned(now) -> None:
    now(TODAY)


def pending_files() -> list[str]:
    try:
        return sorted(private_storage.listdir("pending")[1])
    except FileNotFoundError:
        return []


def licence_post(**overrides) -> dict:
    data = {"subject": "第二类增值电信业务 信息服务业务", "categories": ["B21", "B25"], "coverage": "合肥市、芜湖市"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def tokens(page: str) -> list[str]:
    return re.findall(r'name="kept" value="([^"]+)"', page)


def test_more_files_than_a_form_takes_at_once_are_refused_whole(cast: Cast, settings) -> None:
    settings.UPLOAD_REQUEST_MAX_FILES = 3
    response = browser(cast.alice).post(
        "/portal/new/telecom_licence/", licence_post(files=[pdf(f"第{n}份.pdf") for n in range(4)])
    )
    page = response.content.decode()
    assert response.status_code == 413
    assert "You chose 4 files" in page and "a form takes at most 3 files" in page and "Nothing was saved" in page
    assert "合肥市、芜湖市" in page and "第二类增值电信业务 信息服务业务" in page  # what was typed stays
    assert not Application.objects.exists() and pending_files() == []  # nothing saved, nothing kept


def test_files_larger_together_than_a_form_takes_are_refused_whole(cast: Cast, settings) -> None:
    settings.UPLOAD_REQUEST_MAX_BYTES = 2 * len(PDF)
    response = browser(cast.alice).post(
        "/portal/new/telecom_licence/", licence_post(subject="", files=[pdf("一.pdf"), pdf("二.pdf"), pdf("三.pdf")])
    )
    assert response.status_code == 413 and "at a time" in response.content.decode()
    assert pending_files() == []


def test_a_refused_request_still_offers_the_files_kept_before(cast: Cast, settings) -> None:
    settings.UPLOAD_REQUEST_MAX_FILES = 2
    alice = browser(cast.alice)
    page = alice.post("/portal/new/telecom_licence/", licence_post(subject="", files=[pdf("章程.pdf")])).content
    [token] = tokens(page.decode())
    response = alice.post(
        "/portal/new/telecom_licence/",
        licence_post(kept=[token], offered=[token], files=[pdf("a.pdf"), pdf("b.pdf"), pdf("c.pdf")]),
    )
    page = response.content.decode()
    assert response.status_code == 413 and tokens(page) == [token] and "章程.pdf" in page
    assert len(pending_files()) == 1 and not Application.objects.exists()
    response = alice.post("/portal/new/telecom_licence/", licence_post(kept=[token], offered=[token]))
    assert response.status_code == 302
    assert list(Application.objects.get().materials.values_list("name", flat=True)) == ["章程.pdf"]


def test_one_user_keeps_at_most_their_quota_in_all_their_sessions(cast: Cast, settings) -> None:
    settings.UPLOAD_PENDING_MAX_BYTES = 2 * len(PDF)
    first, second = browser(cast.alice), browser(cast.alice)  # two sessions of one user
    page = first.post("/portal/new/telecom_licence/", licence_post(subject="", files=[pdf("一.pdf"), pdf("二.pdf")]))
    kept_first = tokens(page.content.decode())
    assert len(kept_first) == 2
    response = second.post("/portal/new/telecom_licence/", licence_post(subject="", files=[pdf("三.pdf")]))
    page = response.content.decode()
    assert response.status_code == 400 and tokens(page) == []
    assert "“三.pdf” was not kept" in page and f"at most {filesizeformat(2 * len(PDF))} are kept" in page
    assert "合肥市、芜湖市" in page  # what was typed stays
    assert len(pending_files()) == 2

    # another user has a quota of their own
    page = browser(cast.bob).post("/portal/new/telecom_licence/", licence_post(subject="", files=[pdf("四.pdf")]))
    assert len(tokens(page.content.decode())) == 1

    # once the first form is saved, its files are no longer waiting: the second session may keep one
    saved = first.post("/portal/new/telecom_licence/", licence_post(kept=kept_first, offered=kept_first))
    assert saved.status_code == 302
    page = second.post("/portal/new/telecom_licence/", licence_post(subject="", files=[pdf("三.pdf")]))
    assert len(tokens(page.content.decode())) == 1


def test_the_hourly_task_deletes_what_was_kept_more_than_a_day(cast: Cast) -> None:
    alice = browser(cast.alice)
    alice.post("/portal/new/telecom_licence/", licence_post(subject="", files=[pdf("旧.pdf")]))
    [old] = pending_files()
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()  # the pinned time's
    os.utime(private_storage.path(f"pending/{old}"), (two_days_ago, two_days_ago))
    alice.post("/portal/new/telecom_licence/", licence_post(subject="", files=[pdf("新.pdf")]))
    assert len(pending_files()) == 2

    spec = next(s for s in schedules.declared() if s["func"].endswith("clean_pending_task"))
    assert spec["repeats"] == -1 and spec["name"].startswith("shixian:")
    assert import_string(spec["func"])() == 1  # what django-q2 calls
    assert pending_files() != [] and old not in pending_files()
    assert uploads.clean_expired() == 0


def test_a_kept_file_the_task_deleted_is_reported_gone_and_the_draft_saved(cast: Cast) -> None:
    alice = browser(cast.alice)
    page = alice.post("/portal/new/telecom_licence/", licence_post(subject="", files=[pdf("旧.pdf")])).content
    [token] = tokens(page.decode())
    [name] = pending_files()
    long_ago = (timezone.now() - timedelta(days=3)).timestamp()
    os.utime(private_storage.path(f"pending/{name}"), (long_ago, long_ago))
    assert uploads.clean_pending_task() == 1
    response = alice.post("/portal/new/telecom_licence/", licence_post(kept=[token], offered=[token]), follow=True)
    assert "“旧.pdf” was kept too long and is gone: choose it again." in response.content.decode()
    assert not Application.objects.get().materials.exists()


def test_no_pending_folder_is_nothing_to_clean(cast: Cast) -> None:
    assert uploads.clean_expired() == 0

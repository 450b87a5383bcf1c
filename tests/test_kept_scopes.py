"""What a kept page keys on follows what an action touches (approvals.kept, approvals.audit):
an action on a case of one department recounts that department's dashboard and worklists and
the applicant's portal, and leaves every other department's and organisation's pages kept."""

from __future__ import annotations

import time
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals import workflow
from approvals.models import AuditHead, KeptVersion, Procedure
from tests.cast import Cast, browser

D = date.fromisoformat
TODAY = D("2026-06-15")


def counted(client, url: str) -> bool:
    """Whether viewing ``url`` counted applications (False: its counts were read from the cache;
    the dashboard's lists of extension requests and bad ratings are read on every view)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return any("approvals_application" in q["sql"] and "COUNT(" in q["sql"] for q in queries)


@pytest.fixture
def cases(cast: Cast, now):
    now(TODAY)
    licence = cast.under_review(received=D("2026-06-01"), accepted=D("2026-06-02"))
    filing = cast.under_review(Procedure.WEBSITE_FILING, received=D("2026-06-08"), accepted=D("2026-06-09"))
    rivals = cast.draft(who=cast.bob, on=D("2026-06-10"))
    workflow.submit(rivals.pk, cast.bob, on=D("2026-06-10"), complete=True)
    return {"licence": licence, "filing": filing}


def test_an_action_in_one_department_recounts_its_pages_only(cast: Cast, cases) -> None:
    licence = cases["licence"]
    assert licence.department_id == cast.licensing.pk and cases["filing"].department_id == cast.internet.pk
    officer = browser(licence.officer)
    pages = {
        "licensing dashboard": (browser(cast.mia), "/dashboard/"),
        "licensing worklist": (browser(cast.mia), "/worklist/"),
        "the officer's own worklist": (officer, "/worklist/"),
        "internet dashboard": (browser(cast.max), "/dashboard/"),
        "internet worklist": (browser(cast.max), "/worklist/"),
        "fiona's worklist": (browser(cast.fiona), "/worklist/"),
        "the administrator's dashboard": (browser(cast.root), "/dashboard/"),
        "alice's portal": (browser(cast.alice), "/portal/"),
        "bob's portal": (browser(cast.bob), "/portal/"),
    }
    for name, (client, url) in pages.items():
        assert counted(client, url), f"{name}: the first view counts"
        assert not counted(client, url), f"{name}: the second view is kept"

    workflow.request_extension(licence.pk, licence.officer, 5, "需要专家论证", on=TODAY)

    recounted = {name for name, (client, url) in pages.items() if counted(client, url)}
    assert recounted == {
        "licensing dashboard",
        "licensing worklist",
        "the officer's own worklist",
        "the administrator's dashboard",  # every department's: it shows the licence too
        "alice's portal",
    }


def test_a_reassignment_recounts_both_officers_worklists(cast: Cast, cases) -> None:
    licence = cases["licence"]
    before, other = licence.officer, (cast.oscar if licence.officer_id == cast.olga.pk else cast.olga)
    theirs, others = browser(before), browser(other)
    for client in (theirs, others):
        assert counted(client, "/worklist/") and not counted(client, "/worklist/")

    workflow.reassign(licence.pk, cast.mia, other.pk, note="调岗")

    assert counted(theirs, "/worklist/"), "the case left the previous officer's list"
    assert counted(others, "/worklist/"), "the case came to the new officer's list"


def test_one_append_sets_each_scope_to_the_chains_count(cast: Cast, cases) -> None:
    """The versions are the chain's count after the append that touched them: they only grow,
    and an append writes them in one statement after the head's."""
    licence = cases["licence"]
    with CaptureQueriesContext(connection) as queries:
        workflow.request_extension(licence.pk, licence.officer, 5, "需要专家论证", on=TODAY)
    count = AuditHead.objects.get(pk=1).count
    versions = dict(KeptVersion.objects.values_list("scope", "version"))
    for scope in (f"d:{cast.licensing.pk}", f"u:{licence.officer_id}", f"o:{cast.acme.pk}"):
        assert versions[scope] == count, scope
    assert versions[f"d:{cast.internet.pk}"] < count and versions[f"o:{cast.rival.pk}"] < count
    writes = [q["sql"] for q in queries if "approvals_keptversion" in q["sql"]]
    assert len(writes) == 1, writes


def test_one_request_makes_a_missing_page_and_the_others_wait_for_it(monkeypatch) -> None:
    """Right after an action every reader of the department misses the page at once: one makes
    it, the others wait for what it makes instead of counting the same thing side by side."""
    import threading

    from django.core.cache import cache

    from approvals import kept

    made = []

    def slow() -> str:
        made.append(threading.current_thread().name)
        time.sleep(0.2)
        return "the page"

    results: list[str] = []
    readers = [
        threading.Thread(target=lambda: results.append(kept.through("kept:test", slow)), name=f"reader-{n}")
        for n in range(4)
    ]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert results == ["the page"] * 4
    assert len(made) == 1, made
    assert cache.get("kept:test:making") is None  # the maker's mark is gone with it

    # A maker that never delivers (its request died): the waiting view makes the page itself.
    monkeypatch.setattr(kept, "WAIT_SECONDS", 0.05)
    cache.set("kept:other:making", 1, 60)
    assert kept.through("kept:other", lambda: "made here") == "made here"


def test_the_dashboards_figures_are_recounted_only_when_a_case_is_decided(cast: Cast, cases, monkeypatch) -> None:
    """The on-time figures change only with a decision (or a decided case reassigned): an action
    that decides nothing recounts the open cases' levels, not the figures."""
    from approvals.views import manager

    client = browser(cast.mia)
    made: list[str] = []
    count, figures = manager._count, manager._figures
    monkeypatch.setattr(manager, "_count", lambda *args: made.append("levels") or count(*args))
    monkeypatch.setattr(manager, "_figures", lambda *args: made.append("figures") or figures(*args))

    def view() -> list[str]:
        made.clear()
        assert client.get("/dashboard/").status_code == 200
        return sorted(made)

    assert view() == ["figures", "levels"]
    assert view() == []
    licence = cases["licence"]
    workflow.request_extension(licence.pk, licence.officer, 5, "需要专家论证", on=TODAY)
    assert view() == ["levels"]
    workflow.deny(licence.pk, licence.officer, "不符合条件", "可申请行政复议", on=TODAY)
    assert view() == ["figures", "levels"]
    assert browser(cast.mia).get("/dashboard/").context["figures"].total.decided == 1

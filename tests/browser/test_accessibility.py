"""Accessibility (WCAG 2.1 AA) checked by axe-core on every main page, for each role, on a wide
screen and on a phone: no violation of impact "serious" or "critical".

One browser context per role and width, reused for all its pages. The counts of violations by
impact (all impacts, moderate and minor too) are printed and written to artifacts/axe-counts.txt,
one line per role, width and page; each page's screenshot goes to artifacts/screenshots/axe-*.png."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from approvals import workflow
from approvals.models import Application, Procedure
from tests.cast import Cast

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "pw-test-2026"
IMPACTS = ("critical", "serious", "moderate", "minor")
BLOCKING = {"critical", "serious"}
COUNTS = Path(__file__).resolve().parents[2] / "artifacts" / "axe-counts.txt"
#: axe-core's rules for WCAG 2.0 and 2.1, levels A and AA, and its best practices.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
}


@pytest.fixture(scope="module")
def counts():
    """Every page's counts, written to artifacts/axe-counts.txt once the module's tests ran."""
    rows: dict[tuple[str, int, str], dict[str, int]] = {}
    yield rows
    if rows:
        COUNTS.parent.mkdir(parents=True, exist_ok=True)
        header = f"{'role':<10} {'width':>5}  {'page':<28} " + " ".join(f"{i:>8}" for i in IMPACTS)
        lines = [header]
        for (role, width, label), by_impact in sorted(rows.items()):
            figures = " ".join(f"{by_impact.get(i, 0):>8}" for i in IMPACTS)
            lines.append(f"{role:<10} {width:>5}  {label:<28} {figures}")
        COUNTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


def cases(cast: Cast, now) -> dict[str, Application]:
    """Cases in various states, on 2026-04-20: a draft, a fresh submission, cases under review
    (overdue, due soon: the manager's alerts are not empty), one granted (the reports have
    figures), one with a correction answered, one whose extension waits for the manager, a
    website filing waiting for the access provider's check and one it forwarded."""
    found = {
        "overdue": cast.under_review(received=date(2026, 3, 2), accepted=date(2026, 3, 3)),
        "number": cast.under_review(Procedure.NUMBER_RESOURCE, received=date(2026, 3, 16), accepted=date(2026, 3, 17)),
        "review": cast.under_review(received=date(2026, 4, 13), accepted=date(2026, 4, 14)),
        "received": cast.received(on=date(2026, 4, 16)),
        "draft": cast.draft(on=date(2026, 4, 17)),
        "filing": cast.received(Procedure.WEBSITE_FILING, on=date(2026, 4, 15)),
        "forwarded": cast.under_review(Procedure.WEBSITE_FILING, received=date(2026, 4, 7), accepted=date(2026, 4, 8)),
    }
    corrected = cast.received(on=date(2026, 3, 23))
    found["corrected"] = cast.corrected(
        corrected, asked=date(2026, 3, 30), answered=date(2026, 4, 2), items="营业执照副本"
    )
    granted = cast.under_review(received=date(2026, 3, 2), accepted=date(2026, 3, 3))
    found["granted"] = workflow.grant(granted.pk, granted.officer, reasons="材料齐全，符合条件", on=date(2026, 3, 20))
    found["soon"] = cast.under_review(Procedure.NUMBER_RESOURCE, received=date(2026, 4, 7), accepted=date(2026, 4, 8))
    extended = cast.under_review(received=date(2026, 3, 9), accepted=date(2026, 3, 10))
    workflow.request_extension(extended.pk, extended.officer, 10, "需要专家论证", on=date(2026, 4, 15))
    now(date(2026, 4, 20))
    return found


def pages(role: str, cast: Cast, found: dict[str, Application]) -> list[tuple[str, str]]:
    """(label, path) of the main pages the role's menu leads to, and its cases' pages."""
    case = f"/applications/{found['overdue'].pk}/"
    common = [("notifications", "/notifications/"), ("track", "/track/"), ("published", "/published/")]
    if role == "alice":
        return [
            ("portal", "/portal/"),
            ("case", case),
            ("case-corrected", f"/applications/{found['corrected'].pk}/"),
            ("case-received", f"/applications/{found['received'].pk}/"),
            ("case-granted", f"/applications/{found['granted'].pk}/"),
            ("draft", f"/portal/applications/{found['draft'].pk}/edit/"),
            ("new", "/portal/new/"),
            ("new-form", f"/portal/new/{Procedure.TELECOM_LICENCE}/"),
            ("new-form-filing", f"/portal/new/{Procedure.WEBSITE_FILING}/"),
            ("appointments", "/appointments/"),
            *common,
        ]
    if role == "olga":
        return [
            ("worklist", "/worklist/"),
            ("case", case),
            ("case-corrected", f"/applications/{found['corrected'].pk}/"),
            ("case-received", f"/applications/{found['received'].pk}/"),
            ("appointments", "/appointments/"),
            ("feeds", "/feeds/"),
            *common,
        ]
    if role == "mia":
        return [
            ("dashboard", "/dashboard/"),
            ("alerts-yellow", "/dashboard/cases/yellow/"),
            ("alerts-red", "/dashboard/cases/red/"),
            ("alerts-severe", "/dashboard/cases/severe/"),
            ("officer-cases", f"/dashboard/officers/{cast.olga.pk}/"),
            ("reports", "/reports/"),
            ("worklist", "/worklist/"),
            ("case", case),
            *common,
        ]
    if role == "pat":
        return [
            ("provider", "/provider/"),
            ("case-filing", f"/applications/{found['filing'].pk}/"),
            ("case-forwarded", f"/applications/{found['forwarded'].pk}/"),
            *common,
        ]
    if role == "root":
        return [("calendar", "/calendar/"), ("dashboard", "/dashboard/"), ("reports", "/reports/")]
    return [  # anonymous
        ("track", "/track/"),
        ("sign-in", "/accounts/login/"),
        ("verify", "/verify/"),
        ("published", "/published/"),
    ]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  {v['impact']:<9} {v['id']}: {v.get('help', '')} ({len(v['nodes'])} nodes)")
        for node in v["nodes"][:3]:
            target = " ".join(map(str, node.get("target", [])))
            data = next((c.get("data") for c in node.get("any", []) if isinstance(c.get("data"), dict)), None)
            colours = ""
            if data and "contrastRatio" in data:  # color-contrast: the colours axe found
                colours = f" {data.get('fgColor')} on {data.get('bgColor')}: {data.get('contrastRatio')}"
            lines.append(f"    {target}{colours}")
    return "\n".join(lines)


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("role", ["anonymous", "alice", "olga", "mia", "pat", "root"])
def test_no_serious_or_critical_accessibility_violation(
    committed_cast: Cast, visitor, now, counts, role: str, width: int
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    found = cases(committed_cast, now)
    v = visitor(f"axe-{role}-{width}", width)
    if role != "anonymous":
        user = getattr(committed_cast, role)
        user.set_password(PASSWORD)
        user.save()
        v.sign_in(role, PASSWORD)
    axe = Axe()
    visits = pages(role, committed_cast, found)
    failures = []

    def check(label: str) -> None:
        v.page.wait_for_load_state("networkidle")
        violations = axe.run(v.page, options=AXE_OPTIONS).response["violations"]
        by_impact = {i: sum(1 for x in violations if x["impact"] == i) for i in IMPACTS}
        counts[(role, width, label)] = by_impact
        v.shot(label)
        print(f"{role} {width} {label}: {by_impact}")
        if violations:
            print(describe(violations))
        blocking = [x for x in violations if x["impact"] in BLOCKING]
        if blocking:
            failures.append(f"{label} ({v.page.url}):\n{describe(blocking)}")

    for label, path in visits:
        v.go(path)
        assert v.page.url.endswith(path), (label, v.page.url)  # not sent elsewhere (sign-in, 403)
        check(label)
    if role == "anonymous":  # the public lookup's answer
        app = Application.objects.get(pk=found["review"].pk)
        v.go("/track/")
        v.page.fill("#id_tracking_number", app.tracking_number)
        v.page.fill("#id_query_code", app.query_code)
        v.page.click("form button[type=submit]")
        v.page.wait_for_load_state()
        check("track-result")
    if width == 390 and role != "anonymous":  # the phone's menu, opened
        v.go(visits[0][1])
        v.page.click("details.menu > summary")
        check(f"{visits[0][0]}-menu-open")
    assert not failures, "serious or critical accessibility violations:\n" + "\n".join(failures)

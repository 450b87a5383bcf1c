"""The layout on a phone and in English: a compact header whose menu items never wrap, a favicon
on every page, worklist columns that do not run into each other, no empty deadline card."""

from datetime import date

import pytest

from approvals import workflow
from tests.cast import Cast

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "pw-test-2026"


def signed_in(cast: Cast, visitor, username: str, width: int, language: str | None = None):
    user = getattr(cast, username)
    user.set_password(PASSWORD)
    user.save()
    v = visitor(f"layout-{username}-{width}{'-' + language if language else ''}", width, language)
    v.sign_in(username, PASSWORD)
    return v


def test_the_officer_header_is_compact_on_a_phone_and_no_menu_item_wraps(committed_cast: Cast, visitor) -> None:
    officer = signed_in(committed_cast, visitor, "olga", 390)
    page = officer.go("/worklist/")
    header = page.locator("header.site-header").bounding_box()
    assert header is not None and header["height"] < 120, header
    officer.shot("header-closed")
    page.click("details.menu > summary")
    links = page.locator(".nav a")
    assert links.count() >= 3
    for i in range(links.count()):
        link = links.nth(i)
        one_line = link.evaluate(
            "a => { const r = document.createRange(); r.selectNodeContents(a); return r.getClientRects().length; }"
        )
        assert one_line == 1, link.inner_text()  # its text on a single line: not broken mid-word
    officer.shot("header-open")


def test_the_menu_shows_without_a_summary_on_a_wide_screen(committed_cast: Cast, visitor) -> None:
    officer = signed_in(committed_cast, visitor, "olga", 1280)
    page = officer.go("/worklist/")
    assert page.locator(".nav a").first.is_visible()
    assert not page.locator("details.menu > summary").is_visible()


def test_no_page_asks_for_a_missing_favicon(committed_cast: Cast, visitor) -> None:
    public = visitor("layout-public")
    missing: list[str] = []
    public.page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    page = public.go("/track/")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon
    assert page.request.get(public.base + icon).status == 200
    page.wait_for_load_state("networkidle")
    assert missing == []


def test_the_english_worklist_columns_do_not_overlap(committed_cast: Cast, visitor, now) -> None:
    from approvals.models import Procedure

    for procedure in (Procedure.TELECOM_LICENCE, Procedure.NUMBER_RESOURCE, Procedure.TELECOM_LICENCE):
        committed_cast.under_review(procedure, received=date(2026, 3, 2), accepted=date(2026, 3, 3))
    officer = signed_in(committed_cast, visitor, "olga", 1280, "en")
    for width in (1280, 900):
        officer.page.set_viewport_size({"width": width, "height": 900})
        page = officer.go("/worklist/?scope=department")  # every procedure's case, colleagues' too
        rows = page.locator("table.worklist tbody tr")
        assert rows.count() == 3
        assert "Number resources" in page.locator("table.worklist tbody").inner_text()
        for i in range(rows.count()):
            cells = rows.nth(i).locator("td")
            proc, applicant = cells.nth(2), cells.nth(3)
            assert "procedure" in (proc.get_attribute("class") or "")
            # the procedure's text (its scroll width) stays within its own cell, left of the applicant's
            right = proc.evaluate(
                "td => { const r = document.createRange(); r.selectNodeContents(td);"
                " return Math.max(...[...r.getClientRects()].map(x => x.right)); }"
            )
            assert right <= applicant.bounding_box()["x"] + 0.5, (width, right)
        officer.shot(f"worklist-en-{width}")


def test_a_withdrawn_case_shows_no_empty_deadline_card(committed_cast: Cast, visitor) -> None:
    app = committed_cast.received(on=date(2026, 3, 2))
    workflow.withdraw(app.pk, committed_cast.alice, "no longer needed", on=date(2026, 3, 3))
    applicant = signed_in(committed_cast, visitor, "alice", 390)
    page = applicant.go(f"/applications/{app.pk}/")
    for card in page.locator("section.card").all():
        text = card.inner_text().strip()
        heading = card.locator("h2").first.inner_text().strip() if card.locator("h2").count() else ""
        assert text != heading, f"an empty card: {heading}"
    applicant.shot("withdrawn")


#: The top of each character of an element's text, in order (a line break shows as a new top).
CHAR_TOPS = """el => {
  const tops = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
      const box = r.getBoundingClientRect();
      tops.push([node.data[i], Math.round(box.top)]);
    }
  }
  return tops;
}"""


@pytest.mark.parametrize(
    ("username", "path", "width"),
    [("olga", "/worklist/", 390), ("olga", "/worklist/", 1280), ("alice", "/portal/", 790), ("alice", "/portal/", 800)],
)
def test_the_days_left_never_break_inside_a_word(committed_cast: Cast, visitor, now, username, path, width) -> None:
    """ "剩余 4 个工作日" broke as "剩余 4 个工作 / 日" in a narrow column (the portal's, about 800 px
    wide): it may break at its spaces, never inside 工作日."""
    now(date(2026, 4, 2))
    for _ in range(2):
        committed_cast.under_review(received=date(2026, 3, 2), accepted=date(2026, 3, 3))
    reader = signed_in(committed_cast, visitor, username, width)
    page = reader.go(path)
    cells = page.locator("td.time-left, td[data-label] .keep-words")
    assert cells.count() >= 1
    for i in range(cells.count()):
        cell = cells.nth(i)
        tops = cell.evaluate(CHAR_TOPS)
        text = "".join(c for c, _ in tops)
        start = text.index("工作日")
        assert len({top for _, top in tops[start : start + 3]}) == 1, text
    reader.shot("days-left")

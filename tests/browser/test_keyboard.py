"""Keyboard-only journeys in a real browser (issue 16): no mouse, no click(), no fill().

1. alice signs in, reaches the new-application form from her portal, fills it, saves the draft
   and submits it, all with Tab, typing, Space and Enter.
2. olga accepts it from her worklist the same way.
3. The skip link: the first Tab on a page focuses it, it shows, Enter takes one to <main>.
4. Every element focused along the way shows a focus indicator (an outline or a box-shadow).
5. The new-application forms: every control has an accessible name; an answer missing when the
   form is sent comes back as an error tied to its field (aria-describedby, aria-invalid), and
   the focus is on the summary of the errors, whose links lead to the fields.
The other forms' radios and select are chosen with the arrow keys.

Moving is pressing Tab until the element wanted has the focus (``tab_to``), checking each element
focused on the way; a file is the one thing set without the keyboard (the OS file dialog).
Pages are read in English (the language cookie).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from approvals import workflow
from approvals.models import Application, AuditEvent, Procedure, State
from tests.cast import PDF, Cast

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SUBJECT = "第二类增值电信业务 信息服务业务"

#: What document.activeElement is, and whether it shows that it has the focus.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const box = e.getBoundingClientRect();
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  return {
    what: e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.name ? '[name=' + e.name + ']' : '')
      + (e.getAttribute('href') ? '[href=' + e.getAttribute('href') + ']' : '')
      + ' ' + (e.innerText || e.value || '').trim().slice(0, 40),
    indicated: outline || !!shadow,
    style: s.outlineStyle + ' ' + s.outlineWidth + ' / ' + s.boxShadow,
    shown: box.width > 0 && box.height > 0,
  };
}"""


def focused(page: Page) -> dict | None:
    return page.evaluate(FOCUSED)


def assert_focus_visible(page: Page) -> dict:
    now = focused(page)
    assert now is not None, "nothing has the focus"
    assert now["indicated"], f"no visible focus indicator on {now['what']} ({now['style']})"
    assert now["shown"], f"{now['what']} has the focus but is not on the screen"
    return now


def tab_to(page: Page, selector: str, limit: int = 80) -> list[str]:
    """Press Tab until the element matching ``selector`` has the focus; every element focused on
    the way must show it has (item 4). Returns what was focused, in order."""
    path = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) is None:  # past the page's last element: the browser's own controls
            path.append("(the browser)")
            continue
        path.append(assert_focus_visible(page)["what"])
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return path
    raise AssertionError(f"{limit} Tabs did not reach {selector}: {path}")


def enter_and_wait(page: Page, key: str = "Enter") -> None:
    """Press ``key`` on what has the focus, which goes to another page."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()


def sign_in_by_keyboard(visitor, name: str, username: str):
    person = visitor(name, language="en")
    page = person.go("/accounts/login/")
    # The username field has the focus already (autofocus); else Tab to it.
    if page.evaluate("document.activeElement.id") != "id_username":
        tab_to(page, "#id_username")
    assert_focus_visible(page)
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    assert_focus_visible(page)
    page.keyboard.type(f"pw-{username}")
    enter_and_wait(page)  # Enter in a field sends its form
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return person


def pdf_file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(PDF)
    return path


@pytest.fixture(autouse=True)
def _one_day(now) -> None:
    now(workflow.today())


# -- 1 and 2: the journeys --------------------------------------------------------------------------


def submit_by_keyboard(alice, tmp_path: Path) -> Application:
    page = alice.go("/portal/")
    tab_to(page, ".page-head a[href='/portal/new/']")
    enter_and_wait(page)
    expect(page).to_have_url(re.compile(r"/portal/new/$"))
    tab_to(page, f"a[href='/portal/new/{Procedure.TELECOM_LICENCE}/']")
    enter_and_wait(page)
    expect(page).to_have_url(re.compile(rf"/portal/new/{Procedure.TELECOM_LICENCE}/$"))

    tab_to(page, "#id_subject")
    page.keyboard.type(SUBJECT)
    for code in ("B14", "B25"):  # Tab through the boxes, Space ticks one
        tab_to(page, f"input[name=categories][value={code}]")
        page.keyboard.press("Space")
    tab_to(page, "#id_coverage")
    page.keyboard.type("安徽省")
    tab_to(page, "#id_files")
    # The one thing not done with keys here: a keyboard user chooses the file in the operating
    # system's file dialog (Space on the focused field opens it), which a test cannot drive.
    page.locator("#id_files").set_input_files(pdf_file(tmp_path, "licence-application.pdf"))
    tab_to(page, "form.card .actions button[type=submit]")
    alice.shot("keyboard-form-filled")
    enter_and_wait(page)

    expect(page).to_have_url(re.compile(r"/applications/\d+/$"))
    pk = int(re.search(r"/applications/(\d+)/$", page.url).group(1))
    expect(page.locator("ul.messages li.success")).to_contain_text("The draft is saved with its materials")
    draft = Application.objects.get(pk=pk)
    assert (draft.state, draft.subject, draft.details["categories"]) == (State.DRAFT, SUBJECT, ["B14", "B25"])

    # The draft's page: open the "submit" action (Enter on its summary), Tab to its button, Enter.
    submit = f"details.action:has(form[action='/applications/{pk}/do/submit/'])"
    tab_to(page, f"{submit} > summary")
    page.keyboard.press("Enter")
    expect(page.locator(submit)).to_have_attribute("open", "")
    tab_to(page, f"{submit} button[type=submit]")
    enter_and_wait(page)
    expect(page.locator("ul.messages li.success")).to_contain_text("Done: submit.")
    expect(page.locator(".badge")).to_have_text("Received, awaiting acceptance")
    app = Application.objects.get(pk=pk)
    assert app.state == State.RECEIVED
    expect(page.locator("h1")).to_contain_text(app.tracking_number)
    alice.shot("keyboard-submitted")
    return app


def test_an_applicant_submits_without_a_mouse(committed_cast: Cast, visitor, tmp_path) -> None:
    alice = sign_in_by_keyboard(visitor, "keyboard-alice", "alice")
    expect(alice.page).to_have_url(re.compile(r"/portal/$"))
    app = submit_by_keyboard(alice, tmp_path)
    assert app.organisation_id == committed_cast.acme.pk
    assert app.received_on == workflow.today()


def test_an_officer_accepts_without_a_mouse(committed_cast: Cast, visitor, tmp_path) -> None:
    alice = sign_in_by_keyboard(visitor, "keyboard-alice2", "alice")
    app = submit_by_keyboard(alice, tmp_path)
    assert app.officer_id == committed_cast.olga.pk

    olga = sign_in_by_keyboard(visitor, "keyboard-olga", "olga")
    page = olga.page
    expect(page).to_have_url(re.compile(r"/worklist/$"))
    tab_to(page, f"table.worklist a[href='/applications/{app.pk}/']")
    enter_and_wait(page)
    expect(page.locator("h1")).to_contain_text(app.tracking_number)

    accept = f"details.action:has(form[action='/applications/{app.pk}/do/accept/'])"
    tab_to(page, f"{accept} > summary")
    page.keyboard.press("Enter")
    expect(page.locator(accept)).to_have_attribute("open", "")
    tab_to(page, f"{accept} button[type=submit]")
    olga.shot("keyboard-accept-open")
    enter_and_wait(page)
    expect(page.locator("ul.messages li.success")).to_contain_text("Done: accept.")
    expect(page.locator(".badge")).to_have_text("Under review")

    app.refresh_from_db()
    assert app.state == State.UNDER_REVIEW
    assert app.accepted_on == workflow.today()
    event = AuditEvent.objects.filter(application=app, action="accept").get()
    assert (event.actor_id, event.from_state, event.to_state) == (
        committed_cast.olga.pk,
        State.RECEIVED,
        State.UNDER_REVIEW,
    )


# -- 3: the skip link -------------------------------------------------------------------------------


#: Not the sign-in page: its username field has the focus as it opens (autofocus), in <main>.
@pytest.mark.parametrize("path", ["/track/", "/portal/", "/portal/new/telecom_licence/", "/worklist/"])
def test_the_first_tab_is_the_skip_link(committed_cast: Cast, visitor, path: str) -> None:
    person = visitor("keyboard-skip", language="en")
    if path != "/track/":
        who = "olga" if path == "/worklist/" else "alice"
        person.sign_in(who, f"pw-{who}")
    page = person.go(path)
    skip = page.locator("a.skip")
    box = skip.bounding_box()
    assert box is None or box["x"] + box["width"] <= 0 or box["y"] + box["height"] <= 0, "shown before the Tab"

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('a.skip[href=\"#main\"]')"), focused(page)
    assert_focus_visible(page)
    box = skip.bounding_box()
    viewport = page.viewport_size
    assert box is not None and box["width"] > 0 and box["height"] > 0, box
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= viewport["width"] and box["y"] + box["height"] <= viewport["height"], box
    expect(skip).to_have_text("Skip to the content")
    person.shot("skip-link" + path.replace("/", "-").rstrip("-"))

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    # The focus moved to <main> (or its start, which Chromium keeps without focusing <main>):
    # the next Tab goes to the first focusable thing inside it, not back to the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)"), focused(page)
    assert_focus_visible(page)
    main_top = page.locator("main").bounding_box()["y"]
    assert main_top < page.viewport_size["height"], "main is not scrolled into view"


# -- 5: labelled controls, errors tied to their fields ----------------------------------------------

NAMELESS = """() => Array.from(document.querySelectorAll('main input, main select, main textarea'))
  .filter(e => e.type !== 'hidden')
  .filter(e => {
    if (e.getAttribute('aria-label') && e.getAttribute('aria-label').trim()) return false;
    const by = (e.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    if (by.length && by.every(id => document.getElementById(id))) return false;
    if (e.labels && Array.from(e.labels).some(l => l.innerText.trim())) return false;
    return true;
  })
  .map(e => e.outerHTML.slice(0, 120))"""

#: For the element with the focus or a given selector: its aria-invalid and the texts its
#: aria-describedby points at (an id that is missing is reported as such).
DESCRIBED = """e => ({
  invalid: e.getAttribute('aria-invalid'),
  described: (e.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)
    .map(id => document.getElementById(id) ? document.getElementById(id).innerText.trim() : 'MISSING #' + id),
})"""


@pytest.mark.parametrize("procedure", list(Procedure))
def test_every_control_of_a_new_application_has_a_name(committed_cast: Cast, visitor, procedure: str) -> None:
    alice = visitor("keyboard-names", language="en")
    alice.sign_in("alice", "pw-alice")
    page = alice.go(f"/portal/new/{procedure}/")
    assert page.locator("main form input:not([type=hidden])").count() > 0
    assert page.evaluate(NAMELESS) == []


def test_a_missing_answer_is_tied_to_its_field(committed_cast: Cast, visitor) -> None:
    alice = sign_in_by_keyboard(visitor, "keyboard-errors", "alice")
    page = alice.go(f"/portal/new/{Procedure.TELECOM_LICENCE}/")

    # Empty and required: the browser keeps the form and puts the focus on the field.
    tab_to(page, "#id_subject")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_subject"
    assert page.evaluate("document.activeElement.validity.valueMissing")
    expect(page).to_have_url(re.compile(rf"/portal/new/{Procedure.TELECOM_LICENCE}/$"))

    # What the browser does not check: only spaces as the subject, no category ticked; the
    # server's messages come back on their fields.
    page.keyboard.type("   ")
    tab_to(page, "#id_coverage")
    page.keyboard.type("安徽省")
    enter_and_wait(page)
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    alice.shot("keyboard-errors")
    # The focus is on the summary (autofocus), which says what is wrong, each a link to its field.
    assert page.evaluate("document.activeElement.id") == "errors", focused(page)
    expect(summary.locator("li")).to_have_count(2)
    expect(summary.locator("a[href='#id_subject']")).to_have_text("What is applied for: This field is required.")
    expect(summary.locator("a[href='#id_categories_0']")).to_have_text(
        "Business categories: Tick at least one business category."
    )

    subject = page.locator("#id_subject")
    assert subject.evaluate(DESCRIBED) == {
        "invalid": "true",
        "described": [
            page.locator("#id_subject_helptext").inner_text().strip(),
            "This field is required.",
        ],
    }
    categories = page.locator("fieldset:has(input[name=categories])")
    described = categories.evaluate(DESCRIBED)["described"]
    assert "Tick at least one business category." in described, described
    for box in page.locator("input[name=categories]").all():
        assert box.get_attribute("aria-invalid") == "true"
    expect(page.locator("ul.errorlist", has_text="Tick at least one business category.")).to_be_visible()
    # The coverage answered is kept, without an error.
    assert page.locator("#id_coverage").input_value() == "安徽省"
    assert page.locator("#id_coverage").get_attribute("aria-invalid") is None

    # Enter on the summary's link takes the focus to the field, which says what is wrong.
    tab_to(page, ".error-summary a[href='#id_subject']")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_subject", focused(page)
    assert_focus_visible(page)


def test_radios_and_a_select_by_arrow_keys(committed_cast: Cast, visitor) -> None:
    """The other new-application forms' choices: arrow keys move a radio group's choice and a
    select's option, with a visible focus."""
    alice = sign_in_by_keyboard(visitor, "keyboard-choices", "alice")
    page = alice.go(f"/portal/new/{Procedure.NUMBER_RESOURCE}/")
    radios = page.locator("input[name=number_type]")
    assert radios.count() >= 2
    tab_to(page, "input[name=number_type]")  # Tab enters the group on its first radio
    page.keyboard.press("Space")
    expect(radios.nth(0)).to_be_checked()
    page.keyboard.press("ArrowDown")
    expect(radios.nth(1)).to_be_checked()
    assert radios.nth(1).evaluate("e => e === document.activeElement")
    assert_focus_visible(page)

    page = alice.go(f"/portal/new/{Procedure.WEBSITE_FILING}/")
    tab_to(page, "#id_provider")
    assert page.locator("#id_provider").input_value() == ""
    page.keyboard.press("ArrowDown")
    assert page.locator("#id_provider").input_value() == str(committed_cast.telecom.pk)
    assert_focus_visible(page)

"""Translations: zh-hans is the default language, and every string has its translation; a page
asked for in English shows no Chinese text of its own, and one asked for in Chinese no English."""

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import translation

PO = Path(__file__).parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries(text: str) -> list[tuple[str, str | None, str, bool, str | None]]:
    """(msgid, msgid_plural, msgstr (or msgstr[0]), fuzzy, msgctxt) of each entry but the header;
    enough of the .po format for ours."""

    def unquote(lines: list[str]) -> str:
        raw = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', "\n".join(lines)))
        return raw.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")

    out = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        body = [line for line in lines if not line.startswith("#")]
        if not body:
            continue  # an obsolete entry
        parts: dict[str, list[str]] = {}
        key = None
        for line in body:
            match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr\[0\]|msgstr\[\d+\]|msgstr)\s", line)
            if match:
                key = match.group(1)
                parts[key] = [line[match.end() :]]
            elif key:
                parts[key].append(line)
        msgid = unquote(parts["msgid"])
        plural = unquote(parts["msgid_plural"]) if "msgid_plural" in parts else None
        msgstr = unquote(parts.get("msgstr[0]") or parts.get("msgstr", []))
        context = unquote(parts["msgctxt"]) if "msgctxt" in parts else None
        if msgid:
            out.append((msgid, plural, msgstr, fuzzy, context))
    return out


def test_every_string_is_translated_and_compiled() -> None:
    found = entries(PO.read_text(encoding="utf-8"))
    assert len(found) > 50
    with translation.override("zh-hans"):
        for msgid, plural, msgstr, fuzzy, context in found:
            assert msgstr and not fuzzy, f"untranslated: {msgid!r}"
            if context:
                compiled = translation.pgettext(context, msgid)
            elif plural:
                compiled = translation.ngettext(msgid, plural, 1)
            else:
                compiled = translation.gettext(msgid)
            assert compiled == msgstr, f"run `make messages`: {msgid!r} is not compiled"


def test_chinese_is_the_default_and_english_is_available() -> None:
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)


def test_django_messages_mistranslated_in_chinese_are_corrected() -> None:
    # Django's zh_Hans catalogue says "empty strings are not allowed" for a NUL in a text field.
    from django.core.validators import ProhibitNullCharactersValidator

    with translation.override("zh-hans"):
        assert str(ProhibitNullCharactersValidator.message) == "不允许包含空字符（NUL）。"


# -- the pages: no text in the other language ---------------------------------------------------

D = date.fromisoformat

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff5e]+")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[a-z][A-Za-z'’-]*")
ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


class Text(HTMLParser):
    """The text a reader meets: element text and the attributes read out, without scripts,
    styles, and anything marked as another language (lang=, e.g. the language switch)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.append(tag)
            return
        if tag in ("script", "style") or ("lang" in attributes and tag != "html"):
            self.skipping.append(tag)
            return
        for name in ATTRIBUTES:
            if attributes.get(name):
                self.parts.append(attributes[name])

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and tag == self.skipping[-1]:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def text_of(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return "\n".join(part.strip() for part in parser.parts if part.strip())


def user_data() -> list[str]:
    """Every text the database holds that people typed or that came from outside (names,
    subjects, reasons, holiday names, numbers), longest first: removed before a scan."""
    found: set[str] = {settings.ADMINISTRATION_NAME, settings.ADMINISTRATION_PLACE}

    def collect(value) -> None:
        if isinstance(value, str):
            if value.strip():
                found.add(value.strip())
                found.update(line.strip() for line in value.splitlines() if line.strip())
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list | tuple):
            for item in value:
                collect(item)

    for model in apps.get_app_config("approvals").get_models():
        names = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField) and not field.choices
        ]
        for row in model.objects.values_list(*names):
            collect(row)
    return sorted(found, key=len, reverse=True)


#: Words the same in both languages: acronyms, file formats, names of products and packages, and
#: the calendar file's own keys and values (holiday-cn's ``papers``, a CSV's date,type,name).
SAME_IN_BOTH = {
    *("ICP", "PDF", "CSV", "XLSX", "ICS", "ics", "txt", "JSON", "API", "MB", "KB", "Excel"),
    *("Outlook", "Thunderbird", "holiday-cn", "chinesecalendar", "papers"),
    *("date", "type", "name", "holiday", "workday"),
}

#: Chinese that an English page must show as it is: what a person types or pastes in Chinese
#: (a filing number's form, the title of the State Council's notice).
DATA_EXAMPLES = ("皖ICP备2026001234号", "国务院办公厅关于…年部分节假日安排的通知")


def scene(cast, now) -> list[tuple[str, object, str]]:
    """Demo-like cases for every role (the cast's names are Chinese, as real ones; what anyone
    typed here is English, and all of it is taken out before a scan as user data), and the main
    pages each role opens: (who, user, url)."""
    from approvals import sla, workflow
    from approvals.models import Procedure
    from tests.reference import HOLIDAY_CN

    now(D("2026-03-03"))
    late = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    now(D("2026-04-08"))
    review = cast.under_review(received=D("2026-04-01"), accepted=D("2026-04-02"))
    extended = cast.under_review(Procedure.NUMBER_RESOURCE, received=D("2026-04-01"), accepted=D("2026-04-02"))
    workflow.request_extension(extended.pk, extended.officer, 5, "need an expert opinion")
    received = cast.received(on=D("2026-04-07"))
    corrected = cast.received(on=D("2026-04-07"))
    workflow.request_correction(corrected.pk, corrected.officer, "1. business licence copy")
    twice = cast.corrected(
        cast.received(on=D("2026-04-01")), asked=D("2026-04-02"), answered=D("2026-04-03"), items="1. seal"
    )
    workflow.request_correction(twice.pk, twice.officer, "2. signature")  # the one-notice duty broken
    paused = cast.under_review(received=D("2026-04-01"), accepted=D("2026-04-02"))
    paused = cast.paused(paused, on=D("2026-04-08"), until=D("2026-04-20"))
    at_provider = cast.received(Procedure.WEBSITE_FILING, on=D("2026-04-07"))
    filing = cast.under_review(Procedure.WEBSITE_FILING, received=D("2026-04-03"), accepted=D("2026-04-07"))
    decided = cast.under_review(received=D("2026-04-01"), accepted=D("2026-04-02"))
    workflow.deny(decided.pk, decided.officer, "conditions not met", "administrative review within 60 days")
    workflow.rate(decided.pk, cast.alice, 1, "too slow")
    granted = cast.under_review(received=D("2026-04-01"), accepted=D("2026-04-02"))
    workflow.grant(granted.pk, granted.officer)
    served = cast.under_review(received=D("2026-04-01"), accepted=D("2026-04-02"))
    workflow.grant(served.pk, served.officer)
    workflow.serve_certificate(served.pk, served.officer, "B2-20260001")
    workflow.rate(served.pk, cast.alice, 5, "")
    sla.sweep()
    job = workflow.preview_upload((HOLIDAY_CN / "sample-2027.json").read_bytes(), "2027.json", actor=cast.root)
    workflow.confirm_job(job, cast.root)  # loaded in the background (inline here): its result is shown
    cases = [late, review, extended, received, corrected, twice, paused, filing, decided, granted, served]
    from approvals.models import AppointmentKind

    for kind, slot in ((AppointmentKind.WINDOW, 0), (AppointmentKind.ONSITE, 1)):
        booked = workflow.book_appointment(
            cast.alice,
            kind=kind,
            procedure=Procedure.TELECOM_LICENCE,
            day=D("2026-04-09"),
            slot=workflow.appointment_slots()[slot],
            purpose="to hand in the papers",
            contact_phone="13800000000",
            address="1 Main Street" if kind == AppointmentKind.ONSITE else "",
        )
    workflow.answer_appointment(booked.pk, cast.olga, confirm=True, reply="see you")
    pages: list[tuple[str, object, str]] = []
    for url in ("/portal/", "/portal/new/", "/notifications/", "/appointments/"):
        pages.append(("enterprise", cast.alice, url))
    for procedure in Procedure.values:
        pages.append(("enterprise", cast.alice, f"/portal/new/{procedure}/"))
    pages += [("enterprise", cast.alice, f"/applications/{app.pk}/") for app in [*cases, at_provider]]
    pages += [("provider", cast.pat, "/provider/"), ("provider", cast.pat, f"/applications/{at_provider.pk}/")]
    for url in ("/worklist/", "/notifications/", "/feeds/", "/appointments/"):
        pages.append(("officer", cast.olga, url))
    pages += [("officer", app.officer, f"/applications/{app.pk}/") for app in cases]
    for url in ("/dashboard/", "/dashboard/cases/red/", "/worklist/", "/reports/", "/notifications/"):
        pages.append(("manager", cast.mia, url))
    pages += [("manager", cast.mia, f"/dashboard/officers/{cast.olga.pk}/"), ("manager", cast.mia, "/appointments/")]
    pages += [("manager", cast.mia, "/reports/?month=2026-03"), ("manager", cast.max, "/dashboard/")]
    pages += [("manager", cast.mia, f"/applications/{app.pk}/") for app in (late, extended, decided)]
    pages += [("manager", cast.max, f"/applications/{filing.pk}/")]
    for url in ("/dashboard/", "/calendar/", f"/calendar/jobs/{job.pk}/"):
        pages.append(("admin", cast.root, url))
    for url in ("/track/", "/published/", "/accounts/login/", "/verify/"):
        pages.append(("visitor", None, url))
    return pages


def leaks(pages, language: str) -> list[tuple[str, str, list[str]]]:
    """Each page's text in the other language: CJK characters on an English page, English words
    on a Chinese one, once user data is taken out."""
    from tests.cast import browser

    data = user_data()
    out = []
    for who, user, url in pages:
        response = browser(user, language=language).get(url)
        assert response.status_code == 200, (who, url, response.status_code)
        text = text_of(response.content.decode())
        for value in (*data, *DATA_EXAMPLES):
            if value.isascii():
                text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", " ", text)
            else:
                text = text.replace(value, " ")
        if language == "en":
            found = [match.group() for match in CJK.finditer(text)]
        else:
            found = [word for word in WORD.findall(text) if word not in SAME_IN_BOTH]
        if found:
            contexts = []
            for item in dict.fromkeys(found):
                at = text.find(item)
                contexts.append(f"{item!r} in …{text[max(0, at - 30) : at + len(item) + 30]!r}…")
            out.append((who, url, contexts))
    return out


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_main_pages_of_every_role_speak_only_the_language_asked_for(cast, now, language: str) -> None:
    # English: no Chinese but the user data; Chinese: no English words but acronyms and formats.
    found = leaks(scene(cast, now), language)
    assert not found, "\n".join(f"{who} {url}: {'; '.join(items)}" for who, url, items in found)


def test_the_scan_finds_text_in_the_other_language_and_ignores_user_data(db) -> None:
    english = "<html><body><h1>Worklist</h1><label>搜索</label><select><option>全部</option></select></body></html>"
    assert CJK.findall(text_of(english)) == ["搜索", "全部"]
    marked = '<p>Done <button lang="zh-hans">中文</button><script>var x = "脚本";</script></p>'
    assert CJK.findall(text_of(marked)) == []
    assert text_of('<input placeholder="Tracking number" aria-label="搜索">').split("\n") == ["搜索", "Tracking number"]

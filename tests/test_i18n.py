"""Translations: zh-hans is the default language, and every string has its translation."""

import re
from pathlib import Path

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

"""Translations: zh-hans is the default language, and every string has its translation."""

import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries(text: str) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) of each entry but the header; enough of the .po format for ours."""

    def unquote(lines: list[str]) -> str:
        return (
            "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', "\n".join(lines)))
            .encode()
            .decode("unicode_escape")
            .encode("latin-1")
            .decode("utf-8")
        )

    out = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        body = [line for line in lines if not line.startswith("#")]
        if not body:
            continue  # an obsolete entry
        at_str = next(i for i, line in enumerate(body) if line.startswith("msgstr"))
        msgid, msgstr = unquote(body[:at_str]), unquote(body[at_str:])
        if msgid:
            out.append((msgid, msgstr, fuzzy))
    return out


def test_every_string_is_translated_and_compiled() -> None:
    found = entries(PO.read_text(encoding="utf-8"))
    assert len(found) > 50
    with translation.override("zh-hans"):
        for msgid, msgstr, fuzzy in found:
            assert msgstr and not fuzzy, f"untranslated: {msgid!r}"
            assert translation.gettext(msgid) == msgstr, f"run `make messages`: {msgid!r} is not compiled"


def test_chinese_is_the_default_and_english_is_available() -> None:
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)

"""System checks for documents (docs/DEPLOY.md, "Documents"): on every ``manage.py check`` (which
``make run`` runs) that a Chinese font is there to typeset them; on the deployment's
(``check --deploy``, ``make check-deploy``) that they can be signed, and not with the development pair."""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def signing_configured(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if settings.DOCUMENT_SIGNER:
        return []
    key, cert = settings.DOCUMENT_SIGNING_KEY, settings.DOCUMENT_SIGNING_CERT
    if not key or not cert:
        return [
            checks.Error(
                "No document signing key: every act that issues a document would be refused.",
                hint="Set DOCUMENT_SIGNING_KEY and DOCUMENT_SIGNING_CERT (PEM files) or DOCUMENT_SIGNER.",
                id="shixian.E001",
            )
        ]
    missing = [path for path in (key, cert) if not Path(path).is_file()]
    if missing:
        return [
            checks.Error(
                f"The document signing files are not there: {', '.join(missing)}.",
                hint="Put the administration's key and certificate there, readable by the app's user.",
                id="shixian.E002",
            )
        ]
    if Path(key).parent == settings.BASE_DIR / "var" / "signing":
        return [
            checks.Warning(
                "Documents are signed with the development pair (var/signing): test signatures.",
                hint="Set DOCUMENT_SIGNING_KEY and DOCUMENT_SIGNING_CERT to the administration's own.",
                id="shixian.W001",
            )
        ]
    return []


@checks.register()
def cjk_fonts(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The documents' faces need a Chinese font (Debian's fonts-noto-cjk) or their text is boxes."""
    try:
        listed = subprocess.run(
            ["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        listed = ""
    if "Noto Serif CJK" in listed or "Noto Sans CJK" in listed:
        return []
    return [
        checks.Warning(
            "No Noto CJK font is installed: documents would be typeset without Chinese glyphs.",
            hint="apt-get install fonts-noto-cjk (docs/DEPLOY.md, Documents).",
            id="shixian.W002",
        )
    ]

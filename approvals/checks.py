"""System checks of the deployment (``manage.py check --deploy``, ``make check-deploy``): that
documents can be signed, and not with the development pair (docs/DEPLOY.md, "Documents")."""

from __future__ import annotations

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

"""`python manage.py signing_key`: make sure documents can be signed.

With the development defaults (DEBUG, no DOCUMENT_SIGNING_KEY in the environment) it makes the
self-signed development pair under var/signing the first time and says so; documents signed with
it are marked as test signatures. With a configured key and certificate it only checks that they
load. Exits non-zero, saying why, when nothing can sign. ``make run`` calls it.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from approvals.documents import signing


class Command(BaseCommand):
    help = "Check the documents' signing key; in development, make the test pair once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--test-pair",
            metavar="FOLDER",
            help="only write a throwaway test pair (key.pem, cert.pem) into FOLDER, e.g. for make check-deploy",
        )

    def handle(self, *args, test_pair: str | None = None, **options) -> None:
        if test_pair:
            folder = Path(test_pair)
            if (folder / "key.pem").exists():
                raise CommandError(_("%(folder)s already holds a key.pem: nothing written.") % {"folder": folder})
            signing.generate_development_pair(folder / "key.pem", folder / "cert.pem", settings.ADMINISTRATION_NAME)
            self.stdout.write(str(folder / "key.pem"))
            return
        key, cert = settings.DOCUMENT_SIGNING_KEY, settings.DOCUMENT_SIGNING_CERT
        if not key or not cert:
            raise CommandError(
                _("No signing key: set DOCUMENT_SIGNING_KEY and DOCUMENT_SIGNING_CERT (docs/DEPLOY.md).")
            )
        development = Path(key).parent == settings.BASE_DIR / "var" / "signing"
        if development and not (Path(key).exists() and Path(cert).exists()):
            signing.generate_development_pair(Path(key), Path(cert), settings.ADMINISTRATION_NAME)
            self.stdout.write(
                _(
                    "Made a development signing key (%(key)s) and certificate (%(cert)s): documents "
                    "signed with it are marked as test signatures. A deployment sets its own (docs/DEPLOY.md)."
                )
                % {"key": key, "cert": cert}
            )
        try:
            signer = signing.current()
        except signing.SigningUnavailable as exc:
            raise CommandError(_("Documents cannot be signed: %(why)s") % {"why": exc}) from None
        if signer.test:
            self.stdout.write(_("Documents are signed with the development key: test signatures."))
        else:
            self.stdout.write(_("Documents are signed by %(subject)s.") % {"subject": signer.subject})

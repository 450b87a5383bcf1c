"""`manage.py startup_summary`: the few lines `make run` ends its start-up with."""

import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from approvals.apps import backends
from approvals.management.commands.seed_demo import sign_in_lines


def where_emails_go() -> str:
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    if backend == "filebased":
        return _(
            "Emails are written to %(folder)s/ (a .log file per batch sent), not printed; each user "
            "reads the same notices in the app (Notifications)."
        ) % {"folder": settings.EMAIL_FILE_PATH}
    if backend == "console":
        return _("Emails are printed on this console.")
    if backend == "smtp":
        return _("Emails are sent through %(host)s:%(port)s.") % {
            "host": settings.EMAIL_HOST,
            "port": settings.EMAIL_PORT,
        }
    return _("Emails go to %(backend)s.") % {"backend": settings.EMAIL_BACKEND}


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (urllib.error.URLError, OSError):
        return False


class Command(BaseCommand):
    help = _("Print where the running app answers, how to sign in as the demo users and where emails go.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default=settings.SITE_URL, help=_("the app's address (default: SITE_URL)"))
        parser.add_argument(
            "--wait",
            type=float,
            default=0,
            help=_("seconds to wait for the address to answer before printing (0: do not wait)"),
        )

    def handle(self, *args, url: str, wait: float, **options) -> None:
        url = url.rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise CommandError(_("--url must start with http:// or https://, not %(url)r.") % {"url": url})
        deadline = time.monotonic() + max(0.0, wait)
        while wait and not answers(url + "/accounts/login/"):
            if time.monotonic() > deadline:
                raise CommandError(_("%(url)s did not answer within %(n)s s.") % {"url": url, "n": wait})
            time.sleep(0.5)
        write = self.stdout.write
        write("")
        write("=" * 72)
        write(_("shixian is running at %(url)s/ (its django-q2 worker too); Ctrl-C stops both.") % {"url": url})
        for line in sign_in_lines(url):
            write(line)
        write(where_emails_go())
        write(backends())
        write("=" * 72)

"""`python manage.py verify_audit`: walk the audit trail's hash chain (approvals.audit.verify_chain),
then check every issued document's file against the hash the chain recorded (verify_documents).

Exits 0 and says how many events and documents it checked when all is whole; otherwise names the
first event or document that does not fit, and why, on stderr and exits non-zero.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from approvals.audit import verify_chain, verify_documents
from approvals.models import AuditHead

# approvals.audit.verify_chain's reasons, marked here so that makemessages collects them; they
# are translated when printed (a reason not listed here is printed as it is).
REASONS = (
    gettext_noop("its previous hash is not the hash of the event before it"),
    gettext_noop("its content does not match its hash"),
    gettext_noop("the newest events are missing (the chain head does not match)"),
    gettext_noop("the audit chain does not record it as it is"),
    gettext_noop("its file is missing"),
    gettext_noop("its file is not the one issued (its SHA-256 differs)"),
)


class Command(BaseCommand):
    help = "Check the audit trail's hash chain up to its head; exits non-zero naming the first bad event."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=2000, metavar="N", help="events read per query")

    def handle(self, *args, batch: int, **options) -> None:
        if batch < 1:
            raise CommandError(_("--batch must be a positive number"))
        try:
            verdict = verify_chain(batch=batch)
        except AuditHead.DoesNotExist:
            raise CommandError(_("audit chain head is missing: the chain cannot be verified")) from None
        if verdict.ok:
            self.stdout.write(
                ngettext("audit chain OK: %(n)d event", "audit chain OK: %(n)d events", verdict.checked)
                % {"n": verdict.checked}
            )
            self._documents(batch)
            return
        reason = _(verdict.reason)
        if verdict.first_bad_id is None:
            raise CommandError(
                _("audit chain broken after %(n)d good events: %(reason)s") % {"n": verdict.checked, "reason": reason}
            )
        raise CommandError(
            _("audit chain broken at event %(id)s (the %(n)d events before it are good): %(reason)s")
            % {"id": verdict.first_bad_id, "n": verdict.checked, "reason": reason}
        )

    def _documents(self, batch: int) -> None:
        verdict = verify_documents(batch=batch)
        if not verdict.ok:
            raise CommandError(
                _("document %(number)s does not verify (the %(n)d documents before it do): %(reason)s")
                % {"number": verdict.bad_number, "n": verdict.checked, "reason": _(verdict.reason)}
            )
        self.stdout.write(
            ngettext("documents OK: %(n)d document", "documents OK: %(n)d documents", verdict.checked)
            % {"n": verdict.checked}
        )

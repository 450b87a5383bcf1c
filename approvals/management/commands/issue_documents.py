"""`python manage.py issue_documents --missing`: issue the documents owed by acts recorded
before documents were (approvals.workflow.documents), dated as each act and marked as issued
later. Idempotent: a second run issues nothing. ``--dry-run`` only counts them."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from approvals.workflow import documents


class Command(BaseCommand):
    help = "Issue the documents owed by acts recorded before documents were issued."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--missing", action="store_true", help="issue every document an act owes and lacks")
        parser.add_argument("--dry-run", action="store_true", help="only say how many are owed")
        parser.add_argument("--limit", type=int, metavar="N", help="issue at most N")

    def handle(self, *args, missing: bool, dry_run: bool, limit: int | None, **options) -> None:
        if not missing:
            raise CommandError(_("Say what to issue: --missing (the documents owed by acts recorded before)."))
        if limit is not None and limit < 1:
            raise CommandError(_("--limit must be a positive number"))
        if dry_run:
            owed = documents.owed_events().count()
            self.stdout.write(ngettext("%(n)d document owed", "%(n)d documents owed", owed) % {"n": owed})
            return
        result = documents.issue_missing(limit)
        for number in result.issued:
            self.stdout.write(number)
        for event_id, why in result.failed.items():
            self.stderr.write(_("act %(id)s: not issued: %(why)s") % {"id": event_id, "why": why})
        self.stdout.write(
            ngettext("%(n)d document issued", "%(n)d documents issued", len(result.issued)) % {"n": len(result.issued)}
        )
        if result.failed:
            raise CommandError(
                ngettext(
                    "%(n)d document could not be issued", "%(n)d documents could not be issued", len(result.failed)
                )
                % {"n": len(result.failed)}
            )

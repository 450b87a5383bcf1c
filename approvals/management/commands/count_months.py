from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from approvals import reports, workflow
from approvals.holidays import work_calendar


class Command(BaseCommand):
    help = (
        "Count ahead the dashboard's on-time figures of the months that have ended (what the "
        "scheduled task does every night); months already counted on this calendar are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--months",
            type=int,
            default=reports.MONTHS_KEPT,
            help="how many ended months back (default %(default)s: the dashboard's period filter)",
        )
        parser.add_argument("--recount", action="store_true", help="count them again even if counted")

    def handle(self, *args, months: int, recount: bool, **options) -> None:
        if not 1 <= months <= 120:
            raise CommandError(_("--months %(n)s: expected 1 to 120") % {"n": months})
        counted = reports.count_months(workflow.today(), work_calendar(), months=months, recount=recount)
        for month in counted:
            self.stdout.write(month.strftime("%Y-%m"))
        # The last line, for scripts.
        self.stdout.write(f"months counted: {len(counted)}")

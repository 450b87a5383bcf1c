from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from approvals import sla, workflow
from approvals.management.arguments import parsed


class Command(BaseCommand):
    help = "Run one SLA sweep now: raise the alerts due, apply deemed acceptances, send owed emails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", help="sweep as of this day, today or earlier (YYYY-MM-DD; default today, Asia/Shanghai)"
        )

    def handle(self, *args, date: str | None = None, **options) -> None:
        today = None
        if date:
            today = parsed(_parse, date, _("--date %(raw)r: expected a date in the form YYYY-MM-DD") % {"raw": date})
            if today > workflow.today():
                # Alerts are re-armed against the real today: a sweep "in the future" would raise
                # an alert that the next clock refresh clears again, for ever.
                raise CommandError(
                    _("--date %(day)s is in the future: a sweep runs for today or a day already past")
                    % {"day": today.isoformat()}
                )
        result = sla.sweep(today)
        self.stdout.write(_("deemed accepted: %(n)s") % {"n": result.deemed})
        self.stdout.write(_("stale units re-aimed: %(n)s") % {"n": result.stale})
        self.stdout.write(_("emails sent: %(n)s") % {"n": result.emails})
        if result.failed:
            self.stderr.write(
                _("failed (retried by the next sweep): %(ids)s") % {"ids": ", ".join(map(str, result.failed))}
            )
        # The last line, for scripts: the number of new alerts.
        self.stdout.write(f"alerts raised: {result.raised}")


def _parse(raw: str) -> date:
    if len(raw) != 10:
        raise ValueError(raw)
    return date.fromisoformat(raw)

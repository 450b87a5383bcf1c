import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from approvals.calendar import Pause, parse_day
from approvals.deadlines import DeadlineError, calculate
from approvals.management.arguments import parsed
from approvals.models import Procedure


def _date(raw: str, what: str) -> date:
    return parsed(
        parse_day, raw, _("%(what)s: %(raw)r is not a date in the form YYYY-MM-DD") % {"what": what, "raw": raw}
    )


class Command(BaseCommand):
    help = (
        "Print the promised due date of a clock that starts on START under the policy in force that day; "
        "--json prints the statutory due date and the explanation too."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", metavar="KIND", help=f"one of {', '.join(Procedure.values)}")
        parser.add_argument("start", metavar="START", help="the day the clock starts (YYYY-MM-DD); it is not counted")
        parser.add_argument(
            "--pause",
            action="append",
            default=[],
            metavar="STOP:RESUME",
            help="a special procedure: the stop day counts, the resume day does not (repeatable)",
        )
        parser.add_argument("--extend", default="0", metavar="N", help="an approved extension of N working days")
        parser.add_argument("--received", metavar="DATE", help="the day the application was received (default: START)")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print one JSON object with the whole answer"
        )

    def handle(
        self, *args, kind: str, start: str, pause: list[str], extend: str, received: str | None, as_json: bool, **opts
    ) -> None:
        if kind not in Procedure.values:
            raise CommandError(
                _("unknown kind %(kind)r: expected one of %(kinds)s")
                % {"kind": kind, "kinds": ", ".join(Procedure.values)}
            )
        start_day = _date(start, "START")
        received_day = _date(received, "--received") if received else None
        pauses = []
        for raw in pause:
            stop, sep, resume = raw.partition(":")
            if not sep:
                raise CommandError(
                    _("--pause %(raw)r: expected STOP:RESUME, two dates in the form YYYY-MM-DD") % {"raw": raw}
                )
            pauses.append(Pause(_date(stop, "--pause STOP"), _date(resume, "--pause RESUME")))
        extension = parsed(
            int, extend, _("--extend %(raw)r: expected a whole number of working days") % {"raw": extend}
        )
        try:
            answer = calculate(kind, start_day, pauses=pauses, extension=extension, received=received_day)
        except DeadlineError as exc:
            raise CommandError(str(exc)) from None
        if as_json:
            self.stdout.write(json.dumps(answer.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(answer.promised.due.isoformat())
        if answer.promised_range is not None:
            years = ", ".join(str(y) for y in answer.provisional_years)
            earliest, latest = answer.promised_range
            self.stderr.write(
                _(
                    "provisional: the holiday schedule for %(years)s is not official yet; "
                    "the date may fall between %(earliest)s and %(latest)s"
                )
                % {"years": years, "earliest": earliest.isoformat(), "latest": latest.isoformat()}
            )

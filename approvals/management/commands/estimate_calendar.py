"""`manage.py estimate_calendar YEAR [--json]`: what the project assumes for YEAR without its notice."""

import json
import unicodedata

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from approvals.estimate import FIRST_YEAR, LAST_YEAR, estimate_year


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: two for a Chinese character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


class Command(BaseCommand):
    help = (
        "Print the estimate of YEAR's holiday schedule from the law (approvals.estimate), whatever is "
        "loaded: the statutory days, the best guess of the adjusted days, and which days are uncertain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", metavar="YEAR", help=f"the year to estimate ({FIRST_YEAR}-{LAST_YEAR})")
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help='print {"year": Y, "days": [{"date", "name", "isOffDay", "certain"}, ...]}',
        )

    def handle(self, *args, year: str, as_json: bool, **options) -> None:
        try:
            number = int(year.strip())
        except ValueError:
            raise CommandError(
                _("YEAR %(raw)r is not a year: expected a whole number such as 2027") % {"raw": year}
            ) from None
        if not FIRST_YEAR <= number <= LAST_YEAR:
            raise CommandError(
                _("YEAR %(year)s is outside the years the estimate covers, %(first)s-%(last)s")
                % {"year": number, "first": FIRST_YEAR, "last": LAST_YEAR}
            )
        days = estimate_year(number)
        if as_json:
            listed = [
                {"date": d.date.isoformat(), "name": d.name, "isOffDay": d.off, "certain": d.certain} for d in days
            ]
            self.stdout.write(json.dumps({"year": number, "days": listed}, ensure_ascii=False))
            return
        header = [_("Date"), _("Weekday"), _("Festival"), _("Best guess"), _("Certainty")]
        rows = [
            [
                d.date.isoformat(),
                str(WEEKDAYS_ABBR[d.date.weekday()]),
                d.name or "-",
                _("off") if d.off else _("working"),
                _("certain") if d.certain else _("uncertain"),
            ]
            for d in days
        ]
        widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
        self.stdout.write(
            _("%(year)s without its notice: estimated from the law and recent notices") % {"year": number}
        )
        for row in [header, *rows]:
            self.stdout.write("  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip())
        uncertain = sum(1 for d in days if not d.certain)
        self.stdout.write(_("uncertain days: %(count)s") % {"count": uncertain})

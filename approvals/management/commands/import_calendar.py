from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from approvals import workflow
from approvals.holidays import ScheduleError, read_schedule


class Command(BaseCommand):
    help = (
        "Load a year's official holiday schedule from a holiday-cn JSON file or a CSV file with the "
        "header date,type,name (type: holiday or workday). The load is atomic, makes the year official "
        "and recomputes the open applications whose clocks it touches."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the schedule file (.json in holiday-cn format, or .csv)")
        parser.add_argument("--year", type=int, help="the notice's year (CSV only; default: the latest year in it)")
        parser.add_argument("--source", default="", help="the notice's title or address (default: the file's papers)")

    def handle(self, *args, file: Path, year: int | None, source: str, **options) -> None:
        try:
            schedule = read_schedule(file, year=year, source=source)
            result, moved = workflow.load_calendar(schedule)
        except ScheduleError as exc:
            raise CommandError(_("%(file)s: %(error)s; nothing was changed") % {"file": file, "error": exc}) from None
        self.stdout.write(str(result))
        self.stdout.write(_("open applications whose due dates moved: %(n)s") % {"n": moved})

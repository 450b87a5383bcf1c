from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from approvals import workflow
from approvals.holidays import Schedule, ScheduleError, dump_holiday_cn, plan_import, read_upload


def _runs(days: list) -> str:
    """Dates as runs: 2026-01-01 to 2026-01-03, 2026-01-05."""
    runs: list[list] = []
    for day in days:
        if runs and (day - runs[-1][1]).days == 1:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return ", ".join(
        first.isoformat() if first == last else _("%(first)s to %(last)s") % {"first": first, "last": last}
        for first, last in runs
    )


def summary(schedule: Schedule) -> list[str]:
    """What a dry run says it read, festival by festival, and what loading it would do."""
    off = [entry for entry in schedule.entries if not entry.working]
    lines = [
        (_("%(year)s correction: %(source)s") if schedule.correction else _("%(year)s notice: %(source)s"))
        % {"year": schedule.year, "source": " · ".join(schedule.papers) or "—"},
        _("%(n)s days: %(off)s days off, %(working)s adjusted working days, %(first)s to %(last)s.")
        % {
            "n": len(schedule.entries),
            "off": len(off),
            "working": len(schedule.entries) - len(off),
            "first": schedule.entries[0].date,
            "last": schedule.entries[-1].date,
        },
    ]
    names = list(dict.fromkeys(entry.name for entry in schedule.entries))
    for name in names:
        days_off = [e.date for e in schedule.entries if e.name == name and not e.working]
        working = [e.date for e in schedule.entries if e.name == name and e.working]
        parts = []
        if days_off:
            parts.append(_("off %(days)s") % {"days": _runs(days_off)})
        if working:
            parts.append(_("working %(days)s") % {"days": _runs(working)})
        lines.append(f"  {name or '—'}: " + "; ".join(parts))
    if schedule.replaces:
        lines.append(
            _("As a correction it replaces the loaded days of %(festivals)s, and changes no other festival.")
            % {"festivals": "、".join(schedule.replaces)}
        )
    plan = plan_import(schedule)
    lines.append(
        _("Loading it would add %(created)s entries, change %(updated)s, remove %(deleted)s and leave %(unchanged)s.")
        % vars(plan)
    )
    moves = workflow.preview_calendar(schedule)  # counted on the calendar after it; writes nothing
    lines.append(
        _("Open due dates that would move: %(n)s, in %(apps)s applications.")
        % {"n": len(moves), "apps": len({move.application_id for move in moves})}
    )
    return lines


class Command(BaseCommand):
    help = (
        "Load a year's official holiday schedule from a holiday-cn JSON file, a CSV file with the header "
        "date,type,name (type: holiday or workday), or the State Council's notice as published (a .txt file). "
        "The load is atomic, makes the year official and recomputes the open applications whose clocks it "
        "touches. --dry-run reads and checks the file and changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the schedule file (.json in holiday-cn format, .csv, or .txt)")
        parser.add_argument(
            "--year", type=int, help="the notice's year (default: the notice's title, or the latest year in a CSV)"
        )
        parser.add_argument(
            "--source", default="", help="the notice's title or address (default: the file's papers, or the title)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="read and check the file, say what it holds; change nothing"
        )
        parser.add_argument(
            "--json", action="store_true", help="with --dry-run: print what was read in the holiday-cn JSON format"
        )
        parser.add_argument(
            "--correction",
            action="store_true",
            help="merge the file into the year's loaded schedule date by date (a follow-up notice is one "
            "by itself); a file with a single day can only be loaded as a correction",
        )

    def handle(
        self,
        *args,
        file: Path,
        year: int | None,
        source: str,
        dry_run: bool,
        json: bool,
        correction: bool,
        **options,
    ) -> None:
        if json and not dry_run:
            raise CommandError(_("--json goes with --dry-run: it prints what the file holds, and changes nothing"))
        try:
            schedule = read_upload(file, year=year, source=source, correction=correction)
            if dry_run:
                if json:
                    self.stdout.write(dump_holiday_cn(schedule))
                else:
                    self.stdout.write(_("Dry run: nothing was changed."))
                    for line in summary(schedule):
                        self.stdout.write(line)
                return
            result, moved = workflow.load_calendar(schedule)
        except ScheduleError as exc:
            message = " ".join(str(exc).split())  # one line, whatever the entry held
            raise CommandError(
                _("%(file)s: %(error)s; nothing was changed") % {"file": file, "error": message}
            ) from None
        self.stdout.write(str(result))
        self.stdout.write(_("open applications whose due dates moved: %(n)s") % {"n": moved})

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from approvals import schedules


class Command(BaseCommand):
    help = "Create or update django-q2's schedules (the SLA sweep, the morning digest). Safe to run again."

    def handle(self, *args, **options) -> None:
        labels = {
            "created": _("created"),
            "updated": _("updated"),
            "unchanged": _("unchanged"),
            "removed": _("removed"),
        }
        for name, what in schedules.install():
            self.stdout.write(f"{name}: {labels[what]}")

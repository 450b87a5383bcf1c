from django.core.management.base import BaseCommand
from django.utils.translation import pgettext

from approvals import schedules


class Command(BaseCommand):
    help = "Create or update django-q2's schedules (the SLA sweep, the morning digest). Safe to run again."

    def handle(self, *args, **options) -> None:
        labels = {
            "created": pgettext("schedule", "created"),
            "updated": pgettext("schedule", "updated"),
            "unchanged": pgettext("schedule", "unchanged"),
            "removed": pgettext("schedule", "removed"),
        }
        for name, what in schedules.install():
            self.stdout.write(f"{name}: {labels[what]}")

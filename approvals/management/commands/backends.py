from django.core.management.base import BaseCommand

from approvals.apps import backends


class Command(BaseCommand):
    help = "Print the database, the django-q2 broker and the cache this environment's settings use."

    def handle(self, *args, **options) -> None:
        self.stdout.write(backends())

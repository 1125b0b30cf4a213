from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.operations.demo import demo_current_codes


class Command(BaseCommand):
    help = "Print the current two-factor code of every demo user (development only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo codes are only printed when DEBUG is on.")
        codes = demo_current_codes()
        if not codes:
            raise CommandError("No demo users yet: run `make run` (or manage.py seed_demo) first.")
        for email, code in codes:
            self.stdout.write(f"  {email:<34} {code}")
        self.stdout.write("Codes change every 30 seconds, and each works once.")

from base64 import b32encode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.celery import ensure_filesystem_broker_folders
from portal.operations.demo import DEMO_PASSWORD, demo_api_key_issue, demo_data_load

AGENCY_LABEL = "Example Constabulary → Northbridge Family Support"


class Command(BaseCommand):
    help = "Load the demo organisations, users and groups (development only; safe to re-run)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print logins.")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data has known passwords: it is only loaded when DEBUG is on.")
        ensure_filesystem_broker_folders()
        logins = demo_data_load(progress=lambda message: self.stdout.write(f"  … {message}"))
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        if options["quiet_logins"]:
            return
        self.stdout.write("")
        self.stdout.write(f"Every demo user's password: {DEMO_PASSWORD}")
        self.stdout.write("Second factor: add the secret to an authenticator app, or run")
        self.stdout.write("`make codes` to print each user's current 6-digit code.")
        self.stdout.write("")
        width = max(len(demo.email) for demo, _ in logins)
        for demo, hex_key in logins:
            secret = b32encode(bytes.fromhex(hex_key)).decode().rstrip("=")
            role = demo.role or "platform admin"
            self.stdout.write(f"  {demo.email:<{width}}  {role:<14} TOTP secret {secret}")
        self.stdout.write("")
        self.stdout.write(
            f"API key for {AGENCY_LABEL} (see docs/api.md; a new one each start): "
            f"{demo_api_key_issue()}"
        )

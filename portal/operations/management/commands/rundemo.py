"""Run the whole portal on one machine: migrate, load demo data, web server, worker and beat."""

import os
import signal
import subprocess  # runs the worker and scheduler beside the demo  # nosec B404
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from portal.celery import ensure_filesystem_broker_folders, worker_command


class Command(BaseCommand):
    help = (
        "Migrate, load demo data, then serve the portal with a Celery worker and beat "
        "running beside it. Stop with Ctrl+C."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("rundemo is for the embedded default only (DEBUG on).")
        host, port = options["host"], options["port"]
        url = f"http://{host}:{port}/"
        if "PORTAL_BASE_URL" not in os.environ:
            # The links printed in messages (a family's support page, stopping contact)
            # must lead to this server, on whatever port it was given. Set in the
            # environment too, for the worker, which sends most of them.
            # A server on every interface is opened at 127.0.0.1 from this machine.
            link_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104  # nosec B104
            os.environ["PORTAL_BASE_URL"] = settings.PORTAL_BASE_URL = f"http://{link_host}:{port}"
        settings.LOCAL_DIR.mkdir(parents=True, exist_ok=True)
        # Demo data queues background jobs, so the broker's folders must exist first.
        ensure_filesystem_broker_folders()
        self.stdout.write("Preparing the database …")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo", stdout=self.stdout)

        worker = subprocess.Popen(  # noqa: S603 - fixed arguments  # nosec B603
            worker_command(
                "--beat",
                "--pool=solo",
                "--loglevel=INFO",
                f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}",
            ),
            start_new_session=True,
        )
        # Stop the worker with us, whether we end by Ctrl+C or by a signal.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"The portal is at {url}"))
        self.stdout.write(f"Staff sign in: {url}accounts/login/   (Ctrl+C stops everything)")
        self.stdout.write("")
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        except KeyboardInterrupt:
            pass
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)

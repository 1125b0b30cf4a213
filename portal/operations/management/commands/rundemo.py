"""Run the whole portal on one machine: migrate, load demo data, web server, worker and beat."""

import logging
import os
import signal
import subprocess  # runs the worker and scheduler beside the demo  # nosec B404
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from portal.celery import ensure_filesystem_broker_folders, worker_command
from portal.operations.demo_logging import DEMO_QUIET_LOGGERS


def demo_base_url(host: str, port: str | int) -> str:
    """The address links to the demo are made with: this server's host and port.

    A server on every interface (0.0.0.0, ::) is opened at 127.0.0.1 from this machine;
    an IPv6 address is bracketed."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104  # nosec B104
        host = "127.0.0.1"
    host = host.strip("[]")
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def demo_logs_quiet() -> None:
    """The demo's terminal without a line per request or routine job
    (``DEMO_QUIET_LOGGERS``): here, where logging is already set up, and for the worker,
    whose development settings read ``DEMO_QUIET_LOGS`` when it starts."""
    os.environ.setdefault("DEMO_QUIET_LOGS", "true")
    if os.environ["DEMO_QUIET_LOGS"].lower() not in ("true", "1", "yes", "on"):
        return
    os.environ["DEMO_QUIET_LOGS"] = "true"
    # In LOGGING too: the web server sets logging up again from it when it starts.
    loggers = {name: dict(config) for name, config in settings.LOGGING["loggers"].items()}
    for name in DEMO_QUIET_LOGGERS:
        loggers.setdefault(name, {})["level"] = "WARNING"
        logging.getLogger(name).setLevel(logging.WARNING)
    settings.LOGGING = {**settings.LOGGING, "loggers": loggers}


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
        if not str(port).isdigit() or not 0 < int(port) < 65536:
            raise CommandError(f"PORT must be a number from 1 to 65535, not {port!r}.")
        base_url = demo_base_url(host, port)
        url = f"{base_url}/"
        if "PORTAL_BASE_URL" not in os.environ:
            # The links printed in messages (a family's support page, stopping contact)
            # must lead to this server, on whatever port it was given. Set in the
            # environment too, for the worker, which sends most of them.
            os.environ["PORTAL_BASE_URL"] = settings.PORTAL_BASE_URL = base_url
        if "WEBAUTHN_ORIGINS" not in os.environ:
            # Passkeys work only on a domain name: at http://localhost:<this port>/.
            origins = [f"http://localhost:{port}"]
            os.environ["WEBAUTHN_ORIGINS"] = ",".join(origins)
            settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = origins
        demo_logs_quiet()
        settings.LOCAL_DIR.mkdir(parents=True, exist_ok=True)
        # Demo data queues background jobs, so the broker's folders must exist first.
        ensure_filesystem_broker_folders()
        self.stdout.write("Preparing the database …")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo", stdout=self.stdout)

        command = worker_command(
            "--beat",
            "--pool=solo",
            "--loglevel=INFO",
            f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}",
        )
        if os.environ.get("DEMO_QUIET_LOGS") == "true":
            # Without the banner (the worker's settings and its list of tasks).
            command.insert(command.index("worker"), "--quiet")
        worker = subprocess.Popen(  # noqa: S603 - fixed arguments  # nosec B603
            command, start_new_session=True
        )
        # Stop the worker with us, whether we end by Ctrl+C or by a signal.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"The portal is at {url}"))
        self.stdout.write(f"Staff sign in: {url}accounts/login/   (Ctrl+C stops everything)")
        self.stdout.write(
            "Messages to families are printed below, one block each, as they are sent."
        )
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

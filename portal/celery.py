"""The Celery application. Tasks are discovered in every installed app's ``tasks`` module."""

import logging
import os
import sys
from pathlib import Path

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def logging_from_django_settings(loglevel=None, **kwargs) -> None:
    """The worker and beat log through the portal's ``LOGGING``, whose every handler
    scrubs secrets and personal data (``portal/core/log_scrubbing.py``).

    Connecting here stops Celery adding handlers of its own: its task loggers' handler
    would not scrub. ``--loglevel`` still sets the root logger's level, and what tasks
    print still becomes log lines (so it is scrubbed too), as Celery itself would do.
    """
    from django.conf import settings
    from django.utils.log import configure_logging

    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)
    if app.conf.worker_redirect_stdouts:
        app.log.redirect_stdouts(app.conf.worker_redirect_stdouts_level)


def worker_command(*options: str) -> list[str]:
    """The command line that starts a worker for this app with this interpreter."""
    return [sys.executable, "-m", "celery", "-A", "portal", "worker", *options]


def ensure_filesystem_broker_folders() -> None:
    """The filesystem transport needs its folders to exist before a worker starts."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)

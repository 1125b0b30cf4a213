"""The Celery application. Tasks are discovered in every installed app's ``tasks`` module."""

import os
import sys
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def worker_command(*options: str) -> list[str]:
    """The command line that starts a worker for this app with this interpreter."""
    return [sys.executable, "-m", "celery", "-A", "portal", "worker", *options]


def ensure_filesystem_broker_folders() -> None:
    """The filesystem transport needs its folders to exist before a worker starts."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)

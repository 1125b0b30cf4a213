"""The embedded default: SQLite, console email, filesystem broker. Never for production."""

import os

# Development defaults are set before base reads the environment, so a real
# environment variable still wins.
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault(
    # A fixed development key: demo data only, never used with real people's details.
    "FIELD_ENCRYPTION_KEYS",
    "ZGV2ZWxvcG1lbnQtb25seS1kZW1vLWRhdGEta2V5ISE=",
)
os.environ.setdefault("LOOKUP_HASH_KEYS", "development-lookup-key-demo-data-only")

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-development-only-not-for-real-data")

# Emails as the console SMS backend prints texts: a short block per message, who it is to,
# the subject, the text and its links (portal/notifications/console.py), instead of
# Django's whole MIME message with its HTML copy.
if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":  # noqa: F405
    EMAIL_BACKEND = "portal.notifications.console.ConsoleEmailBackend"

# make run (rundemo) sets DEMO_QUIET_LOGS for itself and its worker, so that the messages
# to families stand out in its terminal: no line per web request or routine job (the
# loggers in portal/operations/demo_logging.py show only warnings and errors); everything
# else logs as before. DEMO_QUIET_LOGS=false make run shows every line.
if env.bool("DEMO_QUIET_LOGS", default=False):
    from portal.operations.demo_logging import DEMO_QUIET_LOGGERS

    for _name in DEMO_QUIET_LOGGERS:
        LOGGING["loggers"].setdefault(_name, {})["level"] = "WARNING"  # noqa: F405

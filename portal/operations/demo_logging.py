"""The loggers ``make run`` (rundemo) quietens, so that the messages to families stand
out in its terminal: the line per web request and those per routine job (received,
succeeded, and the scheduler's heartbeat every 30 seconds). Only their warnings and
errors show. Read by the development settings, which the worker starts with, and by
rundemo, for the web server in its own process. No Django imports: settings read it."""

DEMO_QUIET_LOGGERS = ("django.server", "celery.worker.strategy", "celery.app.trace", "celery.beat")

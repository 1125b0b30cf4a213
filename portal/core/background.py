"""Queueing a background job from the code that decided on it.

A job is queued once the transaction that decided on it commits, so a worker never
looks for a row that is not there yet. By then the request's work is done and saved; a
broker that cannot take the job (down, refusing, or slower than its socket timeout)
must not turn that into an error page, so the job is left for the way each caller
already has to catch up with what was not done: a message stays pending until
``requeue_stalled_messages`` queues it again, and a Zoom account's settings are checked
before its first meeting if not before.
"""

from __future__ import annotations

import logging

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def task_queue_on_commit(task: Task, *args) -> None:
    """``task.delay(*args)`` once the current transaction commits; a broker that cannot
    be reached is logged, never raised."""

    def queue() -> None:
        try:
            task.delay(*args)
        except OperationalError as error:
            # The error's type only: its text names the broker's address.
            logger.warning(
                "%s not queued: the broker could not be reached (%s).",
                task.name,
                type(error).__name__,
            )

    transaction.on_commit(queue)

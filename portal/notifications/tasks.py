"""Delivering queued messages. Thin: takes an id, calls the service."""

import random

from celery import shared_task

MAX_ATTEMPTS = 5


def backoff_seconds(attempt: int) -> float:
    """Exponential back-off with jitter: about 30s, 1m, 2m, 4m, capped at 30 minutes."""
    base = min(30 * 2 ** (attempt - 1), 30 * 60)
    return base * (0.5 + random.random() / 2)  # noqa: S311 - jitter  # nosec B311


# acks_late: a worker that dies mid-task leaves the message for another worker; the
# service's claim, and its check with the provider after an interrupted send, keep a
# message from going twice.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_ATTEMPTS - 1)
def deliver_message(self, log_id: int) -> str:
    from .services import ProviderError, StillSending, in_flight_limit, message_deliver

    try:
        log = message_deliver(log_id=log_id, last_attempt=self.request.retries >= self.max_retries)
    except StillSending:
        # Another worker is sending it: look again once its claim would have run out.
        countdown = in_flight_limit().total_seconds() + 1
        deliver_message.apply_async((log_id,), countdown=countdown)
        return "deferred"
    except ProviderError as error:
        raise self.retry(exc=error, countdown=backoff_seconds(self.request.retries + 1)) from error
    return log.status


@shared_task
def requeue_stalled_messages() -> int:
    """A message left pending (its task lost with a broker restart) is queued again."""
    from .selectors import stalled_messages

    count = 0
    for log_id in stalled_messages():
        deliver_message.delay(log_id)
        count += 1
    return count


@shared_task
def release_waiting_messages() -> int:
    """Messages whose safe time has come go to a worker (which checks it again)."""
    from .services import release_waiting_messages as release

    return release()

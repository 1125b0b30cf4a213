"""Background jobs for resources. Thin: they call the module that knows the rules."""

from celery import shared_task


@shared_task
def remind_coordinators_of_reviews() -> int:
    from .reminders import review_due_digests_queue

    return review_due_digests_queue()

"""Background jobs for referrals. Thin: they call the module that knows the rules."""

from celery import shared_task


@shared_task
def escalate_overdue_first_contacts() -> int:
    from .reminders import first_contact_escalations_queue

    return first_contact_escalations_queue()

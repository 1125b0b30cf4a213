"""Background jobs for referrals. Thin: they call the module that knows the rules."""

from celery import shared_task


@shared_task
def escalate_overdue_first_contacts() -> int:
    from .reminders import first_contact_escalations_queue

    return first_contact_escalations_queue()


@shared_task
def delete_expired_self_referral_drafts() -> int:
    from .selfreferral import self_referral_drafts_delete_expired

    return self_referral_drafts_delete_expired()

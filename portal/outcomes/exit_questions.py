"""Asking a person the "at exit" questions once their place in a group has ended.

The questions themselves are on the family's support page (``questionnaires_due``); this
tells them, once, that they are there: queued inside the transaction that ended the
place, and sent by the notification service's one path, so it goes only by a channel
they said is safe, at a time they said is safe, and not at all if they have stopped
contact. If the questions are answered before it goes, it is dropped (its guard).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from portal.notifications.registry import Audience, register_guard, register_message_kind

from .models import TimePoint

TEMPLATE = "questions_at_exit"
# Asked weeks later, the questions no longer say how the person was when their place
# ended: past this the message is not sent (and staff are told if no safe time came).
STILL_USEFUL_FOR = timedelta(days=28)


def exit_questions_due(referral) -> bool:
    from .selectors import questionnaires_due

    return any(due.time_point == TimePoint.EXIT for due in questionnaires_due(referral=referral))


def exit_questions_queue(*, booking) -> bool:
    """Queue the message telling the person about their exit questions, if any are due
    for them now. Call inside the transaction that ended the place (after the change is
    saved). Returns whether a message was queued; the place's id makes a repeated
    decision queue nothing."""
    from portal.notifications.services import message_queue

    referral = booking.referral
    if not referral.is_contactable or not exit_questions_due(referral):
        return False
    log = message_queue(
        organisation=referral.organisation,
        record_type="referrals.referral",
        record_id=str(referral.pk),
        template=TEMPLATE,
        context={"referral_id": str(referral.pk), "booking_id": str(booking.pk)},
        key=f"{TEMPLATE}:{booking.pk}",
        needed_by=timezone.now() + STILL_USEFUL_FOR,
    )
    return log is not None


def _still_unanswered(context: dict) -> str | None:
    from referrals.models import Referral

    referral = Referral.objects.filter(pk=context.get("referral_id")).first()
    if referral is None or not exit_questions_due(referral):
        return "the questions were answered or are no longer asked"
    return None


def _examples() -> list[dict]:
    import uuid

    return [{"referral_id": str(uuid.uuid4()), "booking_id": str(uuid.uuid4())}]


def register() -> None:
    register_message_kind(TEMPLATE, audience=Audience.FAMILY, examples=_examples)
    register_guard(TEMPLATE, _still_unanswered)

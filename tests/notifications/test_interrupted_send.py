"""A worker that stops part-way through sending: the message is checked with the provider
by its reference before it is ever sent again, so it arrives once or a person is asked."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.notifications.models import MessageLog, StaffTask
from portal.notifications.services import StillSending, message_deliver, message_queue
from portal.notifications.sms import LocmemSmsBackend
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_outbox():
    LocmemSmsBackend.outbox = []


def queue(organisation, *, channel: str) -> MessageLog:
    if channel == "text":
        referral = make_referral(
            organisation, email="", phone="07911 123456", safe_channels=["text"]
        )
    else:
        referral = make_referral(organisation, email="person@example.org")
    return message_queue(
        organisation=organisation,
        record_type="referrals.referral",
        record_id=str(referral.pk),
        template="referral_received",
        context={},
        key=f"interrupted:{referral.pk}",
    )


def left_sending(log: MessageLog, *, channel: str, minutes_ago: int = 10) -> None:
    """As a worker leaves it when it is killed after claiming the message."""
    MessageLog.objects.filter(pk=log.pk).update(
        status="sending",
        channel=channel,
        attempts=1,
        sending_since=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_a_message_the_provider_already_has_is_recorded_not_resent(organisation_a):
    log = queue(organisation_a, channel="text")
    # The killed worker got as far as the provider.
    LocmemSmsBackend().send(
        to="+447911123456", body="…", sender="x", reference=log.provider_reference
    )
    left_sending(log, channel="text")
    message_deliver(log_id=log.pk, last_attempt=False)
    log.refresh_from_db()
    assert log.status == "sent" and log.provider_id == "locmem-1"
    assert len(LocmemSmsBackend.outbox) == 1


def test_a_message_the_provider_never_got_is_sent_once(organisation_a):
    log = queue(organisation_a, channel="text")
    left_sending(log, channel="text")
    message_deliver(log_id=log.pk, last_attempt=False)
    message_deliver(log_id=log.pk, last_attempt=False)
    log.refresh_from_db()
    assert log.status == "sent" and log.attempts == 2
    [sent] = LocmemSmsBackend.outbox
    assert sent["reference"] == log.provider_reference


def test_an_email_that_may_have_gone_goes_to_a_person_to_check(organisation_a):
    log = queue(organisation_a, channel="email")
    left_sending(log, channel="email")
    message_deliver(log_id=log.pk, last_attempt=False)
    log.refresh_from_db()
    assert log.status == "failed" and "may have arrived" in log.reason
    assert StaffTask.objects.filter(message=log, kind="message_failed").exists()
    assert mail.outbox == []


def test_a_fresh_claim_by_another_worker_is_left_alone(organisation_a):
    log = queue(organisation_a, channel="text")
    left_sending(log, channel="text", minutes_ago=0)
    with pytest.raises(StillSending):
        message_deliver(log_id=log.pk, last_attempt=False)
    assert LocmemSmsBackend.outbox == []


def test_each_message_has_one_message_id_however_often_it_is_tried(organisation_a):
    log = queue(organisation_a, channel="email")
    message_deliver(log_id=log.pk, last_attempt=False)
    [email] = mail.outbox
    assert email.extra_headers["Message-ID"].startswith(f"<{log.provider_reference}@")

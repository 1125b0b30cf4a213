"""The retention schedule deletes old message logs, never one not yet sent: a message
waiting for the person's safe time, queued, or being sent is left to finish."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.notifications.models import MessageLog
from portal.retention.schedule import Period, RecordType
from portal.retention.selectors import due_records

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "due"),
    [
        (MessageLog.Status.SENT, True),
        (MessageLog.Status.REFUSED, True),
        (MessageLog.Status.WAITING, False),
        (MessageLog.Status.PENDING, False),
        (MessageLog.Status.SENDING, False),
    ],
)
def test_only_settled_messages_are_due(organisation_a, status, due):
    log = MessageLog.objects.create(
        organisation=organisation_a,
        recipient_type="referrals.referral",
        recipient_id="1",
        template="referral_received",
        status=status,
    )
    MessageLog.objects.filter(pk=log.pk).update(created_at=timezone.now() - timedelta(days=400))
    found = due_records(
        organisation=organisation_a,
        record_type=RecordType.MESSAGE_LOG,
        period=Period(length=6, unit="months"),
        now=timezone.now(),
    )
    assert found.filter(pk=log.pk).exists() is due

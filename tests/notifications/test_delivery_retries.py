"""Queued messages: retried with growing, jittered waits; a final failure is logged and
shown to staff; a message is never sent twice."""

import pytest

from portal.notifications import tasks
from portal.notifications.models import MessageLog, StaffTask
from portal.notifications.services import message_deliver, message_queue
from tests.notifications.flaky import FlakySmsBackend
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def flaky(settings):
    settings.SMS_BACKEND = "tests.notifications.flaky.FlakySmsBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    FlakySmsBackend.sent = []
    FlakySmsBackend.failures_left = 0
    from portal.celery import app

    app.conf.task_always_eager = True
    yield FlakySmsBackend
    app.conf.task_always_eager = False


@pytest.fixture
def waits(monkeypatch):
    recorded = []
    real = tasks.backoff_seconds

    def record(attempt):
        value = real(attempt)
        recorded.append(value)
        return value

    monkeypatch.setattr(tasks, "backoff_seconds", record)
    return recorded


def queue_text(organisation):
    referral = make_referral(organisation, email="", phone="07911 123456", safe_channels=["text"])
    return message_queue(
        organisation=organisation,
        record_type="referrals.referral",
        record_id=str(referral.pk),
        template="referral_received",
        context={},
        key=f"test:{referral.pk}",
    )


def test_a_provider_failing_twice_then_working_sends_once(organisation_a, flaky, waits):
    log = queue_text(organisation_a)
    flaky.failures_left = 2
    tasks.deliver_message.apply(args=[log.pk])
    log.refresh_from_db()
    assert log.status == "sent" and log.attempts == 3
    assert len(flaky.sent) == 1
    assert len(waits) == 2 and waits[1] > waits[0] * 0.9


def test_a_provider_failing_every_time_ends_in_a_logged_failure(organisation_a, flaky, waits):
    log = queue_text(organisation_a)
    flaky.failures_left = 100
    tasks.deliver_message.apply(args=[log.pk])
    log.refresh_from_db()
    assert log.status == "failed" and log.attempts == tasks.MAX_ATTEMPTS
    assert log.reason == "ConnectionError"
    assert StaffTask.objects.filter(kind="message_failed", message=log).exists()
    assert flaky.sent == []
    # Growing waits: each base doubles (jitter keeps each within half to all of it).
    bases = [30 * 2**i for i in range(len(waits))]
    assert all(base / 2 <= wait <= base for wait, base in zip(waits, bases, strict=True))


def test_delivering_twice_sends_once(organisation_a, flaky):
    log = queue_text(organisation_a)
    message_deliver(log_id=log.pk, last_attempt=False)
    message_deliver(log_id=log.pk, last_attempt=False)
    assert len(flaky.sent) == 1
    assert MessageLog.objects.get(pk=log.pk).attempts == 1


def test_the_same_decision_cannot_be_queued_twice(organisation_a):
    referral = make_referral(organisation_a)
    args = dict(
        organisation=organisation_a,
        record_type="referrals.referral",
        record_id=str(referral.pk),
        template="referral_received",
        context={},
        key="same",
    )
    assert message_queue(**args) is not None
    assert message_queue(**args) is None
    assert MessageLog.objects.filter(status="pending").count() == 1

"""The benchmark's reminder stage: queries per message stay the same as the count grows,
and one real worker delivers every queued reminder."""

import pytest
import redis
from django.db import connection

from portal.notifications.models import MessageLog
from portal.operations.benchmark.reminders import reminder_queries, reminder_worker

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REDIS_DB = 12


def test_queries_per_message_do_not_grow_with_the_count():
    few = reminder_queries(count=10)
    many = reminder_queries(count=40)

    assert (few.messages, many.messages) == (10, 40)
    assert few.queries_per_message == many.queries_per_message
    assert few.messages_per_second > 0
    assert not MessageLog.objects.exists(), "the in-process run leaves nothing behind"


@pytest.fixture
def redis_broker():
    from portal.celery import app

    broker = f"redis://127.0.0.1:6379/{REDIS_DB}"
    redis.Redis.from_url(broker).flushdb()
    before = app.conf.broker_url
    app.conf.broker_url = broker
    app._pool = None
    app.amqp._producer_pool = None
    yield broker
    app.conf.broker_url = before
    app._pool = None
    app.amqp._producer_pool = None


def test_one_worker_delivers_every_reminder(redis_broker, monkeypatch):
    assert connection.vendor == "postgresql"
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "portal.settings.test")

    result = reminder_worker(count=30, timeout=120)

    assert result.messages == 30
    assert MessageLog.objects.filter(status="sent").count() == 30
    assert result.messages_per_second > 0

"""Exactly once, with real Celery workers on the real Redis and PostgreSQL.

1,000 reminders are due. Two scanning runs at once queue each one once. A worker is
killed part-way through and another takes over, with the scheduler's stalled-message
sweep: every reminder is sent, none twice (counted in the outbox file the workers write
to).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection, connections
from django.utils import timezone

from peergroups.reminders import session_reminders_queue
from portal.celery import worker_command
from portal.notifications.models import MessageLog
from portal.notifications.selectors import STALLED_AFTER
from portal.notifications.tasks import requeue_stalled_messages
from portal.operations.bench_data import due_meeting_reminders_make

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
REMINDERS = 1000
PER_GROUP = 50
REDIS_DB = 11


def make_due_reminders(organisation) -> None:
    """1,000 confirmed places in 20 groups whose meetings start in an hour."""
    due_meeting_reminders_make(organisation=organisation, count=REMINDERS, prefix="R")


def start_worker(env, name):
    # The worker keeps its own copy of the log file's descriptor.
    with open(env["WORKER_LOG"], "ab") as log:
        return _popen_worker(env, name, log)


def _popen_worker(env, name, log):
    return subprocess.Popen(
        worker_command(
            "--pool=prefork",
            "--concurrency=2",
            "--loglevel=WARNING",
            f"--hostname={name}@%h",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ),
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )


def outbox_lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def broker_is_idle(broker: str) -> bool:
    """Nothing queued and nothing reserved, for a few seconds running."""
    import redis

    client = redis.Redis.from_url(broker)
    for _ in range(8):
        if client.llen("celery") or client.hlen("unacked"):
            return False
        time.sleep(1)
    return True


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def test_a_thousand_reminders_are_each_sent_exactly_once(organisation_a, tmp_path, settings):
    assert connection.vendor == "postgresql"
    import redis

    broker = f"redis://127.0.0.1:6379/{REDIS_DB}"
    redis.Redis.from_url(broker).flushdb()
    outbox = tmp_path / "outbox.txt"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "CELERY_BROKER_URL": broker,
        "CELERY_VISIBILITY_TIMEOUT": "5",
        # A killed worker's claim to be sending runs out quickly here.
        "MESSAGE_IN_FLIGHT_SECONDS": "10",
        "SMS_BACKEND": "tests.notifications.outbox.FileOutboxSmsBackend",
        "TEST_SMS_OUTBOX": str(outbox),
        "WORKER_LOG": str(tmp_path / "worker.log"),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # This process queues deliveries on the same broker the workers read.
    from portal.celery import app

    app.conf.broker_url = broker
    app.conf.broker_transport_options = {"visibility_timeout": 5}
    # Forget connections made to the test settings' in-memory broker.
    app._pool = None
    app.amqp._producer_pool = None

    make_due_reminders(organisation_a)

    # Two scanning runs at the same time: each reminder is queued once.
    counts = []

    def scan():
        try:
            counts.append(session_reminders_queue())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == REMINDERS
    assert MessageLog.objects.filter(status="pending").count() == REMINDERS

    first = start_worker(env, "first")
    try:
        assert wait_for(lambda: len(outbox_lines(outbox)) >= REMINDERS // 4, 120), Path(
            env["WORKER_LOG"]
        ).read_text()[-3000:]
        os.killpg(first.pid, signal.SIGKILL)  # mid-batch, no warm shutdown
        first.wait(timeout=10)
        sent_by_first = len(outbox_lines(outbox))
        assert sent_by_first < REMINDERS

        # Jobs the killed worker had reserved come back once Redis's visibility timeout
        # has passed. One it was part-way through sending is checked with the provider
        # (this outbox) by its reference, so it is not sent twice. One it had popped from
        # the queue but not yet recorded as reserved (the Redis transport pops, then
        # records) is gone from the broker; the scheduler's stalled-message sweep queues
        # it again, as it does in production.
        second = start_worker(env, "second")
        try:

            def all_sent() -> bool:
                return MessageLog.objects.filter(status="sent").count() == REMINDERS

            if not wait_for(lambda: all_sent() or broker_is_idle(broker), 600):
                raise AssertionError(Path(env["WORKER_LOG"]).read_text()[-3000:])
            if not all_sent():
                with time_machine.travel(timezone.now() + STALLED_AFTER + timedelta(minutes=1)):
                    swept = requeue_stalled_messages()
                assert 0 < swept <= 4, "only what the killed worker held can be stranded"
            assert wait_for(all_sent, 300)
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(timeout=30)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)

    recipients = Counter(line.split("\t")[0] for line in outbox_lines(outbox))
    assert len(recipients) == REMINDERS, "every reminder sent"
    assert max(recipients.values()) == 1, "none sent twice"
    assert not MessageLog.objects.exclude(status="sent").exists()

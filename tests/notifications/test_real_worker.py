"""Exactly once, and only at safe times, with real Celery workers on the real Redis and
PostgreSQL.

1,000 reminders are due. Two scanning runs at once queue each one once. A worker is
killed part-way through and another takes over, with the scheduler's stalled-message
sweep: every reminder is sent, none twice (counted in the outbox file the workers write
to). Windows are in force: 300 of the people have safe times that hold now and 100 have
none before the meeting (the workers send them nothing; staff get a task each); the
rest may be contacted at any time.

Then 200 more reminders fall due for people whose safe time opens a minute or two from
now. The workers leave each one waiting; the release job hands none back before the
window opens and all of them once it has, and each is sent once, inside the window.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from datetime import time as datetime_time
from pathlib import Path

import pytest
import time_machine
from django.db import connection, connections
from django.utils import timezone

from peergroups.reminders import session_reminders_queue
from portal.celery import worker_command
from portal.notifications.contact_windows import LONDON, ContactWindows, Window
from portal.notifications.models import MessageLog, StaffTask
from portal.notifications.selectors import STALLED_AFTER
from portal.notifications.services import NO_SAFE_TIME, release_waiting_messages
from portal.notifications.tasks import requeue_stalled_messages
from portal.operations.bench_data import due_meeting_reminders_make
from referrals.models import SafeContact

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
REMINDERS = 1000
PER_GROUP = 50
REDIS_DB = 11
SAFE_NOW = 300  # windows that hold now
NEVER_SAFE = 100  # no window before the meeting, in an hour
LATER = 200  # due once the first thousand are done, safe a minute or two later


def make_due_reminders(organisation, *, count=REMINDERS, prefix="R") -> list[SafeContact]:
    """``count`` confirmed places in groups of 50 whose meetings start in an hour."""
    due_meeting_reminders_make(organisation=organisation, count=count, prefix=prefix)
    return list(
        SafeContact.objects.filter(referral__reference__startswith=prefix).order_by(
            "referral__reference"
        )
    )


def day_long_windows(*days) -> ContactWindows:
    """All day (to 23:59) on each of these dates' days (a bank holiday takes Sunday's)."""
    rule = ContactWindows()
    return ContactWindows(
        tuple(Window(rule.weekday_of(day), datetime_time(0), datetime_time(23, 59)) for day in days)
    )


def window_from(opens) -> ContactWindows:
    """From ``opens`` (a whole minute before 23:59) for twenty minutes, or to 23:59."""
    local = opens.astimezone(LONDON)
    ends = min(local + timedelta(minutes=20), local.replace(hour=23, minute=59))
    return ContactWindows(
        (Window(ContactWindows().weekday_of(local.date()), local.time(), ends.time()),)
    )


def never_before(moment) -> ContactWindows:
    """Half an hour at 3am some days ahead: no safe moment before ``moment``."""
    today = moment.astimezone(LONDON).date()
    for ahead in range(3, 7):
        windows = window_from(
            datetime.combine(today + timedelta(days=ahead), datetime_time(3), tzinfo=LONDON)
        )
        if windows.next_safe_moment(timezone.now()) > moment:
            return windows
    raise AssertionError("no day without a window before the meeting")


def windows_set(safe_contacts, windows: ContactWindows) -> None:
    for safe in safe_contacts:
        safe.set_windows(windows)
    SafeContact.objects.bulk_update(safe_contacts, ["contact_windows"])


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

    safe_contacts = make_due_reminders(organisation_a)
    now = timezone.now()
    meeting = now + timedelta(hours=1)
    today = now.astimezone(LONDON).date()
    # Every tenth person from the start has safe times that hold now; every tenth from
    # the fifth has none before the meeting.
    safe_now = [s for n, s in enumerate(safe_contacts) if n % 10 in (0, 1, 2)]
    never_safe = [s for n, s in enumerate(safe_contacts) if n % 10 == 5]
    assert (len(safe_now), len(never_safe)) == (SAFE_NOW, NEVER_SAFE)
    windows_set(safe_now, day_long_windows(today, today + timedelta(days=1)))
    windows_set(never_safe, never_before(meeting))
    never_safe_ids = {str(s.referral_id) for s in never_safe}

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
                # The scheduler's release job, as it runs every minute: a reminder that
                # reached a worker in the last minute of a day waits for the next.
                release_waiting_messages()
                # Every reminder with a safe time now is sent; the others are refused.
                return (
                    MessageLog.objects.filter(status="sent").count() == REMINDERS - NEVER_SAFE
                    and not MessageLog.objects.filter(
                        status__in=["pending", "sending", "waiting"]
                    ).exists()
                )

            if not wait_for(lambda: all_sent() or broker_is_idle(broker), 600):
                raise AssertionError(Path(env["WORKER_LOG"]).read_text()[-3000:])
            if not all_sent():
                with time_machine.travel(timezone.now() + STALLED_AFTER + timedelta(minutes=1)):
                    swept = requeue_stalled_messages()
                assert 0 < swept <= 4, "only what the killed worker held can be stranded"
            assert wait_for(all_sent, 300)

            recipients = Counter(line.split("\t")[0] for line in outbox_lines(outbox))
            assert len(recipients) == REMINDERS - NEVER_SAFE, "every reminder sent"
            assert max(recipients.values()) == 1, "none sent twice"
            refused = MessageLog.objects.exclude(status="sent")
            assert {log.recipient_id for log in refused} == never_safe_ids
            assert {(log.status, log.reason) for log in refused} == {("refused", NO_SAFE_TIME)}
            assert StaffTask.objects.filter(kind="no_safe_time").count() == NEVER_SAFE

            waiting_then_sent(organisation_a, env, outbox)
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(timeout=30)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)

    references = Counter(line.split("\t")[2] for line in outbox_lines(outbox))
    assert len(references) == REMINDERS - NEVER_SAFE + LATER, "every reminder sent"
    assert max(references.values()) == 1, "none sent twice"
    assert (
        not MessageLog.objects.exclude(status="sent")
        .exclude(recipient_id__in=never_safe_ids)
        .exists()
    )


def waiting_then_sent(organisation, env, outbox: Path) -> None:
    """200 reminders due now for people whose window opens in one to two minutes: left
    waiting by the workers, released only once it opens, then each sent once, in it."""
    opens = (timezone.now() + timedelta(seconds=60)).replace(second=0, microsecond=0)
    opens += timedelta(minutes=1)
    if opens.astimezone(LONDON).time() >= datetime_time(23, 58):
        opens = datetime.combine(
            opens.astimezone(LONDON).date() + timedelta(days=1), datetime_time(0), tzinfo=LONDON
        )
    windows_set(make_due_reminders(organisation, count=LATER, prefix="W"), window_from(opens))
    assert session_reminders_queue() == LATER
    later = MessageLog.objects.filter(status__in=["pending", "waiting"])

    def all_waiting() -> bool:
        return later.filter(status="waiting").count() == LATER

    assert wait_for(all_waiting, 60), Path(env["WORKER_LOG"]).read_text()[-3000:]
    assert timezone.now() < opens, "the workers took too long to leave them waiting"
    assert set(later.values_list("send_after", flat=True)) == {opens}
    waiting = set(later.values_list("pk", flat=True))
    references = {f"portal-message-{pk}" for pk in waiting}
    assert not [line for line in outbox_lines(outbox) if line.split("\t")[2] in references]

    # The scheduler's release job, every minute: nothing before the window opens.
    assert release_waiting_messages() == 0
    time.sleep(max(0, (opens - timezone.now()).total_seconds()) + 0.5)
    assert release_waiting_messages() == LATER
    assert release_waiting_messages() == 0

    def all_sent() -> bool:
        return MessageLog.objects.filter(pk__in=waiting, status="sent").count() == LATER

    assert wait_for(all_sent, 120), Path(env["WORKER_LOG"]).read_text()[-3000:]
    sent_at = [
        datetime.fromisoformat(line.split("\t")[3])
        for line in outbox_lines(outbox)
        if line.split("\t")[2] in references
    ]
    assert len(sent_at) == LATER, "each sent once"
    assert all(window_from(opens).allows(moment) for moment in sent_at), "all in the window"

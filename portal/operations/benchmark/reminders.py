"""Reminder throughput: meeting reminders queued by the scan and delivered by one worker.

Two measures:

- ``reminder_queries``: the worker's own task run in this process for every message, to
  count its database queries per message (the same at every size, or it is not flat).
  Everything happens in one transaction that is rolled back.
- ``reminder_worker``: one real Celery worker process (one at a time, solo pool) takes
  the messages from the broker the portal is configured with; messages per second are
  measured from the moments the messages were marked sent, so the worker's start-up is
  not counted. Its data is committed, in an organisation of its own that later runs
  reuse.

Nothing leaves the machine: the text message backend is a quiet one.
"""

from __future__ import annotations

import logging
import os
import secrets
import subprocess  # starts the worker being measured  # nosec B404
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.test.utils import override_settings

from portal.notifications.models import MessageLog
from portal.operations.bench_data import due_meeting_reminders_make, unused_reference_prefix
from portal.organisations.models import Organisation

from .processes import database_url

QUIET_SMS = f"{__name__}.QuietSms"
SLUG = "bench-reminders"
ROOT = Path(settings.BASE_DIR)


class QuietSms:
    """Accepts every message and sends nothing."""

    def send(self, *, to: str, body: str, sender: str, reference: str = "") -> str:
        return f"benchmark-{reference}"

    def sent_with_reference(self, reference: str) -> str | None:
        return None


@dataclass(frozen=True)
class ReminderResult:
    how: str
    messages: int
    seconds: float
    messages_per_second: float
    queries_per_message: float | None

    def as_dict(self) -> dict:
        return asdict(self)


class _Rollback(Exception):
    pass


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def reminder_queries(*, count: int) -> ReminderResult:
    """Deliver ``count`` reminders with the worker's task, in this process, then undo."""
    from peergroups.reminders import session_reminders_queue
    from portal.notifications.tasks import deliver_message

    result = None
    # A worker logs at WARNING (below); a line per task here would be timed too.
    trace = logging.getLogger("celery.app.trace")
    level = trace.level
    trace.setLevel(logging.WARNING)
    try:
        with override_settings(SMS_BACKEND=QUIET_SMS), transaction.atomic():
            organisation = _organisation()
            due_meeting_reminders_make(
                organisation=organisation, count=count, prefix=unused_reference_prefix("W")
            )
            first_id = MessageLog.objects.aggregate(last=Max("pk"))["last"] or 0
            session_reminders_queue()
            # Only this run's: an interrupted run may have left messages of its own.
            ids = list(
                MessageLog.objects.filter(
                    organisation=organisation, status="pending", pk__gt=first_id
                ).values_list("pk", flat=True)
            )
            queries = _QueryCounter()
            began = time.perf_counter()
            with connection.execute_wrapper(queries):
                for log_id in ids:
                    deliver_message.apply(args=(log_id,), throw=True)
            seconds = time.perf_counter() - began
            result = ReminderResult(
                how="task in process",
                messages=len(ids),
                seconds=round(seconds, 3),
                messages_per_second=round(len(ids) / seconds, 1),
                queries_per_message=round(queries.count / max(len(ids), 1), 2),
            )
            raise _Rollback
    except _Rollback:
        pass
    finally:
        trace.setLevel(level)
    return result


def reminder_worker(*, count: int, timeout: float = 600) -> ReminderResult:
    """Queue ``count`` due reminders and time one real worker delivering them."""
    from peergroups.reminders import session_reminders_queue
    from portal.celery import app, ensure_filesystem_broker_folders

    with transaction.atomic():
        organisation = _organisation()
        due_meeting_reminders_make(
            organisation=organisation, count=count, prefix=unused_reference_prefix("W")
        )
    ensure_filesystem_broker_folders()
    first_id = MessageLog.objects.aggregate(last=Max("pk"))["last"] or 0
    session_reminders_queue()  # its deliveries go to the broker once committed
    ours = MessageLog.objects.filter(organisation=organisation, pk__gt=first_id)
    with tempfile.TemporaryFile() as log:
        _deliver_with_one_worker(ours, broker=app.conf.broker_url, log=log, timeout=timeout)
    span = ours.aggregate(first=Min("updated_at"), last=Max("updated_at"))
    sent = ours.count()
    # From the first message sent to the last: the rate of the worker at work.
    seconds = (span["last"] - span["first"]).total_seconds() if sent > 1 else 0.0
    return ReminderResult(
        how="one worker process",
        messages=sent,
        seconds=round(seconds, 3),
        messages_per_second=round((sent - 1) / seconds, 1) if seconds else 0.0,
        queries_per_message=None,
    )


def _deliver_with_one_worker(ours, *, broker: str, log, timeout: float) -> None:
    """Run one worker until every one of ``ours`` is sent; its errors go to ``log``."""
    from portal.celery import worker_command

    worker = subprocess.Popen(  # noqa: S603  # nosec B603 - our own interpreter and arguments
        worker_command(
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=WARNING",
            f"--hostname=benchmark-{secrets.token_hex(3)}@%h",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ),
        cwd=ROOT,
        env={
            # Not the test suite's leave to query the database from async code.
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", "portal.settings.dev"
            ),
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker,
            "SMS_BACKEND": QUIET_SMS,
            "DEBUG": "false",  # as a production worker runs
        },
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + timeout
        while ours.exclude(status="sent").exists():
            if worker.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"The worker stopped: {log.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"The worker had not sent every reminder in {timeout:.0f} s.")
            time.sleep(0.5)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _organisation() -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        slug=SLUG, defaults={"name": "Benchmark reminders"}
    )
    return organisation

"""Reminder throughput: queue N due meeting reminders, deliver them with one worker loop,
report messages per second and database queries per message.

Everything runs in one transaction that is rolled back at the end, so the command can
be interrupted and run again at any time and leaves nothing behind.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone


class Rollback(Exception):
    pass


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class QuietSms:
    def send(self, *, to: str, body: str, sender: str) -> str:
        return "benchmark"


class Command(BaseCommand):
    help = "Measure reminder throughput (messages per second, queries per message)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, nargs="+", default=[100, 1000])

    def handle(self, *args, **options):
        rows = []
        for count in options["count"]:
            rows.append(self._run(count))
        self.stdout.write("")
        self.stdout.write("| reminders | queue (s) | deliver (s) | messages/s | queries/message |")
        self.stdout.write("|---:|---:|---:|---:|---:|")
        for row in rows:
            self.stdout.write(
                "| {count} | {queue:.2f} | {deliver:.2f} | {rate:.0f} | {qpm:.1f} |".format(**row)
            )

    @override_settings(SMS_BACKEND=f"{__name__}.QuietSms")
    def _run(self, count: int) -> dict:
        from peergroups.reminders import session_reminders_queue
        from portal.notifications.models import MessageLog
        from portal.notifications.services import message_deliver

        result = {}
        try:
            with transaction.atomic():
                self.stdout.write(f"{count} reminders: creating data …")
                self._make(count)
                started = time.perf_counter()
                queued = session_reminders_queue()
                result["queue"] = time.perf_counter() - started
                self.stdout.write(f"  … queued {queued}; delivering")
                ids = list(MessageLog.objects.filter(status="pending").values_list("pk", flat=True))
                started = time.perf_counter()
                queries = QueryCounter()
                with connection.execute_wrapper(queries):
                    for done, log_id in enumerate(ids, start=1):
                        message_deliver(log_id=log_id, last_attempt=True)
                        if done % 250 == 0:
                            self.stdout.write(f"  … {done}/{len(ids)}")
                result["deliver"] = time.perf_counter() - started
                result.update(
                    count=count,
                    rate=len(ids) / result["deliver"] if result["deliver"] else 0,
                    qpm=queries.count / max(len(ids), 1),
                )
                raise Rollback
        except Rollback:
            pass
        return result

    def _make(self, count: int) -> None:
        from portal.operations.bench_data import due_meeting_reminders_make
        from portal.organisations.models import Organisation

        stamp = int(timezone.now().timestamp())
        organisation = Organisation.objects.create(
            name=f"Benchmark {stamp}", slug=f"benchmark-{stamp}"
        )
        due_meeting_reminders_make(organisation=organisation, count=count)

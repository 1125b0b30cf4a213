"""Reminder throughput: queue N due meeting reminders, deliver them with one worker loop,
report messages per second and database queries per message.

Everything runs in one transaction that is rolled back at the end, so the command can
be interrupted and run again at any time and leaves nothing behind.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

PER_GROUP = 50


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
        from peergroups.models import Booking, Group, Session
        from portal.crypto.keys import lookup_hash
        from portal.organisations.models import Organisation
        from referrals.models import Referral, SafeContact

        now = timezone.now()
        organisation = Organisation.objects.create(
            name=f"Benchmark {now.timestamp()}", slug=f"benchmark-{int(now.timestamp())}"
        )
        referrals = []
        for n in range(count):
            phone = f"+4479{n:08d}"
            referrals.append(
                Referral(
                    organisation=organisation,
                    reference=f"B{n:07d}",
                    source="self",
                    full_name=f"Person {n}",
                    phone=phone,
                    phone_hash=lookup_hash(phone),
                    relationship="partner",
                    stage="on_bail",
                    children_in_household="no",
                    support_wanted="peer_group",
                    format_preference="zoom",
                    first_contact_due=now.date(),
                )
            )
        Referral.objects.bulk_create(referrals, batch_size=1000)
        SafeContact.objects.bulk_create(
            [SafeContact(referral=r, safe_to_text=True, confirmed_at=now) for r in referrals],
            batch_size=1000,
        )
        bookings = []
        for g in range((count + PER_GROUP - 1) // PER_GROUP):
            group = Group.objects.create(
                organisation=organisation,
                title=f"Group {g}",
                audience="any_family",
                format="zoom",
                capacity=PER_GROUP,
            )
            start = now + timedelta(hours=1)
            Session.objects.create(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
            for referral in referrals[g * PER_GROUP : (g + 1) * PER_GROUP]:
                bookings.append(
                    Booking(group=group, referral=referral, state="confirmed", confirmed_at=now)
                )
        Booking.objects.bulk_create(bookings, batch_size=1000)

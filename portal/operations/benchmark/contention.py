"""Booking under contention: many people confirming their offers at the same moment.

Each of ``clients`` threads (its own database connection, as a web worker has) holds an
open offer in every one of ``groups`` groups and confirms them all, in its own random
order, after a common start. Every group has fewer places than offers, so the clients
fight for the last places of every group at once. The group's row lock must hand out
exactly ``capacity`` places per group: the run counts any group with more.

The data is committed (the threads must see it), in an organisation of its own that
later runs reuse, so the benchmark's own organisations and their figures are untouched.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.db import connections, transaction
from django.db.models import Count, Q
from django.utils import timezone

from peergroups.models import Booking, Group
from peergroups.services import booking_confirm
from portal.operations.bench_data import bench_referral, unused_reference_prefix
from portal.organisations.models import Organisation
from referrals.models import Referral

SLUG = "bench-contention"


@dataclass(frozen=True)
class ContentionResult:
    clients: int
    groups: int
    capacity: int
    attempts: int
    confirmed: int
    waitlisted: int
    errors: int
    overbooked_groups: int
    underfilled_groups: int
    seconds: float
    confirmations_per_second: float
    attempts_per_second: float
    confirm_p50_ms: float
    confirm_p95_ms: float

    def as_dict(self) -> dict:
        return asdict(self)


def booking_contention(
    *, clients: int = 50, groups: int = 10, capacity: int = 12
) -> ContentionResult:
    offers = _offers(clients=clients, groups=groups, capacity=capacity)
    start = threading.Barrier(clients + 1)
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def client(bookings: list[Booking], seed: int) -> None:
        random.Random(seed).shuffle(bookings)  # noqa: S311  # nosec B311 - an order, not a secret
        mine = []
        try:
            start.wait()
            for booking in bookings:
                began = time.perf_counter()
                booking_confirm(booking=booking)
                mine.append((time.perf_counter() - began) * 1000)
        except BaseException as error:  # every failure is counted in the result
            with lock:
                errors.append(error)
        finally:
            connections.close_all()
            with lock:
                latencies.extend(mine)

    threads = [
        threading.Thread(target=client, args=(bookings, n)) for n, bookings in enumerate(offers)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began

    group_ids = {booking.group_id for booking in offers[0]}
    filled = Group.objects.filter(pk__in=group_ids).annotate(
        confirmed=Count("bookings", filter=Q(bookings__state=Booking.State.CONFIRMED)),
        waitlisted=Count("bookings", filter=Q(bookings__state=Booking.State.WAITLISTED)),
    )
    confirmed = sum(group.confirmed for group in filled)
    waitlisted = sum(group.waitlisted for group in filled)
    latencies.sort()
    return ContentionResult(
        clients=clients,
        groups=groups,
        capacity=capacity,
        attempts=len(latencies),
        confirmed=confirmed,
        waitlisted=waitlisted,
        errors=len(errors),
        overbooked_groups=sum(1 for group in filled if group.confirmed > group.capacity),
        underfilled_groups=sum(1 for group in filled if group.confirmed < group.capacity),
        seconds=round(seconds, 3),
        confirmations_per_second=round(confirmed / seconds, 1),
        attempts_per_second=round(len(latencies) / seconds, 1),
        confirm_p50_ms=round(statistics.median(latencies), 2) if latencies else 0.0,
        confirm_p95_ms=round(latencies[max(0, int(len(latencies) * 0.95) - 1)], 2)
        if latencies
        else 0.0,
    )


@transaction.atomic
def _offers(*, clients: int, groups: int, capacity: int) -> list[list[Booking]]:
    """For each client, an open offer in each of the new groups."""
    organisation, _ = Organisation.objects.get_or_create(
        slug=SLUG, defaults={"name": "Benchmark booking contention"}
    )
    now = timezone.now()
    run = unused_reference_prefix("C", length=9)
    people = Referral.objects.bulk_create(
        [
            bench_referral(
                organisation=organisation,
                reference=f"{run}{n:03d}",
                full_name=f"Contention Person {n}",
                state="in_contact",
                format_preference="in_person",
            )
            for n in range(clients)
        ]
    )
    rooms = Group.objects.bulk_create(
        [
            Group(
                organisation=organisation,
                title=f"Contention group {run}-{g}",
                audience="any_family",
                format="in_person",
                capacity=capacity,
            )
            for g in range(groups)
        ]
    )
    offers = Booking.objects.bulk_create(
        [
            Booking(
                group=group,
                referral=person,
                state=Booking.State.OFFERED,
                offer_expires_at=now + timedelta(hours=48),
                waitlisted_at=now,
            )
            for person in people
            for group in rooms
        ]
    )
    return [offers[n * groups : (n + 1) * groups] for n in range(clients)]

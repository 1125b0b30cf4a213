"""Bulk data for benchmarks and load tests: fast inserts, no services, nothing sent."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

GROUP_SIZE = 50


def bench_referral(*, organisation, reference: str, full_name: str, **details):
    """An unsaved self-referral for bulk inserts; ``details`` overrides any field."""
    from referrals.models import Referral

    fields = {
        "source": "self",
        "relationship": "partner",
        "stage": "on_bail",
        "children_in_household": "no",
        "support_wanted": "peer_group",
        "format_preference": "zoom",
        "first_contact_due": timezone.localdate(),
        **details,
    }
    return Referral(organisation=organisation, reference=reference, full_name=full_name, **fields)


def due_meeting_reminders_make(*, organisation, count: int, prefix: str = "B") -> None:
    """``count`` confirmed places (text messages safe) in groups meeting in an hour."""
    from peergroups.models import Booking, Group, Session
    from portal.crypto.keys import lookup_hash
    from referrals.models import Referral, SafeContact

    now = timezone.now()
    referrals = []
    for n in range(count):
        phone = f"+4479{n:08d}"
        referrals.append(
            bench_referral(
                organisation=organisation,
                reference=f"{prefix}{n:07d}",
                full_name=f"Person {n}",
                phone=phone,
                phone_hash=lookup_hash(phone),
            )
        )
    Referral.objects.bulk_create(referrals, batch_size=1000)
    SafeContact.objects.bulk_create(
        [SafeContact(referral=r, safe_to_text=True, confirmed_at=now) for r in referrals],
        batch_size=1000,
    )
    bookings = []
    start = now + timedelta(hours=1)
    for g in range((count + GROUP_SIZE - 1) // GROUP_SIZE):
        group = Group.objects.create(
            organisation=organisation,
            title=f"Group {g}",
            audience="any_family",
            format="zoom",
            capacity=GROUP_SIZE,
        )
        Session.objects.create(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
        bookings.extend(
            Booking(group=group, referral=referral, state="confirmed", confirmed_at=now)
            for referral in referrals[g * GROUP_SIZE : (g + 1) * GROUP_SIZE]
        )
    Booking.objects.bulk_create(bookings, batch_size=1000)


def unused_reference_prefix(letter: str, *, length: int = 5) -> str:
    """A reference prefix no earlier run used: references are unique, and a benchmark
    stage that commits its data may run many times in the same database."""
    import secrets

    from referrals.models import Referral

    while True:
        prefix = letter + secrets.token_hex(length).upper()[: length - len(letter)]
        if not Referral.objects.filter(reference__startswith=prefix).exists():
            return prefix

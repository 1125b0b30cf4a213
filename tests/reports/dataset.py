"""A small dataset for the first quarter of 2026 whose report figures are worked out by
hand in test_funder_report.py. Rows are written with the exact times the figures need."""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from peergroups.models import Attendance, Booking, InitialCallSlot, Session
from portal.notifications.models import MessageLog
from portal.retention.models import RetentionTally
from referrals.models import Referral, ReferralEvent
from resources.models import Delivery
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

LONDON = ZoneInfo("Europe/London")


def at(month, day, hour=10, year=2026):
    return datetime(year, month, day, hour, 0, tzinfo=LONDON)


def referral(organisation, when, *, source="self", contacted=None, referrer=None):
    with time_machine.travel(when, tick=False):
        if source == "self":
            made = make_referral(organisation)
        else:
            made = make_referral(
                organisation, referrer=referrer, agency=referrer.memberships.get().agency
            )
    if contacted:
        Referral.objects.filter(pk=made.pk).update(first_contacted_at=contacted)
    return made


def booking(group, person, *, confirmed=None, waitlisted=None, state="confirmed"):
    return Booking.objects.create(
        group=group,
        referral=person,
        state=state,
        confirmed_at=confirmed,
        waitlisted_at=waitlisted,
    )


def session(group, when, *, status="scheduled"):
    return Session.objects.create(
        group=group, starts_at=when, ends_at=when + timezone.timedelta(hours=1), status=status
    )


def build_quarter(organisation, *, caseworker, facilitator, referrer):
    r1 = referral(organisation, at(1, 5), contacted=at(1, 6))  # 1 day, on time
    r2 = referral(
        organisation, at(1, 7), source="professional", contacted=at(1, 12), referrer=referrer
    )  # 5 days, late
    r3 = referral(organisation, at(2, 10), contacted=at(2, 13))  # 3 days, late
    r4 = referral(organisation, at(3, 2), source="professional", referrer=referrer)
    referral(organisation, at(12, 20, year=2025))  # before the period

    g1 = GroupFactory(organisation=organisation, title="Tuesday evening group")
    g2 = GroupFactory(organisation=organisation, title="Daytime group")
    b1 = booking(g1, r1, confirmed=at(1, 20), state="cancelled")  # 15 days to a place
    b2 = booking(g1, r2, confirmed=at(2, 2), waitlisted=at(1, 21))  # 26 days; waited 12
    b3 = booking(g2, r3, confirmed=at(2, 12))  # 2 days

    s1, s2, s3, s4 = (session(g1, at(m, d, 19)) for m, d in ((1, 26), (2, 9), (2, 23), (3, 9)))
    session(g1, at(3, 23, 19), status="cancelled")
    session(g1, at(4, 20, 19))  # after the period
    s5 = session(g2, at(2, 18, 11))
    for sess, book, status in (
        (s1, b1, "attended"),
        (s2, b2, "attended"),
        (s3, b2, "attended"),
        (s4, b2, "attended"),
        (s5, b3, "no_show"),
    ):
        Attendance.objects.create(
            session=sess, booking=book, status=status, recorded_by=facilitator
        )

    for person, title, when, opened in (
        (r1, "Bail pack", at(1, 10), at(1, 11)),
        (r2, "Bail pack", at(2, 1), None),
        (r3, "Court pack", at(12, 31, year=2025), None),
    ):
        with time_machine.travel(when, tick=False):
            Delivery.objects.create(
                organisation=organisation,
                referral=person,
                title=title,
                token_hash=hashlib.sha256(f"{person.pk}{title}".encode()).hexdigest(),
                expires_at=at(6, 1),
                sent_by=caseworker,
                first_opened_at=opened,
            )

    with time_machine.travel(at(3, 10), tick=False):
        ReferralEvent.objects.create(
            referral=r4,
            kind=ReferralEvent.Kind.STATE_CHANGED,
            detail={"from": "assessed", "to": "signposted"},
        )
    InitialCallSlot.objects.create(
        organisation=organisation,
        facilitator=facilitator,
        starts_at=at(3, 11),
        ends_at=at(3, 11, 11),
        referral=r4,
        method=InitialCallSlot.Method.PHONE,
        outcome=InitialCallSlot.Outcome.SIGNPOST_ONLY,
        outcome_recorded_at=at(3, 11, 12),
    )

    for channel, status, when in (
        ("email", "sent", at(1, 5)),
        ("email", "sent", at(2, 10)),
        ("sms", "failed", at(2, 10)),
    ):
        with time_machine.travel(when, tick=False):
            MessageLog.objects.create(
                organisation=organisation,
                recipient_type="referrals.referral",
                recipient_id=str(r1.pk),
                channel=channel,
                template="referral_received",
                status=status,
            )
    RetentionTally.objects.get_or_create(
        organisation=organisation,
        record_type="message_log",
        on=at(3, 1).date(),
        category="sms:sent",
        defaults={"count": 1},
    )
    return {"r1": r1, "r2": r2, "r3": r3, "r4": r4, "g1": g1, "g2": g2}

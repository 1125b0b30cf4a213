"""Seeding a benchmark dataset with bulk inserts: no services, nothing sent.

Each organisation is seeded in one transaction, so stopping part-way loses only the
organisation in progress, and running again carries on with the next one missing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from peergroups.models import Attendance, Booking, Group, Session
from portal.accounts.models import User
from portal.api.models import Scope
from portal.api.services import api_key_issue
from portal.audit.models import AuditEvent
from portal.crypto.keys import lookup_hash
from portal.organisations.models import Membership, Organisation, ReferringAgency
from portal.organisations.roles import Role
from referrals.models import ConsentRecord, Referral, ReferralEvent, SafeContact

from ..bench_data import bench_referral
from .sizes import Size

BATCH = 5_000
YEARS_OF_HISTORY = 3
STAGES = ["searched_or_arrested", "in_custody", "on_bail", "released_under_investigation"]
OPEN_STATES = ["new", "in_contact", "assessed", "placed", "waitlisted"]

Progress = Callable[[str], None]


def organisation_slug(size: Size, index: int) -> str:
    return f"bench-{size.name}-{index:02d}"


def seed(*, size: Size, progress: Progress = lambda message: None) -> list[Organisation]:
    """Every organisation of ``size``, seeding the ones not there yet."""
    agency, _ = ReferringAgency.objects.get_or_create(name="Benchmark Constabulary")
    organisations = []
    seeded = False
    for index in range(size.organisations):
        slug = organisation_slug(size, index)
        existing = Organisation.objects.filter(slug=slug).first()
        if existing is None:
            existing = _seed_organisation(size=size, index=index, slug=slug, agency=agency)
            seeded = True
            progress(f"{size.name}: organisation {index + 1} of {size.organisations} seeded")
        organisations.append(existing)
    if seeded and connection.vendor == "postgresql":
        # A live database is vacuumed and analysed by autovacuum as it grows; a bulk load
        # is not yet, and the planner would choose its plans from statistics of the empty
        # tables (and could not answer from indexes alone).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        progress("tables vacuumed and statistics updated (VACUUM ANALYZE)")
    return organisations


def staff_of(organisation: Organisation, role: str) -> User:
    return (
        User.objects.filter(
            memberships__organisation=organisation,
            memberships__role=role,
            memberships__ended_at__isnull=True,
        )
        .order_by("email")
        .first()
    )


@transaction.atomic
def _seed_organisation(*, size: Size, index: int, slug: str, agency) -> Organisation:
    rng = random.Random(f"{size.name}-{index}")  # noqa: S311 - made-up data  # nosec B311
    now = timezone.now()
    organisation = Organisation.objects.create(name=f"Benchmark {size.name} {index:02d}", slug=slug)
    organisation.partner_agencies.add(agency)
    staff = _staff(organisation, slug, size)
    referrals = _referrals(organisation, size, index, rng, staff)
    _spread_over_years(Referral, "created_at", organisation_id=organisation.pk)
    _close_the_closed(organisation)
    _groups(organisation, size, rng, referrals, staff, now)
    _audit_rows(organisation, size, rng, referrals, staff)
    return organisation


# A facilitator runs a few groups at most; a charity with more groups has more of them.
GROUPS_PER_FACILITATOR = 3


def _staff(organisation: Organisation, slug: str, size: Size) -> dict[str, list[User]]:
    staff: dict[str, list[User]] = {}
    facilitators = -(-size.groups_per_organisation // GROUPS_PER_FACILITATOR)
    for role, count in (
        (Role.COORDINATOR, 1),
        (Role.CASEWORKER, 3),
        (Role.FACILITATOR, facilitators),
    ):
        for n in range(count):
            user = User.objects.create_user(
                email=f"{role}{n}@{slug}.example", full_name=f"{role.title()} {n}"
            )
            Membership.objects.create(user=user, organisation=organisation, role=role)
            TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
            staff.setdefault(role, []).append(user)
    return staff


def _referrals(organisation, size: Size, index: int, rng, staff) -> list[Referral]:
    today = timezone.localdate()
    caseworkers = staff[Role.CASEWORKER]
    rows = []
    for n in range(size.referrals_per_organisation):
        email = f"p{index}-{n}@example.org"
        closed = rng.random() < 0.7
        rows.append(
            bench_referral(
                organisation=organisation,
                reference=f"{size.name[0].upper()}{index:02d}{n:07d}",
                full_name=f"Benchmark Person {index}-{n}",
                state="closed" if closed else rng.choice(OPEN_STATES),
                email=email,
                email_hash=lookup_hash(email),
                stage=rng.choice(STAGES),
                assigned_to=rng.choice(caseworkers) if rng.random() < 0.8 else None,
                first_contact_due=today - timedelta(days=rng.randint(0, 365 * YEARS_OF_HISTORY)),
                close_reason="completed" if closed else "",
                # Moved to a month after the referral arrived, once arrival dates are set.
                closed_at=timezone.now() if closed else None,
            )
        )
    Referral.objects.bulk_create(rows, batch_size=BATCH)
    now = timezone.now()
    SafeContact.objects.bulk_create(
        [SafeContact(referral=r, safe_to_email=True, confirmed_at=now) for r in rows],
        batch_size=BATCH,
    )
    ConsentRecord.objects.bulk_create(
        [
            ConsentRecord(
                referral=r,
                action=ConsentRecord.Action.GIVEN,
                method="online_form",
                given_at=now,
                statement_version="benchmark",
            )
            for r in rows
        ],
        batch_size=BATCH,
    )
    ReferralEvent.objects.bulk_create(
        [
            ReferralEvent(
                referral=r, organisation_id=r.organisation_id, kind=ReferralEvent.Kind.SUBMITTED
            )
            for r in rows
        ],
        batch_size=BATCH,
    )
    return rows


def _spread_over_years(model, column: str, **where) -> None:
    """Rewrite an auto-now column to random moments over the last few years."""
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = connection.ops.quote_name(column)
    field, value = next(iter(where.items()))
    days = 365 * YEARS_OF_HISTORY
    if connection.vendor == "postgresql":
        moment = f"now() - (random() * interval '{days} days')"
    else:
        moment = f"datetime('now', '-' || (abs(random()) %% {days}) || ' days')"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {quoted} = {moment} WHERE {connection.ops.quote_name(field)} = %s",  # noqa: S608  # nosec B608
            [value.hex if connection.vendor == "sqlite" else value],
        )


def _close_the_closed(organisation) -> None:
    later = (
        "created_at + interval '30 days'"
        if connection.vendor == "postgresql"
        else "datetime(created_at, '+30 days')"
    )
    table = connection.ops.quote_name(Referral._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET closed_at = {later}, first_contacted_at = created_at"  # noqa: S608  # nosec B608
            " WHERE organisation_id = %s AND state = 'closed'",
            [organisation.pk.hex if connection.vendor == "sqlite" else organisation.pk],
        )


def _groups(organisation, size: Size, rng, referrals, staff, now) -> None:
    facilitators = staff[Role.FACILITATOR]
    groups = Group.objects.bulk_create(
        [
            Group(
                organisation=organisation,
                title=f"Benchmark group {g}",
                audience="any_family",
                format="zoom",
                capacity=12,
            )
            for g in range(size.groups_per_organisation)
        ]
    )
    Group.facilitators.through.objects.bulk_create(
        [
            Group.facilitators.through(
                group_id=g.pk, user_id=facilitators[i // GROUPS_PER_FACILITATOR].pk
            )
            for i, g in enumerate(groups)
        ]
    )
    sessions = []
    for group in groups:
        # Weekly, most in the past, the last fifth still to come.
        first = now - timedelta(weeks=size.sessions_per_group - size.sessions_per_group // 5)
        sessions += [
            Session(
                group=group,
                starts_at=first + timedelta(weeks=w),
                ends_at=first + timedelta(weeks=w, hours=1),
            )
            for w in range(size.sessions_per_group)
        ]
    Session.objects.bulk_create(sessions, batch_size=BATCH)
    by_group = {}
    for session in sessions:
        by_group.setdefault(session.group_id, []).append(session)
    bookings, attendance_for = [], []
    for g, group in enumerate(groups):
        past = [s for s in by_group[group.pk] if s.starts_at < now]
        for b in range(size.bookings_per_group):
            referral = referrals[(g * size.bookings_per_group + b) % len(referrals)]
            current = b < 10
            bookings.append(
                Booking(
                    group=group,
                    referral=referral,
                    state="confirmed" if current else rng.choice(["completed", "cancelled"]),
                    confirmed_at=now - timedelta(days=rng.randint(1, 700)),
                )
            )
            attendance_for.append(rng.choice(past))
    # One active place per person per group: a person may appear in a group once here.
    Booking.objects.bulk_create(bookings, batch_size=BATCH)
    recorder = facilitators[0]
    Attendance.objects.bulk_create(
        [
            Attendance(
                session=session,
                booking=booking,
                status=rng.choice(["attended", "attended", "attended", "apologies", "no_show"]),
                recorded_by=recorder,
            )
            for booking, session in zip(bookings, attendance_for, strict=True)
        ],
        batch_size=BATCH,
    )


def _audit_rows(organisation, size: Size, rng, referrals, staff) -> None:
    actors = staff[Role.CASEWORKER]
    for start in range(0, size.audit_rows_per_organisation, BATCH):
        count = min(BATCH, size.audit_rows_per_organisation - start)
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    actor=rng.choice(actors),
                    organisation=organisation,
                    action=AuditEvent.Action.VIEWED,
                    target_type="referrals.referral",
                    target_id=str(rng.choice(referrals).pk),
                    detail={"page": "referral"},
                )
                for _ in range(count)
            ]
        )
    _spread_over_years(AuditEvent, "at", organisation_id=organisation.pk)


def api_key_beside(organisation: Organisation, *, name: str) -> str:
    """A partner agency's API key for an organisation of its own beside ``organisation``.

    The benchmark's API requests create referrals. Sent to the measured organisation,
    every run would add to the very data whose pages it measures (a load test sends
    thousands), so they go to a sibling organisation in the same database, which has
    the same tables and indexes to write to.
    """
    agency = organisation.partner_agencies.first()
    sibling, created = Organisation.objects.get_or_create(
        slug=f"{organisation.slug}-api", defaults={"name": f"{organisation.name} (API)"}
    )
    if created:
        sibling.partner_agencies.add(agency)
        coordinator = User.objects.create_user(
            email=f"coordinator@{sibling.slug}.example", full_name="API coordinator"
        )
        Membership.objects.create(user=coordinator, organisation=sibling, role=Role.COORDINATOR)
    _, raw_key = api_key_issue(
        organisation=sibling,
        agency=agency,
        name=name,
        scopes=list(Scope.values),
        expires_on=timezone.localdate() + timedelta(days=1),
        actor=staff_of(sibling, Role.COORDINATOR),
    )
    return raw_key

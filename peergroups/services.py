"""Writes for peer groups: schedules, sessions, places (bookings), attendance, calls.

Capacity holds under simultaneous requests: every change to a group's places first
locks the group's row (SELECT … FOR UPDATE on PostgreSQL), and always in the same order
(group, then booking), so two confirmations cannot both take the last place and cannot
deadlock each other.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.core.background import task_queue_on_commit
from portal.notifications.contact_windows import ContactWindows
from portal.organisations.permissions import has_role
from portal.organisations.roles import CASE_ROLES
from referrals.models import Referral, ReferralEvent, SafeContact
from referrals.safe_contact_rules import group_offer_respected

from .models import Attendance, Booking, Group, InitialCallSlot, KeepApart, Schedule, Session
from .offer_fit import coming_meetings
from .scheduling import ScheduleSpec, session_times


class PeerGroupError(Exception):
    """A change that cannot be made; the message is safe to show."""


def _require_staff(organisation, actor: User) -> None:
    if not has_role(actor, organisation, CASE_ROLES):
        raise PeerGroupError("You do not have a role in this group's organisation.")


def _lock_group(group: Group) -> Group:
    return Group.objects.select_for_update().get(pk=group.pk)


def _lock_person_then_group(referral_id, group: Group) -> Group:
    """Lock one person's referral, then the group: the order a withdrawal of consent takes
    them (it locks the referral, then releases each place under its group's lock), so a
    change to that person's place and a withdrawal queue rather than deadlock."""
    list(Referral.objects.select_for_update().filter(pk=referral_id).only("pk"))
    return _lock_group(group)


# --- Schedules and sessions -------------------------------------------------------------


@transaction.atomic
def schedule_apply(*, group: Group, spec: ScheduleSpec, actor: User) -> list[Session]:
    """Save the schedule and bring future sessions into line with it.

    Future sessions that follow the schedule are moved to the new times in order, so
    their ids, notes and any Zoom meeting stay; spare ones are cancelled and new ones
    added. Past sessions, and sessions moved by hand, are never touched.
    """
    group = _lock_group(group)
    _require_staff(group.organisation, actor)
    times = session_times(spec)  # raises ScheduleError before anything changes
    Schedule.objects.update_or_create(
        group=group,
        defaults={
            "rule": spec.rule,
            "start_date": spec.start_date,
            "end_date": spec.end_date,
            "occurrences": spec.occurrences,
            "start_time": spec.start_time,
            "duration_minutes": spec.duration_minutes,
            "nth": spec.nth,
            "fixed_dates": [day.isoformat() for day in spec.fixed_dates],
        },
    )
    now = timezone.now()
    wanted = [(start, end) for start, end in times if start > now]
    existing = list(
        group.sessions.select_for_update()
        .filter(starts_at__gt=now, status=Session.Status.SCHEDULED, detached=False)
        .order_by("starts_at")
    )
    sync = Session.Sync.PENDING if group.format == Group.Format.ZOOM else Session.Sync.NOT_NEEDED
    kept = []
    moved = False
    for session, (start, end) in zip(existing, wanted, strict=False):
        if (session.starts_at, session.ends_at) != (start, end):
            session.starts_at, session.ends_at = start, end
            session.sync_state = sync
            session.save(update_fields=["starts_at", "ends_at", "sync_state"])
            moved = True
        kept.append(session)
    if moved:
        _tell_confirmed_about_new_times(group)
    for session in existing[len(wanted) :]:
        session_cancel(session=session, actor=actor)
    for start, end in wanted[len(existing) :]:
        kept.append(
            Session.objects.create(group=group, starts_at=start, ends_at=end, sync_state=sync)
        )
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        organisation=group.organisation,
        target=group,
        detail={"change": "schedule", "sessions": len(kept)},
    )
    for session in kept:
        if session.sync_state == Session.Sync.PENDING:
            _queue_meeting_sync(session)
    return kept


def _queue_registrations(booking: Booking) -> None:
    """Personal Zoom links follow the place: made on confirmation, cancelled when it ends."""
    if booking.group.format != Group.Format.ZOOM:
        return
    from .tasks import sync_booking_registrations

    # With the broker down the place is still saved: the person joins by the meeting's own
    # link, and gets their own links when the group's next meeting is made in Zoom.
    task_queue_on_commit(sync_booking_registrations, str(booking.pk))


def _queue_meeting_sync(session: Session) -> None:
    """Create or update the session's Zoom meeting in the background, once committed."""
    from .tasks import sync_session_meeting

    # With the broker down the session stays "waiting to update Zoom" for staff to see.
    task_queue_on_commit(sync_session_meeting, str(session.pk))


@transaction.atomic
def session_cancel(*, session: Session, actor: User) -> Session:
    session = Session.objects.select_for_update().select_related("group").get(pk=session.pk)
    _require_staff(session.group.organisation, actor)
    if session.status == Session.Status.CANCELLED:
        return session
    session.status = Session.Status.CANCELLED
    if session.group.format == Group.Format.ZOOM:
        session.sync_state = Session.Sync.PENDING
        _queue_meeting_sync(session)
    session.save(update_fields=["status", "sync_state"])
    booked = list(
        Booking.objects.filter(group=session.group, state=Booking.State.CONFIRMED).select_related(
            "referral__organisation", "referral__safe_contact"
        )
    )
    starts_at = session.starts_at

    def tell_everyone():
        from referrals.notifications import referral_notify

        for booking in booked:
            # No use once the meeting would have begun: with no safe time before then,
            # staff are asked to tell them instead.
            referral_notify(
                referral=booking.referral,
                template="session_cancelled",
                context={"starts_at": starts_at},
                needed_by=starts_at,
            )

    transaction.on_commit(tell_everyone)
    return session


# --- Places -----------------------------------------------------------------------------


def _kept_apart_from(group: Group, referral: Referral) -> bool:
    pairs = KeepApart.objects.filter(Q(first=referral) | Q(second=referral))
    others = {p.second_id if p.first_id == referral.pk else p.first_id for p in pairs}
    if not others:
        return False
    return group.bookings.filter(referral_id__in=others, state__in=Booking.ACTIVE).exists()


def _places_taken(group: Group) -> int:
    return group.bookings.filter(state__in=Booking.PLACE_HOLDING).count()


def _safe_windows(referral: Referral) -> ContactWindows:
    try:
        return referral.safe_contact.windows
    except SafeContact.DoesNotExist:
        return ContactWindows()


# However few a person's safe hours, an offer holds a place no longer than this (or the
# group's own offer time, if longer): a place is not kept from the waiting list for months.
OFFER_LONGEST = timedelta(days=14)


def _make_offer(booking: Booking, group: Group, now) -> None:
    """Offer the place for ``group.offer_hours`` of the person's safe time: someone who
    can be reached only on weekdays is not timed out by a weekend, nor by the night
    before their first safe hour."""
    booking.state = Booking.State.OFFERED
    booking.offer_expires_at = _safe_windows(booking.referral).add_safe_hours(
        now,
        group.offer_hours,
        not_after=now + max(OFFER_LONGEST, timedelta(hours=group.offer_hours)),
    )
    booking.save(update_fields=["state", "offer_expires_at", "updated_at"])
    ReferralEvent.objects.create(
        referral=booking.referral,
        kind=ReferralEvent.Kind.STATE_CHANGED,
        detail={"booking": str(booking.pk), "place": "offered"},
    )
    booking_id = booking.pk
    transaction.on_commit(lambda: _notify_booking(booking_id, "place_offered"))


def _notify_booking(booking_id, template: str) -> None:
    """Tell the person about their place, now or at their next safe time. An offer is no
    use once it has run out (``needed_by``); one waiting for a safe time is dropped if
    the place is no longer offered, and news of changed times if the place has gone
    (the guards in ``message_kinds``)."""
    from referrals.notifications import referral_notify

    booking = Booking.objects.select_related(
        "group", "referral__organisation", "referral__safe_contact"
    ).get(pk=booking_id)
    referral_notify(
        referral=booking.referral,
        template=template,
        context={"booking_id": str(booking.pk), "offer_expires_at": booking.offer_expires_at},
        needed_by=booking.offer_expires_at if template == "place_offered" else None,
    )


def _place_change_recorded(
    booking: Booking, *, actor: User | None, by_person: bool, request=None, **change
) -> None:
    """The referral's timeline line and the audit row for a place changed by staff
    (``actor``) or by the person on their support page (``by_person``), so the caseworker
    sees what the person decided. ``change`` is what changed: the place's new state, or
    the ground rules accepted."""
    by = {"by": "person"} if by_person else {}
    change = change or {"place": booking.state}
    ReferralEvent.objects.create(
        referral_id=booking.referral_id,
        kind=ReferralEvent.Kind.STATE_CHANGED,
        actor=actor,
        detail={**by, "booking": str(booking.pk), **change},
    )
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        request=request,
        organisation=booking.group.organisation,
        target=booking.referral,
        detail={"change": "place", **by, "booking": str(booking.pk), **change},
    )


def booking_offer(
    *,
    group: Group,
    referral: Referral,
    actor: User,
    override_reason: str = "",
    request=None,
) -> Booking:
    """Offer a place, or a place on the waiting list when the group is full.

    A group whose coming meetings fall outside the person's safe times, or that does not
    meet the way they asked, is refused (``UnsafeOffer``, saying which meetings) unless
    ``override_reason`` says why it is offered anyway: recorded, on the timeline, audited.
    """
    with transaction.atomic():
        group = _lock_person_then_group(referral.pk, group)
        _require_staff(group.organisation, actor)
        referral = Referral.objects.get(pk=referral.pk)  # fresh: consent may just have changed
        if referral.organisation_id != group.organisation_id:
            raise PeerGroupError("That referral belongs to another organisation.")
        if not referral.is_open or not referral.is_contactable:
            raise PeerGroupError("This referral is closed or the person withdrew consent.")
        if group.bookings.filter(referral=referral, state__in=Booking.ACTIVE).exists():
            raise PeerGroupError("This person already has a place or an offer in this group.")
        if _kept_apart_from(group, referral):
            raise PeerGroupError(
                "This person asked to be kept apart from someone already in this group."
            )
        group_offer_respected(
            referral=referral,
            actor=actor,
            meetings=coming_meetings(group),
            group_format=group.format,
            override_reason=override_reason,
            request=request,
        )
        now = timezone.now()
        booking = Booking.objects.create(
            group=group, referral=referral, state=Booking.State.WAITLISTED, waitlisted_at=now
        )
        if _places_taken(group) < group.capacity:
            _make_offer(booking, group, now)
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            organisation=group.organisation,
            target=referral,
            detail={"change": "place", "state": booking.state},
        )
    return booking


def booking_confirm(*, booking: Booking, request=None) -> Booking:
    """The person accepts their offer. A full group puts them on the waiting list instead."""
    expired = False
    with transaction.atomic():
        group = _lock_person_then_group(booking.referral_id, booking.group)
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        now = timezone.now()
        if booking.state == Booking.State.CONFIRMED:
            return booking
        if booking.state != Booking.State.OFFERED:
            raise PeerGroupError("This offer is no longer open.")
        if booking.offer_expires_at <= now:
            # Committed before the refusal is raised, so the place passes on.
            _expire(booking, group, now)
            expired = True
        else:
            _confirm_or_waitlist(booking, group, now)
            _place_change_recorded(booking, actor=None, by_person=True, request=request)
            if booking.state == Booking.State.CONFIRMED:
                # A confirmed place moves the referral on to "placed in a group".
                from referrals.progress import referral_place_confirmed

                referral_place_confirmed(
                    referral_id=booking.referral_id, booking_id=booking.pk, request=request
                )
            _queue_registrations(booking)
    if expired:
        raise PeerGroupError(
            "Sorry, this offer has ended, so the place has gone to the next person waiting. "
            "Contact us if you would still like to join."
        )
    return booking


def _confirm_or_waitlist(booking: Booking, group: Group, now) -> None:
    """Take a free place, or join the waiting list if the last one has just gone."""
    confirmed = group.bookings.filter(state=Booking.State.CONFIRMED).count()
    if confirmed < group.capacity:
        booking.state = Booking.State.CONFIRMED
        booking.confirmed_at = now
    else:
        booking.state = Booking.State.WAITLISTED
        booking.waitlisted_at = now
    booking.offer_expires_at = None
    booking.save(
        update_fields=["state", "confirmed_at", "offer_expires_at", "waitlisted_at", "updated_at"]
    )


def _expire(booking: Booking, group: Group, now) -> None:
    booking.state = Booking.State.EXPIRED
    booking.save(update_fields=["state", "updated_at"])
    _promote(group, now)


def _promote(group: Group, now) -> list[Booking]:
    """Offer free places to the waiting list, earliest first, skipping anyone kept apart."""
    offered = []
    waiting = (
        group.bookings.filter(state=Booking.State.WAITLISTED)
        .select_related("referral")
        .order_by("waitlisted_at", "created_at")
    )
    for candidate in waiting:
        if (
            _places_taken(group)
            + group.bookings.filter(state=Booking.State.AWAITING_APPROVAL).count()
            >= group.capacity
        ):
            break
        if not candidate.referral.is_contactable or _kept_apart_from(group, candidate.referral):
            continue
        if group.offers_need_approval:
            candidate.state = Booking.State.AWAITING_APPROVAL
            candidate.save(update_fields=["state", "updated_at"])
        else:
            _make_offer(candidate, group, now)
        offered.append(candidate)
    return offered


def booking_release(
    *,
    booking: Booking,
    state: str,
    actor: User | None = None,
    by_person: bool = False,
    request=None,
) -> Booking:
    """Decline an offer or cancel a place (by staff, by the person on their support page,
    or because they withdrew consent); the place passes on."""
    if state not in (Booking.State.DECLINED, Booking.State.CANCELLED):
        raise PeerGroupError("A place can only be declined or cancelled.")
    with transaction.atomic():
        group = _lock_person_then_group(booking.referral_id, booking.group)
        if actor is not None:
            _require_staff(group.organisation, actor)
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.state not in Booking.ACTIVE:
            raise PeerGroupError("This place has already been given up.")
        was_confirmed = booking.state == Booking.State.CONFIRMED
        booking.state = state
        booking.offer_expires_at = None
        booking.save(update_fields=["state", "offer_expires_at", "updated_at"])
        _place_change_recorded(booking, actor=actor, by_person=by_person, request=request)
        if was_confirmed:
            _queue_registrations(booking)
        _promote(group, timezone.now())
    return booking


@transaction.atomic
def offer_approve(*, booking: Booking, actor: User) -> Booking:
    group = _lock_person_then_group(booking.referral_id, booking.group)
    _require_staff(group.organisation, actor)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.state != Booking.State.AWAITING_APPROVAL:
        raise PeerGroupError("There is no offer waiting for approval.")
    _make_offer(booking, group, timezone.now())
    return booking


def offers_expire_due(*, now=None) -> int:
    """Expire offers past their time and pass each place on. Safe to run from two workers."""
    now = now or timezone.now()
    expired = 0
    due_groups = (
        Booking.objects.filter(state=Booking.State.OFFERED, offer_expires_at__lte=now)
        .values_list("group_id", flat=True)
        .distinct()
    )
    for group_id in list(due_groups):
        with transaction.atomic():
            group = Group.objects.select_for_update(skip_locked=True).filter(pk=group_id).first()
            if group is None:
                continue  # another worker is on it
            for booking in group.bookings.select_for_update().filter(
                state=Booking.State.OFFERED, offer_expires_at__lte=now
            ):
                booking.state = Booking.State.EXPIRED
                booking.save(update_fields=["state", "updated_at"])
                expired += 1
            _promote(group, now)
    return expired


@transaction.atomic
def keep_apart(*, first: Referral, second: Referral, actor: User) -> KeepApart:
    if first.pk == second.pk:
        raise PeerGroupError("Choose two different people.")
    if first.organisation_id != second.organisation_id:
        raise PeerGroupError("Both people must be referrals of the same organisation.")
    _require_staff(first.organisation, actor)
    a, b = sorted([first, second], key=lambda referral: str(referral.pk))
    pair, _ = KeepApart.objects.get_or_create(
        first=a, second=b, defaults={"organisation": first.organisation, "created_by": actor}
    )
    return pair


# --- Attendance and calls ---------------------------------------------------------------


def attendance_record(
    *, session: Session, booking: Booking, status: str, actor: User, request=None
) -> Attendance:
    """One path for every mark: ``peergroups.attendance`` refuses a register before the
    meeting starts or for a cancelled one, and audits each change with old and new."""
    from .attendance import attendance_record as record

    return record(session=session, booking=booking, status=status, actor=actor, request=request)


def _call_in_words(slot: InitialCallSlot) -> str:
    from django.utils.dateformat import format as date_format

    return date_format(timezone.localtime(slot.starts_at), "j M Y, g:i a")


def _call_change_recorded(
    referral: Referral,
    kind: str,
    *,
    slot: InitialCallSlot,
    actor: User | None,
    request=None,
    moved_from: InitialCallSlot | None = None,
    was_method: str = "",
    override=None,
) -> ReferralEvent:
    """The referral's timeline line and the audit row for a call booked or moved (or its
    way changed), by staff or by the person on their support page (``actor`` None), so
    the caseworker sees it. The timeline keeps the times and the way in words (not
    personal data, and what staff read); an override of safe contact is named by id."""
    from .call_methods import method_in_words

    by = {} if actor is not None else {"by": "person"}
    ids = {"slot": str(slot.pk), "method": slot.method}
    words = {"when": _call_in_words(slot), "how": method_in_words(slot.method)}
    if moved_from is not None and moved_from.pk != slot.pk:
        ids["from_slot"] = str(moved_from.pk)
        words["was"] = _call_in_words(moved_from)
    if was_method:
        words["was_how"] = method_in_words(was_method)
    if override is not None:
        ids["override"] = str(override.pk)
    event = ReferralEvent.objects.create(
        referral=referral, kind=kind, actor=actor, detail={**by, **ids, **words}
    )
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        request=request,
        organisation=referral.organisation,
        target=referral,
        detail={"change": kind, **by, **ids},
    )
    return event


def _call_confirmation_queue(
    referral: Referral, slot: InitialCallSlot, *, template: str, key: str
) -> None:
    """Tell the family the call's time and way (``call_booked`` or ``call_moved``), by a
    safe channel in a safe window. No use once the call has begun (``needed_by``); one
    no longer right when it is about to go (moved again, or its way changed) is dropped
    by its guard (``message_kinds``). ``key`` makes a repeated decision send nothing."""
    from portal.notifications.services import message_queue

    from .reminders import _in_words

    message_queue(
        organisation=referral.organisation,
        record_type="referrals.referral",
        record_id=str(referral.pk),
        template=template,
        context={
            "slot_id": str(slot.pk),
            "referral_id": str(referral.pk),
            "starts_at": slot.starts_at.isoformat(),
            "method": slot.method,
            "when": _in_words(slot.starts_at),
        },
        key=key,
        needed_by=slot.starts_at,
    )


def _call_method_checked(
    *,
    referral: Referral,
    slot: InitialCallSlot,
    method: str | None,
    actor: User | None,
    override_reason: str = "",
    request=None,
):
    """The way the call at ``slot`` happens, checked: ``(method, override)``.

    ``method`` None is the first way safe for them (a phone call if calls are). A way we
    hold no number or address for is refused outright. A person choosing on their page
    is held to the ways safe for them (their page offers only those). Staff may choose
    any way, but an unsafe one, or a time outside the person's safe times, is refused
    (``UnsafeContact``) unless they give a reason, which is recorded, on the timeline and
    audited (``safe_contact_respected``). Call inside the booking's transaction.
    """
    from referrals.models import SafeContactOverride
    from referrals.safe_contact_rules import safe_contact_respected

    from .call_methods import call_method_option, call_method_options

    if method is None:
        options = call_method_options(referral)
        method = next((o.method for o in options if o.safe), InitialCallSlot.Method.PHONE)
    option = call_method_option(referral, method)
    if option is None:
        raise PeerGroupError("Choose how the call happens.")
    if not option.held:
        raise PeerGroupError(
            option.problem
            if actor is not None
            else "Sorry, we cannot reach you that way. Please choose another."
        )
    if actor is None:
        if not option.safe:
            raise PeerGroupError(
                "You have not told us that way is safe. Please choose another, or change "
                "how we contact you below."
            )
        return method, None
    override = safe_contact_respected(
        referral=referral,
        action=SafeContactOverride.Action.CALL_BOOKING,
        actor=actor,
        channel=option.channel,
        at=slot.starts_at,
        override_reason=override_reason,
        request=request,
    )
    return method, override


def _lock_person_with_no_other_call(
    referral: Referral, *, actor: User | None, besides: InitialCallSlot | None = None
) -> None:
    """Lock the referral's row (always after the slots, as recording a call's outcome
    does, so the two cannot deadlock) and refuse a second call still to come: two clicks
    on two times at once must not book both."""
    Referral.objects.select_for_update().filter(pk=referral.pk).first()
    others = InitialCallSlot.objects.filter(
        referral=referral, starts_at__gt=timezone.now(), outcome=""
    )
    if besides is not None:
        others = others.exclude(pk=besides.pk)
    if others.exists():
        raise PeerGroupError(
            "You already have a call booked. You can move it to another time instead."
            if actor is None
            else "They already have a call booked: move it instead of booking another."
        )


def _check_bookable(slot: InitialCallSlot, referral: Referral) -> None:
    if slot.organisation_id != referral.organisation_id:
        raise PeerGroupError("That referral belongs to another organisation.")
    if slot.referral_id is not None:
        raise PeerGroupError("Sorry, that time has just been taken. Please choose another.")
    if slot.starts_at <= timezone.now():
        raise PeerGroupError("That time has passed. Please choose another.")


def call_slot_book(
    *,
    slot: InitialCallSlot,
    referral: Referral,
    method: str | None = None,
    actor: User | None = None,
    request=None,
    override_reason: str = "",
) -> InitialCallSlot:
    """Book a referral into a free slot, saying how the call happens (``method``; None is
    the first way safe for them). A slot already taken is refused, even in a race.

    ``actor`` is the member of staff booking it, or None when the person books it on
    their support page; either way it goes on the referral's timeline, and the family is
    sent a confirmation (``call_booked``). A way or time that is not safe is refused as
    ``_call_method_checked`` says. A time already theirs (a second click on the same
    button) is answered as the first click was, and sends nothing again; with another
    way chosen, the way is changed (``call_moved``).
    """
    with transaction.atomic():
        slot = InitialCallSlot.objects.select_for_update().get(pk=slot.pk)
        if actor is not None:
            _require_staff(slot.organisation, actor)
        if slot.referral_id == referral.pk and slot.starts_at > timezone.now() and not slot.outcome:
            if method is None or method == slot.method:
                return slot
            return _call_method_change(
                slot=slot,
                referral=referral,
                method=method,
                actor=actor,
                request=request,
                override_reason=override_reason,
            )
        _check_bookable(slot, referral)
        _lock_person_with_no_other_call(referral, actor=actor)
        method, override = _call_method_checked(
            referral=referral,
            slot=slot,
            method=method,
            actor=actor,
            override_reason=override_reason,
            request=request,
        )
        slot.referral, slot.method = referral, method
        slot.save(update_fields=["referral", "method"])
        _call_change_recorded(
            referral,
            ReferralEvent.Kind.CALL_BOOKED,
            slot=slot,
            actor=actor,
            request=request,
            override=override,
        )
        _call_confirmation_queue(
            referral,
            slot,
            template="call_booked",
            key=f"call-booked:{slot.pk}:{referral.pk}:{slot.starts_at.isoformat()}",
        )
    return slot


def _call_method_change(
    *,
    slot: InitialCallSlot,
    referral: Referral,
    method: str,
    actor: User | None,
    request=None,
    override_reason: str = "",
) -> InitialCallSlot:
    """The booked call stays at its time and happens another way (in the caller's
    transaction, with the slot locked). On the timeline as a move, with the way it was."""
    was_method = slot.method
    method, override = _call_method_checked(
        referral=referral,
        slot=slot,
        method=method,
        actor=actor,
        override_reason=override_reason,
        request=request,
    )
    slot.method = method
    slot.save(update_fields=["method"])
    event = _call_change_recorded(
        referral,
        ReferralEvent.Kind.CALL_MOVED,
        slot=slot,
        actor=actor,
        request=request,
        was_method=was_method,
        override=override,
    )
    _call_confirmation_queue(
        referral,
        slot,
        template="call_moved",
        key=f"call-moved:{slot.pk}:{referral.pk}:{slot.starts_at.isoformat()}:{event.pk}",
    )
    return slot


def call_slot_move(
    *,
    referral: Referral,
    to_slot: InitialCallSlot,
    method: str | None = None,
    actor: User | None = None,
    request=None,
    override_reason: str = "",
) -> InitialCallSlot:
    """Move the referral's booked call to ``to_slot``: the old time is freed for someone
    else and the new one taken, together or not at all. ``method`` None keeps the way
    it was to happen; the new time and way are checked as a booking's are, and the
    family is sent a confirmation (``call_moved``).

    Both slots are locked in the order of their ids, so two people swapping times cannot
    deadlock. A reminder or confirmation already queued for the old time is dropped by
    its guard (``peergroups.reminders``, ``peergroups.message_kinds``), since the old
    slot no longer names this person.
    """
    with transaction.atomic():
        booked = list(
            InitialCallSlot.objects.filter(
                referral=referral, starts_at__gt=timezone.now(), outcome=""
            )
            .order_by("starts_at")
            .values_list("pk", flat=True)[:1]
        )
        if not booked:
            raise PeerGroupError("You do not have a call booked to move. Choose a time below.")
        locked = {
            slot.pk: slot
            for slot in InitialCallSlot.objects.select_for_update()
            .filter(pk__in=[booked[0], to_slot.pk])
            .order_by("pk")
        }
        old, to_slot = locked[booked[0]], locked[to_slot.pk]
        if actor is not None:
            _require_staff(to_slot.organisation, actor)
        if old.pk == to_slot.pk:
            raise PeerGroupError("Your call is already at that time.")
        if old.referral_id != referral.pk or old.starts_at <= timezone.now():
            raise PeerGroupError("Your call has just started or changed. Please look again.")
        _check_bookable(to_slot, referral)
        _lock_person_with_no_other_call(referral, actor=actor, besides=old)
        method, override = _call_method_checked(
            referral=referral,
            slot=to_slot,
            method=method or old.method or None,
            actor=actor,
            override_reason=override_reason,
            request=request,
        )
        was_method = old.method
        old.referral, old.method = None, ""
        old.save(update_fields=["referral", "method"])
        to_slot.referral, to_slot.method = referral, method
        to_slot.save(update_fields=["referral", "method"])
        event = _call_change_recorded(
            referral,
            ReferralEvent.Kind.CALL_MOVED,
            slot=to_slot,
            moved_from=old,
            was_method=was_method if was_method != method else "",
            actor=actor,
            request=request,
            override=override,
        )
        # The move's own id in the key: moving back to a time held before is a new
        # decision, and a second click cannot make a second move (the time is theirs).
        start = to_slot.starts_at.isoformat()
        _call_confirmation_queue(
            referral,
            to_slot,
            template="call_moved",
            key=f"call-moved:{to_slot.pk}:{referral.pk}:{start}:{event.pk}",
        )
    return to_slot


@transaction.atomic
def call_video_link_set(*, slot: InitialCallSlot, link: str, actor: User) -> InitialCallSlot:
    """Give (or change) where a video call at this time is joined. The person sees it on
    their support page; messages only ever carry the link to that page."""
    slot = InitialCallSlot.objects.select_for_update().get(pk=slot.pk)
    _require_staff(slot.organisation, actor)
    if slot.starts_at <= timezone.now():
        raise PeerGroupError("That call time has passed.")
    slot.video_link = link.strip()
    slot.save(update_fields=["video_link"])
    return slot


@transaction.atomic
def ground_rules_accept(*, booking: Booking, request=None) -> Booking:
    """The person agrees to their group's ground rules, on their support page."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.ground_rules_accepted_at is None:
        booking.ground_rules_accepted_at = timezone.now()
        booking.save(update_fields=["ground_rules_accepted_at", "updated_at"])
        _place_change_recorded(
            booking, actor=None, by_person=True, request=request, ground_rules="accepted"
        )
    return booking


@transaction.atomic
def call_slot_publish(
    *, facilitator: User, organisation, starts_at, ends_at, video_link: str = ""
) -> InitialCallSlot:
    """Offer a time for an initial call, with where a video call then is joined if it
    is known. A facilitator's slots never overlap."""
    if not has_role(facilitator, organisation, CASE_ROLES):
        raise PeerGroupError("You do not have a role in this organisation.")
    if ends_at <= starts_at:
        raise PeerGroupError("The call must end after it starts.")
    if starts_at <= timezone.now():
        raise PeerGroupError("Choose a time in the future.")
    # Lock the facilitator's future slots so two requests cannot both add overlapping ones.
    overlapping = (
        InitialCallSlot.objects.select_for_update()
        .filter(facilitator=facilitator, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exists()
    )
    if overlapping:
        raise PeerGroupError("This overlaps another call time you have offered.")
    return InitialCallSlot.objects.create(
        organisation=organisation,
        facilitator=facilitator,
        starts_at=starts_at,
        ends_at=ends_at,
        video_link=video_link.strip(),
    )


def call_outcome_record(*, slot: InitialCallSlot, outcome: str, actor: User) -> InitialCallSlot:
    """Record how the call went; it moves the referral on along its state machine."""
    from referrals.choices import State
    from referrals.services import referral_transition

    if outcome not in InitialCallSlot.Outcome.values:
        raise PeerGroupError("Choose how the call went.")
    with transaction.atomic():
        slot = (
            InitialCallSlot.objects.select_for_update(of=("self",))
            .select_related("referral")
            .get(pk=slot.pk)
        )
        _require_staff(slot.organisation, actor)
        if slot.referral is None:
            raise PeerGroupError("No one was booked for this call.")
        slot.outcome = outcome
        slot.outcome_recorded_at = timezone.now()
        slot.save(update_fields=["outcome", "outcome_recorded_at"])
        referral = slot.referral
        Referral.objects.filter(pk=referral.pk, first_contacted_at__isnull=True).update(
            first_contacted_at=slot.starts_at
        )
        # A call means the person was reached; then the outcome is the assessment.
        if referral.state == State.NEW:
            referral = referral_transition(
                referral=referral, to_state=State.IN_CONTACT, actor=actor
            )
        if referral.state == State.IN_CONTACT:
            referral = referral_transition(referral=referral, to_state=State.ASSESSED, actor=actor)
        if outcome == InitialCallSlot.Outcome.SIGNPOST_ONLY and referral.state == State.ASSESSED:
            referral_transition(referral=referral, to_state=State.SIGNPOSTED, actor=actor)
    return slot


GROUP_FIELDS = (
    "title",
    "description",
    "audience",
    "format",
    "venue",
    "capacity",
    "cohort",
    "ground_rules",
    "offers_need_approval",
    "offer_hours",
)


def group_save(
    *, organisation, values: dict, facilitators, actor: User, group: Group | None = None
) -> Group:
    """Create or change a group. Capacity can never drop below the places already confirmed."""
    with transaction.atomic():
        _require_staff(organisation, actor)
        if group is not None:
            group = _lock_group(group)
            confirmed = group.bookings.filter(state=Booking.State.CONFIRMED).count()
            if values["capacity"] < confirmed:
                raise PeerGroupError(
                    f"{confirmed} people already have confirmed places: the capacity cannot be "
                    f"less than {confirmed}."
                )
        else:
            group = Group(organisation=organisation)
        venue = values.get("venue")
        if venue is not None and venue.organisation_id != organisation.pk:
            raise PeerGroupError("Choose one of your organisation's venues.")
        if values["format"] == Group.Format.IN_PERSON and venue is None:
            raise PeerGroupError("An in-person group needs a venue.")
        for field in GROUP_FIELDS:
            setattr(group, field, values.get(field))
        group.save()
        group.facilitators.set(facilitators)
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            organisation=organisation,
            target=group,
            detail={"change": "group"},
        )
        if group.capacity > _places_taken(group):
            _promote(group, timezone.now())
    return group


@transaction.atomic
def session_joining_details_set(
    *, session: Session, join_url: str, passcode: str, actor: User
) -> Session:
    """For organisations without a Zoom account: joining details entered by hand."""
    session = (
        Session.objects.select_for_update().select_related("group__organisation").get(pk=session.pk)
    )
    _require_staff(session.group.organisation, actor)
    if session.group.format != Group.Format.ZOOM:
        raise PeerGroupError("Only online meetings have joining links.")
    session.join_url = join_url.strip()
    session.passcode = passcode.strip()
    session.save(update_fields=["join_url", "passcode"])
    return session


def _tell_confirmed_about_new_times(group: Group) -> None:
    """After a schedule change, everyone confirmed hears once; their page has the details."""
    booked = list(
        Booking.objects.filter(group=group, state=Booking.State.CONFIRMED).values_list(
            "pk", flat=True
        )
    )

    def tell_everyone():
        for booking_id in booked:
            _notify_booking(booking_id, "meetings_changed")

    transaction.on_commit(tell_everyone)


@transaction.atomic
def zoom_account_save(
    *,
    organisation,
    actor: User,
    account_id: str,
    client_id: str,
    client_secret: str,
    registration_enabled: bool,
):
    from portal.organisations.roles import Role

    from .models import ZoomAccount

    if not has_role(actor, organisation, [Role.COORDINATOR]):
        raise PeerGroupError("Only a coordinator can change the Zoom settings.")
    account = ZoomAccount.objects.select_for_update().filter(organisation=organisation).first()
    account = account or ZoomAccount(organisation=organisation)
    account.account_id = account_id.strip()
    account.client_id = client_id.strip()
    if client_secret:
        account.client_secret = client_secret.strip()
    account.registration_enabled = registration_enabled
    # Saving asks Zoom again, even for the same credentials: the page shows the answer.
    account.verified_fingerprint = ""
    account.check_error = ""
    account.checked_at = None
    account.save()
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        organisation=organisation,
        target=account,
        detail={"change": "zoom_account"},
    )
    _queue_zoom_account_check(account)
    return account


def _queue_zoom_account_check(account) -> None:
    """Zoom is asked in the background, once committed: never inside the web request.
    With the broker down the settings are still saved and shown as being checked; they
    are checked before the first meeting made with them (``zoom_client_for``)."""
    from .tasks import check_zoom_account

    task_queue_on_commit(check_zoom_account, account.pk)

"""The family's private support page: where things stand, and the changes they make there.

The page (``peergroups.views_participant``, at ``/support/``) is opened with a
support-page link from a message, or with a code a member of staff read out by phone
(``support_code_give``). It reads ``support_status`` and writes through the services
here and in ``peergroups.services`` (booking or moving the first call). Every change a
family makes goes on the referral's timeline with ``by: person`` and into the audit log,
so the caseworker sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from peergroups.models import Booking, InitialCallSlot, Session
from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.notifications.contact_windows import ContactWindows
from portal.notifications.models import StaffTask
from portal.organisations.permissions import has_role
from portal.organisations.roles import CASE_ROLES

from . import links
from .choices import Channel, State
from .models import PrivateLink, Referral, ReferralEvent, SafeContact
from .services import ReferralError
from .validators import is_mobile

# --- Where things stand -----------------------------------------------------------------


class Stage:
    """Where things stand, as the page says it; the template holds the words."""

    RECEIVED = "received"
    IN_CONTACT = "in_contact"
    CALL_BOOKED = "call_booked"
    TALKED = "talked"
    PLACE_OFFERED = "place_offered"
    WAITING_LIST = "waiting_list"
    IN_GROUP = "in_group"
    # Their place has ended: they finished the course, or left the group.
    FINISHED = "finished"
    SIGNPOSTED = "signposted"
    CLOSED = "closed"


@dataclass(frozen=True)
class SupportStatus:
    stage: str
    # The first-contact deadline, while nobody has been in touch yet.
    contact_by: date | None = None
    # The deadline passed without contact: the page apologises instead of promising.
    overdue: bool = False
    call: InitialCallSlot | None = None
    offer: Booking | None = None
    next_meeting: Session | None = None
    # For a place that ended: "completed" or "left".
    ended: str = ""


def support_status(
    *,
    referral: Referral,
    call: InitialCallSlot | None,
    places: list,
    ended: str = "",
    today: date | None = None,
) -> SupportStatus:
    """Where things stand for the person, from what the page has already read: their
    next call (``selectors.upcoming_call``) and places (``selectors.participant_places``).

    The furthest step reached wins: in a group, then a place offered, on a waiting list,
    a call booked, a place that has ended (``ended``: its state), talked with us, in
    contact, received.
    """
    today = today or timezone.localdate()
    if referral.state == State.CLOSED:
        return SupportStatus(stage=Stage.CLOSED)
    by_state: dict[str, list] = {}
    for place in places:
        by_state.setdefault(place.booking.state, []).append(place)
    if confirmed := by_state.get(Booking.State.CONFIRMED):
        meetings = sorted(
            (place.upcoming[0] for place in confirmed if place.upcoming),
            key=lambda session: session.starts_at,
        )
        return SupportStatus(stage=Stage.IN_GROUP, next_meeting=meetings[0] if meetings else None)
    if offered := by_state.get(Booking.State.OFFERED):
        return SupportStatus(stage=Stage.PLACE_OFFERED, offer=offered[0].booking)
    if by_state.get(Booking.State.WAITLISTED) or by_state.get(Booking.State.AWAITING_APPROVAL):
        return SupportStatus(stage=Stage.WAITING_LIST)
    if call is not None:
        return SupportStatus(stage=Stage.CALL_BOOKED, call=call)
    if ended:
        return SupportStatus(stage=Stage.FINISHED, ended=ended)
    if referral.state == State.SIGNPOSTED:
        return SupportStatus(stage=Stage.SIGNPOSTED)
    if referral.state in (State.ASSESSED, State.PLACED, State.WAITLISTED):
        return SupportStatus(stage=Stage.TALKED)
    if referral.first_contacted_at is not None or referral.state == State.IN_CONTACT:
        return SupportStatus(stage=Stage.IN_CONTACT)
    return SupportStatus(
        stage=Stage.RECEIVED,
        contact_by=referral.first_contact_due,
        overdue=referral.first_contact_due < today,
    )


def may_book_call(referral: Referral) -> bool:
    """Someone not yet assessed may choose (or move) their first call."""
    return referral.is_contactable and referral.state in (State.NEW, State.IN_CONTACT)


# --- How and when to reach them ---------------------------------------------------------

AT_LEAST_ONE_WAY = (
    "Choose at least one way we may contact you. If you would rather we did not contact "
    "you at all, you can stop all contact at the end of this page."
)


def channels_they_may_choose(referral: Referral) -> list[tuple[str, str]]:
    """The ways the person may say are safe: those we hold the details for. New phone
    numbers or addresses are not taken here, so a link seen by someone else cannot send
    our messages somewhere new."""
    safe = referral.safe_contact
    available = []
    if referral.phone:
        available.append(Channel.CALL)
        if is_mobile(referral.phone):
            available.append(Channel.TEXT)
    if referral.email:
        available.append(Channel.EMAIL)
    if referral.phone:
        available.append(Channel.VOICEMAIL)
    if safe.postal_address:
        available.append(Channel.POST)
    return [(channel.value, channel.label) for channel in available]


def safe_contact_change_by_person(
    *,
    referral: Referral,
    channels: frozenset[str],
    safe_times: str,
    name_to_use: str,
    windows: ContactWindows | None = None,
    request=None,
) -> list[str]:
    """The person changes which ways are safe, when (``windows``, None to keep those
    held; their own words in ``safe_times``), and the name to ask for, on their support
    page. Returns what changed (field names; empty if nothing did). A change is confirmed
    as of today (``confirmed_at``).

    At least one way must stay safe: stopping all contact is its own choice, with its
    own confirmation, at the end of the page.
    """
    safe_times, name_to_use = safe_times.strip(), name_to_use.strip()
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if not referral.is_contactable:
            raise ReferralError(
                "You have asked us to stop all contact, so there is nothing to change."
            )
        allowed = {value for value, _ in channels_they_may_choose(referral)}
        if not channels:
            raise ReferralError(AT_LEAST_ONE_WAY)
        if not channels <= allowed:
            raise ReferralError("Choose from the ways listed.")
        if len(safe_times) > 500 or len(name_to_use) > 100:
            raise ReferralError("Keep the safe times to 500 characters and the name to 100.")
        safe = SafeContact.objects.select_for_update().get(referral=referral)
        changed = []
        if set(safe.safe_channels) != set(channels):
            changed.append("channels")
        if windows is not None and safe.windows != windows:
            changed.append("safe_windows")
        if safe.safe_times != safe_times:
            changed.append("safe_times")
        if safe.name_to_use != name_to_use:
            changed.append("name_to_use")
        if not changed:
            return []
        for channel in Channel.values:
            setattr(safe, f"safe_to_{channel}", channel in channels)
        if windows is not None:
            safe.set_windows(windows)
        safe.safe_times = safe_times
        safe.name_to_use = name_to_use
        safe.confirmed_at = timezone.now()
        safe.save()
        # Field names and channel codes only: the words they typed stay in SafeContact.
        ReferralEvent.objects.create(
            referral=referral,
            kind=ReferralEvent.Kind.SAFE_CONTACT_UPDATED,
            detail={"by": "person", "channels": sorted(channels), "changed": changed},
        )
        audit_record(
            action=AuditEvent.Action.CHANGED,
            request=request,
            organisation=referral.organisation,
            target=referral,
            detail={"change": "safe_contact", "by": "person", "changed": changed},
        )
    return changed


# --- A code for the page, read out by phone ---------------------------------------------


def support_code_give(*, referral: Referral, actor: User, request=None) -> str:
    """A new code for the person's support page, for ``actor`` to read out by phone;
    returned formatted (ABCD-EFGH-JKMN) and never stored or shown again.

    For people no written message can safely reach. A new code stops any earlier code
    given by phone (links in messages keep working), and the staff task asking for a call
    about the acknowledgement is done.
    """
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if not has_role(actor, referral.organisation, CASE_ROLES):
            raise ReferralError("You do not have a role in this referral's organisation.")
        if not referral.is_contactable:
            raise ReferralError("This person has withdrawn consent: do not contact them.")
        if not links.purpose_lives(referral=referral, purpose=links.Purpose.PLACE):
            raise ReferralError(
                "Their support page has nothing to show them now, so a code would not work."
            )
        now = timezone.now()
        PrivateLink.objects.filter(
            referral=referral,
            purpose=links.Purpose.PLACE,
            issued_by__isnull=False,
            revoked_at__isnull=True,
        ).update(revoked_at=now, revoked_by=actor)
        link, code = links.code_issue(referral=referral, actor=actor)
        StaffTask.objects.filter(
            record_type="referrals.referral",
            record_id=str(referral.pk),
            kind=StaffTask.Kind.CALL_NEEDED,
            message__template="referral_received",
            done_at__isnull=True,
        ).update(done_at=now)
        ReferralEvent.objects.create(
            referral=referral,
            kind=ReferralEvent.Kind.SUPPORT_CODE_GIVEN,
            actor=actor,
            detail={"link": str(link.pk)},
        )
        audit_record(
            action=AuditEvent.Action.CHANGED,
            actor=actor,
            request=request,
            organisation=referral.organisation,
            target=referral,
            detail={"change": "support_code_given", "link": str(link.pk)},
        )
    return links.format_code(code)

"""How an initial call happens (phone or video), chosen when it is booked or moved, and
kept to what is safe for the person: staff are refused an unsafe way or time unless they
give a reason (recorded, on the timeline and audited); a family is held to the ways safe
for them but may choose any time. Every booking or move queues one confirmation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from peergroups.call_methods import call_method_options, methods_safe_for_family
from peergroups.models import InitialCallSlot
from peergroups.services import PeerGroupError, call_slot_book, call_slot_move
from portal.audit.models import AuditEvent
from portal.notifications.models import MessageLog, SentMarker
from referrals.models import ReferralEvent, SafeContactOverride
from referrals.safe_contact_rules import UnsafeContact
from tests.notifications.delivery import deliver_all
from tests.peergroups.call_people import person
from tests.peergroups.support_states import call_slot
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


def confirmations(referral) -> list[MessageLog]:
    return list(
        MessageLog.objects.filter(
            recipient_id=str(referral.pk), template__in=["call_booked", "call_moved"]
        ).order_by("created_at")
    )


# --- The ways, for a person -----------------------------------------------------------


def test_each_way_needs_its_own_channel_safe_and_the_details_for_it(organisation_a):
    by_phone = person(organisation_a, ways=("call",))
    by_text = person(organisation_a, ways=("text",), email="")
    by_email_without_address = person(organisation_a, ways=("email",), email="")
    ways = {o.method: o for o in call_method_options(by_phone)}
    assert ways["phone"].safe and ways["phone"].channel == "call"
    # Email is the first written channel with an address, but not marked safe.
    assert not ways["video"].safe and ways["video"].channel == "email"

    assert [o.method for o in methods_safe_for_family(by_text)] == ["video"]
    assert methods_safe_for_family(by_text)[0].family_words == (
        "A video call: you join from this page. We also send you a message by text, at a time "
        "you told us is safe, with a link back here"
    )
    nowhere = {o.method: o for o in call_method_options(by_email_without_address)}
    assert not nowhere["phone"].safe and nowhere["phone"].problem.startswith("They have not")
    assert nowhere["video"].channel == "text"  # only the mobile number is held
    assert methods_safe_for_family(by_email_without_address) == []


# --- Booking and moving, with each way ------------------------------------------------


@pytest.mark.parametrize(
    ("ways", "method", "how"),
    [(("call",), "phone", "phone call"), (("email",), "video", "video call")],
)
def test_staff_book_with_each_way_and_the_family_is_sent_one_confirmation(
    organisation_a, facilitator_a, caseworker_a, ways, method, how
):
    referral = person(organisation_a, ways=ways)
    slot = call_slot(facilitator_a, organisation_a)
    booked = call_slot_book(slot=slot, referral=referral, method=method, actor=caseworker_a)
    assert booked.method == method

    event = ReferralEvent.objects.get(referral=referral, kind="call_booked")
    assert (event.detail["method"], event.detail["how"]) == (method, how)
    assert "override" not in event.detail
    assert AuditEvent.objects.filter(
        target_id=str(referral.pk), detail__change="call_booked", detail__method=method
    ).exists()
    [confirmation] = confirmations(referral)
    assert confirmation.template == "call_booked"
    assert confirmation.needed_by == slot.starts_at
    assert confirmation.context["method"] == method
    # Nothing in it about the investigation: times, ids and the way only.
    assert set(confirmation.context) == {"slot_id", "referral_id", "starts_at", "method", "when"}
    assert not SafeContactOverride.objects.exists()


def test_a_double_click_books_once_and_confirms_once(organisation_a, facilitator_a):
    referral = person(organisation_a, ways=("call",))
    slot = call_slot(facilitator_a, organisation_a)
    for _ in range(2):
        call_slot_book(slot=slot, referral=referral, method="phone")
    assert len(confirmations(referral)) == 1
    assert ReferralEvent.objects.filter(referral=referral, kind="call_booked").count() == 1


def test_the_confirmation_key_is_kept_per_slot_person_and_time(organisation_a, facilitator_a):
    referral = person(organisation_a, ways=("call",))
    slot = call_slot(facilitator_a, organisation_a)
    call_slot_book(slot=slot, referral=referral, method="phone")
    assert SentMarker.objects.filter(
        key=f"call-booked:{slot.pk}:{referral.pk}:{slot.starts_at.isoformat()}"
    ).exists()


def test_a_moved_call_is_confirmed_keeps_its_way_and_drops_the_old_confirmation(
    organisation_a, facilitator_a
):
    referral = person(organisation_a, ways=("call", "email"))
    first, second = (
        call_slot(facilitator_a, organisation_a),
        call_slot(facilitator_a, organisation_a),
    )
    call_slot_book(slot=first, referral=referral, method="phone")
    moved = call_slot_move(referral=referral, to_slot=second)
    assert moved.method == "phone"
    assert InitialCallSlot.objects.get(pk=first.pk).method == ""  # free again, no way

    booked, moved_log = confirmations(referral)
    assert (booked.template, moved_log.template) == ("call_booked", "call_moved")
    assert moved_log.context["slot_id"] == str(second.pk)
    deliver_all()
    booked.refresh_from_db()
    moved_log.refresh_from_db()
    # The first confirmation had not gone yet: it no longer says the truth, so it never does.
    assert booked.status == "refused"
    assert booked.reason == "the call was moved, changed or cancelled"
    assert moved_log.status == "sent"


def test_moving_back_to_a_time_held_before_is_confirmed_again(organisation_a, facilitator_a):
    referral = person(organisation_a, ways=("call",))
    first, second = (
        call_slot(facilitator_a, organisation_a),
        call_slot(facilitator_a, organisation_a),
    )
    call_slot_book(slot=first, referral=referral, method="phone")
    for slot in (second, first, second):
        call_slot_move(referral=referral, to_slot=slot)
    assert [log.template for log in confirmations(referral)] == ["call_booked"] + ["call_moved"] * 3


def test_changing_only_the_way_keeps_the_time_and_is_confirmed(organisation_a, facilitator_a):
    referral = person(organisation_a, ways=("call", "email"))
    slot = call_slot(facilitator_a, organisation_a)
    call_slot_book(slot=slot, referral=referral, method="phone")
    call_slot_book(slot=slot, referral=referral, method="video")
    assert InitialCallSlot.objects.get(pk=slot.pk).method == "video"
    event = ReferralEvent.objects.get(referral=referral, kind="call_moved")
    assert (event.detail["how"], event.detail["was_how"]) == ("video call", "phone call")
    assert "from_slot" not in event.detail
    booked, changed = confirmations(referral)
    assert changed.template == "call_moved" and changed.context["method"] == "video"
    deliver_all()
    booked.refresh_from_db()
    assert booked.status == "refused"  # it said "we will ring you"


# --- Staff: an unsafe way or time needs a reason --------------------------------------


def test_staff_are_refused_a_phone_call_the_person_did_not_say_is_safe(
    organisation_a, facilitator_a, caseworker_a
):
    referral = person(organisation_a, ways=("email",))
    slot = call_slot(facilitator_a, organisation_a)
    with pytest.raises(UnsafeContact) as refused:
        call_slot_book(slot=slot, referral=referral, method="phone", actor=caseworker_a)
    assert refused.value.check.unsafe_channel and not refused.value.check.unsafe_time
    slot.refresh_from_db()
    assert slot.referral is None and slot.method == ""
    assert confirmations(referral) == []
    assert not SafeContactOverride.objects.exists()
    assert not ReferralEvent.objects.filter(referral=referral, kind="call_booked").exists()


def test_with_a_reason_the_unsafe_booking_goes_ahead_recorded_and_audited(
    organisation_a, facilitator_a, caseworker_a
):
    referral = person(organisation_a, ways=("email",))
    slot = call_slot(facilitator_a, organisation_a)
    call_slot_book(
        slot=slot,
        referral=referral,
        method="phone",
        actor=caseworker_a,
        override_reason="They rang us and asked us to ring them back then.",
    )
    slot.refresh_from_db()
    assert (slot.referral_id, slot.method) == (referral.pk, "phone")
    override = SafeContactOverride.objects.get(referral=referral)
    assert override.action == SafeContactOverride.Action.CALL_BOOKING
    assert (override.channel, override.contact_at) == ("call", slot.starts_at)
    assert override.reason == "They rang us and asked us to ring them back then."
    assert override.actor == caseworker_a
    timeline = ReferralEvent.objects.get(referral=referral, kind="safe_contact_overridden")
    assert timeline.detail["override"] == str(override.pk)
    assert "reason" not in timeline.detail
    booked = ReferralEvent.objects.get(referral=referral, kind="call_booked")
    assert booked.detail["override"] == str(override.pk)
    assert AuditEvent.objects.filter(
        target_id=str(referral.pk), detail__change="safe_contact_overridden"
    ).exists()
    assert len(confirmations(referral)) == 1


def test_staff_are_refused_a_time_outside_the_persons_safe_times(
    organisation_a, facilitator_a, caseworker_a
):
    referral = person(organisation_a, ways=("call",), windows="weekday_daytimes")
    start = timezone.localtime().replace(hour=20, minute=0, second=0, microsecond=0)
    start += timedelta(days=7)  # an evening a week ahead: outside weekday daytimes
    slot = call_slot(
        facilitator_a, organisation_a, hours=(start - timezone.now()) / timedelta(hours=1)
    )
    with pytest.raises(UnsafeContact) as refused:
        call_slot_book(slot=slot, referral=referral, method="phone", actor=caseworker_a)
    assert refused.value.check.unsafe_time and not refused.value.check.unsafe_channel
    call_slot_book(
        slot=slot,
        referral=referral,
        method="phone",
        actor=caseworker_a,
        override_reason="Their partner is away that week; they asked for the evening.",
    )
    assert SafeContactOverride.objects.get(referral=referral).unsafe_time


def test_staff_moving_a_call_to_an_unsafe_way_need_a_reason(
    organisation_a, facilitator_a, caseworker_a
):
    referral = person(organisation_a, ways=("call",))
    first, second = (
        call_slot(facilitator_a, organisation_a),
        call_slot(facilitator_a, organisation_a),
    )
    call_slot_book(slot=first, referral=referral, method="phone", actor=caseworker_a)
    with pytest.raises(UnsafeContact):
        call_slot_move(referral=referral, to_slot=second, method="video", actor=caseworker_a)
    assert InitialCallSlot.objects.get(pk=first.pk).referral_id == referral.pk
    call_slot_move(
        referral=referral,
        to_slot=second,
        method="video",
        actor=caseworker_a,
        override_reason="They asked for video on the phone just now.",
    )
    assert InitialCallSlot.objects.get(pk=second.pk).method == "video"


def test_a_way_we_hold_no_details_for_is_refused_even_with_a_reason(
    organisation_a, facilitator_a, caseworker_a
):
    referral = make_referral(organisation_a, safe_channels=("email",), phone="")
    with pytest.raises(PeerGroupError, match="no number to ring"):
        call_slot_book(
            slot=call_slot(facilitator_a, organisation_a),
            referral=referral,
            method="phone",
            actor=caseworker_a,
            override_reason="Any reason",
        )


# --- The family: only safe ways, any time ---------------------------------------------


def test_the_family_cannot_book_a_way_they_did_not_say_is_safe(organisation_a, facilitator_a):
    referral = person(organisation_a, ways=("email",))
    slot = call_slot(facilitator_a, organisation_a)
    with pytest.raises(PeerGroupError, match="not told us that way is safe"):
        call_slot_book(slot=slot, referral=referral, method="phone")
    assert InitialCallSlot.objects.get(pk=slot.pk).referral is None


def test_the_family_may_choose_a_time_outside_their_safe_times(organisation_a, facilitator_a):
    referral = person(organisation_a, ways=("call",), windows="weekday_evenings")
    slot = call_slot(facilitator_a, organisation_a)
    call_slot_book(slot=slot, referral=referral, method="phone")
    assert InitialCallSlot.objects.get(pk=slot.pk).referral_id == referral.pk
    assert not SafeContactOverride.objects.exists()


def test_without_a_way_chosen_the_first_safe_one_is_taken(organisation_a, facilitator_a):
    referral = person(organisation_a, ways=("email",))
    slot = call_slot_book(slot=call_slot(facilitator_a, organisation_a), referral=referral)
    assert slot.method == "video"


# --- The database ---------------------------------------------------------------------


def test_the_database_refuses_a_booked_call_that_does_not_say_how(organisation_a, facilitator_a):
    slot = call_slot(facilitator_a, organisation_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        InitialCallSlot.objects.filter(pk=slot.pk).update(
            referral=make_referral(organisation_a), method=""
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        InitialCallSlot.objects.filter(pk=slot.pk).update(method="pigeon")


BEFORE = ("peergroups", "0007_zoom_account_verification")
AFTER = ("peergroups", "0008_initial_call_method")


def migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.mark.django_db(transaction=True)
def test_calls_booked_before_there_was_a_choice_become_phone_calls(organisation_a, facilitator_a):
    referral = make_referral(organisation_a)
    start = timezone.now() + timedelta(days=2)
    try:
        migrate(BEFORE)
        old = MigrationExecutor(connection).loader.project_state([BEFORE]).apps
        Slot = old.get_model("peergroups", "InitialCallSlot")
        common = {"organisation_id": organisation_a.pk, "facilitator_id": facilitator_a.pk}
        booked = Slot.objects.create(
            **common,
            starts_at=start,
            ends_at=start + timedelta(minutes=30),
            referral_id=referral.pk,
        )
        free = Slot.objects.create(
            **common, starts_at=start + timedelta(hours=1), ends_at=start + timedelta(hours=2)
        )
        migrate(AFTER)
        assert InitialCallSlot.objects.get(pk=booked.pk).method == "phone"
        assert InitialCallSlot.objects.get(pk=free.pk).method == ""
    finally:
        # Back to the newest migration, not just AFTER: later tests need every column.
        migrate_to_latest()


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_a_withdrawal_frees_the_call_and_forgets_how_it_was_to_happen(
    organisation_a, facilitator_a
):
    from referrals.choices import ConsentMethod
    from referrals.services import consent_withdraw

    referral = person(organisation_a, ways=("call",))
    slot = call_slot_book(
        slot=call_slot(facilitator_a, organisation_a), referral=referral, method="phone"
    )
    consent_withdraw(referral=referral, method=ConsentMethod.PRIVATE_LINK)
    slot.refresh_from_db()
    assert (slot.referral, slot.method) == (None, "")

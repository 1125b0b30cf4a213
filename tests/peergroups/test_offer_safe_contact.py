"""Offering a place keeps to what the person said: a group whose coming meetings fall
outside their safe times, or that does not meet the way they asked, is not offered until
the caseworker has seen the clashing meetings in words and given a reason, which is
recorded (on the timeline, audited); a group that fits is offered as before."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from peergroups.models import Booking, Group, Session
from peergroups.offer_fit import coming_meetings, offer_check
from peergroups.services import booking_offer
from portal.audit.models import AuditEvent
from portal.notifications.contact_windows import ContactWindows, Window
from referrals.models import ReferralEvent, SafeContactOverride
from referrals.safe_contact_rules import MEETINGS_CHECKED, UnsafeOffer
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# Thursday 3 December 2026, mid-morning: the groups below meet from the next week.
NOW = datetime(2026, 12, 3, 11, tzinfo=LONDON)
TUESDAY_7PM = datetime(2026, 12, 8, 19, tzinfo=LONDON)
WEDNESDAY_11AM = datetime(2026, 12, 9, 11, tzinfo=LONDON)
REASON = "She told me she is on her own on Tuesday evenings"


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield


def weekly(group: Group, first: datetime, weeks: int = 4, minutes: int = 90) -> None:
    for week in range(weeks):
        start = first + timedelta(weeks=week)
        Session.objects.create(
            group=group, starts_at=start, ends_at=start + timedelta(minutes=minutes)
        )


@pytest.fixture
def person(organisation_a):
    """On weekdays from 10am to 2pm; asked to meet on Zoom."""
    referral = make_referral(organisation_a, format_preference="zoom")
    safe = referral.safe_contact
    safe.set_windows(ContactWindows(tuple(Window(d, time(10), time(14)) for d in range(5))))
    safe.save(update_fields=["contact_windows"])
    return referral


@pytest.fixture
def evening_group(organisation_a):
    group = GroupFactory(organisation=organisation_a, title="Tuesday evening group")
    weekly(group, TUESDAY_7PM)
    return group


@pytest.fixture
def morning_group(organisation_a):
    group = GroupFactory(organisation=organisation_a, title="Wednesday morning group")
    weekly(group, WEDNESDAY_11AM)
    return group


def offer_url(referral) -> str:
    return reverse("groups:offer", kwargs={"referral_id": referral.pk})


# --- The check -----------------------------------------------------------------------------


def test_only_coming_scheduled_meetings_are_checked(evening_group):
    past = NOW - timedelta(days=2)
    Session.objects.create(group=evening_group, starts_at=past, ends_at=past + timedelta(hours=1))
    cancelled = Session.objects.filter(group=evening_group).order_by("starts_at").last()
    cancelled.status = Session.Status.CANCELLED
    cancelled.save(update_fields=["status"])
    meetings = coming_meetings(evening_group)
    assert [m.starts_at for m in meetings] == [TUESDAY_7PM + timedelta(weeks=n) for n in range(3)]
    weekly(evening_group, TUESDAY_7PM + timedelta(weeks=10), weeks=MEETINGS_CHECKED + 2)
    assert len(coming_meetings(evening_group)) == MEETINGS_CHECKED


def test_evening_meetings_clash_and_morning_ones_fit(person, evening_group, morning_group):
    check = offer_check(evening_group, person)
    assert len(check.clashes) == 4 and not check.format_mismatch
    assert check.clashes_in_words[0] == "Tuesday 8 December at 7pm to 8:30pm"
    assert offer_check(morning_group, person).fits


# --- The service ---------------------------------------------------------------------------


def test_a_group_outside_their_times_is_refused_without_a_reason(
    person, evening_group, caseworker_a
):
    with pytest.raises(UnsafeOffer) as refused:
        booking_offer(group=evening_group, referral=person, actor=caseworker_a)
    assert refused.value.check.clashes
    assert not Booking.objects.exists() and not SafeContactOverride.objects.exists()


def test_with_a_reason_it_is_offered_and_the_override_recorded(person, evening_group, caseworker_a):
    booking = booking_offer(
        group=evening_group, referral=person, actor=caseworker_a, override_reason=REASON
    )
    assert booking.state == Booking.State.OFFERED
    override = SafeContactOverride.objects.get()
    assert override.action == SafeContactOverride.Action.GROUP_OFFER
    assert (override.channel, override.unsafe_time, override.unsafe_channel) == ("", True, False)
    assert override.contact_at == TUESDAY_7PM and override.reason == REASON
    event = ReferralEvent.objects.get(kind="safe_contact_overridden")
    assert event.detail["meetings_outside"] == 4 and event.actor == caseworker_a
    assert AuditEvent.objects.filter(detail__change="safe_contact_overridden").exists()


def test_a_group_in_person_for_someone_who_asked_for_zoom_needs_a_reason(
    person, organisation_a, caseworker_a
):
    group = GroupFactory(organisation=organisation_a, format=Group.Format.IN_PERSON)
    weekly(group, WEDNESDAY_11AM)
    with pytest.raises(UnsafeOffer) as refused:
        booking_offer(group=group, referral=person, actor=caseworker_a)
    assert refused.value.check.format_mismatch and not refused.value.check.clashes
    booking_offer(group=group, referral=person, actor=caseworker_a, override_reason=REASON)
    override = SafeContactOverride.objects.get()
    assert (override.unsafe_channel, override.unsafe_time) == (True, False)


def test_a_group_that_fits_is_offered_with_nothing_recorded(person, morning_group, caseworker_a):
    booking_offer(group=morning_group, referral=person, actor=caseworker_a)
    assert Booking.objects.get().state == Booking.State.OFFERED
    assert not SafeContactOverride.objects.exists()


# --- The page ------------------------------------------------------------------------------


def test_the_page_warns_with_the_meetings_in_words_then_offers_with_a_reason(
    client, person, evening_group, caseworker_a
):
    sign_in(client, caseworker_a)
    page = client.get(offer_url(person)).content.decode()
    assert 'id="safe-beside-offer"' in page and "Monday to Friday, 10am to 2pm" in page
    assert "They asked to meet: <strong>Online, on Zoom</strong>" in page
    warned = client.post(offer_url(person), {"group": evening_group.pk})
    assert warned.status_code == 400
    content = warned.content.decode()
    assert "Tuesday evening group does not fit what they said" in content
    assert "4 of its coming meetings are outside the times they said are safe" in content
    for week in range(4):
        day = (TUESDAY_7PM + timedelta(weeks=week)).strftime("%A %-d %B")
        assert f"{day} at 7pm to 8:30pm" in content
    assert 'id="id_override_reason_error"' in content
    assert not Booking.objects.exists()

    offered = client.post(offer_url(person), {"group": evening_group.pk, "override_reason": REASON})
    assert offered.status_code == 302
    assert Booking.objects.get().group == evening_group
    timeline = client.get(
        reverse("referrals:timeline", kwargs={"referral_id": person.pk})
    ).content.decode()
    assert (
        "Offered a place in a group: first meeting on Tuesday 8 December at 7pm, outside "
        "their safe times." in timeline
    )
    assert REASON in timeline


def test_a_group_that_fits_is_offered_from_the_page_without_a_warning(
    client, person, morning_group, caseworker_a
):
    sign_in(client, caseworker_a)
    assert client.post(offer_url(person), {"group": morning_group.pk}).status_code == 302
    assert Booking.objects.get().state == Booking.State.OFFERED

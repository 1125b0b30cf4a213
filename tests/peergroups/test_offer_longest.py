"""An offer counts the person's safe hours, but never holds a place from the waiting list
for longer than two weeks: an hour a week of safe time would make 48 hours most of a year."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from peergroups.services import OFFER_LONGEST, booking_offer
from portal.notifications.contact_windows import ContactWindows, Window
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=LONDON)


def person_safe(organisation, windows: ContactWindows):
    person = make_referral(organisation)
    person.safe_contact.set_windows(windows)
    person.safe_contact.save()
    return person


def offered(group, person, actor):
    with time_machine.travel(MONDAY_10AM, tick=False):
        return booking_offer(
            group=group, referral=person, actor=actor, override_reason="It suits them"
        )


def test_an_hour_a_week_of_safe_time_holds_the_place_two_weeks_not_most_of_a_year(
    organisation_a, caseworker_a
):
    monday_hour = ContactWindows((Window(0, time(10), time(11)),))
    group = GroupFactory(organisation=organisation_a, offer_hours=48)
    booking = offered(group, person_safe(organisation_a, monday_hour), caseworker_a)
    assert booking.offer_expires_at == MONDAY_10AM + OFFER_LONGEST


def test_an_offer_that_fits_in_two_weeks_keeps_its_safe_hours(organisation_a, caseworker_a):
    weekdays_10_to_2 = ContactWindows(tuple(Window(d, time(10), time(14)) for d in range(5)))
    group = GroupFactory(organisation=organisation_a, offer_hours=8)
    booking = offered(group, person_safe(organisation_a, weekdays_10_to_2), caseworker_a)
    # Monday 10 to 2 and Tuesday 10 to 2.
    assert booking.offer_expires_at == datetime(2026, 12, 1, 14, 0, tzinfo=LONDON)


def test_a_group_that_keeps_offers_longer_than_two_weeks_keeps_its_own_time(
    organisation_a, caseworker_a
):
    monday_hour = ContactWindows((Window(0, time(10), time(11)),))
    group = GroupFactory(organisation=organisation_a, offer_hours=500)
    booking = offered(group, person_safe(organisation_a, monday_hour), caseworker_a)
    assert booking.offer_expires_at == MONDAY_10AM + timedelta(hours=500)

"""The report counts the places that ended in the period: completed, and left before the
end, with the completion rate; filters narrow them; other periods and organisations are
left out."""

from datetime import date

import pytest

from peergroups.models import Booking
from portal.reports.selectors import ReportFilters, funder_report, key_figures
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral
from tests.reports.dataset import at

pytestmark = pytest.mark.django_db

Q1 = ReportFilters(start=date(2026, 1, 1), end=date(2026, 3, 31))


def ended(group, state, when):
    return Booking.objects.create(
        group=group,
        referral=make_referral(group.organisation),
        state=state,
        confirmed_at=at(1, 2),
        ended_at=when,
    )


def test_places_completed_and_left_in_the_period(organisation_a, organisation_b):
    tuesday = GroupFactory(organisation=organisation_a)
    daytime = GroupFactory(organisation=organisation_a)
    ended(tuesday, "completed", at(3, 10))
    ended(tuesday, "completed", at(3, 31, hour=23))  # the last evening of the period
    ended(tuesday, "left", at(2, 1))
    ended(daytime, "completed", at(3, 20))
    ended(tuesday, "completed", at(4, 1, hour=9))  # after the period
    ended(GroupFactory(organisation=organisation_b), "completed", at(3, 10))  # not ours
    Booking.objects.create(  # a place still running counts as neither
        group=tuesday, referral=make_referral(organisation_a), state="confirmed"
    )

    report = funder_report(organisation=organisation_a, filters=Q1)
    assert report.value("places_completed") == 3
    assert report.value("places_left") == 1
    assert report.value("completion_rate") == 75.0

    only_tuesday = ReportFilters(start=Q1.start, end=Q1.end, group=tuesday)
    narrowed = key_figures(organisation=organisation_a, filters=only_tuesday)
    assert (narrowed.value("places_completed"), narrowed.value("places_left")) == (2, 1)
    professional = ReportFilters(start=Q1.start, end=Q1.end, source="professional")
    assert (
        funder_report(organisation=organisation_a, filters=professional).value("places_completed")
        == 0
    )


def test_no_places_ended_means_no_rate(organisation_a):
    report = funder_report(organisation=organisation_a, filters=Q1)
    assert report.value("places_completed") == 0
    assert report.value("completion_rate") is None

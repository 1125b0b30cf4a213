"""Each role's dashboard meets WCAG 2.2 AA at desktop and phone widths, and the one-tap
register works from a phone."""

import pytest
from django.urls import reverse
from django.utils import timezone

from peergroups.models import Attendance, Booking
from referrals.services import referral_assign
from tests.browser.helpers import keep_screenshot, sign_in_through_browser
from tests.browser.test_accessibility import check
from tests.factories import GroupFactory, session_today
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_dashboard_is_accessible_and_the_register_works_on_a_phone(
    axe_page, live_server, organisation_a, coordinator_a
):
    group = GroupFactory(organisation=organisation_a, title="Thursday group")
    group.facilitators.add(coordinator_a)
    person = make_referral(organisation_a, full_name="Sam Participant")
    referral_assign(referral=person, assignee=coordinator_a, actor=coordinator_a)
    booking = Booking.objects.create(
        group=group, referral=person, state="confirmed", confirmed_at=timezone.now()
    )
    session = session_today(group, minutes_from_now=5)

    sign_in_through_browser(axe_page, live_server, coordinator_a)
    url = live_server.url + reverse("staff:dashboard")
    check(axe_page, url)  # ends at 320 px wide
    keep_screenshot(axe_page, "dashboard-phone")
    axe_page.get_by_role("button", name=f"Attended \u2013 {person.reference}").click()
    axe_page.wait_for_url(f"**/staff/#booking-{session.pk}-{booking.pk}")
    assert Attendance.objects.get(session=session, booking=booking).status == "attended"
    axe_page.set_viewport_size({"width": 1280, "height": 900})
    keep_screenshot(axe_page, "dashboard-desktop")

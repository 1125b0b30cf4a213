"""A caseworker finds a message that could not be sent on their dashboard, at desktop and
phone widths: reads why, opens the person's referral from it, and marks it done."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from portal.notifications.contact_windows import ContactWindows, Window
from portal.notifications.models import StaffTask
from referrals.notifications import referral_notify
from tests.browser.helpers import keep_screenshot, sign_in_through_browser
from tests.browser.test_accessibility import check
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db(transaction=True)
LONDON = ZoneInfo("Europe/London")


def test_a_caseworker_reaches_the_referral_from_a_message_not_sent_and_marks_it_done(
    axe_page, live_server, organisation_a, caseworker_a
):
    person = make_referral(organisation_a)
    person.safe_contact.set_windows(
        ContactWindows(tuple(Window(day, time(10), time(14)) for day in range(5)))
    )
    person.safe_contact.save()
    meeting = datetime(2026, 11, 28, 19, tzinfo=LONDON)
    with time_machine.travel(datetime(2026, 11, 28, 17, tzinfo=LONDON), tick=False):
        referral_notify(
            referral=person,
            template="session_cancelled",
            context={"starts_at": meeting},
            needed_by=meeting,
        )

    sign_in_through_browser(axe_page, live_server, caseworker_a)
    dashboard = live_server.url + reverse("staff:dashboard")
    check(axe_page, dashboard)  # ends at 320 px wide
    keep_screenshot(axe_page, "dashboard-staff-task-phone")
    task = axe_page.locator(".staff-task")
    assert "was not sent: none of the times they told us are safe" in task.inner_text()
    task.get_by_role("link", name=person.reference).click()
    axe_page.wait_for_url(f"**{reverse('referrals:detail', kwargs={'referral_id': person.pk})}")

    axe_page.goto(dashboard)
    axe_page.get_by_role("button", name=f"Mark as done \u2013 {person.reference}").click()
    axe_page.wait_for_url("**/staff/")
    assert "Nothing needs you." in axe_page.content()
    assert StaffTask.objects.get().done_at is not None

"""The lawful-basis page and the public privacy notice meet WCAG 2.2 AA at desktop and
phone widths."""

import pytest
from django.urls import reverse

from portal.organisations.data_protection import privacy_notice_publish
from tests.browser.helpers import sign_in_through_browser
from tests.browser.test_accessibility import check

pytestmark = pytest.mark.django_db(transaction=True)


def test_data_protection_pages_are_accessible(axe_page, live_server, organisation_a, coordinator_a):
    privacy_notice_publish(
        organisation=organisation_a,
        version="2026-11",
        body="## Who we are\n\nWe support families.\n\n## Your rights\n\nYou can ask for a copy.",
        actor=coordinator_a,
    )
    check(axe_page, live_server.url + reverse("public:privacy-notice", args=[organisation_a.slug]))
    sign_in_through_browser(axe_page, live_server, coordinator_a)
    check(
        axe_page,
        live_server.url
        + reverse("staff:data-protection", kwargs={"organisation_id": organisation_a.pk}),
    )


def test_the_erasure_page_is_accessible(axe_page, live_server, organisation_a, coordinator_a):
    from tests.referrals.factories import make_referral

    referral = make_referral(organisation_a)
    sign_in_through_browser(axe_page, live_server, coordinator_a)
    check(
        axe_page, live_server.url + reverse("referrals:erase", kwargs={"referral_id": referral.pk})
    )


def test_subject_access_pages_are_accessible(axe_page, live_server, organisation_a, coordinator_a):
    from django.utils import timezone

    from referrals.services import case_note_add
    from referrals.subject_access import sar_open
    from tests.referrals.factories import make_referral

    referral = make_referral(organisation_a)
    case_note_add(referral=referral, body="A note to check before release", actor=coordinator_a)
    sar = sar_open(
        referral=referral, received_on=timezone.localdate(), notes="", actor=coordinator_a
    )
    sign_in_through_browser(axe_page, live_server, coordinator_a)
    for url in (
        reverse("referrals:sar-new", kwargs={"referral_id": referral.pk}),
        reverse("referrals:sar-register", kwargs={"organisation_id": organisation_a.pk}),
        reverse("referrals:sar", kwargs={"sar_id": sar.pk}),
        reverse("referrals:sar-document", kwargs={"sar_id": sar.pk}),
    ):
        check(axe_page, live_server.url + url)


def test_retention_pages_are_accessible(axe_page, live_server, organisation_a, coordinator_a):
    sign_in_through_browser(axe_page, live_server, coordinator_a)
    for url in (
        reverse("staff:retention", kwargs={"organisation_id": organisation_a.pk}),
        reverse(
            "staff:retention-rule",
            kwargs={"organisation_id": organisation_a.pk, "record_type": "closed_referral"},
        ),
    ):
        check(axe_page, live_server.url + url)

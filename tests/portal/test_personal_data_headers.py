"""Every page and endpoint that shows a person's details sends the security headers:
a strict CSP, no caching, no framing, no referrer to other sites, and a Permissions-Policy."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peergroups.models import Session
from peergroups.services import booking_confirm, booking_offer
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(organisation_a, caseworker_a):
    referral = make_referral(organisation_a)
    group = GroupFactory(organisation=organisation_a)
    booking_confirm(booking=booking_offer(group=group, referral=referral, actor=caseworker_a))
    start = timezone.now() + timedelta(days=1)
    session = Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    by_referral = {"referral_id": referral.pk}
    return [
        reverse("referrals:queue"),
        reverse("referrals:detail", kwargs=by_referral),
        reverse("referrals:timeline", kwargs=by_referral),
        reverse("referrals:safe-contact", kwargs=by_referral),
        reverse("groups:detail", kwargs={"group_id": group.pk}),
        reverse("groups:session", kwargs={"session_id": session.pk}),
        reverse("resources-staff:pack-send", kwargs=by_referral),
        reverse("resources-staff:referral-deliveries", kwargs=by_referral),
        f"/api/v1/groups/{group.pk}/bookings/",
        f"/api/v1/sessions/{session.pk}/attendance/",
    ]


def test_personal_data_pages_send_the_security_headers(client, caseworker_a, pages):
    sign_in(client, caseworker_a)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, url
        assert "unsafe-inline" not in csp, url
        assert "no-store" in response["Cache-Control"], url
        assert response["X-Frame-Options"] == "DENY", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert "camera=()" in response["Permissions-Policy"], url

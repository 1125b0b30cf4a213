"""Every page and endpoint that shows a person's details leaves an audit row naming the
viewer, the organisation and where they looked."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from portal.audit.models import AuditEvent
from tests.conftest import sign_in
from tests.portal.test_personal_data_headers import pages  # noqa: F401 - the same pages
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


def test_every_personal_data_page_is_audited(client, caseworker_a, organisation_a, pages):  # noqa: F811
    sign_in(client, caseworker_a)
    api = sign_in(APIClient(), caseworker_a)
    unaudited = []
    for url in pages:
        before = AuditEvent.objects.count()
        response = (api if url.startswith("/api/") else client).get(url)
        assert response.status_code == 200, url
        new = AuditEvent.objects.filter(action="viewed").order_by("-id")[
            : AuditEvent.objects.count() - before
        ]
        if not any(
            event.actor_id == caseworker_a.pk and event.organisation_id == organisation_a.pk
            for event in new
        ):
            unaudited.append(url)
    assert unaudited == [], "these show personal data but left no audit row"


def test_error_re_renders_of_a_referral_are_audited(client, caseworker_a, organisation_a):
    """A refused form re-shows the person's details with a 400: that is a view too."""
    referral = make_referral(organisation_a)
    sign_in(client, caseworker_a)
    for name in ("note", "contact-attempt", "safe-contact"):
        url = reverse(f"referrals:{name}", kwargs={"referral_id": referral.pk})
        before = AuditEvent.objects.filter(action="viewed").count()
        response = client.post(url, {"safe_channels": "pigeon"})
        assert response.status_code == 400, name
        assert referral.full_name in response.content.decode() or name == "safe-contact"
        viewed = AuditEvent.objects.filter(action="viewed").order_by("-id")
        assert viewed.count() == before + 1, name
        event = viewed.first()
        assert (event.actor, event.organisation, event.target_id) == (
            caseworker_a,
            organisation_a,
            str(referral.pk),
        ), name

"""Every page and endpoint that shows a person's details leaves an audit row naming the
viewer, the organisation and where they looked."""

import pytest
from rest_framework.test import APIClient

from portal.audit.models import AuditEvent
from tests.conftest import sign_in
from tests.portal.test_personal_data_headers import pages  # noqa: F401 - the same pages

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

"""Coordinators' message settings and background jobs pages."""

import pytest
from django.urls import reverse

from portal.notifications.models import NotificationSettings
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_coordinators_set_reply_to_and_reminder_times(client, coordinator_a, organisation_a):
    sign_in(client, coordinator_a)
    url = reverse("notifications:settings", kwargs={"organisation_id": organisation_a.pk})
    assert "48, 2" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "discreet_sender_name": "Harbour Team",
            "reply_to": "team@charity.example",
            "send_session_reminders": "on",
            "session_reminder_offsets": "24, 1.5",
        },
    )
    assert response.status_code == 302
    settings = NotificationSettings.objects.get(organisation=organisation_a)
    assert settings.reply_to == "team@charity.example"
    assert settings.offsets == [1440, 90] and not settings.send_call_reminders
    organisation_a.refresh_from_db()
    assert organisation_a.discreet_sender_name == "Harbour Team"
    response = client.post(url, {"session_reminder_offsets": "soon"})
    assert "Use numbers of hours" in response.content.decode()
    response = client.post(url, {"session_reminder_offsets": "9999"})
    assert "between 15 minutes and 14 days" in response.content.decode()


def test_only_the_organisations_coordinators_see_these_pages(
    client, caseworker_a, coordinator_b, organisation_a, coordinator_a
):
    for name in ("notifications:settings", "notifications:jobs"):
        url = reverse(name, kwargs={"organisation_id": organisation_a.pk})
        for user in (caseworker_a, coordinator_b):
            sign_in(client, user)
            assert client.get(url).status_code == 404
        sign_in(client, coordinator_a)
        assert client.get(url).status_code == 200

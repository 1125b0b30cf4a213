"""The information pages say truthfully what is recorded when someone reads them, and link
each service's privacy notice.

What the statement rests on: the information pages set no cookies
(tests/resources/test_views.py); gunicorn's access log keeps each request's address, time
and user agent, and the connection's address (portal/gunicorn_conf.py, docs/security.md);
opening a pack's private link records when and how often on its delivery
(resources.services.delivery_opened); and a closed referral is kept 24 months, and one
whose consent was withdrawn 30 days, by default (portal/retention/schedule.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.retention.schedule import POLICIES, Period, RecordType, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(client):
    return client.get(reverse("resources:index")).content.decode()


def test_the_index_no_longer_says_nothing_is_recorded(index):
    assert "nothing you read here is recorded" not in index.lower()
    assert "not recorded" not in index.lower()


def test_the_index_says_what_is_recorded_and_for_how_long(index):
    assert "You do not need an account" in index
    assert "not linked to you or to anyone" in index
    assert "no cookies are set while you read" in index
    assert "technical log" in index and "internet (IP) address" in index
    assert "private link" in index and "noted on your file" in index
    assert "usually until 2 years after your file is closed" in index
    assert "30 days after you withdraw your consent" in index
    assert f'href="{reverse("public:privacy")}"' in index


def test_the_periods_the_index_gives_are_the_retention_defaults():
    assert POLICIES[RecordType.CLOSED_REFERRAL].default == Period(24, Unit.MONTHS)
    assert POLICIES[RecordType.WITHDRAWN_CONSENT].default == Period(30, Unit.DAYS)


def test_reading_the_index_sets_no_cookie_and_records_no_one(client):
    from django.contrib.sessions.models import Session

    response = client.get(reverse("resources:index"), {"q": "bail"})
    assert not response.cookies
    assert not Session.objects.exists()


def test_opening_a_pack_link_is_noted_on_the_persons_file(client, organisation_a, caseworker_a):
    from resources import services
    from resources.models import Delivery
    from tests.referrals.factories import make_referral
    from tests.resources.factories import make_resource

    referral = make_referral(organisation_a, safe_channels=["email"])
    delivery, token = services.pack_send(
        referral=referral, pack=None, resources=[make_resource(None)], actor=caseworker_a
    )
    assert client.get(reverse("resources:pack-link", kwargs={"token": token}), follow=True)
    opened = Delivery.objects.get(pk=delivery.pk)
    assert opened.referral_id == referral.pk
    assert opened.first_opened_at is not None and opened.open_count == 1


def test_the_privacy_page_links_every_services_notice(client, organisation_a, organisation_b):
    page = client.get(reverse("public:privacy")).content.decode()
    for organisation in (organisation_a, organisation_b):
        url = reverse("public:privacy-notice", kwargs={"slug": organisation.slug})
        assert f'href="{url}"' in page
        assert f"How {organisation.name} looks after your information" in page
        assert client.get(url).status_code == 200

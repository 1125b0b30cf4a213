"""The five-link limit holds when messages are sent at the same moment, on PostgreSQL
with real threads."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from referrals import links
from referrals.models import PrivateLink
from tests.referrals.factories import make_referral

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def all_at_once(work, count: int) -> list[Exception]:
    start = threading.Barrier(count)
    errors: list[Exception] = []

    def run():
        try:
            start.wait()
            work()
        except Exception as error:  # every failure is reported by the caller
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.parametrize("round_", range(3))
def test_links_issued_at_once_still_leave_at_most_five_working(organisation_a, round_):
    assert connection.vendor == "postgresql"
    person = make_referral(organisation_a)
    for _ in range(links.LIVE_LINKS_PER_PURPOSE):
        links.participant_url(person)
    place_links = PrivateLink.objects.filter(referral=person, purpose="place")
    sent_before = place_links.count()

    errors = all_at_once(lambda: links.participant_url(person), THREADS)

    assert errors == []
    assert place_links.count() == sent_before + THREADS
    assert place_links.filter(revoked_at__isnull=True).count() == links.LIVE_LINKS_PER_PURPOSE

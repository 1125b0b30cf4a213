"""The benchmark's booking stage: clients confirming at once never overbook a group."""

import pytest
from django.db import connection

from peergroups.models import Booking
from portal.operations.benchmark.contention import booking_contention

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_clients_confirming_at_once_fill_every_group_exactly():
    assert connection.vendor == "postgresql"
    result = booking_contention(clients=12, groups=3, capacity=5)

    assert result.errors == 0
    assert result.attempts == 12 * 3
    assert result.overbooked_groups == 0 and result.underfilled_groups == 0
    assert result.confirmed == 3 * 5
    assert result.waitlisted == 3 * (12 - 5)
    assert Booking.objects.filter(state="confirmed").count() == 15
    assert result.confirmations_per_second > 0


def test_a_second_run_uses_new_groups_and_people():
    booking_contention(clients=4, groups=2, capacity=1)
    second = booking_contention(clients=4, groups=2, capacity=1)
    assert second.confirmed == 2 and second.overbooked_groups == 0
    assert Booking.objects.filter(state="confirmed").count() == 4

"""Each key has its own budget; when it is spent the answer is 429 with Retry-After."""

import pytest
from django.core.cache import cache

from tests.api.conftest import issue_key, key_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tight_rates(settings):
    cache.clear()
    rates = {"caller": "3/minute", "submit": "2/minute"}
    from rest_framework.throttling import SimpleRateThrottle

    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    yield
    SimpleRateThrottle.THROTTLE_RATES = original
    cache.clear()


def test_a_key_over_its_budget_gets_429_with_retry_after(
    partner, organisation_a, police_agency, coordinator_a
):
    answers = [partner.get("/api/v1/services/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    throttled = partner.get("/api/v1/services/")
    assert throttled.json()["code"] == "throttled"
    assert 0 < int(throttled["Retry-After"]) <= 60
    # Another key has its own budget.
    other = key_client(issue_key(organisation_a, police_agency, coordinator_a))
    assert other.get("/api/v1/services/").status_code == 200

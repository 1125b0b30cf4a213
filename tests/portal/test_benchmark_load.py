"""The load test starts the portal under gunicorn on the test database, drives both
endpoints with locust from a second process, and reports what it measured. Its figures
are for the run on PostgreSQL (docs/performance.md); here only that it works: every
request answered as it should, and the referrals it reports as sent are really there."""

import pytest

from portal.operations.benchmark.load import ROWS, markdown, run_load
from portal.operations.benchmark.seed import seed
from portal.operations.benchmark.sizes import SIZES
from referrals.models import Referral

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_load_test_drives_both_endpoints_under_gunicorn():
    organisation = seed(size=SIZES["tiny"])[0]
    before = Referral.objects.count()
    measured = Referral.objects.filter(organisation=organisation).count()
    messages = []

    results = run_load(
        organisation=organisation, seconds=3, users=4, workers=2, progress=messages.append
    )

    by_name = {r.name: r for r in results}
    assert set(by_name) == set(ROWS.values())
    for result in results:
        assert result.requests > 0, result
        assert result.failures == 0, messages
        assert result.rps > 0 and result.p95_ms >= result.p50_ms > 0, result
    sent = by_name["POST /api/v1/referrals/"].requests
    # At least: the check before the run sends one more, and locust may stop mid-request.
    assert Referral.objects.count() - before >= sent
    assert Referral.objects.filter(organisation=organisation).count() == measured
    table = markdown(results)
    assert "| POST /api/v1/referrals/ |" in table and "| GET caseworker queue |" in table

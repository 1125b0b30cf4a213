"""Fixtures for every referrals test."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate limits count in the cache: every test starts with none of its budget spent."""
    cache.clear()
    yield
    cache.clear()

"""The JSON body of a valid referral sent through the API, for the benchmark.

No Django imports, on purpose: the load test's locustfile runs in locust's own process,
outside Django, and imports this module beside it; the in-process timings use it too,
so both send the same referral.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


def referral_body(n: int) -> dict:
    """A referral no earlier one duplicates: its email address is new every time."""
    return {
        "person": {
            "full_name": f"Benchmark Referral {n}",
            "email": f"bench-api-{n}-{time.time_ns()}@example.org",
            "phone": "",
            "relationship": "partner",
            "stage": "on_bail",
            "children_in_household": "no",
            "support_wanted": "peer_group",
            "format_preference": "zoom",
        },
        "safe_contact": {
            "channels": ["email"],
            "may_name_organisation": False,
            "shares_device_with_person": False,
            "shares_address_with_person": False,
        },
        "consent": {
            "given": True,
            "method": "verbal",
            "given_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
            "statement_version": "professional-2026-11",
            "recorded_by": {"name": "PC Benchmark", "identifier": "0000"},
            "scope": {"share_status_with_referrer": False},
        },
    }

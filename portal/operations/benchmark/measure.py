"""Timing the key pages and endpoints in-process: the server's own time for each request
(middleware, view, queries, template), its p50 and p95, and its query count.

A bare view that renders a small template after one query is measured the same way in
the same run, as the baseline every key page is compared with.
"""

from __future__ import annotations

import gc
import statistics
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from peergroups.models import Group, Session
from portal.accounts.passkeys import PASSKEY_REQUIRED_SESSION_KEY, passkey_requirement_snapshot
from portal.organisations.models import Organisation
from portal.organisations.roles import Role
from referrals.models import Referral

from .referral_bodies import referral_body
from .seed import api_key_beside, staff_of

HOST = "localhost"
WARM_UP = 5


@dataclass(frozen=True)
class Timing:
    name: str
    size: str
    p50_ms: float
    p95_ms: float
    queries: int
    status: int

    def as_dict(self) -> dict:
        return asdict(self)


def signed_in_client(user) -> Client:
    client = Client(HTTP_HOST=HOST)
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get(confirmed=True).persistent_id
    session[PASSKEY_REQUIRED_SESSION_KEY] = passkey_requirement_snapshot(user)
    session.save()
    return client


def _query_count(call) -> tuple[int, int]:
    """Warm a page up (caches, templates, the connection and the database's buffers), then
    count the queries of one request and return that count and the request's status."""
    for _ in range(WARM_UP):
        call()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = call()
    # Counted now: the log is shared and later requests may clear it.
    return len(queries), response.status_code


def _percentile_95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def _timings(pages, repeats: int) -> list[Timing]:
    """Every page's p50 and p95 at every size, the requests taken in turns (one to each
    page of each size, then the next round), so that a slow spell of a shared machine
    falls on every page, on both sizes and on the baseline alike, rather than on whichever
    was being timed then."""
    counted = {(name, size): _query_count(call) for name, size, call in pages}
    samples: dict[tuple[str, str], list[float]] = {(name, size): [] for name, size, _ in pages}
    gc.collect()  # start with a collected heap, not the warm-up's garbage
    for _ in range(repeats):
        for name, size, call in pages:
            started = time.perf_counter()
            call()
            samples[(name, size)].append((time.perf_counter() - started) * 1000)
    return [
        Timing(
            name=name,
            size=size,
            p50_ms=round(statistics.median(samples[(name, size)]), 2),
            p95_ms=round(_percentile_95(samples[(name, size)]), 2),
            queries=counted[(name, size)][0],
            status=counted[(name, size)][1],
        )
        for name, size, _ in pages
    ]


def measure(*, organisations: dict[str, Organisation], repeats: int) -> list[Timing]:
    """The key pages of each size's first organisation, all timed in the same rounds."""
    pages = [
        (name, size, call)
        for size, organisation in organisations.items()
        for name, call in _pages(organisation)
    ]
    # DEBUG off, as in production: with it on, Django keeps every query in memory.
    with (
        override_settings(ROOT_URLCONF="portal.operations.benchmark.urls", DEBUG=False),
        _one_connection(),
    ):
        return _timings(pages, repeats)


def _pages(organisation: Organisation) -> list:
    """Each key page of ``organisation`` as a name and a call that requests it."""
    coordinator = staff_of(organisation, Role.COORDINATOR)
    caseworker = staff_of(organisation, Role.CASEWORKER)
    facilitator = staff_of(organisation, Role.FACILITATOR)
    staff = signed_in_client(caseworker)
    lead = signed_in_client(facilitator)
    boss = signed_in_client(coordinator)
    referral = (
        Referral.objects.filter(organisation=organisation, assigned_to=caseworker)
        .exclude(state="closed")
        .order_by("created_at")
        .first()
    )
    group = Group.objects.filter(organisation=organisation, facilitators=facilitator).first()
    session = Session.objects.filter(group=group, starts_at__lt=timezone.now()).last()
    today = timezone.localdate()
    report_url = reverse("staff:report", kwargs={"organisation_id": organisation.pk})
    raw_key = api_key_beside(organisation, name=f"Benchmark {timezone.now():%H%M%S%f}")
    api = Client(HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    sent = {"n": 0}

    def submit():
        sent["n"] += 1
        return api.post(
            "/api/v1/referrals/",
            referral_body(sent["n"]),
            content_type="application/json",
        )

    reference = submit().json()["reference"]
    pages = [
        ("Bare view (baseline)", lambda: staff.get("/benchmark/bare/")),
        ("Caseworker queue", lambda: staff.get(reverse("referrals:queue"))),
        # Finding a person (referrals/search.py): by a whole name through the blind
        # index, by a word every seeded name shares (so the whole organisation matches
        # and is counted), by a reference typed with spaces, and by email.
        (
            "Find a person by name",
            lambda: staff.get(reverse("referrals:queue"), {"reference": referral.full_name}),
        ),
        (
            "Find by a name word everyone has",
            lambda: staff.get(reverse("referrals:queue"), {"reference": "benchmark"}),
        ),
        (
            "Find by reference typed with spaces",
            lambda: staff.get(
                reverse("referrals:queue"),
                {"reference": referral.reference.replace("-", " ").lower()},
            ),
        ),
        (
            "Find by email",
            lambda: staff.get(reverse("referrals:queue"), {"reference": referral.email}),
        ),
        (
            "Referral page",
            lambda: staff.get(reverse("referrals:detail", kwargs={"referral_id": referral.pk})),
        ),
        (
            "Group page with roster",
            lambda: lead.get(reverse("groups:detail", kwargs={"group_id": group.pk})),
        ),
        (
            "Session register",
            lambda: lead.get(reverse("groups:session", kwargs={"session_id": session.pk})),
        ),
        ("Facilitator dashboard", lambda: lead.get(reverse("staff:dashboard"))),
        # Every panel at once: casework, this week's meetings and the key figures.
        ("Coordinator dashboard", lambda: boss.get(reverse("staff:dashboard"))),
        (
            "Coordinator report for a year",
            lambda: boss.get(
                report_url, {"start": (today - timedelta(days=364)).isoformat(), "end": today}
            ),
        ),
        (
            "Pack send page",
            lambda: staff.get(
                reverse("resources-staff:pack-send", kwargs={"referral_id": referral.pk})
            ),
        ),
        ("POST /api/v1/referrals/", submit),
        ("GET /api/v1/referrals/{reference}/", lambda: api.get(f"/api/v1/referrals/{reference}/")),
    ]
    return pages


@contextmanager
def _one_connection():
    """As in Django's own test client runs: requests keep the connection and its query log
    (otherwise each request would reconnect and clear the count)."""
    request_started.disconnect(reset_queries)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(reset_queries)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
